"""The provider marketplace's events, version 1. Topic ``avain.marketplace.events.v1``.

Catalogue events (providers, offerings) are keyed by the provider id; order events by the client id, so a
client's orders stay in order for budgeting. Money is integer euro cents, VAT included in prices; the
VAT rate is stated in basis points (2550 = 25.5 %).

The order saga, each step an event:
OrderPlaced → (budgeting: FundsReserved | FundsReservationRejected) → OrderConfirmed | OrderRejected
→ OrderAccepted | OrderDeclined (provider) → ServiceDelivered → InvoiceSubmitted → InvoiceApproved
→ (budgeting: SpendingRecorded) → PaymentScheduled. OrderCancelled before delivery releases the funds.
No answer from budgeting in time → ReservationRetryRequested (the order stays pending, never lost).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Literal
from uuid import UUID

from pydantic import Field

from shared.kernel.events import DomainEvent, EventRegistry
from shared.kernel.sealed import Sealed

Language = Literal["fi", "sv", "en"]


class ProviderKind(StrEnum):
    FIRM = "firm"
    NGO = "ngo"
    SOLE_TRADER = "sole_trader"
    PUBLIC = "public"


# The region's quality criteria: each must be checked for a provider to be verified.
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


class ProviderVerified(DomainEvent):
    """The region checked the provider against its quality criteria (all must hold)."""

    event_type = "fi.avain.marketplace.ProviderVerified"

    provider_id: UUID
    checklist: dict[str, bool]
    notes: str = ""


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
    """Cancelled before delivery: budgeting releases the funds."""

    event_type = "fi.avain.marketplace.OrderCancelled"

    client_id: UUID
    order_id: UUID
    reason: Literal["cancelled_by_client", "cancelled_by_worker", "provider_no_response", "budget_closed"] = (
        "cancelled_by_client"
    )


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


class ProviderRated(DomainEvent):
    """After delivery the client rates the provider (1–5); the comment is the client's, sealed."""

    event_type = "fi.avain.marketplace.ProviderRated"

    client_id: UUID
    order_id: UUID
    provider_id: UUID
    stars: int = Field(ge=1, le=5)
    comment: Sealed | None = None


CATALOGUE_EVENTS: list[type[DomainEvent]] = [
    ProviderRegistered, ProviderVerified, ProviderSuspended, OfferingPublished, OfferingPriceChanged,
    OfferingWithdrawn,
]
ORDER_EVENTS: list[type[DomainEvent]] = [
    OrderPlaced, ReservationRetryRequested, OrderConfirmed, OrderRejected, OrderAccepted, OrderDeclined,
    OrderCancelled, ServiceDelivered, InvoiceSubmitted, InvoiceApproved, PaymentScheduled, PaymentBlocked,
    ProviderRated,
]
EVENTS: list[type[DomainEvent]] = [*CATALOGUE_EVENTS, *ORDER_EVENTS]

registry = EventRegistry(EVENTS)
