"""Support persons in a real browser against the real stack (issue 19, part 4; ADR 0028): the worker records a
grandmother with her own consent and the hetu and IBAN payroll pays her by (a mistyped hetu and IBAN and a missing
consent stopped in words beside their fields, nothing written), makes an hourly agreement within the budget after a
check-your-answers page, records a month's hours on her word and approves them; a claim beyond the agreement is
refused in words and writes nothing. In Swedish an agreement above the worker's delegation waits for a manager. The
client reads their support persons on their own page. Every page, error pages too, passes axe-core."""

from __future__ import annotations

import asyncio
import time
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser

from tests.browser.conftest import Demo, Visitor, sign_in, visitor
from tests.browser.test_console import screenshot
from tests.browser.world import client_with_budget, temporary_hetu, worker_token
from tests.support import deadline

pytestmark = pytest.mark.browser
NBSP = "\u00a0"
IBAN = "FI21 1234 5600 0007 85"


def a_client_with_support_money(demo: Demo, individual: int, given: str, family: str, language: str) -> str:
    """A new client of worker-aino's with 4 000 € decided for support persons, known to the marketplace."""
    person = {"hetu": temporary_hetu("120384", individual), "given_name": given, "family_name": family,
              "language": language}
    cid = client_with_budget(demo, person, category="informal_support", cents=400_000,
                             support="Isoäidin lastenhoito", goal="Vanhemmat jaksavat arjessa")
    until = time.monotonic() + deadline(60)
    with httpx.Client(base_url=demo.stack.url("marketplace"), headers=worker_token(), timeout=10) as http:
        while http.get("/agreements", params={"client_id": cid}).status_code != 200:  # heard of the decision
            assert time.monotonic() < until, "the marketplace never heard of the client's decided budget"
            time.sleep(0.25)
    return cid


def support_of(demo: Demo, cid: str) -> dict[str, Any]:
    answer = httpx.get(f"{demo.stack.url('marketplace')}/clients/{cid}/support", headers=worker_token(), timeout=10)
    answer.raise_for_status()
    return answer.json()  # type: ignore[no-any-return]


def claims_of(demo: Demo, agreement_id: str) -> list[dict[str, Any]]:
    answer = httpx.get(f"{demo.stack.url('marketplace')}/agreements/{agreement_id}", headers=worker_token(),
                       timeout=10)
    answer.raise_for_status()
    return answer.json()["claims"]  # type: ignore[no-any-return]


async def submit(v: Visitor, name: str) -> None:
    async with v.page.expect_navigation():
        await v.page.get_by_role("button", name=name, exact=True).click()
    await v.check()


async def follow(v: Visitor, name: str) -> None:
    async with v.page.expect_navigation():
        await v.page.get_by_role("link", name=name, exact=True).click()
    await v.check()


async def expect_status(v: Visitor, words: str) -> None:
    """Reload the agreement's page until it says the status (budgeting answers through Kafka)."""
    until = time.monotonic() + deadline(30)
    while (await v.page.locator("#agreement-status").inner_text()).strip() != words:
        assert time.monotonic() < until, f"the agreement never came to be {words!r}"
        await asyncio.sleep(0.5)
        await v.page.reload()
    await v.check()


async def record_person(v: Visitor, name: str, relationship: str, tasks: str, consent: str, hetu: str,
                        iban: str) -> None:
    await v.page.fill("#name", name)
    await v.page.get_by_label(relationship, exact=True).check()
    await v.page.fill("#tasks", tasks)
    await v.page.get_by_label(consent, exact=True).check()
    await v.page.fill("#hetu", hetu)
    await v.page.fill("#iban", iban)


def period() -> tuple[str, str]:
    """This month and the next."""
    first = date.today().replace(day=1)
    end = (first + timedelta(days=62)).replace(day=1) - timedelta(days=1)
    return first.isoformat(), end.isoformat()


