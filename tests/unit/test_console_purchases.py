"""The purchase form's own reading: a one-off purchase needs a vendor offered for the category, the item in words,
a quoted price in euros as typed and the quote's reference; each mistake is named beside its field in every
language before anything is sent. Only vendors whose kind may deliver the category are offered."""

from __future__ import annotations

import pytest

from services.console.purchases import PurchaseForm, vendors_for
from shared.i18n import catalogue

SHOP, CLEANER = "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"
KINDS = {"categories": {"equipment": ["goods_and_tickets"], "cleaning": ["social_care", "other_service"]},
         "other_categories": ["other_service"]}
VENDORS = [{"provider_id": CLEANER, "name": "Siivous Oy", "vendor_kind": "social_care"},
           {"provider_id": SHOP, "name": "Lastentarvike Oy", "vendor_kind": "goods_and_tickets"}]


def read(**typed: str) -> PurchaseForm:
    fields = {"vendor_id": SHOP, "description": "Lastenrattaat", "quantity": "1", "price": "1 190,00",
              "quote_reference": "TARJ-1", "link": ""} | typed
    return PurchaseForm.read(**fields, vendors={SHOP})


def test_a_quoted_item_in_euros_as_typed_becomes_the_marketplaces_body() -> None:
    form = read(quantity="2", link="https://kauppa.example/rattaat")
    assert form.errors == []
    assert form.body("c1", "equipment") == {
        "client_id": "c1", "vendor_id": SHOP, "category": "equipment", "description": "Lastenrattaat", "quantity": 2,
        "unit_price_cents": 119_000, "quote_reference": "TARJ-1", "link": "https://kauppa.example/rattaat"}
    assert form.amount_cents == 238_000
    assert read(quantity="").quantity == 1  # one, unless said otherwise


@pytest.mark.parametrize(("typed", "field", "key"), [
    ({"vendor_id": CLEANER}, "vendor-0", "buy.error.vendor_missing"),  # not offered for the category
    ({"description": "  "}, "description", "buy.error.description_missing"),
    ({"quantity": "0"}, "quantity", "buy.error.quantity_invalid"),
    ({"price": "sata euroa"}, "price", "buy.error.price_invalid"),
    ({"price": "0,00"}, "price", "buy.error.price_invalid"),
    ({"price": "100 000,01"}, "price", "buy.error.price_invalid"),
    ({"quote_reference": ""}, "quote", "buy.error.quote_missing"),
    ({"link": "kauppa.example"}, "link", "buy.error.link_invalid"),
])
def test_each_mistake_is_named_beside_its_field(typed: dict[str, str], field: str, key: str) -> None:
    assert read(**typed).errors == [(field, key)]


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_every_mistake_reads_in_every_language(language: str) -> None:
    t = catalogue().translator("console", language)
    form = PurchaseForm.read("", "", "x", "", "", "ftp://x", vendors=set())
    assert len(form.errors) == 6
    assert all(t.has(key) for _, key in form.errors)


def test_only_vendors_whose_kind_may_deliver_the_category_are_offered_by_name() -> None:
    assert [v["name"] for v in vendors_for("equipment", VENDORS, KINDS)] == ["Lastentarvike Oy"]
    assert [v["name"] for v in vendors_for("cleaning", VENDORS, KINDS)] == ["Siivous Oy"]
    assert vendors_for("recreation", VENDORS, KINDS) == []  # only other services may, and none is verified
