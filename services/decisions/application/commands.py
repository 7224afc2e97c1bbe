"""What callers ask of the decisions service, one command each: a worker (later the notifications service)
recording how a decision was served; the client or a worker filing a request for rectification, an official
preparing it, the body's decision recorded; the service itself registering another service's decision record
and marking an unanswered request overdue.
Handlers: handlers.py; who may send which: policy.py."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import AwareDatetime, Field

from contracts.decisions import DecisionRegistered, DispatchMethod, RectificationOutcome
from services.decisions.domain.register import CLIENT
from shared.kernel.commands import Command

__all__ = [
    "CLIENT",
    "DecideRectification",
    "DecisionCommand",
    "DispatchDecision",
    "FileRectification",
    "IssueLetter",
    "MarkRectificationOverdue",
    "PrepareRectification",
    "RecordReceipt",
    "RegisterDecision",
]


class DecisionCommand(Command):
    client_id: UUID  # whose decision (the subject; a decision of another client is not found)
    decision_id: UUID  # the stream is decision-<decision_id>


class RegisterDecision(DecisionCommand):
    """From a deciding service's DecisionRecorded (reactions.py)."""

    record: DecisionRegistered


class DispatchDecision(DecisionCommand):
    method: DispatchMethod
    sent_at: AwareDatetime
    recipient: str = Field(CLIENT, min_length=1, max_length=200)
    electronic_consent: bool = False


class IssueLetter(DecisionCommand):
    """From the register's own DecisionDispatched (reactions.py): write the letter served by that dispatch."""

    dispatch_id: UUID
    recipient: str
    method: DispatchMethod
    sent_at: AwareDatetime
    deemed_received_on: date | None
    deadline: date | None


class RecordReceipt(DecisionCommand):
    received_on: date
    recipient: str = Field(CLIENT, min_length=1, max_length=200)


class FileRectification(DecisionCommand):
    """A request for rectification, as the county received it (the client's own, or recorded by a worker)."""

    text: str = Field(min_length=1, max_length=20_000)
    received_on: date
    party: str = Field(CLIENT, min_length=1, max_length=200)


class PrepareRectification(DecisionCommand):
    request_id: UUID
    proposal: RectificationOutcome
    memo: str = Field(min_length=1, max_length=20_000)


class DecideRectification(DecisionCommand):
    request_id: UUID
    outcome: RectificationOutcome
    body: str = Field(min_length=1, max_length=100)
    meeting_date: date
    minutes_section: str = Field(min_length=1, max_length=40)
    reasoning: str = Field(min_length=1, max_length=20_000)
    amended_amount_cents: int | None = Field(None, ge=0)
    amended_breakdown: dict[str, int] = Field(default_factory=dict)


class MarkRectificationOverdue(DecisionCommand):
    """From the durable timer set when the request was filed."""

    request_id: UUID
