"""What the decisions service's application needs beyond the store and the keyring: its read models (PostgreSQL
in the service, in memory in the application tests) and the county's tables."""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Protocol
from uuid import UUID

from services.decisions.domain.queue import ApprovalNote, ApprovalRow, ApprovalStatus
from services.decisions.domain.recipients import Standing
from services.decisions.domain.serving import ServiceRules
from shared.infra import tables
from shared.infra.people import MemoryPeople, People
from shared.kernel.approvals import DelegationTable
from shared.kernel.law import LegalTable

__all__ = [
    "SERVICE_RULES",
    "SERVICE_RULES_FILE",
    "ApprovalNote",
    "ApprovalRow",
    "ApprovalStatus",
    "Approvals",
    "Ports",
    "service_rules",
]

SERVICE_RULES = tables.DATA / "service_rules.toml"
SERVICE_RULES_FILE = (
    "The county's rules for serving decisions (TOML): by date, on which day after sending a decision sent by each "
    "method is deemed received, which starts the time limit for a request for rectification. Unset: "
    "config/data/service_rules.toml, which describes the format")


def service_rules(path: Path = SERVICE_RULES) -> ServiceRules:
    return ServiceRules.from_mapping(tables.read_table(path))


class Approvals(Protocol):
    async def note(self, session: Any, note: ApprovalNote) -> None: ...

    async def list(self, *, status: str | None, kind: str | None, requested_by: str | None, limit: int,
                   offset: int) -> list[ApprovalRow]: ...


@dataclass(frozen=True)
class Ports:
    approvals: Approvals
    delegations: DelegationTable
    people: People = field(default_factory=MemoryPeople)  # staff by name, people's languages
    rules: ServiceRules = field(default_factory=service_rules)  # when a dispatch is deemed received
    # The register as a list (PostgreSQL projection; the application tests have none).
    list_decisions: Callable[..., Awaitable[list[dict[str, Any]]]] | None = None
    # Decisions on requests for rectification: their numbers, their law, and how long an answer may take.
    decision_number: Callable[[int], Awaitable[str]] = field(default_factory=lambda: _numbers())
    legal: LegalTable = field(default_factory=tables.legal_bases)
    rectification_answer_days: float = 30.0
    # Whether a client acts alone and their representation links in force on a day (the service's copy of intake's
    # representation records; the application tests give their own): who may be served a decision.
    standing: Callable[[UUID, date], Awaitable[Standing]] = field(default_factory=lambda: _adult_alone)


async def _adult_alone(client_id: UUID, on: date) -> Standing:
    return Standing()


def _numbers() -> Callable[[int], Awaitable[str]]:
    """Decision numbers from a counter (application tests; the service draws them from PostgreSQL)."""
    counter = itertools.count(1)

    async def next_number(year: int) -> str:
        return f"HBO-{year}-{next(counter):06d}"

    return next_number
