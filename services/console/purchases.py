"""What the purchase pages need beyond the marketplace's answers: reading a one-off purchase as the worker types it
(the vendor chosen, the item in words, the quoted price in euros, the quote's reference) into the body
``POST /purchases`` takes, each mistake named beside its field before anything is sent; and which verified vendors
may deliver a category (the region's vendor kinds, ``GET /vendor-kinds``).

The console decides nothing: the marketplace checks the vendor's kind and status again, budgeting the remaining
funds, and a purchase above the worker's delegated authority waits for a manager."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from typing import Any

from services.console.provider import cents_of

DESCRIPTION_MAX, QUOTE_MAX, LINK_MAX = 500, 64, 2000  # the marketplace's PurchaseBody
MAX_UNIT_CENTS = 10_000_000
_LINK = re.compile(r"^https?://\S+$")
Errors = list[tuple[str, str]]  # (the field's id, the catalogue key of the mistake)


def vendors_for(category: str, vendors: list[dict[str, Any]], kinds: dict[str, Any]) -> list[dict[str, Any]]:
    """The verified vendors whose kind may deliver the category, by name (a category the table does not name goes
    to the kinds it allows for any other category)."""
    allowed = set(kinds.get("categories", {}).get(category) or kinds.get("other_categories") or [])
    return sorted((v for v in vendors if v.get("vendor_kind") in allowed), key=lambda v: str(v.get("name", "")))


@dataclass
class PurchaseForm:
    vendor_id: str
    description: str
    quantity: int | None
    unit_price_cents: int | None
    quote_reference: str
    link: str
    errors: Errors = field(default_factory=list)

    @classmethod
    def read(cls, vendor_id: str, description: str, quantity: str, price: str, quote_reference: str, link: str,
             vendors: set[str]) -> PurchaseForm:
        """The item from a vendor offered for the category, as the vendor quoted it: what, how many, the price of
        one with VAT in euros, the quote's reference (a purchase is made on a quote), and a link if there is one."""
        typed_quantity = quantity.strip() or "1"
        form = cls(vendor_id if vendor_id in vendors else "", description.strip(),
                   int(typed_quantity) if typed_quantity.isdigit() else None, cents_of(price),
                   quote_reference.strip(), link.strip())
        if not form.vendor_id:
            form.errors.append(("vendor-0", "buy.error.vendor_missing"))
        if not form.description:
            form.errors.append(("description", "buy.error.description_missing"))
        elif len(form.description) > DESCRIPTION_MAX:
            form.errors.append(("description", "buy.error.description_too_long"))
        if form.quantity is None or not 1 <= form.quantity <= 1000:
            form.errors.append(("quantity", "buy.error.quantity_invalid"))
        if form.unit_price_cents is None or not 0 < form.unit_price_cents <= MAX_UNIT_CENTS:
            form.errors.append(("price", "buy.error.price_invalid"))
        if not form.quote_reference:
            form.errors.append(("quote", "buy.error.quote_missing"))
        elif len(form.quote_reference) > QUOTE_MAX:
            form.errors.append(("quote", "buy.error.quote_too_long"))
        if form.link and (len(form.link) > LINK_MAX or not _LINK.match(form.link)):
            form.errors.append(("link", "buy.error.link_invalid"))
        return form

    @property
    def amount_cents(self) -> int:
        return (self.quantity or 0) * (self.unit_price_cents or 0)

    def body(self, client_id: str, category: str) -> dict[str, Any]:
        return {"client_id": client_id, "vendor_id": self.vendor_id, "category": category,
                "description": self.description, "quantity": self.quantity, "unit_price_cents": self.unit_price_cents,
                "quote_reference": self.quote_reference, "link": self.link or None}


async def purchases_of(services: Any, token: str, client_id: str, limit: int = 20) -> list[dict[str, Any]]:
    """The client's purchases, newest first, each with what was bought in words (the list carries no words about
    the client: the item is read from each purchase, opened with the client's key and logged by the marketplace)."""
    rows: list[dict[str, Any]] = await services.get("marketplace", "/purchases", token,
                                                    params={"client_id": client_id, "limit": limit})
    return list(await asyncio.gather(*(services.get("marketplace", f"/purchases/{r['purchase_id']}", token)
                                       for r in rows)))
