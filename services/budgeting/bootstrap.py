"""Wires the budgeting service: runtime, consumers of intake's, the marketplace's and follow-up's events, HTTP API."""

from __future__ import annotations

from fastapi import FastAPI
from faststream.specification import AsyncAPI
from pydantic import Field

from contracts.budgeting import EVENTS
from services.budgeting.adapters.postgres import MIGRATIONS
from services.budgeting.application.handlers import CONSUMED_TYPES, BudgetingApplication
from services.budgeting.entrypoints.http import router
from shared.infra.app import asyncapi_of, create_service_app, declare_publications, serve
from shared.infra.runtime import ServiceRuntime
from shared.infra.settings import ServiceSettings

SERVICE = "budgeting"


class BudgetingSettings(ServiceSettings):
    http_port: int = 8002
    authority_limits: dict[str, int] = Field(default_factory=lambda: {"default": 500_000}, description=(
        'The worker\'s authority limit in cents by municipality, JSON ("default" covers the rest of the region): '
        "a decision above it waits for a manager's approval"))

    def authority_limit(self, municipality: str | None) -> int:
        return self.authority_limits.get(municipality or "", self.authority_limits["default"])


def build_runtime(settings: ServiceSettings) -> ServiceRuntime:
    runtime = ServiceRuntime(SERVICE, settings, [MIGRATIONS])
    runtime.build_broker()
    declare_publications(runtime, EVENTS)
    runtime.consume("process-manager", [runtime.topic_of("intake"), runtime.topic_of("marketplace"),
                                        runtime.topic_of("followup")])
    return runtime


def asyncapi(settings: ServiceSettings | None = None) -> AsyncAPI:
    return asyncapi_of(build_runtime(settings or BudgetingSettings()), "Avain budgeting")


def create_app(settings: ServiceSettings) -> FastAPI:
    limits = settings if isinstance(settings, BudgetingSettings) else BudgetingSettings(**settings.model_dump())
    runtime = build_runtime(settings)

    def started(app: FastAPI, rt: ServiceRuntime) -> None:
        application = BudgetingApplication(rt.store, rt.keyring, limits.authority_limit)
        app.state.budgeting = application
        rt.bind("process-manager", application.on_event, accepts=CONSUMED_TYPES.__contains__)

    return create_service_app(
        runtime, title="Avain budgeting", routers=[router], on_started=started,
        consumed_topics=[runtime.topic_of("intake"), runtime.topic_of("marketplace"), runtime.topic_of("followup")],
        description="Personal budgets: the HB plan (goals, supports, the client's wishes), the budget decision "
        "with reasoning and approval above the authority limit, reservations and spending that never exceed "
        "the budget, revisions, closure and budgeting advice. Every endpoint needs a bearer token.",
    )


def main() -> None:
    serve(SERVICE, BudgetingSettings(), create_app)