async def test_a_worker_records_a_grandmother_makes_her_agreement_and_approves_her_hours(
        browser: Browser, demo: Demo) -> None:
    cid = await asyncio.to_thread(a_client_with_support_money, demo, 971, "Outi", "Uupunut", "fi")
    grandmother = temporary_hetu("010150", 973)
    v = await visitor(browser, demo.url)
    try:
        await sign_in(v, "worker-aino", "staff")
        await v.goto(f"/clients/{cid}")
        await follow(v, "Tukihenkilöt ja sopimukset")
        assert await v.page.locator("h1").inner_text() == "Tukihenkilöt: Outi Uupunut"
        assert "Suunnitelmaan ei ole kirjattu tukihenkilöitä." in await v.page.locator("main").inner_text()
        await follow(v, "Kirjaa tukihenkilö")

        # A mistyped hetu and IBAN and no consent: named at the top and beside their fields, nothing written.
        await v.page.fill("#name", "Aili Virtanen")
        await v.page.get_by_label("Sukulainen tai läheinen", exact=True).check()
        await v.page.fill("#tasks", "Hoitaa lapsia kahtena iltapäivänä viikossa")
        await v.page.fill("#hetu", grandmother[:-1] + ("A" if grandmother[-1] != "A" else "B"))
        await v.page.fill("#iban", "FI21 1234 5600 0007 86")
        await submit(v, "Kirjaa tukihenkilö")
        summary = await v.page.locator(".error-summary").inner_text()
        assert "Henkilötunnuksen tarkistusmerkki ei täsmää" in summary
        assert "Tarkista tilinumero" in summary and "omalla suostumuksellaan" in summary
        assert await v.page.locator(".error-summary a[href='#hetu']").count() == 1
        assert await v.page.get_attribute("#iban", "aria-invalid") == "true"
        assert await v.page.input_value("#name") == "Aili Virtanen"  # what was typed stays
        assert await v.page.evaluate("document.activeElement.classList.contains('error-summary')")
        assert (await asyncio.to_thread(support_of, demo, cid))["support_persons"] == []

        await record_person(v, "Aili Virtanen", "Sukulainen tai läheinen",
                            "Hoitaa lapsia kahtena iltapäivänä viikossa",
                            "Tukihenkilö on itse antanut suostumuksensa tänään", grandmother, IBAN)
        await submit(v, "Kirjaa tukihenkilö")
        assert "Tukihenkilö on kirjattu suunnitelmaan." in await v.page.locator("[role=status]").inner_text()
        persons = await v.page.locator("#persons-table").inner_text()
        assert "Aili Virtanen" in persons and "Sukulainen tai läheinen" in persons and "kirjattu" in persons

        # The agreement: 15 € an hour for at most 20 hours and expenses up to 50 €, checked before it is sent.
        await follow(v, "Tee toimeksiantosopimus")
        await v.page.get_by_label("Aili Virtanen (Sukulainen tai läheinen)", exact=True).check()
        await v.page.get_by_label("Tuntipalkkio", exact=True).check()
        start, end = period()
        await v.page.fill("#fee", "15,00")
        await v.page.fill("#max_hours", "20")
        await v.page.fill("#expenses_cap", "50,00")
        await v.page.fill("#period_start", start)
        await v.page.fill("#period_end", end)
        await v.page.fill("#earnings_type", "")
        await submit(v, "Jatka")
        assert "Kirjoita tulolajin koodi" in await v.page.locator(".error-summary").inner_text()
        await v.page.fill("#earnings_type", "216")
        await submit(v, "Jatka")
        assert await v.page.locator("h1").inner_text() == "Tarkista sopimus ennen lähettämistä"
        answers = await v.page.locator("#answers").inner_text()
        assert "Aili Virtanen" in answers and f"15,00{NBSP}€ tunnilta, enintään 20 tuntia" in answers
        assert await v.page.locator("#cost").inner_text() == f"350,00{NBSP}€"
        assert "odottaa esihenkilön hyväksyntää" in await v.page.locator("#approval-note").inner_text()
        await submit(v, "Tee sopimus")
        assert await v.page.locator("h1").inner_text() == "Sopimus: Aili Virtanen"
        await expect_status(v, "voimassa")
        agreement_id = v.page.url.rsplit("/", 1)[1]

        # Her month's hours, recorded on her word, then approved.
        await v.page.get_by_label("Palkkio", exact=True).check()
        await v.page.fill("#month", date.today().strftime("%Y-%m"))
        await v.page.fill("#hours", "12")
        await submit(v, "Kirjaa vaatimus")
        claims = await v.page.locator("#claims-table").inner_text()
        assert "12 tuntia" in claims and f"180,00{NBSP}€" in claims

        # Beyond the agreement (12 + 9 > 20 hours): refused in words, nothing written.
        await v.page.get_by_label("Palkkio", exact=True).check()
        await v.page.fill("#hours", "9")
        await submit(v, "Kirjaa vaatimus")
        summary = await v.page.locator(".error-summary").inner_text()
        assert "Tunnit ylittävät sopimuksen" in summary and "Mitään ei kirjattu" in summary
        assert len(await asyncio.to_thread(claims_of, demo, agreement_id)) == 1

        approve = v.page.locator("#claims-table button")
        assert (await approve.inner_text()).replace(NBSP, " ") == "Hyväksy 180,00 €"
        async with v.page.expect_navigation():
            await approve.click()
        await v.check()
        assert "Korvausvaatimus on hyväksytty" in await v.page.locator("[role=status]").inner_text()
        await screenshot(v.page, "console-support-agreement.png")
        assert {c["status"] for c in await asyncio.to_thread(claims_of, demo, agreement_id)} <= {
            "approved", "payment_scheduled"}

        await v.goto(f"/clients/{cid}/support")
        listed = await v.page.locator("#agreements-table").inner_text()
        assert "Aili Virtanen" in listed and "voimassa" in listed and f"180,00{NBSP}€" in listed
    finally:
        await v.context.close()


