"""What callers ask of the decisions service, one command each: a worker (later the notifications service)
recording how a decision was served, and the service itself registering another service's decision record.
Handlers: handlers.py; who may send which: policy.py."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import AwareDatetime, Field

from contracts.decisions import DecisionRegistered, DispatchMethod
from services.decisions.domain.register import CLIENT
from shared.kernel.commands import Command

__all__ = ["CLIENT", "DecisionCommand", "DispatchDecision", "RecordReceipt", "RegisterDecision"]


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


class RecordReceipt(DecisionCommand):
    received_on: date
    recipient: str = Field(CLIENT, min_length=1, max_length=200)
