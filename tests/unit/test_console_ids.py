"""An id in a console address is a UUID: a malformed one is a page in words (not found, 404), and no service is
asked with it. Every route of the console that takes an id in its path is tried, signed in as the person it is for,
so a new route that takes an id as text is caught here."""

from __future__ import annotations

import importlib
import pkgutil
import re

import httpx
import pytest
from fastapi.routing import APIRoute

import services.console.entrypoints as entrypoints
from tests.console_pages import console, person

MALFORMED = "1;DROP%20TABLE"
OTHER_PARAMS = {"step": "consent"}  # a path part that is not an id: a real one, so the id is what is wrong
SIGNED_IN = {"provider": person(user_id="prov-uusi", role="provider"), "manager": person(role="manager"),
             "client": person(kind="citizen", user_id="7b0c4a57-5b7e-4d57-9a3c-0a3b1b7c9a11", role="client")}


def _routes_with_ids() -> list[tuple[str, str]]:
    found = []
    for module in pkgutil.iter_modules(entrypoints.__path__):
        router = getattr(importlib.import_module(f"{entrypoints.__name__}.{module.name}"), "router", None)
        for route in getattr(router, "routes", []):
            if isinstance(route, APIRoute) and any(p.endswith("_id") for p in route.param_convertors):
                found += [(method, route.path) for method in sorted(route.methods)]
    return found


ROUTES = _routes_with_ids()


def _who(path: str) -> str:
    return ("provider" if path.startswith("/provider/") else "manager" if path.startswith(("/approvals", "/providers"))
            else "client" if path.startswith("/my/") else "worker")


def test_the_console_has_routes_with_ids() -> None:
    assert len(ROUTES) > 30  # the enumeration itself works: a test over nothing could not fail


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
async def test_a_malformed_id_in_the_address_is_not_found_in_words_and_nothing_is_asked(method: str,
                                                                                        path: str) -> None:
    address = re.sub(r"\{(\w+)\}", lambda m: OTHER_PARAMS.get(m.group(1), MALFORMED), path)
    async with console(lambda request: httpx.Response(500), SIGNED_IN.get(_who(path))) as c:
        answer = await c.http.request(method, address, data=c.form() if method == "POST" else None,
                                      headers={"Accept-Language": "fi"})
    assert c.sent == []  # no service was asked with the garbage
    assert answer.status_code == 404 and answer.headers["content-type"].startswith("text/html")
    assert "Tietoa ei löytynyt" in answer.text


@pytest.mark.parametrize(("path", "fields"), [
    ("/caseloads/reassignment", {"worker": "worker-aino", "to": "worker-ville", "client": MALFORMED}),
    ("/approvals/6f1c2e0a-8f3d-4a55-9a71-0d2f5b8c1e11", {"client_id": MALFORMED, "service": "budgeting",
                                                         "kind": "budget_decision", "answer": "approve",
                                                         "matter_id": "0b7e4c1d-2a9f-4e36-8d5b-7c1a3e9f6b22"}),
])
async def test_a_malformed_id_in_a_form_is_refused_in_words_and_nothing_is_asked(path: str,
                                                                                 fields: dict[str, str]) -> None:
    async with console(lambda request: httpx.Response(500), SIGNED_IN["manager"]) as c:
        answer = await c.http.post(path, data=c.form(**fields), headers={"Accept-Language": "fi"})
    assert c.sent == []
    assert answer.status_code == 422 and answer.headers["content-type"].startswith("text/html")
    assert "Tarkista tiedot" in answer.text
