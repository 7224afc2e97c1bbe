"""One-off purchases in a real browser against the real stack: the worker buys a stroller for a client from the
plan page, on a verified shop's quote, within their delegated limit (confirmed at once), and an item above it that
waits for a manager, whose refusal is then shown with its reasoning. A price that is not euros and a missing quote
are stopped in words beside their fields, and nothing is written. In Swedish too, with budgeting's refusal of an
item above the money left shown in words. The client confirms receipt of an item bought for them. A purchase
walked with the keyboard alone: the focus is always visible and lands on the error summary after a refused form.
Every page, error pages too, passes axe-core."""

from __future__ import annotations

import asyncio
import re
import time
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser

from shared.infra.auth import TokenIssuer
from shared.infra.settings import DEV_SECRET
from tests.browser.conftest import Demo, Visitor, sign_in, visitor
from tests.browser.test_console import tab_to
from tests.browser.world import client_with_budget, temporary_hetu
from tests.journeys import y_tunnus
from tests.support import deadline

pytestmark = pytest.mark.browser
NBSP = "\u00a0"


def _headers(user: str, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {TokenIssuer(DEV_SECRET).issue(user, role)}"}


WORKER = _headers("worker-aino", "worker")


def a_client_with_equipment_money(demo: Demo, individual: int, given: str, family: str, language: str) -> str:
    """A new client of worker-aino's with a decided budget of 4 500 € for equipment, known to the marketplace."""
    person = {"hetu": temporary_hetu("170791", individual), "given_name": given, "family_name": family,
              "language": language}
    cid = client_with_budget(demo, person, category="equipment", cents=450_000, support="Lastenrattaat",
                             goal="Lapsen kanssa liikkuminen sujuu")
    until = time.monotonic() + deadline(60)
    with httpx.Client(base_url=demo.stack.url("marketplace"), headers=WORKER, timeout=10) as http:
        while http.get("/purchases", params={"client_id": cid}).status_code != 200:  # heard of the decision
            assert time.monotonic() < until, "the marketplace never heard of the client's decided budget"
            time.sleep(0.25)
    return cid


def a_verified_shop(demo: Demo, user: str, body: int, name: str) -> str:
    """A shop (goods and tickets) the region has verified on its own criteria."""
    with httpx.Client(base_url=demo.stack.url("marketplace"), timeout=10) as http:
        r = http.post("/providers", headers=_headers(user, "provider"), json={
            "y_tunnus": y_tunnus(body), "name": name, "kind": "firm", "vendor_kind": "goods_and_tickets",
            "service_areas": ["Tampere"], "languages": ["fi", "sv"], "accessibility": "Esteetön myymälä",
            "contact_email": "myynti@kauppa.example"})
        assert r.status_code == 201, r.text
        shop: str = r.json()["provider_id"]
        http.post(f"/providers/{shop}/verification", headers=_headers("region-ritva", "manager"), json={
            "checklist": {"y_tunnus_valid": True, "payment_details": True}}).raise_for_status()
    return shop


def purchases_of(demo: Demo, cid: str) -> list[dict[str, Any]]:
    answer = httpx.get(f"{demo.stack.url('marketplace')}/purchases", params={"client_id": cid}, headers=WORKER,
                       timeout=10)
    answer.raise_for_status()
    return answer.json()  # type: ignore[no-any-return]


def refuse_as_manager(demo: Demo, purchase_id: str, reason: str) -> None:
    with httpx.Client(base_url=demo.stack.url("marketplace"), headers=_headers("manager-helmi", "manager"),
                      timeout=10) as http:
        http.post(f"/purchases/{purchase_id}/approval/refusal", json={"reason": reason}).raise_for_status()


async def submit(v: Visitor, name: str) -> None:
    async with v.page.expect_navigation():
        await v.page.get_by_role("button", name=name, exact=True).click()
    await v.check()


async def fill_purchase(v: Visitor, shop: str, item: str, price: str, quote: str) -> None:
    await v.page.get_by_label(shop, exact=True).check()
    await v.page.fill("#description", item)
    await v.page.fill("#price", price)
    await v.page.fill("#quote", quote)


async def test_a_worker_buys_a_stroller_and_an_item_above_the_limit_waits_and_its_refusal_is_shown(
        browser: Browser, demo: Demo) -> None:
    cid = await asyncio.to_thread(a_client_with_equipment_money, demo, 962, "Ronja", "Rattainen", "fi")
    await asyncio.to_thread(a_verified_shop, demo, "prov-rattaat-b", 7771231, "Rattaat ja Vaunut Oy")
    v = await visitor(browser, demo.url)
    try:
        await sign_in(v, "worker-aino", "staff")
        await v.goto(f"/clients/{cid}/plan")
        assert "Ei kertahankintoja." in await v.page.locator("main").inner_text()
        async with v.page.expect_navigation():
            await v.page.get_by_role("link", name="Osta kertahankinta").click()
        await v.check()
        assert await v.page.locator("h1").inner_text() == "Kertahankinta: Ronja Rattainen"

        # A price that is not euros and no quote: named at the top and beside their fields, nothing written.
        await fill_purchase(v, "Rattaat ja Vaunut Oy", "Lastenrattaat", "sata euroa", "")
        await submit(v, "Osta")
        summary = await v.page.locator(".error-summary").inner_text()
        assert "Kirjoita hinta euroina, esimerkiksi 1 190,00" in summary
        assert "Kirjoita tarjouksen viite" in summary
        assert await v.page.locator(".error-summary a[href='#price']").count() == 1
        assert await v.page.get_attribute("#price", "aria-invalid") == "true"
        assert await v.page.input_value("#description") == "Lastenrattaat"  # what was typed stays
        assert await v.page.evaluate("document.activeElement.classList.contains('error-summary')")
        assert await asyncio.to_thread(purchases_of, demo, cid) == []

        # Within the worker's limit: confirmed once budgeting holds the funds.
        await v.page.fill("#price", "1 190,00")
        await v.page.fill("#quote", "TARJ-2026-7")
        await submit(v, "Osta")
        assert await v.page.locator("h1").inner_text() == "Hankinta: Lastenrattaat"
        facts = await v.page.locator("dl.facts").inner_text()
        assert "Rattaat ja Vaunut Oy" in facts and "TARJ-2026-7" in facts and f"1{NBSP}190,00{NBSP}€" in facts
        await expect_status(v, "vahvistettu")

        # Above the worker's 2 000 €: it waits for a manager, then the manager's refusal is shown with its words.
        await v.goto(f"/clients/{cid}/plan/purchase")
        await fill_purchase(v, "Rattaat ja Vaunut Oy", "Sähköavusteinen kuljetuspyörä", "2 500,00", "TARJ-2026-8")
        await submit(v, "Osta")
        await expect_status(v, "odottaa hyväksyntää")
        waiting = await v.page.locator("#waiting").inner_text()
        assert "Hankinta odottaa esihenkilön hyväksyntää" in waiting and f"2{NBSP}500,00{NBSP}€" in waiting
        purchase_id = v.page.url.rsplit("/", 1)[1]
        await asyncio.to_thread(refuse_as_manager, demo, purchase_id, "Pyörälle ei ole perustetta tässä budjetissa.")
        await expect_status(v, "ei hyväksytty")
        refused = await v.page.locator("#refused").inner_text()
        assert "Esihenkilö ei hyväksynyt hankintaa" in refused
        assert "Pyörälle ei ole perustetta tässä budjetissa." in refused

        await v.goto(f"/clients/{cid}/plan")
        listed = await v.page.locator("#purchases-table").inner_text()
        assert "Lastenrattaat" in listed and "Sähköavusteinen kuljetuspyörä" in listed and "vahvistettu" in listed
    finally:
        await v.context.close()


async def expect_status(v: Visitor, words: str) -> None:
    """Reload the purchase's page until it says the status (budgeting and the manager answer through Kafka)."""
    until = time.monotonic() + deadline(30)
    while (await v.page.locator("#purchase-status").inner_text()).strip() != words:
        assert time.monotonic() < until, f"the purchase never came to be {words!r}"
        await asyncio.sleep(0.5)
        await v.page.reload()
    await v.check()


async def test_in_swedish_a_purchase_without_a_quote_is_stopped_and_one_above_the_funds_is_refused_in_words(
        browser: Browser, demo: Demo) -> None:
    cid = await asyncio.to_thread(a_client_with_equipment_money, demo, 963, "Siri", "Sjöberg", "sv")
    await asyncio.to_thread(a_verified_shop, demo, "prov-butik-b", 7772231, "Barnbutiken Ab")
    v = await visitor(browser, demo.url, lang="sv")
    try:
        await sign_in(v, "worker-aino", "staff")
        await v.goto(f"/clients/{cid}/plan/purchase")
        assert await v.page.locator("h1").inner_text() == "Engångsinköp: Siri Sjöberg"
        await fill_purchase(v, "Barnbutiken Ab", "Barnvagn", "1 190,00", "")
        await submit(v, "Köp")
        assert "Skriv offertens referens" in await v.page.locator(".error-summary").inner_text()
        assert await asyncio.to_thread(purchases_of, demo, cid) == []
        await v.page.fill("#quote", "OFF-12")
        await submit(v, "Köp")
        await expect_status(v, "bekräftat")
        assert "Inköp: Barnvagn" == await v.page.locator("h1").inner_text()

        # More than is left of the equipment money (4 500 € less 1 190 €): budgeting refuses it, said in words.
        await v.goto(f"/clients/{cid}/plan/purchase")
        await fill_purchase(v, "Barnbutiken Ab", "Elcykel", "3 400,00", "OFF-13")
        await submit(v, "Köp")
        await expect_status(v, "avslaget")
        refused = await v.page.locator("#refused").inner_text()
        assert "Inköpet kunde inte göras" in refused
        assert "Beloppet är större än vad som återstår av budgeten." in refused
    finally:
        await v.context.close()


async def test_a_purchase_with_the_keyboard_alone(browser: Browser, demo: Demo) -> None:
    """From the plan page to a refused form and on to the bought item with Tab, Shift+Tab, Space, arrows and
    Enter only: the focus is visible on every stop and lands on the error summary when the form is refused."""
    cid = await asyncio.to_thread(a_client_with_equipment_money, demo, 964, "Kalle", "Näppäimistö", "fi")
    await asyncio.to_thread(a_verified_shop, demo, "prov-nappi-b", 7773231, "Apuvälinekauppa Oy")
    v = await visitor(browser, demo.url)
    keys = v.page.keyboard
    try:
        await sign_in(v, "worker-aino", "staff")
        await v.goto(f"/clients/{cid}/plan")
        await tab_to(v, "Osta kertahankinta")
        await keys.press("Enter")
        await v.page.wait_for_url(re.compile(r"/plan/purchase$"))
        await v.check()
        await tab_to_field(v, "vendor-0")
        await keys.press("Space")  # the radio button is chosen
        assert await v.page.is_checked("#vendor-0")
        await keys.press("Tab")
        await keys.type("Rollaattori")
        await keys.press("Tab")  # the quantity keeps its 1
        await keys.press("Tab")
        await keys.type("kolmesataa")
        await keys.press("Shift+Tab")  # back to the quantity, and on again: nothing is lost
        assert await focused_id(v) == "quantity"
        await keys.press("Tab")
        await keys.press("Tab")
        await keys.type("TARJ-K1")
        await keys.press("Enter")  # submits the form
        await v.page.wait_for_load_state()
        await v.page.locator(".error-summary").wait_for()
        await v.check()
        assert await v.page.evaluate("document.activeElement.classList.contains('error-summary')")
        assert await outline_visible(v)
        await tab_to(v, "Kirjoita hinta euroina")  # the summary's link leads to the field
        await keys.press("Enter")
        await v.page.wait_for_url(re.compile(r"#price$"))
        await tab_to_field(v, "price")
        await keys.press("Control+A")
        await keys.type("300,00")
        await keys.press("Enter")
        await v.page.wait_for_url(re.compile(r"/plan/purchases/[0-9a-f-]{36}$"))
        await expect_status(v, "vahvistettu")
        assert await v.page.locator("h1").inner_text() == "Hankinta: Rollaattori"
    finally:
        await v.context.close()


async def focused_id(v: Visitor) -> str:
    return str(await v.page.evaluate("document.activeElement ? document.activeElement.id : ''"))


async def outline_visible(v: Visitor) -> bool:
    return bool(await v.page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement); return s.outlineStyle !== 'none'"
        " && parseFloat(s.outlineWidth) > 0; })()"))


