"""A one-off purchase: an item (or tickets) from a vendor on the vendor's quote, without a published offering.
decide/evolve; its own aggregate, following the order's path with budgeting:

requested (awaiting funds) → funds reserved → confirmed | rejected → delivered (the client or the worker confirms
receipt) → invoiced (the vendor) → invoice approved → payment scheduled | payment blocked. Cancelled any time
before delivery.

A purchase above the requester's delegated authority for kind ``purchase`` (shared/kernel/approvals.py: exactly at
the limit it is bought directly, one cent above it waits) records an approval request and waits: its funds are
reserved as for any purchase (so the approver answers a purchase whose money is held, and reserved + spent never
pass the budget while it waits: docs/decisions/0023), it is confirmed once both the funds and the approval are
there, and refused (its funds released) when a person whose own authority covers it and who did not ask refuses.
A purchase that ends while it waits withdraws its request, so nobody is asked to answer it.

The county pays the vendor, never the client: the only payment a purchase ever schedules names its vendor.

A vendor's suspension acts on each of its open purchases once (``ActOnSuspension``, however often it is told): one
not yet confirmed is cancelled (its funds released and its approval request withdrawn, as for any cancellation);
one confirmed is held for the coordinating worker, who continues it or cancels it; a held purchase confirms no
receipt.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from functools import singledispatch
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from contracts.marketplace import (
    ApprovalGranted,
    ApprovalRefused,
    ApprovalRequested,
    ApprovalWithdrawn,
    PurchaseCancelled,
    PurchaseConfirmed,
    PurchaseContinued,
    PurchaseDelivered,
    PurchaseFlaggedForReview,
    PurchaseFundsReserved,
    PurchaseInvoiceApproved,
    PurchaseInvoiced,
    PurchasePaymentBlocked,
    PurchasePaymentScheduled,
    PurchaseRejected,
    PurchaseRequested,
    PurchaseReservationRetryRequested,
)
from services.marketplace.domain.catalogue import ProviderStatus
from shared.kernel.approvals import Authority, check_approver, needs_approval
from shared.kernel.errors import InvalidCommand, RuleViolation
from shared.kernel.events import DomainEvent
from shared.kernel.identifiers import InvalidIdentifier, validate_payment_reference
from shared.kernel.sealed import Sealed

Status = Literal["none", "awaiting_funds", "awaiting_approval", "confirmed", "rejected", "refused", "cancelled",
                 "delivered", "invoiced", "invoice_approved", "payment_scheduled", "payment_blocked"]
Approval = Literal["none", "pending", "granted", "refused", "withdrawn"]
KIND = "purchase"  # the kind of matter in the delegation table
MAX_PURCHASE_CENTS = 100_000_000
CANCELLABLE: frozenset[Status] = frozenset({"awaiting_funds", "awaiting_approval", "confirmed"})
WAITING: frozenset[Status] = frozenset({"awaiting_funds", "awaiting_approval"})


@dataclass(frozen=True)
class Purchase:
    purchase_id: UUID | None = None
    client_id: UUID | None = None
    vendor_id: UUID | None = None
    status: Status = "none"
    amount_cents: int = 0
    category: str = ""
    requested_on: date | None = None
    reservation_attempts: int = 0
    funds_reserved: bool = False
    approval: Approval = "none"
    approval_id: UUID | None = None
    requested_by: str | None = None  # who asked for the approval: they may not answer it
    municipality: str | None = None  # where the client lived when it was asked: the approver's authority is read there
    invoice_id: UUID | None = None
    invoice_cents: int = 0
    held: bool = False  # confirmed, then its vendor suspended: waits for the coordinating worker's decision


NO_PURCHASE = Purchase()


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RequestPurchase(Command):
    purchase_id: UUID
    client_id: UUID
    vendor_id: UUID
    category: str = Field(min_length=1, max_length=64)
    description: Sealed
    quantity: int = Field(ge=1, le=1000)
    unit_price_cents: int = Field(gt=0)
    quote_reference: str = Field(min_length=1, max_length=64)
    link: str | None = None
    today: date  # passed in by the application: the domain reads no clock
    # Read by the application from the vendor's stream and the region's tables at this instant:
    vendor_name: str
    vendor_kind: str
    vendor_status: ProviderStatus
    kind_may_deliver: bool  # the region's table lets the vendor's kind deliver the category
    checks_due: list[str] = Field(default_factory=list)  # criteria this purchase makes apply that were never met
    requested_by: str  # the person who asks (a worker, or the client themself)
    authority: Authority | None  # the delegation the purchase is measured against (kind "purchase")
    municipality: str | None = None  # where the client lives (the approver's authority is read there)
    approval_id: UUID  # used when the amount is above the authority and the purchase waits


class RetryReservation(Command):
    pass


class HoldFunds(Command):
    """Budgeting reserved the funds."""


class Reject(Command):
    reason_code: str
    reason: str


class Cancel(Command):
    reason: Literal["cancelled_by_client", "cancelled_by_worker", "budget_closed"]


class ActOnSuspension(Command):
    """The purchase's vendor was suspended."""

    coordinator_id: str | None  # who decides about a confirmed purchase (read by the application)


