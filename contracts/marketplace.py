"""The marketplace's order events, version 1. Topic ``avain.marketplace.events.v1``, key = client id.

Budgeting reserves, releases and spends funds from these. (The marketplace service publishes them; its
catalogue events are added with it.)
"""

from __future__ import annotations

from uuid import UUID

from pydantic import Field

from shared.events import DomainEvent, EventRegistry


class OrderPlaced(DomainEvent):
    """A client (or their worker) ordered a support: budgeting reserves the funds or says why not."""

    event_type = "fi.avain.marketplace.OrderPlaced"

    client_id: UUID
    order_id: UUID
    provider_id: UUID
    offering_id: UUID
    category: str = Field(min_length=1, max_length=64)
    quantity: int = Field(ge=1)
    unit_price_cents: int = Field(ge=0)
    amount_cents: int = Field(gt=0, description="quantity × unit price at the time of ordering, VAT included")


class OrderCancelled(DomainEvent):
    event_type = "fi.avain.marketplace.OrderCancelled"

    client_id: UUID
    order_id: UUID


class OrderDeclined(DomainEvent):
    event_type = "fi.avain.marketplace.OrderDeclined"

    client_id: UUID
    order_id: UUID
    reason: str


class InvoiceApproved(DomainEvent):
    """The client or worker approved the provider's invoice: budgeting records the spending."""

    event_type = "fi.avain.marketplace.InvoiceApproved"

    client_id: UUID
    order_id: UUID
    invoice_id: UUID
    amount_cents: int = Field(ge=0)


EVENTS: list[type[DomainEvent]] = [OrderPlaced, OrderCancelled, OrderDeclined, InvoiceApproved]

registry = EventRegistry(EVENTS)
