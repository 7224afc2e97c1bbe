"""Follow-up in a real browser against the real stack. The coordinating worker opens a client's follow-up from the
case page, records a check-in with where the client stands on their goal (GAS) and their account in their own
words, records a re-assessment and sees the change since intake as a chart with a table of the same numbers,
answers the client's request to end the case, and closes the case with its reason. A check-in without a goal's
level is stopped in words beside the field, and nothing is written; a closing that follow-up refuses (the client's
plan review is open) is shown in words. The client records how things are going in their own words from their own
pages and asks to end the case. In Swedish too. Every page, error pages too, passes axe-core."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser

from shared.infra.auth import TokenIssuer
from shared.infra.settings import DEV_SECRET
from tests.browser.conftest import Demo, Visitor, sign_in, visitor
from tests.browser.world import client_with_budget, temporary_hetu, worker_token
from tests.support import deadline

pytestmark = pytest.mark.browser
GOAL = "Jaksan hoitaa kodin ja lapset"


def followup_of(demo: Demo, cid: str) -> dict[str, Any]:
    answer = httpx.get(f"{demo.stack.url('followup')}/followups/{cid}", headers=worker_token(), timeout=10)
    answer.raise_for_status()
    return answer.json()  # type: ignore[no-any-return]


def ask_for_a_plan_review_as_the_client(demo: Demo, cid: str) -> None:
    client = {"Authorization": f"Bearer {TokenIssuer(DEV_SECRET).issue(cid, 'client')}"}
    httpx.post(f"{demo.stack.url('followup')}/followups/{cid}/plan-review", headers=client,
               json={"reason": "Jag vill byta tjänst."}, timeout=10).raise_for_status()


def ask_to_end_as_the_client(demo: Demo, cid: str) -> None:
    client = {"Authorization": f"Bearer {TokenIssuer(DEV_SECRET).issue(cid, 'client')}"}
    httpx.post(f"{demo.stack.url('followup')}/followups/{cid}/end-requests", headers=client,
               json={"reason": "Pärjään jo itse."}, timeout=10).raise_for_status()


def a_client_followed_up(demo: Demo, individual: int, given: str, family: str, language: str) -> str:
    """A new client of worker-aino's with a decided coaching budget whose follow-up has heard of the goal and of the
    decision (the first check-in is due)."""
    person = {"hetu": temporary_hetu("240288", individual), "given_name": given, "family_name": family,
              "language": language}
    cid = client_with_budget(demo, person, category="coaching", cents=150_000, goal=GOAL, support="Perhevalmennus")
    until = time.monotonic() + deadline(60)
    while True:
        answer = httpx.get(f"{demo.stack.url('followup')}/followups/{cid}", headers=worker_token(), timeout=10)
        if answer.status_code == 200 and answer.json()["follow_ups"] and answer.json()["goals"]:
            return cid
        assert time.monotonic() < until, "follow-up never heard of the client's goal and decided budget"
        time.sleep(0.25)


async def submit(v: Visitor, name: str) -> None:
    async with v.page.expect_navigation():
        await v.page.get_by_role("button", name=name, exact=True).click()
    await v.check()


async def test_the_worker_records_a_check_in_with_gas_levels_and_a_reassessment_and_closes_the_case(
        browser: Browser, demo: Demo) -> None:
    cid = await asyncio.to_thread(a_client_followed_up, demo, 941, "Outi", "Seurattava", "fi")
    v = await visitor(browser, demo.url)
    try:
        await sign_in(v, "worker-aino", "staff")
        await v.goto(f"/clients/{cid}")
        async with v.page.expect_navigation():
            await v.page.get_by_role("link", name="Avaa seuranta").click()
        await v.check()
        assert await v.page.locator("h1").inner_text() == "Seuranta: Outi Seurattava"
        assert await v.page.locator("#due-table tbody tr").count() == 1  # the first check-in is due

        # No level for the goal: named at the top and beside the goal, what was typed stays, nothing written.
        await v.page.get_by_label("Kotikäynti", exact=True).check()
        await v.page.fill("#client_account", "Valmennus auttaa, aamut sujuvat jo.")
        await v.page.fill("#worker_notes", "Sovittiin seuraava käynti.")
        await submit(v, "Tallenna seurantatapaaminen")
        summary = await v.page.locator(".error-summary").inner_text()
        assert "Valitse tavoitteen taso" in summary
        goal_id = (await asyncio.to_thread(followup_of, demo, cid))["goals"][0]["goal_id"]
        assert await v.page.locator(f".error-summary a[href='#goal-{goal_id}-much_less_than_expected']").count() == 1
        assert await v.page.evaluate("document.activeElement.classList.contains('error-summary')")
        assert await v.page.input_value("#client_account") == "Valmennus auttaa, aamut sujuvat jo."
        assert await v.page.is_checked("#contact-home_visit")
        assert (await asyncio.to_thread(followup_of, demo, cid))["check_ins"] == []

        # The level in the client's words: the check-in and the goal's score are recorded.
        await v.page.get_by_label("+1 Odotettua paremmin: Joka päivä", exact=True).check()
        await submit(v, "Tallenna seurantatapaaminen")
        assert "Seurantatapaaminen ja tavoitteiden tilanne on kirjattu." in \
            await v.page.locator("[role=status]").inner_text()
        assert "Valmennus auttaa, aamut sujuvat jo." in await v.page.locator("#check-in-list").inner_text()
        gas = await v.page.locator("#gas-table").inner_text()
        assert GOAL in gas and "−1 Odotettua huonommin" in gas and "+1 Odotettua paremmin" in gas
        recorded = await asyncio.to_thread(followup_of, demo, cid)
        assert len(recorded["check_ins"]) == 1 and recorded["goals"][0]["level"] == 1

        # A re-assessment: the change per area as a chart, with the same numbers in the table beside it.
        later = {"general_ability": 6, "mental_wellbeing": 7, "social_participation": 5, "physical_functioning": 7,
                 "competence": 6, "everyday_life": 8}
        for area, score in later.items():
            await v.page.select_option(f"#area-{area}", str(score))
        await v.page.fill("#own_words", "Jaksan nyt paremmin.")
        await submit(v, "Tallenna itsearvio")
        chart = v.page.locator("figure.chart svg[role=img]")
        assert await chart.count() == 1
        assert "Itsearvio alussa ja nyt" in str(await chart.locator("title").first.text_content())
        rows = await v.page.locator("#change-table tbody tr").all_inner_texts()
        assert len(rows) == 6
        mental = next(r for r in rows if r.startswith("henkinen hyvinvointi"))
        assert mental.split("\t")[1:] == ["4", "7", "+3"]

        # The client asks to end the case: the worker's answer needs a choice, then it is recorded with its reasons.
        await asyncio.to_thread(ask_to_end_as_the_client, demo, cid)
        await v.goto(f"/clients/{cid}/follow-up")
        assert "Pärjään jo itse." in await v.page.locator("section:has(#end-requests)").inner_text()
        await v.page.fill("#answer_note", "Sovitaan vielä yksi käynti ennen päättämistä.")
        await submit(v, "Lähetä vastaus")
        assert "Valitse vastaus" in await v.page.locator(".error-summary").inner_text()
        assert (await asyncio.to_thread(followup_of, demo, cid))["end_request_open"]
        await v.page.get_by_label("En suostu nyt", exact=True).check()
        await submit(v, "Lähetä vastaus")
        answered = await v.page.locator("section:has(#end-requests)").inner_text()
        assert "Työntekijä ei suostunut." in answered and "Sovitaan vielä yksi käynti" in answered
        assert not (await asyncio.to_thread(followup_of, demo, cid))["end_request_open"]

        # Closing: a reason is needed, then the case is closed with it.
        await submit(v, "Päätä asia")
        assert "Valitse, miksi asia päätetään" in await v.page.locator(".error-summary").inner_text()
        assert (await asyncio.to_thread(followup_of, demo, cid))["status"] == "open"
        await v.page.get_by_label("tavoitteet saavutettiin", exact=True).check()
        await submit(v, "Päätä asia")
        assert "tavoitteet saavutettiin" in await v.page.locator("#closed").inner_text()
        assert (await asyncio.to_thread(followup_of, demo, cid))["status"] == "closed"
    finally:
        await v.context.close()


async def test_in_swedish_a_check_in_without_the_clients_words_is_stopped_and_then_recorded(
        browser: Browser, demo: Demo) -> None:
    cid = await asyncio.to_thread(a_client_followed_up, demo, 942, "Sixten", "Sjölund", "sv")
    v = await visitor(browser, demo.url, lang="sv")
    try:
        await sign_in(v, "worker-aino", "staff")
        await v.goto(f"/clients/{cid}/follow-up")
        assert await v.page.locator("h1").inner_text() == "Uppföljning: Sixten Sjölund"
        await v.page.get_by_label("Telefonsamtal", exact=True).check()
        await v.page.fill("#worker_notes", "Ny tid bokad.")
        await v.page.get_by_label("0 Som väntat: Useimpina päivinä", exact=True).check()
        await submit(v, "Spara uppföljningsmötet")
        summary = await v.page.locator(".error-summary").inner_text()
        assert "Skriv hur det går, med klientens egna ord" in summary
        assert await v.page.get_attribute("#client_account", "aria-invalid") == "true"
        assert (await asyncio.to_thread(followup_of, demo, cid))["check_ins"] == []
        await v.page.fill("#client_account", "Det går bättre nu.")
        await submit(v, "Spara uppföljningsmötet")
        assert "Uppföljningsmötet och läget för målen har registrerats." in \
            await v.page.locator("[role=status]").inner_text()
        assert "Det går bättre nu." in await v.page.locator("#check-in-list").inner_text()

        # A re-assessment with an area left out is stopped in words.
        await v.page.select_option("#area-general_ability", "6")
        await submit(v, "Spara självbedömningen")
        assert "Välj bedömningen för området" in await v.page.locator(".error-summary").inner_text()
        assert (await asyncio.to_thread(followup_of, demo, cid))["reassessments"] == []

        # The client has asked for a plan review: follow-up refuses to close the case, said in words, nothing written.
        await asyncio.to_thread(ask_for_a_plan_review_as_the_client, demo, cid)
        await v.goto(f"/clients/{cid}/follow-up")
        await v.page.get_by_label("behoven ändrades", exact=True).check()
        await submit(v, "Avsluta ärendet")
        refused = await v.page.locator(".error-summary").inner_text()
        assert "Översynen av planen pågår" in refused and "Inget registrerades" in refused
        assert await v.page.is_checked("#reason-needs_changed")
        assert (await asyncio.to_thread(followup_of, demo, cid))["status"] == "open"
    finally:
        await v.context.close()


@pytest.mark.parametrize(("person", "lang", "words"), [
    ("citizen-demo", "fi", {"nav": "Seuranta", "send": "Lähetä", "missing": "Kirjoita, miten sinulla menee",
                            "done": "Kiitos. Kirjoittamasi on tallennettu", "end": "Pyydä asian päättämistä",
                            "ended": "Olet pyytänyt asiasi päättämistä."}),
    ("citizen-stina", "sv", {"nav": "Uppföljning", "send": "Skicka", "missing": "Skriv hur det går för dig",
                             "done": "Tack. Det du skrev har sparats", "end": None, "ended": None}),
])
async def test_the_client_records_how_things_are_going_in_their_own_words(
        browser: Browser, demo: Demo, person: str, lang: str, words: dict[str, str | None]) -> None:
    cid = demo.client_id(person)
    said = {"fi": "Siivousapu on auttanut, ehdin leikkiä lasten kanssa.", "sv": "Städhjälpen har hjälpt mig."}[lang]
    v = await visitor(browser, demo.url, lang=lang)
    try:
        await sign_in(v, person, "citizen")
        async with v.page.expect_navigation():
            await v.page.locator("nav.nav").get_by_role("link", name=str(words["nav"]), exact=True).click()
        await v.check()
        before = len((await asyncio.to_thread(followup_of, demo, cid))["own_check_ins"])

        await submit(v, str(words["send"]))
        assert str(words["missing"]) in await v.page.locator(".error-summary").inner_text()
        assert await v.page.get_attribute("#own-text", "aria-invalid") == "true"
        assert len((await asyncio.to_thread(followup_of, demo, cid))["own_check_ins"]) == before

        await v.page.fill("#own-text", said)
        await submit(v, str(words["send"]))
        assert str(words["done"]) in await v.page.locator("[role=status]").inner_text()
        assert said in await v.page.locator("#my-check-ins").inner_text()
        mine = (await asyncio.to_thread(followup_of, demo, cid))["own_check_ins"]
        assert [c["account"] for c in mine][-1] == said  # the worker reads it in the client's words

        if words["end"]:
            await v.page.fill("#end-reason", "Pärjään nyt itse.")
            await submit(v, str(words["end"]))
            assert str(words["ended"]) in await v.page.locator("#end-waiting").inner_text()
            assert (await asyncio.to_thread(followup_of, demo, cid))["end_request_open"]
    finally:
        await v.context.close()
