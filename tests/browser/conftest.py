"""The real stack in a real browser: the local OIDC provider, every service and the console as processes on free
ports (deploy/local/stack.py), on the shared Kafka and PostgreSQL with a topic and database prefix of their own,
loaded with the demo people (deploy/local/demo.py); Playwright drives Debian's Chromium (`./avain test` installs
it). One browser for the browser tests; each person gets a context of their own.

Every page a test visits is checked with axe-core (WCAG 2.1 A and AA rules: 0 violations), and every request
the browser makes for a page's parts must go to the console's own origin (no CDN).
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from uuid import uuid4

import asyncpg
import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, BrowserContext, Page, Request, async_playwright

from deploy.local.stack import LocalStack
from shared.infra.auth import TokenIssuer
from shared.infra.settings import DEV_SECRET
from tests.support import KAFKA, PG_DSN, deadline

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
_axe = Axe()


@dataclass
class Demo:
    stack: LocalStack
    clients: dict[str, Any]

    @property
    def url(self) -> str:
        return self.stack.console_url

    def client_id(self, person: str) -> str:
        return str(self.clients[person]["client_id"])


@pytest.fixture(scope="package")  # stopped when the browser tests are done: two cores are shared
async def demo(infrastructure: None, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Demo]:
    from deploy.local import demo as demo_data

    stack = LocalStack(kafka=KAFKA, pg_dsn=PG_DSN, run=uuid4().hex[:10], log_dir=tmp_path_factory.mktemp("stack"))
    try:
        await stack.start()
        urls = {s: stack.url(s) for s in ("intake", "budgeting", "marketplace", "followup", "history")}
        clients = await asyncio.to_thread(demo_data.load, urls, TokenIssuer(DEV_SECRET))
        yield Demo(stack, clients)
    finally:
        await stack.stop()
        conn = await asyncpg.connect(PG_DSN)
        try:
            for name in stack.databases:
                await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()


@pytest.fixture(scope="package")
async def browser() -> AsyncIterator[Browser]:
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.fail("browser tests need Debian's chromium: run them with ./avain test (it installs it)")
    async with async_playwright() as p:
        launched = await p.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield launched
        await launched.close()


@dataclass
class Visitor:
    """One person's browser (a context of their own: their own cookies), with every page checked."""

    context: BrowserContext
    page: Page
    origin: str
    foreign: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)

    async def check(self) -> None:
        """axe-core on the current page (0 violations), and no part of it fetched from another origin."""
        results = await _axe.run(self.page, options={"runOnly": {"type": "tag", "values": AXE_TAGS},
                                                     "resultTypes": ["violations"]})
        assert results.violations_count == 0, f"{self.page.url}:\n{results.generate_report()}"
        assert self.foreign == [], f"requests to another origin from {self.page.url}: {self.foreign}"
        lang = await self.page.get_attribute("html", "lang")
        assert lang, f"{self.page.url} has no lang"
        self.checked.append(urlsplit(self.page.url).path)

    async def goto(self, path: str) -> None:
        await self.page.goto(self.origin + path)
        await self.check()


async def visitor(browser: Browser, origin: str, lang: str = "fi") -> Visitor:
    context = await browser.new_context(locale={"fi": "fi-FI", "sv": "sv-FI", "en": "en-GB", "de": "de-DE"}[lang],
                                        viewport={"width": 1024, "height": 800})
    context.set_default_timeout(deadline(30) * 1000)  # Playwright's 30 s per step, stretched for the loaded machine
    page = await context.new_page()
    v = Visitor(context, page, origin)

    def on_request(request: Request) -> None:
        # Navigations may go to the identity providers; a page's parts (styles, scripts, fonts, images, fetches)
        # come from the console only.
        if request.is_navigation_request():
            return
        if not request.url.startswith(origin + "/"):
            v.foreign.append(request.url)

    page.on("request", on_request)
    return v


async def sign_in(v: Visitor, person: str, kind: str) -> None:
    """Through the development sign-in page and the real local provider (login_hint)."""
    await v.goto("/dev/sign-in")
    await v.page.locator(f"form[action='/sign-in/{kind}'] button[value='{person}']").click()
    await v.page.wait_for_url(lambda url: url.startswith(v.origin) and "/dev/sign-in" not in url)
    await v.check()


def screenshots_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "docs"
