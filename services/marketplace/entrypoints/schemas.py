"""Request bodies of the marketplace's HTTP API."""

from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from contracts.marketplace import Language, ProviderKind

Category = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_]+$")


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RegisterProviderBody(Body):
    y_tunnus: str = Field(min_length=9, max_length=9, description="Business id 1234567-8, validated by its check digit")
    name: str = Field(min_length=1, max_length=200)
    kind: ProviderKind
    service_areas: list[str] = Field(min_length=1, max_length=200, description="Municipalities served")
    languages: list[Language] = Field(min_length=1)
    accessibility: str = Field(max_length=2000, description="Accessibility of the premises and the service")
    evening_availability: bool = False
    weekend_availability: bool = False
    contact_email: EmailStr
    contact_phone: str | None = Field(None, max_length=40)
    vendor_kind: str = Field("social_care", pattern=r"^[a-z][a-z0-9_]{0,63}$", description=(
        "What the vendor sells, a kind in the region's criteria table (GET /vendor-kinds): social_care, "
        "other_service, goods_and_tickets, ..."))


class VerificationBody(Body):
    checklist: dict[str, bool] = Field(description="Each criterion of the vendor's kind, checked")
    notes: str = Field("", max_length=2000)
    on_county_premises: bool = Field(False, description=(
        "The vendor's people work on the county's premises (a condition of some criteria)"))


class ReasonBody(Body):
    reason: str = Field(min_length=1, max_length=2000)


class OfferingBody(Body):
    category: str = Category
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(min_length=1, max_length=4000)
    unit_price_cents: int = Field(ge=0, le=10_000_000, description="VAT included")
    vat_rate_bp: int = Field(ge=0, le=10_000, description="VAT rate in basis points (2550 = 25.5 %)")
    unit: str = Field(min_length=1, max_length=32)
    availability: str = Field("", max_length=400)


class PriceBody(Body):
    unit_price_cents: int = Field(ge=0, le=10_000_000)


class OrderBody(Body):
    client_id: UUID
    offering_id: UUID
    quantity: int = Field(1, ge=1, le=1000)


class DeliveryBody(Body):
    delivered_on: date


class DeliveryDetailsBody(Body):
    """Only what the client agrees to share with the provider; a part left out is not shared. Replaces what was
    shared before."""

    address: str | None = Field(None, min_length=1, max_length=500, description="The service address")
    contact: str | None = Field(None, min_length=1, max_length=200, description="Whom to contact, and how")
    instructions: str | None = Field(None, min_length=1, max_length=2000,
                                     description="The client's own delivery instructions")


class InvoiceBody(Body):
    amount_cents: int = Field(ge=0, le=100_000_000)
    vat_cents: int = Field(ge=0, le=100_000_000)
    reference: str = Field(min_length=1, max_length=64)


class RatingBody(Body):
    stars: int = Field(ge=1, le=5)
    comment: str | None = Field(None, max_length=2000)


class PurchaseBody(Body):
    client_id: UUID
    vendor_id: UUID
    category: str = Category
    description: str = Field(min_length=1, max_length=500, description="What is bought, e.g. a stroller")
    quantity: int = Field(1, ge=1, le=1000)
    unit_price_cents: int = Field(gt=0, le=10_000_000, description="The quoted price of one, VAT included")
    quote_reference: str = Field(min_length=1, max_length=64, description="The vendor's reference of its quote")
    link: str | None = Field(None, max_length=2000, pattern=r"^https?://\S+$",
                             description="A link to the item or the quote (http or https)")


class ReceiptBody(Body):
    received_on: date


class ApprovalBody(Body):
    reason: str | None = Field(None, min_length=1, max_length=4000, description="Why, in the approver's words")


class RefusalBody(Body):
    reason: str = Field(min_length=1, max_length=4000, description="Why not: shown to the worker and the client")


SortOrder = Literal["fair", "price", "rating"]
