"""The intake wizard for a signed-in worker, one question per page: register the client (hetu, name, contact,
municipality, language; checked on one page before intake registers them), then the steps of their case (consent,
coordinator, the self-assessment's scores and the client's own words, the service task and the needs), a page to
check the answers intake now holds, and completing or declining intake (a decline's reasons checked once more
before the decision is made).

Each page sends at most one command, the same the API takes, with the worker's own token: intake decides, and a
refusal comes back on the same page in words from the catalogue, with nothing written. Answers asked on two pages
for one command wait in a sealed cookie until the second (services/console/intake_wizard.py)."""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response

from services.console import intake_wizard as w
from services.console.adapters.services import Refusal, Services
from services.console.session import INTAKE_DRAFT_COOKIE
from services.console.web import Page, page_of

router = APIRouter(prefix="/intake")
DRAFT_PURPOSE = "intake-draft"
DRAFT_SECONDS = 3600  # an abandoned draft (a hetu in it, sealed) does not outlive the working hour
ClientId = Annotated[str, Path(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
STAFF = ("worker",)  # only a worker registers clients and works on an intake (intake's policy says it again)


def _services(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]


# --- the draft between pages ----------------------------------------------------------------------------------

def _draft(page: Page) -> dict[str, Any]:
    """The answers kept between pages: only the worker who typed them gets them back, and only within the hour
    (a shared workstation's next user, or a copied cookie, finds none)."""
    opened = page.request.app.state.sealer.open(DRAFT_PURPOSE, page.request.cookies.get(INTAKE_DRAFT_COOKIE))
    if not isinstance(opened, dict) or page.session is None:
        return {}
    if opened.get("by") != page.session.user_id or not isinstance(opened.get("until"), int | float) \
            or opened["until"] < time.time():
        return {}
    answers = opened.get("answers")
    return answers if isinstance(answers, dict) else {}


def _keep(page: Page, response: Response, draft: dict[str, Any] | None) -> Response:
    """The draft sealed in its cookie (only the wizard's pages receive it, for an hour), or gone once sent."""
    if draft is None:
        response.delete_cookie(INTAKE_DRAFT_COOKIE, path="/intake")
    else:
        owner = page.session.user_id if page.session else None
        sealed = {"by": owner, "until": time.time() + DRAFT_SECONDS, "answers": draft}
        response.set_cookie(INTAKE_DRAFT_COOKIE, page.request.app.state.sealer.seal(DRAFT_PURPOSE, sealed),
                            max_age=DRAFT_SECONDS, httponly=True, samesite="lax", secure=not page.settings.development,
                            path="/intake")
    return response


async def _form(request: Request) -> dict[str, list[str]]:
    data = await request.form()
    return {key: [str(v) for v in data.getlist(key)] for key in data if key != "csrf"}


# --- rendering a question ---------------------------------------------------------------------------------------

def _labels(page: Page, f: w.Field, options: dict[str, list[tuple[str, str]]]) -> list[tuple[str, str]]:
    t = page.t
    if f.name in options:
        return options[f.name]
    if f.name == "preferred_language":
        return [(code, name) for code, name in page.languages if code in f.options]
    if f.name in w.AREAS:
        return [(v, t(f"intake.face.{v}") if f.options == w.CHILD_SCALE else v) for v in f.options]
    if f.name == "service_task":
        return [(v, t.of("letters", f"service_task.{v}")) for v in f.options]
    return [(v, t(f"intake.option.{f.name}.{v}")) for v in f.options]


def _label(page: Page, f: w.Field) -> str:
    return page.t.of("followup", f"area.{f.name}") if f.name in w.AREAS else page.t(f"intake.field.{f.name}")


Errors = list[tuple[str, str]]  # (field, the words shown beside it and in the summary)


def _words(page: Page, answer: w.Answer) -> Errors:
    return [(name, page.t(key, **params)) for name, key, params in answer.errors]


def _question(page: Page, question: w.Question, *, values: dict[str, Any], errors: Errors, caption: str, back: str,
              button: str = "intake.continue", status: int = 200,
              options: dict[str, list[tuple[str, str]]] | None = None, action: str | None = None) -> Response:
    options = options or {}
    fields = [{"f": f, "label": _label(page, f),
               "choices": _labels(page, f, options) if f.kind in ("radio", "checkboxes") else []}
              for f in question.fields]
    by_field = dict(errors)
    anchors = {f.name: f"{f.name}-0" if f.kind in ("radio", "checkboxes") else f.name for f in question.fields}
    summary = [(anchors.get(name, next(iter(anchors.values()))), text) for name, text in errors]
    return page.render("intake_question.html", status=status, question=question, fields=fields, values=values,
                       field_errors=by_field, error_list=summary, caption=caption, back=back, button=button,
                       action=action or page.path)


def _in_words(page: Page, refusal: Refusal) -> str:
    """A service's refusal as a sentence; 401 and 503 go to the console's own pages (sign in, try later)."""
    if refusal.status in (401, 503):
        raise refusal
    title, detail = page.refusal_words(refusal.service, refusal.code)
    return f"{title}. {detail}".strip(" .")


def _refused(page: Page, refusal: Refusal, question: w.Question) -> Errors:
    """A refusal shown at the top and beside the page's first field."""
    return [(question.fields[0].name, _in_words(page, refusal))]


# --- registration -----------------------------------------------------------------------------------------------

REGISTRATION = {q.step: q for q in w.REGISTRATION}
ORDER = [q.step for q in w.REGISTRATION]


@router.get("/new", response_class=HTMLResponse)
async def start(request: Request) -> Response:
    page = page_of(request)
    page.require_staff(*STAFF)
    return page.redirect("/intake/new/hetu")


def _after(step: str, checking: bool) -> str:
    position = ORDER.index(step)
    if checking or position == len(ORDER) - 1:
        return "/intake/new/check"
    return f"/intake/new/{ORDER[position + 1]}"


def _before(step: str) -> str:
    position = ORDER.index(step)
    return "/caseload" if position == 0 else f"/intake/new/{ORDER[position - 1]}"


@router.get("/new/check", response_class=HTMLResponse)
async def registration_check(request: Request) -> Response:
    page = page_of(request)
    page.require_staff(*STAFF)
    answers = _draft(page).get("register") or {}
    missing = next((q.step for q in w.REGISTRATION if w.read(q, _as_form(answers)).errors), None)
    if missing:
        return page.redirect(f"/intake/new/{missing}")
    return _registration_summary(page, answers)


def _registration_summary(page: Page, answers: dict[str, Any], status: int = 200,
                          errors: list[tuple[str, str]] | None = None) -> Response:
    language = dict(page.languages).get(answers.get("preferred_language", ""), "")
    return page.render("intake_check_registration.html", status=status, answers=answers, language=language,
                       error_list=errors or [])


def _as_form(answers: dict[str, Any]) -> dict[str, list[str]]:
    return {k: v if isinstance(v, list) else [str(v)] for k, v in answers.items()}


@router.post("/new/check", response_class=HTMLResponse)
async def register(request: Request) -> Response:
    """Register the client as checked: intake validates again, and the same hetu twice is the client registered
    first (shown as such)."""
    page = page_of(request)
    session = page.require_staff(*STAFF)
    answers = _draft(page).get("register") or {}
    if any(w.read(q, _as_form(answers)).errors for q in w.REGISTRATION):
        return page.redirect("/intake/new/hetu")
    body = {"hetu": answers["hetu"], "first_name": answers["first_name"], "last_name": answers["last_name"],
            "municipality": answers["municipality"], "preferred_language": answers["preferred_language"],
            **{k: answers[k] for k in ("phone", "email", "address") if answers.get(k)}}
    try:
        done = await _services(request).call("POST", "intake", "/clients", session.token, json=body)
    except Refusal as refusal:
        # Only intake's hetu refusal is the hetu's error (pointing at its change link); any other refusal, a 422
        # too (a field intake will not take, characters it cannot store), is said in its own words by its code.
        if refusal.code == "invalid-hetu":
            errors = [("change-hetu", page.t("intake.hetu.invalid"))]
        else:
            errors = [("register", _in_words(page, refusal))]
        return _registration_summary(page, answers, status=refusal.status, errors=errors)
    where = f"/intake/{done['client_id']}" + ("" if done["created"] else "?existing=1")
    return _keep(page, page.redirect(where), None)


@router.get("/new/{step}", response_class=HTMLResponse)
async def registration_question(request: Request, step: str, check: str | None = None) -> Response:
    page = page_of(request)
    page.require_staff(*STAFF)
    question = REGISTRATION.get(step)
    if question is None:
        raise Refusal(404, "not-found", "console")
    answers = _draft(page).get("register") or {}
    values = {f.name: answers.get(f.name, "") for f in question.fields}
    return _question(page, question, values=values, errors=[], caption=page.t("intake.caption.new"),
                     back="/intake/new/check" if check else _before(step))


@router.post("/new/{step}", response_class=HTMLResponse)
async def registration_answer(request: Request, step: str, check: str | None = None) -> Response:
    page = page_of(request)
    page.require_staff(*STAFF)
    question = REGISTRATION.get(step)
    if question is None:
        raise Refusal(404, "not-found", "console")
    answer = w.read(question, await _form(request))
    if not answer.ok:
        return _question(page, question, values=answer.values, errors=_words(page, answer), status=422,
                         caption=page.t("intake.caption.new"), back="/intake/new/check" if check else _before(step))
    draft = _draft(page)
    draft["register"] = {**(draft.get("register") or {}), **answer.values}
    return _keep(page, page.redirect(_after(step, bool(check))), draft)


# --- the case ---------------------------------------------------------------------------------------------------

async def _case(request: Request, page: Page, client_id: str) -> dict[str, Any]:
    session = page.require_staff(*STAFF)
    case: dict[str, Any] = await _services(request).get("intake", f"/clients/{client_id}", session.token)
    return case


def _name(page: Page, case: dict[str, Any]) -> str:
    person = case.get("person") or {}
    return " ".join(p for p in (person.get("first_name"), person.get("last_name")) if p) or page.t("case.erased")


@router.get("/{client_id}", response_class=HTMLResponse)
async def resume(request: Request, client_id: ClientId, existing: str | None = None) -> Response:
    """Where this case's intake goes on: the first step without an answer, else the check page."""
    page = page_of(request)
    case = await _case(request, page, client_id)
    if case["status"] != "open":
        return page.redirect(f"/intake/{client_id}/done")
    step = w.next_case_step(case)
    return page.redirect(f"/intake/{client_id}/{step}" + ("?existing=1" if existing else ""))


async def _staff_options(request: Request, page: Page) -> list[tuple[str, str]]:
    session = page.require_staff(*STAFF)
    staff = await _services(request).get("intake", "/staff", session.token, params={"active": "true", "limit": 200})
    rows = sorted(staff, key=lambda s: s["staff_id"] != session.user_id)  # the worker themself first
    return [(s["staff_id"], ", ".join(p for p in (s.get("name"), s.get("title")) if p) or page.t("case.erased"))
            for s in rows]


def _case_question(step: str, case: dict[str, Any]) -> w.Question:
    if step == "scores":
        return w.scores_question(case.get("self_assessment_form") or "adult")
    question = w.CASE.get(step)
    if question is None:
        raise Refusal(404, "not-found", "console")
    return question


def _current(step: str, case: dict[str, Any], draft: dict[str, Any], session_user: str) -> dict[str, Any]:
    """What the page shows before the worker answers: the draft's answer, else intake's, else a sensible start."""
    own = draft.get("case") if (draft.get("case") or {}).get("client_id") == case["client_id"] else {}
    own = own or {}
    assessment, needs = case.get("self_assessment") or {}, case.get("needs_assessment") or {}
    if step == "consent":
        return {"given_by": "client" if case.get("consent") == "given" else ""}
    if step == "coordinator":
        return {"worker_id": case.get("coordinator_id") or session_user}
    if step == "scores":
        scores = own.get("scores") or assessment.get("scores") or {}
        return {a: str(scores[a]) if a in scores else "" for a in w.AREAS}
    if step == "words":
        return {"own_words": assessment.get("own_words") or "", "wishes": assessment.get("wishes") or ""}
    if step == "task":
        return {"service_task": own.get("service_task") or needs.get("service_task") or ""}
    return {"support_needs": needs.get("support_needs") or [], "summary": needs.get("summary") or ""}


def _back(client_id: str, step: str, check: str | None) -> str:
    if check:
        return f"/intake/{client_id}/check"
    position = w.CASE_STEPS.index(step)
    return f"/clients/{client_id}" if position == 0 else f"/intake/{client_id}/{w.CASE_STEPS[position - 1]}"


def _next(client_id: str, step: str, check: str | None) -> str:
    position = w.CASE_STEPS.index(step)
    if step in ("scores", "task"):  # half of one command: its other half is on the next page, also when checking
        return f"/intake/{client_id}/{w.CASE_STEPS[position + 1]}" + ("?check=1" if check else "")
    if check or position == len(w.CASE_STEPS) - 1:
        return f"/intake/{client_id}/check"
    return f"/intake/{client_id}/{w.CASE_STEPS[position + 1]}"


@router.get("/{client_id}/check", response_class=HTMLResponse)
async def case_check(request: Request, client_id: ClientId) -> Response:
    page = page_of(request)
    case = await _case(request, page, client_id)
    if case["status"] != "open":
        return page.redirect(f"/intake/{client_id}/done")
    return _case_summary(page, case)


def _case_summary(page: Page, case: dict[str, Any], status: int = 200,
                  errors: list[tuple[str, str]] | None = None) -> Response:
    language = dict(page.languages).get(case.get("preferred_language") or "", "")
    return page.render("intake_check.html", status=status, case=case, name=_name(page, case), language=language,
                       areas=w.AREAS, missing=w.next_case_step(case), error_list=errors or [])


@router.post("/{client_id}/complete", response_class=HTMLResponse)
async def complete(request: Request, client_id: ClientId) -> Response:
    """Complete intake as checked: intake refuses if anything is missing (in words, nothing written)."""
    page = page_of(request)
    case = await _case(request, page, client_id)
    session = page.require_staff(*STAFF)
    try:
        await _services(request).call("POST", "intake", f"/clients/{client_id}/completion", session.token)
    except Refusal as refusal:
        return _case_summary(page, case, status=refusal.status, errors=[("complete", _in_words(page, refusal))])
    return _keep(page, page.redirect(f"/intake/{client_id}/done"), None)


@router.get("/{client_id}/decline", response_class=HTMLResponse)
async def decline_question(request: Request, client_id: ClientId) -> Response:
    page = page_of(request)
    case = await _case(request, page, client_id)
    return _question(page, w.DECLINE, values={"reason": ""}, errors=[], caption=_name(page, case),
                     back=f"/intake/{client_id}/check")


@router.post("/{client_id}/decline", response_class=HTMLResponse)
async def decline_reasons(request: Request, client_id: ClientId) -> Response:
    """The reasons as typed, checked, then shown once more before the decision is made (nothing is sent yet)."""
    page = page_of(request)
    case = await _case(request, page, client_id)
    answer = w.read(w.DECLINE, await _form(request))
    if not answer.ok:
        return _question(page, w.DECLINE, values=answer.values, errors=_words(page, answer), status=422,
                         caption=_name(page, case), back=f"/intake/{client_id}/check")
    return page.render("intake_decline_check.html", case=case, name=_name(page, case), reason=answer.values["reason"],
                       error_list=[])


@router.post("/{client_id}/decline/edit", response_class=HTMLResponse)
async def decline_edit(request: Request, client_id: ClientId) -> Response:
    """Back from the check to the reasons, as they were typed."""
    page = page_of(request)
    case = await _case(request, page, client_id)
    answer = w.read(w.DECLINE, await _form(request))
    return _question(page, w.DECLINE, values=answer.values, errors=[], caption=_name(page, case),
                     back=f"/intake/{client_id}/check", action=f"/intake/{client_id}/decline")


@router.post("/{client_id}/decline/confirm", response_class=HTMLResponse)
async def decline(request: Request, client_id: ClientId) -> Response:
    """Decline intake with the reasons checked: an administrative decision, made by intake (which may refuse)."""
    page = page_of(request)
    case = await _case(request, page, client_id)
    session = page.require_staff(*STAFF)
    answer = w.read(w.DECLINE, await _form(request))
    if not answer.ok:
        return _question(page, w.DECLINE, values=answer.values, errors=_words(page, answer), status=422,
                         caption=_name(page, case), back=f"/intake/{client_id}/check")
    reason = answer.values["reason"]
    try:
        await _services(request).call("POST", "intake", f"/clients/{client_id}/decline", session.token,
                                      json={"reason": reason})
    except Refusal as refusal:
        return page.render("intake_decline_check.html", status=refusal.status, case=case, name=_name(page, case),
                           reason=reason, error_list=[("decline", _in_words(page, refusal))])
    return _keep(page, page.redirect(f"/intake/{client_id}/done"), None)


@router.get("/{client_id}/done", response_class=HTMLResponse)
async def done(request: Request, client_id: ClientId) -> Response:
    page = page_of(request)
    case = await _case(request, page, client_id)
    if case["status"] == "open":
        return page.redirect(f"/intake/{client_id}/check")
    return page.render("intake_done.html", case=case, name=_name(page, case))


@router.get("/{client_id}/{step}", response_class=HTMLResponse)
async def case_question(request: Request, client_id: ClientId, step: str, check: str | None = None,
                        existing: str | None = None) -> Response:
    page = page_of(request)
    case = await _case(request, page, client_id)
    if case["status"] != "open":
        return page.redirect(f"/intake/{client_id}/done")
    question = _case_question(step, case)
    draft = _draft(page)
    if step == "words" and not _drafted(draft, client_id, "scores"):
        return page.redirect(f"/intake/{client_id}/scores")
    if step == "needs" and not _drafted(draft, client_id, "service_task"):
        return page.redirect(f"/intake/{client_id}/task")
    options = {"worker_id": await _staff_options(request, page)} if step == "coordinator" else {}
    values = _current(step, case, draft, page.require_staff(*STAFF).user_id)
    return _question(page, question, values=values, errors=[], caption=_name(page, case), options=options,
                     back=_back(client_id, step, check), status=200)


def _drafted(draft: dict[str, Any], client_id: str, key: str) -> bool:
    own = draft.get("case") or {}
    return own.get("client_id") == client_id and key in own


@router.post("/{client_id}/{step}", response_class=HTMLResponse)
async def case_answer(request: Request, client_id: ClientId, step: str, check: str | None = None) -> Response:
    page = page_of(request)
    case = await _case(request, page, client_id)
    session = page.require_staff(*STAFF)
    question = _case_question(step, case)
    options = {"worker_id": await _staff_options(request, page)} if step == "coordinator" else {}
    answer = w.read(question, await _form(request), {k: tuple(v for v, _ in o) for k, o in options.items()})
    draft = _draft(page)

    def again(errors: Errors, status: int) -> Response:
        return _question(page, question, values=answer.values, errors=errors, status=status, options=options,
                         caption=_name(page, case), back=_back(client_id, step, check))

    if not answer.ok:
        return again(_words(page, answer), 422)
    own = draft.get("case") if (draft.get("case") or {}).get("client_id") == client_id else None
    own = dict(own or {"client_id": client_id})
    if step == "scores":
        own["scores"] = w.scores_of(answer.values)
    elif step == "task":
        own["service_task"] = answer.values["service_task"]
    elif step in ("words", "needs") and not own.get("scores" if step == "words" else "service_task"):
        return page.redirect(f"/intake/{client_id}/{'scores' if step == 'words' else 'task'}")
    else:
        try:
            await _send(request, session.token, client_id, step, answer.values, own)
        except Refusal as refusal:
            return again(_refused(page, refusal, question), refusal.status)
    return _keep(page, page.redirect(_next(client_id, step, check)), {**draft, "case": own})


async def _send(request: Request, token: str, client_id: str, step: str, values: dict[str, Any],
                own: dict[str, Any]) -> None:
    """The one command of this page, as the API takes it."""
    services, path = _services(request), f"/clients/{client_id}"
    if step == "consent":
        await services.call("POST", "intake", f"{path}/consent", token, json={"given_by": values["given_by"]})
    elif step == "coordinator":
        await services.call("PUT", "intake", f"{path}/coordinator", token, json={"worker_id": values["worker_id"]})
    elif step == "words":
        await services.call("POST", "intake", f"{path}/self-assessments", token, json={
            "scores": own["scores"], "own_words": values["own_words"] or None, "wishes": values["wishes"] or None})
    elif step == "needs":
        await services.call("POST", "intake", f"{path}/needs-assessment", token, json={
            "service_task": own["service_task"], "support_needs": values["support_needs"],
            "summary": values["summary"]})
