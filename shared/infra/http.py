"""What every service's HTTP API shares: error mapping, correlation ids, versions as ETags, health."""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import structlog
from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.infra.access import PURPOSE_HEADER, purpose_of, record_access
from shared.infra.aggregate import Executed
from shared.infra.eventstore import CommandContext, ConcurrencyError
from shared.infra.logging import bind_correlation
from shared.kernel.errors import DomainError, InvalidCommand
from shared.kernel.principal import Principal

log = structlog.get_logger(__name__)

CORRELATION_HEADER = "X-Correlation-ID"


def parse_if_match(value: str | None) -> int | None:
    """``If-Match: "3"`` → 3: the stream version the caller last saw (optimistic concurrency)."""
    if value is None:
        return None
    raw = value.strip().removeprefix("W/").strip('"')
    if not raw.isdigit():
        raise InvalidCommand("If-Match must be a stream version such as \"3\"", field="If-Match")
    return int(raw)


def etag(version: int) -> str:
    return f'"{version}"'


TOTAL_HEADER = "X-Total-Count"
NEXT_CURSOR_HEADER = "X-Next-Cursor"


def offset_of(cursor: str | None, offset: int = 0) -> int:
    """The position a list's cursor stands for (an opaque token to the caller); ``offset`` is the older way."""
    if not cursor:
        return offset
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if not raw.startswith("o:"):
            raise ValueError(raw)
        return int(raw[2:])
    except ValueError as exc:
        raise InvalidCommand("not a cursor this list gave", field="cursor") from exc


def paginated(response: Response, rows: list[Any], *, offset: int, limit: int, total: int) -> list[Any]:
    """A list answer with its total and the cursor of the next page in headers (the body stays a list)."""
    response.headers[TOTAL_HEADER] = str(total)
    if offset + len(rows) < total and len(rows) == limit:
        response.headers[NEXT_CURSOR_HEADER] = base64.urlsafe_b64encode(f"o:{offset + limit}".encode()).decode().rstrip("=")
    return rows


class CommandAccepted(BaseModel):
    client_id: UUID
    version: int
    events: list[dict[str, Any]] = Field(description="The events this command recorded (id, type, version)")


def command_context(request: Request, principal: Principal) -> CommandContext:
    return CommandContext(actor=principal.actor, correlation_id=request.state.correlation_id,
                          causation_id=request.state.request_id, now=datetime.now(UTC))


def accepted(client_id: UUID, done: Executed[Any], response: Response) -> CommandAccepted:
    """The reply to a command: the new stream version (also as ETag) and the events it recorded."""
    response.headers["ETag"] = etag(done.version)
    return CommandAccepted(
        client_id=client_id, version=done.version,
        events=[{"id": str(e.id), "type": e.type, "version": e.stream_version} for e in done.new_events],
    )


def install(app: FastAPI, readiness: Callable[[], Awaitable[dict[str, Any]]],
            consumers: Callable[[], dict[str, Any]] | None = None) -> None:
    """Error handlers, the correlation-id middleware and /health, /ready on ``app``.

    ``consumers`` reports each consumer group's partition assignment on /ready (ids only, no personal data)."""

    app.add_middleware(RequestMiddleware)

    @app.exception_handler(DomainError)
    async def domain_error(_: Request, exc: DomainError) -> JSONResponse:
        body: dict[str, Any] = {"error": type(exc).__name__, "detail": str(exc)}
        if isinstance(exc, InvalidCommand) and exc.field:
            body["errors"] = [{"field": exc.field, "message": str(exc)}]
        return JSONResponse(body, status_code=exc.status_code)

    @app.exception_handler(ConcurrencyError)
    async def conflict(_: Request, exc: ConcurrencyError) -> JSONResponse:
        return JSONResponse(
            {"error": "ConcurrencyError", "detail": str(exc) + "; reload the case and try again",
             "expected_version": exc.expected, "actual_version": exc.actual},
            status_code=409,
        )

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        # Field errors without the rejected input: it may be a hetu or a name.
        errors = [
            {"field": ".".join(str(p) for p in e["loc"] if p != "body"), "message": e["msg"]}
            for e in exc.errors()
        ]
        return JSONResponse({"error": "ValidationError", "detail": "invalid request", "errors": errors}, 422)

    @app.get("/health", tags=["operations"], include_in_schema=True)
    async def health() -> dict[str, str]:
        """Liveness: the process serves requests."""
        return {"status": "ok"}

    @app.get("/ready", tags=["operations"])
    async def ready() -> JSONResponse:
        """Readiness: the database and the broker answer. Also shows which partitions each consumer holds."""
        checks = await readiness()
        ok = all(v == "ok" for v in checks.values())
        body: dict[str, Any] = {"status": "ready" if ok else "not ready", "checks": checks}
        if consumers is not None:
            body["consumers"] = consumers()
        return JSONResponse(body, 200 if ok else 503)


