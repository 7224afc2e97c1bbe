"""The approval event family: one shape for every kind of matter that can need a second person's approval.

The aggregate that owns a matter records these events in its own stream (so its invariants stay inside it), each
service under its own event type, because an event type names its publisher's topic: a service declares the
family in its contract module with three lines each,

    class ApprovalRequested(approvals.ApprovalRequested):
        event_type = "fi.avain.<service>.ApprovalRequested"

(likewise ``ApprovalGranted``, ``ApprovalRefused``, ``ApprovalWithdrawn``) and lists them in its EVENTS. The
decisions service reads every service's family into one approvals queue (the manager's). The rules of who may
decide alone and who may approve are in shared/kernel/approvals.py; the kinds of matter in the delegation table.

Reasoning is the people's own words about a client's matter: sealed with the client's key. A refusal always
carries its reasoning (the worker and the client are shown it).
"""

from __future__ import annotations

from uuid import UUID

from pydantic import Field

from shared.kernel.approvals import Authority
from shared.kernel.events import DomainEvent
from shared.kernel.sealed import Sealed

__all__ = ["ApprovalGranted", "ApprovalRefused", "ApprovalRequested", "ApprovalWithdrawn", "Authority"]


class ApprovalRequested(DomainEvent):
    """A matter above its preparer's delegated authority waits for someone whose authority covers it."""

    approval_id: UUID
    kind: str = Field(min_length=1, max_length=64, description="The kind of matter (a kind in the delegation table)")
    matter_id: UUID = Field(description="The matter in its owner's terms: a budget proposal, a revision, a purchase")
    client_id: UUID | None = Field(None, description="The client the matter concerns, if any")
    municipality: str | None = None
    amount_cents: int = Field(ge=0)
    requested_by: str = Field(description="Staff id of the person who prepared the matter and asks for approval")
    authority: Authority = Field(description="The requester's delegation, whose limit the amount exceeds")
    reasoning: Sealed | None = Field(None, description="Why the matter is proposed, sealed with the client's key")


class ApprovalGranted(DomainEvent):
    """Approved: the approver becomes the one who decides the matter (their own delegation covers it)."""

    approval_id: UUID
    kind: str
    matter_id: UUID
    client_id: UUID | None = None
    granted_by: str
    authority: Authority = Field(description="The approver's delegation")
    reasoning: Sealed | None = None


class ApprovalRefused(DomainEvent):
    """Not approved: the matter returns to its preparer, with the reasoning shown to the worker and the client."""

    approval_id: UUID
    kind: str
    matter_id: UUID
    client_id: UUID | None = None
    refused_by: str
    reasoning: Sealed


class ApprovalWithdrawn(DomainEvent):
    """The matter no longer waits (it changed, or its case closed): nobody needs to answer it."""

    approval_id: UUID
    kind: str
    matter_id: UUID
    client_id: UUID | None = None
    reason: str = Field(min_length=1, max_length=64, description="A code, e.g. budget_closed, replaced")