class ContinuePurchase(Command):
    decided_by: str


class ApprovePurchase(Command):
    """Answers a purchase waiting for approval: the approver's own delegation must cover its amount."""

    approver: str
    authority: Authority | None  # the approver's, for kind "purchase", where the client lives, today
    reasoning: Sealed | None = None


class RefusePurchase(Command):
    """Refuses a purchase waiting for approval; the reasoning is shown to the worker and the client."""

    approver: str
    authority: Authority | None
    reasoning: Sealed


class ConfirmReceipt(Command):
    received_on: date
    today: date
    confirmed_by: Literal["client", "worker"]


class SubmitInvoice(Command):
    invoice_id: UUID
    amount_cents: int = Field(ge=0)
    vat_cents: int = Field(ge=0)
    reference: str = Field(min_length=1, max_length=64)


class ApproveInvoice(Command):
    pass


class SchedulePayment(Command):
    invoice_id: UUID
    pay_on: date


class BlockPayment(Command):
    invoice_id: UUID
    reason: str
    reason_code: str | None = None


def decide(command: Command, purchase: Purchase) -> list[DomainEvent]:
    if isinstance(command, RequestPurchase):
        return _request(command, purchase)
    if purchase.status == "none":
        raise RuleViolation("no such purchase")
    ids = {"client_id": purchase.client_id, "purchase_id": purchase.purchase_id}
    match command:
        case RetryReservation():
            if purchase.status not in WAITING or purchase.funds_reserved:
                return []  # budgeting answered meanwhile
            assert purchase.requested_on is not None
            return [PurchaseReservationRetryRequested(**ids, amount_cents=purchase.amount_cents,
                                                      category=purchase.category,
                                                      attempt=purchase.reservation_attempts + 1,
                                                      requested_on=purchase.requested_on)]
        case HoldFunds():
            if purchase.status not in WAITING or purchase.funds_reserved:
                return []  # an answer repeated, or about a purchase cancelled meanwhile
            held: list[DomainEvent] = [PurchaseFundsReserved(**ids, amount_cents=purchase.amount_cents)]
            if purchase.approval != "pending":
                held.append(PurchaseConfirmed(**ids, vendor_id=purchase.vendor_id))
            return held
        case Reject():
            if purchase.status not in WAITING or purchase.funds_reserved:
                return []
            return [PurchaseRejected(**ids, reason_code=command.reason_code, reason=command.reason),
                    *_withdrawn(purchase, "funds_refused")]
        case ApprovePurchase() | RefusePurchase():
            return _answer(command, purchase, ids)
        case Cancel():
            return _cancel(command, purchase, ids)
        case ActOnSuspension():
            if purchase.status in WAITING:
                return [PurchaseCancelled(**ids, reason="vendor_suspended"), *_withdrawn(purchase, "vendor_suspended")]
            if purchase.status == "confirmed" and not purchase.held:
                return [PurchaseFlaggedForReview(**ids, vendor_id=purchase.vendor_id,
                                                 coordinator_id=command.coordinator_id)]
            return []  # over, delivered, or told again
        case ContinuePurchase():
            if not purchase.held or purchase.status != "confirmed":
                raise RuleViolation("only a purchase held after its vendor's suspension is continued",
                                    code="purchase-not-held")
            return [PurchaseContinued(**ids, vendor_id=purchase.vendor_id, decided_by=command.decided_by)]
        case ConfirmReceipt():
            _require(purchase, "confirmed", "confirm the receipt of")
            if purchase.held:
                raise RuleViolation("the vendor was suspended: the client's coordinating worker decides whether "
                                    "this purchase goes on", code="purchase-held")
            if command.received_on > command.today:
                raise RuleViolation("a receipt cannot be confirmed before the item has arrived",
                                    code="purchase-received-in-the-future")
            return [PurchaseDelivered(**ids, received_on=command.received_on, confirmed_by=command.confirmed_by)]
        case SubmitInvoice():
            return [_invoice(command, purchase, ids)]
        case ApproveInvoice():
            _require(purchase, "invoiced", "approve the invoice of")
            assert purchase.invoice_id is not None
            return [PurchaseInvoiceApproved(**ids, invoice_id=purchase.invoice_id, amount_cents=purchase.invoice_cents)]
        case SchedulePayment():
            if purchase.status != "invoice_approved" or command.invoice_id != purchase.invoice_id:
                return []  # budgeting's answer about another invoice moves nothing here
            return [PurchasePaymentScheduled(**ids, invoice_id=command.invoice_id, vendor_id=purchase.vendor_id,
                                             amount_cents=purchase.invoice_cents, pay_on=command.pay_on)]
        case BlockPayment():
            if purchase.status != "invoice_approved" or command.invoice_id != purchase.invoice_id:
                return []
            return [PurchasePaymentBlocked(**ids, invoice_id=command.invoice_id, reason=command.reason,
                                   reason_code=command.reason_code)]
    raise TypeError(f"unknown command {type(command).__name__}")


