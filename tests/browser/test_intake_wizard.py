"""Issue 19, item 1: the intake wizard in a real browser against the real stack. A worker registers a client one
question per page (a hetu typed wrong is refused in words, with an error summary that leads to the field), checks
the answers, takes the client through consent, coordinator, the self-assessment in the client's own words and the
needs assessment, and completes intake; the same in Swedish for a child, who answers on five faces; completing
too early is refused in words with nothing written, and a decline is checked once more before it is decided; one
registration is done with the keyboard alone. Every page, error pages included, passes axe-core."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser

from shared.infra.auth import TokenIssuer
from shared.infra.settings import DEV_SECRET
from tests.browser.conftest import Demo, Visitor, sign_in, visitor
from tests.browser.world import temporary_hetu

pytestmark = pytest.mark.browser

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
AREAS = ("general_ability", "mental_wellbeing", "social_participation", "physical_functioning", "competence",
         "everyday_life")



def case_of(demo: Demo, worker: str, client_id: str) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {TokenIssuer(DEV_SECRET).issue(worker, 'worker')}"}
    answer = httpx.get(f"{demo.stack.url('intake')}/clients/{client_id}", headers=headers, timeout=10)
    answer.raise_for_status()
    return answer.json()  # type: ignore[no-any-return]


async def _case(demo: Demo, client_id: str, worker: str = "worker-aino") -> dict[str, Any]:
    return await asyncio.to_thread(case_of, demo, worker, client_id)


async def next_page(v: Visitor, button: str, path: str) -> None:
    """Send the page's form, land on the next page and check it (axe, own origin, lang)."""
    await v.page.get_by_role("button", name=button, exact=True).click()
    await v.page.wait_for_url(re.compile(path + r"(\?.*)?$"))
    await v.check()


async def refused_here(v: Visitor, button: str) -> str:
    """Send the form and stay: the error page is checked too, and the summary's text comes back."""
    await v.page.get_by_role("button", name=button, exact=True).click()
    await v.page.wait_for_load_state()
    await v.check()
    return await v.page.locator(".error-summary").inner_text()


async def score_every_area(v: Visitor, score: str) -> None:
    for area in AREAS:
        await v.page.locator(f"#{area}-0").locator("xpath=ancestor::fieldset").get_by_label(score, exact=True).check()


