"""A provider's registration and offering forms read as typed: each mistake named beside its field, in words from
the catalogue, before anything is sent."""

from __future__ import annotations

from services.console.vendor_forms import OfferingForm, RegistrationForm, price_of
from shared.i18n import catalogue

KINDS = ("social_care", "other_service", "goods_and_tickets")
GOOD = {"name": "Uusi Hoiva Oy", "y_tunnus": " 2617416-4 ", "kind": "firm", "vendor_kind": "social_care",
        "service_areas": "Pori, Ulvila;\nRauma", "languages": ["fi", "sv"], "contact_email": "info@uusihoiva.example",
        "accessibility": "Esteetön", "evening": "yes"}


def test_a_registration_as_typed_becomes_the_apis_body() -> None:
    form = RegistrationForm.read(GOOD, KINDS)
    assert form.errors == []
    assert form.body["y_tunnus"] == "2617416-4" and form.body["service_areas"] == ["Pori", "Ulvila", "Rauma"]
    assert form.body["evening_availability"] is True and form.body["weekend_availability"] is False


def test_each_mistake_in_a_registration_is_named_beside_its_field() -> None:
    form = RegistrationForm.read(GOOD | {"y_tunnus": "2617416-5", "contact_email": "info", "languages": [],
                                         "vendor_kind": "weapons", "service_areas": " , "}, KINDS)
    assert [f for f, _ in form.errors] == ["y_tunnus", "vendor_kind", "service_areas", "languages", "contact_email"]


def test_an_offering_price_is_read_in_euros_with_a_comma() -> None:
    form = OfferingForm.read({"category": "cleaning", "title": "Kotisiivous", "description": "3 h",
                              "price": "120,50", "vat_rate_bp": "2550", "unit": "visit"}, ("cleaning",))
    assert form.errors == [] and form.body["unit_price_cents"] == 12_050 and form.body["vat_rate_bp"] == 2550
    bad = OfferingForm.read({"category": "equipment", "price": "12O", "vat_rate_bp": "2400", "unit": "x"},
                            ("cleaning",))
    assert [f for f, _ in bad.errors] == ["category", "title", "description", "price", "vat_rate_bp", "unit"]
    assert price_of("100 000,01") is None and price_of("99 999,99") == 9_999_999


def test_every_error_is_in_every_language() -> None:
    keys = {k for _, k in RegistrationForm.read({}, KINDS).errors + OfferingForm.read({}, ()).errors}
    keys |= {"vendor.error.too_long"}
    for lang in ("fi", "sv", "en"):
        t = catalogue().translator("console", lang)
        assert all(t.has(k) for k in keys), lang
