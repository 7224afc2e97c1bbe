"""Tokens renewed within the idle timeout: a person working on a page for 20 minutes is not sent to sign in again
because the token the services are called with lasted 15.

Before any page, a session whose token ends within ``RENEW_BEFORE`` seconds and that has not been idle too long
gets a new token with the identity provider's refresh token; a citizen's fresh broker token is exchanged again at
intake for Avain's client token (docs/decisions/0018). The renewed session replaces the cookie the page reads,
and the answer carries it. When the provider refuses (its session ended, the person signed out elsewhere), the
session runs out as before and the person signs in again.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import structlog
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.console.adapters.oidc import OidcClient, RefreshRefused, SignInFailed
from services.console.adapters.services import Refusal, Services
from services.console.session import SESSION_COOKIE, Sealer, Session

log = structlog.get_logger(__name__)
RENEW_BEFORE = 120  # seconds before the token's end: enough for a slow page's calls to the services


async def renewed(state: Any, session: Session) -> Session | None:
    """The session with a fresh token, or None when the provider (or the token exchange) refuses. A citizen's is
    exchanged for the session's role: as the client, or as the representative (who switches between the two by
    choosing whom they act for, with a session whose role was changed)."""
    assert session.refresh_token is not None
    oidc: OidcClient = state.oidc[session.kind]
    try:
        fresh = await oidc.refresh(session.refresh_token)
    except (RefreshRefused, SignInFailed) as exc:
        log.info("session_not_renewed", kind=session.kind, reason=type(exc).__name__)
        return None
    token, lasts = fresh.access_token, fresh.expires_in
    if session.kind == "citizen":
        services: Services = state.services
        try:
            exchanged = await services.exchange(fresh.access_token, scope=session.role)
        except Refusal as refusal:
            log.info("session_not_renewed", kind=session.kind, reason=refusal.code)
            return None
        token, lasts = str(exchanged["access_token"]), int(exchanged["expires_in"])
        return replace(session, token=token, user_id=subject_of(token), expires_at=time.time() + lasts,
                       refresh_token=fresh.refresh_token)
    return replace(session, token=token, expires_at=time.time() + lasts, refresh_token=fresh.refresh_token)


def subject_of(token: str) -> str:
    """Whom a token intake just signed for us names (its subject): the client id, or the representative's id."""
    import jwt

    return str(jwt.decode(token, options={"verify_signature": False})["sub"])


class SessionRenewal:
    """Plain ASGI: renews before the route reads the session, so every page and form sees a usable token."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        state = scope["app"].state
        sealer: Sealer = state.sealer
        session = sealer.session(Request(scope).cookies.get(SESSION_COOKIE))
        now = time.time()
        if (session is None or session.refresh_token is None or session.expires_at - now > RENEW_BEFORE
                or now - session.last_seen > state.settings.idle_timeout_minutes * 60):
            await self.app(scope, receive, send)
            return
        fresh = await renewed(state, session)
        if fresh is None:
            await self.app(scope, receive, send)
            return
        cookie = sealer.seal_session(fresh)
        scope = dict(scope, headers=_with_cookie(scope["headers"], SESSION_COOKIE, cookie))
        secure = "" if state.settings.development else "; Secure"

        async def with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                # A page that sets the session itself (signing out deletes it) has the last word.
                if not any(v.startswith(f"{SESSION_COOKIE}=") for v in headers.getlist("set-cookie")):
                    headers.append("set-cookie", f"{SESSION_COOKIE}={cookie}; HttpOnly; Path=/; SameSite=lax{secure}")
            await send(message)

        await self.app(scope, receive, with_cookie)


def _with_cookie(headers: list[tuple[bytes, bytes]], name: str, value: str) -> list[tuple[bytes, bytes]]:
    """The request's headers with the cookie ``name`` set to ``value`` (the other cookies kept)."""
    out, cookies = [], []
    for key, raw in headers:
        if key == b"cookie":
            cookies += [c.strip() for c in raw.decode("latin-1").split(";")
                        if c.strip() and not c.strip().startswith(f"{name}=")]
        else:
            out.append((key, raw))
    out.append((b"cookie", "; ".join([*cookies, f"{name}={value}"]).encode("latin-1")))
    return out
