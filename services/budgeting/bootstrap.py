"""The budgeting service, declared: its commands, its reactions to intake's, the marketplace's and follow-up's
events, what it publishes, and its HTTP API (shared/infra/service.py builds the process from this)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from faststream.specification import AsyncAPI
from pydantic import Field

from contracts.budgeting import EVENTS
from services.budgeting.adapters.postgres import MIGRATIONS
from services.budgeting.application.handlers import HANDLERS, Ports, ports
from services.budgeting.application.reactions import REACTIONS
from services.budgeting.entrypoints.http import router
from shared.infra import service
from shared.infra.runtime import ServiceRuntime
from shared.infra.settings import ServiceSettings


class BudgetingSettings(ServiceSettings):
    http_port: int = 8002
    authority_limits: dict[str, int] = Field(default_factory=lambda: {"default": 500_000}, description=(
        'The worker\'s authority limit in cents by municipality, JSON ("default" covers the rest of the region): '
        "a decision above it waits for a manager's approval"))

    def authority_limit(self, municipality: str | None) -> int:
        return self.authority_limits.get(municipality or "", self.authority_limits["default"])


def _ports(runtime: ServiceRuntime, settings: Any) -> Ports:
    return ports(runtime.pool, settings.authority_limit)


SPEC = service.ServiceSpec(
    name="budgeting", title="Avain budgeting", settings=BudgetingSettings, migrations=[MIGRATIONS],
    publishes=EVENTS, handlers=HANDLERS, reactions=REACTIONS, deps=_ports, routers=[router],
    description="Personal budgets: the HB plan (goals, supports, the client's wishes), the budget decision "
    "with reasoning and approval above the authority limit, reservations and spending that never exceed "
    "the budget, revisions, closure and budgeting advice. Every endpoint needs a bearer token.",
)


def create_app(settings: ServiceSettings) -> FastAPI:
    return service.create_app(SPEC, settings)


def asyncapi(settings: ServiceSettings | None = None) -> AsyncAPI:
    return service.asyncapi(SPEC, settings)


def main() -> None:
    service.main(SPEC)
