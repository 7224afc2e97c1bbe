"""The intake service, declared: its commands, its one listener (the case history's erasures), what it
publishes, and its HTTP API (shared/infra/service.py builds the process from this)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import UUID

from fastapi import FastAPI
from faststream.specification import AsyncAPI
from pydantic import Field, model_validator

from contracts.history import ClientErased
from contracts.intake import EVENTS
from services.intake.adapters.postgres import MIGRATIONS
from services.intake.application.handlers import HANDLERS, Ports, ports
from services.intake.application.representation import TIMERS
from services.intake.entrypoints import integration, life, representation, staff, tokens
from services.intake.entrypoints.http import router
from shared.infra import people, service, tables
from shared.infra.eventstore import Position, Session
from shared.infra.pipeline import Application
from shared.infra.reactions import Listener
from shared.infra.runtime import ServiceRuntime
from shared.infra.settings import DEV_TOKEN_SIGNING_KEY, ServiceSettings
from shared.kernel.envelope import EventEnvelope


class IntakeSettings(ServiceSettings):
    http_port: int = 8001
    delegations_file: Path | None = Field(None, description=tables.DELEGATIONS_FILE)
    legal_bases_file: Path | None = Field(None, description=tables.LEGAL_BASES_FILE)

    @model_validator(mode="after")
    def _own_signing_key_in_production(self) -> IntakeSettings:
        # Only intake holds Avain's token signing key, so only intake is told to bring its own.
        if self.env == "production" and self.token_signing_key.get_secret_value() == DEV_TOKEN_SIGNING_KEY:
            raise ValueError("production needs its own AVAIN_TOKEN_SIGNING_KEY")
        return self


async def forget_hetu(app: Application[Ports], session: Session, envelope: EventEnvelope, _: Position) -> None:
    """An erased client can no longer be found by their hetu: the keyed hash goes with the key."""
    await app.deps.forget_hetu(session, UUID(envelope.subject))


def _ports(runtime: ServiceRuntime, settings: Any) -> Ports:
    return ports(runtime.pool, settings.hetu_pepper.get_secret_value().encode(), runtime.keyring,
                 tables.delegations(settings.delegations_file or tables.DELEGATIONS),
                 tables.legal_bases(settings.legal_bases_file or tables.LEGAL_BASES))


SPEC = service.ServiceSpec(
    name="intake", title="Avain intake", settings=IntakeSettings, migrations=[MIGRATIONS, people.MIGRATIONS],
    publishes=EVENTS, handlers=HANDLERS, timers=TIMERS, listeners=[Listener.of("erasure", [ClientErased], forget_hetu)],
    deps=_ports, routers=[router, life.router, representation.router, integration.router, tokens.router, staff.router],
    description="One-door intake for personal budgeting: registration, consent, self-assessment, "
    "coordinating worker, needs assessment, completion; changes in the client's life (moves, contact details, a "
    "move to another county and the hand-over); representatives (guardians, edunvalvojat, powers of attorney) with "
    "their links to clients, and Avain's token service; and the staff directory (names, titles, units, work "
    "contacts, languages) that every service shows staff by. Every endpoint needs a bearer token.",
)


def create_app(settings: ServiceSettings) -> FastAPI:
    return service.create_app(SPEC, settings)


def asyncapi(settings: ServiceSettings | None = None) -> AsyncAPI:
    return service.asyncapi(SPEC, settings)


def main() -> None:
    service.main(SPEC)
