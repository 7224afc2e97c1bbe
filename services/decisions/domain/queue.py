"""The approvals queue's rows, as the decisions service keeps them (a read model of every service's approval
family; the matters' own streams decide)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from uuid import UUID

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
