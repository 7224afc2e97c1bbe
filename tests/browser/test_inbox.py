"""The inbox in the console (issue 21), in a real browser against the real stack: the demo client reads, in their
language, what the notifications service was told to tell them (their budget was decided), marks it read with the
form, and the worker sees their own inbox, not the client's (nor the decision she made herself).
Every page passes axe-core (conftest)."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser

from tests.browser.conftest import Demo, Visitor, sign_in, visitor
from tests.support import eventually

pytestmark = pytest.mark.browser


async def _shown(v: Visitor, words: str) -> bool:
    """Reloads the inbox until ``words`` are on it (the service consumes the demo's events on its own time)."""
    await v.goto("/inbox")
    return words in await v.page.locator("main").inner_text()


async def test_a_client_reads_their_inbox_in_their_language_and_marks_an_item_read(browser: Browser,
                                                                                 demo: Demo) -> None:
    v = await visitor(browser, demo.url)
    try:
        await sign_in(v, "citizen-demo", "citizen")
        await eventually(lambda: _shown(v, "Budjettipäätöksesi on tehty"), timeout=60, interval=1)
        item = v.page.locator("li.inbox-item", has_text="Budjettipäätöksesi on tehty")
        assert await item.locator(".badge").count() == 1  # new
        await item.get_by_role("button", name="Merkitse luetuksi").click()
        await v.page.wait_for_url(lambda url: "/inbox" in url)
        await v.check()
        item = v.page.locator("li.inbox-item", has_text="Budjettipäätöksesi on tehty")
        assert await item.locator(".badge").count() == 0 and await item.get_by_role("button").count() == 0
        await v.goto("/inbox?lang=sv")
        assert "Beslutet om din budget har fattats" in await v.page.locator("main").inner_text()
    finally:
        await v.context.close()


async def test_a_worker_reads_their_own_inbox_only(browser: Browser, demo: Demo) -> None:
    client = await visitor(browser, demo.url)
    worker = await visitor(browser, demo.url)
    try:
        await sign_in(client, "citizen-demo", "citizen")
        await eventually(lambda: _shown(client, "Budjettipäätöksesi on tehty"), timeout=60, interval=1)
        await sign_in(worker, "worker-aino", "staff")  # she made the decision herself: she is not told of it
        await worker.goto("/inbox")
        assert await worker.page.locator("h1").inner_text() == "Viestit"
        assert "Budjettipäätöksesi on tehty" not in await worker.page.locator("main").inner_text()
    finally:
        await client.context.close()
        await worker.context.close()
