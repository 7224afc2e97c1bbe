"""The manager's approvals queue in a real browser against the real stack (the decisions service's one queue, the
budget read from budgeting): a worker decides a budget above their delegated limit; the worker sees it waiting
and cannot answer their own request; the manager lands on the queue, reads who asked, the amount against the limit,
the plan and the reasoning side by side, is stopped from refusing without a reason (in the page's language,
nothing changes), and approves with a reason: the matter leaves the queue and the client's budget is decided.
Every page passes axe-core in Finnish and Swedish."""

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
from tests.browser.test_console import screenshot
from tests.browser.world import client_with_budget, temporary_hetu, worker_token
from tests.support import deadline

pytestmark = pytest.mark.browser

REASONING = "Kaksi lasta ja vuorotyö: siivous ja valmennus yhdessä ylittävät tavallisen tason."
SUPPORT = "Kotisiivous viikoittain"



def decide_above_the_limit(demo: Demo) -> str:
    """A new client of worker-aino's whose budget of 6 000 € (the worker's limit is 5 000 €) is decided by the
    worker through the API: it waits for a manager's approval (202)."""
    tokens = TokenIssuer(DEV_SECRET)
    worker = {"Authorization": f"Bearer {tokens.issue('worker-aino', 'worker')}"}
    person = {"hetu": temporary_hetu("150690", 953), "given_name": "Hanna", "family_name": "Hyväksyttävä",
              "language": "fi"}
    with httpx.Client(base_url=demo.stack.url("intake"), headers=worker, timeout=10) as http:
        cid = demo_data.register(http, person)
    with httpx.Client(base_url=demo.stack.url("budgeting"), headers=worker, timeout=10) as http:
        demo_data.wait_for_budget(http, cid)
        http.post(f"/budgets/{cid}/goals", json={
            "title": "Arki sujuu vuorotyön rinnalla", "baseline_level": -1,
            "levels": {"much_less_than_expected": "Ei suju", "less_than_expected": "Sujuu huonosti",
                       "expected": "Sujuu useimpina päivinä", "more_than_expected": "Sujuu hyvin",
                       "much_more_than_expected": "Sujuu ja jää aikaa"}}).raise_for_status()
        goal = http.get(f"/budgets/{cid}").json()["goals"][0]["goal_id"]
        for category, text, cents in (("cleaning", SUPPORT, 400_000), ("coaching", "Valmennus", 200_000)):
            http.post(f"/budgets/{cid}/supports", json={"category": category, "description": text,
                                                        "estimated_cost_cents": cents, "provider_type": "firm",
                                                        "goal_ids": [goal]}).raise_for_status()
        http.post(f"/budgets/{cid}/proposal", json={
            "amount_cents": 600_000, "period": demo_data.PERIOD,
            "breakdown": {"cleaning": 400_000, "coaching": 200_000}}).raise_for_status()
        decided = http.post(f"/budgets/{cid}/decision", json={"reasoning": REASONING})
        assert decided.status_code == 202, decided.text
    return cid


def budget_of(demo: Demo, cid: str) -> dict[str, Any]:
    manager = {"Authorization": f"Bearer {TokenIssuer(DEV_SECRET).issue('manager-helmi', 'manager')}"}
    answer = httpx.get(f"{demo.stack.url('budgeting')}/budgets/{cid}", headers=manager, timeout=10)
    answer.raise_for_status()
    return answer.json()  # type: ignore[no-any-return]


async def wait_in_queue(demo: Demo, cid: str) -> None:
    """The decisions service hears of the request from budgeting's topic."""
    manager = {"Authorization": f"Bearer {TokenIssuer(DEV_SECRET).issue('manager-helmi', 'manager')}"}
    until = time.monotonic() + deadline(90)
    async with httpx.AsyncClient(base_url=demo.stack.url("decisions"), headers=manager, timeout=10) as http:
        while time.monotonic() < until:
            rows = (await http.get("/approvals")).json()
            if any(r["client_id"] == cid for r in rows):
                return
            await asyncio.sleep(0.25)
    raise AssertionError("the decisions service did not put the request in its queue")


def matter(page: Page, name: str) -> Any:
    return page.locator("section.matter", has_text=name)


async def shot(page: Page, lang: str) -> None:
    """The page at 1280 px for a person to look at, only when asked (AVAIN_APPROVALS_SHOTS=<folder>)."""
    folder = os.environ.get("AVAIN_APPROVALS_SHOTS")
    if folder:
        await page.set_viewport_size({"width": 1280, "height": 1000})
        await page.screenshot(path=str(Path(folder) / f"approvals-{lang}.png"), full_page=True)
        await page.set_viewport_size({"width": 1024, "height": 800})


