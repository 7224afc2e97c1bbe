"""A decision in the county's register: decide(command, state) -> events, evolve(state, event) -> state. Its
requests for rectification live in its stream too (their rules: rectification.py), since whether one is late
depends on how the decision was served.

The rules of serving it:
- a decision is registered once, from the deciding service's record (a redelivered record registers nothing);
- it is served by recorded dispatches, one recipient at a time, each entitled to be served it on the day of
  sending (recipients.py: the client from 15, each representative whose link is in force), named by reference; a
  later dispatch to the same recipient serves it anew and its time limit replaces the
  earlier one (a letter that came back and was sent again);
- electronic service needs the recipient's consent on record (13/2003 19 §); nothing is sent before the decision
  was made or later than now;
- a recorded actual receipt later than the presumption (or a proven electronic service's retrieval) sets the day
  the time limit runs from; the time limit is the decision's own (its instructions' days), computed by serving.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from contracts.decisions import (
    CLIENT_RECIPIENT,
    DecisionDispatched,
    DecisionReceiptRecorded,
    DecisionRecorded,
    DecisionRegistered,
    LetterIssued,
    Recipient,
    RectificationDecided,
    RectificationOverdue,
    RectificationPrepared,
    RectificationRequested,
)
from services.decisions.domain import letters, recipients, rectification
from services.decisions.domain.rectification import Request
from services.decisions.domain.serving import Method, ServiceRules, presume, received_on, time_limit_ends
from shared.kernel.calendar import county_day
from shared.kernel.errors import InvalidCommand, RuleViolation
from shared.kernel.events import DomainEvent

CLIENT = CLIENT_RECIPIENT  # the recipient who is the client themself (others: by their person id)
CLOCK_SKEW = timedelta(minutes=5)  # a clerk's clock a little ahead of ours is not a dispatch from the future


@dataclass(frozen=True)
class Service:
    """How one recipient was served, and the time limit it started."""

    method: Method
    sent_on: date
    deemed_received_on: date | None
    received_on: date | None  # the recorded actual receipt, if any
    deadline: date | None
    role: str = "client"  # as whom they were served: the client, or the kind of their representation link


@dataclass(frozen=True)
class RegisteredDecision:
    registered: DecisionRegistered | None = None
    served: dict[str, Service] = field(default_factory=dict)  # recipient → service
    requests: dict[UUID, Request] = field(default_factory=dict)  # requests for rectification
    letters: dict[UUID, LetterIssued] = field(default_factory=dict)  # letter id → the letter as served

    @property
    def exists(self) -> bool:
        return self.registered is not None


INITIAL = RegisteredDecision()


@dataclass(frozen=True)
class Register:
    record: DecisionRegistered


@dataclass(frozen=True)
class Dispatch:
    recipient: str  # a reference: 'client' or a representative's person id
    entitled: tuple[Recipient, ...]  # who is entitled to be served on the day of sending (recipients.py)
    method: Method
    sent_at: datetime
    recorded_by: str
    electronic_consent: bool
    rules: ServiceRules
    now: datetime


@dataclass(frozen=True)
class RecordReceipt:
    recipient: str
    received_on: date
    recorded_by: str
    today: date


Command = (Register | Dispatch | RecordReceipt | rectification.FileRequest | rectification.PrepareRequest
           | rectification.DecideRequest | rectification.MarkOverdue | letters.Issue)


def decide(command: Command, state: RegisteredDecision) -> list[DomainEvent]:
    match command:
        case Register():
            return [] if state.exists else [command.record]
        case Dispatch():
            return _dispatch(command, _registered(state))
        case RecordReceipt():
            return _receipt(command, _registered(state), state)
        case rectification.FileRequest():
            return rectification.file(command, _registered(state))
        case rectification.PrepareRequest():
            return rectification.prepare(command, _registered(state), state.requests)
        case rectification.DecideRequest():
            return rectification.decide(command, _registered(state), state.requests)
        case rectification.MarkOverdue():
            return rectification.overdue(command, _registered(state), state.requests)
        case letters.Issue():
            return letters.issue(command, _registered(state), {x.dispatch_id for x in state.letters.values()},
                                 set(state.served))
    raise TypeError(f"a registered decision cannot decide {type(command).__name__}")


def _registered(state: RegisteredDecision) -> DecisionRegistered:
    assert state.registered is not None, "the pipeline refuses commands on an unregistered decision"
    return state.registered


def _dispatch(command: Dispatch, decision: DecisionRegistered) -> list[DomainEvent]:
    recipient = recipients.choose(command.recipient, command.entitled)
    if command.sent_at > command.now + CLOCK_SKEW:
        raise InvalidCommand("a dispatch is recorded once sent, not before", field="sent_at",
                             code="dispatch-in-the-future")
    if county_day(command.sent_at) < decision.decided_on:
        raise RuleViolation("a decision cannot be sent before it was made", code="dispatch-before-decision")
    if command.method == "electronic" and not command.electronic_consent:
        raise RuleViolation("electronic service needs the recipient's consent on record",
                            code="electronic-service-without-consent")
    presumption = presume(command.rules, command.method, command.sent_at)
    receipt = received_on(presumption.deemed_received_on, None)
    return [DecisionDispatched(
        decision_id=decision.decision_id, client_id=decision.client_id, recipient=recipient,
        method=command.method, sent_at=command.sent_at, sent_on=presumption.sent_on, recorded_by=command.recorded_by,
        electronic_consent=command.electronic_consent, rules_version=presumption.rules_version,
        deemed_received_on=presumption.deemed_received_on,
        deadline=time_limit_ends(receipt, decision.instructions.days) if receipt else None)]


def _receipt(command: RecordReceipt, decision: DecisionRegistered, state: RegisteredDecision) -> list[DomainEvent]:
    service = state.served.get(command.recipient)
    if service is None:
        raise RuleViolation("no dispatch to this recipient is recorded", code="not-dispatched")
    if command.received_on < service.sent_on:
        raise InvalidCommand("received before it was sent", field="received_on", code="receipt-before-dispatch")
    if command.received_on > command.today:
        raise InvalidCommand("a receipt is recorded once it happened", field="received_on",
                             code="receipt-in-the-future")
    if service.received_on == command.received_on:
        return []
    receipt = received_on(service.deemed_received_on, command.received_on)
    assert receipt is not None
    return [DecisionReceiptRecorded(
        decision_id=decision.decision_id, client_id=decision.client_id, recipient=command.recipient,
        received_on=command.received_on, recorded_by=command.recorded_by,
        deadline=time_limit_ends(receipt, decision.instructions.days))]


def evolve(state: RegisteredDecision, event: DomainEvent) -> RegisteredDecision:
    match event:
        case DecisionRegistered():
            return replace(state, registered=event)
        case DecisionDispatched():
            service = Service(event.method, event.sent_on, event.deemed_received_on, None, event.deadline,
                              event.recipient.role)
            return replace(state, served={**state.served, event.recipient.reference: service})
        case DecisionReceiptRecorded():
            before = state.served[event.recipient]
            after = replace(before, received_on=event.received_on, deadline=event.deadline)
            return replace(state, served={**state.served, event.recipient: after})
        case RectificationRequested():
            request = Request(party=event.party, late=event.late, answer_due_at=event.answer_due_at,
                              received_on=event.received_on)
            return replace(state, requests={**state.requests, event.request_id: request})
        case RectificationPrepared():
            return _request(state, event.request_id, status="prepared", prepared_by=event.prepared_by)
        case RectificationDecided():
            return _request(state, event.request_id, status="decided", outcome=event.outcome,
                            outcome_decision_number=event.outcome_decision_number)
        case RectificationOverdue():
            return _request(state, event.request_id, overdue=True)
        case DecisionRecorded():
            return state  # the outcome's record: registered in a stream of its own
        case LetterIssued():
            return replace(state, letters={**state.letters, event.letter_id: event})
    raise TypeError(f"a registered decision cannot apply {type(event).__name__}")


def _request(state: RegisteredDecision, request_id: UUID, **changes: Any) -> RegisteredDecision:
    return replace(state, requests={**state.requests, request_id: replace(state.requests[request_id], **changes)})


def deadline_of(state: RegisteredDecision, recipient: str) -> date | None:
    """The last day of ``recipient``'s time limit for a request for rectification (None: not served, or its
    receipt not yet recorded)."""
    service = state.served.get(recipient)
    return service.deadline if service else None
