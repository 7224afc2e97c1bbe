"""Signing in and out: staff at the county's identity provider, citizens through strong e-identification.

Both are the authorization code flow with PKCE. A citizen's broker token (it carries the hetu) is exchanged at
intake for Avain's token naming the pseudonymous client id; only that token is kept (docs/decisions/0018).
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from typing import Annotated, Any, Literal

import structlog
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.console.adapters.oidc import Attempt, OidcClient, SignInFailed
from services.console.adapters.services import Refusal, Services
from services.console.entrypoints.acting import first_session, whom_they_represent
from services.console.entrypoints.general import STAFF_HOME
from services.console.renewal import subject_of
from services.console.session import (
    ATTEMPT_COOKIE,
    CSRF_COOKIE,
    INTAKE_DRAFT_COOKIE,
    LANGUAGE_COOKIE,
    SESSION_COOKIE,
    Session,
)
from services.console.web import page_of, safe_next, set_cookie

router = APIRouter()
log = structlog.get_logger(__name__)
Kind = Literal["staff", "citizen"]


def _client(request: Request, kind: Kind) -> OidcClient:
    return request.app.state.oidc[kind]  # type: ignore[no-any-return]


def _redirect_uri(request: Request) -> str:
    return f"{request.app.state.settings.base_url}/auth/callback"


@router.get("/sign-in", response_class=HTMLResponse)
async def sign_in_page(request: Request, next: str | None = None) -> Response:
    page = page_of(request)
    return page.render("sign_in.html", next=safe_next(next), expired=request.state.session_expired
                       or request.query_params.get("expired") == "1",
                       signed_out=request.query_params.get("signed_out") == "1")


@router.post("/sign-in/{kind}")
async def start_sign_in(request: Request, kind: Kind, next: Annotated[str, Form()] = "/",
                        person: Annotated[str | None, Form()] = None) -> Response:
    """Off to the identity provider; ``person`` (development only) signs a demo person in by login_hint."""
    page = page_of(request)
    if person is not None and not page.settings.development:
        return page.render("error.html", status=404, title=page.t("error.not_found.title"),
                           detail=page.t("error.not_found.detail"))
    attempt = Attempt.new()
    try:
        url = await _client(request, kind).authorization_url(attempt, _redirect_uri(request), login_hint=person,
                                                             ui_locales=page.lang)
    except SignInFailed:
        return page.render("error.html", status=503, title=page.t("signin.failed.title"),
                           detail=page.t("signin.unavailable"))
    response = page.redirect(url)
    set_cookie(response, page.settings, ATTEMPT_COOKIE, request.app.state.sealer.seal(
        "attempt", {**asdict(attempt), "kind": kind, "next": safe_next(next), "at": time.time()}), max_age=600)
    return response


@router.get("/dev/sign-in", response_class=HTMLResponse)
async def demo_people(request: Request) -> Response:
    """Development only: the demo people, each a button that signs them in through the real local provider."""
    page = page_of(request)
    if not page.settings.development:
        return page.render("error.html", status=404, title=page.t("error.not_found.title"),
                           detail=page.t("error.not_found.detail"))
    people = json.loads(page.settings.demo_people.read_text())
    return page.render("dev_sign_in.html", staff=people["staff"], citizens=people["citizen"])


@router.get("/auth/callback")
async def callback(request: Request, code: str | None = None, state: str | None = None,
                   error: str | None = None) -> Response:
    page = page_of(request)
    sealer = request.app.state.sealer
    attempt = sealer.open("attempt", request.cookies.get(ATTEMPT_COOKIE))
    if attempt is None or state is None or attempt.get("state") != state or code is None or error:
        return page.render("error.html", status=400, title=page.t("signin.failed.title"),
                           detail=page.t("signin.failed.detail"))
    kind: Kind = "staff" if attempt["kind"] == "staff" else "citizen"
    try:
        signed = await _client(request, kind).finish(
            Attempt(str(attempt["state"]), str(attempt["nonce"]), str(attempt["verifier"])), code,
            _redirect_uri(request))
    except SignInFailed:
        return page.render("error.html", status=400, title=page.t("signin.failed.title"),
                           detail=page.t("signin.failed.detail"))
    if kind == "staff":
        role = str(signed.claims.get("avain_role", ""))
        session = Session(kind="staff", user_id=signed.subject, role=role, name=signed.name,
                          token=signed.access_token, expires_at=time.time() + signed.expires_in,
                          language=request.cookies.get(LANGUAGE_COOKIE), refresh_token=signed.refresh_token,
                          id_token=signed.id_token)
        home = STAFF_HOME.get(role, "/caseload")
        await _record_in_directory(request.app.state.services, signed.access_token)
    else:
        try:
            session = await _citizen_session(request.app.state.services, signed, request.cookies.get(LANGUAGE_COOKIE))
        except Refusal as refusal:
            key = "signin.not_a_client" if refusal.code in ("not-a-client", "not-a-representative") \
                else "signin.unavailable"
            return page.render("error.html", status=refusal.status, title=page.t("signin.failed.title"),
                               detail=page.t(key))
        session, home = first_session(session)
    next_url = str(attempt.get("next") or "/")
    response = page.redirect(next_url if next_url != "/" else home)
    set_cookie(response, page.settings, SESSION_COOKIE, sealer.seal_session(session))
    response.delete_cookie(ATTEMPT_COOKIE, path="/")
    # A new CSRF secret with the new session: one planted before sign-in is worth nothing after it.
    import secrets

    request.state.csrf_secret = secrets.token_urlsafe(24)
    set_cookie(response, page.settings, CSRF_COOKIE, request.state.csrf_secret)
    return response


async def _exchanged(services: Services, broker_token: str, scope: str) -> dict[str, Any] | None:
    """Avain's token for the person in one role, or None when they do not have that role here."""
    try:
        return await services.exchange(broker_token, scope=scope)
    except Refusal as refusal:
        if refusal.code in ("not-a-client", "not-a-representative"):
            return None
        raise


