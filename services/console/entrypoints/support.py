"""Support persons in the client's plan (issue 19, part 4; docs/decisions/0028): the worker records a relative, a
friend, a peer supporter or a volunteer with their own consent (and the hetu and IBAN payroll pays a fee to), makes
a commissioning agreement with them, checked on a summary page before it is sent, and approves the claims filed on
it; the client reads their own support persons and agreements from their sign-in.

Each step is the command the marketplace's API takes, sent with the worker's own token: the marketplace decides
(whose case, the person's consent, the agreement's terms, the worker's delegation) and logs every read. A form's
mistakes are named beside their fields before anything is sent; a refusal comes back in words from the catalogue at
the top of the same form, and nothing is written. Support persons have no sign-in of their own yet (ADR 0028): the
worker records a claim on their word, as the API allows the client side to."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from services.console.adapters.services import Refusal, Services
from services.console.entrypoints.plan_builder import _case, _refused, _today, _worded
from services.console.support import CLAIM_KINDS, FEE_BASES, RELATIONSHIPS, AgreementForm, ClaimForm, PersonForm
from services.console.views import optional
from services.console.web import Page, page_of

router = APIRouter()
SUPPORT = "/clients/{client_id}/support"
PAGE_SIZE = 20
DONE = ("person", "approved", "claim")
Text = Annotated[str, Form(max_length=4000)]
Short = Annotated[str, Form(max_length=64)]


def _services(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]


def _categories(budget: dict[str, Any]) -> list[str]:
    """The parts of the decided budget an agreement can be paid from, in the decision's order."""
    return list((budget.get("funds") or {}).get("breakdown") or {})


async def _people(services: Services, token: str, ids: list[str]) -> dict[str, dict[str, Any]]:
    """Each support person as the marketplace reads them (their name opened with their own key, the read logged)."""
    unique = list(dict.fromkeys(ids))
    found = await asyncio.gather(*(optional(services.get("marketplace", f"/support-persons/{p}", token))
                                   for p in unique))
    return {p: f for p, f in zip(unique, found, strict=True) if f}


async def support_of(services: Services, token: str, client_id: str | None,
                     cursor: str | None = None) -> dict[str, Any]:
    """The plan's support persons (those who consented and have not withdrawn) and one page of the client's
    agreements with their terms and claims, newest first; ``client_id`` None: the signed-in client's own."""
    params: dict[str, Any] = {"limit": PAGE_SIZE} | ({"client_id": client_id} if client_id else {})
    if cursor:
        params["cursor"] = cursor
    listed = await services.page("marketplace", "/agreements", token, params=params)
    agreements = list(await asyncio.gather(*(services.get("marketplace", f"/agreements/{a['agreement_id']}", token)
                                             for a in listed.rows)))
    whose = client_id or (agreements[0]["client_id"] if agreements else None)
    plan = await services.get("marketplace", f"/clients/{whose}/support", token) if whose else None
    in_plan = [p["person_id"] for p in (plan or {}).get("support_persons", [])]
    people = await _people(services, token, in_plan + [a["person_id"] for a in agreements])
    return {"persons": [people[p] for p in in_plan if p in people], "people": people, "agreements": agreements,
            "total": listed.total, "next_cursor": listed.next_cursor}


# --- the worker's overview -----------------------------------------------------------------------------------------

@router.get(SUPPORT, response_class=HTMLResponse)
async def overview(request: Request, client_id: UUID, cursor: Annotated[str | None, Query(max_length=200)] = None,
                   done: Annotated[str | None, Query(max_length=20)] = None) -> Response:
    page = page_of(request)
    session = page.require_staff("worker", "manager")
    case, support = await asyncio.gather(_case(request, page, client_id),
                                         support_of(_services(request), session.token, str(client_id), cursor))
    return page.render("support.html", done=done if done in DONE else None, **support, **case)


# --- recording a support person ------------------------------------------------------------------------------------

