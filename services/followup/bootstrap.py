"""The follow-up service, declared: its commands, its reactions to intake's and budgeting's events, its timers,
what it publishes, and its HTTP API (shared/infra/service.py builds the process from this)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import FastAPI
from faststream.specification import AsyncAPI
from pydantic import BaseModel, Field

from contracts.followup import EVENTS
from services.followup.adapters.postgres import MIGRATIONS
from services.followup.application.handlers import HANDLERS, TIMERS, Ports, ports
from services.followup.application.reactions import REACTIONS
from services.followup.domain.followup import Rhythm
from services.followup.entrypoints.http import effectiveness, router
from shared.infra import service
from shared.infra.runtime import ServiceRuntime
from shared.infra.settings import ServiceSettings


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


def _ports(runtime: ServiceRuntime, settings: Any) -> Ports:
    return ports(runtime.pool, settings.rhythm)


SPEC = service.ServiceSpec(
    name="followup", title="Avain follow-up", settings=FollowUpSettings, migrations=[MIGRATIONS], publishes=EVENTS,
    handlers=HANDLERS, reactions=REACTIONS, timers=TIMERS, deps=_ports, routers=[router, effectiveness],
    description="Follow-up of HB cases: follow-ups scheduled when the budget is decided, check-ins in the "
    "client's words, goal attainment (GAS), re-assessments, reminders for overdue follow-ups, plan reviews, "
    "case closure, and effectiveness per client and per region (no group under 5 shown, also as CSV). "
    "Every endpoint needs a bearer token.",
)


def create_app(settings: ServiceSettings) -> FastAPI:
    return service.create_app(SPEC, settings)


def asyncapi(settings: ServiceSettings | None = None) -> AsyncAPI:
    return service.asyncapi(SPEC, settings)


def main() -> None:
    service.main(SPEC)