def _request(c: RequestPurchase, purchase: Purchase) -> list[DomainEvent]:
    """The reasons a purchase is refused before any money moves, in the order they are checked; then whether it
    waits for approval (a requester with no delegation for purchases may not buy at all: 403)."""
    if purchase.status != "none":
        raise RuleViolation("the purchase already exists")
    if c.vendor_status != "verified":
        raise RuleViolation(f"the vendor is {c.vendor_status}: purchases go only to verified vendors",
                            code="vendor-not-verified", vendor_status=c.vendor_status)
    if not c.kind_may_deliver:
        raise RuleViolation(f"the region's criteria do not let this kind of vendor deliver {c.category}",
                            code="category-not-for-vendor-kind", category=c.category)
    if c.checks_due:
        raise RuleViolation(f"with this purchase the vendor needs checks it has not passed: {', '.join(c.checks_due)}",
                            code="vendor-checks-due", checks=c.checks_due)
    amount = c.quantity * c.unit_price_cents
    if amount > MAX_PURCHASE_CENTS:
        raise InvalidCommand("a purchase above 1 000 000 € is not made here", field="unit_price_cents")
    waits = needs_approval(c.authority, amount)
    requested = PurchaseRequested(
        client_id=c.client_id, purchase_id=c.purchase_id, vendor_id=c.vendor_id, vendor_name=c.vendor_name,
        vendor_kind=c.vendor_kind, category=c.category, description=c.description, quantity=c.quantity,
        unit_price_cents=c.unit_price_cents, amount_cents=amount, quote_reference=c.quote_reference, link=c.link,
        requested_on=c.today, needs_approval=waits,
    )
    if not waits:
        return [requested]
    assert c.authority is not None
    return [requested, ApprovalRequested(
        approval_id=c.approval_id, kind=KIND, matter_id=c.purchase_id, client_id=c.client_id,
        municipality=c.municipality, amount_cents=amount, requested_by=c.requested_by, authority=c.authority)]


def _answer(command: ApprovePurchase | RefusePurchase, purchase: Purchase,
            ids: dict[str, UUID | None]) -> list[DomainEvent]:
    """Granted: confirmed now if its funds are held (else when they are). Refused: the purchase ends and budgeting
    releases what it holds. Either way by someone else than the one who asked, within their own delegation."""
    if purchase.approval != "pending" or purchase.status not in WAITING:
        raise RuleViolation("the purchase is not waiting for approval", code="purchase-not-awaiting-approval",
                            status=purchase.status)
    assert purchase.approval_id is not None and purchase.requested_by is not None
    authority = check_approver(command.approver, command.authority, purchase.requested_by, purchase.amount_cents)
    matter = {"approval_id": purchase.approval_id, "kind": KIND, "matter_id": purchase.purchase_id,
              "client_id": purchase.client_id}
    if isinstance(command, RefusePurchase):
        return [ApprovalRefused(**matter, refused_by=command.approver, reasoning=command.reasoning),
                PurchaseCancelled(**ids, reason="approval_refused")]
    granted = ApprovalGranted(**matter, granted_by=command.approver, authority=authority, reasoning=command.reasoning)
    return [granted, PurchaseConfirmed(**ids, vendor_id=purchase.vendor_id)] if purchase.funds_reserved else [granted]


def _withdrawn(purchase: Purchase, reason: str) -> list[DomainEvent]:
    """A purchase that ends while it waits for approval takes its request off the approvals queue."""
    if purchase.approval != "pending" or purchase.approval_id is None:
        return []
    return [ApprovalWithdrawn(approval_id=purchase.approval_id, kind=KIND, matter_id=purchase.purchase_id,
                              client_id=purchase.client_id, reason=reason)]


