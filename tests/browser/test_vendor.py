"""A new provider in a real browser against the real stack: registers its firm (a mistyped Y-tunnus stopped beside
its field, in the page's language, nothing sent), sees what the region still has to check by the criteria of its
kind, and once verified publishes a service and changes its price (new orders get the new one, the old price stays
in the history); a vendor invoices a purchase the client received from its page (a mistyped reference
stopped, nothing sent) and sees that it is paid, and on which day. Every page passes axe-core in
Finnish and Swedish, the pages with errors too."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import date
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser

from shared.i18n import catalogue
from shared.infra.auth import TokenIssuer
from shared.infra.settings import DEV_SECRET
from tests.browser.conftest import Demo, sign_in, visitor
from tests.browser.test_console import screenshot
from tests.browser.world import client_with_budget, temporary_hetu, worker_token
from tests.support import deadline

pytestmark = pytest.mark.browser

FIRM = "Uusi Arki Oy"
TOKENS = TokenIssuer(DEV_SECRET)


TAKEN = "1618033-3"


def register_elsewhere(demo: Demo, y_tunnus: str) -> None:
    """Another firm, with its own user, already holds ``y_tunnus``."""
    r = httpx.post(f"{demo.stack.url('marketplace')}/providers", timeout=10,
                   headers={"Authorization": f"Bearer {TOKENS.issue('prov-kopio', 'provider')}"},
                   json={"y_tunnus": y_tunnus, "name": "Vanha Arki Oy", "kind": "firm", "service_areas": ["Pori"],
                         "languages": ["fi"], "accessibility": "-", "contact_email": "info@vanha-arki.example"})
    assert r.status_code == 201, r.text


def verify(demo: Demo) -> None:
    """The region verifies the firm (its own page is tested in test_verification.py)."""
    provider = {"Authorization": f"Bearer {TOKENS.issue('prov-uusi', 'provider')}"}
    region = {"Authorization": f"Bearer {TOKENS.issue('manager-helmi', 'manager')}"}
    with httpx.Client(base_url=demo.stack.url("marketplace"), timeout=10) as http:
        pid = http.get("/providers/own", headers=provider).json()["provider_id"]
        http.post(f"/providers/{pid}/verification", headers=region, json={"checklist": {
            "soteri_register": True, "self_monitoring_plan": True, "liability_insurance": True,
            "tax_debt_certificate": True, "accessibility_described": True}}).raise_for_status()


async def test_a_new_provider_registers_sees_what_it_lacks_and_publishes_a_service(browser: Browser, demo: Demo) -> None:
    sv = await visitor(browser, demo.url, lang="sv")  # the form and its errors in Swedish; nothing is sent
    try:
        await sign_in(sv, "prov-uusi", "staff")
        await sv.goto("/provider/profile")
        assert sv.page.url.endswith("/provider/registration")  # not registered yet: the registration form
        needs = await sv.page.locator("#vendor_kind").inner_text()  # the conditions are the marketplace's words
        assert "endast när välfärdsområdets inköp" in needs and "hyvinvointialueen" not in needs
        await sv.page.get_by_label("FO-nummer").fill("2617416-5")
        await sv.page.get_by_role("button", name="Registrera").click()
        await sv.page.wait_for_load_state()
        await sv.check()
        summary = await sv.page.locator(".error-summary").inner_text()
        assert "Kontrollera FO-numret" in summary and "Välj vad du säljer" in summary
    finally:
        await sv.context.close()

    v = await visitor(browser, demo.url)
    try:
        await sign_in(v, "prov-uusi", "staff")
        await v.goto("/provider/registration")
        await v.page.get_by_label("Yrityksen tai yhdistyksen nimi").fill(FIRM)
        await v.page.get_by_label("Y-tunnus").fill("2617416-5")  # a typo in the check digit
        await v.page.get_by_label("Yritys", exact=True).check()
        await v.page.locator("#vendor_kind-social_care").check()
        await v.page.get_by_label("Toiminta-alue").fill("Pori, Ulvila")
        await v.page.get_by_label("Yhteyssähköposti").fill("toimisto@uusiarki.example")
        await v.page.get_by_role("button", name="Rekisteröidy").click()
        await v.page.wait_for_load_state()
        await v.check()
        assert "Tarkista Y-tunnus" in await v.page.locator(".error-summary").inner_text()
        assert await v.page.get_by_label("Yrityksen tai yhdistyksen nimi").input_value() == FIRM  # kept as typed
        await asyncio.to_thread(register_elsewhere, demo, TAKEN)
        await v.page.get_by_label("Y-tunnus").fill(TAKEN)  # another firm's: refused beside the field, in words
        await v.page.get_by_role("button", name="Rekisteröidy").click()
        await v.page.wait_for_load_state()
        await v.check()
        assert "Tällä Y-tunnuksella on jo rekisteröity" in await v.page.locator(".error-summary").inner_text()
        await v.page.get_by_label("Y-tunnus").fill("2718282-8")
        await v.page.get_by_role("button", name="Rekisteröidy").click()
        await v.page.wait_for_url(lambda url: url.endswith("/provider/profile?registered=1"))
        await v.check()
        missing = await v.page.locator("main").inner_text()
        assert "Mitä vielä puuttuu" in missing and "Odottaa todentamista" in missing

        await asyncio.to_thread(verify, demo)
        await v.page.get_by_role("link", name="Palvelut ja hinnat").click()
        await v.page.wait_for_load_state()
        await v.check()
        await v.page.get_by_label("Palvelun nimi").fill("Kotiapu arkeen")
        await v.page.get_by_label("Kuvaus").fill("Kotiapu kaksi tuntia kerrallaan.")
        await v.page.get_by_label("Hinta", exact=True).fill("90 €")
        await v.page.get_by_role("button", name="Julkaise palvelu").click()
        await v.page.wait_for_load_state()
        await v.check()
        summary = await v.page.locator(".error-summary").inner_text()
        assert "Valitse palvelun luokka" in summary and "Valitse arvonlisäverokanta" in summary
        await v.page.locator("#category").select_option(index=1)
        await v.page.get_by_label("Arvonlisävero").select_option("0")
        await v.page.get_by_label("Yksikkö").select_option("visit")
        await v.page.get_by_role("button", name="Julkaise palvelu").click()
        await v.page.wait_for_url(lambda url: url.endswith("done=published"))
        await v.check()
        assert "90,00\u00a0€ / käynti" in await v.page.locator("section.offering").inner_text()

        await v.page.get_by_label("Uusi hinta euroina").fill("95,50")
        await v.page.get_by_role("button", name="Vaihda hinta").click()
        await v.page.wait_for_url(lambda url: url.endswith("done=price"))
        await v.check()
        offering = await v.page.locator("section.offering").inner_text()
        assert "95,50\u00a0€ / käynti" in offering and "Hintahistoria" in offering and "90,00\u00a0€" in offering
        await screenshot(v.page, "console-vendor-offerings.png")
    finally:
        await v.context.close()


def _wait_for(check: Callable[[], Any], what: str) -> Any:
    until = time.monotonic() + deadline(60)
    while not (value := check()):
        assert time.monotonic() < until, what
        time.sleep(0.25)
    return value


def tickets_received(demo: Demo, individual: int) -> str:
    """A new client's recreation money buys tickets from Siisti Koti Oy (the demo firm, whose kind may deliver
    recreation) and the worker confirms they arrived: the purchase (its id) now waits for the firm's invoice."""
    person = {"hetu": temporary_hetu("080880", individual), "given_name": "Lotta", "family_name": "Lippunen",
              "language": "fi"}
    cid = client_with_budget(demo, person, category="recreation", cents=30_000, support="Perheen vapaa-aika",
                             goal="Lasten kanssa pääsee yhdessä ulos")
    worker = worker_token()
    manager = {"Authorization": f"Bearer {TOKENS.issue('manager-helmi', 'manager')}"}
    with httpx.Client(base_url=demo.stack.url("marketplace"), timeout=10) as http:
        _wait_for(lambda: http.get("/purchases", params={"client_id": cid}, headers=worker).status_code == 200,
                  "the marketplace never heard of the client's decided budget")
        firm = next(p for p in http.get("/providers", headers=manager, params={"status": "verified"}).json()
                    if p["name"] == "Siisti Koti Oy")
        r = http.post("/purchases", headers=worker, json={
            "client_id": cid, "vendor_id": firm["provider_id"], "category": "recreation",
            "description": "Kylpylän perheliput", "unit_price_cents": 8_900, "quote_reference": "KYLPY-7"})
        assert r.status_code == 202, r.text
        purchase: str = r.json()["purchase_id"]
        _wait_for(lambda: http.get(f"/purchases/{purchase}", headers=worker).json()["status"] == "confirmed",
                  "the purchase was never confirmed")
        answer = http.post(f"/purchases/{purchase}/receipt", headers=worker,
                           json={"received_on": date.today().isoformat()})
        assert answer.status_code == 200, answer.text
    return purchase


