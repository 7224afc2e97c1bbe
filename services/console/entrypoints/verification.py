"""The manager's register of providers and vendors: who waits for verification and what each still lacks by the
criteria of its kind; verifying one against them; suspending one, after seeing the open orders a suspension
touches. Every step is the same command the API takes, sent with the manager's own token: the marketplace checks
the criteria and the manager's role again, and logs each client an order list names."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from services.console.adapters.services import Refusal, Services
from services.console.views import names_by_id
from services.console.web import Page, page_of

router = APIRouter(prefix="/providers")
STATUSES = ("unverified", "verified", "suspended")
PAGE_SIZE = 50
MAX_REASON = 2000  # the marketplace's ReasonBody


def _services(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]


@router.get("", response_class=HTMLResponse)
async def register(request: Request, status: Annotated[str, Query(max_length=20)] = "unverified",
                   offset: Annotated[int, Query(ge=0, le=100_000)] = 0) -> Response:
    """Providers and vendors by status, the ones waiting for verification first."""
    page = page_of(request)
    session = page.require_staff("manager", "auditor")
    shown = status if status in STATUSES else "unverified"
    rows = await _services(request).get("marketplace", "/providers", session.token,
                                        params={"status": shown, "limit": PAGE_SIZE + 1, "offset": offset})
    return page.render("providers.html", providers=rows[:PAGE_SIZE], shown=shown, statuses=STATUSES,
                       offset=offset, next_offset=offset + PAGE_SIZE if len(rows) > PAGE_SIZE else None)


@router.get("/{provider_id}", response_class=HTMLResponse)
async def provider(request: Request, provider_id: UUID,
                   done: Annotated[str | None, Query(max_length=20)] = None) -> Response:
    return await _provider_page(page_of(request), request, provider_id, done=done)


async def _provider_page(page: Page, request: Request, provider_id: UUID, *, status: int = 200,
                         errors: list[tuple[str, str]] | None = None, typed: dict[str, Any] | None = None,
                         done: str | None = None) -> Response:
    session = page.require_staff("manager", "auditor")
    services = _services(request)
    found = await services.get("marketplace", f"/providers/{provider_id}", session.token)
    verification = await services.get("marketplace", f"/providers/{provider_id}/verification", session.token)
    orders: list[dict[str, Any]] = []
    names: dict[str, str] = {}
    if found.get("status") == "verified":
        orders = await services.get("marketplace", "/orders", session.token,
                                    params={"provider_id": str(provider_id), "open": "true", "limit": 500})
        names = await names_by_id(services, session.token, [str(o["client_id"]) for o in orders])
    return page.render("provider_review.html", status=status, provider=found, verification=verification,
                       orders=orders, names=names, errors=errors or [], typed=typed or {}, done=done,
                       may_act=session.role == "manager")


@router.post("/{provider_id}/verification", response_class=HTMLResponse)
async def verify(request: Request, provider_id: UUID,
                 criterion: Annotated[list[str] | None, Form(max_length=50)] = None,
                 notes: Annotated[str, Form(max_length=4000)] = "",
                 on_county_premises: Annotated[str, Form(max_length=10)] = "") -> Response:
    """Verified only when every criterion of its kind that applies is checked: checked here first, so what is
    missing is shown beside the list, then by the marketplace."""
    page = page_of(request)
    session = page.require_staff("manager")
    services = _services(request)
    checked = set(criterion or ())
    verification = await services.get("marketplace", f"/providers/{provider_id}/verification", session.token)
    applies = [c["code"] for c in verification["criteria"] if c["result"] != "not_applicable"]
    typed = {"criteria": checked, "notes": notes, "on_county_premises": bool(on_county_premises)}
    errors = []
    if any(code not in checked for code in applies):
        errors.append(("criteria", "verification.error.criteria_missing"))
    if len(notes.strip()) > MAX_REASON:
        errors.append(("notes", "verification.error.notes_too_long"))
    if errors:
        return await _provider_page(page, request, provider_id, status=422, errors=errors, typed=typed)
    try:
        await services.call("POST", "marketplace", f"/providers/{provider_id}/verification", session.token, json={
            "checklist": {code: code in checked for code in (c["code"] for c in verification["criteria"])},
            "notes": notes.strip(), "on_county_premises": bool(on_county_premises)})
    except Refusal as refusal:
        if refusal.code != "criteria-not-met":
            raise
        # The conditions changed under the page (what the county bought crossed a threshold): read them again.
        return await _provider_page(page, request, provider_id, status=422, typed=typed,
                                    errors=[("criteria", "verification.error.criteria_missing")])
    return page.redirect(f"/providers/{provider_id}?done=verified")


@router.post("/{provider_id}/suspension", response_class=HTMLResponse)
async def suspend(request: Request, provider_id: UUID, reason: Annotated[str, Form(max_length=8000)] = "") -> Response:
    """Suspended with the reason; the open orders it touches were shown beside the form."""
    page = page_of(request)
    session = page.require_staff("manager")
    text = reason.strip()
    if not text or len(text) > MAX_REASON:
        key = "suspension.error.reason_missing" if not text else "suspension.error.reason_too_long"
        return await _provider_page(page, request, provider_id, status=422, errors=[("reason", key)],
                                    typed={"reason": reason})
    await _services(request).call("POST", "marketplace", f"/providers/{provider_id}/suspension", session.token,
                                  json={"reason": text})
    return page.redirect(f"/providers/{provider_id}?done=suspended")
