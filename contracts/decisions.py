"""The decisions service's events. Topic ``avain.decisions.events.v1``, key = client id.

The county's register of administrative decisions: each decision another service records (contracts/records.py)
is registered here, in a stream of its own (``decision-<decision_id>``), and served by recorded dispatches, each
with the time limit for a request for rectification that it starts (services/decisions/domain/serving.py).
Requests for rectification come with their own events.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import Field

from shared.kernel.events import DomainEvent, EventRegistry
from shared.kernel.law import DecisionKind, Instructions

DispatchMethod = Literal["letter", "electronic", "proven_electronic", "in_person"]


class DecisionRegistered(DomainEvent):
    """A decision another service recorded, in the register: what the register needs to serve it and to handle
    requests for its rectification (the full record stays the deciding service's event, ``source_event_id``)."""

    event_type = "fi.avain.decisions.DecisionRegistered"

    decision_id: UUID
    decision_number: str = Field(max_length=64)
    kind: DecisionKind
    client_id: UUID
    decided_on: date
    decided_by: str = Field(description="Staff id of the person who decided (on approval, the approver)")
    prepared_by: str | None = Field(None, description="Who prepared it, when another person decided")
    language: str = Field(description="The language it is made and served in")
    instructions: Instructions
    source_service: str = Field(description="The service that decided (budgeting, intake, ...)")
    source_event_id: UUID = Field(description="The DecisionRecorded event registered")
    replaces: str | None = Field(None, description="The number of the decision this one changes or answers")


class DecisionDispatched(DomainEvent):
    """The decision was sent to a recipient: how, when, and the time limit for rectification that this starts
    by the county's rules of the day of sending (none yet when receipt must be recorded: proven electronic)."""

    event_type = "fi.avain.decisions.DecisionDispatched"

    decision_id: UUID
    client_id: UUID
    recipient: str = Field(max_length=200, description="'client', or the staff-known id of a representative "
                           "entitled to be served (each guardian)")
    method: DispatchMethod
    sent_at: datetime
    sent_on: date = Field(description="The county's calendar day of sending (Europe/Helsinki)")
    recorded_by: str = Field(description="Who recorded the dispatch (a worker, later the notifications service)")
    electronic_consent: bool = Field(False, description="The recipient's consent to electronic service is on record")
    rules_version: str = Field(description="The version of the service rules table applied")
    deemed_received_on: date | None = Field(description="The presumed day of receipt (null: at recorded receipt)")
    deadline: date | None = Field(description="The last day for a request for rectification (null: not running)")


class DecisionReceiptRecorded(DomainEvent):
    """The day a recipient actually received the decision (or retrieved a proven electronic service); a receipt
    later than the presumption moves the time limit."""

    event_type = "fi.avain.decisions.DecisionReceiptRecorded"

    decision_id: UUID
    client_id: UUID
    recipient: str = Field(max_length=200)
    received_on: date
    recorded_by: str
    deadline: date = Field(description="The last day for a request for rectification, from now on")


EVENTS: list[type[DomainEvent]] = [DecisionRegistered, DecisionDispatched, DecisionReceiptRecorded]

registry = EventRegistry(EVENTS)
