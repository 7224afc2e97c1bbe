"""Intake's HTTP API. Each route: authenticate, map the body to a command, call the application."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Header, Query, Request, Response

from services.intake.adapters import postgres
from services.intake.application.handlers import IntakeApplication, PersonalData
from services.intake.application.views import case_view
from services.intake.entrypoints import schemas
from shared.infra.access import PURPOSE_HEADER
from shared.infra.auth import CurrentPrincipal
from shared.infra.http import CommandAccepted, Offset, accepted, command_context, etag, offset_of, paginated, parse_if_match
from shared.kernel.errors import Forbidden

router = APIRouter(prefix="/clients", tags=["intake"])
IfMatch = Annotated[str | None, Header(description='Stream version last seen, e.g. "3"; stale → 409')]


def _app(request: Request) -> IntakeApplication:
    return request.app.state.intake  # type: ignore[no-any-return]


@router.post("", status_code=201, response_model=schemas.Registered,
             responses={200: {"description": "This person was registered before: the existing client"}})
async def register_client(body: schemas.RegisterClientBody, principal: CurrentPrincipal, request: Request,
                          response: Response) -> schemas.Registered:
    """Register a client at the one door. The same hetu twice yields the existing client."""
    person = PersonalData(**body.model_dump(exclude={"municipality", "preferred_language"}))
    done = await _app(request).register(
        person, body.municipality, body.preferred_language, principal, command_context(request, principal)
    )
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
    limit: Annotated[int, Query(ge=1, le=500)] = 100, offset: Offset = 0,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> list[dict[str, Any]]:
    """A worker's cases (or the unassigned ones at the door); managers and auditors may list all."""
    if principal.role not in ("worker", "manager", "auditor"):
        raise Forbidden("work lists are for workers, managers and auditors")
    if scope == "all" and principal.role == "worker":
        raise Forbidden("a worker lists their own cases or the unassigned ones")
    coordinator = principal.user_id if scope == "mine" else ("" if scope == "unassigned" else None)
    start = offset_of(cursor, offset)
    pool = _app(request).store.pool
    rows = await postgres.list_cases(pool, coordinator_id=coordinator, status=status, limit=limit, offset=start)
    request.state.accessed_clients = [r["client_id"] for r in rows]  # a work list reads each client's data
    total = await postgres.count_cases(pool, coordinator_id=coordinator, status=status)
    return paginated(response, rows, offset=start, limit=limit, total=total)


@router.get("/names")
async def client_names(principal: CurrentPrincipal, request: Request,
                       id: Annotated[list[UUID], Query(max_length=100, description="Client ids")]) -> dict[str, Any]:
    """The names of those clients the caller may see (others are left out); each one shown is access-logged."""
    items = await _app(request).directory.names(id, principal)
    request.state.accessed_clients = [i["client_id"] for i in items]
    return {"items": items, "total": len(items), "next_cursor": None}


@router.get("/search")
async def search_clients(principal: CurrentPrincipal, request: Request,
                         name: Annotated[str, Query(min_length=2, max_length=100)],
                         cursor: Annotated[str | None, Query(max_length=200)] = None,
                         limit: Annotated[int, Query(ge=1, le=100)] = 25) -> dict[str, Any]:
    """Find clients by name through the blind index (never by decrypting anyone); only clients the caller may
    see; each one shown is access-logged. A cursor for the next page and the total."""
    page = await _app(request).directory.search(name, principal, cursor=cursor, limit=limit)
    request.state.accessed_clients = [i["client_id"] for i in page.items]
    return {"items": page.items, "total": page.total, "next_cursor": page.next_cursor}


@router.post("/lookup")
async def find_by_hetu(body: schemas.HetuLookupBody, principal: CurrentPrincipal, request: Request,
                       purpose: Annotated[str, Header(alias=PURPOSE_HEADER, description="Why: care, decision, ...")],
                       ) -> dict[str, Any]:
    """Find one client by hetu: the purpose is stated (and logged with the read), and it is rate-limited.
    POST, so the hetu is never in a URL."""
    directory = _app(request).directory
    client_id = await directory.client_with_hetu(body.hetu, principal)
    request.state.accessed_clients = [client_id]  # logged also when refused below
    return await directory.shown(client_id, principal)


