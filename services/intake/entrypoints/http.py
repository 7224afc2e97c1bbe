"""Intake's HTTP API. Each route: authenticate, build the command (or query), hand it to the application,
shape the answer; rules and roles live behind it."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Header, Query, Request, Response

from services.intake.application import commands as c
from services.intake.application import views
from services.intake.application.directory import ClientDirectory
from services.intake.application.handlers import Ports, Registration
from services.intake.application.queries import ListCases, ReadCase
from services.intake.entrypoints import schemas
from shared.infra.access import PURPOSE_HEADER
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
from shared.infra.people import reader_language
from shared.infra.pipeline import Application
from shared.kernel.principal import Principal

router = APIRouter(prefix="/clients", tags=["intake"])
IfMatch = Annotated[str | None, Header(description='Stream version last seen, e.g. "3"; stale → 409')]


def _app(request: Request) -> Application[Ports]:
    return request.app.state.application  # type: ignore[no-any-return]


async def _handle(command: c.CaseCommand, principal: Principal, request: Request,
                  response: Response) -> CommandAccepted:
    done = await _app(request).handle(command, principal, command_context(request, principal))
    return accepted(command.client_id, done, response)


@router.post("", status_code=201, response_model=schemas.Registered,
             responses={200: {"description": "This person was registered before: the existing client"}})
async def register_client(body: schemas.RegisterClientBody, principal: CurrentPrincipal, request: Request,
                          response: Response) -> schemas.Registered:
    """Register a client at the one door. The same hetu twice yields the existing client."""
    command = c.RegisterClient(**body.model_dump())
    done: Registration = await _app(request).handle(command, principal, command_context(request, principal))
    if not done.created:
        response.status_code = 200
        request.state.accessed_clients = [done.client_id]  # finding an existing client is a read: logged
    response.headers["ETag"] = etag(done.version)
    return schemas.Registered(client_id=done.client_id, created=done.created, version=done.version)


@router.get("", response_model=list[schemas.CaseSummary])
async def list_clients(
    principal: CurrentPrincipal, request: Request, response: Response,
    scope: Literal["mine", "unassigned", "all"] = "mine",
    status: Literal["open", "completed", "declined"] | None = None,
    coordinator: Annotated[str | None, Query(min_length=1, max_length=200, description=(
        "One worker's cases (a manager's or auditor's view of a caseload, e.g. to move it); overrides scope"))] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100, offset: Offset = 0,
    cursor: Annotated[str | None, Query(max_length=200, description="The next page (X-Next-Cursor)")] = None,
) -> list[dict[str, Any]]:
    """A worker's cases (or the unassigned ones at the door); managers and auditors may list all. The whole
    list's total and the next page's cursor come in the X-Total-Count and X-Next-Cursor headers."""
    start = offset_of(cursor, offset)
    query = ListCases(scope=scope, status=status, coordinator=coordinator, limit=limit, offset=start)
    rows, total = await views.work_list(_app(request), query, principal)
    request.state.accessed_clients = [r["client_id"] for r in rows]  # a work list reads each client's data
    return paginated(response, rows, offset=start, limit=limit, total=total)


def _directory(request: Request) -> ClientDirectory:
    directory = _app(request).deps.directory
    assert directory is not None, "the service's ports carry the client directory"
    return directory


@router.get("/names")
async def client_names(principal: CurrentPrincipal, request: Request,
                       id: Annotated[list[UUID], Query(max_length=100, description="Client ids")]) -> dict[str, Any]:
    """The names of those clients the caller may see (others are left out); each one shown is access-logged."""
    items = await _directory(request).names(id, principal)
    request.state.accessed_clients = [i["client_id"] for i in items]
    return {"items": items, "total": len(items), "next_cursor": None}


@router.get("/search")
async def search_clients(principal: CurrentPrincipal, request: Request,
                         name: Annotated[str, Query(min_length=2, max_length=100)],
                         cursor: Annotated[str | None, Query(max_length=200)] = None,
                         limit: Annotated[int, Query(ge=1, le=100)] = 25) -> dict[str, Any]:
    """Find clients by name through the blind index (never by decrypting anyone); only clients the caller may
    see; each one shown is access-logged. A cursor for the next page and the total."""
    page = await _directory(request).search(name, principal, cursor=cursor, limit=limit)
    request.state.accessed_clients = [i["client_id"] for i in page.items]
    return {"items": page.items, "total": page.total, "next_cursor": page.next_cursor}


@router.post("/lookup")
async def find_by_hetu(body: schemas.HetuLookupBody, principal: CurrentPrincipal, request: Request,
                       purpose: Annotated[str, Header(alias=PURPOSE_HEADER, max_length=40,
                                                      description="Why: care, decision, ...")],
                       ) -> dict[str, Any]:
    """Find one client by hetu: the purpose is stated (and logged with the read), and it is rate-limited.
    POST, so the hetu is never in a URL."""
    directory = _directory(request)
    client_id = await directory.client_with_hetu(body.hetu, principal)
    request.state.accessed_clients = [client_id]  # logged also when refused below
    return await directory.shown(client_id, principal)


@router.get("/{client_id}")
async def get_client(client_id: UUID, principal: CurrentPrincipal, request: Request,
                     response: Response) -> dict[str, Any]:
    """The intake case with its personal data, for those whose role and relationship allow it."""
    app = _app(request)
    language = await reader_language(app.deps.people, principal.user_id, request.headers.get("accept-language"))
    version, view = await views.case(app, ReadCase(client_id=client_id, language=language), principal)
    response.headers["Content-Language"] = language
    response.headers["ETag"] = etag(version)
    return view


@router.post("/{client_id}/consent", response_model=CommandAccepted)
async def give_consent(client_id: UUID, body: schemas.GiveConsentBody, principal: CurrentPrincipal,
                       request: Request, response: Response, if_match: IfMatch = None) -> CommandAccepted:
    command = c.GiveConsent(client_id=client_id, given_by=body.given_by, expected_version=parse_if_match(if_match))
    return await _handle(command, principal, request, response)


@router.post("/{client_id}/consent/withdrawal", response_model=CommandAccepted)
async def withdraw_consent(client_id: UUID, body: schemas.WithdrawConsentBody, principal: CurrentPrincipal,
                           request: Request, response: Response, if_match: IfMatch = None) -> CommandAccepted:
    command = c.WithdrawConsent(client_id=client_id, reason=body.reason, expected_version=parse_if_match(if_match))
    return await _handle(command, principal, request, response)


@router.post("/{client_id}/self-assessments", response_model=CommandAccepted)
async def record_self_assessment(client_id: UUID, body: schemas.SelfAssessmentBody, principal: CurrentPrincipal,
                                 request: Request, response: Response,
                                 if_match: IfMatch = None) -> CommandAccepted:
    """Kykyviisari-style self-assessment: the client's own scores (0–10), words and wishes."""
    command = c.RecordSelfAssessment(client_id=client_id, scores=body.scores, own_words=body.own_words,
                                     wishes=body.wishes, expected_version=parse_if_match(if_match))
    return await _handle(command, principal, request, response)


