"""The plan builder in a real browser against the real stack: a worker builds the plan of a client whose intake is
complete (goals with their five GAS levels in the client's words, a support tied to a goal, a wish), proposes the
budget by category, previews the decision letter, decides, and reads the decision's letter preview with its number
and law. A decision on an empty plan is refused in the page's words and writes nothing. In Swedish: a form's
mistakes named beside their fields, a decision above the worker's delegated limit sent for approval, and the
manager's refusal with its reason shown to the worker. Every page, error pages too, passes axe-core."""

from __future__ import annotations

import asyncio
import os
import re
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page

from deploy.local import demo as demo_data
from shared.infra.auth import TokenIssuer
from shared.infra.settings import DEV_SECRET
from tests.browser.conftest import Demo, Visitor, sign_in, visitor
from tests.browser.world import temporary_hetu
from tests.support import deadline

pytestmark = pytest.mark.browser
NBSP = "\u00a0"
SHOTS = Path(__file__).resolve().parents[2] / "docs"
GOAL = "Jaksan arjessa lasten kanssa"
LEVELS = {"much_less_than_expected": "En jaksa nousta aamulla", "less_than_expected": "Jaksan huonosti",
          "expected": "Jaksan useimpina päivinä", "more_than_expected": "Jaksan hyvin",
          "much_more_than_expected": "Jaksan ja ehdin harrastaa"}
SUPPORT = "Kotisiivous kahdesti kuukaudessa"
REASONING = "Siivousapu vapauttaa aikaa lapsille ja lepoon; arvio vastaa kahta käyntiä kuukaudessa."


