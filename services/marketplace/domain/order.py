"""An order, the saga across services: decide/evolve.

placed (awaiting funds) → confirmed | rejected → accepted | declined → delivered → invoiced
→ invoice approved → payment scheduled | payment blocked.   Cancelled any time before delivery.

A provider's suspension acts on each of its open orders once (``ActOnSuspension``, however often it is told): one
not yet accepted is cancelled (budgeting releases its funds, as for every cancellation); one accepted is held for
the coordinating worker, who continues it to delivery or cancels it; a held order records no delivery. A
suspended provider accepts nothing.

The price is the offering's price when the order was placed; later price changes do not touch it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from functools import singledispatch
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from contracts.marketplace import (
    DeliveryDetailsShared,
    InvoiceApproved,
    InvoiceSubmitted,
    OrderAccepted,
    OrderCancelled,
    OrderConfirmed,
    OrderContinued,
    OrderDeclined,
    OrderFlaggedForReview,
    OrderPlaced,
    OrderRejected,
    PaymentBlocked,
    PaymentScheduled,
    ProviderRated,
    ReservationRetryRequested,
    ServiceDelivered,
)
from services.marketplace.domain.catalogue import ProviderStatus
from shared.kernel.errors import InvalidCommand, RuleViolation
from shared.kernel.events import DomainEvent
from shared.kernel.identifiers import InvalidIdentifier, validate_payment_reference
from shared.kernel.sealed import Sealed

Status = Literal["none", "awaiting_funds", "confirmed", "rejected", "accepted", "declined", "cancelled",
                 "delivered", "invoiced", "invoice_approved", "payment_scheduled", "payment_blocked"]
MAX_ORDER_CENTS = 100_000_000
CANCELLABLE: frozenset[Status] = frozenset({"awaiting_funds", "confirmed", "accepted"})
OPEN = CANCELLABLE  # not yet delivered, nor ended


@dataclass(frozen=True)
class Order:
    order_id: UUID | None = None
    client_id: UUID | None = None
    provider_id: UUID | None = None
    status: Status = "none"
    amount_cents: int = 0
    category: str = ""
    reservation_attempts: int = 0
    invoice_id: UUID | None = None
    invoice_cents: int = 0
    rated: bool = False
    ordered_on: date | None = None
    held: bool = False  # accepted, then its provider suspended: waits for the coordinating worker's decision


NO_ORDER = Order()


@dataclass(frozen=True)
class KnownClient:
    """What intake told the marketplace of a client: where they live, who coordinates their case."""

    municipality: str
    coordinator_id: str | None


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PlaceOrder(Command):
    order_id: UUID
    client_id: UUID
    provider_id: UUID
    offering_id: UUID
    quantity: int = Field(ge=1, le=1000)
    # Read by the application from the catalogue at this instant:
    provider_status: ProviderStatus
    provider_serves_client: bool
    offering_withdrawn: bool
    category: str
    unit_price_cents: int = Field(ge=0)
    today: date  # passed in by the application: the domain reads no clock


class RetryReservation(Command):
    pass


class ConfirmOrder(Command):
    pass


class RejectOrder(Command):
    reason_code: str
    reason: str


class AcceptOrder(Command):
    provider_status: ProviderStatus = "verified"  # read from the provider's stream by the application


class ActOnSuspension(Command):
    """The order's provider was suspended."""

    coordinator_id: str | None  # who decides about an accepted order (read by the application)


class ContinueOrder(Command):
    decided_by: str


class ShareDeliveryDetails(Command):
    """What the client agreed to share with the provider, each sealed with the client's key (None: not shared)."""

    address: Sealed | None = None
    contact: Sealed | None = None
    instructions: Sealed | None = None
    shared_by: str


class DeclineOrder(Command):
    reason: Sealed  # the provider's words may be about the client: sealed with the client's key


class CancelOrder(Command):
    reason: Literal["cancelled_by_client", "cancelled_by_worker", "provider_no_response", "budget_closed"]


class RecordDelivery(Command):
    delivered_on: date
    today: date  # passed in by the application: the domain reads no clock


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


class RateProvider(Command):
    stars: int = Field(ge=1, le=5)
    comment: Sealed | None = None


