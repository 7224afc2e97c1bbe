"""Wires the intake service: settings → runtime (database, key vault, outbox relay, Kafka) → HTTP API."""

from __future__ import annotations

from uuid import UUID

import asyncpg
from fastapi import FastAPI
from faststream.specification import AsyncAPI
from pydantic import model_validator

from contracts.history import ClientErased
from contracts.intake import EVENTS
from services.intake.adapters.postgres import MIGRATIONS, forget_name
from services.intake.application.handlers import IntakeApplication
from services.intake.application.tokens import TokenExchange
from services.intake.entrypoints import integration
from services.intake.entrypoints.http import router
from services.intake.entrypoints.tokens import router as token_router
from shared.infra.app import asyncapi_of, create_service_app, declare_publications, serve
from shared.infra.auth import TokenVerifier
from shared.infra.runtime import ServiceRuntime
from shared.infra.settings import DEV_TOKEN_SIGNING_KEY, ServiceSettings
from shared.infra.token_service import TokenService
from shared.kernel.envelope import EventEnvelope

SERVICE = "intake"


class IntakeSettings(ServiceSettings):
    http_port: int = 8001

    @model_validator(mode="after")
    def _own_signing_key_in_production(self) -> IntakeSettings:
        # Only intake holds Avain's token signing key, so only intake is told to bring its own.
        if self.env == "production" and self.token_signing_key.get_secret_value() == DEV_TOKEN_SIGNING_KEY:
            raise ValueError("production needs its own AVAIN_TOKEN_SIGNING_KEY")
        return self


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
        pepper = settings.hetu_pepper.get_secret_value().encode()
        app.state.intake = IntakeApplication(runtime.store, runtime.keyring, pepper)
        tokens = TokenService(settings.token_signing_key.get_secret_value(), issuer=settings.token_service_issuer,
                              audience=settings.services_audience)
        app.state.token_exchange = TokenExchange(TokenVerifier(settings.exchange_issuers), tokens,
                                                 runtime.store.pool, pepper)
        app.state.tokens.know_keys(settings.token_service_issuer, tokens.jwks())  # its own: no fetch from itself
        runtime.bind("erasure", forget_hetu, accepts=ClientErased.event_type.__eq__)

    runtime = build_runtime(settings)
    return create_service_app(
        runtime, consumed_topics=[runtime.topic_of("history")], title="Avain intake",
        routers=[router, integration.router, token_router],
        on_started=started,
        description="One-door intake for personal budgeting: registration, consent, self-assessment, "
        "coordinating worker, needs assessment, completion. Every endpoint needs a bearer token.",
    )


async def forget_hetu(conn: asyncpg.Connection, envelope: EventEnvelope) -> None:
    """An erased client can no longer be found by their hetu or name: the keyed hashes go with the key."""
    await conn.execute("DELETE FROM client_lookup WHERE client_id = $1", UUID(envelope.subject))
    await forget_name(conn, UUID(envelope.subject))


def main() -> None:
    serve(SERVICE, IntakeSettings(), create_app)