async def _citizen_session(services: Services, signed: Any, browser_language: str | None) -> Session:
    """A citizen signs in as the client they are, as the representative of clients, or as both (then as the client,
    with the people they represent to choose from). Refused (not-a-client) when they are neither here."""
    as_client = await _exchanged(services, signed.access_token, "client")
    as_representative = await _exchanged(services, signed.access_token, "representative")
    represents = await whom_they_represent(services, str(as_representative["access_token"])) \
        if as_representative is not None else []
    if as_client is None and not represents:
        raise Refusal(403, "not-a-client", "intake")
    exchanged = as_client if as_client is not None else as_representative
    assert exchanged is not None
    token = str(exchanged["access_token"])
    user_id = subject_of(token)
    language = browser_language
    if as_client is not None:  # a client's stored language (a representative's stays with their browser for now)
        own = await services.get("intake", "/clients/names", token, params={"id": user_id})
        language = next((i.get("preferred_language") for i in own["items"]), None)
    return Session(kind="citizen", user_id=user_id, role="client" if as_client is not None else "representative",
                   name=signed.name, token=token, expires_at=time.time() + int(exchanged["expires_in"]),
                   language=language, refresh_token=signed.refresh_token, id_token=signed.id_token,
                   represents=represents, also_client=as_client is not None and bool(represents))


async def _record_in_directory(services: Services, token: str) -> None:
    """The staff directory (intake) keeps each staff member's name, title and work contact as their identity
    provider states them; every page that names staff reads it from there. Refused (a read-only role records
    nothing, not even its own entry) or unreachable, the sign-in goes on."""
    try:
        await services.call("POST", "intake", "/staff/me", token)
    except Refusal as refusal:
        log.info("staff_entry_not_recorded", status=refusal.status, code=refusal.code)


@router.post("/sign-out")
async def sign_out(request: Request) -> Response:
    """The console's session ends here; the identity provider's too, where it offers RP-initiated logout (the
    person comes back to /signed-out), so the next sign-in on this browser asks who they are again."""
    session = page_of(request).session
    target = "/sign-in?signed_out=1"
    if session is not None:
        oidc = _client(request, "staff" if session.kind == "staff" else "citizen")
        target = await oidc.logout_url(session.id_token, f"{request.app.state.settings.base_url}/signed-out") or target
    response = RedirectResponse(target, status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(INTAKE_DRAFT_COOKIE, path="/intake")  # an unfinished intake's answers go with the session
    return response


@router.get("/signed-out", response_class=HTMLResponse)
async def signed_out(request: Request) -> Response:
    """Where the identity provider sends the person after ending its session."""
    page = page_of(request)
    response = page.render("sign_in.html", next="/", expired=False, signed_out=True)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
