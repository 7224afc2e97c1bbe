"""Request bodies of the support-person and agreement routes (the answers are the views' dicts)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import Field

from contracts.support_persons import EARNINGS_TYPE, ClaimKind, FeeBasis, Relationship
from services.marketplace.domain.agreement import RECEIPT_REFERENCE
from services.marketplace.entrypoints.schemas import Body, Category


class SupportPersonBody(Body):
    client_id: UUID
    relationship: Relationship
    tasks: str = Field(min_length=1, max_length=2000, description="What they do for the family")
    name: str = Field(min_length=1, max_length=200)
    contact: str | None = Field(None, max_length=200, description="Phone or e-mail")
    consent_given: bool = Field(description="The person themself consented to being recorded in the plan")
    consent_on: date


class CorrectionBody(Body):
    name: str | None = Field(None, min_length=1, max_length=200)
    contact: str | None = Field(None, min_length=1, max_length=200)


class PaymentDetailsBody(Body):
    hetu: str = Field(min_length=11, max_length=11, description="Validated by its check character")
    iban: str = Field(min_length=15, max_length=42, description="Validated by its check digits")


class AgreementBody(Body):
    client_id: UUID
    person_id: UUID
    category: str = Category
    fee_basis: FeeBasis
    fee_cents: int = Field(gt=0, le=1_000_000, description="Gross, per month or per hour")
    max_hours: int | None = Field(None, gt=0, le=2000, description="Per hour: the most hours the period pays")
    expenses_cap_cents: int = Field(0, ge=0, le=10_000_000)
    period_start: date
    period_end: date
    earnings_type: str = Field(pattern=r"^\d{3,4}$", description=EARNINGS_TYPE)


class ClaimBody(Body):
    kind: ClaimKind
    month: date = Field(description="Any day of the month claimed")
    hours: int | None = Field(None, gt=0, le=744)
    amount_cents: int | None = Field(None, gt=0, le=10_000_000, description="Expenses: the receipt's total")
    receipt_reference: str | None = Field(None, min_length=1, max_length=64, pattern=RECEIPT_REFERENCE,
                                          description="The receipt's code (letters, digits and . / # : _ -), not words")