async def test_in_swedish_a_person_form_with_mistakes_and_an_agreement_above_the_limit_that_waits(
        browser: Browser, demo: Demo) -> None:
    cid = await asyncio.to_thread(a_client_with_support_money, demo, 972, "Stina", "Stöd", "sv")
    v = await visitor(browser, demo.url, lang="sv")
    try:
        await sign_in(v, "worker-aino", "staff")
        await v.goto(f"/clients/{cid}/support/person")
        await submit(v, "Anteckna stödpersonen")
        summary = await v.page.locator(".error-summary").inner_text()
        assert "Skriv stödpersonens namn" in summary and "Välj relationen till klienten" in summary
        assert (await asyncio.to_thread(support_of, demo, cid))["support_persons"] == []

        await record_person(v, "Greta Granne", "Vän", "Handlar åt familjen",
                            "Stödpersonen har själv gett sitt samtycke i dag", temporary_hetu("020255", 974), IBAN)
        await submit(v, "Anteckna stödpersonen")
        assert "Greta Granne" in await v.page.locator("#persons-table").inner_text()

        # 1 000 € a month for three months and 200 € of expenses: above the worker's 3 000 €, it waits.
        await follow(v, "Gör ett uppdragsavtal")
        await v.page.get_by_label("Greta Granne (Vän)", exact=True).check()
        await v.page.get_by_label("Arvode per månad", exact=True).check()
        first = date.today().replace(day=1)
        await v.page.fill("#fee", "1 000,00")
        await v.page.fill("#expenses_cap", "200,00")
        await v.page.fill("#period_start", first.isoformat())
        await v.page.fill("#period_end", ((first + timedelta(days=93)).replace(day=1) - timedelta(days=1)).isoformat())
        await v.page.fill("#earnings_type", "216")
        await submit(v, "Fortsätt")
        assert await v.page.locator("#cost").inner_text() == f"3{NBSP}200,00{NBSP}€"
        await submit(v, "Gör avtalet")
        assert await v.page.locator(".error-summary").count() == 0, await v.page.locator("main").inner_text()
        assert await v.page.locator("h1").inner_text() == "Avtal: Greta Granne"
        await expect_status(v, "väntar på godkännande")
        waiting = await v.page.locator("#waiting").inner_text()
        assert "Avtalet väntar på chefens godkännande" in waiting and f"3{NBSP}200,00{NBSP}€" in waiting
    finally:
        await v.context.close()


def a_support_person_for_the_demo_client(demo: Demo) -> None:
    with httpx.Client(base_url=demo.stack.url("marketplace"), headers=worker_token(), timeout=10) as http:
        r = http.post("/support-persons", json={
            "client_id": demo.client_id("citizen-demo"), "relationship": "peer_supporter",
            "tasks": "Lähtee mukaan kuntosalille", "name": "Veera Vertainen", "consent_given": True,
            "consent_on": date.today().isoformat()})
        assert r.status_code == 201, r.text


async def test_the_client_reads_their_support_persons(browser: Browser, demo: Demo) -> None:
    await asyncio.to_thread(a_support_person_for_the_demo_client, demo)
    for lang, title, role in (("fi", "Tukihenkilöni", "Vertaistukija"), ("sv", "Mina stödpersoner", "Kamratstödjare")):
        v = await visitor(browser, demo.url, lang=lang)
        try:
            await sign_in(v, "citizen-demo", "citizen")
            await v.goto(f"/my/support?lang={lang}")  # the page's language, not the demo client's stored choice
            assert await v.page.locator("h1").inner_text() == title
            persons = await v.page.locator("#persons-table").inner_text()
            assert "Veera Vertainen" in persons and role in persons
            assert await v.page.locator("main form").count() == 0  # to read: the worker records and changes
        finally:
            await v.context.close()
