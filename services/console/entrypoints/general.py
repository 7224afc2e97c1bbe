"""Pages for everyone: the start, the language switch, the accessibility statement, health."""

from __future__ import annotations

from typing import Annotated

import structlog
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from services.console.adapters.services import Refusal, Services
from services.console.session import LANGUAGE_COOKIE, SESSION_COOKIE
from services.console.web import page_of, safe_next, set_cookie
from shared.i18n import catalogue

router = APIRouter()
log = structlog.get_logger(__name__)
# Where each kind of staff starts: the question they arrive with (an auditor states a purpose before any read; a
# manager asks what waits for their approval).
STAFF_HOME = {"auditor": "/audit", "provider": "/provider/orders", "planner": "/region", "manager": "/approvals"}


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
    """A link to a page in a language: kept for this browser a year (nothing is stored for the person; the switch
    on every page is a form that does that)."""
    page = page_of(request)
    response = page.redirect(safe_next(next))
    if code in catalogue().languages:
        set_cookie(response, page.settings, LANGUAGE_COOKIE, code, max_age=365 * 24 * 3600)
    return response


@router.post("/language")
async def store_language(request: Request, lang: Annotated[str, Form(max_length=8)],
                         next: Annotated[str, Form(max_length=2000)] = "/") -> Response:
    """The language switch on every page (a form: works without JavaScript). A signed-in client's choice is stored
    as their preference at intake, so letters and messages follow it and every device opens in it; a staff
    member's stays with their session and this browser until the staff directory keeps it."""
    page = page_of(request)
    response = page.redirect(safe_next(next))
    if lang not in catalogue().languages:
        return response
    set_cookie(response, page.settings, LANGUAGE_COOKIE, lang, max_age=365 * 24 * 3600)
    session = page.session
    if session is None:
        return response
    if session.kind == "citizen" and session.role == "client" and lang in INTAKE_LANGUAGES and lang != session.language:
        services: Services = request.app.state.services
        try:
            await services.call("PUT", "intake", f"/clients/{session.user_id}/preferred-language", session.token,
                                json={"preferred_language": lang})
        except Refusal as refusal:  # the page still changes language; the stored preference stays as it was
            log.warning("language_not_stored", status=refusal.status, code=refusal.code)
    session.language = lang
    set_cookie(response, page.settings, SESSION_COOKIE, request.app.state.sealer.seal_session(session))
    return response


INTAKE_LANGUAGES = ("fi", "sv", "en")  # what intake keeps as a client's language (contracts.intake.Language)


@router.get("/accessibility", response_class=HTMLResponse)
async def accessibility(request: Request) -> Response:
    """The accessibility statement (Act 306/2019) with its feedback channel, in the reader's language."""
    page = page_of(request)
    return page.render("accessibility.html", email=page.settings.feedback_email)