async def test_a_worker_registers_a_client_and_completes_intake(browser: Browser, demo: Demo) -> None:
    hetu = temporary_hetu("120385", 961)
    v = await visitor(browser, demo.url)
    try:
        await sign_in(v, "worker-aino", "staff")
        await v.page.get_by_role("link", name="Rekisteröi uusi asiakas").click()
        await v.page.wait_for_url(re.compile(r"/intake/new/hetu$"))
        await v.check()

        # A hetu typed wrong: the reason in words, at the top and beside the field; the summary leads to it.
        await v.page.get_by_label("Henkilötunnus").fill(hetu[:-1] + ("A" if hetu[-1] != "A" else "B"))
        summary = await refused_here(v, "Jatka")
        assert "tarkistusmerkki ei täsmää" in summary
        assert (await v.page.title()).startswith("Virhe:")
        assert await v.page.get_attribute("#hetu", "aria-invalid") == "true"
        await v.page.locator(".error-summary").get_by_role("link").click()
        assert await v.page.evaluate("document.activeElement.id") == "hetu"
        await v.page.get_by_label("Henkilötunnus").fill(hetu.lower()[:6] + "a" + hetu[7:])
        assert "isoina" in await refused_here(v, "Jatka")  # the century sign as typed: never made upper case

        await v.page.get_by_label("Henkilötunnus").fill(hetu)
        await next_page(v, "Jatka", "/intake/new/name")
        await v.page.get_by_label("Sukunimi").fill("Rekisteröitävä")
        assert "Kirjoita asiakkaan etunimi" in await refused_here(v, "Jatka")
        await v.page.get_by_label("Etunimi").fill("Raili")
        await next_page(v, "Jatka", "/intake/new/contact")
        await v.page.get_by_label("Sähköposti").fill("raili.example.fi")
        assert "nimi@esimerkki.fi" in await refused_here(v, "Jatka")
        await v.page.get_by_label("Sähköposti").fill("raili@example.fi")
        await v.page.get_by_label("Puhelinnumero").fill("+358 40 123 4567")
        await next_page(v, "Jatka", "/intake/new/municipality")
        await v.page.get_by_label("Kotikunta").fill("Pori")
        await next_page(v, "Jatka", "/intake/new/language")
        await v.page.get_by_label("suomi").check()
        await next_page(v, "Jatka", "/intake/new/check")

        # Check the answers, change one, and register.
        answers = await v.page.locator("main").inner_text()
        assert hetu in answers and "Raili Rekisteröitävä" in answers and "Pori" in answers
        await v.page.get_by_role("link", name="Muuta kotikunta").click()
        await v.page.wait_for_url(re.compile(r"/intake/new/municipality\?check=1$"))
        await v.check()
        await v.page.get_by_label("Kotikunta").fill("Ulvila")
        await next_page(v, "Jatka", "/intake/new/check")
        assert "Ulvila" in await v.page.locator("main").inner_text()
        await next_page(v, "Rekisteröi asiakas", rf"/intake/{UUID}/consent")
        client_id = re.search(UUID, v.page.url).group(0)  # type: ignore[union-attr]

        await v.page.get_by_label("Asiakas itse").check()
        await next_page(v, "Jatka", f"/intake/{client_id}/coordinator")
        # Another worker is the manager's to assign: intake refuses in words, and nothing is written.
        await v.page.get_by_label(re.compile("^Eero Korhonen")).check()
        assert "Sinulla ei ole oikeutta tähän" in await refused_here(v, "Jatka")
        assert (await _case(demo, client_id))["coordinator_id"] is None
        await v.page.get_by_label(re.compile("^Aino Virtanen")).check()
        await next_page(v, "Jatka", f"/intake/{client_id}/scores")

        assert "Valitse arvio yleisestä toimintakyvystä" in await refused_here(v, "Jatka")
        await score_every_area(v, "6")
        await next_page(v, "Jatka", f"/intake/{client_id}/words")
        await v.page.get_by_label("Asiakkaan oma kertomus").fill("Selkä kipeytyy, kaupassa käynti on vaikeaa.")
        await v.page.get_by_label("Asiakkaan toiveet").fill("Haluaisin käydä uimassa joka viikko.")
        await next_page(v, "Jatka", f"/intake/{client_id}/task")
        await v.page.get_by_label(re.compile("vammais", re.I)).check()
        await next_page(v, "Jatka", f"/intake/{client_id}/needs")
        summary = await refused_here(v, "Jatka")
        assert "Valitse vähintään yksi tuen tarve" in summary and "Kirjoita arvion yhteenveto" in summary
        await v.page.get_by_label("Liikkuminen").check()
        await v.page.get_by_label("Virkistys ja vapaa-aika").check()
        await v.page.get_by_label("Arvion yhteenveto").fill("Tarvitsee apua asiointiin ja liikkumiseen.")
        await next_page(v, "Jatka", f"/intake/{client_id}/check")

        check = await v.page.locator("main").inner_text()
        assert "Haluaisin käydä uimassa joka viikko." in check and "Aino Virtanen" in check
        assert "Liikkuminen" in check and "worker-aino" not in check
        await next_page(v, "Hyväksy asiakkaaksi", f"/intake/{client_id}/done")
        assert "hyväksytty henkilökohtaiseen budjetointiin" in await v.page.locator("h1").inner_text()

        case = await _case(demo, client_id)
        assert case["status"] == "completed" and case["coordinator_id"] == "worker-aino"
        assert case["municipality"] == "Ulvila" and case["person"]["email"] == "raili@example.fi"
        assert case["self_assessment"]["own_words"] == "Selkä kipeytyy, kaupassa käynti on vaikeaa."
        assert case["self_assessment"]["scores"] == {a: 6 for a in AREAS}
        assert sorted(case["needs_assessment"]["support_needs"]) == ["mobility", "recreation"]
    finally:
        await v.context.close()


