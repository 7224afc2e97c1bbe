"""Everyone's inbox (issue 21): what the notifications service has to tell the signed-in person, staff or client,
newest first, in the page's language; an item marked read by a form (CSRF-checked), or all at once. The e-mails
the service sends point here (its AVAIN_INBOX_URL). Texts of the page: the notifications domain of the catalogue
(``console.inbox.*``), so the console's own catalogue stays the console's."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from services.console.adapters.services import Services
from services.console.web import NotSignedIn, page_of

router = APIRouter(prefix="/inbox")
PAGE = 25


def _services(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]


def _token(request: Request) -> str:
    session = page_of(request).session
    if session is None:
        raise NotSignedIn()
    return session.token


@router.get("", response_class=HTMLResponse)
async def inbox(request: Request, cursor: Annotated[str | None, Query(max_length=200)] = None,
                unread: Annotated[bool, Query()] = False) -> Response:
    """The person's own inbox: what happened, when, and whether they have read it."""
    page = page_of(request)
    found = await _services(request).get("notifications", "/inbox", _token(request), params={
        "lang": page.lang, "limit": PAGE, "unread": str(unread).lower(), **({"cursor": cursor} if cursor else {})})
    return page.render("inbox.html", items=found["items"], total=found["total"], unread=found["unread"],
                       next_cursor=found["next_cursor"], only_unread=unread)


@router.post("/{item_id}/read")
async def mark_read(request: Request, item_id: UUID) -> Response:
    page = page_of(request)
    await _services(request).call("POST", "notifications", f"/inbox/{item_id}/read", _token(request))
    return page.redirect(f"/inbox#item-{item_id}")


@router.post("/read")
async def mark_all_read(request: Request) -> Response:
    page = page_of(request)
    await _services(request).call("POST", "notifications", "/inbox/read", _token(request))
    return page.redirect("/inbox")
