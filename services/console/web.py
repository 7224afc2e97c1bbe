"""What every page shares: the session, the language, rendering, security headers and the CSRF check."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.console.adapters.services import PAGE_LANGUAGE
from services.console.session import CSRF_COOKIE, LANGUAGE_COOKIE, SESSION_COOKIE, Sealer, Session
from services.console.settings import ConsoleSettings
from services.console.views import category_name
from shared.i18n import Translator, catalogue

HERE = Path(__file__).parent
ICONS = HERE / "static" / "build" / "icons"
CSRF_FIELD = "csrf"


class NotSignedIn(Exception):
    """The page needs a signed-in person: they are sent to sign in (and back here afterwards)."""

    def __init__(self, expired: bool = False) -> None:
        self.expired = expired


class ChooseWhom(Exception):
    """A representative opened a client's page before choosing whom they act for: they choose first."""


class WrongPerson(Exception):
    """Signed in, but this page is for another kind of person (a client's page for staff, or the reverse)."""


@cache
def _icon(name: str) -> Markup:
    path = ICONS / f"{name}.svg"
    return Markup(path.read_text()) if path.exists() else Markup("")


def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.globals["icon"] = _icon
    return env


@dataclass
class Page:
    """One request's view of the console: who, in which language, and how to render."""

    request: Request
    settings: ConsoleSettings
    session: Session | None
    t: Translator
    csrf_token: str
    refresh_session: bool = False

    @property
    def lang(self) -> str:
        return self.t.lang

    def render(self, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        env: Environment = self.request.app.state.templates
        body = env.get_template(template).render(page=self, t=self.t, category=self.category, **context)
        response = HTMLResponse(body, status_code=status)
        self.finish(response)
        return response

    def refusal_words(self, service: str, code: str) -> tuple[str, str]:
        """A service's refusal in the reader's words, by its stable code: the refusing service's texts first, then
        the kernel's, else 'something went wrong' (never the service's English detail)."""
        title_key, detail_key = f"problem.{code}.title", f"problem.{code}.detail"
        domain = service if self.t.has(title_key, service) else "kernel"
        if not self.t.has(title_key, domain):
            domain, title_key, detail_key = "kernel", "problem.internal.title", "problem.internal.detail"
        return self.t.of(domain, title_key), self.t.of(domain, detail_key) if self.t.has(detail_key, domain) else ""

    def redirect(self, url: str, status: int = 303) -> RedirectResponse:
        response = RedirectResponse(url, status_code=status)
        self.finish(response)
        return response

    def finish(self, response: Response) -> None:
        """Keep the session alive (idle timeout counts from the last request) and the visitor's CSRF secret."""
        if self.session is not None and self.refresh_session:
            self.session.last_seen = time.time()
            set_cookie(response, self.settings, SESSION_COOKIE, self.request.app.state.sealer.seal_session(self.session))
        if self.request.cookies.get(CSRF_COOKIE) != self.request.state.csrf_secret:
            set_cookie(response, self.settings, CSRF_COOKIE, self.request.state.csrf_secret)

    def category(self, code: str) -> str:
        return category_name(code, self.t)

    @property
    def languages(self) -> list[tuple[str, str]]:
        cat = catalogue()
        return [(code, cat.language(code).autonym) for code in cat.codes]

    def language_url(self, code: str) -> str:
        return f"/language/{code}?next={quote(self.here, safe='')}"

    @property
    def here(self) -> str:
        """This page's path and query: where to come back to."""
        return self.request.url.path + (f"?{self.request.url.query}" if self.request.url.query else "")

    @property
    def path(self) -> str:
        return self.request.url.path

    @property
    def is_staff(self) -> bool:
        return self.session is not None and self.session.kind == "staff"

    @property
    def is_client(self) -> bool:
        return self.session is not None and self.session.kind == "citizen"

    def require_staff(self, *roles: str) -> Session:
        if self.session is None:
            raise NotSignedIn()
        if self.session.kind != "staff" or (roles and self.session.role not in roles):
            raise WrongPerson()
        return self.session

    def require_client(self) -> Session:
        """The signed-in client, or the representative with the client they chose to act for (their pages use
        ``session.client_id``: the client's id either way)."""
        if self.session is None:
            raise NotSignedIn()
        if self.session.kind != "citizen":
            raise WrongPerson()
        if not self.session.client_id:
            raise ChooseWhom()
        return self.session

    @property
    def is_representative(self) -> bool:
        return self.session is not None and self.session.kind == "citizen" and self.session.role == "representative"

    @property
    def may_choose_whom(self) -> bool:
        """Whether the header offers "whom I act for": a representative, or a client who represents others."""
        return self.is_representative or (self.is_client and bool(self.session and self.session.also_client))

    def link_kind(self, kind: str | None) -> str:
        """A representation link's kind in words (guardian, court-appointed representative, ...)."""
        return self.t.of("kernel", f"representation.kind.{kind}") if kind else ""


def page_of(request: Request) -> Page:
    """The request's page: session (None after the idle timeout or the token's expiry), language, CSRF."""
    settings: ConsoleSettings = request.app.state.settings
    sealer: Sealer = request.app.state.sealer
    session = sealer.session(request.cookies.get(SESSION_COOKIE))
    now = time.time()
    request.state.session_expired = False
    refresh = False
    if session is not None:
        if now - session.last_seen > settings.idle_timeout_minutes * 60 or now >= session.expires_at:
            session, request.state.session_expired = None, True
        else:
            refresh = now - session.last_seen > 30
    # The signed-in person's own choice (a client's is stored by intake) comes first; a visitor's is in a cookie.
    chosen = (session.language if session is not None else None) or request.cookies.get(LANGUAGE_COOKIE)
    lang = catalogue().negotiate(request.query_params.get("lang") or chosen, request.headers.get("accept-language"))
    PAGE_LANGUAGE.set(lang)  # the services answer this page in its language (adapters/services.py)
    if not hasattr(request.state, "csrf_secret"):
        request.state.csrf_secret = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)
    return Page(request=request, settings=settings, session=session,
                t=catalogue().translator("console", lang), csrf_token=sealer.csrf_token(request.state.csrf_secret),
                refresh_session=refresh)


