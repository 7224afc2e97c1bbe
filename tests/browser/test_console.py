"""The console in a real browser against the real stack: a worker and a client sign in through the local OIDC
provider and read what they came for, in Finnish and Swedish; another worker is refused; one journey is done
with the keyboard alone; every page passes axe-core and fetches nothing from another origin."""

from __future__ import annotations

import os
import re
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, Page

from services.console.session import SESSION_COOKIE, Sealer, Session
from services.console.settings import DEV_SESSION_KEY
from shared.infra.auth import TokenIssuer
from shared.infra.settings import DEV_SECRET
from tests.browser.conftest import Demo, Visitor, sign_in, visitor

pytestmark = pytest.mark.browser
DOCS = Path(__file__).resolve().parents[2] / "docs"


async def screenshot(page: Page, name: str) -> None:
    """README pictures, written only when asked (AVAIN_SCREENSHOTS=1): a test run leaves the tree as it was."""
    if os.environ.get("AVAIN_SCREENSHOTS") == "1":
        await page.set_viewport_size({"width": 900, "height": 700})
        await page.screenshot(path=str(DOCS / name), full_page=False)
        await page.set_viewport_size({"width": 1024, "height": 800})


async def test_a_worker_finds_a_client_by_name_and_reads_the_case(browser: Browser, demo: Demo) -> None:
    v = await visitor(browser, demo.url)
    try:
        await v.goto("/sign-in")
        assert await v.page.get_attribute("html", "lang") == "fi"
        await sign_in(v, "worker-aino", "staff")
        assert v.page.url.endswith("/caseload")
        caseload = v.page.locator("main")
        assert "Demo Asiakas" in await caseload.inner_text()
        assert "Stina Lindqvist" in await caseload.inner_text()
        await screenshot(v.page, "console-caseload.png")

        await v.goto("/clients/search?name=demo+as")
        await v.page.get_by_role("link", name="Demo Asiakas").click()
        await v.page.wait_for_url(re.compile(r"/clients/[0-9a-f-]{36}$"))
        await v.check()
        main = await v.page.locator("main").inner_text()
        assert "Kotisiivous kahdesti kuukaudessa" in main  # the plan in the client's words
        assert "4\u00a0000,00\u00a0€" in main  # money as Finnish writes it
        assert await v.page.locator("#budget ~ figure svg[role=img], section[aria-labelledby=budget] svg[role=img]").count() == 1
        assert await v.page.locator("section[aria-labelledby=timeline] li").count() >= 5
        assert "Budjetista tehtiin päätös" in main  # the timeline in words
        # Staff by name from the staff directory, never by their id.
        assert "Omatyöntekijä" in main and "Aino Virtanen" in main and "worker-aino" not in main
    finally:
        await v.context.close()


async def test_another_worker_is_refused_the_client(browser: Browser, demo: Demo) -> None:
    v = await visitor(browser, demo.url)
    try:
        await sign_in(v, "worker-eero", "staff")
        response = await v.page.goto(f"{demo.url}/clients/{demo.client_id('citizen-demo')}")
        assert response is not None and response.status == 403
        await v.check()
        assert "Sinulla ei ole oikeutta tähän" in await v.page.locator("h1").inner_text()
        assert "Demo Asiakas" not in await v.page.content()
    finally:
        await v.context.close()


async def test_an_unknown_address_is_the_consoles_not_found_page_in_the_visitors_language(browser: Browser,
                                                                                            demo: Demo) -> None:
    for lang, title in (("fi", "Sivua ei löytynyt"), ("sv", "Sidan hittades inte")):
        v = await visitor(browser, demo.url, lang)
        try:
            response = await v.page.goto(f"{demo.url}/no/such/page")
            assert response is not None and response.status == 404
            await v.check()  # the page layout, axe-clean, never Starlette's JSON
            assert await v.page.locator("h1").inner_text() == title
        finally:
            await v.context.close()


async def test_a_client_reads_plan_budget_decisions_and_who_read_their_data_in_finnish_and_swedish(
        browser: Browser, demo: Demo) -> None:
    v = await visitor(browser, demo.url)
    try:
        await sign_in(v, "citizen-demo", "citizen")
        assert v.page.url.endswith("/my/plan")
        assert "Jaksan arjessa lasten kanssa" in await v.page.locator("main").inner_text()
        await v.goto("/my/budget")
        assert await v.page.locator("figure svg[role=img]").count() == 1
        assert await v.page.locator("table").count() >= 1
        await screenshot(v.page, "console-my-budget.png")
        await v.goto("/my/decisions")
        assert "oikaisua" in await v.page.locator("main").inner_text()
        await v.goto("/my/orders")
        await v.goto("/my/access")
        assert await v.page.locator("tbody tr").count() >= 1  # the worker's reads, at least
        who_read = await v.page.locator("main").inner_text()
        assert "Aino Virtanen" in who_read and "worker-aino" not in who_read  # by name, from the staff directory
        # Swedish: the language switch on the page, kept for the next pages.
        await v.page.get_by_role("button", name="svenska").click()
        await v.page.wait_for_url(re.compile(r"/my/access$"))
        await v.check()
        assert await v.page.get_attribute("html", "lang") == "sv"
        assert "Vem har läst mina uppgifter" in await v.page.locator("h1").inner_text()
        for path, words in (("/my/plan", "Min plan"), ("/my/budget", "Min budget"), ("/my/decisions", "omprövning"),
                            ("/my/orders", "Mina beställningar")):
            await v.goto(path)
            assert words in await v.page.locator("main").inner_text()
        await v.goto("/accessibility")
        assert "Tillgänglighetsutlåtande" in await v.page.locator("h1").inner_text()
    finally:
        await v.context.close()
    # The choice is the client's stored preference (kept by intake), not this browser's: another device opens in
    # Swedish although it asks for Finnish. Choosing Finnish there stores that again.
    other = await visitor(browser, demo.url, lang="fi")
    try:
        await sign_in(other, "citizen-demo", "citizen")
        assert await other.page.get_attribute("html", "lang") == "sv"
        await other.page.get_by_role("button", name="suomi").click()
        await other.page.wait_for_url(re.compile(r"/my/plan$"))
        assert await other.page.get_attribute("html", "lang") == "fi"
    finally:
        await other.context.close()


