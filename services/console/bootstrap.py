"""Wires the console: settings → HTTP clients of the services and the identity providers → pages.

The console owns no state: no database, no topic. It renders pages from the services' answers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import quote, urlsplit

import httpx
import structlog
import uvicorn
from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp

from services.console.adapters.oidc import OidcClient
from services.console.adapters.services import Refusal, Services
from services.console.entrypoints import (
    acting,
    approvals,
    audit,
    auth,
    caseloads,
    client,
    followup,
    general,
    inbox,
    plan_builder,
    provider,
    purchases,
    region,
    staff,
    support,
    vendor,
    verification,
)
from services.console.entrypoints import intake_wizard as wizard
from services.console.entrypoints import rectification as rectify
from services.console.renewal import SessionRenewal
from services.console.session import SESSION_COOKIE, Sealer
from services.console.settings import ConsoleSettings
from services.console.web import (
    HERE,
    ChooseWhom,
    CsrfCheck,
    NotSignedIn,
    SecurityHeaders,
    WrongPerson,
    environment,
    page_of,
)
from shared.infra.logging import configure_logging

log = structlog.get_logger(__name__)


def create_app(settings: ConsoleSettings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with httpx.AsyncClient(timeout=httpx.Timeout(10, connect=3),
                                     limits=httpx.Limits(max_connections=200, max_keepalive_connections=50)) as http:
            app.state.services = Services(settings, http)
            app.state.oidc = {"staff": OidcClient(settings.staff_issuer, http),
                              "citizen": OidcClient(settings.citizen_issuer, http)}
            yield

    app = FastAPI(title="Avain console", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.settings = settings
    app.state.sealer = Sealer(settings.session_key.get_secret_value())
    app.state.templates = environment()
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    for module in (general, auth, staff, approvals, caseloads, verification, client, audit, provider, vendor, region,
                   inbox, plan_builder, purchases, support, followup, acting):
        app.include_router(module.router)
    app.include_router(wizard.router)  # the intake wizard, one question per page
    app.include_router(rectify.router)  # a client's decision and their request for its rectification

    @app.exception_handler(NotSignedIn)
    async def not_signed_in(request: Request, exc: NotSignedIn) -> Response:
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        expired = "&expired=1" if getattr(request.state, "session_expired", False) else ""
        response = RedirectResponse(f"/sign-in?next={quote(here, safe='')}{expired}", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @app.exception_handler(ChooseWhom)
    async def choose_whom(request: Request, exc: ChooseWhom) -> Response:
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/my/acting-for?next={quote(here, safe='')}", status_code=303)

    @app.exception_handler(WrongPerson)
    async def wrong_person(request: Request, exc: WrongPerson) -> HTMLResponse:
        page = page_of(request)
        return page.render("error.html", status=403, title=page.t.of("kernel", "problem.forbidden.title"),
                           detail=page.t("error.wrong_person"))

    @app.exception_handler(Refusal)
    async def refused(request: Request, exc: Refusal) -> Response:
        if exc.status == 401:  # the token expired (or was revoked): sign in again, then come back here
            request.state.session_expired = True
            return await not_signed_in(request, NotSignedIn(expired=True))
        page = page_of(request)
        title, detail = page.refusal_words(exc.service, exc.code)
        log.info("refusal_shown", service=exc.service, status=exc.status, code=exc.code)
        return page.render("error.html", status=exc.status, title=title, detail=detail)

    @app.exception_handler(StarletteHTTPException)
    async def no_such_page(request: Request, exc: StarletteHTTPException) -> Response:
        # An address the console has no page for: the console's own "not found" page in the reader's language,
        # with the page layout, never Starlette's bare JSON. Other HTTP statuses keep FastAPI's own answer.
        if exc.status_code != 404:
            return await http_exception_handler(request, exc)
        page = page_of(request)
        return page.render("error.html", status=404, title=page.t("error.not_found.title"),
                           detail=page.t("error.not_found.detail"))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        # A malformed id in the address names nothing: not found, and no service is asked with it. Anything else the
        # page's own forms never send (a field beyond its length): not valid. Both a page in words, nothing written,
        # never FastAPI's JSON that echoes what was typed.
        in_path = any(error["loc"][:1] == ("path",) for error in exc.errors())
        page = page_of(request)
        title, detail = page.refusal_words("console", "not-found" if in_path else "validation")
        log.info("request_refused", route=getattr(request.scope.get("route"), "path", "?"), in_path=in_path)
        return page.render("error.html", status=404 if in_path else 422, title=title, detail=detail)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        # A fault of ours: still a page in the person's words, never a bare "Internal Server Error". Logged by its
        # type and the route's template only: the message or the path may name a person's data.
        route = getattr(request.scope.get("route"), "path", "?")
        log.error("unexpected_error", error=type(exc).__name__, route=route)
        try:
            page = page_of(request)
            return page.render("error.html", status=500, title=page.t.of("kernel", "problem.internal.title"),
                               detail=page.t.of("kernel", "problem.internal.detail"))
        except Exception:  # noqa: BLE001 - the page itself cannot be drawn: the plainest answer that is still a page
            return HTMLResponse('<!doctype html><html lang="fi"><title>Avain</title><h1>Virhe – Fel – Error</h1>',
                                status_code=500)

    def csrf_refused(request: Request) -> ASGIApp:
        page = page_of(request)
        return page.render("error.html", status=403, title=page.t.of("kernel", "problem.csrf.title"),
                           detail=page.t.of("kernel", "problem.csrf.detail"))

    def too_large(request: Request) -> ASGIApp:
        page = page_of(request)
        title, detail = page.refusal_words("console", "payload-too-large")
        return page.render("error.html", status=413, title=title, detail=detail)

    form_targets = [_origin(settings.staff_issuer.issuer), _origin(settings.citizen_issuer.issuer)]
    app.add_middleware(SessionRenewal)
    app.add_middleware(CsrfCheck, sealer=app.state.sealer, refused=csrf_refused, too_large=too_large)
    app.add_middleware(SecurityHeaders, form_targets=form_targets)
    return app


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def main() -> None:
    settings = ConsoleSettings()
    configure_logging("console", settings.log_level)
    uvicorn.run(create_app(settings), host=settings.http_host, port=settings.http_port, log_config=None,
                access_log=False, timeout_graceful_shutdown=10)
