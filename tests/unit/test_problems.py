"""The one error format: every code registered, every operation documenting its problems, titles localizable."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from shared.i18n import catalogue
from shared.infra import problems
from shared.infra.settings import ServiceSettings
from shared.kernel.errors import DomainError, RuleViolation

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("intake", "budgeting", "marketplace", "followup", "history", "decisions")


def _codes_used() -> set[tuple[str, str]]:
    """Every ``code="..."`` keyword and every ``code = "..."`` class attribute in the code base."""
    used = set()
    for path in [p for d in ("shared", "services") for p in (ROOT / d).rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.keyword) and node.arg == "code" and isinstance(node.value, ast.Constant):
                used.add((str(path.relative_to(ROOT)), node.value.value))
            if (isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["code"]
                    and isinstance(node.value, ast.Constant)):
                used.add((str(path.relative_to(ROOT)), node.value.value))
    return used


def test_every_code_raised_anywhere_is_registered() -> None:
    unregistered = {(path, code) for path, code in _codes_used() if code not in problems.CODES}
    assert unregistered == set()


def test_a_code_cannot_be_registered_twice_with_another_meaning() -> None:
    assert problems.register("not-found", 404, "Not found") is problems.NOT_FOUND
    with pytest.raises(ValueError):
        problems.register("not-found", 410, "Gone")


def _app() -> FastAPI:
    app = FastAPI()
    app.state.max_body_bytes = 1024

    @app.get("/boom")
    async def boom() -> None:
        raise RuleViolation("the case is closed", code="erasure-refused")

    @app.get("/plain")
    async def plain() -> None:
        raise DomainError("no")

    @app.get("/reason")
    async def reason() -> None:
        raise RuleViolation("below what is reserved and spent (600.00 €)", code="below-committed", committed_cents=60_000)

    problems.install_handlers(app)
    return app


async def test_a_coded_domain_error_answers_with_its_registered_code_and_the_title_in_the_asked_language() -> None:
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=_app()), base_url="http://t")
    r = await client.get("/boom")
    assert r.status_code == 409 and r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["code"] == "erasure-refused" and body["type"] == "urn:avain:problem:erasure-refused"
    assert body["title"] == "Tietoja ei voi poistaa"  # Finnish by default, and the rule's reason in Finnish too
    assert body["detail"] == catalogue().text("kernel", "problem.erasure-refused.detail", "fi")
    assert r.headers["content-language"] == "fi"
    r = await client.get("/boom", headers={"Accept-Language": "sv-FI, en;q=0.5"})
    assert r.json()["title"] == "Uppgifterna kan inte raderas" and r.headers["content-language"] == "sv"
    assert (await client.get("/plain")).json()["code"] == "rule"

    def finnish(code: str, title: str, accept_language: str | None, stored: str | None) -> tuple[str, str]:
        return (f"fi:{code}", "fi") if accept_language and accept_language.startswith("fi") else (title, "en")

    problems.use_localizer(finnish)
    try:
        r = await client.get("/boom", headers={"Accept-Language": "fi-FI, en;q=0.5"})
        assert r.json()["title"] == "fi:erasure-refused" and r.headers["content-language"] == "fi"
    finally:
        problems.use_localizer(None)
    assert (await client.get("/boom", headers={"Accept-Language": "en"})).json()["title"] == "The data cannot be erased"


async def test_a_rules_reason_is_the_detail_in_the_asked_language_and_its_values_are_members() -> None:
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=_app()), base_url="http://t")
    fi = (await client.get("/reason")).json()
    assert fi["detail"].startswith("Varattuja ja käytettyjä varoja on jo 600,00") and fi["committed_cents"] == 60_000
    sv = (await client.get("/reason", headers={"Accept-Language": "sv"})).json()
    assert sv["detail"].startswith("Reserverade och använda medel") and sv["title"] != fi["title"]
    en = (await client.get("/reason", headers={"Accept-Language": "en"})).json()
    assert en["detail"] == "Funds already reserved and spent come to 600,00\u00a0€, so the budget cannot be smaller."
    # A generic code keeps the rule's own sentence: the catalogue has no reason for it to translate.
    assert (await client.get("/plain", headers={"Accept-Language": "sv"})).json()["detail"] == "no"


def test_every_registered_code_has_a_title_in_the_catalogue_in_every_language() -> None:
    texts = catalogue()
    missing = [f"{lang}: problem.{code}.title" for code in problems.CODES for lang in texts.codes
               if not any(texts.has(d, f"problem.{code}.title", lang) for d in texts.domains)]
    assert missing == []


def _openapi(service: str) -> dict[str, Any]:
    bootstrap = importlib.import_module(f"services.{service}.bootstrap")
    return bootstrap.create_app(ServiceSettings()).openapi()  # type: ignore[no-any-return]


@pytest.mark.parametrize("service", SERVICES)
def test_every_operation_documents_its_problems_as_problem_json(service: str) -> None:
    schema = _openapi(service)
    assert "Problem" in schema["components"]["schemas"]
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if not operation.get("security"):
                # probes, and Avain's token service (its exchange authenticates by the subject token: ADR 0018)
                assert path in ("/health", "/ready", "/token", "/.well-known/jwks.json"), \
                    f"{method} {path} is not authenticated"
                for status, answer in operation["responses"].items():  # a refused body is a problem here too
                    if status >= "400":
                        assert set(answer["content"]) == {"application/problem+json"}, f"{method} {path} {status}"
                continue
            wanted = {"401", "403", "404", "409", "422", "503"} | ({"413"} if "requestBody" in operation else set())
            responses = operation["responses"]
            assert wanted <= set(responses), f"{method} {path}: {sorted(responses)}"
            for status in wanted:
                content = responses[status]["content"]
                assert set(content) == {"application/problem+json"}, f"{method} {path} {status}"
            assert "Retry-After" in responses["503"]["headers"]


@pytest.mark.parametrize("service", SERVICES)
def test_every_numeric_query_parameter_is_bounded_and_every_text_one_limited(service: str) -> None:
    for path, operations in _openapi(service)["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if parameter["in"] != "query":
                    continue
                schema = parameter["schema"]
                variants = schema.get("anyOf", [schema])
                for variant in variants:
                    where = f"{method} {path} ?{parameter['name']}"
                    if variant.get("type") == "integer":
                        assert "maximum" in variant and "minimum" in variant, where
                    if variant.get("type") == "string":
                        assert "maxLength" in variant or "enum" in variant or "format" in variant, where


async def test_an_unforeseen_error_is_a_500_problem_with_the_request_s_ids_and_its_stack_logged() -> None:
    from shared.infra.auth import TokenIssuer, TokenVerifier
    from shared.infra.http import RequestMiddleware

    app = FastAPI()
    issuer = TokenIssuer("a-test-secret-of-at-least-32-bytes-long")
    app.state.tokens = TokenVerifier([], development=issuer)  # as a service verifies: asynchronously
    app.state.max_body_bytes = 1024
    app.add_middleware(RequestMiddleware)
    problems.install_handlers(app)

    @app.get("/bug")
    async def bug() -> None:
        raise RuntimeError("a bug")

    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app, raise_app_exceptions=False), base_url="http://t")
    token = issuer.issue("worker-aino", "worker")
    r = await client.get("/bug", headers={"Authorization": f"Bearer {token}", "X-Correlation-ID": "corr-1"})
    assert r.status_code == 500 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["code"] == "internal" and r.json()["correlation_id"] == "corr-1" == r.headers["x-correlation-id"]
    assert "a bug" not in r.text  # what went wrong is in the log, not in the answer
