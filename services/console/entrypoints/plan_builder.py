"""The worker's plan builder: the client's goals with their five GAS levels in the client's words, the supports tied
to them, the client's wishes; the budget proposal with its breakdown; the decision with a preview of its letter, or
the request for approval when the amount is above the worker's delegated authority, and a manager's refusal with
its reason.

Each step is the command budgeting's API takes, sent with the worker's own token: budgeting decides (whose case,
the plan's rules, the authority) and logs the read. A form's mistakes are named beside their fields before anything
is sent; a refusal comes back in words from the catalogue at the top of the same form, and nothing is written."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from services.console.adapters.services import Refusal, Services
from services.console.plan import (
    CATEGORIES,
    LEVELS,
    PROVIDER_TYPES,
    Errors,
    GoalForm,
    ProposalForm,
    SupportForm,
    default_period,
    euros_typed,
    letter_language,
    letter_preview,
    planned_by_category,
    reasoning_errors,
)
from services.console.purchases import purchases_of
from services.console.web import Page, page_of
from shared.i18n import TIME_ZONE

router = APIRouter(prefix="/clients/{client_id}/plan")
WISH_MAX = 4000
DONE = ("goal", "support", "wish", "proposal", "approval", "order")


def _services(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]


async def _case(request: Request, page: Page, client_id: UUID) -> dict[str, Any]:
    """The client (name, words at intake, language) and their budget, read at once with the worker's token."""
    session = page.require_staff("worker", "manager")
    services = _services(request)
    intake, budget = await asyncio.gather(services.get("intake", f"/clients/{client_id}", session.token),
                                          services.get("budgeting", f"/budgets/{client_id}", session.token))
    person = intake.get("person") or {}
    name = " ".join(p for p in (person.get("first_name"), person.get("last_name")) if p) or page.t("case.erased")
    return {"client_id": str(client_id), "name": name, "intake": intake, "budget": budget,
            "goal_titles": {g["goal_id"]: g["title"] for g in budget.get("goals", [])}}


def _refused(page: Page, refusal: Refusal) -> Errors:
    """A refusal as the error summary's line: the service's code in the reader's words, its parameters filled in
    (categories by name, money as the language writes it). 401 and 503 go to the console's general pages."""
    if refusal.status in (401, 503):
        raise refusal
    title, _ = page.refusal_words(refusal.service, refusal.code)
    domain = refusal.service if page.t.has(f"problem.{refusal.code}.detail", refusal.service) else "kernel"
    key = f"problem.{refusal.code}.detail"
    detail = page.t.of(domain, key, **_params(page, refusal.params)) if page.t.has(key, domain) else ""
    return [("form", f"{title}. {detail}".strip(" ."))]


def _params(page: Page, params: dict[str, Any]) -> dict[str, object]:
    words: dict[str, object] = {}
    for k, v in params.items():
        if k.endswith("_cents") and isinstance(v, int):
            words[k] = page.t.money(v)
        elif k == "categories" and isinstance(v, list):
            words[k] = ", ".join(page.category(str(c)) for c in v)
        else:
            words[k] = v
    return words


def _worded(page: Page, errors: Errors) -> Errors:
    """The form's own mistakes as catalogue texts (a refusal's line is already in words)."""
    return [(f, text if f == "form" else page.t(text)) for f, text in errors]


def _today() -> Any:
    return datetime.now(UTC).astimezone(TIME_ZONE).date()


# --- the plan ------------------------------------------------------------------------------------------------------

@router.get("", response_class=HTMLResponse)
async def plan(request: Request, client_id: UUID, done: Annotated[str | None, Query(max_length=20)] = None) -> Response:
    page = page_of(request)
    return await _plan_page(request, page, client_id, done=done if done in DONE else None)


async def _plan_page(request: Request, page: Page, client_id: UUID, *, status: int = 200, done: str | None = None,
                     errors: Errors | None = None, wish: str = "") -> Response:
    case = await _case(request, page, client_id)
    token = page.require_staff().token
    orders, purchases = await asyncio.gather(
        _services(request).get("marketplace", "/orders", token, params={"client_id": str(client_id)}),
        purchases_of(_services(request), token, str(client_id))) if case["budget"].get("decision") else ([], [])
    return page.render("plan_builder.html", status=status, done=done, errors=_worded(page, errors or []), wish=wish,
                       levels=LEVELS, orders=orders, purchases=purchases, **case)


