"""The accessible HTML twin of every kind of decision letter: 0 axe-core violations (WCAG 2.1 A and AA), in
Finnish and Swedish, in the real browser the browser tests use (no stack needed: the twin is one self-contained
document)."""

from __future__ import annotations

import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser

from shared.infra.letters import DECISION_KINDS, render_html
from tests.browser.conftest import AXE_TAGS
from tests.letters import letter_content


@pytest.mark.parametrize("language", ["fi", "sv"])
async def test_the_html_twin_of_every_kind_has_no_accessibility_violation(browser: Browser, language: str) -> None:
    context = await browser.new_context()
    page = await context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    try:
        for kind in DECISION_KINDS:
            html, _, _ = render_html(letter_content(kind, language))  # type: ignore[arg-type]
            await page.set_content(html)
            results = await Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS},
                                                     "resultTypes": ["violations"]})
            assert results.violations_count == 0, f"{kind}/{language}:\n{results.generate_report()}"
            assert await page.get_attribute("html", "lang") == language
        assert requests == []  # self-contained: nothing fetched from anywhere
    finally:
        await context.close()
