"""The case history, declared: its one listener (every service's topic and the access topic, into the timeline),
the data subject's rights as commands on each client's rights stream, what it publishes, and its HTTP API
(shared/infra/service.py builds the process from this)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from faststream.specification import AsyncAPI
from pydantic import Field, model_validator

from contracts.history import EVENTS
from services.history.adapters import postgres
from services.history.application.handlers import HANDLERS
from services.history.application.ports import Ports
from services.history.application.timeline import TIMELINE
from services.history.domain.retention import DEFAULT_YEARS
from services.history.entrypoints import integrity
from services.history.entrypoints.http import router
from shared.infra import people, service
from shared.infra.runtime import ServiceRuntime
from shared.infra.settings import ServiceSettings


class HistorySettings(ServiceSettings):
    http_port: int = 8005
    retention_years: dict[str, int] = Field(default_factory=dict, description=(
        "Years to keep a closed case's records by service task, JSON, over the National Archives defaults in "
        "services/history/domain/retention.py"))

    @model_validator(mode="after")
    def _topics_outlive_every_retention_period(self) -> HistorySettings:
        # The history's own events (erasure, holds, corrections) belong to every case it keeps.
        longest = max((DEFAULT_YEARS | self.retention_years).values())
        self.retention_required_years = max(self.retention_required_years, longest)
        return self


def _ports(runtime: ServiceRuntime, _settings: Any) -> Ports:
    return Ports(postgres.PostgresTables(runtime.pool), people.PostgresPeople(runtime.pool))


async def _seed_retention(runtime: ServiceRuntime, settings: Any) -> None:
    await postgres.seed_retention(runtime.pool, settings.retention_years)


SPEC = service.ServiceSpec(
    name="history", title="Avain case history", settings=HistorySettings,
    migrations=[postgres.MIGRATIONS, people.MIGRATIONS], publishes=EVENTS, handlers=HANDLERS, listeners=[TIMELINE],
    deps=_ports, routers=[router, integrity.router],
    on_start=_seed_retention,
    description="Every client's case history rebuilt from the event log: the case as of any instant, hash "
    "chains verified, the access log (who read whose data, when, why), retention and erasure by "
    "crypto-shredding. Auditors read everything, write nothing, and state the purpose of every read.",
)


def create_app(settings: ServiceSettings) -> FastAPI:
    return service.create_app(SPEC, settings)


def asyncapi(settings: ServiceSettings | None = None) -> AsyncAPI:
    return service.asyncapi(SPEC, settings)


def main() -> None:
    service.main(SPEC)
