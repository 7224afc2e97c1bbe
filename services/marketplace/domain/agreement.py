"""A support-person agreement (toimeksiantosopimus) and its claims: decide/evolve, stream ``agreement-<id>``.

made (awaiting funds) → funds reserved → active | rejected (budgeting) | refused (approver) → ended. Above the
worker's delegated authority for kind ``support_agreement`` it waits for a manager, its funds held meanwhile, as a
purchase does (domain/purchase.py, docs/decisions/0023).

What it can cost is known when it is made and reserved at once: the fee for each calendar month the period touches
(or per hour, for at most ``max_hours``) plus the expenses cap. A claim draws on it:

- a fee claim is for one month inside the period that has begun: per month, the month's fee, once a month; per
  hour, the hours × the fee, never more hours in all than the agreement's;
- an expenses claim names its receipt and keeps all expenses within the cap;
- claims still waiting for approval count: two claims filed at once cannot together pass the agreement.

A claim beyond the agreement is refused with the reason (a code the catalogue words) and records nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from functools import singledispatch
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from contracts.marketplace import ApprovalGranted, ApprovalRefused, ApprovalRequested
from contracts.support_persons import (
    AgreementActivated,
    AgreementEnded,
    AgreementFundsReserved,
    AgreementRejected,
    AgreementReservationRetryRequested,
    ClaimKind,
    FeeBasis,
    SupportAgreementMade,
    SupportClaimApproved,
    SupportClaimFiled,
    SupportClaimPaymentScheduled,
)
from shared.kernel.approvals import Authority, check_approver, needs_approval
from shared.kernel.errors import InvalidCommand, RuleViolation
from shared.kernel.events import DomainEvent
from shared.kernel.sealed import Sealed

Status = Literal["none", "awaiting_funds", "awaiting_approval", "active", "rejected", "refused", "ended"]
ClaimStatus = Literal["filed", "approved", "payment_scheduled"]
KIND = "support_agreement"  # the kind of matter in the delegation table
MAX_MONTHS = 12
WAITING: frozenset[Status] = frozenset({"awaiting_funds", "awaiting_approval"})


@dataclass(frozen=True)
class Claim:
    kind: ClaimKind
    month: date
    amount_cents: int
    hours: int = 0
    status: ClaimStatus = "filed"


@dataclass(frozen=True)
class Agreement:
    agreement_id: UUID | None = None
    client_id: UUID | None = None
    person_id: UUID | None = None
    status: Status = "none"
    fee_basis: FeeBasis = "month"
    fee_cents: int = 0
    max_hours: int = 0
    expenses_cap_cents: int = 0
    period_start: date | None = None
    period_end: date | None = None
    amount_cents: int = 0
    earnings_type: str = ""
    category: str = ""
    made_on: date | None = None
    reservation_attempts: int = 0
    funds_reserved: bool = False
    approval: Literal["none", "pending", "granted", "refused"] = "none"
    approval_id: UUID | None = None
    requested_by: str | None = None
    municipality: str | None = None
    claims: dict[UUID, Claim] = field(default_factory=dict)

    def hours_claimed(self) -> int:
        return sum(c.hours for c in self.claims.values() if c.kind == "fee")

    def expenses_claimed(self) -> int:
        return sum(c.amount_cents for c in self.claims.values() if c.kind == "expenses")


NO_AGREEMENT = Agreement()


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class MakeAgreement(Command):
    agreement_id: UUID
    client_id: UUID
    person_id: UUID
    category: str = Field(min_length=1, max_length=64)
    fee_basis: FeeBasis
    fee_cents: int = Field(gt=0, le=1_000_000)
    max_hours: int | None = Field(None, gt=0, le=2000)
    expenses_cap_cents: int = Field(ge=0, le=10_000_000)
    period_start: date
    period_end: date
    earnings_type: str = Field(pattern=r"^\d{3,4}$")
    today: date
    made_by: str
    # read by the application from the person's stream and the delegation table at this instant:
    person_client_id: UUID | None  # whose plan the person is recorded in (None: no such person)
    person_status: str
    person_payable: bool
    authority: Authority | None
    municipality: str | None = None
    approval_id: UUID


class HoldFunds(Command):
    pass


class RetryReservation(Command):
    pass


class Reject(Command):
    reason_code: str
    reason: str


class ApproveAgreement(Command):
    approver: str
    authority: Authority | None


class RefuseAgreement(Command):
    approver: str
    authority: Authority | None
    reasoning: Sealed  # shown to the worker: sealed with the client's key


class EndAgreement(Command):
    reason: Literal["ended_by_worker", "budget_closed"]


# A receipt's reference is a code (K-2291, 2026/114), never words: the claim goes on the log in clear, so a name or a
# description typed here would stay there for good. Letters, digits and . / # : _ - only, with at least one digit.
RECEIPT_REFERENCE = r"^[A-Za-z0-9./#:_-]*[0-9][A-Za-z0-9./#:_-]*$"


class FileClaim(Command):
    claim_id: UUID
    kind: ClaimKind
    month: date
    hours: int | None = Field(None, gt=0, le=744)
    amount_cents: int | None = Field(None, gt=0)  # expenses: the receipt's total
    receipt_reference: str | None = Field(None, min_length=1, max_length=64, pattern=RECEIPT_REFERENCE)
    today: date
    filed_by: str


class ApproveClaim(Command):
    claim_id: UUID
    approved_by: str


class SchedulePayment(Command):
    claim_id: UUID
    pay_on: date


def months_touched(start: date, end: date) -> int:
    """The calendar months a period touches, both ends included (1 March – 31 May: 3)."""
    return (end.year - start.year) * 12 + end.month - start.month + 1


def decide(command: Command, agreement: Agreement) -> list[DomainEvent]:
    if isinstance(command, MakeAgreement):
        return _make(command, agreement)
    if agreement.status == "none":
        raise RuleViolation("no such agreement")
    ids = {"client_id": agreement.client_id, "agreement_id": agreement.agreement_id}
    match command:
        case RetryReservation():
            if agreement.status not in WAITING or agreement.funds_reserved:
                return []  # budgeting answered meanwhile
            assert agreement.made_on is not None
            return [AgreementReservationRetryRequested(**ids, amount_cents=agreement.amount_cents,
                                                       category=agreement.category,
                                                       attempt=agreement.reservation_attempts + 1,
                                                       made_on=agreement.made_on)]
        case HoldFunds():
            if agreement.status not in WAITING or agreement.funds_reserved:
                return []  # an answer repeated, or about an agreement ended meanwhile
            held: list[DomainEvent] = [AgreementFundsReserved(**ids, amount_cents=agreement.amount_cents)]
            if agreement.approval != "pending":
                held.append(AgreementActivated(**ids, person_id=agreement.person_id))
            return held
        case Reject():
            if agreement.status not in WAITING or agreement.funds_reserved:
                return []
            return [AgreementRejected(**ids, reason_code=command.reason_code, reason=command.reason)]
        case ApproveAgreement() | RefuseAgreement():
            return _answer(command, agreement, ids)
        case EndAgreement():
            if agreement.status not in (*WAITING, "active"):
                return []
            return [AgreementEnded(**ids, reason=command.reason)]
        case FileClaim():
            return [_claim(command, agreement, ids)]
        case ApproveClaim():
            claim = agreement.claims.get(command.claim_id)
            if claim is None or claim.status != "filed":
                raise RuleViolation("only a filed claim can be approved", code="claim-state")
            if agreement.status != "active":  # its funds went back to the budget when it ended: nothing to pay from
                raise RuleViolation("the agreement has ended: a claim on it is no longer approved",
                                    code="agreement-not-active")
            return [SupportClaimApproved(**ids, claim_id=command.claim_id, amount_cents=claim.amount_cents,
                                         approved_by=command.approved_by)]
        case SchedulePayment():
            claim = agreement.claims.get(command.claim_id)
            if claim is None or claim.status != "approved":
                return []  # budgeting's answer repeated, or about a claim this agreement never had
            assert agreement.person_id is not None
            return [SupportClaimPaymentScheduled(**ids, claim_id=command.claim_id, person_id=agreement.person_id,
                                                 kind=claim.kind, month=claim.month, amount_cents=claim.amount_cents,
                                                 earnings_type=agreement.earnings_type, pay_on=command.pay_on)]
    raise TypeError(f"unknown command {type(command).__name__}")


def _make(c: MakeAgreement, agreement: Agreement) -> list[DomainEvent]:
    """The reasons an agreement is refused before any money moves; then whether it waits for approval."""
    if agreement.status != "none":
        raise RuleViolation("the agreement already exists")
    if c.person_client_id != c.client_id or c.person_status == "none":
        raise RuleViolation("the support person is not recorded in this client's plan", code="support-person-unknown")
    if c.person_status != "recorded":
        raise RuleViolation("the person withdrew their consent", code="support-person-withdrawn")
    if not c.person_payable:
        raise RuleViolation("the person's payment details (hetu, IBAN) are not recorded",
                            code="support-person-not-payable")
    if c.period_end < c.period_start or months_touched(c.period_start, c.period_end) > MAX_MONTHS:
        raise InvalidCommand(f"the period runs forward and touches at most {MAX_MONTHS} months", field="period_end")
    if c.fee_basis == "hour" and c.max_hours is None:
        raise InvalidCommand("an hourly fee needs the most hours the period pays", field="max_hours")
    fees = c.fee_cents * (c.max_hours or 0) if c.fee_basis == "hour" else \
        c.fee_cents * months_touched(c.period_start, c.period_end)
    amount = fees + c.expenses_cap_cents
    waits = needs_approval(c.authority, amount)
    made = SupportAgreementMade(
        client_id=c.client_id, agreement_id=c.agreement_id, person_id=c.person_id, category=c.category,
        fee_basis=c.fee_basis, fee_cents=c.fee_cents, max_hours=c.max_hours if c.fee_basis == "hour" else None,
        expenses_cap_cents=c.expenses_cap_cents, period_start=c.period_start, period_end=c.period_end,
        amount_cents=amount, earnings_type=c.earnings_type, made_on=c.today, made_by=c.made_by, needs_approval=waits)
    if not waits:
        return [made]
    assert c.authority is not None
    return [made, ApprovalRequested(approval_id=c.approval_id, kind=KIND, matter_id=c.agreement_id,
                                    client_id=c.client_id, municipality=c.municipality, amount_cents=amount,
                                    requested_by=c.made_by, authority=c.authority)]


def _answer(command: ApproveAgreement | RefuseAgreement, agreement: Agreement,
            ids: dict[str, UUID | None]) -> list[DomainEvent]:
    if agreement.approval != "pending" or agreement.status not in WAITING:
        raise RuleViolation("the agreement is not waiting for approval", code="agreement-not-awaiting-approval")
    assert agreement.approval_id is not None and agreement.requested_by is not None
    authority = check_approver(command.approver, command.authority, agreement.requested_by, agreement.amount_cents)
    matter = {"approval_id": agreement.approval_id, "kind": KIND, "matter_id": agreement.agreement_id,
              "client_id": agreement.client_id}
    if isinstance(command, RefuseAgreement):
        return [ApprovalRefused(**matter, refused_by=command.approver, reasoning=command.reasoning),
                AgreementEnded(**ids, reason="approval_refused")]
    granted = ApprovalGranted(**matter, granted_by=command.approver, authority=authority)
    if not agreement.funds_reserved:
        return [granted]
    return [granted, AgreementActivated(**ids, person_id=agreement.person_id)]


def _claim(c: FileClaim, a: Agreement, ids: dict[str, UUID | None]) -> SupportClaimFiled:
    """The list of reasons a claim is beyond its agreement, in the order they are checked."""
    if a.status != "active":
        raise RuleViolation("claims are filed on an active agreement", code="agreement-not-active", status=a.status)
    if c.claim_id in a.claims:
        raise RuleViolation("the claim is already filed", code="claim-state")
    assert a.period_start is not None and a.period_end is not None
    month = c.month.replace(day=1)
    if not a.period_start.replace(day=1) <= month <= a.period_end:
        raise RuleViolation("the month is outside the agreement's period", code="claim-outside-period",
                            month=month.isoformat())
    if month > c.today:
        raise RuleViolation("a month that has not begun cannot be claimed", code="claim-in-the-future",
                            month=month.isoformat())
    filed = {"claim_id": c.claim_id, "kind": c.kind, "month": month, "filed_by": c.filed_by}
    if c.kind == "expenses":
        if c.amount_cents is None or c.receipt_reference is None:
            raise InvalidCommand("expenses are claimed against a receipt: its total and reference",
                                 field="receipt_reference")
        if a.expenses_claimed() + c.amount_cents > a.expenses_cap_cents:
            raise RuleViolation("the expenses would exceed the agreement's cap", code="claim-exceeds-expenses-cap",
                                left_cents=a.expenses_cap_cents - a.expenses_claimed())
        return SupportClaimFiled(**ids, **filed, amount_cents=c.amount_cents, receipt_reference=c.receipt_reference)
    if a.fee_basis == "month":
        if any(k.kind == "fee" and k.month == month for k in a.claims.values()):
            raise RuleViolation("the month's fee is already claimed", code="claim-month-already-claimed",
                                month=month.isoformat())
        return SupportClaimFiled(**ids, **filed, amount_cents=a.fee_cents)
    if c.hours is None:
        raise InvalidCommand("an hourly fee is claimed in hours", field="hours")
    if a.hours_claimed() + c.hours > a.max_hours:
        raise RuleViolation("the hours would exceed the agreement's", code="claim-exceeds-hours",
                            left_hours=a.max_hours - a.hours_claimed())
    return SupportClaimFiled(**ids, **filed, hours=c.hours, amount_cents=c.hours * a.fee_cents)


# --- evolve ------------------------------------------------------------------------------------------------------


def evolve(agreement: Agreement, event: DomainEvent) -> Agreement:
    return _apply(event, agreement)


@singledispatch
def _apply(event: DomainEvent, a: Agreement) -> Agreement:
    raise TypeError(f"an agreement cannot apply {type(event).__name__}")


@_apply.register
def _(e: SupportAgreementMade, a: Agreement) -> Agreement:
    return Agreement(e.agreement_id, e.client_id, e.person_id, "awaiting_funds", e.fee_basis, e.fee_cents,
                     e.max_hours or 0, e.expenses_cap_cents, e.period_start, e.period_end, e.amount_cents,
                     e.earnings_type, e.category, e.made_on, 1, approval="pending" if e.needs_approval else "none")


@_apply.register
def _(e: AgreementReservationRetryRequested, a: Agreement) -> Agreement:
    return replace(a, reservation_attempts=e.attempt)


@_apply.register
def _(e: ApprovalRequested, a: Agreement) -> Agreement:
    return replace(a, approval="pending", approval_id=e.approval_id, requested_by=e.requested_by,
                   municipality=e.municipality)


@_apply.register
def _(e: AgreementFundsReserved, a: Agreement) -> Agreement:
    return replace(a, funds_reserved=True, status="awaiting_approval" if a.approval == "pending" else a.status)


@_apply.register
def _(e: AgreementActivated, a: Agreement) -> Agreement:
    return replace(a, status="active")


@_apply.register
def _(e: AgreementRejected, a: Agreement) -> Agreement:
    return replace(a, status="rejected")


@_apply.register
def _(e: ApprovalGranted, a: Agreement) -> Agreement:
    return replace(a, approval="granted")


@_apply.register
def _(e: ApprovalRefused, a: Agreement) -> Agreement:
    return replace(a, approval="refused")


@_apply.register
def _(e: AgreementEnded, a: Agreement) -> Agreement:
    return replace(a, status="refused" if e.reason == "approval_refused" else "ended")


@_apply.register
def _(e: SupportClaimFiled, a: Agreement) -> Agreement:
    claim = Claim(e.kind, e.month, e.amount_cents, e.hours or 0)
    return replace(a, claims={**a.claims, e.claim_id: claim})


@_apply.register
def _(e: SupportClaimApproved, a: Agreement) -> Agreement:
    return replace(a, claims={**a.claims, e.claim_id: replace(a.claims[e.claim_id], status="approved")})


@_apply.register
def _(e: SupportClaimPaymentScheduled, a: Agreement) -> Agreement:
    return replace(a, claims={**a.claims, e.claim_id: replace(a.claims[e.claim_id], status="payment_scheduled")})
