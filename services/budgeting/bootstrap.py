"""The budgeting service, declared: its commands, its reactions to intake's, the marketplace's and follow-up's
events, what it publishes, and its HTTP API (shared/infra/service.py builds the process from this)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI
from faststream.specification import AsyncAPI
from pydantic import Field

from contracts.budgeting import EVENTS
from services.budgeting.adapters.postgres import MIGRATIONS
from services.budgeting.application.handlers import HANDLERS, Ports, ports
from services.budgeting.application.reactions import REACTIONS
from services.budgeting.entrypoints.http import router
from shared.infra import people, service, tables
from shared.infra.runtime import ServiceRuntime
from shared.infra.settings import ServiceSettings


class BudgetingSettings(ServiceSettings):
    http_port: int = 8002
    delegations_file: Path | None = Field(None, description=tables.DELEGATIONS_FILE)
    legal_bases_file: Path | None = Field(None, description=tables.LEGAL_BASES_FILE)


def _ports(runtime: ServiceRuntime, settings: Any) -> Ports:
    return ports(runtime.pool, tables.delegations(settings.delegations_file or tables.DELEGATIONS),
                 tables.legal_bases(settings.legal_bases_file or tables.LEGAL_BASES))


SPEC = service.ServiceSpec(
    name="budgeting", title="Avain budgeting", settings=BudgetingSettings, migrations=[MIGRATIONS, people.MIGRATIONS],
    publishes=EVENTS, handlers=HANDLERS, reactions=REACTIONS, listeners=[people.LISTENER], deps=_ports, routers=[router],
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
