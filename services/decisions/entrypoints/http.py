"""The decisions service's HTTP API. Each route builds a query (or command), hands it to the application and shapes
the answer; rules and roles live behind it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Header, Query, Request, Response
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from contracts.decisions import DispatchMethod
from services.decisions.application import commands as c
from services.decisions.application import views
from services.decisions.application.ports import Ports
from services.decisions.application.queries import ListApprovals, ListDecisions, ReadDecision
from shared.infra.auth import CurrentPrincipal
from shared.infra.http import CommandAccepted, Offset, accepted, command_context, etag, parse_if_match
from shared.infra.people import reader_language
from shared.infra.pipeline import Application

router = APIRouter(tags=["decisions"])
IfMatch = Annotated[str | None, Header(description='Stream version last seen, e.g. "3"; stale → 409')]
Recipient = Field(c.CLIENT, min_length=1, max_length=200,
                  description="'client', or the id of a representative entitled to be served (each guardian)")


class DispatchBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    method: DispatchMethod = Field(description="letter, electronic (with the recipient's consent on record), "
                                   "proven_electronic (received at its retrieval, recorded as a receipt), in_person")
    sent_at: AwareDatetime = Field(description="When it was sent or handed over, with a time zone")
    recipient: str = Recipient
    electronic_consent: bool = Field(False, description="The recipient's consent to electronic service is on record")


class ReceiptBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    received_on: date = Field(description="The day the recipient actually received (or retrieved) the decision")
    recipient: str = Recipient


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


@router.get("/clients/{client_id}/decisions")
async def list_decisions(client_id: UUID, principal: CurrentPrincipal, request: Request,
                         limit: Annotated[int, Query(ge=1, le=500)] = 100,
                         offset: Offset = 0) -> list[dict[str, Any]]:
    """The client's decisions in the county's register, newest first: number, kind, date, who decided, whether
    the client has been served and the client's last day for a request for rectification."""
    request.state.accessed_clients = [str(client_id)]
    return await views.decisions(_app(request), ListDecisions(client_id=client_id, limit=limit, offset=offset),
                                 principal)


@router.get("/clients/{client_id}/decisions/{decision_id}")
async def get_decision(client_id: UUID, decision_id: UUID, principal: CurrentPrincipal, request: Request,
                       response: Response) -> dict[str, Any]:
    """One decision: who decided, the instructions for seeking its rectification in the reader's language, how
    it was served to each recipient and the last day of each one's time limit."""
    app = _app(request)
    request.state.accessed_clients = [str(client_id)]
    language = await reader_language(app.deps.people, principal.user_id, request.headers.get("accept-language"))
    version, view = await views.decision(
        app, ReadDecision(client_id=client_id, decision_id=decision_id, language=language), principal)
    response.headers["Content-Language"] = language
    response.headers["ETag"] = etag(version)
    return view


@router.post("/clients/{client_id}/decisions/{decision_id}/dispatches", response_model=CommandAccepted)
async def dispatch_decision(client_id: UUID, decision_id: UUID, body: DispatchBody, principal: CurrentPrincipal,
                            request: Request, response: Response, if_match: IfMatch = None) -> CommandAccepted:
    """Record that the decision was sent (a worker's "posted on"; later the notifications service): the time
    limit for a request for rectification it starts is computed from the county's rules of the day of sending."""
    command = c.DispatchDecision(client_id=client_id, decision_id=decision_id, **body.model_dump(),
                                 expected_version=parse_if_match(if_match))
    done = await _app(request).handle(command, principal, command_context(request, principal))
    return accepted(client_id, done, response)


@router.post("/clients/{client_id}/decisions/{decision_id}/receipts", response_model=CommandAccepted)
async def record_receipt(client_id: UUID, decision_id: UUID, body: ReceiptBody, principal: CurrentPrincipal,
                         request: Request, response: Response, if_match: IfMatch = None) -> CommandAccepted:
    """Record the day a recipient actually received the decision (or retrieved a proven electronic service): a
    day later than the presumption moves the time limit."""
    command = c.RecordReceipt(client_id=client_id, decision_id=decision_id, **body.model_dump(),
                              expected_version=parse_if_match(if_match))
    done = await _app(request).handle(command, principal, command_context(request, principal))
    return accepted(client_id, done, response)
