"""The case history's HTTP API: a client's case as of any instant, the access log, retention, erasure."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from services.history.application.handlers import HistoryApplication
from shared.infra.auth import CurrentPrincipal
from shared.infra.http import command_context, offset_of, paginated

router = APIRouter(prefix="/history", tags=["history"])


def _app(request: Request) -> HistoryApplication:
    return request.app.state.history  # type: ignore[no-any-return]


@router.get("/clients/{client_id}")
async def case_as_of(client_id: UUID, principal: CurrentPrincipal, request: Request,
                     as_of: Annotated[AwareDatetime | None, Query(description="An instant with time zone")] = None,
                     reveal: bool = False) -> dict[str, Any]:
    """The case as of ``as_of`` (or now): the timeline (who, when, why, event ids), the state derived
    from it, and the hash chains checked. ``reveal`` opens the client's own words with their key."""
    instant: datetime | None = as_of
    return await _app(request).case(client_id, principal, instant, reveal)


@router.get("/access")
async def access_log(principal: CurrentPrincipal, request: Request, response: Response,
                     client_id: UUID | None = None, user_id: Annotated[str | None, Query(max_length=200)] = None,
                     limit: Annotated[int, Query(ge=1, le=1000)] = 1000,
                     cursor: Annotated[str | None, Query(max_length=200)] = None) -> list[dict[str, Any]]:
    """Who read whose data, when, why and with what result: per client or per user, newest first; the total
    and the next page's cursor in the X-Total-Count and X-Next-Cursor headers."""
    if client_id is not None:
        request.state.accessed_clients = [client_id]  # reading who read a client's data is a read, too
    start = offset_of(cursor)
    entries, total = await _app(request).access(principal, client_id, user_id, limit=limit, offset=start)
    paginated(response, entries, offset=start, limit=limit, total=total)
    request.state.accessed_clients = sorted({e["client_id"] for e in entries} | ({str(client_id)} if client_id else set()))
    return entries


@router.get("/retention/due")
async def retention_due(principal: CurrentPrincipal, request: Request) -> list[dict[str, Any]]:
    """Closed cases past their retention period (by service task and closing date), not yet erased."""
    due = await _app(request).retention_due(principal)
    request.state.accessed_clients = [c["client_id"] for c in due]  # ids with their service task: a read
    return due


class ErasureBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    basis: Literal["retention_period_ended", "other_legal_basis"]
    legal_basis: str = Field(min_length=1, max_length=1000, description="The recorded legal basis")


@router.post("/clients/{client_id}/erasure")
async def erase(client_id: UUID, body: ErasureBody, principal: CurrentPrincipal, request: Request) -> dict[str, Any]:
    """Crypto-shred the client: their key is destroyed, so no API, replay or export shows their personal
    data again, while amounts, decisions and timings still replay and verify."""
    envelope = await _app(request).erase(client_id, body.basis, body.legal_basis, principal,
                                         command_context(request, principal))
    return {"client_id": str(client_id), "event_id": str(envelope.id), "erased": True}
