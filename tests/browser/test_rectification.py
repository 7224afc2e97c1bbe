"""Issue 19, item 6: a client asks for a decision to be rectified from the decision's page, in their own words. An
empty request is stopped in their language with an error summary leading to the field and nothing sent; a request
sent is received the day it is sent and shown on the page. Every page passes axe-core in Finnish and Swedish."""

from __future__ import annotations

import asyncio
import re
import time

import httpx
import pytest
from playwright.async_api import Browser

from shared.infra.auth import TokenIssuer
from shared.infra.settings import DEV_SECRET
from tests.browser.conftest import Demo, sign_in, visitor
from tests.support import deadline

pytestmark = pytest.mark.browser


async def in_the_register(demo: Demo, client_id: str, decision_id: str) -> list[dict[str, object]]:
    """The decisions service hears of the budget decision from budgeting's topic: wait for it in the register."""
    worker = {"Authorization": f"Bearer {TokenIssuer(DEV_SECRET).issue('worker-aino', 'worker')}"}
    until = time.monotonic() + deadline(90)
    async with httpx.AsyncClient(base_url=demo.stack.url("decisions"), headers=worker, timeout=10) as http:
        while time.monotonic() < until:
            answer = await http.get(f"/clients/{client_id}/decisions/{decision_id}")
            if answer.status_code == 200:
                return answer.json()["rectification_requests"]  # type: ignore[no-any-return]
            await asyncio.sleep(0.25)
    raise AssertionError("the budget decision did not reach the decisions service's register")


@pytest.mark.parametrize(("person", "lang", "words"), [
    ("citizen-demo", "fi", {"open": "Avaa päätös tai hae siihen oikaisua", "send": "Lähetä oikaisuvaatimus",
                            "empty": "Kirjoita oikaisuvaatimuksesi", "label": "Oikaisuvaatimuksesi omin sanoin",
                            "sent": "Oikaisuvaatimuksesi on vastaanotettu", "status": "vastaanotettu"}),
    ("citizen-stina", "sv", {"open": "Öppna beslutet eller begär omprövning", "send": "Skicka begäran om omprövning",
                             "empty": "Skriv din begäran om omprövning", "label": "Din begäran om omprövning med egna ord",
                             "sent": "Din begäran om omprövning har tagits emot", "status": "mottagen"}),
])
async def test_a_client_asks_for_rectification_from_the_decisions_page(
        browser: Browser, demo: Demo, person: str, lang: str, words: dict[str, str]) -> None:
    client_id = demo.client_id(person)
    decision_id = str(demo.clients[person]["budget"]["decision"]["decision_id"])
    before = await in_the_register(demo, client_id, decision_id)
    v = await visitor(browser, demo.url, lang=lang)
    try:
        await sign_in(v, person, "citizen")
        await v.goto("/my/decisions")
        await v.page.get_by_role("link", name=words["open"]).click()
        await v.page.wait_for_url(re.compile(rf"/my/decisions/{decision_id}$"))
        await v.check()
        assert await v.page.get_attribute("html", "lang") == lang

        await v.page.get_by_role("button", name=words["send"]).click()  # nothing written yet
        await v.page.wait_for_load_state()
        await v.check()
        summary = v.page.locator(".error-summary")
        assert words["empty"] in await summary.inner_text()
        await summary.get_by_role("link").click()
        assert await v.page.evaluate("document.activeElement.id") == "rectification"
        assert await in_the_register(demo, client_id, decision_id) == before  # nothing sent

        text = "Siivousta tarvitaan viikoittain, ei kahdesti kuukaudessa." if lang == "fi" else \
            "Jag behöver städning varje vecka, inte varannan."
        await v.page.get_by_label(words["label"]).fill(text)
        await v.page.get_by_role("button", name=words["send"]).click()
        await v.page.wait_for_url(re.compile(rf"/my/decisions/{decision_id}\?asked=1$"))
        await v.check()
        main = await v.page.locator("main").inner_text()
        assert words["sent"] in main and words["status"] in main
        after = await in_the_register(demo, client_id, decision_id)
        assert len(after) == len(before) + 1 and after[-1]["party"] == "client" and not after[-1]["late"]
    finally:
        await v.context.close()
