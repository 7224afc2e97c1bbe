"""Wires the intake service: settings → runtime (database, key vault, outbox relay, Kafka) → HTTP API."""

from __future__ import annotations

from uuid import UUID

import asyncpg
from fastapi import FastAPI
from faststream.specification import AsyncAPI

from contracts.history import ClientErased
from contracts.intake import EVENTS
from services.intake.adapters.postgres import MIGRATIONS
from services.intake.application.handlers import IntakeApplication
from services.intake.entrypoints import integration
from services.intake.entrypoints.http import router
from shared.infra.app import asyncapi_of, create_service_app, declare_publications, serve
from shared.infra.runtime import ServiceRuntime
from shared.infra.settings import ServiceSettings
from shared.kernel.envelope import EventEnvelope

SERVICE = "intake"


class IntakeSettings(ServiceSettings):
    http_port: int = 8001


def build_runtime(settings: ServiceSettings) -> ServiceRuntime:
    runtime = ServiceRuntime(SERVICE, settings, [MIGRATIONS])
    runtime.build_broker()
    declare_publications(runtime, EVENTS)
    runtime.consume("erasure", [runtime.topic_of("history")])
    return runtime


def asyncapi(settings: ServiceSettings | None = None) -> AsyncAPI:
    return asyncapi_of(build_runtime(settings or IntakeSettings()), "Avain intake")


def create_app(settings: ServiceSettings) -> FastAPI:
    def started(app: FastAPI, runtime: ServiceRuntime) -> None:
        app.state.intake = IntakeApplication(runtime.store, runtime.keyring,
                                             settings.hetu_pepper.get_secret_value().encode())
        runtime.bind("erasure", forget_hetu, accepts=ClientErased.event_type.__eq__)

    runtime = build_runtime(settings)
    return create_service_app(
        runtime, consumed_topics=[runtime.topic_of("history")], title="Avain intake", routers=[router, integration.router],
        on_started=started,
        description="One-door intake for personal budgeting: registration, consent, self-assessment, "
        "coordinating worker, needs assessment, completion. Every endpoint needs a bearer token.",
    )


async def forget_hetu(conn: asyncpg.Connection, envelope: EventEnvelope) -> None:
    """An erased client can no longer be found by their hetu: the keyed hash goes with the key."""
    await conn.execute("DELETE FROM client_lookup WHERE client_id = $1", UUID(envelope.subject))


def main() -> None:
    serve(SERVICE, IntakeSettings(), create_app)
