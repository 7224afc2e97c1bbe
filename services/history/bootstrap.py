"""Wires the case history: one consumer of every service's topic, the HTTP API."""

from __future__ import annotations

import asyncpg
from fastapi import FastAPI
from faststream.specification import AsyncAPI
from pydantic import Field, model_validator

from contracts.history import EVENTS
from services.history.adapters import postgres
from services.history.application.handlers import HistoryApplication
from services.history.domain.retention import DEFAULT_YEARS
from services.history.entrypoints import integrity
from services.history.entrypoints.http import router
from shared.infra import people
from shared.infra.app import asyncapi_of, create_service_app, declare_publications, serve
from shared.infra.eventstore import Position
from shared.infra.runtime import ServiceRuntime
from shared.infra.settings import ServiceSettings
from shared.kernel.envelope import EventEnvelope

SERVICE = "history"
# Every service's events, and the access log every service writes (older access events are on the domain topics).
SOURCES = ("intake", "budgeting", "marketplace", "followup", "history", "decisions", "access")


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


def topics(runtime: ServiceRuntime) -> list[str]:
    return [runtime.topic_of(s) for s in SOURCES]


def build_runtime(settings: ServiceSettings) -> ServiceRuntime:
    runtime = ServiceRuntime(SERVICE, settings, [postgres.MIGRATIONS, people.MIGRATIONS])
    runtime.build_broker()
    declare_publications(runtime, EVENTS)
    runtime.consume("timeline", topics(runtime))
    return runtime


def asyncapi(settings: ServiceSettings | None = None) -> AsyncAPI:
    return asyncapi_of(build_runtime(settings or HistorySettings()), "Avain case history")


def create_app(settings: ServiceSettings) -> FastAPI:
    s = settings if isinstance(settings, HistorySettings) else HistorySettings(**settings.model_dump())
    runtime = build_runtime(s)

    async def started(app: FastAPI, rt: ServiceRuntime) -> None:
        history = HistoryApplication(rt.store, rt.keyring)
        app.state.history = history
        await postgres.seed_retention(rt.pool, s.retention_years)

        async def on_event(conn: asyncpg.Connection, envelope: EventEnvelope, at: Position) -> None:
            await history.on_record(conn, envelope, at.topic, at.partition, at.offset)

        rt.bind("timeline", on_event, accepts=lambda _type: True, positioned=True)

    return create_service_app(
        runtime, title="Avain case history", routers=[router, integrity.router], on_started=started,
        consumed_topics=topics(runtime),
        description="Every client's case history rebuilt from the event log: the case as of any instant, hash "
        "chains verified, the access log (who read whose data, when, why), retention and erasure by "
        "crypto-shredding. Auditors read everything, write nothing, and state the purpose of every read.",
    )


def main() -> None:
    serve(SERVICE, HistorySettings(), create_app)