class RequestMiddleware:
    """Per request: correlation and request ids, the access log of every read of clients' data, one log line.

    Plain ASGI: Starlette's ``BaseHTTPMiddleware`` runs the app in a task and streams its answer through a
    memory channel, a tenth of a command's CPU in the profile."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)  # shares scope["state"] with the route's request: principal, accessed clients
        correlation_id = (request.headers.get(CORRELATION_HEADER) or str(uuid4()))[:64]
        bind_correlation(correlation_id)
        request.state.correlation_id = correlation_id
        # The request is the cause of the events a command records (their CloudEvents causation id).
        request.state.request_id = str(uuid4())
        ids = {CORRELATION_HEADER: correlation_id, "X-Request-ID": request.state.request_id}
        status, refused = 500, False

        async def answer(message: Message) -> None:
            nonlocal status, refused
            if message["type"] == "http.response.start":
                status = message["status"]
                refusal = await _unlogged_read(request, status)
                if refusal is not None:  # the read could not be logged: its data does not leave
                    refused, status = True, refusal.status_code
                    refusal.headers.update(ids)
                    await refusal(scope, receive, send)
                    return
                MutableHeaders(scope=message).update(ids)
            elif refused:
                return  # the body of the answer that was withheld
            await send(message)

        try:
            await self.app(scope, receive, answer)
        finally:
            log.info("http_request", method=scope["method"], route=_route(request), status=status)


async def _unlogged_read(request: Request, status: int) -> JSONResponse | None:
    """Log every read of clients' data before the response leaves; fail closed (503) if it cannot be logged.

    Which clients: the one the route names (``client_id``), or those a handler put in
    ``request.state.accessed_clients`` (a work list, an order, a lookup that found an existing client;
    handlers set it before their checks, so refused reads are logged too)."""
    principal: Principal | None = getattr(request.state, "principal", None)
    named = getattr(request.state, "accessed_clients", None)
    if principal is None or (named is None and request.method != "GET"):
        return None
    clients = named if named is not None else [request.path_params.get("client_id")]
    try:
        client_ids = sorted({UUID(str(c)) for c in clients if c is not None})
    except ValueError:
        return None  # not a client id: the request was refused as invalid anyway
    if not client_ids:
        return None
    try:
        purpose = purpose_of(principal, request.headers.get(PURPOSE_HEADER))
    except InvalidCommand:
        purpose = "audit"  # the read itself was refused for the missing purpose: log the attempt as an audit
    runtime = request.app.state.runtime
    try:
        await record_access(runtime.store, service=runtime.name, client_ids=client_ids, principal=principal,
                            purpose=purpose, resource=f"{request.method} {_route(request)}",
                            status=status, correlation_id=request.state.correlation_id)
    except Exception as exc:  # noqa: BLE001 - an unlogged read must not happen: refuse it instead
        log.error("access_log_failed", error=type(exc).__name__)
        return JSONResponse({"error": "AccessLogUnavailable",
                             "detail": "the read could not be logged, so its data is not shown"}, 503)
    return None


def _route(request: Request) -> str:
    # The route template, not the path: paths carry client ids, templates carry nothing.
    route = request.scope.get("route")
    return getattr(route, "path", "unmatched")
