"""Follow-up's HTTP API: the case and its follow-ups for clients and workers, effectiveness for all readers. Each
route builds a command (or a query), hands it to the application, and shapes the answer; rules and roles live
behind it."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Header, Query, Request, Response

from services.followup.application import commands as c
from services.followup.application import views
from services.followup.application.handlers import Ports
from services.followup.application.queries import (
    ListFollowUps,
    ReadClientEffectiveness,
    ReadFollowUp,
    ReadRegionEffectiveness,
)
from services.followup.application.views import client_effectiveness_view, region_csv, region_view
from services.followup.domain.effectiveness import RegionFigures
from services.followup.entrypoints import schemas
from shared.infra.auth import CurrentPrincipal
from shared.infra.http import (
    CommandAccepted,
    Offset,
    accepted,
    command_context,
    etag,
    offset_of,
    paginated,
    parse_if_match,
)
from shared.infra.pipeline import Application
from shared.kernel.principal import Principal

router = APIRouter(prefix="/followups", tags=["followup"])
effectiveness = APIRouter(prefix="/effectiveness", tags=["effectiveness"])
IfMatch = Annotated[str | None, Header(description='Stream version last seen, e.g. "3"; stale → 409')]


def _app(request: Request) -> Application[Ports]:
    return request.app.state.application  # type: ignore[no-any-return]


async def _handle(command: c.CaseCommand, principal: Principal, request: Request,
                  response: Response) -> CommandAccepted:
    done = await _app(request).handle(command, principal, command_context(request, principal))
    return accepted(command.client_id, done, response)


@router.get("")
async def list_followups(principal: CurrentPrincipal, request: Request, response: Response, overdue: bool = False,
                         limit: Annotated[int, Query(ge=1, le=500)] = 100,
                         offset: Offset = 0,
                         cursor: Annotated[str | None, Query(max_length=200)] = None) -> list[dict[str, Any]]:
    """A worker's own clients' follow-ups, soonest due first (``overdue=true``: only the overdue ones);
    managers and auditors see all."""
    start = offset_of(cursor, offset)
    query = ListFollowUps(overdue=overdue, limit=limit, offset=start)
    rows, total = await views.work_list(_app(request), query, principal)
    request.state.accessed_clients = [r["client_id"] for r in rows]  # a work list reads each client's data
    return paginated(response, rows, offset=start, limit=limit, total=total)


@router.get("/{client_id}")
async def get_followup(client_id: UUID, principal: CurrentPrincipal, request: Request,
                       response: Response) -> dict[str, Any]:
    """The case: follow-ups due and done, check-ins in the client's words, goals, re-assessments, reviews."""
    version, view = await views.followup(_app(request), ReadFollowUp(client_id=client_id), principal)
    response.headers["ETag"] = etag(version)
    return view


@router.post("/{client_id}/check-ins", response_model=CommandAccepted)
async def check_in(client_id: UUID, body: schemas.CheckInBody, principal: CurrentPrincipal, request: Request,
                   response: Response, if_match: IfMatch = None) -> CommandAccepted:
    """A contact with the client; it does the open follow-up and schedules the next one."""
    command = c.RecordCheckIn(client_id=client_id, contact_type=body.contact_type, client_account=body.client_account,
                              worker_notes=body.worker_notes, expected_version=parse_if_match(if_match))
    return await _handle(command, principal, request, response)


@router.post("/{client_id}/goal-attainments", response_model=CommandAccepted)
async def score_goal(client_id: UUID, body: schemas.GoalAttainmentBody, principal: CurrentPrincipal,
                     request: Request, response: Response, if_match: IfMatch = None) -> CommandAccepted:
    """Where the client stands on one of the plan's goals, on the GAS scale −2…+2."""
    command = c.ScoreGoal(client_id=client_id, goal_id=body.goal_id, level=body.level,
                          expected_version=parse_if_match(if_match))
    return await _handle(command, principal, request, response)


@router.post("/{client_id}/reassessments", response_model=CommandAccepted)
async def reassess(client_id: UUID, body: schemas.ReassessmentBody, principal: CurrentPrincipal, request: Request,
                   response: Response, if_match: IfMatch = None) -> CommandAccepted:
    """The Kykyviisari-style self-assessment again, on the same scales as at intake."""
    command = c.Reassess(client_id=client_id, scores=body.scores, own_words=body.own_words, form=body.form,
                         expected_version=parse_if_match(if_match))
    return await _handle(command, principal, request, response)