@router.post("/wishes", response_class=HTMLResponse)
async def add_wish(request: Request, client_id: UUID, text: Annotated[str, Form(max_length=20_000)] = "") -> Response:
    """The client's wish as they said it, recorded by the worker (the client adds their own from their sign-in)."""
    page = page_of(request)
    session = page.require_staff("worker", "manager")
    text = text.strip()
    errors: Errors = [("wish", "pb.wish.missing")] if not text else [("wish", "pb.text_too_long")] \
        if len(text) > WISH_MAX else []
    if not errors:
        try:
            await _services(request).call("POST", "budgeting", f"/budgets/{client_id}/wishes", session.token,
                                          json={"text": text})
            return page.redirect(f"/clients/{client_id}/plan?done=wish#wishes")
        except Refusal as refusal:
            return await _plan_page(request, page, client_id, status=refusal.status, errors=_refused(page, refusal),
                                    wish=text)
    return await _plan_page(request, page, client_id, status=422, errors=errors, wish=text)


# --- a goal --------------------------------------------------------------------------------------------------------

@router.get("/goals", response_class=HTMLResponse)
async def new_goal(request: Request, client_id: UUID) -> Response:
    page = page_of(request)
    return await _goal_page(request, page, client_id, GoalForm("", {n: "" for n in LEVELS}, -1))


async def _goal_page(request: Request, page: Page, client_id: UUID, form: GoalForm, *, status: int = 200,
                     errors: Errors | None = None) -> Response:
    case = await _case(request, page, client_id)
    return page.render("plan_goal.html", status=status, form=form, levels=LEVELS,
                       errors=_worded(page, errors if errors is not None else form.errors), **case)


@router.post("/goals", response_class=HTMLResponse)
async def add_goal(request: Request, client_id: UUID, title: Annotated[str, Form(max_length=2000)] = "",
                   baseline_level: Annotated[str, Form(max_length=4)] = "",
                   much_less_than_expected: Annotated[str, Form(max_length=20_000)] = "",
                   less_than_expected: Annotated[str, Form(max_length=20_000)] = "",
                   expected: Annotated[str, Form(max_length=20_000)] = "",
                   more_than_expected: Annotated[str, Form(max_length=20_000)] = "",
                   much_more_than_expected: Annotated[str, Form(max_length=20_000)] = "") -> Response:
    page = page_of(request)
    session = page.require_staff("worker", "manager")
    typed = dict(zip(LEVELS, (much_less_than_expected, less_than_expected, expected, more_than_expected,
                              much_more_than_expected), strict=True))
    form = GoalForm.read(title, typed, baseline_level)
    if form.errors:
        return await _goal_page(request, page, client_id, form, status=422)
    try:
        await _services(request).call("POST", "budgeting", f"/budgets/{client_id}/goals", session.token,
                                      json=form.body())
    except Refusal as refusal:
        return await _goal_page(request, page, client_id, form, status=refusal.status, errors=_refused(page, refusal))
    return page.redirect(f"/clients/{client_id}/plan?done=goal#goals")


# --- a support -----------------------------------------------------------------------------------------------------

@router.get("/supports", response_class=HTMLResponse)
async def new_support(request: Request, client_id: UUID) -> Response:
    page = page_of(request)
    return await _support_page(request, page, client_id, SupportForm("", "", "", None, []), typed_estimate="")


async def _support_page(request: Request, page: Page, client_id: UUID, form: SupportForm, *, typed_estimate: str,
                        status: int = 200, errors: Errors | None = None) -> Response:
    case = await _case(request, page, client_id)
    return page.render("plan_support.html", status=status, form=form, typed_estimate=typed_estimate,
                       categories=CATEGORIES, provider_types=PROVIDER_TYPES,
                       errors=_worded(page, errors if errors is not None else form.errors), **case)


