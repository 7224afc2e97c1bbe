"""Pages for everyone: the start, the language switch, the accessibility statement, health."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from services.console.session import LANGUAGE_COOKIE
from services.console.web import page_of, safe_next, set_cookie
from shared.i18n import catalogue

router = APIRouter()
# Where each kind of staff starts: the question they arrive with (an auditor states a purpose before any read).
STAFF_HOME = {"auditor": "/audit", "provider": "/provider/orders", "planner": "/region"}


@router.get("/health", include_in_schema=False)
async def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/", response_class=HTMLResponse)
async def start(request: Request) -> Response:
    page = page_of(request)
    if page.session is None:
        return page.redirect("/sign-in")
    if page.session.kind == "staff":
        return page.redirect(STAFF_HOME.get(page.session.role, "/caseload"))
    return page.redirect("/my/plan")


@router.get("/language/{code}")
async def choose_language(request: Request, code: str, next: str | None = None) -> Response:
    """The language switch: a link on every page, so it works without JavaScript; the choice is kept a year."""
    page = page_of(request)
    response = page.redirect(safe_next(next))
    if code in catalogue().languages:
        set_cookie(response, page.settings, LANGUAGE_COOKIE, code, max_age=365 * 24 * 3600)
    return response


@router.get("/accessibility", response_class=HTMLResponse)
async def accessibility(request: Request) -> Response:
    """The accessibility statement (Act 306/2019) with its feedback channel, in the reader's language."""
    page = page_of(request)
    return page.render("accessibility.html", email=page.settings.feedback_email)
