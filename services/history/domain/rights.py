"""The data subject's rights over a case, as the law allows them: a pure aggregate per client (``rights-<id>``).

- **Erasure** (GDPR art. 17) is normally refused for social-welfare records: the law requires them for their
  retention period (Client Data Act 703/2023; art. 17(3)(b)). ``may_erase`` decides: a coded ground; the
  retention period ended for that ground; no rectification or appeal period open; no request pending and no
  legal hold; no documents designated for permanent archiving (never destroyed); not restricted because the
  subject opposes erasure; and two people: one asks, another approves. Every refusal is recorded with its
  reasons (the answer the subject gets, with the right to complain to the Data Protection Ombudsman).
- **Restriction** (art. 18(1)(a)-(d)) is a state: while it lasts the case is read only for the recorded purpose.
- **Correction** (art. 16) is a new entry; the old one stays readable with who corrected it, when and why.
- **A copy** (art. 15): asked by the client or their representative, due one month later (art. 12(3)), pending
  until delivered; while one is pending the case is not erased (the copy would be of nothing).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import singledispatch
from typing import Literal
from uuid import UUID

from contracts.history import (
    ClientErased,
    CopyDelivered,
    CopyRequested,
    CorrectionReason,
    EntryCorrected,
    ErasureApproved,
    ErasureRefused,
    ErasureRequested,
    ErasureRequestWithdrawn,
    HoldKind,
    LegalHoldLifted,
    LegalHoldPlaced,
    PermanentArchivingDesignated,
    ProcessingRestricted,
    RefusalReason,
    RestrictionGround,
    RestrictionLifted,
)
from services.history.domain.case import short_type
from services.history.domain.retention import past_retention, retention_ends
from shared.kernel.envelope import EventEnvelope
from shared.kernel.errors import InvalidCommand, NotFound, RuleViolation
from shared.kernel.events import DomainEvent
from shared.kernel.holidays import next_working_day
from shared.kernel.sealed import Sealed

GROUNDS: dict[str, str] = {
    "retention_period_ended": "the retention period of the case's records has ended (703/2023)",
    "processing_unlawful": "the data was processed unlawfully (GDPR art. 17(1)(d))",
    "order_of_court_or_authority": "a court or the supervisory authority ordered it",
}
HOLDS: frozenset[str] = frozenset({"court_appeal", "complaint", "claim"})
REQUESTS: frozenset[str] = frozenset({"rectification_request", "data_subject_request"})
# 434/2003: a letter is deemed received on the 7th day after sending (59 §); a rectification request within 30
# days of that (49 c §). A deadline ending on a weekend moves to the next working day (150/1930); public holidays
# are not in this table, so the period is taken to end no earlier than a working day after the 37th day.
NOTIFICATION_DAYS, RECTIFICATION_DAYS = 7, 30


# --- facts and state -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseFacts:
    """What the rest of the log says about the case, as the history knows it."""

    closed_on: date | None = None
    service_task: str | None = None
    decided_on: tuple[date, ...] = ()  # administrative decisions: each opens a rectification period


@dataclass(frozen=True)
class ErasureRequest:
    request_id: UUID
    ground: str
    requested_by: str


@dataclass(frozen=True)
class Restriction:
    ground: str
    purpose: str


@dataclass(frozen=True)
class CopyRequest:
    request_id: UUID
    requested_by: str  # "client" or "representative"
    requested_at: datetime
    due_on: date
    language: str
    delivered_on: date | None = None


@dataclass(frozen=True)
class Rights:
    holds: Mapping[UUID, str] = field(default_factory=dict)  # hold id -> kind
    permanent_archiving: bool = False
    pending: ErasureRequest | None = None
    erased: bool = False
    restriction: Restriction | None = None
    corrected: frozenset[UUID] = frozenset()  # entries that have a correction
    copies: Mapping[UUID, CopyRequest] = field(default_factory=dict)  # art. 15 requests, by request id

    @property
    def copies_pending(self) -> list[CopyRequest]:
        return [r for r in self.copies.values() if r.delivered_on is None]


INITIAL = Rights()


@dataclass(frozen=True)
class Refusal:
    code: str
    reason: str


def rectification_period_ends(decided_on: date) -> date:
    end = decided_on + timedelta(days=NOTIFICATION_DAYS + RECTIFICATION_DAYS)
    while end.weekday() >= 5:
        end += timedelta(days=1)
    return end


def copy_due_on(requested_on: date) -> date:
    """The last day to deliver a copy asked for on ``requested_on``: "within one month of receipt" (GDPR art.
    12(3)), counted as Regulation 1182/71 art. 3 counts months: the same date of the next month, or that month's
    last day when it has no such date (31 January -> 28 or 29 February); a period that would end on a Saturday,
    Sunday or public holiday ends on the next working day."""
    year, month = requested_on.year + requested_on.month // 12, requested_on.month % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return next_working_day(date(year, month, min(requested_on.day, last)))


def may_erase(case: CaseFacts, rights: Rights, ground: str | None, today: date, retention_years: Mapping[str, int],
              *, requested_by: str, approved_by: str | None = None) -> tuple[Refusal, ...]:
    """Every reason the law gives to refuse erasing this case now; empty when it may be erased.

    ``approved_by`` is None when the request is made (may it be asked?) and the approver's id when it is approved
    (may it be done?): the rules are checked again then, since a hold may have been placed meanwhile."""
    refusals: list[Refusal] = []
    if rights.erased:
        return (Refusal("already_erased", "the client's data has already been erased"),)
    if ground not in GROUNDS:
        refusals.append(Refusal("no_legal_ground", "erasure needs a coded legal ground: " + ", ".join(GROUNDS)))
    elif ground == "retention_period_ended" and not past_retention(case.closed_on, case.service_task,
                                                                   retention_years, today):
        if case.closed_on is None:
            why = "the retention period has not ended: the case has not closed"
        else:
            ends = retention_ends(case.closed_on, case.service_task, retention_years)
            why = f"the retention period has not ended: it ends on {ends.isoformat()}"
        refusals.append(Refusal("retention_not_ended", why + " (703/2023, GDPR art. 17(3)(b))"))
    open_periods = [d for d in case.decided_on if rectification_period_ends(d) >= today]
    if open_periods:
        until = max(rectification_period_ends(d) for d in open_periods)
        refusals.append(Refusal("rectification_period_open", "a rectification or appeal period is open until "
                                f"{until.isoformat()} (434/2003 49 c §)"))
    kinds = set(rights.holds.values())
    if kinds & REQUESTS:
        refusals.append(Refusal("request_pending", "a request concerning the case is pending: "
                                + ", ".join(sorted(kinds & REQUESTS))))
    if kinds & HOLDS:
        refusals.append(Refusal("legal_hold", "a legal hold is recorded: " + ", ".join(sorted(kinds & HOLDS))))
    if rights.copies_pending:
        refusals.append(Refusal("request_pending", "a request concerning the case is pending: data_subject_request"))
    if rights.permanent_archiving:
        refusals.append(Refusal("permanent_archiving", "the case holds documents designated for permanent "
                                "archiving, which are never destroyed"))
    if rights.restriction is not None and rights.restriction.ground in ("unlawful_erasure_opposed",
                                                                        "needed_for_legal_claims"):
        refusals.append(Refusal("restricted_instead", "the data subject asked for restriction instead of erasure "
                                "(GDPR art. 18(1)(b)/(c))"))
    if approved_by is None:
        if rights.pending is not None:
            refusals.append(Refusal("request_pending", "an erasure request is already waiting for approval"))
    elif approved_by == requested_by:
        refusals.append(Refusal("same_person", "erasure is approved by a second person, not the one who asked"))
    return tuple(dict.fromkeys(refusals))  # one reason once


# --- commands ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestErasure:
    client_id: UUID
    request_id: UUID
    ground: str | None
    reference: str
    requested_by: str
    case: CaseFacts
    today: date
    retention_years: Mapping[str, int]


@dataclass(frozen=True)
class ApproveErasure:
    client_id: UUID
    request_id: UUID
    approved_by: str
    case: CaseFacts
    today: date
    retention_years: Mapping[str, int]


@dataclass(frozen=True)
class WithdrawErasure:
    client_id: UUID
    request_id: UUID


@dataclass(frozen=True)
class PlaceHold:
    client_id: UUID
    hold_id: UUID
    kind: HoldKind
    reference: str


@dataclass(frozen=True)
class LiftHold:
    client_id: UUID
    hold_id: UUID


@dataclass(frozen=True)
class DesignateForArchiving:
    client_id: UUID
    reference: str


@dataclass(frozen=True)
class RestrictProcessing:
    client_id: UUID
    ground: RestrictionGround
    purpose: str
    reference: str


@dataclass(frozen=True)
class LiftRestriction:
    client_id: UUID


@dataclass(frozen=True)
class CorrectEntry:
    client_id: UUID
    entry_event_id: UUID
    entry_exists: bool
    reason: CorrectionReason
    correction: Sealed
    explanation: Sealed | None


@dataclass(frozen=True)
class RequestCopy:
    client_id: UUID
    request_id: UUID
    requested_by: Literal["client", "representative"]
    requested_at: datetime
    today: date
    language: str


@dataclass(frozen=True)
class DeliverCopy:
    client_id: UUID
    request_id: UUID
    today: date
    content_hash: str
    sources: int


def _refused(command: RequestErasure | ApproveErasure, refusals: tuple[Refusal, ...],
             stage: str, ground: str | None) -> list[DomainEvent]:
    reasons = [RefusalReason(code=r.code, reason=r.reason) for r in refusals]
    request_id = command.request_id if stage == "approval" else None
    return [ErasureRefused(client_id=command.client_id, request_id=request_id, ground=ground, stage=stage,
                           reasons=reasons)]


@singledispatch
def decide(command: object, state: Rights) -> list[DomainEvent]:
    raise TypeError(f"unknown command {type(command).__name__}")


@decide.register
def _(c: RequestErasure, s: Rights) -> list[DomainEvent]:
    refusals = may_erase(c.case, s, c.ground, c.today, c.retention_years, requested_by=c.requested_by)
    if refusals:  # recorded: the refusal is itself part of the case
        return _refused(c, refusals, "request", c.ground)
    return [ErasureRequested(client_id=c.client_id, request_id=c.request_id, ground=c.ground,
                             reference=c.reference, requested_by=c.requested_by)]


@decide.register
def _(c: ApproveErasure, s: Rights) -> list[DomainEvent]:
    if s.pending is None or s.pending.request_id != c.request_id:
        raise NotFound("no such erasure request is waiting for approval")
    refusals = may_erase(c.case, s, s.pending.ground, c.today, c.retention_years,
                         requested_by=s.pending.requested_by, approved_by=c.approved_by)
    if refusals:
        return _refused(c, refusals, "approval", s.pending.ground)
    basis = "retention_period_ended" if s.pending.ground == "retention_period_ended" else "other_legal_basis"
    return [ErasureApproved(client_id=c.client_id, request_id=c.request_id, requested_by=s.pending.requested_by),
            ClientErased(client_id=c.client_id, basis=basis, legal_basis=GROUNDS[s.pending.ground])]


@decide.register
def _(c: WithdrawErasure, s: Rights) -> list[DomainEvent]:
    if s.pending is None or s.pending.request_id != c.request_id:
        raise NotFound("no such erasure request is waiting for approval")
    return [ErasureRequestWithdrawn(client_id=c.client_id, request_id=c.request_id)]


@decide.register
def _(c: PlaceHold, s: Rights) -> list[DomainEvent]:
    _not_erased(s)
    return [LegalHoldPlaced(client_id=c.client_id, hold_id=c.hold_id, kind=c.kind, reference=c.reference)]


@decide.register
def _(c: LiftHold, s: Rights) -> list[DomainEvent]:
    if c.hold_id not in s.holds:
        raise NotFound("no such hold on this case")
    return [LegalHoldLifted(client_id=c.client_id, hold_id=c.hold_id)]


@decide.register
def _(c: DesignateForArchiving, s: Rights) -> list[DomainEvent]:
    _not_erased(s)
    if s.permanent_archiving:
        return []  # designated already: nothing new
    return [PermanentArchivingDesignated(client_id=c.client_id, reference=c.reference)]


@decide.register
def _(c: RestrictProcessing, s: Rights) -> list[DomainEvent]:
    _not_erased(s)
    if s.restriction is not None:
        raise RuleViolation("processing is already restricted: lift the restriction first")
    return [ProcessingRestricted(client_id=c.client_id, ground=c.ground, purpose=c.purpose,
                                 reference=c.reference)]


@decide.register
def _(c: LiftRestriction, s: Rights) -> list[DomainEvent]:
    if s.restriction is None:
        raise RuleViolation("processing is not restricted")
    return [RestrictionLifted(client_id=c.client_id)]


@decide.register
def _(c: CorrectEntry, s: Rights) -> list[DomainEvent]:
    _not_erased(s)
    if not c.entry_exists:
        raise InvalidCommand("no such entry in the client's history", field="entry_event_id")
    return [EntryCorrected(client_id=c.client_id, entry_event_id=c.entry_event_id, reason=c.reason,
                           correction=c.correction, explanation=c.explanation)]


@decide.register
def _(c: RequestCopy, s: Rights) -> list[DomainEvent]:
    _not_erased(s)
    return [CopyRequested(client_id=c.client_id, request_id=c.request_id, requested_by=c.requested_by,
                          requested_at=c.requested_at, requested_on=c.today, due_on=copy_due_on(c.today),
                          language=c.language)]


@decide.register
def _(c: DeliverCopy, s: Rights) -> list[DomainEvent]:
    request = s.copies.get(c.request_id)
    if request is None:
        raise NotFound("no such request for a copy")
    if request.delivered_on is not None:
        return []  # delivered already: a second download is a read (access-logged), not a new delivery
    return [CopyDelivered(client_id=c.client_id, request_id=c.request_id, delivered_on=c.today,
                          late=c.today > request.due_on, content_hash=c.content_hash, sources=c.sources)]


def _not_erased(s: Rights) -> None:
    if s.erased:
        raise RuleViolation("the client's data has already been erased", code="client-erased")


# --- evolve --------------------------------------------------------------------------------------------------


def evolve(s: Rights, e: DomainEvent) -> Rights:
    match e:
        case ErasureRequested():
            return replace(s, pending=ErasureRequest(e.request_id, e.ground, e.requested_by))
        case ErasureApproved() | ErasureRequestWithdrawn():
            return replace(s, pending=None)
        case ClientErased():
            return replace(s, erased=True, pending=None)
        case LegalHoldPlaced():
            return replace(s, holds={**s.holds, e.hold_id: e.kind})
        case LegalHoldLifted():
            return replace(s, holds={k: v for k, v in s.holds.items() if k != e.hold_id})
        case PermanentArchivingDesignated():
            return replace(s, permanent_archiving=True)
        case ProcessingRestricted():
            return replace(s, restriction=Restriction(e.ground, e.purpose))
        case RestrictionLifted():
            return replace(s, restriction=None)
        case EntryCorrected():
            return replace(s, corrected=s.corrected | {e.entry_event_id})
        case CopyRequested():
            request = CopyRequest(e.request_id, e.requested_by, e.requested_at, e.due_on, e.language)
            return replace(s, copies={**s.copies, e.request_id: request})
        case CopyDelivered() if e.request_id in s.copies:
            delivered = replace(s.copies[e.request_id], delivered_on=e.delivered_on)
            return replace(s, copies={**s.copies, e.request_id: delivered})
    return s


# --- facts from the log --------------------------------------------------------------------------------------

# Administrative decisions the client may ask to rectify (434/2003 49 a §): each opens a rectification period.
DECISIONS = frozenset({"BudgetDecided", "BudgetRevised", "IntakeDeclined"})


def case_facts(events: Iterable[EventEnvelope], closed_on: date | None, service_task: str | None) -> CaseFacts:
    return CaseFacts(closed_on, service_task, tuple(sorted({e.time.date() for e in events
                                                             if short_type(e) in DECISIONS})))
