"""Budgeting's HTTP API for clients, coordinating workers and managers."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Header, Query, Request, Response

from services.budgeting.adapters import postgres
from services.budgeting.application.handlers import BudgetingApplication
from services.budgeting.application.views import advice_view, budget_view
from services.budgeting.entrypoints import schemas
from shared.infra.auth import CurrentPrincipal
from shared.infra.http import CommandAccepted, Offset, accepted, command_context, etag, offset_of, paginated, parse_if_match
from shared.kernel.errors import Forbidden

router = APIRouter(prefix="/budgets", tags=["budgeting"])
IfMatch = Annotated[str | None, Header(description='Stream version last seen, e.g. "3"; stale → 409')]


def _app(request: Request) -> BudgetingApplication:
    return request.app.state.budgeting  # type: ignore[no-any-return]


@router.get("")
async def list_budgets(principal: CurrentPrincipal, request: Request, response: Response,
                       status: Literal["draft", "awaiting_approval", "decided", "closed"] | None = None,
                       limit: Annotated[int, Query(ge=1, le=500)] = 100,
                       offset: Offset = 0,
                       cursor: Annotated[str | None, Query(max_length=200)] = None) -> list[dict[str, Any]]:
    """A worker's own clients' budgets; managers (e.g. ``status=awaiting_approval``) and auditors see all."""
    if principal.role not in ("worker", "manager", "auditor"):
        raise Forbidden("budget lists are for workers, managers and auditors")
    coordinator = principal.user_id if principal.role == "worker" else None
    start, pool = offset_of(cursor, offset), _app(request).store.pool
    rows = await postgres.list_budgets(pool, coordinator_id=coordinator, status=status, limit=limit, offset=start)
    request.state.accessed_clients = [r["client_id"] for r in rows]  # a work list reads each client's data
    total = await postgres.count_budgets(pool, coordinator_id=coordinator, status=status)
    return paginated(response, rows, offset=start, limit=limit, total=total)


@router.get("/{client_id}")
async def get_budget(client_id: UUID, principal: CurrentPrincipal, request: Request,
                     response: Response) -> dict[str, Any]:
    """The budget: the plan in the client's words, the decision, and where the money stands."""
    app = _app(request)
    loaded = await app.read(client_id, principal)
    response.headers["ETag"] = etag(loaded.version)
    return await budget_view(loaded, app.keyring)


@router.get("/{client_id}/advice")
async def get_advice(client_id: UUID, principal: CurrentPrincipal, request: Request) -> dict[str, Any]:
    """Budgeting advice: decided, reserved, spent and remaining, by category and over the period, with risks."""
    return advice_view(await _app(request).advice(client_id, principal))


@router.post("/{client_id}/goals", response_model=CommandAccepted)
async def set_goal(client_id: UUID, body: schemas.GoalBody, principal: CurrentPrincipal, request: Request,
                   response: Response, if_match: IfMatch = None) -> CommandAccepted:
    """A goal of the client with its Goal Attainment Scaling levels (−2…+2) in the client's words."""
    done = await _app(request).set_goal(client_id, body.title, body.levels.model_dump(), body.baseline_level,
                                        body.weight, principal, command_context(request, principal),
                                        parse_if_match(if_match))
    return accepted(client_id, done, response)


@router.post("/{client_id}/supports", response_model=CommandAccepted)
async def plan_support(client_id: UUID, body: schemas.SupportBody, principal: CurrentPrincipal, request: Request,
                       response: Response, if_match: IfMatch = None) -> CommandAccepted:
    """A planned support: from the public shelf, a firm, an NGO, informal support or material help."""
    done = await _app(request).plan_support(client_id, body.category, body.description, body.estimated_cost_cents,
                                            body.provider_type, body.goal_ids, principal,
                                            command_context(request, principal), parse_if_match(if_match))
    return accepted(client_id, done, response)


@router.post("/{client_id}/wishes", response_model=CommandAccepted)
async def record_wish(client_id: UUID, body: schemas.WishBody, principal: CurrentPrincipal, request: Request,
                      response: Response, if_match: IfMatch = None) -> CommandAccepted:
    """The client's own wish, recorded as theirs."""
    done = await _app(request).record_wish(client_id, body.text, principal, command_context(request, principal),
                                           parse_if_match(if_match))
    return accepted(client_id, done, response)


@router.post("/{client_id}/proposal", response_model=CommandAccepted)
async def propose(client_id: UUID, body: schemas.ProposalBody, principal: CurrentPrincipal, request: Request,
                  response: Response, if_match: IfMatch = None) -> CommandAccepted:
    done = await _app(request).propose(client_id, body.amount_cents, body.period, body.breakdown, principal,
                                       command_context(request, principal), parse_if_match(if_match))
    return accepted(client_id, done, response)


@router.post("/{client_id}/decision", response_model=CommandAccepted,
             responses={202: {"description": "Above the authority limit: waiting for a manager's approval"}})
async def decide(client_id: UUID, body: schemas.DecisionBody, principal: CurrentPrincipal, request: Request,
                 response: Response, if_match: IfMatch = None) -> CommandAccepted:
    """The budget decision. Above the worker's authority limit it waits for a manager (202)."""
    done = await _app(request).decide(client_id, body.reasoning, body.legal_basis, body.appeal_instructions,
                                      principal, command_context(request, principal), parse_if_match(if_match))
    if done.state.status == "awaiting_approval":
        response.status_code = 202
    return accepted(client_id, done, response)


@router.post("/{client_id}/approval", response_model=CommandAccepted)
async def approve(client_id: UUID, body: schemas.ApprovalBody, principal: CurrentPrincipal, request: Request,
                  response: Response, if_match: IfMatch = None) -> CommandAccepted:
    """A manager approves a decision above the authority limit: it takes effect."""
    done = await _app(request).answer_approval(client_id, True, body.reason, principal,
                                               command_context(request, principal), parse_if_match(if_match))
    return accepted(client_id, done, response)


@router.post("/{client_id}/rejection", response_model=CommandAccepted)
async def reject(client_id: UUID, body: schemas.ApprovalBody, principal: CurrentPrincipal, request: Request,
                 response: Response, if_match: IfMatch = None) -> CommandAccepted:
    """A manager rejects it with a reason: the budget returns to draft."""
    done = await _app(request).answer_approval(client_id, False, body.reason, principal,
                                               command_context(request, principal), parse_if_match(if_match))
    return accepted(client_id, done, response)


@router.post("/{client_id}/revision", response_model=CommandAccepted)
async def revise(client_id: UUID, body: schemas.RevisionBody, principal: CurrentPrincipal, request: Request,
                 response: Response, if_match: IfMatch = None) -> CommandAccepted:
    """Revise the decided amount, with a reason; never below what is already reserved and spent."""
    done = await _app(request).revise(client_id, body.amount_cents, body.breakdown, body.reason, principal,
                                      command_context(request, principal), parse_if_match(if_match))
    return accepted(client_id, done, response)


@router.post("/{client_id}/closure", response_model=CommandAccepted)
async def close(client_id: UUID, body: schemas.ClosureBody, principal: CurrentPrincipal, request: Request,
                response: Response, if_match: IfMatch = None) -> CommandAccepted:
    """Close the budget (period ended, case closed); open reservations are released."""
    done = await _app(request).close(client_id, body.reason, principal, command_context(request, principal),
                                     parse_if_match(if_match))
    return accepted(client_id, done, response)
