"""The decisions service, declared: the county's register of administrative decisions and the approvals queue of
every service (shared/infra/service.py builds the process from this)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

from fastapi import FastAPI
from faststream.specification import AsyncAPI
from pydantic import Field

from contracts.decisions import EVENTS
from services.decisions.adapters import postgres
from services.decisions.adapters.postgres import MIGRATIONS, PostgresApprovals
from services.decisions.application import approvals
from services.decisions.application.handlers import HANDLERS, TIMERS
from services.decisions.application.ports import SERVICE_RULES, SERVICE_RULES_FILE, Ports, service_rules
from services.decisions.application.reactions import REACTIONS
from services.decisions.domain.recipients import Link, Standing
from services.decisions.entrypoints.http import router
from shared.infra import people, representation, service, tables
from shared.infra.runtime import ServiceRuntime
from shared.infra.settings import ServiceSettings


class DecisionsSettings(ServiceSettings):
    http_port: int = 8006
    delegations_file: Path | None = Field(None, description=tables.DELEGATIONS_FILE)
    service_rules_file: Path | None = Field(None, description=SERVICE_RULES_FILE)
    legal_bases_file: Path | None = Field(None, description=tables.LEGAL_BASES_FILE)
    rectification_answer_days: float = Field(30.0, gt=0, description=(
        "Days a request for rectification may wait for the body's decision before it is overdue: one "
        "RectificationOverdue for the manager, by a durable timer (fractions of a day are for tests)"))


def _ports(runtime: ServiceRuntime, settings: Any) -> Ports:
    return Ports(approvals=PostgresApprovals(runtime.pool),
                 delegations=tables.delegations(settings.delegations_file or tables.DELEGATIONS),
                 people=people.PostgresPeople(runtime.pool),
                 rules=service_rules(settings.service_rules_file or SERVICE_RULES),
                 list_decisions=lambda **kw: postgres.list_decisions(runtime.pool, **kw),
                 decision_number=lambda year: postgres.next_decision_number(runtime.pool, year),
                 legal=tables.legal_bases(settings.legal_bases_file or tables.LEGAL_BASES),
                 rectification_answer_days=settings.rectification_answer_days,
                 standing=lambda client_id, on: _standing(runtime, client_id, on))


async def _standing(runtime: ServiceRuntime, client_id: UUID, on: date) -> Standing:
    """From the representation records every service keeps (shared/infra/representation.py)."""
    links = await representation.links_of(runtime.pool, client_id, on)
    return Standing(acts_alone=await representation.acts_alone(runtime.pool, client_id, on),
                    links=tuple(Link(**link) for link in links))


SPEC = service.ServiceSpec(
    name="decisions", title="Avain decisions", settings=DecisionsSettings, migrations=[MIGRATIONS, people.MIGRATIONS],
    publishes=EVENTS, handlers=HANDLERS, reactions=REACTIONS, timers=TIMERS, listeners=[approvals.LISTENER, people.LISTENER],
    deps=_ports, routers=[router],
    description="The county's register of administrative decisions and the approvals queue. Every decision a "
    "service records is registered here and served by recorded dispatches, each starting the time limit for a "
    "request for rectification by the county's rules (deadlines moved past weekends and holidays, Act 150/1930). "
    "The queue holds every service's matters above their preparer's delegated authority, waiting for someone "
    "whose authority covers them. Every endpoint needs a bearer token.",
)


def create_app(settings: ServiceSettings) -> FastAPI:
    return service.create_app(SPEC, settings)


def asyncapi(settings: ServiceSettings | None = None) -> AsyncAPI:
    return service.asyncapi(SPEC, settings)


def main() -> None:
    service.main(SPEC)
