"""The manager's approvals queue: what waits for my approval? Every service's matters above their preparer's
delegated authority come from the decisions service's one queue (with ``may_answer`` for this reader); each budget
matter is shown with the plan and the reasoning side by side, read from budgeting as the case page reads them. An
answer is the same command the API takes, sent with the manager's own token to the service that owns the matter:
that service checks the manager's authority again and logs it."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from services.console.adapters.services import Refusal, Services
from services.console.approvals import AnswerForm, endpoints_of, over_limit, still_waiting, why_not
from services.console.views import names_by_id, optional
from services.console.web import Page, page_of

router = APIRouter(prefix="/approvals")
PAGE_SIZE = 20


def _services(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]


async def _budgets(services: Services, token: str, client_ids: list[str],
                   purpose: str | None) -> dict[str, dict[str, Any]]:
    """The budgets the matters are about, by client, in one call per page (budgeting logs each one shown); a
    budget this reader may not see (a worker's other clients) is not among them."""
    if not client_ids:
        return {}
    answer = await services.get("budgeting", "/budgets/views", token, params=[("id", c) for c in client_ids],
                                **_purpose(purpose))
    return {str(b["client_id"]): b for b in answer["items"]}


async def _matter(services: Services, token: str, row: dict[str, Any], purpose: str | None) -> dict[str, Any] | None:
    """The marketplace's matter (a purchase: the item in the people's words, the vendor, the quote; an agreement:
    the fee and its cap); None when this reader may not see it."""
    endpoints = endpoints_of(row)
    assert endpoints is not None
    matter: dict[str, Any] | None = await optional(services.get(
        endpoints.service, endpoints.matter_path(str(row.get("client_id")), str(row["matter_id"])), token,
        **_purpose(purpose)))
    return matter


def _purpose(purpose: str | None) -> dict[str, str]:
    return {"purpose": purpose} if purpose else {}


@router.get("", response_class=HTMLResponse)
async def queue(request: Request, offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
                answered: Annotated[str | None, Query(max_length=10)] = None) -> Response:
    page = page_of(request)
    return await _queue_page(page, request, offset=offset,
                             answered=answered if answered in ("approve", "refuse") else None)


async def _queue_page(page: Page, request: Request, *, offset: int = 0, status: int = 200,
                      answered: str | None = None, errors: dict[str, tuple[str, ...]] | None = None,
                      typed: dict[str, str] | None = None) -> Response:
    # Whoever the decisions service lets read the queue (managers and auditors all of it, a worker their own
    # requests); it refuses anyone else, and the refusal is shown in words.
    session = page.require_staff()
    services = _services(request)
    purpose = "audit" if session.role == "auditor" else None
    rows = await services.get("decisions", "/approvals", session.token,
                              params={"status": "pending", "limit": PAGE_SIZE + 1, "offset": offset},
                              **_purpose(purpose))
    more, rows = len(rows) > PAGE_SIZE, rows[:PAGE_SIZE]
    client_ids = [str(r["client_id"]) for r in rows if r.get("client_id")]
    theirs = [r for r in rows if r.get("service") == "marketplace" and endpoints_of(r) is not None]
    by_client, matters_, names = await asyncio.gather(
        _budgets(services, session.token, list(dict.fromkeys(client_ids)), purpose),
        asyncio.gather(*(_matter(services, session.token, r, purpose) for r in theirs)),
        names_by_id(services, session.token, client_ids))
    by_matter = {str(r["matter_id"]): m for r, m in zip(theirs, matters_, strict=True)}
    matters = []
    for row in rows:
        client_id = str(row.get("client_id") or "")
        budget = by_client.get(client_id)
        purchase = by_matter.get(str(row.get("matter_id")))
        own = purchase if row.get("service") == "marketplace" else budget if row.get("service") == "budgeting" else None
        if own is not None and not still_waiting(str(row["service"]), own, str(row["approval_id"])):
            continue  # answered in its service already; the queue hears of it through Kafka a moment later
        waiting = (budget or {}).get("awaiting_approval") or {} if row.get("service") == "budgeting" else {}
        matters.append({
            "row": row, "client_name": names.get(client_id) or "", "budget": budget, "purchase": purchase,
            "reasoning": waiting.get("reasoning"),
            "over": over_limit(row), "why_not": why_not(row, session.user_id, session.role)})
    errors = errors or {}
    return page.render("approvals.html", status=status, matters=matters, offset=offset,
                       next_offset=offset + PAGE_SIZE if more else None,
                       previous_offset=max(offset - PAGE_SIZE, 0) if offset else None, answered=answered,
                       errors=errors, typed=typed or {},
                       error_list=[(a, key) for a, keys in errors.items() for key in keys])


@router.post("/{approval_id}", response_class=HTMLResponse)
async def answer(request: Request, approval_id: UUID, client_id: Annotated[UUID | None, Form()] = None,
                 matter_id: Annotated[UUID | None, Form()] = None,
                 service: Annotated[str, Form(max_length=64)] = "", kind: Annotated[str, Form(max_length=64)] = "",
                 answer: Annotated[str, Form(max_length=10)] = "",
                 reason: Annotated[str, Form(max_length=8000)] = "") -> Response:
    """Approve or refuse one matter with the reason: checked here first (a refusal needs a reason), then sent to
    the service that owns the matter, which decides."""
    page = page_of(request)
    session = page.require_staff("manager")
    endpoints = endpoints_of({"service": service, "kind": kind})
    if endpoints is None or client_id is None or matter_id is None:
        raise Refusal(404, "not-found", "decisions")
    approval = str(approval_id)  # as the queue's rows and the owning service spell it
    form = AnswerForm.read(answer, reason)
    if form.errors or form.answer is None:
        return await _queue_page(page, request, status=422, errors={approval: form.errors}, typed={approval: reason})
    services = _services(request)
    # The matter still waiting must be the one the manager read: a newer request on the same budget is answered
    # only after it has been read, and a purchase answered meanwhile is not answered twice.
    ids = (str(client_id), str(matter_id))
    matter = await services.get(endpoints.service, endpoints.matter_path(*ids), session.token)
    if not still_waiting(endpoints.service, matter, approval):
        return await _queue_page(page, request, status=409, errors={approval: ("approvals.gone",)})
    await services.call("POST", endpoints.service, endpoints.path(form.answer, *ids), session.token,
                        json={"reason": form.reason})
    return page.redirect(f"/approvals?answered={form.answer}")
