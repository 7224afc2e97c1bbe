"""Reading a provider's own forms as a person types them: the registration (the Y-tunnus checked by its check digit
as typed, municipalities as a list, an e-mail address that looks like one) and an offering (a price in euros with a
comma), so that a mistake is shown beside its field instead of as a refusal. The marketplace checks all of it
again; the console decides nothing."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from services.console.provider import cents_of
from shared.kernel.identifiers import InvalidIdentifier, validate_y_tunnus

KINDS = ("firm", "ngo", "sole_trader", "public")  # contracts.marketplace.ProviderKind
LANGUAGES = ("fi", "sv", "en")
VAT_RATES = (0, 1000, 1400, 2550)  # the Finnish rates in basis points: exempt (social care), 10 %, 14 %, 25.5 %
UNITS = ("visit", "hour", "month", "item", "ticket")
MAX_PRICE_CENTS = 10_000_000
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

Errors = list[tuple[str, str]]  # (field, catalogue key)


@dataclass
class RegistrationForm:
    body: dict[str, Any] = field(default_factory=dict)
    errors: Errors = field(default_factory=list)

    @classmethod
    def read(cls, typed: dict[str, Any], vendor_kinds: tuple[str, ...]) -> RegistrationForm:
        form = cls()
        name = str(typed.get("name", "")).strip()
        if not name:
            form.errors.append(("name", "vendor.error.name_missing"))
        try:
            y_tunnus = validate_y_tunnus(str(typed.get("y_tunnus", "")))
        except InvalidIdentifier:
            y_tunnus = ""
            form.errors.append(("y_tunnus", "vendor.error.y_tunnus_invalid"))
        kind = typed.get("kind")
        if kind not in KINDS:
            form.errors.append(("kind", "vendor.error.kind_missing"))
        vendor_kind = typed.get("vendor_kind")
        if vendor_kind not in vendor_kinds:
            form.errors.append(("vendor_kind", "vendor.error.vendor_kind_missing"))
        areas = [a.strip() for a in re.split(r"[,;\n]", str(typed.get("service_areas", ""))) if a.strip()]
        if not areas:
            form.errors.append(("service_areas", "vendor.error.areas_missing"))
        languages = [lang for lang in typed.get("languages", []) if lang in LANGUAGES]
        if not languages:
            form.errors.append(("languages", "vendor.error.languages_missing"))
        email = str(typed.get("contact_email", "")).strip()
        if not _EMAIL.match(email):
            form.errors.append(("contact_email", "vendor.error.email_invalid"))
        accessibility = str(typed.get("accessibility", "")).strip()
        if len(accessibility) > 2000:
            form.errors.append(("accessibility", "vendor.error.too_long"))
        form.body = {"y_tunnus": y_tunnus, "name": name[:200], "kind": kind, "vendor_kind": vendor_kind,
                     "service_areas": areas[:200], "languages": languages, "accessibility": accessibility,
                     "evening_availability": bool(typed.get("evening")), "weekend_availability": bool(typed.get("weekend")),
                     "contact_email": email, "contact_phone": str(typed.get("contact_phone", "")).strip()[:40] or None}
        return form


@dataclass
class OfferingForm:
    body: dict[str, Any] = field(default_factory=dict)
    errors: Errors = field(default_factory=list)

    @classmethod
    def read(cls, typed: dict[str, Any], categories: tuple[str, ...]) -> OfferingForm:
        form = cls()
        category = typed.get("category")
        if category not in categories:
            form.errors.append(("category", "vendor.error.category_missing"))
        title = str(typed.get("title", "")).strip()
        if not title or len(title) > 200:
            form.errors.append(("title", "vendor.error.title_missing" if not title else "vendor.error.too_long"))
        description = str(typed.get("description", "")).strip()
        if not description or len(description) > 4000:
            form.errors.append(("description", "vendor.error.description_missing" if not description
                                else "vendor.error.too_long"))
        price = price_of(str(typed.get("price", "")))
        if price is None:
            form.errors.append(("price", "vendor.error.price_invalid"))
        vat = typed.get("vat_rate_bp")
        vat_bp = int(vat) if isinstance(vat, str) and vat.isdigit() and int(vat) in VAT_RATES else None
        if vat_bp is None:
            form.errors.append(("vat_rate_bp", "vendor.error.vat_missing"))
        unit = typed.get("unit")
        if unit not in UNITS:
            form.errors.append(("unit", "vendor.error.unit_missing"))
        availability = str(typed.get("availability", "")).strip()
        if len(availability) > 400:
            form.errors.append(("availability", "vendor.error.too_long"))
        form.body = {"category": category, "title": title, "description": description, "unit_price_cents": price,
                     "vat_rate_bp": vat_bp, "unit": unit, "availability": availability}
        return form


def price_of(typed: str) -> int | None:
    """A price in euros as typed (``120,00``, ``95``), within what the marketplace takes; None otherwise."""
    cents = cents_of(typed)
    return cents if cents is not None and cents <= MAX_PRICE_CENTS else None