def decide(command: Command, order: Order) -> list[DomainEvent]:
    if isinstance(command, PlaceOrder):
        return [_place(command, order)]
    if order.status == "none":
        raise RuleViolation("no such order")
    ids = {"client_id": order.client_id, "order_id": order.order_id}
    match command:
        case RetryReservation():
            if order.status != "awaiting_funds":
                return []  # budgeting answered meanwhile
            return [ReservationRetryRequested(**ids, amount_cents=order.amount_cents, category=order.category,
                                              attempt=order.reservation_attempts + 1, ordered_on=order.ordered_on)]
        case ConfirmOrder():
            return [OrderConfirmed(**ids, provider_id=order.provider_id)] if order.status == "awaiting_funds" else []
        case RejectOrder():
            if order.status != "awaiting_funds":
                return []
            return [OrderRejected(**ids, reason_code=command.reason_code, reason=command.reason)]
        case AcceptOrder():
            _require(order, "confirmed", "accept")
            if command.provider_status != "verified":
                raise RuleViolation(f"the provider is {command.provider_status}: it accepts no new work",
                                    code="provider-not-verified")
            return [OrderAccepted(**ids, provider_id=order.provider_id)]
        case ActOnSuspension():
            return _on_suspension(command, order)
        case ContinueOrder():
            if not order.held or order.status != "accepted":
                raise RuleViolation("only an order held after its provider's suspension is continued",
                                    code="order-not-held")
            return [OrderContinued(**ids, provider_id=order.provider_id, decided_by=command.decided_by)]
        case ShareDeliveryDetails():
            if order.status not in OPEN:
                raise RuleViolation(f"an order that is {order.status.replace('_', ' ')} needs no delivery details",
                                    code="order-not-open")
            return [DeliveryDetailsShared(**ids, provider_id=order.provider_id, address=command.address,
                                          contact=command.contact, instructions=command.instructions,
                                          shared_by=command.shared_by)]
        case DeclineOrder():
            _require(order, "confirmed", "decline")
            return [OrderDeclined(**ids, reason=command.reason)]
        case CancelOrder():
            if command.reason == "provider_no_response" and order.status != "confirmed":
                return []  # the provider answered in time (accepted or declined): the timer is moot
            if order.status not in CANCELLABLE:
                if command.reason in ("provider_no_response", "budget_closed"):
                    return []  # the timer or budget closure came after the provider answered
                raise RuleViolation(f"an order that is {order.status.replace('_', ' ')} cannot be cancelled")
            return [OrderCancelled(**ids, reason=command.reason)]
        case RecordDelivery():
            _require(order, "accepted", "record delivery for")
            if order.held:
                raise RuleViolation("the provider was suspended: the client's coordinating worker decides whether "
                                    "this order continues", code="order-held")
            if command.delivered_on > command.today:
                raise RuleViolation("a delivery cannot be recorded before it has happened")
            return [ServiceDelivered(**ids, delivered_on=command.delivered_on)]
        case SubmitInvoice():
            _require(order, "delivered", "invoice")
            try:
                reference = validate_payment_reference(command.reference)
            except InvalidIdentifier as exc:
                raise InvalidCommand(str(exc), field="reference") from exc
            if command.vat_cents > command.amount_cents:
                raise InvalidCommand("the VAT cannot exceed the invoice's total", field="vat_cents")
            if command.amount_cents > order.amount_cents:
                raise InvalidCommand(f"the invoice exceeds the ordered amount ({order.amount_cents} cents): "
                                     "agree a new order for more", field="amount_cents")
            return [InvoiceSubmitted(**ids, **(command.model_dump() | {"reference": reference}))]
        case ApproveInvoice():
            _require(order, "invoiced", "approve the invoice of")
            assert order.invoice_id is not None
            return [InvoiceApproved(**ids, invoice_id=order.invoice_id, amount_cents=order.invoice_cents)]
        case SchedulePayment():
            if order.status != "invoice_approved" or command.invoice_id != order.invoice_id:
                return []  # budgeting's answer about another invoice moves nothing here
            return [PaymentScheduled(**ids, invoice_id=command.invoice_id, provider_id=order.provider_id,
                                     amount_cents=order.invoice_cents, pay_on=command.pay_on)]
        case BlockPayment():
            if order.status != "invoice_approved" or command.invoice_id != order.invoice_id:
                return []
            return [PaymentBlocked(**ids, invoice_id=command.invoice_id, reason=command.reason,
                                   reason_code=command.reason_code)]
        case RateProvider():
            if order.status not in ("delivered", "invoiced", "invoice_approved", "payment_scheduled",
                                    "payment_blocked"):
                raise RuleViolation("a provider can be rated after delivery", code="rating-before-delivery")
            if order.rated:
                raise RuleViolation("this order has already been rated", code="already-rated")
            return [ProviderRated(**ids, provider_id=order.provider_id, stars=command.stars, comment=command.comment)]
    raise TypeError(f"unknown command {type(command).__name__}")