def set_cookie(response: Response, settings: ConsoleSettings, name: str, value: str, *,
               max_age: int | None = None) -> None:
    response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="lax", secure=not settings.development,
                        path="/")


def safe_next(value: str | None) -> str:
    """Only a path on this site: never an open redirect."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


class SecurityHeaders:
    """On every answer: a Content-Security-Policy without unsafe-inline, no framing, no sniffing, no caching of
    pages that carry personal data."""

    def __init__(self, app: ASGIApp, form_targets: list[str]) -> None:
        self.app = app
        # Chromium applies form-action to the redirect after a form is sent: the sign-in forms end at the IdPs.
        targets = " ".join(sorted(set(form_targets)))
        self.csp = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
                    f"connect-src 'self'; form-action 'self' {targets}; frame-ancestors 'none'; base-uri 'none'; "
                    "object-src 'none'")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_static = scope["path"].startswith("/static/")
        started = time.perf_counter()

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                # How long the answer took, the services' answers included (the benchmark reads it).
                headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
                headers["Content-Security-Policy"] = self.csp
                headers["X-Frame-Options"] = "DENY"
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "same-origin"
                headers["Cache-Control"] = "public, max-age=3600" if is_static else "no-store"
            await send(message)

        await self.app(scope, receive, with_headers)


FORM_MAX_BYTES = 1_000_000  # far above any console form (its longest text is 20 000 characters, encoded)


class CsrfCheck:
    """Every form sent to the console carries the CSRF token of the visitor's secret; one without gets 403.

    Checked here, before any route, so no form can forget it: the body is read, checked, and handed on. A body
    beyond any form's size is refused whole (413, a page in words), never handed on cut short."""

    def __init__(self, app: ASGIApp, sealer: Sealer, refused: Any, too_large: Any) -> None:
        self.app = app
        self.sealer = sealer
        self.refused = refused
        self.too_large = too_large

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH", "DELETE"):
            await self.app(scope, receive, send)
            return
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > FORM_MAX_BYTES:
                await self.too_large(Request(scope))(scope, receive, send)
                return
        request = Request(scope)
        submitted = parse_qs(body.decode("latin-1")).get(CSRF_FIELD, [None])[0]
        if not self.sealer.csrf_valid(request.cookies.get(CSRF_COOKIE), submitted):
            await self.refused(request)(scope, receive, send)
            return
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)
