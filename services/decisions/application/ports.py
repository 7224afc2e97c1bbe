"""What the decisions service's application needs beyond the store and the keyring: its read models (PostgreSQL
in the service, in memory in the application tests) and the county's tables."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol
from uuid import UUID

from shared.infra.people import MemoryPeople, People
from shared.kernel.approvals import DelegationTable

ApprovalStatus = Literal["pending", "granted", "refused", "withdrawn"]


@dataclass(frozen=True)
class ApprovalNote:
    """One approval event as the queue keeps it: a request (pending) or its answer."""

    approval_id: UUID
    service: str
    kind: str
    matter_id: UUID
    client_id: UUID | None
    status: ApprovalStatus
    by: str  # who asked (pending) or answered
    at: datetime
    event_id: UUID
    municipality: str | None = None
    amount_cents: int = 0
    limit_cents: int | None = None


@dataclass(frozen=True)
class ApprovalRow:
    approval_id: UUID
    service: str
    kind: str
    matter_id: UUID
    client_id: UUID | None
    municipality: str | None
    amount_cents: int
    limit_cents: int | None
    requested_by: str
    requested_at: datetime
    status: str
    answered_by: str | None
    answered_at: datetime | None


class Approvals(Protocol):
    async def note(self, session: Any, note: ApprovalNote) -> None: ...

    async def list(self, *, status: str | None, kind: str | None, requested_by: str | None, limit: int,
                   offset: int) -> list[ApprovalRow]: ...


@dataclass(frozen=True)
class Ports:
    approvals: Approvals
    delegations: DelegationTable
    people: People = field(default_factory=MemoryPeople)  # staff by name, people's languages