def _on_suspension(command: ActOnSuspension, order: Order) -> list[DomainEvent]:
    """Not yet accepted: cancelled (the funds go back). Accepted: held for the coordinator. Anything else, or
    told again: nothing."""
    ids = {"client_id": order.client_id, "order_id": order.order_id}
    if order.status in ("awaiting_funds", "confirmed"):
        return [OrderCancelled(**ids, reason="provider_suspended")]
    if order.status == "accepted" and not order.held:
        return [OrderFlaggedForReview(**ids, provider_id=order.provider_id, coordinator_id=command.coordinator_id)]
    return []


def _place(c: PlaceOrder, order: Order) -> OrderPlaced:
    if order.status != "none":
        raise RuleViolation("the order already exists")
    if c.provider_status != "verified":
        raise RuleViolation(f"the provider is {c.provider_status}: orders go only to verified providers")
    if c.offering_withdrawn:
        raise RuleViolation("the offering has been withdrawn")
    if not c.provider_serves_client:
        raise RuleViolation("the provider does not serve the client's municipality")
    if c.unit_price_cents == 0:
        raise RuleViolation("a free offering is taken up directly with the provider: no order or budget is needed")
    if c.quantity * c.unit_price_cents > MAX_ORDER_CENTS:
        raise InvalidCommand("an order above 1 000 000 € is not taken here", field="quantity")
    return OrderPlaced(client_id=c.client_id, order_id=c.order_id, provider_id=c.provider_id,
                       offering_id=c.offering_id, category=c.category, quantity=c.quantity,
                       unit_price_cents=c.unit_price_cents, amount_cents=c.quantity * c.unit_price_cents,
                       ordered_on=c.today)


def _require(order: Order, status: Status, what: str) -> None:
    if order.status != status:
        raise RuleViolation(f"cannot {what} an order that is {order.status.replace('_', ' ')}")


def evolve(order: Order, event: DomainEvent) -> Order:
    return _apply(event, order)


@singledispatch
def _apply(event: DomainEvent, o: Order) -> Order:
    raise TypeError(f"an order cannot apply {type(event).__name__}")


@_apply.register
def _(e: OrderPlaced, o: Order) -> Order:
    return Order(e.order_id, e.client_id, e.provider_id, "awaiting_funds", e.amount_cents, e.category, 1,
                 ordered_on=e.ordered_on)


@_apply.register
def _(e: ReservationRetryRequested, o: Order) -> Order:
    return replace(o, reservation_attempts=e.attempt)


def _status(status: Status) -> Callable[[DomainEvent, Order], Order]:
    def apply(_e: DomainEvent, o: Order) -> Order:
        return replace(o, status=status)

    return apply


for _event, _to in ((OrderConfirmed, "confirmed"), (OrderRejected, "rejected"), (OrderAccepted, "accepted"),
                    (OrderDeclined, "declined"), (OrderCancelled, "cancelled"), (ServiceDelivered, "delivered"),
                    (InvoiceApproved, "invoice_approved"), (PaymentScheduled, "payment_scheduled"),
                    (PaymentBlocked, "payment_blocked")):
    _apply.register(_event, _status(_to))  # type: ignore[arg-type]  # _to is a Status literal


@_apply.register
def _(e: InvoiceSubmitted, o: Order) -> Order:
    return replace(o, status="invoiced", invoice_id=e.invoice_id, invoice_cents=e.amount_cents)


@_apply.register
def _(e: ProviderRated, o: Order) -> Order:
    return replace(o, rated=True)


@_apply.register
def _(e: OrderFlaggedForReview, o: Order) -> Order:
    return replace(o, held=True)


@_apply.register
def _(e: OrderContinued, o: Order) -> Order:
    return replace(o, held=False)


@_apply.register
def _(e: DeliveryDetailsShared, o: Order) -> Order:
    return o  # read by the provider from the events: nothing here is decided on it
