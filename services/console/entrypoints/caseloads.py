"""A manager moves a worker's caseload: who is leaving or overloaded, which of their clients go, and to whom. Each
client is moved by the same command the API takes (intake's coordinator assignment, with the manager's own token),
one case at a time: intake decides and logs each, the client and both workers are told (notifications), and a
case intake refuses stays where it was and is named on the page."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from services.console.adapters.services import Refusal, Services
from services.console.views import names_by_id
from services.console.web import Page, page_of

router = APIRouter(prefix="/caseloads")
LIMIT = 200  # one page of a caseload: a worker's whole load in practice (a caseload is tens of clients)


def _services(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]


@router.get("", response_class=HTMLResponse)
async def caseloads(request: Request, worker: Annotated[str | None, Query(max_length=200)] = None,
                    moved: Annotated[int | None, Query(ge=0, le=LIMIT)] = None) -> Response:
    page = page_of(request)
    return await _page(page, request, worker=worker or None, moved=moved)


async def _page(page: Page, request: Request, *, worker: str | None, moved: int | None = None, status: int = 200,
                errors: tuple[str, ...] = (), chosen: frozenset[str] = frozenset(), to: str = "",
                not_moved: tuple[str, ...] = ()) -> Response:
    session = page.require_staff("manager")
    services = _services(request)
    staff: list[dict[str, Any]] = await services.get("intake", "/staff", session.token,
                                                     params={"active": "true", "limit": 500})
    workers = [s for s in staff if s.get("role") in ("worker", None)]
    clients: list[dict[str, Any]] = []
    names: dict[str, str] = {}
    if worker:
        listed = await services.page("intake", "/clients", session.token,
                                     params={"coordinator": worker, "limit": LIMIT})
        clients = [r for r in listed.rows if r.get("status") != "declined"]
        names = await names_by_id(services, session.token, [str(r["client_id"]) for r in clients])
    by_id = {s["staff_id"]: s for s in staff}
    return page.render("caseloads.html", status=status, workers=workers, worker=worker,
                       worker_name=(by_id.get(worker or "") or {}).get("name"), clients=clients, names=names,
                       moved=moved, errors=errors, chosen=chosen, to=to, not_moved=not_moved)


async def _bounded(step: Any, items: list[str], at_once: int = 8) -> list[Any]:
    """Each item through ``step``, at most ``at_once`` at a time: a caseload of 200 is not 200 requests at once."""
    gate = asyncio.Semaphore(at_once)

    async def one(item: str) -> Any:
        async with gate:
            return await step(item)

    return list(await asyncio.gather(*(one(i) for i in items)))


@router.post("/reassignment", response_class=HTMLResponse)
async def reassign(request: Request, worker: Annotated[str, Form(max_length=200)] = "",
                   to: Annotated[str, Form(max_length=200)] = "",
                   client: Annotated[list[UUID] | None, Form(max_length=LIMIT)] = None) -> Response:
    """Move the chosen clients to ``to``: checked first (someone to move to, not the same worker, at least one
    client), then each case by intake's own command."""
    page = page_of(request)
    session = page.require_staff("manager")
    chosen = frozenset(str(c) for c in client or [])  # as intake's rows spell them
    errors = tuple(key for key, wrong in (("caseloads.error.to_missing", not to),
                                          ("caseloads.error.same_worker", bool(to) and to == worker),
                                          ("caseloads.error.none_chosen", not chosen)) if wrong)
    if errors or not worker:
        return await _page(page, request, worker=worker or None, status=422, errors=errors or (
            "caseloads.error.none_chosen",), chosen=chosen, to=to)
    services = _services(request)

    async def move(client_id: str) -> str | None:
        try:
            await services.call("PUT", "intake", f"/clients/{client_id}/coordinator", session.token,
                                json={"worker_id": to})
            return None
        except Refusal as refusal:
            if refusal.status >= 500:
                raise
            return client_id

    refused = tuple(c for c in await _bounded(move, sorted(chosen)) if c)
    if refused:
        return await _page(page, request, worker=worker, status=409, moved=len(chosen) - len(refused),
                           errors=("caseloads.error.some_refused",), chosen=frozenset(refused), to=to,
                           not_moved=refused)
    return page.redirect(f"/caseloads?{urlencode({'worker': worker, 'moved': len(chosen)})}")