async def tab_to_field(v: Visitor, field_id: str, limit: int = 60) -> None:
    """Tab until the field with that id has the focus, its focus ring visible. A link to a field (the error
    summary's) moves where Tab starts from without focusing it: one step back, then on."""
    if await focused_id(v) != field_id and await focused_id(v) == "":
        await v.page.keyboard.press("Shift+Tab")
    for _ in range(limit):
        if await focused_id(v) == field_id:
            assert await outline_visible(v), f"the focus on #{field_id} is not visible"
            return
        await v.page.keyboard.press("Tab")
    raise AssertionError(f"#{field_id} cannot be reached with Tab")


def tickets_bought_for_the_demo_client(demo: Demo) -> str:
    """The demo client's recreation money buys family tickets from the verified demo firm (a kind the region's
    table lets deliver recreation), confirmed by budgeting."""
    manager = _headers("manager-helmi", "manager")
    with httpx.Client(base_url=demo.stack.url("marketplace"), timeout=10) as http:
        firm = next(p for p in http.get("/providers", headers=manager, params={"status": "verified"}).json()
                    if p["name"] == "Siisti Koti Oy")
        r = http.post("/purchases", headers=WORKER, json={
            "client_id": demo.client_id("citizen-demo"), "vendor_id": firm["provider_id"], "category": "recreation",
            "description": "Huvipuistoliput", "unit_price_cents": 4_950, "quote_reference": "LIPUT-1"})
        assert r.status_code == 202, r.text
        purchase_id: str = r.json()["purchase_id"]
        until = time.monotonic() + deadline(30)
        while http.get(f"/purchases/{purchase_id}", headers=WORKER).json()["status"] != "confirmed":
            assert time.monotonic() < until, "the purchase was never confirmed"
            time.sleep(0.25)
    return purchase_id


async def test_the_client_confirms_they_received_an_item_bought_for_them(browser: Browser, demo: Demo) -> None:
    purchase_id = await asyncio.to_thread(tickets_bought_for_the_demo_client, demo)
    v = await visitor(browser, demo.url)
    try:
        await sign_in(v, "citizen-demo", "citizen")
        await v.goto("/my/purchases")
        async with v.page.expect_navigation():
            await v.page.get_by_role("button", name="Sain tuotteen: Huvipuistoliput").click()
        await v.check()
        assert v.page.url.endswith("/my/purchases?received=1")
        assert "Vastaanotto on kirjattu" in await v.page.locator("[role=status]").inner_text()
        assert await v.page.get_by_role("button", name="Sain tuotteen: Huvipuistoliput").count() == 0
        async with httpx.AsyncClient(base_url=demo.stack.url("marketplace"), headers=WORKER, timeout=10) as http:
            assert (await http.get(f"/purchases/{purchase_id}")).json()["status"] == "delivered"
    finally:
        await v.context.close()