@router.get(SUPPORT + "/person", response_class=HTMLResponse)
async def new_person(request: Request, client_id: UUID) -> Response:
    page = page_of(request)
    return await _person_page(request, page, client_id, PersonForm("", "", "", "", False, "", ""))


async def _person_page(request: Request, page: Page, client_id: UUID, form: PersonForm, *, status: int = 200,
                       errors: list[tuple[str, str]] | None = None) -> Response:
    page.require_staff("worker", "manager")
    case = await _case(request, page, client_id)
    return page.render("support_person.html", status=status, form=form, relationships=RELATIONSHIPS,
                       errors=_worded(page, errors if errors is not None else form.errors), **case)


@router.post(SUPPORT + "/persons", response_class=HTMLResponse)
async def record_person(request: Request, client_id: UUID, name: Text = "", relationship: Short = "",
                        tasks: Text = "", contact: Text = "", consent: Short = "", hetu: Short = "",
                        iban: Short = "") -> Response:
    """The person with their own consent, today; then their hetu and IBAN, sealed with their own key (both were
    checked as typed before anything is sent, so the second step is refused only on an outage)."""
    page = page_of(request)
    session = page.require_staff("worker", "manager")
    form = PersonForm.read(name, relationship, tasks, contact, consent, hetu, iban)
    if form.errors:
        return await _person_page(request, page, client_id, form, status=422)
    services = _services(request)
    try:
        made = await services.call("POST", "marketplace", "/support-persons", session.token,
                                   json=form.body(str(client_id), _today()))
        if form.payable:
            await services.call("PUT", "marketplace", f"/support-persons/{made['person_id']}/payment-details",
                                session.token, json={"hetu": form.hetu, "iban": form.iban})
    except Refusal as refusal:
        return await _person_page(request, page, client_id, form, status=refusal.status,
                                  errors=_refused(page, refusal))
    return page.redirect(f"/clients/{client_id}/support?done=person")


# --- making an agreement, with a check page before it is sent -----------------------------------------------------

def _agreement_form(person_id: str, category: str, fee_basis: str, fee: str, max_hours: str, expenses_cap: str,
                    period_start: str, period_end: str, earnings_type: str) -> AgreementForm:
    return AgreementForm(person_id, category, fee_basis, fee.strip(), max_hours.strip(), expenses_cap.strip(),
                         period_start.strip(), period_end.strip(), earnings_type.strip())


async def _agreement_page(request: Request, page: Page, client_id: UUID, form: AgreementForm, *, status: int = 200,
                          errors: list[tuple[str, str]] | None = None) -> Response:
    session = page.require_staff("worker", "manager")
    case = await _case(request, page, client_id)
    plan = await _services(request).get("marketplace", f"/clients/{client_id}/support", session.token)
    people = await _people(_services(request), session.token,
                           [p["person_id"] for p in plan["support_persons"] if p["payable"]])
    categories = _categories(case["budget"])
    if not form.category and categories:
        form.category = "informal_support" if "informal_support" in categories else categories[0]
    return page.render("support_agreement.html", status=status, form=form, persons=list(people.values()),
                       categories=categories, bases=FEE_BASES,
                       errors=_worded(page, errors if errors is not None else form.errors), **case)


@router.get(SUPPORT + "/agreement", response_class=HTMLResponse)
async def new_agreement(request: Request, client_id: UUID,
                        person: Annotated[str, Query(max_length=64)] = "") -> Response:
    page = page_of(request)
    return await _agreement_page(request, page, client_id, AgreementForm(person_id=person))


async def _checked(request: Request, page: Page, client_id: UUID, form: AgreementForm) -> AgreementForm:
    """The form's own mistakes, against the payable persons in the plan and the budget's categories now."""
    session = page.require_staff("worker", "manager")
    case = await _case(request, page, client_id)
    plan = await _services(request).get("marketplace", f"/clients/{client_id}/support", session.token)
    return form.check({p["person_id"] for p in plan["support_persons"] if p["payable"]},
                      _categories(case["budget"]))


