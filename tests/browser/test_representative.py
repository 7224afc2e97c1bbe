"""A guardian acts for a child (issue 19) and chooses whom they act for, with every page saying so (issue 15): the
guardian signs in through the citizens' e-identification, chooses the child, reads the child's plan, budget,
decisions and who has read the child's data under the banner, in Finnish and in Swedish, every page passing
axe-core; a client they do not represent is refused by the services, in words, and a forged choice by the console."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.async_api import Browser

from services.console.session import SESSION_COOKIE, Sealer, Session
from services.console.settings import DEV_SESSION_KEY
from shared.infra.auth import TokenIssuer
from shared.infra.settings import DEV_SECRET
from tests.browser.conftest import Demo, Visitor, sign_in, visitor
from tests.browser.test_console import screenshot
from tests.support import eventually

pytestmark = pytest.mark.browser
CHILD = "Eetu Koivisto"


async def guardian_reads_the_child(demo: Demo) -> None:
    """Each service's copy of who represents whom trails intake by moments (ADR 0026): wait until budgeting and
    follow-up let the guardian read the child's case, as they will for every later request."""
    token = TokenIssuer(DEV_SECRET).issue(demo.clients["child-eetu"]["guardian_id"], "representative")
    child = demo.client_id("child-eetu")

    async def readable() -> bool:
        async with httpx.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=10) as http:
            answers = [await http.get(demo.stack.url("budgeting") + f"/budgets/{child}"),
                       await http.get(demo.stack.url("intake") + f"/clients/{child}")]
        return all(a.status_code == 200 for a in answers)

    await eventually(readable, timeout=60)


async def banner(v: Visitor) -> str:
    return await v.page.locator("main section.acting-for h2").inner_text()


async def session_of(v: Visitor) -> Session:
    cookie = next(c["value"] for c in await v.context.cookies() if c["name"] == SESSION_COOKIE)
    opened = Sealer(DEV_SESSION_KEY).session(cookie)
    assert opened is not None
    return opened


async def test_a_guardian_chooses_their_child_and_reads_the_childs_plan_budget_and_decisions_in_finnish_and_swedish(
        browser: Browser, demo: Demo) -> None:
    await guardian_reads_the_child(demo)
    v = await visitor(browser, demo.url)
    try:
        await sign_in(v, "citizen-guardian", "citizen")
        # One child: chosen for her, and the page says for whom she acts.
        assert v.page.url.endswith("/my/plan")
        assert await banner(v) == f"Toimit henkilön {CHILD} puolesta (huoltaja)"
        assert "Pääsen harrastamaan kavereiden kanssa" in await v.page.locator("main").inner_text()
        # The choice itself, from the header of any page: the people she represents by name.
        await v.page.get_by_role("link", name="Kenen puolesta toimin").click()
        await v.page.wait_for_url(re.compile(r"/my/acting-for"))
        await v.check()
        assert await v.page.locator("h1").inner_text() == "Kenen puolesta toimit?"
        await v.page.get_by_role("radio", name=f"{CHILD} (huoltaja)").check()
        await v.page.get_by_role("button", name="Jatka").click()
        await v.page.wait_for_url(re.compile(r"/my/plan$"))
        await v.check()
        await v.goto("/my/budget")
        assert await banner(v) == f"Toimit henkilön {CHILD} puolesta (huoltaja)"
        assert await v.page.locator("figure svg[role=img]").count() == 1
        assert "1\u00a0200,00\u00a0€" in await v.page.locator("main").inner_text()
        await screenshot(v.page, "console-guardian-budget.png")
        await v.goto("/my/decisions")
        main = await v.page.locator("main").inner_text()
        assert "Budjetti tukee lapsen harrastamista ja osallisuutta." in main and "oikaisua" in main
        assert "Marja Koivisto" in await v.page.locator("header").inner_text()  # she signed in as herself
        await v.goto("/my/access")  # who has read the child's data: the guardian may know it for the child
        assert await banner(v) == f"Toimit henkilön {CHILD} puolesta (huoltaja)"
        assert "Aino Virtanen" in await v.page.locator("main").inner_text()
        await v.goto("/my/decisions")
        # Swedish: the switch on the page; the banner and the pages follow.
        await v.page.get_by_role("button", name="svenska").click()
        await v.page.wait_for_url(re.compile(r"/my/decisions$"))
        await v.check()
        assert await v.page.get_attribute("html", "lang") == "sv"
        assert await banner(v) == f"Du företräder {CHILD} (vårdnadshavare)"
        for path, words in (("/my/plan", "Min plan"), ("/my/budget", "Min budget"), ("/my/decisions", "Mina beslut"),
                            ("/my/acting-for", "Vem företräder du?")):
            await v.goto(path)
            assert words in await v.page.locator("h1").inner_text()
        assert await v.page.get_by_role("radio", name=f"{CHILD} (vårdnadshavare)").is_checked()
    finally:
        await v.context.close()


async def test_a_representative_is_refused_a_client_they_do_not_represent_in_words(browser: Browser,
                                                                                     demo: Demo) -> None:
    await guardian_reads_the_child(demo)
    v = await visitor(browser, demo.url)
    try:
        await sign_in(v, "citizen-guardian", "citizen")
        other = demo.client_id("citizen-demo")
        # A forged choice: the console offers only whom intake says she represents, and says so beside the choices.
        await v.goto("/my/acting-for")
        csrf = await v.page.locator("form[action='/my/acting-for'] input[name=csrf]").get_attribute("value")
        forged = await v.context.request.post(f"{demo.url}/my/acting-for", form={
            "csrf": csrf or "", "whom": other, "next": "/my/plan"}, max_redirects=0)
        assert forged.status == 422
        assert "Valitse, kenen puolesta toimit" in await forged.text() and "Demo Asiakas" not in await forged.text()
        # A session that names another client (as a link ended since the choice would): the services refuse it.
        session = await session_of(v)
        session.acting_for, session.acting_for_name = other, "?"
        await v.context.add_cookies([{"name": SESSION_COOKIE, "value": Sealer(DEV_SESSION_KEY).seal_session(session),
                                      "url": v.origin, "httpOnly": True, "sameSite": "Lax"}])
        response = await v.page.goto(f"{demo.url}/my/plan")
        assert response is not None and response.status == 403
        await v.check()
        assert "Et voi toimia tässä asiakkaan puolesta" in await v.page.locator("h1").inner_text()
        assert "Demo Asiakas" not in await v.page.content()
    finally:
        await v.context.close()
