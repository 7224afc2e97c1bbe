"""The worker's pages: the caseload, finding a client, a client's case. Every answer comes from the services,
called with the worker's own token: their rules decide what the worker may see, and they log every read."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from services.console.adapters.services import Refusal, Services
from services.console.views import case_view, names_by_id
from services.console.web import page_of

router = APIRouter()
PAGE_SIZE = 25


def _services(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]


@router.get("/caseload", response_class=HTMLResponse)
async def caseload(request: Request, cursor: Annotated[str | None, Query(max_length=200)] = None) -> Response:
    """Whose case needs me today: follow-ups soonest first (overdue marked), then what waits for a decision."""
    page = page_of(request)
    session = page.require_staff("worker", "manager", "auditor")
    services = _services(request)
    follow, drafts, approvals, intakes = await asyncio.gather(
        services.page("followup", "/followups", session.token, params={"limit": PAGE_SIZE, **_cursor(cursor)}),
        services.page("budgeting", "/budgets", session.token, params={"status": "draft", "limit": 10}),
        services.page("budgeting", "/budgets", session.token, params={"status": "awaiting_approval", "limit": 10}),
        services.page("intake", "/clients", session.token,
                      params={"status": "open", "limit": 10, **({"scope": "mine"} if session.role == "worker" else
                                                               {"scope": "all"})}))
    waiting = ([{"client_id": r["client_id"], "what": "wait.intake", "since": r["updated_at"]} for r in intakes.rows]
               + [{"client_id": r["client_id"], "what": "wait.plan"} for r in drafts.rows]
               + [{"client_id": r["client_id"], "what": "wait.approval"} for r in approvals.rows])
    ids = [str(r["client_id"]) for r in follow.rows] + [str(w["client_id"]) for w in waiting]
    names = await names_by_id(services, session.token, ids)
    return page.render("caseload.html", follow=follow, waiting=waiting, names=names,
                       waiting_total=intakes.total + drafts.total + approvals.total)


@router.get("/clients/search", response_class=HTMLResponse)
async def search(request: Request, name: Annotated[str | None, Query(max_length=100)] = None,
                 cursor: Annotated[str | None, Query(max_length=200)] = None) -> Response:
    """Find a client by name (the services' blind index) or by hetu (a form: a purpose is needed)."""
    page = page_of(request)
    session = page.require_staff("worker", "manager", "auditor")
    result, error = None, None
    if name is not None and len(name.strip()) >= 2:
        result = await _services(request).get("intake", "/clients/search", session.token,
                                              params={"name": name, "limit": PAGE_SIZE, **_cursor(cursor)})
    elif name is not None:
        error = "search.too_short"
    template = "search_results.html" if request.headers.get("HX-Request") == "true" else "search.html"
    return page.render(template, name=name or "", result=result, error=error, hetu_error=None)


@router.post("/clients/search/hetu", response_class=HTMLResponse)
async def search_by_hetu(request: Request, hetu: Annotated[str, Form(max_length=20)] = "",
                         purpose: Annotated[str, Form(max_length=30)] = "") -> Response:
    """By hetu: a POST (never in a URL), with the purpose the worker states; the service logs and limits it."""
    page = page_of(request)
    session = page.require_staff("worker", "manager", "auditor")
    hetu, errors = hetu.strip().upper(), []
    if len(hetu) != 11:
        errors.append(("hetu", "search.hetu.invalid"))
    if purpose not in PURPOSES:
        errors.append(("purpose", "search.purpose.missing"))
    if errors:
        return page.render("search.html", status=422, name="", result=None, error=None, hetu_errors=errors,
                           purpose=purpose)
    try:
        found = await _services(request).call("POST", "intake", "/clients/lookup", session.token,
                                              json={"hetu": hetu}, purpose=purpose)
    except Refusal as refusal:
        if refusal.status == 404:
            return page.render("search.html", status=404, name="", result=None, error=None,
                               hetu_errors=[("hetu", "search.hetu.none")], purpose=purpose)
        if refusal.code == "invalid-hetu":  # only intake's verdict on the hetu itself is shown at the field
            return page.render("search.html", status=422, name="", result=None, error=None,
                               hetu_errors=[("hetu", "search.hetu.invalid")], purpose=purpose)
        raise  # any other refusal (no purpose, too many searches, ...) is a page in words by its code
    return page.redirect(f"/clients/{found['client_id']}")


PURPOSES = ("care", "decision", "supervision", "audit")


@router.get("/clients/{client_id}", response_class=HTMLResponse)
async def client_case(request: Request, client_id: UUID) -> Response:
    """The client's case: the plan in their words, the budget at a glance, orders, follow-ups, decisions and the
    timeline in words."""
    page = page_of(request)
    session = page.require_staff("worker", "manager", "auditor")
    purpose = "audit" if session.role == "auditor" else None
    view = await case_view(_services(request), session.token, str(client_id), page.t, purpose=purpose, staff=True)
    return page.render("case.html", **view)


def _cursor(cursor: str | None) -> dict[str, Any]:
    return {"cursor": cursor} if cursor else {}
