"""The auditor in a real browser against the real stack: states a purpose before reading anything, finds a client,
compares the case as it stood at an earlier moment with now, sees that the hash chains hold, reads the client's
access log (and finds their own reads in it, with the purpose they stated), and the log's integrity: signed
checkpoints, the audit replay, dead letters. In Finnish and Swedish; every page passes axe-core. No control on
these pages writes anything."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Browser

from tests.browser.conftest import Demo, Visitor, sign_in, visitor
from tests.browser.test_console import screenshot

pytestmark = pytest.mark.browser


async def no_write_controls(v: Visitor) -> None:
    """An auditor's page has no form that posts (the sign-out in the header aside) and no form field but
    searches, a purpose and an instant."""
    posting = await v.page.locator("main form[method=post]").count()
    assert posting == 0, f"{v.page.url} renders a form that writes"


async def test_an_auditor_states_a_purpose_compares_a_case_then_and_now_and_reads_the_access_log(
        browser: Browser, demo: Demo) -> None:
    v = await visitor(browser, demo.url)
    try:
        await sign_in(v, "auditor-otso", "staff")
        assert re.search(r"/audit$", v.page.url)  # the purpose first: nothing is read before it
        assert "Mihin tarkoitukseen luet tietoja?" in await v.page.locator("h1").inner_text()
        await v.page.get_by_role("button", name="Jatka").click()  # no purpose chosen: the browser asks for one
        assert re.search(r"/audit$", v.page.url)
        await v.page.get_by_label("Tarkastus").check()
        await v.page.get_by_role("button", name="Jatka").click()
        await v.page.wait_for_url(re.compile(r"/audit\?purpose=audit$"))
        await v.check()
        await no_write_controls(v)

        await v.page.get_by_label("Nimi").fill("demo as")
        await v.page.locator("form[action='/audit/find'] button").click()
        await v.page.wait_for_url(re.compile(r"/audit/find\?"))
        await v.check()
        await v.page.get_by_role("link", name="Demo Asiakas").click()
        await v.page.wait_for_url(re.compile(r"/audit/clients/[0-9a-f-]{36}\?purpose=audit$"))
        await v.check()
        await no_write_controls(v)
        main = await v.page.locator("main").inner_text()
        assert "Kaikki tapahtumaketjut ovat ehjiä" in main
        assert "Budjetista tehtiin päätös" in main  # the timeline in words
        assert "4\u00a0000,00\u00a0€" in main  # the amount decided, now

        # The case as it stood when the client was registered (the oldest event: the last of the list).
        entries = v.page.locator("section[aria-labelledby=timeline] li")
        count = await entries.count()
        assert count >= 5
        await entries.nth(count - 1).get_by_role("link").click()
        await v.page.wait_for_url(re.compile(r"as_of="))
        await v.check()
        comparison = v.page.locator("section[aria-labelledby=compare] table")
        assert await comparison.locator("thead th").count() == 3  # fact, then, now: side by side
        decided = await comparison.locator("tr", has_text="Päätetty summa").inner_text()
        assert "0,00\u00a0€" in decided and "4\u00a0000,00\u00a0€" in decided and "muuttunut" in decided
        later = v.page.locator("section[aria-labelledby=timeline] li", has_text="valitun hetken jälkeen")
        assert 1 <= await later.count() < count  # what came after the registration is marked as later
        assert await v.page.input_value("#as_of")  # the chosen moment, in the county's clock, can be edited
        await screenshot(v.page, "console-audit-as-of.png")

        await v.page.get_by_role("link", name=re.compile("Kuka on katsonut asiakkaan Demo Asiakas tietoja")).click()
        await v.page.wait_for_url(re.compile(r"/audit/access\?"))
        await v.check()
        mine = v.page.locator("tbody tr", has_text="auditor-otso")
        assert await mine.count() >= 1  # the auditor's own reads are in the log ...
        assert "tarkastus" in (await mine.first.inner_text()).lower()  # ... with the purpose stated

        await v.page.get_by_role("link", name="auditor-otso").first.click()  # everything this user has read
        await v.page.wait_for_url(re.compile(r"user_id=auditor-otso"))
        await v.check()
        assert "Mitä käyttäjä auditor-otso on katsonut" in await v.page.locator("h2").first.inner_text()
        assert await v.page.locator("tbody tr", has_text="Demo Asiakas").count() >= 1
    finally:
        await v.context.close()


async def test_an_auditor_reads_the_logs_integrity_in_swedish(browser: Browser, demo: Demo) -> None:
    v = await visitor(browser, demo.url, lang="sv")
    try:
        await sign_in(v, "auditor-otso", "staff")
        assert await v.page.get_attribute("html", "lang") == "sv"
        await v.goto("/audit/integrity")  # no purpose in the address: the question comes first
        assert "För vilket syfte läser du uppgifterna?" in await v.page.locator("h1").inner_text()
        await v.page.get_by_label("Granskning").check()
        await v.page.get_by_role("button", name="Fortsätt").click()
        await v.page.wait_for_url(re.compile(r"/audit/integrity\?purpose=audit$"))
        await v.check()
        await no_write_controls(v)
        main = await v.page.locator("main").inner_text()
        checkpoints = v.page.locator("table").first
        assert await checkpoints.locator("tbody tr").count() >= 5, main  # one row per service
        assert "Ingen granskningskörning har registrerats ännu." in main
        await v.page.get_by_role("link", name="plan och budget").click()
        await v.page.wait_for_url(re.compile(r"/audit/dead-letters/budgeting\?purpose=audit$"))
        await v.check()
        assert "Inga obehandlade meddelanden." in await v.page.locator("main").inner_text()

        client = demo.client_id("citizen-demo")
        await v.goto(f"/audit/clients/{client}?purpose=audit")
        assert "Alla händelsekedjor är hela" in await v.page.locator("main").inner_text()
        await v.goto(f"/audit/clients/{client}?purpose=audit&as_of=not-a-moment")
        assert "Ange datum och klockslag." in await v.page.locator("main").inner_text()
    finally:
        await v.context.close()


async def test_a_worker_cannot_open_the_auditors_pages(browser: Browser, demo: Demo) -> None:
    v = await visitor(browser, demo.url)
    try:
        await sign_in(v, "worker-aino", "staff")
        response = await v.page.goto(f"{demo.url}/audit/integrity?purpose=audit")
        assert response is not None and response.status == 403
        await v.check()
    finally:
        await v.context.close()
