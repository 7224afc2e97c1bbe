"""Follow-up in the console. The coordinating worker's page for a client: the follow-ups due, a check-in with where
the client stands on each goal (GAS −2…+2) and their account in their own words, a re-assessment of the six
self-assessment areas with the change since intake drawn as a chart beside a table of the same numbers, and closing
the case with its reason. The client's own page: how things are going, in their own words, and their request to
end the case.

Each step is the command follow-up's API takes, sent with the person's own token: follow-up decides (whose case,
open, consent) and logs the read. A form's mistakes are named beside their fields before anything is sent; a
refusal comes back in words from the catalogue at the top of the same form, and nothing is written."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from services.console.adapters.services import Refusal, Services
from services.console.entrypoints.plan_builder import _refused, _worded
from services.console.followup import (
    CLOSURE_REASONS,
    CONTACT_TYPES,
    NOTE_MAX,
    SCALES,
    CheckInForm,
    ClosureForm,
    Errors,
    ReassessmentForm,
    own_text,
)
from services.console.plan import LEVELS
from services.console.views import AREAS, change_figure
from services.console.web import Page, page_of

router = APIRouter()
PAGE = "/clients/{client_id}/follow-up"
DONE = ("check_in", "reassessment", "closure", "own_check_in", "end_request", "end_answer")


def _services(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]


async def _case(request: Request, page: Page, client_id: UUID) -> dict[str, Any]:
    """The client's name, their plan's goals in their words, and the follow-up case, read at once."""
    session = page.require_staff("worker", "manager")
    services = _services(request)
    intake, budget, follow = await asyncio.gather(
        services.get("intake", f"/clients/{client_id}", session.token),
        services.maybe("budgeting", f"/budgets/{client_id}", session.token),
        services.maybe("followup", f"/followups/{client_id}", session.token))
    person = intake.get("person") or {}
    name = " ".join(p for p in (person.get("first_name"), person.get("last_name")) if p) or page.t("case.erased")
    tracked = {g["goal_id"] for g in (follow or {}).get("goals", [])}
    goals = [g for g in (budget or {}).get("goals", []) if g["goal_id"] in tracked]
    return {"client_id": str(client_id), "name": name, "follow": follow, "goals": goals,
            "change": change_figure(follow, page.t)}


async def _page(request: Request, page: Page, client_id: UUID, *, status: int = 200, done: str | None = None,
                errors: Errors | None = None, form: str = "", typed: dict[str, Any] | None = None) -> Response:
    case = await _case(request, page, client_id)
    follow = case["follow"] or {}
    scale = SCALES.get(follow.get("baseline_form") or "adult", SCALES["adult"])
    return page.render("followup.html", status=status, done=done, errors=_worded(page, errors or []), form=form,
                       typed=typed or {}, levels=LEVELS, contact_types=CONTACT_TYPES, reasons=CLOSURE_REASONS, answers=ANSWERS,
                       areas=AREAS, scale=list(scale), note_max=NOTE_MAX, **case)


@router.get(PAGE, response_class=HTMLResponse)
async def followup_page(request: Request, client_id: UUID,
                        done: Annotated[str | None, Query(max_length=20)] = None) -> Response:
    page = page_of(request)
    return await _page(request, page, client_id, done=done if done in DONE else None)


@router.post(PAGE + "/check-ins", response_class=HTMLResponse)
async def check_in(request: Request, client_id: UUID) -> Response:
    """The check-in, then where the client stands on each goal. Every field is read before anything is sent; the
    check-in goes first, as follow-up refuses it on the same grounds (a closed case, consent withdrawn) as a score."""
    page = page_of(request)
    session = page.require_staff("worker", "manager")
    sent = await request.form()
    typed = {k: str(v)[:20_000] for k, v in sent.items() if k != "csrf"}
    follow = await _services(request).get("followup", f"/followups/{client_id}", session.token)
    goal_ids = [g["goal_id"] for g in follow.get("goals", [])]
    levels = {k.removeprefix("level-"): v for k, v in typed.items() if k.startswith("level-")}
    form = CheckInForm.read(typed.get("contact_type", ""), typed.get("client_account", ""),
                            typed.get("worker_notes", ""), levels, goal_ids)
    if form.errors:
        return await _page(request, page, client_id, status=422, errors=form.errors, form="check_in", typed=typed)
    try:
        await _services(request).call("POST", "followup", f"/followups/{client_id}/check-ins", session.token,
                                      json=form.body())
        for attainment in form.attainments():
            await _services(request).call("POST", "followup", f"/followups/{client_id}/goal-attainments",
                                          session.token, json=attainment)
    except Refusal as refusal:
        return await _page(request, page, client_id, status=refusal.status, errors=_refused(page, refusal),
                           form="check_in", typed=typed)
    return page.redirect(f"/clients/{client_id}/follow-up?done=check_in#check-ins")


@router.post(PAGE + "/reassessments", response_class=HTMLResponse)
async def reassess(request: Request, client_id: UUID) -> Response:
    """The six areas again, on the scale of the form the client was first assessed on; the chart then shows the
    change since intake."""
    page = page_of(request)
    session = page.require_staff("worker", "manager")
    sent = await request.form()
    typed = {k: str(v)[:20_000] for k, v in sent.items() if k != "csrf"}
    scores = {k.removeprefix("area-"): v for k, v in typed.items() if k.startswith("area-")}
    form = ReassessmentForm.read(scores, typed.get("own_words", ""), typed.get("form", "adult"))
    if form.errors:
        return await _page(request, page, client_id, status=422, errors=form.errors, form="reassessment", typed=typed)
    try:
        await _services(request).call("POST", "followup", f"/followups/{client_id}/reassessments", session.token,
                                      json=form.body())
    except Refusal as refusal:
        return await _page(request, page, client_id, status=refusal.status, errors=_refused(page, refusal),
                           form="reassessment", typed=typed)
    return page.redirect(f"/clients/{client_id}/follow-up?done=reassessment#change")


@router.post(PAGE + "/closure", response_class=HTMLResponse)
async def close(request: Request, client_id: UUID, reason: Annotated[str, Form(max_length=40)] = "",
                note: Annotated[str, Form(max_length=20_000)] = "") -> Response:
    """Close the case with its reason; budgeting then closes the budget. Refused while a plan review the client or
    the worker asked for is open: a revision of the budget answers it first."""
    page = page_of(request)
    session = page.require_staff("worker", "manager")
    form = ClosureForm.read(reason, note)
    typed = {"reason": reason, "note": note}
    if form.errors:
        return await _page(request, page, client_id, status=422, errors=form.errors, form="closure", typed=typed)
    try:
        await _services(request).call("POST", "followup", f"/followups/{client_id}/closure", session.token,
                                      json=form.body())
    except Refusal as refusal:
        return await _page(request, page, client_id, status=refusal.status, errors=_refused(page, refusal),
                           form="closure", typed=typed)
    return page.redirect(f"/clients/{client_id}/follow-up?done=closure#closure")


ANSWERS = ("agreed", "declined")


@router.post(PAGE + "/end-requests/{request_id}/answer", response_class=HTMLResponse)
async def answer_end(request: Request, client_id: UUID, request_id: UUID,
                     answer: Annotated[str, Form(max_length=20)] = "",
                     answer_note: Annotated[str, Form(max_length=20_000)] = "") -> Response:
    """The worker's answer to the client's request to end the case; agreeing does not close it (closing stays a
    step of its own, with its reason)."""
    page = page_of(request)
    session = page.require_staff("worker", "manager")
    typed = {"answer": answer, "answer_note": answer_note}
    note, errors = own_text(answer_note, "answer_note", required=False, limit=NOTE_MAX)
    if answer not in ANSWERS:
        errors.insert(0, (f"answer-{ANSWERS[0]}", "fu.error.answer_missing"))
    if errors:
        return await _page(request, page, client_id, status=422, errors=errors, form="answer", typed=typed)
    try:
        await _services(request).call("POST", "followup", f"/followups/{client_id}/end-requests/{request_id}/answer",
                                      session.token, json={"answer": answer, "note": note or None})
    except Refusal as refusal:
        return await _page(request, page, client_id, status=refusal.status, errors=_refused(page, refusal),
                           form="answer", typed=typed)
    return page.redirect(f"/clients/{client_id}/follow-up?done=end_answer#end-requests")


# --- the client's own ----------------------------------------------------------------------------------------------

MINE = "/my/follow-up"


async def _my_page(request: Request, page: Page, *, status: int = 200, done: str | None = None,
                   errors: Errors | None = None, typed: dict[str, str] | None = None) -> Response:
    session = page.require_client()
    follow = await _services(request).maybe("followup", f"/followups/{session.client_id}", session.token)
    return page.render("my_followup.html", status=status, done=done, errors=_worded(page, errors or []),
                       typed=typed or {}, follow=follow, note_max=NOTE_MAX)


def _at(field_id: str, errors: Errors) -> Errors:
    """A refusal of one of my forms, linked to the field I wrote in."""
    return [(field_id, text) for _, text in errors]


@router.get(MINE, response_class=HTMLResponse)
async def my_followup(request: Request, done: Annotated[str | None, Query(max_length=20)] = None) -> Response:
    """How things are going, in my own words, and what I have said before; my request to end the case."""
    page = page_of(request)
    return await _my_page(request, page, done=done if done in DONE else None)


@router.post(MINE + "/check-ins", response_class=HTMLResponse)
async def my_check_in(request: Request, text: Annotated[str, Form(max_length=20_000)] = "") -> Response:
    """How things are going, in my own words; my worker reads it. Refused (consent withdrawn, the case closed),
    nothing is written and what I wrote comes back with the reason."""
    page = page_of(request)
    session = page.require_client()
    words, errors = own_text(text, "own-text", required=True)
    if errors:
        return await _my_page(request, page, status=422, errors=errors, typed={"text": text})
    try:
        await _services(request).call("POST", "followup", f"/followups/{session.client_id}/own-check-ins",
                                      session.token, json={"text": words})
    except Refusal as refusal:
        return await _my_page(request, page, status=refusal.status, errors=_at("own-text", _refused(page, refusal)),
                              typed={"text": text})
    return page.redirect(f"{MINE}?done=own_check_in#mine")


@router.post(MINE + "/end-requests", response_class=HTMLResponse)
async def my_end_request(request: Request, reason: Annotated[str, Form(max_length=20_000)] = "") -> Response:
    """I ask to end my HB case, with my reason if I want to give one; my worker answers (closing is theirs)."""
    page = page_of(request)
    session = page.require_client()
    words, errors = own_text(reason, "end-reason", required=False, limit=NOTE_MAX)
    if errors:
        return await _my_page(request, page, status=422, errors=errors, typed={"reason": reason})
    try:
        await _services(request).call("POST", "followup", f"/followups/{session.client_id}/end-requests",
                                      session.token, json={"reason": words or None})
    except Refusal as refusal:
        return await _my_page(request, page, status=refusal.status, errors=_at("end-reason", _refused(page, refusal)),
                              typed={"reason": reason})
    return page.redirect(f"{MINE}?done=end_request#end")