async def test_a_manager_approves_a_budget_above_the_workers_limit(browser: Browser, demo: Demo) -> None:
    cid = await asyncio.to_thread(decide_above_the_limit, demo)
    await wait_in_queue(demo, cid)
    name = "Hanna Hyväksyttävä"

    # The worker who asked sees it waiting, and why they cannot answer it: no answer controls.
    worker = await visitor(browser, demo.url)
    try:
        await sign_in(worker, "worker-aino", "staff")
        await worker.goto("/approvals")
        own = matter(worker.page, name)
        assert "Pyysit tätä itse" in await own.inner_text()
        assert await own.locator("form, textarea, button").count() == 0
    finally:
        await worker.context.close()

    # In Swedish: the same queue, and a refusal without a reason is stopped in Swedish.
    sv = await visitor(browser, demo.url, lang="sv")
    try:
        await sign_in(sv, "manager-helmi", "staff")
        assert sv.page.url.endswith("/approvals")
        assert await sv.page.locator("h1").inner_text() == "Väntar på godkännande"
        await shot(sv.page, "sv")
        await matter(sv.page, name).get_by_role("button", name="Avslå").click()
        await sv.page.wait_for_load_state()
        await sv.check()
        assert "Skriv varför du avslår" in await sv.page.locator(".error-summary").inner_text()
    finally:
        await sv.context.close()

    v = await visitor(browser, demo.url)
    try:
        await sign_in(v, "manager-helmi", "staff")
        assert v.page.url.endswith("/approvals")  # the manager starts from what waits for them
        assert await v.page.locator("nav.nav a[aria-current=page]").inner_text() == "Hyväksynnät"
        card = matter(v.page, name)
        text = await card.inner_text()
        assert "Budjettipäätös" in text and "Aino Virtanen" in text  # what, and who asked, by name
        assert "6\u00a0000,00\u00a0€" in text and "5\u00a0000,00\u00a0€ (ylittää 1\u00a0000,00\u00a0€)" in text
        assert SUPPORT in await card.locator(".side-by-side > div").first.inner_text()  # the plan ...
        assert REASONING in await card.locator(".side-by-side > div").last.inner_text()  # ... beside the reasoning
        await shot(v.page, "fi")
        await screenshot(v.page, "console-approvals.png")

        # A refusal without a reason: refused in the page's language beside the field, nothing sent.
        await card.get_by_role("button", name="Hylkää").click()
        await v.page.wait_for_load_state()
        await v.check()
        summary = v.page.locator(".error-summary")
        assert "Kerro, miksi hylkäät" in await summary.inner_text()
        field = matter(v.page, name).locator("textarea")
        assert await field.get_attribute("aria-invalid") == "true"
        budget = await asyncio.to_thread(budget_of, demo, cid)
        assert budget["status"] == "awaiting_approval" and budget["approval_refused"] is None

        # Approved with a reason: gone from the queue, and the client's budget is decided by the manager.
        await field.fill("Tarve on perusteltu, ja summa on toimivaltani rajoissa.")
        await matter(v.page, name).get_by_role("button", name="Hyväksy").click()
        await v.page.wait_for_url(re.compile(r"/approvals\?answered=approve$"))
        await v.check()
        assert "Hyväksyit päätöksen" in await v.page.locator("main").inner_text()
        assert await matter(v.page, name).count() == 0
        budget = await asyncio.to_thread(budget_of, demo, cid)
        assert budget["status"] == "decided"
        assert budget["decision"]["approved_by"] == "manager-helmi"
        assert budget["funds"]["decided_cents"] == 600_000
    finally:
        await v.context.close()


async def test_a_forged_answer_from_a_worker_is_refused(browser: Browser, demo: Demo) -> None:
    """No control is rendered for a worker, and a form sent anyway stops at the console (managers only)."""
    v: Visitor = await visitor(browser, demo.url)
    try:
        await sign_in(v, "worker-aino", "staff")
        await v.goto("/approvals")
        assert await v.page.locator("main form[action^='/approvals/']").count() == 0
        csrf = await v.page.get_attribute("form[action='/sign-out'] input[name=csrf]", "value")
        sent = await v.context.request.post(
            f"{demo.url}/approvals/00000000-0000-0000-0000-000000000000", max_redirects=0,
            form={"csrf": csrf or "", "client_id": demo.client_id("citizen-demo"), "service": "budgeting",
                  "kind": "budget_decision", "answer": "approve", "reason": "itse"})
        assert sent.status == 403
    finally:
        await v.context.close()


ITEM = "Sähköavusteinen kuljetuspyörä lasten kuljetuksiin"


