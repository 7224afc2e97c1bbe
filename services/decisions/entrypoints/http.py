"""The decisions service's HTTP API. Each route builds a query (or command), hands it to the application and shapes
the answer; rules and roles live behind it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request

from services.decisions.application import views
from services.decisions.application.ports import Ports
from services.decisions.application.queries import ListApprovals
from shared.infra.auth import CurrentPrincipal
from shared.infra.http import Offset
from shared.infra.pipeline import Application

router = APIRouter(tags=["decisions"])


def _app(request: Request) -> Application[Ports]:
    return request.app.state.application  # type: ignore[no-any-return]


@router.get("/approvals")
async def list_approvals(principal: CurrentPrincipal, request: Request,
                         status: Literal["pending", "granted", "refused", "withdrawn"] | None = "pending",
                         kind: Annotated[str | None, Query(max_length=64)] = None,
                         limit: Annotated[int, Query(ge=1, le=500)] = 100, offset: Offset = 0) -> list[dict[str, Any]]:
    """The approvals queue of every service (a budget decision or revision, later purchases and agreements) above
    its preparer's delegated authority: oldest first, with ``may_answer`` when the reader's own delegation covers
    it. Managers and auditors see all, a worker the requests they made. Answer on the matter itself (e.g.
    budgeting's ``/budgets/{client_id}/approval``)."""
    query = ListApprovals(status=status, kind=kind, limit=limit, offset=offset)
    rows = await views.approvals(_app(request), query, principal, datetime.now(UTC).date())
    request.state.accessed_clients = sorted({str(r["client_id"]) for r in rows if r["client_id"]})  # a read of each
    return rows
