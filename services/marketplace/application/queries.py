"""What readers ask of the marketplace (the policy decides who may, as for commands); answered by views.py."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from shared.kernel.commands import Query


class ReadProvider(Query):
    provider_id: UUID


class ReadOffering(Query):
    offering_id: UUID


class SearchOfferings(Query):
    category: str | None = None
    municipality: str | None = None
    language: str | None = None
    evening: bool | None = None
    weekend: bool | None = None
    text: str | None = None
    sort: Literal["fair", "price", "rating"] = "fair"
    limit: int = 50
    offset: int = 0


class ReadOrder(Query):
    order_id: UUID


class ReadDeliveryDetails(Query):
    order_id: UUID


class ListOrders(Query):
    client_id: UUID | None = None  # a client's own; a worker's, manager's or auditor's: whose
    provider_id: UUID | None = None  # a manager's or auditor's: one provider's (what a suspension would touch)
    open: bool = False  # only those a suspension touches: not yet delivered, refused, declined or cancelled
    limit: int = 100
    offset: int = 0


class ReadVerification(Query):
    provider_id: UUID


class ReadPurchase(Query):
    purchase_id: UUID


class ListPurchases(Query):
    client_id: UUID | None = None
    limit: int = 100
    offset: int = 0


class ListProviders(Query):
    """The county's staff: providers and vendors by status (the manager's verification queue: unverified)."""

    status: Literal["unverified", "verified", "suspended"] | None = None
    limit: int = 100
    offset: int = 0


class ReadOwnProvider(Query):
    """A provider user's own provider (the one they registered or act for)."""


class ReadOwnRatings(Query):
    """A provider user's own provider's ratings: average and count, overall and per service."""


class ListOfferings(Query):
    provider_id: UUID


class ReadSupportPerson(Query):
    person_id: UUID


class ExportPayee(Query):
    """Payroll's copy of a payee's identity (hetu, name, IBAN), encrypted to payroll's key; access-logged."""

    person_id: UUID


class ReadAgreement(Query):
    agreement_id: UUID


class ListSupport(Query):
    client_id: UUID


class ListAgreements(Query):
    """A client's agreements, newest first, a page at a time (a client's own when they ask)."""

    client_id: UUID | None = None
    limit: int = 100
    offset: int = 0


class PayrollPeriod(Query):
    period: str  # YYYY-MM
