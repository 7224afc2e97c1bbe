"""A manager moves a worker's client to another worker in a real browser against the real stack (intake's own
coordinator command with the manager's token): the worker's clients by name, a move without a new worker stopped
beside its field in the page's language with nothing changed, then the move, which intake records. Every page
passes axe-core in Finnish and Swedish, including the one with errors."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser

from deploy.local import demo as demo_data
from shared.infra.auth import TokenIssuer
from shared.infra.settings import DEV_SECRET
from tests.browser.conftest import Demo, sign_in, visitor
from tests.browser.world import temporary_hetu

pytestmark = pytest.mark.browser


def new_client_of_aino(demo: Demo) -> str:
    worker = {"Authorization": f"Bearer {TokenIssuer(DEV_SECRET).issue('worker-aino', 'worker')}"}
    person = {"hetu": temporary_hetu("030377", 972), "given_name": "Siiri", "family_name": "Siirrettävä",
              "language": "fi"}
    with httpx.Client(base_url=demo.stack.url("intake"), headers=worker, timeout=10) as http:
        return demo_data.register(http, person)


def coordinator_of(demo: Demo, cid: str) -> Any:
    manager = {"Authorization": f"Bearer {TokenIssuer(DEV_SECRET).issue('manager-helmi', 'manager')}"}
    answer = httpx.get(f"{demo.stack.url('intake')}/clients/{cid}", headers=manager, timeout=10)
    answer.raise_for_status()
    return answer.json()["coordinator_id"]


async def test_a_manager_moves_a_workers_client_to_another_worker(browser: Browser, demo: Demo) -> None:
    cid = await asyncio.to_thread(new_client_of_aino, demo)
    name = "Siiri Siirrettävä"

    sv = await visitor(browser, demo.url, lang="sv")  # in Swedish: the list and a move with no worker chosen
    try:
        await sign_in(sv, "manager-helmi", "staff")
        await sv.goto("/caseloads?worker=worker-aino")
        assert await sv.page.locator("h1").inner_text() == "Flytta klienter"
        await sv.page.get_by_label(name).check()
        await sv.page.get_by_role("button", name="Flytta de valda klienterna").click()
        await sv.page.wait_for_load_state()
        await sv.check()
        assert "Välj en ny kontaktperson" in await sv.page.locator(".error-summary").inner_text()
        assert await sv.page.get_by_label(name).is_checked()  # what was chosen stays chosen
    finally:
        await sv.context.close()
    assert await asyncio.to_thread(coordinator_of, demo, cid) == "worker-aino"  # nothing moved

    v = await visitor(browser, demo.url)
    try:
        await sign_in(v, "manager-helmi", "staff")
        await v.page.get_by_role("link", name="Asiakkuuksien siirto").click()
        await v.page.wait_for_load_state()
        await v.check()
        await v.page.get_by_label("Kenen asiakkaat").select_option("worker-aino")
        await v.page.get_by_role("button", name="Näytä asiakkaat").click()
        await v.page.wait_for_load_state()
        await v.check()
        await v.page.get_by_label(name).check()
        await v.page.get_by_label("Uusi vastuutyöntekijä").select_option("worker-eero")
        await v.page.get_by_role("button", name="Siirrä valitut asiakkaat").click()
        await v.page.wait_for_url(lambda url: "moved=1" in url)
        await v.check()
        assert "Siirretty asiakkaita: 1." in await v.page.locator("main").inner_text()
        assert await v.page.get_by_label(name).count() == 0  # no longer aino's
    finally:
        await v.context.close()
    assert await asyncio.to_thread(coordinator_of, demo, cid) == "worker-eero"
