"""The working pages at 320 CSS pixels (a phone, or 400 % zoom), in Finnish and Swedish: nothing needs sideways
scrolling (WCAG 2.1 1.4.10 Reflow; a wide table scrolls inside its own focusable region), and axe-core finds no
violation at that width either."""
from __future__ import annotations

import pytest
from playwright.async_api import Browser

from tests.browser.conftest import Demo, sign_in, visitor

pytestmark = pytest.mark.browser
PAGES = {"manager-helmi": ["/approvals", "/providers", "/caseloads?worker=worker-aino"],
         "worker-aino": ["/intake/new", "/clients/{cid}/plan", "/clients/{cid}/follow-up"],
         "prov-uusi": ["/provider/registration"]}


@pytest.mark.parametrize("lang", ["fi", "sv"])
async def test_the_working_pages_reflow_at_320_pixels(browser: Browser, demo: Demo, lang: str) -> None:
    cid = demo.client_id("citizen-demo")
    bad = []
    for person, paths in PAGES.items():
        v = await visitor(browser, demo.url, lang=lang)
        try:
            await sign_in(v, person, "staff")
            await v.page.set_viewport_size({"width": 320, "height": 640})
            for path in paths:
                p = path.format(cid=cid)
                await v.page.goto(demo.url + p)
                await v.check()
                width = await v.page.evaluate("document.documentElement.scrollWidth")
                if width > 320:
                    bad.append((lang, p, width))
        finally:
            await v.context.close()
    assert bad == []