@router.post(SUPPORT + "/agreement/check", response_class=HTMLResponse)
async def check_agreement(request: Request, client_id: UUID, person_id: Short = "", category: Short = "",
                          fee_basis: Short = "", fee: Short = "", max_hours: Short = "", expenses_cap: Short = "",
                          period_start: Short = "", period_end: Short = "", earnings_type: Short = "") -> Response:
    """Check your answers: the agreement in words and what it can cost at most, before anything is sent."""
    page = page_of(request)
    form = await _checked(request, page, client_id, _agreement_form(
        person_id, category, fee_basis, fee, max_hours, expenses_cap, period_start, period_end, earnings_type))
    if form.errors:
        return await _agreement_page(request, page, client_id, form, status=422)
    return await _check_page(request, page, client_id, form)


async def _check_page(request: Request, page: Page, client_id: UUID, form: AgreementForm, *, status: int = 200,
                      errors: list[tuple[str, str]] | None = None) -> Response:
    session = page.require_staff("worker", "manager")
    case = await _case(request, page, client_id)
    person = await _services(request).get("marketplace", f"/support-persons/{form.person_id}", session.token)
    body = form.body(str(client_id))
    return page.render("support_agreement_check.html", status=status, form=form, typed=form.typed(), body=body,
                       person=person, cost_cents=form.cost_cents, errors=errors or [], **case)


@router.post(SUPPORT + "/agreement/change", response_class=HTMLResponse)
async def change_agreement(request: Request, client_id: UUID, person_id: Short = "", category: Short = "",
                           fee_basis: Short = "", fee: Short = "", max_hours: Short = "", expenses_cap: Short = "",
                           period_start: Short = "", period_end: Short = "", earnings_type: Short = "") -> Response:
    """Back from the check page to the form, with every answer as it was typed."""
    page = page_of(request)
    return await _agreement_page(request, page, client_id, _agreement_form(
        person_id, category, fee_basis, fee, max_hours, expenses_cap, period_start, period_end, earnings_type))


@router.post(SUPPORT + "/agreements", response_class=HTMLResponse)
async def make_agreement(request: Request, client_id: UUID, person_id: Short = "", category: Short = "",
                         fee_basis: Short = "", fee: Short = "", max_hours: Short = "", expenses_cap: Short = "",
                         period_start: Short = "", period_end: Short = "", earnings_type: Short = "") -> Response:
    """The agreement as the marketplace takes it (202: budgeting reserves what it can cost; above the worker's
    delegation it waits for a manager). A refusal is shown in words on the check page, and nothing is written."""
    page = page_of(request)
    session = page.require_staff("worker", "manager")
    form = await _checked(request, page, client_id, _agreement_form(
        person_id, category, fee_basis, fee, max_hours, expenses_cap, period_start, period_end, earnings_type))
    if form.errors:
        return await _agreement_page(request, page, client_id, form, status=422)
    try:
        made = await _services(request).call("POST", "marketplace", "/agreements", session.token,
                                             json=form.body(str(client_id)))
    except Refusal as refusal:
        return await _check_page(request, page, client_id, form, status=refusal.status,
                                 errors=_refused(page, refusal))
    return page.redirect(f"/clients/{client_id}/support/agreements/{made['agreement_id']}")


# --- an agreement, its claims and their approval -------------------------------------------------------------------

SETTLE_POLLS, SETTLE_PAUSE = 12, 0.25  # up to 3 s for budgeting's answer to a fresh agreement


async def _agreement(request: Request, token: str, client_id: UUID, agreement_id: UUID) -> dict[str, Any]:
    """The agreement, once budgeting has answered for its funds if that comes within a moment; 404 unless it is
    this client's."""
    for _ in range(SETTLE_POLLS):
        found: dict[str, Any] = await _services(request).get("marketplace", f"/agreements/{agreement_id}", token)
        if found.get("status") != "awaiting_funds":
            break
        await asyncio.sleep(SETTLE_PAUSE)
    if found.get("client_id") != str(client_id):
        raise Refusal(404, "not-found", "marketplace")
    return found


