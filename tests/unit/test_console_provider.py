"""An invoice as a provider types it: euros with a comma or a point, spaces, a euro sign; a reference with its
check digit. A mistake is found before anything is sent and named per field."""

from __future__ import annotations

from services.console.provider import InvoiceForm, cents_of, steps_of


def test_euros_as_typed_become_cents() -> None:
    assert cents_of("240") == 24_000
    assert cents_of("240,5") == 24_050 and cents_of("240.05") == 24_005
    assert cents_of("1 190,00 €") == 119_000 and cents_of("1\u00a0190,00") == 119_000
    for wrong in ("", "abc", "-5", "1,234", "12,3,4", "1e3"):
        assert cents_of(wrong) is None, wrong


def test_an_invoice_with_a_valid_reference_is_the_apis_body() -> None:
    form = InvoiceForm.read("240,00", "48,78", "1232 8")  # 1232 + its check digit 8 (weights 7-3-1)
    assert form.errors == []
    assert form.body() == {"amount_cents": 24_000, "vat_cents": 4_878, "reference": "12328"}


def test_each_mistake_is_named_beside_its_field() -> None:
    form = InvoiceForm.read("abc", "10", "12324")
    assert form.errors == [("amount", "provider.invoice.amount_invalid"),
                           ("reference", "provider.invoice.reference_invalid")]
    assert InvoiceForm.read("10", "20", "12328").errors == [("vat", "provider.invoice.vat_above_amount")]
    assert InvoiceForm.read("10", "", "RF18539007547034").errors == [("vat", "provider.invoice.vat_invalid")]


def test_an_order_offers_only_the_step_it_waits_for() -> None:
    assert steps_of("confirmed") == ("accept", "decline")
    assert steps_of("accepted") == ("deliver",) and steps_of("delivered") == ("invoice",)
    assert steps_of("invoiced") == () and steps_of("awaiting_funds") == ()
