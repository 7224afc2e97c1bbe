"""What the provider's pages need beyond the marketplace's answers: which step an order waits for, and reading an
invoice as a person types it (euros with a comma, a reference with spaces) into the API's integers and checking
it, so that a mistake is shown beside its field instead of as a refusal."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from shared.kernel.identifiers import InvalidIdentifier, validate_payment_reference

MAX_CENTS = 100_000_000
_EUROS = re.compile(r"^(?P<euros>\d{1,7})(?:[,.](?P<cents>\d{1,2}))?$")

# The status an order is in -> the steps its provider can take now (the marketplace checks them again).
STEPS = {"confirmed": ("accept", "decline"), "accepted": ("deliver",), "delivered": ("invoice",)}


def steps_of(status: str) -> tuple[str, ...]:
    return STEPS.get(status, ())


def cents_of(typed: str) -> int | None:
    """Euros as typed (``1 190,00``, ``1190.5``, ``240``; spaces and no-break spaces ignored, an optional €)
    -> integer cents; None when it is not an amount."""
    compact = re.sub(r"[\s\u00a0\u202f€]", "", typed)
    match = _EUROS.match(compact)
    if match is None:
        return None
    cents = (match["cents"] or "0").ljust(2, "0")
    return int(match["euros"]) * 100 + int(cents)


@dataclass
class InvoiceForm:
    amount_cents: int | None
    vat_cents: int | None
    reference: str | None
    errors: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def read(cls, amount: str, vat: str, reference: str) -> InvoiceForm:
        form = cls(cents_of(amount), cents_of(vat), None)
        if form.amount_cents is None or form.amount_cents > MAX_CENTS:
            form.errors.append(("amount", "provider.invoice.amount_invalid"))
        if form.vat_cents is None:
            form.errors.append(("vat", "provider.invoice.vat_invalid"))
        elif form.amount_cents is not None and form.vat_cents > form.amount_cents:
            form.errors.append(("vat", "provider.invoice.vat_above_amount"))
        try:
            form.reference = validate_payment_reference(reference)
        except InvalidIdentifier:
            form.errors.append(("reference", "provider.invoice.reference_invalid"))
        return form

    def body(self) -> dict[str, Any]:
        return {"amount_cents": self.amount_cents, "vat_cents": self.vat_cents, "reference": self.reference}