@router.put("/{client_id}/coordinator", response_model=CommandAccepted)
async def assign_coordinator(client_id: UUID, body: schemas.AssignCoordinatorBody, principal: CurrentPrincipal,
                             request: Request, response: Response,
                             if_match: IfMatch = None) -> CommandAccepted:
    command = c.AssignCoordinator(client_id=client_id, worker_id=body.worker_id,
                                  expected_version=parse_if_match(if_match))
    return await _handle(command, principal, request, response)


@router.post("/{client_id}/needs-assessment", response_model=CommandAccepted)
async def assess_needs(client_id: UUID, body: schemas.NeedsAssessmentBody, principal: CurrentPrincipal,
                       request: Request, response: Response, if_match: IfMatch = None) -> CommandAccepted:
    """The worker's needs assessment and the case's service task (which later sets the retention period)."""
    command = c.AssessNeeds(client_id=client_id, service_task=body.service_task, support_needs=body.support_needs,
                            summary=body.summary, expected_version=parse_if_match(if_match))
    return await _handle(command, principal, request, response)


@router.post("/{client_id}/completion", response_model=CommandAccepted)
async def complete_intake(client_id: UUID, principal: CurrentPrincipal, request: Request, response: Response,
                          if_match: IfMatch = None) -> CommandAccepted:
    """Complete intake: the client is eligible for personal budgeting (→ IntakeCompleted)."""
    command = c.CompleteIntake(client_id=client_id, expected_version=parse_if_match(if_match))
    return await _handle(command, principal, request, response)


@router.post("/{client_id}/decline", response_model=CommandAccepted)
async def decline_intake(client_id: UUID, body: schemas.DeclineBody, principal: CurrentPrincipal,
                         request: Request, response: Response, if_match: IfMatch = None) -> CommandAccepted:
    """Decline with the reasoning: an administrative decision (→ IntakeDeclined and its DecisionRecorded) with a
    number, the decider's delegation, the legal bases and the instructions for rectification from the county's
    tables; the client sees the reason and the instructions in their case."""
    command = c.DeclineIntake(client_id=client_id, reason=body.reason, expected_version=parse_if_match(if_match))
    return await _handle(command, principal, request, response)
