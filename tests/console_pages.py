"""The console's pages in a unit test: a signed-in person, and the services answered by a function instead of a
server (every request the console made is kept, so a test can say what was, or was not, sent)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from typing import Any

import httpx

from services.console.adapters.services import Services
from services.console.bootstrap import create_app
from services.console.session import CSRF_COOKIE, SESSION_COOKIE, Session
from services.console.settings import ConsoleSettings
from services.console.web import CSRF_FIELD

CSRF_SECRET = "unit-test-csrf-secret"
WORKER: dict[str, Any] = {"kind": "staff", "user_id": "worker-aino", "role": "worker", "name": "Aino Virtanen",
                          "token": "t"}


def person(**kw: Any) -> Session:
    return Session(**(WORKER | {"expires_at": time.time() + 600} | kw))


@dataclass
class Console:
    http: httpx.AsyncClient
    app: Any
    sent: list[httpx.Request] = field(default_factory=list)  # what the console asked the services

    def form(self, **fields: str) -> dict[str, str]:
        """A form's fields with the visitor's CSRF token, as the page's form sends them."""
        return {CSRF_FIELD: self.app.state.sealer.csrf_token(CSRF_SECRET)} | fields

    def seal(self, purpose: str, value: dict[str, Any]) -> str:
        sealed: str = self.app.state.sealer.seal(purpose, value)
        return sealed


@asynccontextmanager
async def console(answer: Callable[[httpx.Request], httpx.Response], session: Session | None = None,
                  ) -> AsyncIterator[Console]:
    """The console with ``session`` signed in (a worker unless told), its services answered by ``answer``."""
    settings = ConsoleSettings()
    app = create_app(settings)
    sent: list[httpx.Request] = []

    def services(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return answer(request)

    async with httpx.AsyncClient(transport=httpx.MockTransport(services)) as to_services:
        app.state.services = Services(settings, to_services)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://console.test") as http:
            # Signed in now: a session a test module made at import may be older than the idle timeout by the time a
            # long, shuffled suite gets to it (CI saw the console send such a visitor to sign in again).
            now = time.time()
            fresh = replace(session or person(), expires_at=now + 600, last_seen=now)
            http.cookies.set(SESSION_COOKIE, app.state.sealer.seal_session(fresh))
            http.cookies.set(CSRF_COOKIE, CSRF_SECRET)
            yield Console(http, app, sent)