def _headers(user: str, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {TokenIssuer(DEV_SECRET).issue(user, role)}"}


def a_client_with_intake_completed(demo: Demo, individual: int, given: str, family: str, language: str) -> str:
    """Registered, consented, assessed and completed through intake's API by worker-aino; budgeting opens the
    (empty) budget when it hears of it."""
    person = {"hetu": temporary_hetu("120381", individual), "given_name": given, "family_name": family,
              "language": language}
    with httpx.Client(base_url=demo.stack.url("intake"), headers=_headers("worker-aino", "worker"), timeout=10) as h:
        cid = demo_data.register(h, person)
    with httpx.Client(base_url=demo.stack.url("budgeting"), headers=_headers("worker-aino", "worker"),
                      timeout=10) as h:
        demo_data.wait_for_budget(h, cid)
    return cid


def budget_of(demo: Demo, cid: str) -> dict[str, Any]:
    answer = httpx.get(f"{demo.stack.url('budgeting')}/budgets/{cid}", headers=_headers("manager-helmi", "manager"),
                       timeout=10)
    answer.raise_for_status()
    return answer.json()  # type: ignore[no-any-return]


async def shot(page: Page, name: str) -> None:
    """README pictures at 1280 px, written only when asked (AVAIN_SCREENSHOTS=1)."""
    if os.environ.get("AVAIN_SCREENSHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        await page.set_viewport_size({"width": 1280, "height": 900})
        await page.screenshot(path=str(SHOTS / name), full_page=True)
        await page.set_viewport_size({"width": 1024, "height": 800})


async def submit(v: Visitor, name: str) -> None:
    """Click a form's button and check the page it leads to (an error page too)."""
    async with v.page.expect_navigation():
        await v.page.get_by_role("button", name=name, exact=True).click()
    await v.check()


async def error_summary(v: Visitor) -> str:
    return await v.page.locator(".error-summary").inner_text()


async def test_a_worker_builds_a_plan_proposes_decides_and_reads_the_letter(browser: Browser, demo: Demo) -> None:
    cid = await asyncio.to_thread(a_client_with_intake_completed, demo, 961, "Maija", "Suunnitelmallinen", "fi")
    v = await visitor(browser, demo.url)
    try:
        await sign_in(v, "worker-aino", "staff")
        await v.goto(f"/clients/{cid}")
        async with v.page.expect_navigation():
            await v.page.get_by_role("link", name="Rakenna suunnitelma ja budjetti").click()
        await v.check()
        assert await v.page.locator("h1").inner_text() == "Suunnitelma ja budjetti: Maija Suunnitelmallinen"
        main = await v.page.locator("main").inner_text()
        assert "Arki kahden pienen lapsen kanssa on uuvuttavaa." in main  # the client's words at intake
        assert "Siivousapua kotiin ja tukea jaksamiseen." in main  # ... and wishes

        # A goal without its levels: each missing one named at the top and beside its field, nothing written.
        async with v.page.expect_navigation():
            await v.page.get_by_role("link", name="Lisää tavoite").click()
        await v.check()
        await v.page.get_by_label("Tavoite", exact=True).fill(GOAL)
        await submit(v, "Tallenna tavoite")
        summary = await error_summary(v)
        assert "Kirjoita, miltä odotettu taso 0 näyttäisi." in summary
        assert await v.page.locator(".error-summary a[href='#level-expected']").count() == 1
        assert await v.page.get_attribute("#level-expected", "aria-invalid") == "true"
        assert await v.page.input_value("#title") == GOAL  # what was typed stays
        assert (await asyncio.to_thread(budget_of, demo, cid))["goals"] == []
        for name, text in LEVELS.items():
            await v.page.fill(f"#level-{name}", text)
        await submit(v, "Tallenna tavoite")
        assert "Tavoite on lisätty suunnitelmaan." in await v.page.locator("[role=status]").inner_text()
        goal = v.page.locator("table", has_text=GOAL)
        assert all([text in await goal.inner_text() for text in LEVELS.values()])
        assert "nyt" in await goal.locator("tr", has_text="Jaksan huonosti").inner_text()  # where the client is

        # A support tied to the goal, then a wish in the client's words.
        async with v.page.expect_navigation():
            await v.page.get_by_role("link", name="Lisää tuki").click()
        await v.check()
        await v.page.get_by_label("Tuki", exact=True).fill(SUPPORT)
        await v.page.select_option("#category", "cleaning")
        await v.page.get_by_label("yritys").check()
        await v.page.get_by_label("Arvioitu kustannus koko kaudelta (euroa)").fill("2 400,00")
        assert await v.page.get_by_label(GOAL).is_checked()
        await submit(v, "Tallenna tuki")
        supports = await v.page.locator("section[aria-labelledby=supports]").inner_text()
        assert SUPPORT in supports and GOAL in supports and f"2{NBSP}400,00{NBSP}€" in supports
        await v.page.get_by_label("Asiakkaan toive hänen omin sanoin").fill("Siivooja voisi tulla iltaisin.")
        await submit(v, "Kirjaa toive")
        assert "Siivooja voisi tulla iltaisin." in await v.page.locator("section[aria-labelledby=wishes]").inner_text()

        # The proposal starts from the supports' estimates, by category.
        async with v.page.expect_navigation():
            await v.page.get_by_role("link", name="Tee budjettiesitys").click()
        await v.check()
        assert await v.page.input_value("#amount-cleaning") == "2400,00"
        await submit(v, "Tee esitys")
        breakdown = await v.page.locator("#breakdown").inner_text()
        assert "kotisiivous" in breakdown and f"2{NBSP}400,00{NBSP}€" in breakdown
        await shot(v.page, "console-plan-builder.png")

        # The decision: no reasons is named; with them, the letter's preview before anything is decided.
        async with v.page.expect_navigation():
            await v.page.get_by_role("link", name="Siirry päätökseen").click()
        await v.check()
        await submit(v, "Esikatsele päätöskirje")
        assert "Kirjoita päätöksen perustelut." in await error_summary(v)
        await v.page.get_by_label("Miksi tämä budjetti").fill(REASONING)
        await submit(v, "Esikatsele päätöskirje")
        letter = await v.page.locator("article.letter-preview").inner_text()
        assert (f"Sinulle myönnetään henkilökohtainen budjetti 2{NBSP}400,00{NBSP}€" in letter
                and GOAL in letter and SUPPORT in letter and REASONING in letter)
        assert (await asyncio.to_thread(budget_of, demo, cid))["decision"] is None  # a preview decides nothing

        await submit(v, "Tee päätös")
        assert re.search(r"/plan/decision$", v.page.url)
        h1 = await v.page.locator("h1").inner_text()
        assert h1.startswith("Päätös ")
        letter = await v.page.locator("article.letter-preview").inner_text()
        assert h1.removeprefix("Päätös ") in letter  # the decision's number
        assert "Sovelletut säännökset" in letter and "Oikaisuvaatimusohje" in letter
        assert "Aino Virtanen" in letter and REASONING in letter
        budget = await asyncio.to_thread(budget_of, demo, cid)
        assert budget["status"] == "decided" and budget["funds"]["decided_cents"] == 240_000
        await shot(v.page, "console-decision-preview.png")

        # Ordering: the plan's category compared by price where the client lives; a wrong quantity is named.
        await v.goto(f"/clients/{cid}/plan")
        async with v.page.expect_navigation():
            await v.page.get_by_role("link", name="Tilaa palvelu").click()
        await v.check()
        offering = v.page.locator("#offerings tbody tr", has_text="Siisti Koti Oy").first
        assert f"120,00{NBSP}€ / käynti" in await offering.inner_text()
        await offering.get_by_label("Määrä").fill("0")
        async with v.page.expect_navigation():
            await offering.get_by_role("button", name="Tilaa").click()
        await v.check()
        assert "Kirjoita määrä kokonaislukuna 1–1000." in await error_summary(v)
        offering = v.page.locator("#offerings tbody tr", has_text="Siisti Koti Oy").first
        await offering.get_by_label("Määrä").fill("2")
        async with v.page.expect_navigation():
            await offering.get_by_role("button", name="Tilaa").click()
        await v.check()
        assert "Tilaus on lähetetty." in await v.page.locator("[role=status]").inner_text()
        orders = await v.page.locator("section[aria-labelledby=orders]").inner_text()
        assert "Siisti Koti Oy" in orders and f"240,00{NBSP}€" in orders
    finally:
        await v.context.close()


async def test_a_decision_on_an_empty_plan_is_refused_in_words_and_writes_nothing(browser: Browser,
                                                                                 demo: Demo) -> None:
    cid = await asyncio.to_thread(a_client_with_intake_completed, demo, 962, "Tyhjä", "Suunnitelma", "fi")
    before = await asyncio.to_thread(budget_of, demo, cid)
    v = await visitor(browser, demo.url)
    try:
        await sign_in(v, "worker-aino", "staff")
        await v.goto(f"/clients/{cid}/plan")
        assert "Suunnitelmassa ei ole vielä tavoitteita." in await v.page.locator("main").inner_text()
        async with v.page.expect_navigation():
            await v.page.get_by_role("link", name="Siirry päätökseen").click()
        await v.check()
        await v.page.get_by_label("Miksi tämä budjetti").fill(REASONING)
        await submit(v, "Esikatsele päätöskirje")
        response = None
        async with v.page.expect_navigation() as navigation:
            await v.page.get_by_role("button", name="Tee päätös", exact=True).click()
        response = await navigation.value
        await v.check()
        assert response is not None and response.status == 409
        summary = await error_summary(v)
        assert "Päätettävää esitystä ei ole" in summary and "Tee ensin budjettiesitys" in summary
        assert await v.page.input_value("#reasoning") == REASONING  # the reasons written stay
        after = await asyncio.to_thread(budget_of, demo, cid)
        assert after["version"] == before["version"] and after["status"] == "draft" and after["decision"] is None
    finally:
        await v.context.close()


async def refuse_as_manager(demo: Demo, cid: str, reason: str) -> None:
    """The manager refuses through budgeting's API (the approvals page has its own test); the request must be
    waiting first."""
    until = time.monotonic() + deadline(30)
    async with httpx.AsyncClient(base_url=demo.stack.url("budgeting"), headers=_headers("manager-helmi", "manager"),
                                 timeout=10) as http:
        while time.monotonic() < until:
            if (await http.get(f"/budgets/{cid}")).json().get("awaiting_approval"):
                break
            await asyncio.sleep(0.2)
        (await http.post(f"/budgets/{cid}/rejection", json={"reason": reason})).raise_for_status()


async def test_in_swedish_a_decision_above_the_limit_waits_and_the_managers_refusal_is_shown(
        browser: Browser, demo: Demo) -> None:
    cid = await asyncio.to_thread(a_client_with_intake_completed, demo, 963, "Sara", "Sundström", "sv")
    v = await visitor(browser, demo.url, lang="sv")
    try:
        await sign_in(v, "worker-aino", "staff")
        await v.goto(f"/clients/{cid}/plan")
        assert await v.page.locator("h1").inner_text() == "Plan och budget: Sara Sundström"

        # Refused on an empty plan, in Swedish.
        await v.goto(f"/clients/{cid}/plan/decision")
        await v.page.get_by_label("Varför denna budget").fill("Behovet är styrkt.")
        await submit(v, "Förhandsvisa beslutsbrevet")
        await submit(v, "Fatta beslutet")
        assert "Det finns inget förslag att besluta om" in await error_summary(v)

        await v.goto(f"/clients/{cid}/plan/goals")
        await submit(v, "Spara målet")
        summary = await error_summary(v)
        assert "Skriv målet." in summary and "Skriv hur nivå −2 skulle se ut." in summary
        await v.page.get_by_label("Mål", exact=True).fill("Jag klarar vardagen")
        for name, text in zip(LEVELS, ("Inte alls", "Sämre", "Oftast", "Bra", "Mycket bra"), strict=True):
            await v.page.fill(f"#level-{name}", text)
        await submit(v, "Spara målet")
        await v.goto(f"/clients/{cid}/plan/supports")
        await submit(v, "Spara stödet")
        assert "Skriv vilket stöd klienten får." in await error_summary(v)
        await v.page.get_by_label("Stöd", exact=True).fill("Personlig assistans")
        await v.page.select_option("#category", "personal_assistance")
        await v.page.get_by_label("företag").check()
        await v.page.get_by_label("Uppskattad kostnad för hela perioden (euro)").fill("6000")
        await submit(v, "Spara stödet")
        await v.goto(f"/clients/{cid}/plan/proposal")
        await submit(v, "Gör förslaget")

        # 6 000 € is above worker-aino's 5 000 €: the decision waits for a manager.
        await v.goto(f"/clients/{cid}/plan/decision")
        await v.page.get_by_label("Varför denna budget").fill("Assistansen behövs dagligen.")
        await submit(v, "Förhandsvisa beslutsbrevet")
        letter = v.page.locator("article.letter-preview")
        assert await letter.get_attribute("lang") == "sv"  # the client's language
        assert "Du beviljas en personlig budget" in await letter.inner_text()
        await submit(v, "Fatta beslutet")
        waiting = await v.page.locator("#waiting").inner_text()
        assert "väntar på en chefs godkännande" in waiting and f"5{NBSP}000,00{NBSP}€" in waiting

        await refuse_as_manager(demo, cid, "Beloppet behöver motiveras med timmar per vecka.")
        await v.goto(f"/clients/{cid}/plan")
        refused = await v.page.locator("#refused").inner_text()
        assert "Chefen godkände inte beslutet" in refused and "Helmi Nieminen" in refused
        assert "Beloppet behöver motiveras med timmar per vecka." in refused
        budget = await asyncio.to_thread(budget_of, demo, cid)
        assert budget["status"] == "draft" and budget["decision"] is None
    finally:
        await v.context.close()
