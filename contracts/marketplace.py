"""The provider marketplace's events, version 1. Topic ``avain.marketplace.events.v1``.

Catalogue events (providers, offerings) are keyed by the provider id; order events by the client id, so a
client's orders stay in order for budgeting. Money is integer euro cents, VAT included in prices; the
VAT rate is stated in basis points (2550 = 25.5 %).

The order saga, each step an event:
OrderPlaced → (budgeting: FundsReserved | FundsReservationRejected) → OrderConfirmed | OrderRejected
→ OrderAccepted | OrderDeclined (provider) → ServiceDelivered → InvoiceSubmitted → InvoiceApproved
→ (budgeting: SpendingRecorded) → PaymentScheduled. OrderCancelled before delivery releases the funds.
A provider's suspension (ProviderSuspended) cancels its orders not yet accepted (OrderCancelled, reason
``provider_suspended``: budgeting releases their funds as for any cancellation) and holds those accepted
(OrderFlaggedForReview) until the coordinating worker continues (OrderContinued) or cancels them.
The client side shares what the provider needs to deliver (DeliveryDetailsShared, sealed with the client's key).
No answer from budgeting in time → ReservationRetryRequested (the order stays pending, never lost).

Vendors are verified by what they sell: a provider's ``vendor_kind`` (social-care service, other service, goods and
tickets, ... as the region's criteria table names them; "social_care" for every provider registered before kinds
existed) decides which criteria its verification needs, each perhaps only under a condition.

A one-off purchase (stream ``purchase-<id>``, key = client id) follows the order's path without an offering:
PurchaseRequested (an item from a vendor, with its quote) → (budgeting: FundsReserved | FundsReservationRejected,
``matter`` "purchase") → PurchaseFundsReserved and PurchaseConfirmed | PurchaseRejected → PurchaseDelivered (the
client or the worker confirms receipt) → PurchaseInvoiced (the vendor) → PurchaseInvoiceApproved → (budgeting:
SpendingRecorded) → PurchasePaymentScheduled, paid by the county to the vendor: never to the client.
PurchaseCancelled before delivery releases the funds. A vendor's suspension cancels its purchases not yet confirmed
(reason ``vendor_suspended``) and holds those confirmed (PurchaseFlaggedForReview) for the coordinating worker, who
continues them (PurchaseContinued) or cancels them.

A purchase above the requesting worker's delegated authority (kind ``purchase`` in the delegation table) also
records ``ApprovalRequested`` (the approval family of contracts/approvals.py, matter = the purchase) and waits:
its funds are held as for any purchase, ``ApprovalGranted`` confirms it once they are, ``ApprovalRefused`` cancels
it (PurchaseCancelled, reason ``approval_refused``: budgeting releases the funds). A purchase that ends while it
waits (its funds refused, cancelled, the budget closed) withdraws its request (``ApprovalWithdrawn``).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Literal
from uuid import UUID

from pydantic import Field

from contracts import approvals
from contracts.support_persons import AGREEMENT_EVENTS, PERSON_EVENTS
from shared.kernel.events import DomainEvent, EventRegistry
from shared.kernel.sealed import Sealed

Language = Literal["fi", "sv", "en"]


class ProviderKind(StrEnum):
    FIRM = "firm"
    NGO = "ngo"
    SOLE_TRADER = "sole_trader"
    PUBLIC = "public"


# What a vendor sells, as the region's criteria table names its kinds (a code). Providers registered before kinds
# existed are social-care services.
SOCIAL_CARE = "social_care"
VENDOR_KIND = ("What the vendor sells: a kind in the region's criteria table, e.g. social_care, other_service, "
               "goods_and_tickets")
KIND_PATTERN = r"^[a-z][a-z0-9_]{0,63}$"

# The region's quality criteria of social-care services: each must be checked for such a provider to be verified.
QUALITY_CRITERIA = (
    "soteri_register",  # listed in the national register of social-welfare providers (law 741/2023)
    "self_monitoring_plan",  # has an up-to-date omavalvontasuunnitelma
    "liability_insurance",
    "tax_debt_certificate",
    "accessibility_described",
)


# --- catalogue: key = provider id ---------------------------------------------------------------------


class ProviderRegistered(DomainEvent):
    event_type = "fi.avain.marketplace.ProviderRegistered"

    provider_id: UUID
    y_tunnus: str = Field(pattern=r"^\d{7}-\d$")
    name: str
    kind: ProviderKind
    service_areas: list[str] = Field(min_length=1, description="Municipalities served")
    languages: list[Language] = Field(min_length=1)
    accessibility: str
    evening_availability: bool
    weekend_availability: bool
    contact_email: str
    contact_phone: str | None = None
    vendor_kind: str = Field(SOCIAL_CARE, pattern=KIND_PATTERN, description=VENDOR_KIND)


class ProviderVerified(DomainEvent):
    """The region checked the provider against the criteria of its kind: every criterion that applies holds
    (``checklist``); ``not_applicable`` are those whose condition did not hold for this vendor then, on the facts
    stated here."""

    event_type = "fi.avain.marketplace.ProviderVerified"

    provider_id: UUID
    checklist: dict[str, bool]
    notes: str = ""
    vendor_kind: str = Field(SOCIAL_CARE, pattern=KIND_PATTERN, description=VENDOR_KIND)
    not_applicable: list[str] = Field(default_factory=list, description="Criteria whose condition did not hold")
    on_county_premises: bool = Field(False, description="The vendor's people work on the county's premises")
    purchases_12m_cents: int | None = Field(None, ge=0, description=(
        "What the county bought from the vendor in the 12 months before, VAT included (conditions on value)"))


class ProviderSuspended(DomainEvent):
    event_type = "fi.avain.marketplace.ProviderSuspended"

    provider_id: UUID
    reason: str = Field(min_length=1)


class OfferingPublished(DomainEvent):
    event_type = "fi.avain.marketplace.OfferingPublished"

    offering_id: UUID
    provider_id: UUID
    category: str
    title: str
    description: str
    unit_price_cents: int = Field(ge=0, description="VAT included")
    vat_rate_bp: int = Field(ge=0, le=10_000, description="VAT rate in basis points, e.g. 2550 = 25.5 %")
    unit: str = Field(description="e.g. hour, visit, item, month")
    availability: str


class OfferingPriceChanged(DomainEvent):
    event_type = "fi.avain.marketplace.OfferingPriceChanged"

    offering_id: UUID
    provider_id: UUID
    previous_price_cents: int
    unit_price_cents: int = Field(ge=0)


class OfferingWithdrawn(DomainEvent):
    event_type = "fi.avain.marketplace.OfferingWithdrawn"

    offering_id: UUID
    provider_id: UUID
    reason: str


# --- orders: key = client id --------------------------------------------------------------------------


class OrderPlaced(DomainEvent):
    """A client (or their worker) ordered a support: budgeting reserves the funds or says why not."""

    event_type = "fi.avain.marketplace.OrderPlaced"

    client_id: UUID
    order_id: UUID
    provider_id: UUID
    offering_id: UUID
    category: str = Field(min_length=1, max_length=64)
    quantity: int = Field(ge=1)
    unit_price_cents: int = Field(ge=0, description="The price when the order was placed: it stays")
    amount_cents: int = Field(gt=0, description="quantity × unit price at the time of ordering, VAT included")
    ordered_on: date | None = Field(None, description="The day the order was placed (budgets are for a period)")


class ReservationRetryRequested(DomainEvent):
    """Budgeting did not answer in time: ask again (budgeting answers each order once)."""

    event_type = "fi.avain.marketplace.ReservationRetryRequested"

    client_id: UUID
    order_id: UUID
    amount_cents: int = Field(gt=0)
    category: str
    attempt: int = Field(ge=2)
    ordered_on: date | None = Field(None, description="The day the order was placed, not the day of the retry")


class OrderConfirmed(DomainEvent):
    event_type = "fi.avain.marketplace.OrderConfirmed"

    client_id: UUID
    order_id: UUID
    provider_id: UUID


class OrderRejected(DomainEvent):
    event_type = "fi.avain.marketplace.OrderRejected"

    client_id: UUID
    order_id: UUID
    reason_code: str
    reason: str


class OrderAccepted(DomainEvent):
    event_type = "fi.avain.marketplace.OrderAccepted"

    client_id: UUID
    order_id: UUID
    provider_id: UUID


class OrderDeclined(DomainEvent):
    """The provider declined: budgeting releases the funds."""

    event_type = "fi.avain.marketplace.OrderDeclined"

    client_id: UUID
    order_id: UUID
    reason: Sealed


class OrderCancelled(DomainEvent):
    """Cancelled before delivery: budgeting releases the funds. ``provider_suspended``: the region suspended the
    provider before it accepted the order (the suspension's cascade)."""

    event_type = "fi.avain.marketplace.OrderCancelled"

    client_id: UUID
    order_id: UUID
    reason: Literal["cancelled_by_client", "cancelled_by_worker", "provider_no_response", "budget_closed",
                    "provider_suspended"] = "cancelled_by_client"


class OrderFlaggedForReview(DomainEvent):
    """The region suspended the provider of an order it had already accepted: the order is held (no delivery is
    recorded) until the client's coordinating worker decides to continue it (OrderContinued) or cancels it
    (OrderCancelled, cancelled_by_worker). Names who is affected: the client, the provider, the coordinator."""

    event_type = "fi.avain.marketplace.OrderFlaggedForReview"

    client_id: UUID
    order_id: UUID
    provider_id: UUID
    coordinator_id: str | None = Field(None, description="The worker who decides (None: no coordinator known yet)")
    reason: Literal["provider_suspended"] = "provider_suspended"


class OrderContinued(DomainEvent):
    """The coordinating worker decided that an order held after its provider's suspension continues to delivery."""

    event_type = "fi.avain.marketplace.OrderContinued"

    client_id: UUID
    order_id: UUID
    provider_id: UUID
    decided_by: str = Field(min_length=1)


class DeliveryDetailsShared(DomainEvent):
    """The client side (the client, their representative or their coordinating worker) shared with the provider
    what it needs to deliver the order: the service address, a contact and the client's own delivery instructions,
    each only if the client agreed to share it, sealed with the client's key. A later sharing replaces the earlier
    one; the provider reads them for an accepted order only, until it is delivered."""

    event_type = "fi.avain.marketplace.DeliveryDetailsShared"

    client_id: UUID
    order_id: UUID
    provider_id: UUID
    address: Sealed | None = Field(None, description="The service address, sealed with the client's key")
    contact: Sealed | None = Field(None, description="Whom to contact and how, sealed with the client's key")
    instructions: Sealed | None = Field(None, description="The client's own words, sealed with the client's key")
    shared_by: str = Field(min_length=1)


class ServiceDelivered(DomainEvent):
    event_type = "fi.avain.marketplace.ServiceDelivered"

    client_id: UUID
    order_id: UUID
    delivered_on: date


class InvoiceSubmitted(DomainEvent):
    event_type = "fi.avain.marketplace.InvoiceSubmitted"

    client_id: UUID
    order_id: UUID
    invoice_id: UUID
    amount_cents: int = Field(ge=0)
    vat_cents: int = Field(ge=0)
    reference: str


class InvoiceApproved(DomainEvent):
    """The client or worker approved the provider's invoice: budgeting records the spending."""

    event_type = "fi.avain.marketplace.InvoiceApproved"

    client_id: UUID
    order_id: UUID
    invoice_id: UUID
    amount_cents: int = Field(ge=0)


PAYMENT_REFUSAL = "Budgeting's code for the refusal (SpendingRejected.reason_code), for the reader's catalogue words"


class PaymentScheduled(DomainEvent):
    """Budgeting recorded the spending: the county pays the provider (never the client)."""

    event_type = "fi.avain.marketplace.PaymentScheduled"

    client_id: UUID
    order_id: UUID
    invoice_id: UUID
    provider_id: UUID
    amount_cents: int
    pay_on: date


class PaymentBlocked(DomainEvent):
    """Budgeting refused the spending (e.g. the invoice exceeds what the budget allows)."""

    event_type = "fi.avain.marketplace.PaymentBlocked"

    client_id: UUID
    order_id: UUID
    invoice_id: UUID
    reason: str
    reason_code: str | None = Field(None, description=PAYMENT_REFUSAL)


class ProviderRated(DomainEvent):
    """After delivery the client rates the provider (1–5); the comment is the client's, sealed."""

    event_type = "fi.avain.marketplace.ProviderRated"

    client_id: UUID
    order_id: UUID
    provider_id: UUID
    stars: int = Field(ge=1, le=5)
    comment: Sealed | None = None


# --- one-off purchases: key = client id ---------------------------------------------------------------------


class PurchaseRequested(DomainEvent):
    """The client (or their worker) buys an item from a vendor on the vendor's quote, without any published
    offering: budgeting reserves the funds or says why not. The item is described in the people's own words,
    sealed with the client's key; the vendor's name is kept as it was, so the case history can say it in words."""

    event_type = "fi.avain.marketplace.PurchaseRequested"

    client_id: UUID
    purchase_id: UUID
    vendor_id: UUID
    vendor_name: str = Field(min_length=1, max_length=200)
    vendor_kind: str = Field(SOCIAL_CARE, pattern=KIND_PATTERN, description=VENDOR_KIND)
    category: str = Field(min_length=1, max_length=64)
    description: Sealed = Field(description="What is bought, e.g. a stroller, sealed with the client's key")
    quantity: int = Field(ge=1)
    unit_price_cents: int = Field(gt=0, description="The quoted price of one, VAT included")
    amount_cents: int = Field(gt=0, description="quantity × unit price, VAT included")
    quote_reference: str = Field(min_length=1, max_length=64, description="The vendor's reference of its quote")
    link: str | None = Field(None, max_length=2000, pattern=r"^https?://\S+$",
                              description="A link to the item or the quote (http or https)")
    requested_on: date
    needs_approval: bool = Field(False, description="Above the requester's delegated authority: waits for approval")


class PurchaseReservationRetryRequested(DomainEvent):
    """Budgeting did not answer in time: ask again (budgeting answers each purchase once)."""

    event_type = "fi.avain.marketplace.PurchaseReservationRetryRequested"

    client_id: UUID
    purchase_id: UUID
    amount_cents: int = Field(gt=0)
    category: str
    attempt: int = Field(ge=2)
    requested_on: date = Field(description="The day the purchase was requested, not the day of the retry")


class PurchaseFundsReserved(DomainEvent):
    """Budgeting holds the funds; the purchase is confirmed with it unless it still waits for approval."""

    event_type = "fi.avain.marketplace.PurchaseFundsReserved"

    client_id: UUID
    purchase_id: UUID
    amount_cents: int


class PurchaseConfirmed(DomainEvent):
    """Funds reserved (and approved, when it needed approval): the vendor may deliver."""

    event_type = "fi.avain.marketplace.PurchaseConfirmed"

    client_id: UUID
    purchase_id: UUID
    vendor_id: UUID


class PurchaseRejected(DomainEvent):
    """Budgeting refused the reservation, with its reason (code and words)."""

    event_type = "fi.avain.marketplace.PurchaseRejected"

    client_id: UUID
    purchase_id: UUID
    reason_code: str
    reason: str


class PurchaseCancelled(DomainEvent):
    """Cancelled before delivery (by the client or worker, refused in approval, the budget closed, or the vendor
    suspended before the purchase was confirmed): budgeting releases the funds."""

    event_type = "fi.avain.marketplace.PurchaseCancelled"

    client_id: UUID
    purchase_id: UUID
    reason: Literal["cancelled_by_client", "cancelled_by_worker", "approval_refused", "budget_closed",
                    "vendor_suspended"]


class PurchaseFlaggedForReview(DomainEvent):
    """The region suspended the vendor of a purchase already confirmed: the purchase is held (no receipt is
    confirmed) until the client's coordinating worker continues it (PurchaseContinued) or cancels it. Names who is
    affected: the client, the vendor, the coordinator."""

    event_type = "fi.avain.marketplace.PurchaseFlaggedForReview"

    client_id: UUID
    purchase_id: UUID
    vendor_id: UUID
    coordinator_id: str | None = Field(None, description="The worker who decides (None: no coordinator known yet)")
    reason: Literal["vendor_suspended"] = "vendor_suspended"


class PurchaseContinued(DomainEvent):
    """The coordinating worker decided that a purchase held after its vendor's suspension goes on."""

    event_type = "fi.avain.marketplace.PurchaseContinued"

    client_id: UUID
    purchase_id: UUID
    vendor_id: UUID
    decided_by: str = Field(min_length=1)


class PurchaseDelivered(DomainEvent):
    """The client or the worker confirms the item (or tickets) arrived."""

    event_type = "fi.avain.marketplace.PurchaseDelivered"

    client_id: UUID
    purchase_id: UUID
    received_on: date
    confirmed_by: Literal["client", "worker"]


class PurchaseInvoiced(DomainEvent):
    event_type = "fi.avain.marketplace.PurchaseInvoiced"

    client_id: UUID
    purchase_id: UUID
    invoice_id: UUID
    amount_cents: int = Field(ge=0)
    vat_cents: int = Field(ge=0)
    reference: str


class PurchaseInvoiceApproved(DomainEvent):
    """The client or worker approved the vendor's invoice: budgeting records the spending."""

    event_type = "fi.avain.marketplace.PurchaseInvoiceApproved"

    client_id: UUID
    purchase_id: UUID
    invoice_id: UUID
    amount_cents: int = Field(ge=0)


class PurchasePaymentScheduled(DomainEvent):
    """Budgeting recorded the spending: the county pays the vendor (never the client)."""

    event_type = "fi.avain.marketplace.PurchasePaymentScheduled"

    client_id: UUID
    purchase_id: UUID
    invoice_id: UUID
    vendor_id: UUID = Field(description="The payee: always the vendor")
    amount_cents: int
    pay_on: date


class PurchasePaymentBlocked(DomainEvent):
    """Budgeting refused the spending."""

    event_type = "fi.avain.marketplace.PurchasePaymentBlocked"

    client_id: UUID
    purchase_id: UUID
    invoice_id: UUID
    reason: str
    reason_code: str | None = Field(None, description=PAYMENT_REFUSAL)


# --- the approval family (contracts/approvals.py): purchases above the requester's delegated authority ----------


class ApprovalRequested(approvals.ApprovalRequested):
    """kind purchase (matter: the purchase) or support_agreement (matter: the agreement). ``requested_by`` is the
    worker who asked, or the client's own id when the client bought for themself (measured then against their
    coordinating worker's delegation)."""

    event_type = "fi.avain.marketplace.ApprovalRequested"


class ApprovalGranted(approvals.ApprovalGranted):
    event_type = "fi.avain.marketplace.ApprovalGranted"


class ApprovalRefused(approvals.ApprovalRefused):
    event_type = "fi.avain.marketplace.ApprovalRefused"


class ApprovalWithdrawn(approvals.ApprovalWithdrawn):
    event_type = "fi.avain.marketplace.ApprovalWithdrawn"


CATALOGUE_EVENTS: list[type[DomainEvent]] = [
    ProviderRegistered, ProviderVerified, ProviderSuspended, OfferingPublished, OfferingPriceChanged,
    OfferingWithdrawn,
]
ORDER_EVENTS: list[type[DomainEvent]] = [
    OrderPlaced, ReservationRetryRequested, OrderConfirmed, OrderRejected, OrderAccepted, OrderDeclined,
    OrderCancelled, ServiceDelivered, InvoiceSubmitted, InvoiceApproved, PaymentScheduled, PaymentBlocked,
    ProviderRated, OrderFlaggedForReview, OrderContinued, DeliveryDetailsShared,
]
PURCHASE_EVENTS: list[type[DomainEvent]] = [
    PurchaseRequested, PurchaseReservationRetryRequested, PurchaseFundsReserved, PurchaseConfirmed, PurchaseRejected,
    PurchaseCancelled, PurchaseDelivered, PurchaseInvoiced, PurchaseInvoiceApproved, PurchasePaymentScheduled,
    PurchasePaymentBlocked, ApprovalRequested, ApprovalGranted, ApprovalRefused, ApprovalWithdrawn,
    PurchaseFlaggedForReview, PurchaseContinued,
]
# Support persons and their agreements: contracts/support_persons.py
EVENTS: list[type[DomainEvent]] = [*CATALOGUE_EVENTS, *ORDER_EVENTS, *PURCHASE_EVENTS, *PERSON_EVENTS,
                                   *AGREEMENT_EVENTS]

registry = EventRegistry(EVENTS)
