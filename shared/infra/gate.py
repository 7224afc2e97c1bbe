"""What every request passes before a route sees it, in this order, each refusal a problem answer:

1. who is calling (401, 403 for an auditor writing, 422 for an auditor without a purpose): from the headers,
   before a byte of the body is read, so a broken body without a token is a 401, not a parse error;
2. the path and query parameters hold only text PostgreSQL can store (422): no NUL character and no lone UTF-16
   surrogate (JSON's ``\\ud800`` escapes decode to one), which text and jsonb columns refuse (a 500 before);
3. the body is no larger than the service accepts (413), read once and handed on to the route;
4. a JSON body is UTF-8 (422 like any invalid JSON), and its strings and keys are storable text, as in 2 (422,
   naming the fields).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.types import Message, Receive

from shared.infra.apidocs import ASSETS_PATH
from shared.infra.auth import authenticate
from shared.infra.problems import INVALID_CHARACTERS, PAYLOAD_TOO_LARGE, VALIDATION, ProblemError

# Documentation and probes: everything else needs a bearer token (ADR 0006).
# Avain's token service (in intake) is public by nature: its exchange authenticates by the subject token, and
# its keys are what others verify with (ADR 0018).
PUBLIC_PATHS = frozenset({"/health", "/ready", "/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc",
                          "/token", "/.well-known/jwks.json"})
DOC_ASSETS = ASSETS_PATH + "/"
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# Cheap first look at a JSON body: a NUL, or an escape that decodes to NUL or a surrogate. Only then is it parsed.
SUSPECT_JSON = re.compile(rb"\x00|\\u(?:0000|[dD][89a-fA-F][0-9a-fA-F]{2})")
FIELD_CODE = "invalid_characters"  # field-level codes follow pydantic's (snake_case)
CHARACTERS = "contains characters that cannot be stored (NUL or an unpaired surrogate)"


def is_public(request: Request) -> bool:
    path = request.url.path
    return path in PUBLIC_PATHS or path.startswith(DOC_ASSETS)  # the doc pages' scripts and styles (apidocs.py)


async def check_caller(request: Request) -> None:
    if not is_public(request):
        await authenticate(request)


def check_parameters(request: Request) -> None:
    errors = []
    if UNSTORABLE.search(request.url.path):
        errors.append({"field": "path", "code": FIELD_CODE, "message": CHARACTERS})
    for name, value in request.query_params.multi_items():
        if UNSTORABLE.search(name) or UNSTORABLE.search(value):
            errors.append({"field": f"query.{_printable(name)}", "code": FIELD_CODE, "message": CHARACTERS})
    if errors:
        raise ProblemError(INVALID_CHARACTERS, "the request " + CHARACTERS, errors=errors)


async def read_body(request: Request, receive: Receive, limit: int) -> bytes:
    """The whole body, refused with 413 once it passes ``limit`` bytes (by its Content-Length, or while read)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break  # the client went away; the route will see it
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def replay(body: bytes, receive: Receive) -> Receive:
    """A receive that hands the already-read body to the route, then waits for the client as before."""
    sent = False

    async def again() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return again


def check_body(request: Request, body: bytes) -> None:
    content_type = request.headers.get("content-type", "")
    if body and ("json" in content_type or not content_type):
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:  # FastAPI would answer 400 "error parsing the body": it is invalid JSON (422)
            raise ProblemError(VALIDATION, "the body is not UTF-8 JSON", errors=[
                {"field": "body", "code": "json_invalid", "message": "JSON must be UTF-8"}]) from None
    if "application/x-www-form-urlencoded" in content_type:
        document: Any = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    elif not SUSPECT_JSON.search(body):
        return
    else:
        try:
            document = json.loads(body)
        except ValueError:
            return  # not JSON: the route refuses it as such
    fields = sorted(set(_unstorable(document, ())))
    if fields:
        raise ProblemError(INVALID_CHARACTERS, "the body " + CHARACTERS,
                           errors=[{"field": f or "body", "code": FIELD_CODE, "message": CHARACTERS}
                                   for f in fields])


def _unstorable(value: Any, path: tuple[str, ...]) -> Iterator[str]:
    if isinstance(value, str):
        if UNSTORABLE.search(value):
            yield ".".join(path)
    elif isinstance(value, dict):
        for key, item in value.items():
            if UNSTORABLE.search(key):
                yield ".".join(path) or "body"
            yield from _unstorable(item, (*path, _printable(key)))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _unstorable(item, (*path, str(i)))


def _printable(name: str) -> str:
    return UNSTORABLE.sub("?", name)[:64]


def _too_large(limit: int) -> ProblemError:
    return ProblemError(PAYLOAD_TOO_LARGE, f"the body is larger than {limit} bytes", limit_bytes=limit)
