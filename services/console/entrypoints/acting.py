"""Whom a representative acts for: the page that asks (reachable from every page's header), and the choice kept in
the session so that the client's pages (``/my/...``) show that client's case with a banner saying so.

The list comes from intake with the representative's own token (``/representatives/me``, and the names of the
clients it shows, each read access-logged there); the services check the mandate again on every request, so the
console's choice grants nothing. A person who is a client too chooses "myself" here as well: their session then
holds their client token instead of their representative token (both exchanged from the same sign-in)."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from services.console.acting import SELF, automatic, chosen, represented
from services.console.adapters.services import Services
from services.console.renewal import renewed
from services.console.session import SESSION_COOKIE, Session
from services.console.web import NotSignedIn, Page, WrongPerson, page_of, safe_next, set_cookie

router = APIRouter(prefix="/my/acting-for")
HOME = "/my/plan"


def _services(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]


async def whom_they_represent(services: Services, token: str) -> list[dict[str, str | None]]:
    """The clients a representative acts for today, with their names, read with the representative's token."""
    me = await services.get("intake", "/representatives/me", token)
    ids = [str(m["client_id"]) for m in me.get("represents", [])]
    names = (await services.get("intake", "/clients/names", token, params=[("id", c) for c in ids]))["items"] if ids else []
    return represented(me, names)


def act_for(session: Session, choice: dict[str, str | None] | None) -> Session:
    """The session acting for ``choice`` (None: nobody chosen yet)."""
    if choice is None:
        return replace(session, acting_for=None, acting_for_name=None, acting_for_kind=None)
    return replace(session, acting_for=choice["client_id"], acting_for_name=choice["name"],
                   acting_for_kind=choice["kind"])


def _chooser(page: Page) -> Session:
    session = page.session
    if session is None:
        raise NotSignedIn()
    if session.kind != "citizen":
        raise WrongPerson()
    return session


def _render(page: Page, session: Session, next_url: str, status: int = 200, error: str | None = None) -> Response:
    current = session.acting_for if session.role == "representative" else SELF
    page.refresh_session = False  # the cookie set below is the session's last word
    response = page.render("acting_for.html", status=status, choices=session.represents, also_client=session.also_client,
                           current=current, next=next_url, error=error, self_choice=SELF)
    set_cookie(response, page.settings, SESSION_COOKIE, page.request.app.state.sealer.seal_session(session))
    return response


@router.get("", response_class=HTMLResponse)
async def whom(request: Request, next: Annotated[str | None, Query(max_length=2000)] = None) -> Response:
    """Whom are you acting for? The people you represent today by name (and yourself, if you are a client too)."""
    page = page_of(request)
    session = _chooser(page)
    if not page.may_choose_whom:
        return page.redirect(HOME)
    if session.role == "representative":  # the list as intake has it now (a link may have ended since sign-in)
        session.represents = await whom_they_represent(_services(request), session.token)
        page.session = session
    return _render(page, session, safe_next(next))


@router.post("", response_class=HTMLResponse)
async def choose(request: Request, whom: Annotated[str, Form(max_length=100)] = "",
                 next: Annotated[str, Form(max_length=2000)] = "/") -> Response:
    """The choice: the client's pages from now on show that person's case (or one's own)."""
    page = page_of(request)
    session = _chooser(page)
    if not page.may_choose_whom:
        return page.redirect(HOME)
    services = _services(request)
    if session.role == "representative":
        session.represents = await whom_they_represent(services, session.token)
    choice = chosen(whom, session.represents, session.also_client)
    if choice is None:
        return _render(page, session, safe_next(next), 422, error=page.t("acting.choose_one"))
    role = "client" if whom == SELF else "representative"
    if role != session.role:  # one's own case and another's are read with different tokens of the same sign-in
        switched = await renewed(request.app.state, replace(session, role=role)) if session.refresh_token else None
        if switched is None:
            return page.render("error.html", status=503, title=page.t("signin.failed.title"),
                               detail=page.t("acting.switch_failed"))
        session = switched
        if role == "representative":
            session.represents = await whom_they_represent(services, session.token)
            choice = chosen(whom, session.represents, session.also_client)
            if choice is None:
                return _render(page, act_for(session, None), safe_next(next), 422,
                               error=page.t("acting.choose_one"))
    session = act_for(session, None if whom == SELF else choice)
    target = safe_next(next)
    page.refresh_session = False
    response = page.redirect(HOME if target in ("/", "/my/acting-for") else target)
    set_cookie(response, page.settings, SESSION_COOKIE, request.app.state.sealer.seal_session(session))
    return response


def first_session(session: Session) -> tuple[Session, str]:
    """A citizen's session just signed in, and where they go first: their one represented client chosen for them,
    else the chooser (a representative of several, or a client who represents others), else their own plan."""
    only = automatic(session.represents, session.also_client)
    if session.role == "representative" and only is not None:
        return act_for(session, chosen(only, session.represents, False)), HOME
    if session.role == "representative" or session.represents:
        return session, "/my/acting-for"
    return session, HOME