@router.get("/{client_id}")
async def get_client(client_id: UUID, principal: CurrentPrincipal, request: Request,
                     response: Response) -> dict[str, Any]:
    """The intake case with its personal data, for those whose role and relationship allow it."""
    app = _app(request)
    loaded = await app.read(client_id, principal)
    response.headers["ETag"] = etag(loaded.version)
    return await case_view(loaded, app.keyring)


@router.post("/{client_id}/consent", response_model=CommandAccepted)
async def give_consent(client_id: UUID, body: schemas.GiveConsentBody, principal: CurrentPrincipal,
                       request: Request, response: Response, if_match: IfMatch = None) -> CommandAccepted:
    done = await _app(request).give_consent(
        client_id, body.given_by, principal, command_context(request, principal), parse_if_match(if_match))
    return accepted(client_id, done, response)


@router.post("/{client_id}/consent/withdrawal", response_model=CommandAccepted)
async def withdraw_consent(client_id: UUID, body: schemas.WithdrawConsentBody, principal: CurrentPrincipal,
                           request: Request, response: Response, if_match: IfMatch = None) -> CommandAccepted:
    done = await _app(request).withdraw_consent(
        client_id, body.reason, principal, command_context(request, principal), parse_if_match(if_match))
    return accepted(client_id, done, response)


@router.post("/{client_id}/self-assessments", response_model=CommandAccepted)
async def record_self_assessment(client_id: UUID, body: schemas.SelfAssessmentBody, principal: CurrentPrincipal,
                                 request: Request, response: Response,
                                 if_match: IfMatch = None) -> CommandAccepted:
    """Kykyviisari-style self-assessment: the client's own scores (0–10), words and wishes."""
    done = await _app(request).record_self_assessment(
        client_id, body.scores, body.own_words, body.wishes, principal, command_context(request, principal),
        parse_if_match(if_match))
    return accepted(client_id, done, response)


@router.put("/{client_id}/coordinator", response_model=CommandAccepted)
async def assign_coordinator(client_id: UUID, body: schemas.AssignCoordinatorBody, principal: CurrentPrincipal,
                             request: Request, response: Response,
                             if_match: IfMatch = None) -> CommandAccepted:
    done = await _app(request).assign_coordinator(
        client_id, body.worker_id, principal, command_context(request, principal), parse_if_match(if_match))
    return accepted(client_id, done, response)


@router.post("/{client_id}/needs-assessment", response_model=CommandAccepted)
async def assess_needs(client_id: UUID, body: schemas.NeedsAssessmentBody, principal: CurrentPrincipal,
                       request: Request, response: Response, if_match: IfMatch = None) -> CommandAccepted:
    """The worker's needs assessment and the case's service task (which later sets the retention period)."""
    done = await _app(request).assess_needs(
        client_id, body.service_task, body.support_needs, body.summary, principal, command_context(request, principal),
        parse_if_match(if_match))
    return accepted(client_id, done, response)


@router.post("/{client_id}/completion", response_model=CommandAccepted)
async def complete_intake(client_id: UUID, principal: CurrentPrincipal, request: Request, response: Response,
                          if_match: IfMatch = None) -> CommandAccepted:
    """Complete intake: the client is eligible for personal budgeting (→ IntakeCompleted)."""
    done = await _app(request).complete(client_id, principal, command_context(request, principal), parse_if_match(if_match))
    return accepted(client_id, done, response)


@router.post("/{client_id}/decline", response_model=CommandAccepted)
async def decline_intake(client_id: UUID, body: schemas.DeclineBody, principal: CurrentPrincipal,
                         request: Request, response: Response, if_match: IfMatch = None) -> CommandAccepted:
    """Decline with a reason and appeal instructions (→ IntakeDeclined)."""
    done = await _app(request).decline(
        client_id, body.reason, body.appeal_instructions, principal, command_context(request, principal),
        parse_if_match(if_match))
    return accepted(client_id, done, response)
