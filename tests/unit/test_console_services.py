"""The console calls the services in the page's language: what a service words itself (a criterion's condition,
budgeting's reason, a decision's texts) comes back in the reader's language, not in the services' default Finnish."""

from __future__ import annotations

import httpx

from services.console.session import Session
from tests.console_pages import console, person


def _empty_inbox(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"items": [], "total": 0, "unread": 0, "next_cursor": None})


async def _languages_asked(session: Session, browser_language: str) -> set[str | None]:
    """The languages the notifications service was asked in while the console answered the person's inbox page."""
    async with console(_empty_inbox, session) as c:
        answer = await c.http.get("/inbox", headers={"Accept-Language": browser_language})
    assert answer.status_code == 200, answer.text
    assert c.sent
    return {request.headers.get("accept-language") for request in c.sent}


async def test_the_services_are_asked_in_the_pages_language() -> None:
    assert await _languages_asked(person(), "sv-FI,sv;q=0.9") == {"sv"}
    assert await _languages_asked(person(), "en-GB") == {"en"}
    # A client's own stored choice is the page's language, whatever the browser says: the services hear it too.
    client = person(kind="citizen", user_id="7b0c4a57-5b7e-4d57-9a3c-0a3b1b7c9a11", role="client", name="Maija",
                    language="sv")
    assert await _languages_asked(client, "fi") == {"sv"}
