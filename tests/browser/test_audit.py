"""The auditor in a real browser against the real stack: states a purpose before reading anything, finds a client,
compares the case as it stood at an earlier moment with now, sees that the hash chains hold, reads the client's
access log (and finds their own reads in it, with the purpose they stated), and the log's integrity: signed
checkpoints, the audit replay, dead letters. In Finnish and Swedish; every page passes axe-core. No control on
these pages writes anything."""

from __future__ import annotations

import re
import time

import httpx
import pytest
from playwright.async_api import Browser

from deploy.local import demo as demo_data
from shared.infra.auth import TokenIssuer
from shared.infra.settings import DEV_SECRET
from tests.browser.conftest import Demo, Visitor, sign_in, visitor
from tests.browser.test_console import screenshot
from tests.browser.world import temporary_hetu, worker_token
from tests.support import deadline

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


def restricted_case(demo: Demo, hetu: str, family_name: str, purpose: str) -> str:
    """A new client whose case a manager has restricted (GDPR art. 18): read only for ``purpose`` until lifted."""
    with httpx.Client(base_url=demo.stack.url("intake"), headers=worker_token(), timeout=10) as http:
        cid = demo_data.register(http, {"hetu": hetu, "given_name": "Rauha", "family_name": family_name})
    manager = {"Authorization": f"Bearer {TokenIssuer(DEV_SECRET).issue('manager-helmi', 'manager')}"}
    with httpx.Client(base_url=demo.stack.url("history"), headers=manager, timeout=10) as http:
        until = time.monotonic() + deadline(60)
        while http.get(f"/history/clients/{cid}").status_code == 404:  # the history follows the log
            assert time.monotonic() < until, "the case never reached the history"
            time.sleep(0.3)
        http.post(f"/history/clients/{cid}/restriction", json={
            "ground": "accuracy_contested", "purpose": purpose, "reference": "OIK-2026/41"}).raise_for_status()
    return cid


async def test_a_restricted_case_asks_for_its_recorded_purpose_before_it_opens(browser: Browser, demo: Demo) -> None:
    for_audit = restricted_case(demo, temporary_hetu("140372", 981), "Rajattu", "audit")
    for_decisions = restricted_case(demo, temporary_hetu("140372", 982), "Rajoitettu", "decision")
    for lang, (restricted, choice, button) in {
            "fi": ("Asiakkaan tietojen käsittelyä on rajoitettu.", "Tarkastus", "Jatka"),
            "sv": ("Behandlingen av klientens uppgifter är begränsad.", "Granskning", "Fortsätt")}.items():
        v = await visitor(browser, demo.url, lang=lang)
        try:
            await sign_in(v, "auditor-otso", "staff")
            response = await v.page.goto(f"{demo.url}/audit/clients/{for_audit}?purpose=supervision")
            assert response is not None and response.status == 403  # not for supervision: nothing of it is shown
            await v.check()
            main = await v.page.locator("main").inner_text()
            assert restricted in main and "Rauha" not in main
            assert await v.page.locator("input[name=purpose]").count() == 1  # the recorded purpose alone
            await v.page.get_by_label(choice).check()
            await v.page.get_by_role("button", name=button).click()
            await v.page.wait_for_url(re.compile(rf"/audit/clients/{for_audit}\?purpose=audit$"))
            await v.check()
            assert "Rauha Rajattu" in await v.page.locator("main").inner_text()

            response = await v.page.goto(f"{demo.url}/audit/clients/{for_decisions}?purpose=audit")
            assert response is not None and response.status == 403
            await v.check()
            assert await v.page.locator("main form").count() == 0  # decision-making is no auditor's purpose
            assert "Rauha" not in await v.page.locator("main").inner_text()
        finally:
            await v.context.close()


LEVEL_TEXTS = dict.fromkeys(("much_less_than_expected", "less_than_expected", "expected", "more_than_expected",
                             "much_more_than_expected"), "taso")


def goals_of(demo: Demo, client: str) -> int:
    with httpx.Client(base_url=demo.stack.url("budgeting"), headers=worker_token(), timeout=10) as http:
        return len(http.get(f"/budgets/{client}").json()["goals"])


def auditor_writes_directly(demo: Demo, client: str) -> httpx.Response:
    auditor = {"Authorization": f"Bearer {TokenIssuer(DEV_SECRET).issue('auditor-otso', 'auditor')}",
               "X-Access-Purpose": "audit"}
    with httpx.Client(base_url=demo.stack.url("budgeting"), headers=auditor, timeout=10) as http:
        return http.post(f"/budgets/{client}/goals", json={"title": "Tarkastajan tavoite", "baseline_level": -1,
                                                           "levels": LEVEL_TEXTS})


async def test_an_auditors_forged_post_is_refused_and_writes_nothing(browser: Browser, demo: Demo) -> None:
    client = demo.client_id("citizen-demo")
    goals_before = goals_of(demo, client)
    v = await visitor(browser, demo.url)
    try:
        await sign_in(v, "auditor-otso", "staff")
        csrf = await v.page.get_attribute("form[action='/sign-out'] input[name=csrf]", "value")
        sent = await v.context.request.post(f"{demo.url}/clients/{client}/plan/goals", max_redirects=0, form={
            "csrf": csrf or "", "title": "Tarkastajan tavoite", "baseline_level": "-1", **LEVEL_TEXTS})
        assert sent.status == 403  # the console renders no write control for an auditor and refuses a forged one
    finally:
        await v.context.close()
    direct = auditor_writes_directly(demo, client)
    assert direct.status_code == 403 and direct.json()["code"] == "read-only-role"  # and so does the service
    assert goals_of(demo, client) == goals_before