async def test_in_swedish_a_worker_takes_a_child_through_intake_on_the_childrens_form(
        browser: Browser, demo: Demo) -> None:
    hetu = temporary_hetu("100616", 962, "A")  # ten years old: the children's form, consent by a guardian
    v = await visitor(browser, demo.url, lang="sv")
    try:
        await sign_in(v, "worker-eero", "staff")
        assert await v.page.get_attribute("html", "lang") == "sv"
        await v.page.get_by_role("link", name="Registrera en ny klient").click()
        await v.page.wait_for_url(re.compile(r"/intake/new/hetu$"))
        await v.check()
        await v.page.get_by_label("Personbeteckning").fill("311316A962X")
        assert "Födelsedagen i personbeteckningen finns inte" in await refused_here(v, "Fortsätt")
        assert (await v.page.title()).startswith("Fel:")
        await v.page.get_by_label("Personbeteckning").fill(hetu)
        await next_page(v, "Fortsätt", "/intake/new/name")
        await v.page.get_by_label("Förnamn").fill("Sixten")
        await v.page.get_by_label("Efternamn").fill("Barnlund")
        await next_page(v, "Fortsätt", "/intake/new/contact")
        await next_page(v, "Fortsätt", "/intake/new/municipality")
        await v.page.get_by_label("Hemkommun").fill("Pori")
        await next_page(v, "Fortsätt", "/intake/new/language")
        assert "Välj ärendespråk" in await refused_here(v, "Fortsätt")
        await v.page.get_by_label("svenska").check()
        await next_page(v, "Fortsätt", "/intake/new/check")
        await next_page(v, "Registrera klienten", rf"/intake/{UUID}/consent")
        client_id = re.search(UUID, v.page.url).group(0)  # type: ignore[union-attr]

        await v.page.get_by_label("Vårdnadshavare").check()
        await next_page(v, "Fortsätt", f"/intake/{client_id}/coordinator")
        await next_page(v, "Fortsätt", f"/intake/{client_id}/scores")  # himself, offered first
        await score_every_area(v, "4 – bra")  # five faces for a child under 15
        await next_page(v, "Fortsätt", f"/intake/{client_id}/words")
        await v.page.get_by_label("Klientens önskemål").fill("Jag vill spela fotboll med de andra.")
        await next_page(v, "Fortsätt", f"/intake/{client_id}/task")
        await v.page.get_by_label(re.compile("barnfamilj", re.I)).check()
        await next_page(v, "Fortsätt", f"/intake/{client_id}/needs")
        await v.page.get_by_label("Rekreation och fritid").check()
        await v.page.get_by_label("Sammanfattning av bedömningen").fill("Behöver stöd för fritid.")
        await next_page(v, "Fortsätt", f"/intake/{client_id}/check")
        assert "4 – bra" in await v.page.locator("main").inner_text()
        await next_page(v, "Godkänn som klient", f"/intake/{client_id}/done")
        assert "godkänd för personlig budgetering" in await v.page.locator("h1").inner_text()
        case = await _case(demo, client_id, "worker-eero")
        assert case["status"] == "completed" and case["self_assessment"]["form"] == "child"
        assert case["self_assessment"]["scores"] == {a: 4 for a in AREAS}
    finally:
        await v.context.close()


async def test_completing_too_early_is_refused_in_words_and_a_decline_is_checked_before_it_is_decided(
        browser: Browser, demo: Demo) -> None:
    tokens = TokenIssuer(DEV_SECRET)
    worker = {"Authorization": f"Bearer {tokens.issue('worker-aino', 'worker')}"}
    async with httpx.AsyncClient(base_url=demo.stack.url("intake"), headers=worker, timeout=10) as http:
        registered = await http.post("/clients", json={
            "hetu": temporary_hetu("050570", 964), "first_name": "Kaarlo", "last_name": "Kesken",
            "municipality": "Pori", "preferred_language": "fi"})
        registered.raise_for_status()
        client_id = registered.json()["client_id"]
    for lang, complete, decline, refusal in (
            ("sv", "Godkänn som klient", "Avslå mottagningen med motivering", "Klienten har inte gett sitt samtycke"),
            ("fi", "Hyväksy asiakkaaksi", "Hylkää vastaanotto perustellen", "Asiakas ei ole antanut suostumusta")):
        v = await visitor(browser, demo.url, lang=lang)
        try:
            await sign_in(v, "worker-aino", "staff")
            await v.goto(f"/intake/{client_id}/check")
            assert refusal in await refused_here(v, complete)
            assert (await _case(demo, client_id))["status"] == "open"  # nothing written
            await v.page.get_by_role("link", name=decline).click()
            await v.page.wait_for_url(re.compile(rf"/intake/{client_id}/decline$"))
            await v.check()
            await v.page.get_by_role("button", name="Fortsätt" if lang == "sv" else "Jatka").click()
            await v.page.wait_for_load_state()
            await v.check()
            assert await v.page.locator(".error-summary").count() == 1
        finally:
            await v.context.close()

    v = await visitor(browser, demo.url)
    try:
        await sign_in(v, "worker-aino", "staff")
        await v.goto(f"/intake/{client_id}/decline")
        reason = "Asiakas ei halua henkilökohtaista budjettia eikä anna suostumusta."
        await v.page.get_by_label("Perustelut").fill(reason)
        await v.page.get_by_role("button", name="Jatka").click()
        await v.page.wait_for_load_state()
        await v.check()
        assert "Tarkista hylkäävä päätös" in await v.page.locator("h1").inner_text()
        assert reason in await v.page.locator("main").inner_text()
        assert (await _case(demo, client_id))["status"] == "open"  # nothing decided before the check
        await next_page(v, "Tee hylkäävä päätös", f"/intake/{client_id}/done")
        assert "Vastaanotto on hylätty" in await v.page.locator("h1").inner_text()
        assert "Päätöksen numero" in await v.page.locator("main").inner_text()
        case = await _case(demo, client_id)
        assert case["status"] == "declined" and case["decision"]["reasoning"] == reason
    finally:
        await v.context.close()