@router.post("/supports", response_class=HTMLResponse)
async def add_support(request: Request, client_id: UUID, description: Annotated[str, Form(max_length=20_000)] = "",
                      category: Annotated[str, Form(max_length=64)] = "",
                      provider_type: Annotated[str, Form(max_length=20)] = "",
                      estimate: Annotated[str, Form(max_length=30)] = "",
                      goal_id: Annotated[list[str] | None, Form()] = None) -> Response:
    page = page_of(request)
    session = page.require_staff("worker", "manager")
    budget = await _services(request).get("budgeting", f"/budgets/{client_id}", session.token)
    known = {g["goal_id"] for g in budget.get("goals", [])}
    form = SupportForm.read(description, category, provider_type, estimate, goal_id or [], known)
    if form.errors:
        return await _support_page(request, page, client_id, form, typed_estimate=estimate, status=422)
    try:
        await _services(request).call("POST", "budgeting", f"/budgets/{client_id}/supports", session.token,
                                      json=form.body())
    except Refusal as refusal:
        return await _support_page(request, page, client_id, form, typed_estimate=estimate, status=refusal.status,
                                   errors=_refused(page, refusal))
    return page.redirect(f"/clients/{client_id}/plan?done=support#supports")


# --- the proposal --------------------------------------------------------------------------------------------------

@router.get("/proposal", response_class=HTMLResponse)
async def new_proposal(request: Request, client_id: UUID) -> Response:
    page = page_of(request)
    return await _proposal_page(request, page, client_id, None)


async def _proposal_page(request: Request, page: Page, client_id: UUID, typed: dict[str, str] | None, *,
                         status: int = 200, errors: Errors | None = None) -> Response:
    """The money by category of the planned supports (their estimates to start from) and the period."""
    case = await _case(request, page, client_id)
    planned = planned_by_category(case["budget"].get("supports", []))
    if typed is None:
        start, end = default_period(_today())
        typed = {"start": start, "end": end,
                 **{f"amount-{c}": euros_typed(v, page.lang) for c, v in planned.items()}}
    return page.render("plan_proposal.html", status=status, planned=planned, typed=typed,
                       errors=_worded(page, errors or []), **case)


@router.post("/proposal", response_class=HTMLResponse)
async def propose(request: Request, client_id: UUID) -> Response:
    page = page_of(request)
    session = page.require_staff("worker", "manager")
    sent = await request.form()
    typed = {k: str(v) for k, v in sent.items() if k in ("start", "end") or k.startswith("amount-")}
    amounts = {k.removeprefix("amount-"): v for k, v in typed.items() if k.startswith("amount-")
               and k.removeprefix("amount-") in CATEGORIES}
    form = ProposalForm.read(typed.get("start", ""), typed.get("end", ""), amounts)
    if form.errors:
        return await _proposal_page(request, page, client_id, typed, status=422, errors=form.errors)
    try:
        await _services(request).call("POST", "budgeting", f"/budgets/{client_id}/proposal", session.token,
                                      json=form.body())
    except Refusal as refusal:
        return await _proposal_page(request, page, client_id, typed, status=refusal.status,
                                    errors=_refused(page, refusal))
    return page.redirect(f"/clients/{client_id}/plan?done=proposal#proposal")


# --- the decision --------------------------------------------------------------------------------------------------

@router.get("/decision", response_class=HTMLResponse)
async def decision(request: Request, client_id: UUID) -> Response:
    """Before the decision: the reasoning to write. After it: the decision letter's preview."""
    page = page_of(request)
    return await _decision_page(request, page, client_id, "")


async def _decision_page(request: Request, page: Page, client_id: UUID, reasoning: str, *, status: int = 200,
                         errors: Errors | None = None, preview: bool = False) -> Response:
    case = await _case(request, page, client_id)
    language = letter_language(case["intake"].get("preferred_language"))
    service_task = (case["intake"].get("needs_assessment") or {}).get("service_task")
    letter = letter_preview(case["budget"], case["name"], language, service_task)
    if preview:
        letter["reasoning"] = reasoning.strip()
    template = "plan_decision_preview.html" if preview or case["budget"].get("decision") else "plan_decision.html"
    return page.render(template, status=status, reasoning=reasoning, letter=letter,
                       errors=_worded(page, errors or []), **case)


@router.post("/decision/preview", response_class=HTMLResponse)
async def preview(request: Request, client_id: UUID, reasoning: Annotated[str, Form(max_length=20_000)] = "",
                  edit: Annotated[str, Form(max_length=4)] = "") -> Response:
    """The letter as it will read, with the reasoning as written, before anything is decided."""
    page = page_of(request)
    page.require_staff("worker", "manager")
    errors = reasoning_errors(reasoning)
    if edit or errors:
        return await _decision_page(request, page, client_id, reasoning, status=422 if errors else 200,
                                    errors=errors)
    return await _decision_page(request, page, client_id, reasoning, preview=True)