def purchase_above_the_limit(demo: Demo) -> tuple[str, str]:
    """A new client of worker-aino's with a decided budget for equipment (4 500 €, within the worker's authority),
    a verified shop, and the worker's purchase of 2 500 € from it: above the worker's 2 000 € for purchases, it
    waits for a manager with its funds held. Returns the client and the purchase."""
    tokens = TokenIssuer(DEV_SECRET)
    worker = worker_token()
    person = {"hetu": temporary_hetu("220385", 961), "given_name": "Pirjo", "family_name": "Pyöräilevä",
              "language": "fi"}
    cid = client_with_budget(demo, person, category="equipment", cents=450_000, support="Kuljetuspyörä",
                             goal="Lapset kulkevat päiväkotiin ilman autoa")
    shop_user = {"Authorization": f"Bearer {tokens.issue('prov-pyora', 'provider')}"}
    region = {"Authorization": f"Bearer {tokens.issue('region-ritva', 'manager')}"}
    until = time.monotonic() + deadline(60)
    with httpx.Client(base_url=demo.stack.url("marketplace"), timeout=10) as http:
        r = http.post("/providers", headers=shop_user, json={
            "y_tunnus": "2617416-4", "name": "Pyöräpaja Oy", "kind": "firm", "vendor_kind": "goods_and_tickets",
            "service_areas": ["Tampere", "Pori"], "languages": ["fi", "sv"], "accessibility": "Esteetön myymälä",
            "contact_email": "myynti@pyorapaja.example"})
        assert r.status_code == 201, r.text
        shop = r.json()["provider_id"]
        http.post(f"/providers/{shop}/verification", headers=region, json={"checklist": {
            "y_tunnus_valid": True, "payment_details": True}}).raise_for_status()
        while True:  # the marketplace hears of the decided budget's client from budgeting's topic
            r = http.post("/purchases", headers=worker, json={
                "client_id": cid, "vendor_id": shop, "category": "equipment", "description": ITEM,
                "unit_price_cents": 250_000, "quote_reference": "TARJ-2026-118"})
            if r.status_code == 202 or time.monotonic() > until:
                break
            time.sleep(0.5)
        assert r.status_code == 202, r.text
        purchase_id: str = r.json()["purchase_id"]
        while http.get(f"/purchases/{purchase_id}", headers=worker).json().get("status") != "awaiting_approval":
            assert time.monotonic() < until, "the purchase never came to wait for approval"
            time.sleep(0.25)
    return cid, purchase_id


def purchase_of(demo: Demo, purchase_id: str) -> dict[str, Any]:
    manager = {"Authorization": f"Bearer {TokenIssuer(DEV_SECRET).issue('manager-helmi', 'manager')}"}
    answer = httpx.get(f"{demo.stack.url('marketplace')}/purchases/{purchase_id}", headers=manager, timeout=10)
    answer.raise_for_status()
    return answer.json()  # type: ignore[no-any-return]


async def test_a_manager_approves_a_purchase_above_the_workers_limit_from_the_same_queue(
        browser: Browser, demo: Demo) -> None:
    cid, purchase_id = await asyncio.to_thread(purchase_above_the_limit, demo)
    await wait_in_queue(demo, cid)
    name = "Pirjo Pyöräilevä"
    sv = await visitor(browser, demo.url, lang="sv")  # the purchase in Swedish, its texts from the catalogue
    try:
        await sign_in(sv, "manager-helmi", "staff")
        text = await matter(sv.page, name).inner_text()
        assert "Inköp" in text and "Säljare" in text and "1 st. × 2\u00a0500,00\u00a0€" in text
        await sv.check()
    finally:
        await sv.context.close()

    v = await visitor(browser, demo.url)
    try:
        await sign_in(v, "manager-helmi", "staff")
        card = matter(v.page, name)
        text = await card.inner_text()
        # What is bought, from whom, at what price against the worker's limit, and what remains of the budget.
        assert "Hankinta" in text and ITEM in text and "Pyöräpaja Oy" in text and "TARJ-2026-118" in text
        assert "2\u00a0500,00\u00a0€" in text and "2\u00a0000,00\u00a0€ (ylittää 500,00\u00a0€)" in text
        await v.check()
        await card.locator("textarea").fill("Kuljetuspyörä korvaa taksimatkat; hinta on tarjouksen mukainen.")
        await card.get_by_role("button", name="Hyväksy").click()
        await v.page.wait_for_url(re.compile(r"/approvals\?answered=approve$"))
        assert await matter(v.page, name).count() == 0
        bought = await asyncio.to_thread(purchase_of, demo, purchase_id)
        assert bought["status"] == "confirmed" and bought["waiting_for_approval"] is False
    finally:
        await v.context.close()