def invoice_approved(demo: Demo, purchase: str) -> str:
    """The worker approves the firm's invoice for the client; budgeting records the spending and the county
    schedules the payment: the day it pays."""
    worker, firm_user = worker_token(), {"Authorization": f"Bearer {TOKENS.issue('prov-siisti', 'provider')}"}
    with httpx.Client(base_url=demo.stack.url("marketplace"), timeout=10) as http:
        answer = http.post(f"/purchases/{purchase}/invoice/approval", headers=worker)
        assert answer.status_code == 200, answer.text
        _wait_for(lambda: http.get(f"/purchases/{purchase}", headers=worker).json()["status"] == "payment_scheduled",
                  "the payment was never scheduled")
        pay_on: str = http.get(f"/purchases/{purchase}", headers=firm_user).json()["payment"]["pay_on"]
    return pay_on


@pytest.mark.parametrize("lang", ["fi", "sv"])
async def test_a_vendor_invoices_a_purchase_from_its_page_and_sees_when_it_is_paid(
        browser: Browser, demo: Demo, lang: str) -> None:
    purchase = await asyncio.to_thread(tickets_received, demo, {"fi": 975, "sv": 976}[lang])
    t = catalogue().translator("console", lang)
    words = {"fi": ("maksetaan", "Maksu ajoitettu"), "sv": ("betalas", "Betalningen schemalagd")}[lang]
    v = await visitor(browser, demo.url, lang=lang)
    try:
        await sign_in(v, "prov-siisti", "staff")
        await v.goto(f"/provider/purchases/{purchase}")
        assert "Kylpylän perheliput" in await v.page.locator("h1").inner_text()
        assert "Lotta" not in await v.page.locator("main").inner_text()  # the client is never named

        # A mistyped reference is stopped beside its field, in the page's language; nothing is sent.
        await v.page.get_by_label(t("provider.invoice.amount")).fill("89,00")
        await v.page.get_by_label(t("provider.invoice.vat")).fill("12,35")
        await v.page.get_by_label(t("provider.invoice.reference")).fill("1232 9")
        await v.page.get_by_role("button", name=t("provider.invoice.button")).click()
        await v.page.wait_for_selector("#reference-error")
        await v.check()  # the page with its error summary, axe included
        assert t("provider.invoice.reference_invalid") in await v.page.locator(".error-summary").inner_text()
        assert await v.page.locator("#status").inner_text() == t.of("marketplace", "purchase.delivered")

        await v.page.get_by_label(t("provider.invoice.reference")).fill("1232 8")
        await v.page.get_by_role("button", name=t("provider.invoice.button")).click()
        await v.page.wait_for_selector("#invoice-heading", state="detached")
        await v.check()
        assert await v.page.locator("#status").inner_text() == t.of("marketplace", "purchase.invoiced")

        pay_on = await asyncio.to_thread(invoice_approved, demo, purchase)
        day = t.date(pay_on)
        await v.goto("/provider/purchases")
        row = v.page.locator("tbody tr", has=v.page.locator(f"a[href='/provider/purchases/{purchase}']"))
        assert f"{words[0]} {day}" in await row.inner_text()
        await row.get_by_role("link").click()
        await v.page.wait_for_url(f"{demo.url}/provider/purchases/{purchase}")
        await v.check()
        said = await v.page.locator("#payment-status").inner_text()
        assert words[1] in said and day in said and "89,00\u00a0€" in said
    finally:
        await v.context.close()