async def test_a_clients_stored_language_is_used_when_the_browser_asks_for_none_we_have(
        browser: Browser, demo: Demo) -> None:
    v = await visitor(browser, demo.url, lang="de")
    try:
        await sign_in(v, "citizen-stina", "citizen")  # registered with Swedish as her language
        assert await v.page.get_attribute("html", "lang") == "sv"
        assert "Min plan" in await v.page.locator("h1").inner_text()
    finally:
        await v.context.close()


async def test_a_form_without_its_csrf_token_is_refused(browser: Browser, demo: Demo) -> None:
    v = await visitor(browser, demo.url)
    try:
        await v.goto("/sign-in")
        refused = await v.context.request.post(f"{demo.url}/sign-in/staff", form={"next": "/"}, max_redirects=0)
        assert refused.status == 403
        forged = await v.context.request.post(f"{demo.url}/sign-in/staff", form={"next": "/", "csrf": "x" * 64},
                                              max_redirects=0)
        assert forged.status == 403
    finally:
        await v.context.close()


async def test_the_worker_journey_with_the_keyboard_alone(browser: Browser, demo: Demo) -> None:
    v = await visitor(browser, demo.url)
    try:
        await v.goto("/sign-in")
        await tab_to(v, "kirjaudu esimerkkihenkilönä")
        await v.page.keyboard.press("Enter")
        await v.page.wait_for_url(re.compile(r"/dev/sign-in$"))
        await v.check()
        await tab_to(v, "Aino Virtanen")
        await v.page.keyboard.press("Enter")
        await v.page.wait_for_url(re.compile(r"/caseload$"))
        await v.check()
        await tab_to(v, "Demo Asiakas")
        await v.page.keyboard.press("Enter")
        await v.page.wait_for_url(re.compile(r"/clients/[0-9a-f-]{36}$"))
        await v.check()
        await tab_to(v, "Budjetti")  # the section links lead on within the page
        await v.page.keyboard.press("Enter")
        await v.page.wait_for_url(re.compile(r"#budget$"))
    finally:
        await v.context.close()


async def tab_to(v: Visitor, text: str, limit: int = 60) -> None:
    """Tab until the focused element's text starts with ``text`` (what a keyboard user does)."""
    for _ in range(limit):
        await v.page.keyboard.press("Tab")
        focused = await v.page.evaluate("document.activeElement ? document.activeElement.innerText : ''")
        if focused and focused.strip().startswith(text):
            visible = await v.page.evaluate(
                "(() => { const s = getComputedStyle(document.activeElement); return s.outlineStyle !== 'none'; })()")
            assert visible, f"the focus on {text!r} is not visible"
            return
    raise AssertionError(f"{text!r} cannot be reached with Tab")


async def test_a_token_about_to_expire_is_renewed_without_signing_in_again(browser: Browser, demo: Demo) -> None:
    """Tokens last 15 minutes, the idle timeout is 30: the console renews the token with the provider's refresh
    token (a client's is exchanged again at intake), and the page goes on as if nothing happened."""
    for person, kind, path in (("worker-aino", "staff", "/caseload"), ("citizen-demo", "citizen", "/my/plan")):
        v = await visitor(browser, demo.url)
        try:
            await sign_in(v, person, kind)
            before = await session_of(v)
            await set_session(v, replace(before, expires_at=time.time() + 30))  # half a minute left
            response = await v.page.goto(demo.url + path)
            assert response is not None and response.status == 200 and v.page.url.endswith(path)
            after = await session_of(v)
            assert after.token != before.token and after.expires_at > time.time() + 600
            assert after.user_id == before.user_id and after.refresh_token
        finally:
            await v.context.close()