async def _claims_page(request: Request, page: Page, client_id: UUID, agreement_id: UUID, *,
                       form: ClaimForm | None = None, status: int = 200, done: str | None = None,
                       errors: list[tuple[str, str]] | None = None) -> Response:
    session = page.require_staff("worker", "manager")
    case, agreement = await asyncio.gather(_case(request, page, client_id),
                                           _agreement(request, session.token, client_id, agreement_id))
    person = await optional(_services(request).get("marketplace", f"/support-persons/{agreement['person_id']}",
                                                    session.token))
    form = form or ClaimForm(kind="fee" if agreement["fee_basis"] == "month" else "", month=_today().strftime("%Y-%m"))
    return page.render("support_agreement_detail.html", status=status, agreement=agreement, person=person,
                       form=form, kinds=CLAIM_KINDS, done=done if done in DONE else None,
                       errors=_worded(page, errors if errors is not None else form.errors), **case)


@router.get(SUPPORT + "/agreements/{agreement_id}", response_class=HTMLResponse)
async def agreement(request: Request, client_id: UUID, agreement_id: UUID,
                    done: Annotated[str | None, Query(max_length=20)] = None) -> Response:
    page = page_of(request)
    return await _claims_page(request, page, client_id, agreement_id, done=done)


@router.post(SUPPORT + "/agreements/{agreement_id}/claims", response_class=HTMLResponse)
async def record_claim(request: Request, client_id: UUID, agreement_id: UUID, kind: Short = "", month: Short = "",
                       hours: Short = "", amount: Short = "", receipt: Text = "") -> Response:
    """A claim on the support person's word (they have no sign-in of their own yet): a month's fee or hours, or
    expenses against a receipt. Beyond the agreement the marketplace refuses it with its reason, writing nothing."""
    page = page_of(request)
    session = page.require_staff("worker", "manager")
    found = await _agreement(request, session.token, client_id, agreement_id)
    form = ClaimForm(kind, month.strip(), hours.strip(), amount.strip(), receipt.strip()).check(found["fee_basis"])
    if form.errors:
        return await _claims_page(request, page, client_id, agreement_id, form=form, status=422)
    try:
        await _services(request).call("POST", "marketplace", f"/agreements/{agreement_id}/claims", session.token,
                                      json=form.body(found["fee_basis"]))
    except Refusal as refusal:
        return await _claims_page(request, page, client_id, agreement_id, form=form, status=refusal.status,
                                  errors=_refused(page, refusal))
    return page.redirect(f"/clients/{client_id}/support/agreements/{agreement_id}?done=claim#claims")


@router.post(SUPPORT + "/agreements/{agreement_id}/claims/{claim_id}/approval", response_class=HTMLResponse)
async def approve_claim(request: Request, client_id: UUID, agreement_id: UUID, claim_id: UUID) -> Response:
    """The coordinating worker approves the claim: budgeting records the spending, then payroll pays it."""
    page = page_of(request)
    session = page.require_staff("worker", "manager")
    try:
        await _services(request).call("POST", "marketplace", f"/agreements/{agreement_id}/claims/{claim_id}/approval",
                                      session.token)
    except Refusal as refusal:
        return await _claims_page(request, page, client_id, agreement_id, status=refusal.status,
                                  errors=_refused(page, refusal))
    return page.redirect(f"/clients/{client_id}/support/agreements/{agreement_id}?done=approved#claims")


# --- the client's own --------------------------------------------------------------------------------------------

@router.get("/my/support", response_class=HTMLResponse)
async def my_support(request: Request, cursor: Annotated[str | None, Query(max_length=200)] = None) -> Response:
    """My support persons and their agreements, to read: the worker records and changes them."""
    page = page_of(request)
    session = page.require_client()
    support = await support_of(_services(request), session.token, session.client_id, cursor)
    return page.render("my_support.html", **support)
