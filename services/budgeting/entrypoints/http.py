"""Budgeting's HTTP API for clients, coordinating workers and managers. Each route builds a command (or a
query), hands it to the application, and shapes the answer; rules and roles live behind it."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Header, Query, Request, Response

from services.budgeting.application import commands as c
from services.budgeting.application import views
from services.budgeting.application.handlers import Ports
from services.budgeting.application.queries import AdviseOnBudget, ListBudgets, ReadBudget
from services.budgeting.entrypoints import schemas
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

router = APIRouter(prefix="/budgets", tags=["budgeting"])
IfMatch = Annotated[str | None, Header(description='Stream version last seen, e.g. "3"; stale → 409')]


def _app(request: Request) -> Application[Ports]:
    return request.app.state.application  # type: ignore[no-any-return]


async def _handle(command: c.BudgetCommand, principal: Principal, request: Request,
                  response: Response) -> CommandAccepted:
    done = await _app(request).handle(command, principal, command_context(request, principal))
    return accepted(command.client_id, done, response)


@router.get("")
async def list_budgets(principal: CurrentPrincipal, request: Request, response: Response,
                       status: Literal["draft", "awaiting_approval", "decided", "closed"] | None = None,
                       limit: Annotated[int, Query(ge=1, le=500)] = 100,
                       offset: Offset = 0,
                       cursor: Annotated[str | None, Query(max_length=200,
                                                          description="The next page (X-Next-Cursor)")] = None,
                       ) -> list[dict[str, Any]]:
    """A worker's own clients' budgets; managers (e.g. ``status=awaiting_approval``) and auditors see all. The
    whole list's total and the next page's cursor come in the X-Total-Count and X-Next-Cursor headers."""
    start = offset_of(cursor, offset)
    rows, total = await views.work_list(_app(request), ListBudgets(status=status, limit=limit, offset=start),
                                        principal)
    request.state.accessed_clients = [r["client_id"] for r in rows]  # a work list reads each client's data
    return paginated(response, rows, offset=start, limit=limit, total=total)


@router.get("/views")
async def budget_views(principal: CurrentPrincipal, request: Request,
                       id: Annotated[list[UUID], Query(max_length=25, description="Client ids")]) -> dict[str, Any]:
    """The budgets of those clients the caller may see (others are left out, not refused), each as
    ``GET /budgets/{client_id}`` shows it; each one shown is access-logged. For a page that lists matters of many
    clients (the manager's approvals queue): one request and one access-log statement instead of one per client."""
    app = _app(request)
    language = await reader_language(app.deps.people, principal.user_id, request.headers.get("accept-language"))
    items = await views.budgets(app, id, language, principal)
    request.state.accessed_clients = [i["client_id"] for i in items]
    return {"items": items, "total": len(items), "next_cursor": None}


@router.get("/{client_id}")
async def get_budget(client_id: UUID, principal: CurrentPrincipal, request: Request,
                     response: Response) -> dict[str, Any]:
    """The budget: the plan in the client's words, the decision, and where the money stands."""
    app = _app(request)
    language = await reader_language(app.deps.people, principal.user_id, request.headers.get("accept-language"))
    version, view = await views.budget(app, ReadBudget(client_id=client_id, language=language), principal)
    response.headers["Content-Language"] = language
    response.headers["ETag"] = etag(version)
    return view


@router.get("/{client_id}/advice")
async def get_advice(client_id: UUID, principal: CurrentPrincipal, request: Request) -> dict[str, Any]:
    """Budgeting advice: decided, reserved, spent and remaining, by category and over the period, with risks."""
    return await views.advice(_app(request), AdviseOnBudget(client_id=client_id), principal)


@router.post("/{client_id}/goals", response_model=CommandAccepted)
async def set_goal(client_id: UUID, body: schemas.GoalBody, principal: CurrentPrincipal, request: Request,
                   response: Response, if_match: IfMatch = None) -> CommandAccepted:
    """A goal of the client with its Goal Attainment Scaling levels (−2…+2) in the client's words."""
    command = c.SetGoal(client_id=client_id, title=body.title, levels=body.levels.model_dump(),
                        baseline_level=body.baseline_level, weight=body.weight, expected_version=parse_if_match(if_match))
    return await _handle(command, principal, request, response)


@router.post("/{client_id}/supports", response_model=CommandAccepted)
async def plan_support(client_id: UUID, body: schemas.SupportBody, principal: CurrentPrincipal, request: Request,
                       response: Response, if_match: IfMatch = None) -> CommandAccepted:
    """A planned support: from the public shelf, a firm, an NGO, informal support or material help."""
    command = c.PlanSupport(client_id=client_id, **body.model_dump(), expected_version=parse_if_match(if_match))
    return await _handle(command, principal, request, response)


@router.post("/{client_id}/wishes", response_model=CommandAccepted)
async def record_wish(client_id: UUID, body: schemas.WishBody, principal: CurrentPrincipal, request: Request,
                      response: Response, if_match: IfMatch = None) -> CommandAccepted:
    """The client's own wish, recorded as theirs."""
    command = c.RecordWish(client_id=client_id, text=body.text, expected_version=parse_if_match(if_match))
    return await _handle(command, principal, request, response)


@router.post("/{client_id}/proposal", response_model=CommandAccepted)
async def propose(client_id: UUID, body: schemas.ProposalBody, principal: CurrentPrincipal, request: Request,
                  response: Response, if_match: IfMatch = None) -> CommandAccepted:
    command = c.ProposeBudget(client_id=client_id, amount_cents=body.amount_cents, period=body.period,
                              breakdown=body.breakdown, expected_version=parse_if_match(if_match))
    return await _handle(command, principal, request, response)


@router.post("/{client_id}/decision", response_model=CommandAccepted,
             responses={202: {"description": "Above the authority limit: waiting for a manager's approval"}})
async def decide(client_id: UUID, body: schemas.DecisionBody, principal: CurrentPrincipal, request: Request,
                 response: Response, if_match: IfMatch = None) -> CommandAccepted:
    """The budget decision. Above the decider's delegated authority (the delegation table) it waits for approval
    (202) in the approvals queue."""
    command = c.DecideBudget(client_id=client_id, **body.model_dump(), expected_version=parse_if_match(if_match))
    done = await _app(request).handle(command, principal, command_context(request, principal))
    if done.state.status == "awaiting_approval":
        response.status_code = 202
    return accepted(client_id, done, response)


@router.post("/{client_id}/approval", response_model=CommandAccepted)
async def approve(client_id: UUID, body: schemas.ApprovalBody, principal: CurrentPrincipal, request: Request,
                  response: Response, if_match: IfMatch = None) -> CommandAccepted:
    """Approve the decision or revision waiting for approval: the approver, whose own delegated authority must cover
    the amount, decides it (a new decision number)."""
    command = c.ApproveBudget(client_id=client_id, reason=body.reason, expected_version=parse_if_match(if_match))
    return await _handle(command, principal, request, response)


@router.post("/{client_id}/rejection", response_model=CommandAccepted)
async def reject(client_id: UUID, body: schemas.ApprovalBody, principal: CurrentPrincipal, request: Request,
                 response: Response, if_match: IfMatch = None) -> CommandAccepted:
    """Refuse it with the reasoning, shown to the worker and the client: a decision returns to the plan (draft), a
    revision is dropped and the budget stays as decided."""
    command = c.RejectBudget(client_id=client_id, reason=body.reason, expected_version=parse_if_match(if_match))
    return await _handle(command, principal, request, response)


@router.post("/{client_id}/revision", response_model=CommandAccepted,
             responses={202: {"description": "Above the reviser's delegated authority: waiting for approval"}})
async def revise(client_id: UUID, body: schemas.RevisionBody, principal: CurrentPrincipal, request: Request,
                 response: Response, if_match: IfMatch = None) -> CommandAccepted:
    """Revise the decided amount with the reasoning: a new decision with its own number, never below what is
    already reserved and spent. Above the reviser's delegated authority it waits for approval (202)."""
    command = c.ReviseBudget(client_id=client_id, **body.model_dump(), expected_version=parse_if_match(if_match))
    done = await _app(request).handle(command, principal, command_context(request, principal))
    if done.state.pending is not None:
        response.status_code = 202
    return accepted(client_id, done, response)


@router.post("/{client_id}/closure", response_model=CommandAccepted)
async def close(client_id: UUID, body: schemas.ClosureBody, principal: CurrentPrincipal, request: Request,
                response: Response, if_match: IfMatch = None) -> CommandAccepted:
    """Close the budget (period ended, case closed); open reservations are released."""
    command = c.CloseBudget(client_id=client_id, reason=body.reason, expected_version=parse_if_match(if_match))
    return await _handle(command, principal, request, response)