async def test_signing_out_ends_the_identity_providers_session_too(browser: Browser, demo: Demo) -> None:
    v = await visitor(browser, demo.url)
    try:
        await sign_in(v, "worker-aino", "staff")
        await v.page.get_by_role("button", name="Kirjaudu ulos").click()
        await v.page.wait_for_url(re.compile(r"/signed-out$"))
        await v.check()
        assert "Olet kirjautunut ulos" in await v.page.locator("main").inner_text()
        # Signing in again on this browser asks who it is: the provider's session is gone, not just ours.
        await v.page.get_by_role("button", name="Kirjaudu työtunnuksilla").click()
        await v.page.wait_for_url(re.compile(r"/interaction/"))
        assert "County identity provider" in await v.page.locator("h1").inner_text()
    finally:
        await v.context.close()


async def session_of(v: Visitor) -> Session:
    cookie = next(c["value"] for c in await v.context.cookies() if c["name"] == SESSION_COOKIE)
    opened = Sealer(DEV_SESSION_KEY).session(cookie)
    assert opened is not None
    return opened


async def set_session(v: Visitor, session: Session) -> None:
    await v.context.add_cookies([{"name": SESSION_COOKIE, "value": Sealer(DEV_SESSION_KEY).seal_session(session),
                                  "url": v.origin, "httpOnly": True, "sameSite": "Lax"}])


async def test_a_client_adds_a_wish_to_their_plan_and_an_empty_one_is_refused_in_their_words(
        browser: Browser, demo: Demo) -> None:
    """Issue 19: the client shapes their plan from their own sign-in. Stina reads Swedish (her stored language)."""
    v = await visitor(browser, demo.url, lang="sv")
    try:
        await sign_in(v, "citizen-stina", "citizen")
        await v.goto("/my/plan")
        before = await v.page.locator("main").inner_text()
        await v.page.get_by_role("button", name="Spara önskan").click()  # nothing written yet
        await v.page.wait_for_load_state()
        await v.check()  # the page with its error summary, axe included
        summary = v.page.locator(".error-summary")
        assert "Skriv din önskan innan du sparar" in await summary.inner_text()
        assert (await v.page.title()).startswith("Fel:")
        assert await v.page.get_attribute("#wish", "aria-invalid") == "true"
        await summary.get_by_role("link").click()  # the summary leads to the field
        assert await v.page.evaluate("document.activeElement.id") == "wish"

        wish = "Jag skulle vilja simma varje vecka"
        assert wish not in before
        await v.page.get_by_label("Din önskan med egna ord").fill(wish)
        await v.page.get_by_role("button", name="Spara önskan").click()
        await v.page.wait_for_url(re.compile(r"/my/plan\?wish=added$"))
        await v.check()
        main = await v.page.locator("main").inner_text()
        assert "Din önskan har sparats i din plan" in main and wish in main
    finally:
        await v.context.close()


async def test_a_client_asks_for_their_plan_to_be_reviewed_and_sees_it_is_being_handled(
        browser: Browser, demo: Demo) -> None:
    """Issue 19, item 5: the client asks for a review of the plan at any time, in their own words."""
    v = await visitor(browser, demo.url)
    try:
        await sign_in(v, "citizen-demo", "citizen")
        await v.goto("/my/plan")
        await v.page.get_by_label("Miksi? (vapaaehtoinen)").fill("Siivousta tarvitaan nyt viikoittain.")
        await v.page.get_by_role("button", name="Pyydä tarkistusta").click()
        await v.page.wait_for_url(re.compile(r"/my/plan\?review=asked$"))
        await v.check()
        main = await v.page.locator("main").inner_text()
        assert "Pyyntösi on lähetetty omatyöntekijällesi" in main
        assert "Omatyöntekijäsi käsittelee pyyntöä" in main  # the open request replaces the form
        assert await v.page.get_by_role("button", name="Pyydä tarkistusta").count() == 0
    finally:
        await v.context.close()


async def test_a_client_approves_the_invoice_of_a_service_they_received(browser: Browser, demo: Demo) -> None:
    """Issue 19, item 4: the provider has delivered and invoiced; the client approves the invoice on My orders."""
    order_id = demo.clients["citizen-demo"]["order_id"]
    provider = {"Authorization": f"Bearer {TokenIssuer(DEV_SECRET).issue('prov-siisti', 'provider')}"}
    async with httpx.AsyncClient(base_url=demo.stack.url("marketplace"), headers=provider, timeout=10) as market:
        order = (await market.get(f"/orders/{order_id}")).json()
        for step, body in (("acceptance", None), ("delivery", {"delivered_on": datetime.now(UTC).date().isoformat()}),
                           ("invoice", {"amount_cents": order["amount_cents"], "vat_cents": 0, "reference": "1232"})):
            answer = await market.post(f"/orders/{order_id}/{step}", json=body)
            assert answer.status_code == 200, (step, answer.text)
    v = await visitor(browser, demo.url)
    try:
        await sign_in(v, "citizen-demo", "citizen")
        await v.goto("/my/orders")
        await v.page.get_by_role("button", name="Hyväksy lasku: Kotisiivous").click()
        await v.page.wait_for_url(re.compile(r"/my/orders\?approved=1$"))
        await v.check()
        assert "Lasku on hyväksytty" in await v.page.locator("main").inner_text()
        assert await v.page.get_by_role("button", name=re.compile("Hyväksy lasku")).count() == 0
    finally:
        await v.context.close()
