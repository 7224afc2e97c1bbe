"""The manager's register of providers in a real browser against the real stack: a home-care firm that registered
waits in the verification queue; the manager reads what it lacks by the criteria of its kind, is stopped (in the
page's language, nothing changed) when not every criterion is ticked, and verifies it. Once it has an order, the
manager sees the open orders a suspension would touch, by the client's name, and suspends it with a reason. Every
page passes axe-core in Finnish and Swedish, the pages with errors too."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser

from deploy.local import demo as demo_data
from shared.infra.auth import TokenIssuer
from shared.infra.settings import DEV_SECRET
from tests.browser.conftest import Demo, sign_in, visitor
from tests.browser.test_console import screenshot
from tests.browser.world import client_with_budget, temporary_hetu

pytestmark = pytest.mark.browser

FIRM = "Hoivapolku Oy"
TOKENS = TokenIssuer(DEV_SECRET)


def bearer(user: str, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKENS.issue(user, role)}"}


def register_firm(demo: Demo) -> str:
    r = httpx.post(f"{demo.stack.url('marketplace')}/providers", headers=bearer("prov-hoiva", "provider"), timeout=10,
                   json={"y_tunnus": "2737462-7", "name": FIRM, "kind": "firm", "vendor_kind": "social_care",
                         "service_areas": ["Tampere"], "languages": ["fi", "sv"], "accessibility": "Kotikäynnit",
                         "contact_email": "toimisto@hoivapolku.example"})
    assert r.status_code == 201, r.text
    return r.json()["provider_id"]  # type: ignore[no-any-return]


def an_order_from(demo: Demo, provider_id: str) -> str:
    """The verified firm publishes home help; a new client of worker-aino's with a decided budget orders it."""
    worker = bearer("worker-aino", "worker")
    person = {"hetu": temporary_hetu("110482", 984), "given_name": "Tuula", "family_name": "Tilaaja",
              "language": "fi"}
    cid = client_with_budget(demo, person, category="home_help", cents=300_000, support="Kotiapu",
                             goal="Koti pysyy kunnossa")
    with httpx.Client(base_url=demo.stack.url("marketplace"), timeout=10) as http:
        published = http.post(f"/providers/{provider_id}/offerings", headers=bearer("prov-hoiva", "provider"), json={
            "category": "home_help", "title": "Kotiapu", "description": "Kotiapu 2 h", "unit_price_cents": 9_000,
            "vat_rate_bp": 0, "unit": "visit", "availability": "ma-pe"})
        published.raise_for_status()
        return demo_data.place_order(http, worker, cid, published.json()["offering_id"])


def provider_of(demo: Demo, provider_id: str) -> dict[str, Any]:
    r = httpx.get(f"{demo.stack.url('marketplace')}/providers/{provider_id}", headers=bearer("manager-helmi", "manager"),
                  timeout=10)
    r.raise_for_status()
    return r.json()  # type: ignore[no-any-return]


async def test_a_manager_verifies_a_firm_from_the_queue_and_suspends_it_seeing_the_orders_it_touches(
        browser: Browser, demo: Demo) -> None:
    pid = await asyncio.to_thread(register_firm, demo)

    sv = await visitor(browser, demo.url, lang="sv")  # in Swedish: the queue, and a verification left half done
    try:
        await sign_in(sv, "manager-helmi", "staff")
        await sv.goto("/providers")
        await sv.page.get_by_role("link", name=FIRM).click()
        await sv.page.wait_for_load_state()
        await sv.check()
        assert "Saknas" in await sv.page.locator("table").first.inner_text()  # what it still lacks
        await sv.page.get_by_role("button", name="Verifiera producenten").click()
        await sv.page.wait_for_load_state()
        await sv.check()
        assert "Kryssa för alla villkor" in await sv.page.locator(".error-summary").inner_text()
    finally:
        await sv.context.close()
    assert (await asyncio.to_thread(provider_of, demo, pid))["status"] == "unverified"  # nothing changed

    v = await visitor(browser, demo.url)
    try:
        await sign_in(v, "manager-helmi", "staff")
        await v.page.get_by_role("link", name="Palveluntuottajat").click()
        await v.page.wait_for_load_state()
        await v.check()
        await v.page.get_by_role("link", name=FIRM).click()
        await v.page.wait_for_load_state()
        for box in await v.page.locator("fieldset#criteria input[type=checkbox]").all():
            await box.check()
        await v.page.get_by_role("button", name="Todenna tuottaja").click()
        await v.page.wait_for_url(lambda url: url.endswith("done=verified"))
        await v.check()
        assert "Tuottaja on todennettu" in await v.page.locator("main").inner_text()
        assert (await asyncio.to_thread(provider_of, demo, pid))["status"] == "verified"

        await asyncio.to_thread(an_order_from, demo, pid)
        await v.page.reload()
        await v.check()
        touched = await v.page.locator("table").last.inner_text()
        assert "Tuula Tilaaja" in touched and "Kotiapu" in touched  # the orders it touches, by the client's name
        await v.page.locator("#suspension-heading").scroll_into_view_if_needed()
        await screenshot(v.page, "console-provider-suspension.png")
        await v.page.get_by_role("button", name="Keskeytä tuottaja").click()  # no reason: stopped
        await v.page.wait_for_load_state()
        await v.check()
        assert "Kirjoita keskeyttämisen syy" in await v.page.locator(".error-summary").inner_text()
        await v.page.get_by_label("Keskeyttämisen syy").fill("Valvontakäynnillä havaitut puutteet.")
        await v.page.get_by_role("button", name="Keskeytä tuottaja").click()
        await v.page.wait_for_url(lambda url: url.endswith("done=suspended"))
        await v.check()
    finally:
        await v.context.close()
    assert (await asyncio.to_thread(provider_of, demo, pid))["status"] == "suspended"
