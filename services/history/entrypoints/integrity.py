"""The log's integrity over HTTP, for auditors and managers: signed checkpoints, dead letters, the audit replay."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request, Response

from services.history.adapters import integrity as stored
from services.history.application.integrity import Integrity, may_read
from shared.infra.auth import CurrentPrincipal
from shared.infra.http import offset_of, paginated

router = APIRouter(prefix="/history", tags=["integrity"])
Service = Annotated[str, Path(pattern=r"^[a-z]{1,32}$", description="e.g. budgeting")]


def _integrity(request: Request) -> Integrity:
    found: Integrity | None = getattr(request.app.state, "integrity", None)
    if found is None:
        found = request.app.state.integrity = Integrity.of(request.app.state.runtime.settings)
    return found


@router.get("/checkpoints")
async def checkpoints(principal: CurrentPrincipal, request: Request) -> list[dict[str, Any]]:
    """Each service's latest signed checkpoint (read from the end of its checkpoint topic): sequence, time, the
    streams it states, its Merkle root and key, and whether its signature verifies against the published keys."""
    return await _integrity(request).checkpoints(principal)


@router.get("/dead-letters/{service}")
async def dead_letters(service: Service, principal: CurrentPrincipal, request: Request, response: Response,
                       limit: Annotated[int, Query(ge=1, le=500)] = 100,
                       cursor: Annotated[str | None, Query(max_length=200)] = None) -> list[dict[str, Any]]:
    """The service's dead letters, newest first: where each came from, why it was refused (never the record's
    value), whether it was re-driven, and the operator's exact command to re-drive it. Re-driving is not offered
    here. Total and next cursor in X-Total-Count and X-Next-Cursor."""
    letters = await _integrity(request).dead_letters(principal, service)
    start = offset_of(cursor)
    return paginated(response, letters[start:start + limit], offset=start, limit=limit, total=len(letters))


@router.get("/dead-letters/{service}/{letter_id}")
async def dead_letter(service: Service, letter_id: Annotated[str, Path(pattern=r"^[0-9]{1,6}:[0-9]{1,18}$")],
                      principal: CurrentPrincipal, request: Request) -> dict[str, Any]:
    """One dead letter (``partition:offset``) with its headers; its value only by the operator's command line."""
    view, subject = await _integrity(request).dead_letter(principal, service, letter_id)
    try:  # its headers name a client (the pseudonymous id): a read of that client's data, logged
        request.state.accessed_clients = [UUID(subject)] if subject else []
    except ValueError:
        request.state.accessed_clients = []
    return view


@router.get("/replays/latest")
async def latest_replay(principal: CurrentPrincipal, request: Request) -> dict[str, Any]:
    """The latest recorded run of the audit replay (``python -m services.history.replay --record``): whether every
    hash chain and checkpoint verified, how many cases were rebuilt and how many equalled the live view, and the
    findings. ``{"run": null}`` before the first recorded run."""
    may_read(principal)
    return {"run": await stored.latest_replay(request.app.state.runtime.pool)}
