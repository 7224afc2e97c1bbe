"""A vendor invoices a one-off purchase from its page: the form is there only while the purchase waits for its
invoice (received by the client, not yet invoiced); amount, VAT and reference are checked as typed before anything
is sent, and so is the quote's ceiling; the marketplace's refusal is shown on the page in words."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.console_pages import console, person

PURCHASE = "3f9a0f6e-1c2b-4d5e-8f70-112233445566"
VENDOR = person(user_id="prov-siisti", role="provider")


def viewed(status: str) -> dict[str, Any]:
    return {"purchase_id": PURCHASE, "client_id": "7b0c4a57-5b7e-4d57-9a3c-0a3b1b7c9a11", "status": status,
            "description": "Kylpylän perheliput", "category": "recreation", "quantity": 1,
            "unit_price_cents": 8_900, "amount_cents": 8_900, "refusal": None, "payment": None}


def marketplace(status: str = "delivered", invoice: httpx.Response | None = None):  # type: ignore[no-untyped-def]
    def answer(request: httpx.Request) -> httpx.Response:
        if request.method == "GET" and request.url.path == f"/purchases/{PURCHASE}":
            return httpx.Response(200, json=viewed(status))
        if request.method == "POST" and request.url.path == f"/purchases/{PURCHASE}/invoice":
            return invoice or httpx.Response(200, json={"purchase_id": PURCHASE, "version": 5})
        return httpx.Response(404, json={"code": "not-found"})
    return answer


def posted(sent: list[httpx.Request]) -> list[httpx.Request]:
    return [r for r in sent if r.method == "POST"]


@pytest.mark.parametrize(("status", "shown"), [("delivered", True), ("confirmed", False), ("invoiced", False)])
async def test_the_invoice_form_is_there_only_while_the_purchase_waits_for_its_invoice(status: str,
                                                                                      shown: bool) -> None:
    async with console(marketplace(status), VENDOR) as c:
        page = await c.http.get(f"/provider/purchases/{PURCHASE}", headers={"Accept-Language": "fi"})
    assert page.status_code == 200
    assert (f'action="/provider/purchases/{PURCHASE}/invoice"' in page.text) is shown


async def test_the_vendor_invoices_and_the_marketplace_gets_the_amounts_in_cents() -> None:
    async with console(marketplace(), VENDOR) as c:
        answer = await c.http.post(f"/provider/purchases/{PURCHASE}/invoice",
                                   data=c.form(amount="89,00", vat="12,35", reference="1232 8"))
    assert answer.status_code == 303 and answer.headers["location"] == f"/provider/purchases/{PURCHASE}"
    [sent] = posted(c.sent)
    assert json.loads(sent.content) == {"amount_cents": 8_900, "vat_cents": 1_235, "reference": "12328"}


@pytest.mark.parametrize(("fields", "field", "words"), [
    ({"amount": "89,00", "vat": "12,35", "reference": "1232 9"}, "reference", "Viitenumero ei ole oikein"),
    ({"amount": "kahdeksan", "vat": "0", "reference": "1232 8"}, "amount", None),
    ({"amount": "89,00", "vat": "90,00", "reference": "1232 8"}, "vat", None),
    ({"amount": "89,01", "vat": "12,35", "reference": "1232 8"}, "amount", "suurempi kuin yllä näkyvä"),
])
async def test_a_mistyped_invoice_is_stopped_at_its_field_and_nothing_is_sent(fields: dict[str, str], field: str,
                                                                             words: str | None) -> None:
    async with console(marketplace(), VENDOR) as c:
        answer = await c.http.post(f"/provider/purchases/{PURCHASE}/invoice", data=c.form(**fields),
                                   headers={"Accept-Language": "fi"})
    assert answer.status_code == 422
    assert f'href="#{field}"' in answer.text and f'id="{field}-error"' in answer.text
    assert f'value="{fields[field]}"' in answer.text  # what they typed, kept to correct
    if words:
        assert words in answer.text
    assert posted(c.sent) == []


async def test_the_marketplaces_refusal_is_shown_on_the_page_in_words() -> None:
    refusal = httpx.Response(409, json={"type": "about:blank", "title": "x", "status": 409, "code": "purchase-state"},
                             headers={"content-type": "application/problem+json"})
    async with console(marketplace(invoice=refusal), VENDOR) as c:
        answer = await c.http.post(f"/provider/purchases/{PURCHASE}/invoice",
                                   data=c.form(amount="89,00", vat="12,35", reference="1232 8"),
                                   headers={"Accept-Language": "sv"})
    assert answer.status_code == 409 and 'id="refused"' in answer.text
    assert "Köpets läge tillåter inte detta" in answer.text
    assert "Kylpylän perheliput" in answer.text  # the purchase's own page, not a bare error
