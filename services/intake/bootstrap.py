"""Wires the intake service: settings → runtime (database, key vault, outbox relay, Kafka) → HTTP API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from fastapi import FastAPI
from faststream.specification import AsyncAPI

from services.intake.adapters.postgres import MIGRATIONS
from services.intake.application.handlers import IntakeApplication
from services.intake.entrypoints.http import router
from shared import http
from shared.auth import TokenIssuer
from shared.logging import configure_logging
from shared.runtime import ServiceRuntime
from shared.settings import ServiceSettings

SERVICE = "intake"


class IntakeSettings(ServiceSettings):
    http_port: int = 8001


def build_runtime(settings: ServiceSettings) -> ServiceRuntime:
    runtime = ServiceRuntime(SERVICE, settings, [MIGRATIONS])
    runtime.build_broker()
    declare_publications(runtime)
    return runtime


def declare_publications(runtime: ServiceRuntime) -> None:
    """Intake's topic for the AsyncAPI document (the outbox relay does the actual publishing)."""
    from contracts.intake import EVENTS

    for event in EVENTS:
        runtime.broker.publisher(
            runtime.events_topic,
            title=f"{runtime.events_topic}:{event.__name__}",
            description=(event.__doc__ or event.__name__).strip(),
            schema=event,
            include_in_schema=True,
        )


def asyncapi(settings: ServiceSettings | None = None) -> AsyncAPI:
    runtime = build_runtime(settings or IntakeSettings())
    return AsyncAPI(runtime.broker, title="Avain intake", version="1.0.0",
                    description="Intake's events: CloudEvents binary mode (ce_* headers), key = client id.")


def create_app(settings: ServiceSettings) -> FastAPI:
    runtime = build_runtime(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with runtime.running():
            app.state.intake = IntakeApplication(
                runtime.store, runtime.keyring, settings.hetu_pepper.get_secret_value().encode()
            )
            yield

    app = FastAPI(
        title="Avain intake",
        version="1.0.0",
        description="One-door intake for personal budgeting: registration, consent, self-assessment, "
        "coordinating worker, needs assessment, completion. Every endpoint needs a bearer token.",
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    app.state.tokens = TokenIssuer(settings.jwt_secret.get_secret_value(), issuer=settings.jwt_issuer,
                                   audience=settings.jwt_audience)
    http.install(app, runtime.readiness)
    app.include_router(router)
    return app


def main() -> None:
    settings = IntakeSettings()
    configure_logging(SERVICE, settings.log_level)
    app = create_app(settings)
    uvicorn.run(app, host=settings.http_host, port=settings.http_port, log_config=None,
                access_log=False, timeout_graceful_shutdown=10)