@router.post("/decision", response_class=HTMLResponse)
async def decide(request: Request, client_id: UUID, reasoning: Annotated[str, Form(max_length=20_000)] = "") -> Response:
    """Decide the budget as proposed. Above the worker's delegated authority budgeting records a request for a
    manager's approval instead (202); a refusal (no proposal, a plan without goals) is shown and nothing is written."""
    page = page_of(request)
    session = page.require_staff("worker", "manager")
    errors = reasoning_errors(reasoning)
    if errors:
        return await _decision_page(request, page, client_id, reasoning, status=422, errors=errors)
    try:
        await _services(request).call("POST", "budgeting", f"/budgets/{client_id}/decision", session.token,
                                      json={"reasoning": reasoning.strip()})
    except Refusal as refusal:
        return await _decision_page(request, page, client_id, reasoning, status=refusal.status,
                                    errors=_refused(page, refusal))
    budget = await _services(request).get("budgeting", f"/budgets/{client_id}", session.token)
    if budget.get("decision") and budget.get("status") == "decided":
        return page.redirect(f"/clients/{client_id}/plan/decision")
    return page.redirect(f"/clients/{client_id}/plan?done=approval#proposal")


# --- ordering a service from the marketplace -----------------------------------------------------------------------

SORTS = ("price", "rating", "fair")


@router.get("/order", response_class=HTMLResponse)
async def find_service(request: Request, client_id: UUID, category: Annotated[str, Query(max_length=64)] = "",
                       sort: Annotated[str, Query(max_length=10)] = "price") -> Response:
    """Verified providers' offerings where the client lives, in a category of the plan, to compare and order."""
    page = page_of(request)
    return await _order_page(request, page, client_id, category, sort if sort in SORTS else "price")


async def _order_page(request: Request, page: Page, client_id: UUID, category: str, sort: str, *, status: int = 200,
                      errors: Errors | None = None, typed: dict[str, str] | None = None) -> Response:
    session = page.require_staff("worker", "manager")
    case = await _case(request, page, client_id)
    planned = list(planned_by_category(case["budget"].get("supports", [])))
    chosen = category if category in CATEGORIES else (planned[0] if planned else "")
    offerings = await _services(request).get("marketplace", "/search", session.token, params={
        "category": chosen, "municipality": case["intake"].get("municipality") or "", "sort": sort, "limit": 50}) \
        if chosen else []
    return page.render("plan_order.html", status=status, offerings=offerings, chosen=chosen, sort=sort,
                       sorts=SORTS, categories=[c for c in CATEGORIES if c in planned] or list(CATEGORIES),
                       errors=_worded(page, errors or []), typed=typed or {}, **case)


@router.post("/orders", response_class=HTMLResponse)
async def order(request: Request, client_id: UUID, offering_id: Annotated[str, Form(max_length=64)] = "",
                quantity: Annotated[str, Form(max_length=10)] = "", category: Annotated[str, Form(max_length=64)] = "",
                sort: Annotated[str, Form(max_length=10)] = "price") -> Response:
    """The order as the marketplace takes it (202: budgeting reserves the funds, then confirms or refuses it)."""
    page = page_of(request)
    session = page.require_staff("worker", "manager")
    sort = sort if sort in SORTS else "price"
    count = int(quantity) if quantity.strip().isdigit() else 0
    if not 1 <= count <= 1000:
        return await _order_page(request, page, client_id, category, sort, status=422,
                                 errors=[(f"quantity-{offering_id}", "pb.order.quantity_invalid")],
                                 typed={offering_id: quantity})
    try:
        await _services(request).call("POST", "marketplace", "/orders", session.token,
                                      json={"client_id": str(client_id), "offering_id": offering_id, "quantity": count})
    except Refusal as refusal:
        return await _order_page(request, page, client_id, category, sort, status=refusal.status,
                                 errors=_refused(page, refusal), typed={offering_id: quantity})
    return page.redirect(f"/clients/{client_id}/plan?done=order#orders")
