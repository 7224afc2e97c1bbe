"""Hostile input never breaks a service: who calls is checked before the body is read, bodies are bounded,
text PostgreSQL cannot store is refused, numbers are bounded, and every refusal is an RFC 9457 problem."""

from __future__ import annotations

import re
from typing import Any
from uuid import uuid4

import pytest

from shared.infra.gate import PUBLIC_PATHS
from tests.journeys import WORKER, person
from tests.support import problem_of

pytestmark = pytest.mark.integration
LISTS = {"intake": "/clients", "budgeting": "/budgets", "followup": "/followups", "marketplace": "/search"}


def _operations(client: Any) -> list[tuple[str, str, dict[str, Any]]]:
    schema = client.app.openapi()
    return [(method.upper(), re.sub(r"\{[^}]+\}", str(uuid4()), path), operation)
            for path, operations in schema["paths"].items() for method, operation in operations.items()]


async def test_without_a_token_a_broken_body_is_401_on_every_write_of_every_service(
        intake, budgeting, marketplace, followup, history):
    writes = 0
    for service in (intake, budgeting, marketplace, followup, history):
        for method, path, operation in _operations(service):
            if "requestBody" not in operation or path in PUBLIC_PATHS:  # the token exchange: ADR 0018
                continue
            r = await service.request(method, path, content=b'{"not json', headers={"Content-Type": "application/json"})
            assert r.status_code == 401, (method, path, r.text)
            assert problem_of(r)["code"] == "unauthenticated" and r.headers["www-authenticate"] == "Bearer"
            writes += 1
    assert writes >= 30


async def test_a_body_over_the_limit_is_413_before_it_is_parsed(intake, tokens):
    w = tokens(*WORKER)
    big = b'{"hetu": "' + b"x" * 2_000_000 + b'"}'
    r = await intake.post("/clients", content=big, headers=w | {"Content-Type": "application/json"})
    assert r.status_code == 413 and problem_of(r)["code"] == "payload-too-large"

    async def chunks() -> Any:  # no Content-Length: counted while read
        for _ in range(40):
            yield b"x" * 65_536

    r = await intake.post("/clients", content=chunks(), headers=w | {"Content-Type": "application/json"})
    assert r.status_code == 413 and problem_of(r)["code"] == "payload-too-large"
    assert (await intake.get("/clients", headers=w)).json() == []  # nothing was written


async def test_text_postgres_cannot_store_is_422_in_every_field_and_parameter(intake, marketplace, tokens):
    w = tokens(*WORKER)
    r = await intake.post("/clients", headers=w, json=person(municipality="Po\u0000ri"))
    assert r.status_code == 422
    assert [(e["field"], e["code"]) for e in problem_of(r)["errors"]] == [("municipality", "invalid_characters")]
    raw = b'{"hetu": "010203A9987", "first_name": "Ma\\ud800ija", "last_name": "M", "municipality": "Pori"}'
    r = await intake.post("/clients", headers=w | {"Content-Type": "application/json"}, content=raw)
    assert r.status_code == 422 and problem_of(r)["errors"][0]["field"] == "first_name"
    # An escaped backslash before "u0000" is plain text, and storable: not refused for its characters.
    r = await intake.post("/clients", headers=w | {"Content-Type": "application/json"},
                          content=b'{"hetu": "bad", "first_name": "a\\\\u0000b"}')
    assert r.status_code == 422 and "invalid_characters" not in {e["code"] for e in problem_of(r)["errors"]}
    r = await intake.post("/clients", headers=w | {"Content-Type": "application/json"}, content=b'{"hetu": "\xff\xfe"}')
    assert r.status_code == 422 and problem_of(r)["errors"][0]["code"] == "json_invalid"  # not UTF-8: invalid JSON
    for query in ({"q": "Po\x00ri"}, {"category": "clean\x00ing"}, {"municipality": "\x00"}):
        r = await marketplace.get("/search", params=query, headers=w)
        assert r.status_code == 422, query
        assert problem_of(r)["errors"][0]["code"] == "invalid_characters"
    assert (await intake.get("/clients", headers=w)).json() == []  # nothing was written


async def test_an_offset_of_10_to_the_20_is_422_on_every_list(intake, budgeting, followup, marketplace, tokens):
    for name, service in (("intake", intake), ("budgeting", budgeting), ("followup", followup),
                          ("marketplace", marketplace)):
        r = await service.get(LISTS[name], params={"offset": 10**20}, headers=tokens(*WORKER))
        assert r.status_code == 422, name
        assert problem_of(r)["errors"][0]["field"] == "query.offset"
    r = await marketplace.get("/orders", params={"offset": 10**20, "client_id": str(uuid4())}, headers=tokens(*WORKER))
    assert r.status_code == 422


async def test_unknown_routes_and_methods_are_problems_too(intake, tokens):
    r = await intake.get("/nowhere", headers=tokens(*WORKER))
    assert r.status_code == 404 and problem_of(r)["code"] == "not-found"
    r = await intake.delete("/clients", headers=tokens(*WORKER))
    assert r.status_code == 405 and problem_of(r)["code"] == "method-not-allowed" and r.headers["allow"]
    r = await intake.get("/clients", headers={"Authorization": "Bearer not-a-jwt"})
    assert r.status_code == 401 and problem_of(r)["code"] == "invalid-token"