def _cancel(command: Cancel, purchase: Purchase, ids: dict[str, UUID | None]) -> list[DomainEvent]:
    if purchase.status not in CANCELLABLE:
        if command.reason == "budget_closed":
            return []  # the budget closed after the item arrived: it is still paid
        raise RuleViolation(f"a purchase that is {purchase.status.replace('_', ' ')} cannot be cancelled",
                            code="purchase-not-cancellable", status=purchase.status)
    return [PurchaseCancelled(**ids, reason=command.reason), *_withdrawn(purchase, command.reason)]


def _invoice(command: SubmitInvoice, purchase: Purchase, ids: dict[str, UUID | None]) -> PurchaseInvoiced:
    _require(purchase, "delivered", "invoice")
    try:
        reference = validate_payment_reference(command.reference)
    except InvalidIdentifier as exc:
        raise InvalidCommand(str(exc), field="reference") from exc
    if command.vat_cents > command.amount_cents:
        raise InvalidCommand("the VAT cannot exceed the invoice's total", field="vat_cents")
    if command.amount_cents > purchase.amount_cents:
        raise InvalidCommand(f"the invoice exceeds the quoted amount ({purchase.amount_cents} cents)",
                             field="amount_cents")
    return PurchaseInvoiced(**ids, invoice_id=command.invoice_id, amount_cents=command.amount_cents,
                            vat_cents=command.vat_cents, reference=reference)


def _require(purchase: Purchase, status: Status, what: str) -> None:
    if purchase.status != status:
        raise RuleViolation(f"cannot {what} a purchase that is {purchase.status.replace('_', ' ')}",
                            code="purchase-state", status=purchase.status)


# --- evolve ------------------------------------------------------------------------------------------------------


def evolve(purchase: Purchase, event: DomainEvent) -> Purchase:
    return _apply(event, purchase)


@singledispatch
def _apply(event: DomainEvent, p: Purchase) -> Purchase:
    raise TypeError(f"a purchase cannot apply {type(event).__name__}")


@_apply.register
def _(e: PurchaseRequested, p: Purchase) -> Purchase:
    return Purchase(e.purchase_id, e.client_id, e.vendor_id, "awaiting_funds", e.amount_cents, e.category,
                    e.requested_on, 1, approval="pending" if e.needs_approval else "none")


@_apply.register
def _(e: PurchaseReservationRetryRequested, p: Purchase) -> Purchase:
    return replace(p, reservation_attempts=e.attempt)


@_apply.register
def _(e: PurchaseFundsReserved, p: Purchase) -> Purchase:
    return replace(p, funds_reserved=True, status="awaiting_approval" if p.approval == "pending" else p.status)


@_apply.register
def _(e: PurchaseConfirmed, p: Purchase) -> Purchase:
    return replace(p, status="confirmed")


@_apply.register
def _(e: PurchaseRejected, p: Purchase) -> Purchase:
    return replace(p, status="rejected")


@_apply.register
def _(e: PurchaseCancelled, p: Purchase) -> Purchase:
    return replace(p, status="refused" if e.reason == "approval_refused" else "cancelled")


@_apply.register
def _(e: ApprovalRequested, p: Purchase) -> Purchase:
    return replace(p, approval="pending", approval_id=e.approval_id, requested_by=e.requested_by,
                   municipality=e.municipality)


@_apply.register
def _(e: ApprovalGranted, p: Purchase) -> Purchase:
    return replace(p, approval="granted")


@_apply.register
def _(e: ApprovalRefused, p: Purchase) -> Purchase:
    return replace(p, approval="refused")


@_apply.register
def _(e: ApprovalWithdrawn, p: Purchase) -> Purchase:
    return replace(p, approval="withdrawn")


@_apply.register
def _(e: PurchaseDelivered, p: Purchase) -> Purchase:
    return replace(p, status="delivered")


@_apply.register
def _(e: PurchaseInvoiced, p: Purchase) -> Purchase:
    return replace(p, status="invoiced", invoice_id=e.invoice_id, invoice_cents=e.amount_cents)


@_apply.register
def _(e: PurchaseInvoiceApproved, p: Purchase) -> Purchase:
    return replace(p, status="invoice_approved")


@_apply.register
def _(e: PurchasePaymentScheduled, p: Purchase) -> Purchase:
    return replace(p, status="payment_scheduled")


@_apply.register
def _(e: PurchasePaymentBlocked, p: Purchase) -> Purchase:
    return replace(p, status="payment_blocked")


@_apply.register
def _(e: PurchaseFlaggedForReview, p: Purchase) -> Purchase:
    return replace(p, held=True)


@_apply.register
def _(e: PurchaseContinued, p: Purchase) -> Purchase:
    return replace(p, held=False)