async def test_a_worker_registers_a_client_with_the_keyboard_alone(browser: Browser, demo: Demo) -> None:
    v = await visitor(browser, demo.url)
    try:
        await sign_in(v, "worker-aino", "staff")
        await tab_to(v, "Rekisteröi uusi asiakas")
        await v.page.keyboard.press("Enter")
        await v.page.wait_for_url(re.compile(r"/intake/new/hetu$"))
        await v.check()
        for field, text, path in (("hetu", temporary_hetu("051199", 963), "name"),):
            await tab_to_field(v, field)
            await v.page.keyboard.type(text)
            await v.page.keyboard.press("Enter")  # a form is sent from its field with Enter
            await v.page.wait_for_url(re.compile(rf"/intake/new/{path}$"))
            await v.check()
        await tab_to_field(v, "first_name")
        await v.page.keyboard.type("Kalle")
        await v.page.keyboard.press("Tab")
        await v.page.keyboard.type("Näppäimistö")
        await v.page.keyboard.press("Enter")
        await v.page.wait_for_url(re.compile(r"/intake/new/contact$"))
        await v.check()
        await tab_to(v, "Jatka")
        await v.page.keyboard.press("Enter")
        await v.page.wait_for_url(re.compile(r"/intake/new/municipality$"))
        await v.check()
        await tab_to_field(v, "municipality")
        await v.page.keyboard.type("Rauma")
        await v.page.keyboard.press("Enter")
        await v.page.wait_for_url(re.compile(r"/intake/new/language$"))
        await v.check()
        await tab_to_field(v, "preferred_language-0")
        await v.page.keyboard.press("Space")  # suomi
        await tab_to(v, "Jatka")
        await v.page.keyboard.press("Enter")
        await v.page.wait_for_url(re.compile(r"/intake/new/check$"))
        await v.check()
        await tab_to(v, "Rekisteröi asiakas")
        await v.page.keyboard.press("Enter")
        await v.page.wait_for_url(re.compile(rf"/intake/{UUID}/consent$"))
        await v.check()
        await tab_to_field(v, "given_by-0")
        await v.page.keyboard.press("Space")
        await tab_to(v, "Jatka")
        await v.page.keyboard.press("Enter")
        await v.page.wait_for_url(re.compile(r"/coordinator$"))
        await v.check()
    finally:
        await v.context.close()


async def tab_to(v: Visitor, text: str, limit: int = 60) -> None:
    """Tab until the focused element's text starts with ``text``, its focus visible."""
    for _ in range(limit):
        await v.page.keyboard.press("Tab")
        focused = await v.page.evaluate("document.activeElement ? document.activeElement.innerText : ''")
        if focused and focused.strip().startswith(text):
            await _visible_focus(v, text)
            return
    raise AssertionError(f"{text!r} cannot be reached with Tab")


async def tab_to_field(v: Visitor, field_id: str, limit: int = 60) -> None:
    for _ in range(limit):
        await v.page.keyboard.press("Tab")
        if await v.page.evaluate("document.activeElement ? document.activeElement.id : ''") == field_id:
            await _visible_focus(v, field_id)
            return
    raise AssertionError(f"#{field_id} cannot be reached with Tab")


async def _visible_focus(v: Visitor, what: str) -> None:
    visible = await v.page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement); return s.outlineStyle !== 'none'; })()")
    assert visible, f"the focus on {what!r} is not visible"
