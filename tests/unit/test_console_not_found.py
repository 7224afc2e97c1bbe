"""An address the console has no page for is its own "not found" page in the reader's language, with the page
layout (lang, the header, a way back), status 404 — never Starlette's JSON."""

from __future__ import annotations

import httpx
import pytest

from tests.console_pages import console

WORDS = {"fi": ("Sivua ei löytynyt", "Tarkista osoite."), "sv": ("Sidan hittades inte", "Kontrollera adressen."),
         "en": ("Page not found", "Check the address.")}


@pytest.mark.parametrize("lang", sorted(WORDS))
async def test_an_unknown_address_is_the_not_found_page_in_the_readers_language(lang: str) -> None:
    async with console(lambda request: httpx.Response(500)) as c:
        answer = await c.http.get("/no/such/page", headers={"Accept-Language": lang})
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/html")
    title, detail = WORDS[lang]
    assert f"<h1>{title}</h1>" in answer.text and detail in answer.text
    assert f'<html lang="{lang}"' in answer.text and 'href="/"' in answer.text
    assert c.sent == []  # no service is asked about an address that names nothing


async def test_a_visitor_not_signed_in_gets_the_same_page() -> None:
    async with console(lambda request: httpx.Response(500)) as c:
        c.http.cookies.clear()
        answer = await c.http.get("/nothing-here", headers={"Accept-Language": "sv"})
    assert answer.status_code == 404 and "Sidan hittades inte" in answer.text
