"""Requests for rectification (oikaisuvaatimus, 434/2003 49 a–49 g §) of a registered decision. Pure.

- a request is filed against the decision by the client, a representative, or a worker recording it on their
  behalf, with the day the county received it and the requester's own words; a request received after the
  party's time limit is recorded and marked late (it will be dismissed, though the county may still correct its
  own error); no request is received before the decision was made or later than today;
- it is prepared by an official who took no part in the decision (neither decided nor prepared it);
- it is decided by the body the decision's instructions name, at a meeting (its date and minutes section), once
  prepared: upheld, amended (with the new terms, for the deciding service to decide anew) or dismissed; the
  outcome is a decision of its own, with its record (appeal instructions to the administrative court);
- a request still unanswered when its answer is due becomes overdue, once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID

from contracts.decisions import (
    DecisionRecorded,
    DecisionRegistered,
    RectificationDecided,
    RectificationOutcome,
    RectificationOverdue,
    RectificationPrepared,
    RectificationRequested,
)
from shared.kernel.errors import InvalidCommand, NotFound, RuleViolation
from shared.kernel.events import DomainEvent
from shared.kernel.law import Decided
from shared.kernel.sealed import Sealed


@dataclass(frozen=True)
class Request:
    party: str
    late: bool
    status: str = "filed"  # filed → prepared → decided
    prepared_by: str | None = None
    outcome: RectificationOutcome | None = None
    overdue: bool = False
    answer_due_at: datetime | None = None
    received_on: date | None = None
    outcome_decision_number: str | None = None


@dataclass(frozen=True)
class FileRequest:
    request_id: UUID
    party: str
    filed_by: str
    filed_by_role: str
    received_on: date
    text: Sealed
    deadline: date | None  # the party's last day, from the register's service of the decision
    today: date
    answer_due_at: datetime
    parties: frozenset[str] = frozenset({"client"})  # whose request it may be: the client and whoever was served


@dataclass(frozen=True)
class PrepareRequest:
    request_id: UUID
    prepared_by: str
    proposal: RectificationOutcome
    memo: Sealed


@dataclass(frozen=True)
class DecideRequest:
    request_id: UUID
    outcome: RectificationOutcome
    body: str
    meeting_date: date
    minutes_section: str
    recorded_by: str
    reasoning: Sealed
    today: date
    decided: Decided  # the outcome's own decision: its id, number and law (appeal instructions)
    amended_amount_cents: int | None = None
    amended_breakdown: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class MarkOverdue:
    request_id: UUID


def file(command: FileRequest, decision: DecisionRegistered) -> list[DomainEvent]:
    if command.party not in command.parties:  # a party nobody served would have no time limit, so never be late
        raise InvalidCommand("a request is the client's or a recipient's the decision was served to", field="party",
                             code="party-not-served")
    if command.received_on > command.today:
        raise InvalidCommand("a request is recorded once received", field="received_on", code="request-in-the-future")
    if command.received_on < decision.decided_on:
        raise InvalidCommand("no request is received before the decision was made", field="received_on",
                             code="request-before-decision")
    late = command.deadline is not None and command.received_on > command.deadline
    return [RectificationRequested(
        request_id=command.request_id, decision_id=decision.decision_id, client_id=decision.client_id,
        decision_number=decision.decision_number, party=command.party, filed_by=command.filed_by,
        filed_by_role=command.filed_by_role, received_on=command.received_on, text=command.text,
        deadline=command.deadline, late=late, answer_due_at=command.answer_due_at)]


def _open(requests: dict[UUID, Request], request_id: UUID) -> Request:
    request = requests.get(request_id)
    if request is None:
        raise NotFound("no such request for rectification")
    if request.status == "decided":
        raise RuleViolation("the request has been decided", code="request-decided")
    return request


def prepare(command: PrepareRequest, decision: DecisionRegistered, requests: dict[UUID, Request]) -> list[DomainEvent]:
    _open(requests, command.request_id)
    if command.prepared_by in (decision.decided_by, decision.prepared_by):
        raise RuleViolation("the request is prepared by an official who took no part in the decision",
                            code="preparer-took-part")
    return [RectificationPrepared(request_id=command.request_id, decision_id=decision.decision_id,
                                  client_id=decision.client_id, prepared_by=command.prepared_by,
                                  proposal=command.proposal, memo=command.memo)]


def decide(command: DecideRequest, decision: DecisionRegistered, requests: dict[UUID, Request]) -> list[DomainEvent]:
    request = _open(requests, command.request_id)
    if request.status != "prepared":
        raise RuleViolation("the request is decided once prepared", code="request-not-prepared")
    if command.body != decision.instructions.body:
        raise RuleViolation("the body the decision's instructions name decides the request",
                            code="not-the-deciding-body", body=decision.instructions.body)
    if command.meeting_date > command.today:
        raise InvalidCommand("a meeting is recorded once held", field="meeting_date", code="meeting-in-the-future")
    amended = command.outcome == "amended"
    if amended != (command.amended_amount_cents is not None) and decision.kind in ("budget", "revision"):
        raise InvalidCommand("an amended budget decision states its new amount, and only an amended one",
                             field="amended_amount_cents", code="amendment-terms")
    d = command.decided
    return [
        RectificationDecided(
            request_id=command.request_id, decision_id=decision.decision_id, client_id=decision.client_id,
            outcome=command.outcome, body=command.body, meeting_date=command.meeting_date,
            minutes_section=command.minutes_section, recorded_by=command.recorded_by, reasoning=command.reasoning,
            outcome_decision_id=d.decision_id, outcome_decision_number=d.decision_number,
            amended_amount_cents=command.amended_amount_cents if amended else None,
            amended_breakdown=command.amended_breakdown if amended else {}),
        DecisionRecorded(
            decision_id=d.decision_id, decision_number=d.decision_number, kind="rectification",
            client_id=decision.client_id, decided_on=command.meeting_date, decided_by=d.decided_by,
            authority=d.authority, prepared_by=request.prepared_by, decided_by_body=command.body,
            language=decision.language, amount_cents=command.amended_amount_cents if amended else None,
            breakdown=command.amended_breakdown if amended else {}, reason_code=command.outcome,
            reasoning=command.reasoning, legal_table_version=d.law.table_version, legal_bases=list(d.law.bases),
            instructions=d.law.instructions, replaces=decision.decision_number),
    ]


def overdue(command: MarkOverdue, decision: DecisionRegistered, requests: dict[UUID, Request]) -> list[DomainEvent]:
    request = requests.get(command.request_id)
    if request is None or request.status == "decided" or request.overdue or request.answer_due_at is None:
        return []
    return [RectificationOverdue(request_id=command.request_id, decision_id=decision.decision_id,
                                 client_id=decision.client_id, answer_due_at=request.answer_due_at)]