@router.post("/{client_id}/plan-review", response_model=CommandAccepted)
async def request_review(client_id: UUID, body: schemas.PlanReviewBody, principal: CurrentPrincipal,
                         request: Request, response: Response, if_match: IfMatch = None) -> CommandAccepted:
    """The client (at any time) or the worker asks to review the plan; budgeting records it on the budget."""
    command = c.RequestPlanReview(client_id=client_id, reason=body.reason, expected_version=parse_if_match(if_match))
    return await _handle(command, principal, request, response)


@router.post("/{client_id}/closure", response_model=CommandAccepted)
async def close(client_id: UUID, body: schemas.ClosureBody, principal: CurrentPrincipal, request: Request,
                response: Response, if_match: IfMatch = None) -> CommandAccepted:
    """Close the case with a reason; budgeting closes the budget and releases what is still reserved.
    409 while a plan review the client or the worker asked for is open: a revision of the budget answers it."""
    command = c.CloseCase(client_id=client_id, reason=body.reason, note=body.note,
                          expected_version=parse_if_match(if_match))
    return await _handle(command, principal, request, response)


@router.post("/{client_id}/own-check-ins", response_model=CommandAccepted)
async def own_check_in(client_id: UUID, body: schemas.OwnCheckInBody, principal: CurrentPrincipal, request: Request,
                       response: Response, if_match: IfMatch = None) -> CommandAccepted:
    """How things are going, in the client's own words: the client, or their representative for them.
    409 (consent-withdrawn) while the client's consent is withdrawn: nothing is recorded."""
    command = c.RecordOwnCheckIn(client_id=client_id, text=body.text, expected_version=parse_if_match(if_match))
    return await _handle(command, principal, request, response)


@router.post("/{client_id}/end-requests", response_model=CommandAccepted)
async def request_end(client_id: UUID, body: schemas.EndRequestBody, principal: CurrentPrincipal, request: Request,
                      response: Response, if_match: IfMatch = None) -> CommandAccepted:
    """The client asks to end the HB case; the coordinating worker answers (closing stays their decision)."""
    command = c.RequestCaseEnd(client_id=client_id, reason=body.reason, expected_version=parse_if_match(if_match))
    return await _handle(command, principal, request, response)


@router.post("/{client_id}/end-requests/{request_id}/answer", response_model=CommandAccepted)
async def answer_end(client_id: UUID, request_id: UUID, body: schemas.EndAnswerBody, principal: CurrentPrincipal,
                     request: Request, response: Response, if_match: IfMatch = None) -> CommandAccepted:
    """The worker's answer to the client's request to end the case (agreed: the worker then closes it)."""
    command = c.AnswerCaseEndRequest(client_id=client_id, request_id=request_id, answer=body.answer, note=body.note,
                                     expected_version=parse_if_match(if_match))
    return await _handle(command, principal, request, response)


@effectiveness.get("/clients/{client_id}")
async def client_effectiveness(client_id: UUID, principal: CurrentPrincipal, request: Request) -> dict[str, Any]:
    """Change in each self-assessment area since intake, the GAS T-score, and the budget's use against the plan."""
    query = ReadClientEffectiveness(client_id=client_id)
    return client_effectiveness_view(await views.client_effectiveness(_app(request), query, principal))


@effectiveness.get("/region", responses={200: {"content": {"text/csv": {}}}})
async def region(principal: CurrentPrincipal, request: Request,
                 format: Literal["json", "csv"] = "json") -> Any:
    """The region's figures by period (year-quarter of the decision) and support category; a group of fewer
    than 5 clients is never shown (``suppressed_groups`` counts them). ``format=csv`` for a spreadsheet."""
    figures = await views.region_effectiveness(_app(request), ReadRegionEffectiveness(), principal)
    if format == "csv":
        return _csv(figures)
    return region_view(figures)


@effectiveness.get("/region.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}})
async def region_as_csv(principal: CurrentPrincipal, request: Request) -> Response:
    """The region's figures as CSV (the same as ``/effectiveness/region?format=csv``)."""
    return _csv(await views.region_effectiveness(_app(request), ReadRegionEffectiveness(), principal))


def _csv(figures: RegionFigures) -> Response:
    return Response(region_csv(figures), media_type="text/csv; charset=utf-8",
                    headers={"X-Suppressed-Groups": str(figures.suppressed_groups),
                             "Content-Disposition": 'attachment; filename="effectiveness-region.csv"'})
