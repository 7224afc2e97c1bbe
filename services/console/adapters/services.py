"""The services' HTTP APIs, called server-side with the signed-in person's token.

Every rule, refusal and access-log entry stays in the service. A refusal comes back as a ``Refusal`` with a
stable code (the problem+json ``code`` when the service gives one, else one derived from the status), so the
page shows it in words from the catalogue, never the service's English ``detail``.

Every call carries the page's language as Accept-Language, so what a service words itself (a criterion's
condition, budgeting's reason for refused funds, a decision's texts) comes back in the reader's language, not in
the service's default Finnish.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import httpx

from services.console.settings import ConsoleSettings

STATUS_CODES = {401: "unauthenticated", 403: "forbidden", 404: "not-found", 409: "conflict", 422: "validation",
                429: "rate-limited", 503: "unavailable"}
ERROR_CODES = {"AccessLogUnavailable": "access-log-unavailable", "RuleViolation": "rule",
               "ConcurrencyError": "conflict", "ValidationError": "validation", "InvalidCommand": "validation"}

# The language of the page being answered: set by web.page_of for the request, read on every call below. A context
# variable, because the hundreds of calls on a page's behalf (helpers included) all run in its request's context.
PAGE_LANGUAGE: ContextVar[str | None] = ContextVar("page_language", default=None)


@dataclass(frozen=True)
class ListPage:
    rows: list[Any]
    total: int
    next_cursor: str | None


class Refusal(Exception):
    def __init__(self, status: int, code: str, service: str, params: dict[str, Any] | None = None) -> None:
        super().__init__(f"{service} answered {status} ({code})")
        self.status = status
        self.code = code
        self.service = service
        self.params = params or {}  # the problem's extension members (e.g. categories): the words' parameters


def refusal_code(status: int, body: Any) -> str:
    """The stable code of a refusal: problem+json's ``code``, else the error's kind, else its status."""
    if isinstance(body, dict):
        code = body.get("code")
        if isinstance(code, str) and code:
            return code
        kind = ERROR_CODES.get(str(body.get("error")))
        if kind:
            return kind
    return STATUS_CODES.get(status, "internal")


PROBLEM_MEMBERS = frozenset({"type", "title", "status", "detail", "code", "instance", "correlation_id", "errors"})


def extensions(body: Any) -> dict[str, Any]:
    """A problem's own members beyond RFC 9457's and ours (shared/infra/problems.py fills the detail with them)."""
    return {k: v for k, v in body.items() if k not in PROBLEM_MEMBERS} if isinstance(body, dict) else {}


class Services:
    def __init__(self, settings: ConsoleSettings, http: httpx.AsyncClient) -> None:
        self._http = http
        self._urls = {"intake": settings.intake_url, "budgeting": settings.budgeting_url,
                      "marketplace": settings.marketplace_url, "followup": settings.followup_url,
                      "history": settings.history_url, "notifications": settings.notifications_url,
                      "decisions": settings.decisions_url}

    async def page(self, service: str, path: str, token: str, *, params: Any = None,
                   purpose: str | None = None, timeout: float | None = None) -> ListPage:
        """A list with its total and the cursor of the next page (the services give both in headers)."""
        response = await self._send("GET", service, path, token, params=params, purpose=purpose, timeout=timeout)
        rows = response.json()
        return ListPage(rows, int(response.headers.get("X-Total-Count", len(rows))), response.headers.get("X-Next-Cursor"))

    async def call(self, method: str, service: str, path: str, token: str, *, params: Any = None,
                   json: Any = None, data: Any = None, purpose: str | None = None,
                   timeout: float | None = None) -> Any:
        r = await self._send(method, service, path, token, params=params, json=json, data=data, purpose=purpose,
                             timeout=timeout)
        return r.json() if r.content else None

    async def _send(self, method: str, service: str, path: str, token: str, *, params: Any = None,
                    json: Any = None, data: Any = None, purpose: str | None = None,
                    timeout: float | None = None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"}
        if purpose:
            headers["X-Access-Purpose"] = purpose
        language = PAGE_LANGUAGE.get()
        if language:
            headers["Accept-Language"] = language
        try:
            r = await self._http.request(method, self._urls[service] + path, params=params, json=json, data=data,
                                         headers=headers, timeout=timeout if timeout else httpx.USE_CLIENT_DEFAULT)
        except httpx.HTTPError as exc:
            raise Refusal(503, "unavailable", service) from exc
        if r.status_code >= 400:
            try:
                body = r.json()
            except ValueError:
                body = None
            raise Refusal(r.status_code, refusal_code(r.status_code, body), service, params=extensions(body))
        return r

    async def raw(self, service: str, path: str, token: str, **kw: Any) -> httpx.Response:
        """The answer as the service gave it (a CSV to hand on unchanged)."""
        return await self._send("GET", service, path, token, **kw)

    async def get(self, service: str, path: str, token: str, **kw: Any) -> Any:
        return await self.call("GET", service, path, token, **kw)

    async def maybe(self, service: str, path: str, token: str, **kw: Any) -> Any:
        """A part of a page that may not exist yet (no budget before intake completes): None for 404."""
        try:
            return await self.get(service, path, token, **kw)
        except Refusal as refusal:
            if refusal.status == 404:
                return None
            raise

    async def exchange(self, subject_token: str, scope: str = "client") -> dict[str, Any]:
        """A citizen's broker token for Avain's token (intake's RFC 8693 token exchange): as the client, or
        (``scope="representative"``) as a representative acting for the clients they represent."""
        try:
            r = await self._http.post(self._urls["intake"] + "/token", data={
                "grant_type": "urn:ietf:params:oauth:grant-type:token-exchange", "subject_token": subject_token,
                "subject_token_type": "urn:ietf:params:oauth:token-type:access_token", "scope": scope})
        except httpx.HTTPError as exc:
            raise Refusal(503, "unavailable", "intake") from exc
        if r.status_code != 200:
            try:
                body = r.json()
            except ValueError:
                body = None
            code = refusal_code(r.status_code, body)
            if r.status_code == 403 and code == "forbidden":
                code = "not-a-client" if scope == "client" else "not-a-representative"
            raise Refusal(r.status_code, code, "intake")
        result: dict[str, Any] = r.json()
        return result
