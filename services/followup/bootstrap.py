"""Wires the follow-up service: runtime, consumers of intake's and budgeting's events, timers, HTTP API."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI
from faststream.specification import AsyncAPI
from pydantic import BaseModel, Field

from contracts.followup import EVENTS
from services.followup.adapters.postgres import MIGRATIONS
from services.followup.application.handlers import CONSUMED_TYPES, FollowUpApplication
from services.followup.domain.followup import Rhythm
from services.followup.entrypoints.http import effectiveness, router
from shared.infra.app import asyncapi_of, create_service_app, declare_publications, serve
from shared.infra.runtime import ServiceRuntime
from shared.infra.settings import ServiceSettings

SERVICE = "followup"


class RhythmSetting(BaseModel):
    """Days as decimals (0.5 = twelve hours), so a test can make a follow-up due in seconds."""

    first_check_in_days: float = Field(gt=0)
    check_in_every_days: float = Field(gt=0)


class FollowUpSettings(ServiceSettings):
    http_port: int = 8004
    rhythms: dict[str, RhythmSetting] = Field(
        default_factory=lambda: {"default": RhythmSetting(first_check_in_days=14, check_in_every_days=30)},
        description='The follow-up rhythm by municipality, JSON ("default" covers the rest of the region): days from '
        "the decision to the first check-in, then between check-ins (decimals allowed: 0.5 is twelve hours)")

    def rhythm(self, municipality: str | None) -> Rhythm:
        r = self.rhythms.get(municipality or "", self.rhythms["default"])
        return Rhythm(first_check_in=timedelta(days=r.first_check_in_days), every=timedelta(days=r.check_in_every_days))


def consumed_topics(runtime: ServiceRuntime) -> list[str]:
    return [runtime.topic_of("intake"), runtime.topic_of("budgeting")]


def build_runtime(settings: ServiceSettings) -> ServiceRuntime:
    runtime = ServiceRuntime(SERVICE, settings, [MIGRATIONS])
    runtime.build_broker()
    declare_publications(runtime, EVENTS)
    runtime.consume("process-manager", consumed_topics(runtime))
    return runtime


def asyncapi(settings: ServiceSettings | None = None) -> AsyncAPI:
    return asyncapi_of(build_runtime(settings or FollowUpSettings()), "Avain follow-up")


def create_app(settings: ServiceSettings) -> FastAPI:
    rhythms = settings if isinstance(settings, FollowUpSettings) else FollowUpSettings(**settings.model_dump())
    runtime = build_runtime(settings)

    def started(app: FastAPI, rt: ServiceRuntime) -> None:
        application = FollowUpApplication(rt.store, rt.keyring, rhythms.rhythm)
        app.state.followup = application
        rt.bind("process-manager", application.on_event, accepts=CONSUMED_TYPES.__contains__)
        rt.timer_handlers.update(application.timer_handlers())

    return create_service_app(
        runtime, title="Avain follow-up", routers=[router, effectiveness], on_started=started,
        consumed_topics=consumed_topics(runtime),
        description="Follow-up of HB cases: follow-ups scheduled when the budget is decided, check-ins in the "
        "client's words, goal attainment (GAS), re-assessments, reminders for overdue follow-ups, plan reviews, "
        "case closure, and effectiveness per client and per region (no group under 5 shown, also as CSV). "
        "Every endpoint needs a bearer token.",
    )


def main() -> None:
    serve(SERVICE, FollowUpSettings(), create_app)
