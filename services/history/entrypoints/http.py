"""The case history's HTTP API: a client's case as of any instant, the access log, retention, erasure."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated, Any, get_args
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from contracts.access import Purpose
from contracts.history import CorrectionReason, ErasureGround, HoldKind, Reference, RestrictionGround
from services.history.adapters.copy_pdf import render_pdf
from services.history.application import commands as c
from services.history.application import views
from services.history.application.copy import content_hash
from services.history.application.handlers import refusal_of
from services.history.application.ports import Ports
from services.history.application.queries import ListRetentionDue, ReadAccessLog, ReadCase
from shared.i18n import catalogue
from shared.infra.access import PURPOSE_HEADER, purpose_of
from shared.infra.aggregate import Executed
from shared.infra.auth import CurrentPrincipal
from shared.infra.http import command_context, offset_of, paginated
from shared.infra.people import reader_language
from shared.infra.pipeline import Application
from shared.kernel.commands import Command
from shared.kernel.principal import Principal

router = APIRouter(prefix="/history", tags=["history"])


def _app(request: Request) -> Application[Ports]:
    return request.app.state.application  # type: ignore[no-any-return]


async def _handle(request: Request, command: Command, principal: Principal) -> Executed[Any]:
    done: Executed[Any] = await _app(request).handle(command, principal, command_context(request, principal))
    return done


@router.get("/clients/{client_id}")
async def case_as_of(client_id: UUID, principal: CurrentPrincipal, request: Request,
                     as_of: Annotated[AwareDatetime | None, Query(description="An instant with time zone")] = None,
                     reveal: bool = False) -> dict[str, Any]:
    """The case as of ``as_of`` (or now): the timeline (who, when, why, event ids, and in words where an event
    carries them, in the reader's language), the state derived from it, and the hash chains checked. ``reveal``
    opens the client's own words with their key."""
    instant: datetime | None = as_of
    purpose = purpose_of(principal, request.headers.get(PURPOSE_HEADER))
    language = catalogue().negotiate(None, request.headers.get("accept-language"))
    query = ReadCase(client_id=client_id, as_of=instant, reveal=reveal, purpose=purpose, language=language)
    return await views.case(_app(request), query, principal)


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
    app = _app(request)
    language = await reader_language(app.deps.people, principal.user_id, request.headers.get("accept-language"))
    query = ReadAccessLog(client_id=client_id, user_id=user_id, limit=limit, offset=start, language=language)
    entries, total = await views.access(app, query, principal)
    response.headers["Content-Language"] = language
    paginated(response, entries, offset=start, limit=limit, total=total)
    request.state.accessed_clients = sorted({e["client_id"] for e in entries} | ({str(client_id)} if client_id else set()))
    return entries


@router.get("/retention/due")
async def retention_due(principal: CurrentPrincipal, request: Request) -> list[dict[str, Any]]:
    """Closed cases past their retention period (by service task and closing date), not yet erased."""
    due = await views.retention_due(_app(request), ListRetentionDue(), principal)
    request.state.accessed_clients = [c["client_id"] for c in due]  # ids with their service task: a read
    return due


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErasureRequestBody(Body):
    ground: str | None = Field(None, max_length=64, pattern=r"^[a-z_]+$", description="The legal ground, coded: "
                               + ", ".join(get_args(ErasureGround)) + ". Without one (or with another) the "
                               "request is refused, and the refusal recorded")
    reference: str = Reference


class HoldBody(Body):
    kind: HoldKind
    reference: str = Reference


class ArchivingBody(Body):
    reference: str = Reference


class RestrictionBody(Body):
    ground: RestrictionGround = Field(description="GDPR art. 18(1): (a) accuracy_contested, (b) "
                                      "unlawful_erasure_opposed, (c) needed_for_legal_claims, (d) objection_pending")
    purpose: Purpose = Field(description="The one purpose for which the case may be read while restricted")
    reference: str = Reference


class CorrectionBody(Body):
    entry_event_id: UUID = Field(description="The event id of the entry being corrected")
    reason: CorrectionReason
    correction: str = Field(min_length=1, max_length=4000, description="The accurate content (sealed)")
    explanation: str | None = Field(None, max_length=4000, description="Why, in words (sealed)")


def _recorded(client_id: UUID, done: Executed[Any], **ids: Any) -> dict[str, Any]:
    return {"client_id": str(client_id), **{k: str(v) for k, v in ids.items()}, "version": done.version,
            "events": [{"id": str(e.id), "type": e.type} for e in done.new_events]}


@router.post("/clients/{client_id}/erasure-requests", status_code=201, tags=["rights"])
async def request_erasure(client_id: UUID, body: ErasureRequestBody, principal: CurrentPrincipal,
                          request: Request) -> dict[str, Any]:
    """Ask to erase the client's data (GDPR art. 17) on a coded legal ground. Refused (409, code erasure-refused,
    with ``reasons``, the refusal recorded) while the law requires the records; otherwise a second manager approves."""
    done = await _handle(request, c.RequestErasure(client_id=client_id, ground=body.ground,
                                                   reference=body.reference), principal)
    refusal_of(done)
    return _recorded(client_id, done, request_id=done.new_events[0].data["request_id"])


@router.post("/clients/{client_id}/erasure-requests/{request_id}/approval", tags=["rights"])
async def approve_erasure(client_id: UUID, request_id: UUID, principal: CurrentPrincipal,
                          request: Request) -> dict[str, Any]:
    """A second manager approves: the rules are checked again and the client's key is destroyed (crypto-shredding),
    so no API, replay or export shows their personal data again; amounts, decisions and timings still verify."""
    done = await _handle(request, c.ApproveErasure(client_id=client_id, request_id=request_id), principal)
    refusal_of(done)
    return _recorded(client_id, done, request_id=request_id) | {"erased": True}


@router.post("/clients/{client_id}/erasure-requests/{request_id}/withdrawal", tags=["rights"])
async def withdraw_erasure(client_id: UUID, request_id: UUID, principal: CurrentPrincipal,
                           request: Request) -> dict[str, Any]:
    """The request is withdrawn, or turned down by the second manager."""
    command = c.WithdrawErasure(client_id=client_id, request_id=request_id)
    return _recorded(client_id, await _handle(request, command, principal), request_id=request_id)


@router.post("/clients/{client_id}/legal-holds", status_code=201, tags=["rights"])
async def place_hold(client_id: UUID, body: HoldBody, principal: CurrentPrincipal, request: Request) -> dict[str, Any]:
    """A legal hold (an appeal in court, a complaint, a claim) or a pending request: no erasure while it lasts."""
    command = c.PlaceHold(client_id=client_id, kind=body.kind, reference=body.reference)
    return _recorded(client_id, await _handle(request, command, principal), hold_id=command.hold_id)


@router.post("/clients/{client_id}/legal-holds/{hold_id}/lifting", tags=["rights"])
async def lift_hold(client_id: UUID, hold_id: UUID, principal: CurrentPrincipal, request: Request) -> dict[str, Any]:
    command = c.LiftHold(client_id=client_id, hold_id=hold_id)
    return _recorded(client_id, await _handle(request, command, principal), hold_id=hold_id)


@router.post("/clients/{client_id}/permanent-archiving", tags=["rights"])
async def designate_for_archiving(client_id: UUID, body: ArchivingBody, principal: CurrentPrincipal,
                                  request: Request) -> dict[str, Any]:
    """The case holds documents designated for permanent archiving: they are never destroyed."""
    command = c.DesignateForArchiving(client_id=client_id, reference=body.reference)
    return _recorded(client_id, await _handle(request, command, principal))


@router.post("/clients/{client_id}/restriction", tags=["rights"])
async def restrict(client_id: UUID, body: RestrictionBody, principal: CurrentPrincipal,
                   request: Request) -> dict[str, Any]:
    """Restrict processing (GDPR art. 18(1)(a)-(d)): the case is read only for the recorded purpose, each read
    logged; other reads get 403 (code processing-restricted)."""
    command = c.RestrictProcessing(client_id=client_id, ground=body.ground, purpose=body.purpose,
                                   reference=body.reference)
    return _recorded(client_id, await _handle(request, command, principal))


@router.post("/clients/{client_id}/restriction/lifting", tags=["rights"])
async def lift_restriction(client_id: UUID, principal: CurrentPrincipal, request: Request) -> dict[str, Any]:
    return _recorded(client_id, await _handle(request, c.LiftRestriction(client_id=client_id), principal))


@router.post("/clients/{client_id}/corrections", status_code=201, tags=["rights"])
async def correct(client_id: UUID, body: CorrectionBody, principal: CurrentPrincipal, request: Request) -> dict[str, Any]:
    """Correct an entry (GDPR art. 16): a new entry with the accurate content; the old one stays readable, marked
    with who corrected it, when and why."""
    command = c.CorrectEntry(client_id=client_id, entry_event_id=body.entry_event_id, reason=body.reason,
                             correction=body.correction, explanation=body.explanation)
    return _recorded(client_id, await _handle(request, command, principal))


class CopyRequestBody(Body):
    language: str | None = Field(None, pattern=r"^[a-z]{2,3}$", description="The copy's language: the client's own "
                                 "(fi or sv) unless another is asked for (en)")


@router.post("/clients/{client_id}/copy-requests", status_code=201, tags=["rights"])
async def request_copy(client_id: UUID, principal: CurrentPrincipal, request: Request,
                       body: CopyRequestBody | None = None) -> dict[str, Any]:
    """The client, or their representative for them, asks for a copy of their data (GDPR art. 15): recorded with
    its due day, one month later (art. 12(3)); the copy tells the case as of now."""
    request.state.accessed_clients = [client_id]  # asking for the data is a read of it: logged, refused or not
    command = c.RequestCopy(client_id=client_id, language=body.language if body else None)
    done = await _handle(request, command, principal)
    data = done.new_events[0].data
    return _recorded(client_id, done, request_id=command.request_id) | {
        "due_on": data["due_on"], "language": data["language"], "status": "pending"}


@router.get("/clients/{client_id}/copy-requests", tags=["rights"])
async def copy_requests(client_id: UUID, principal: CurrentPrincipal, request: Request) -> list[dict[str, Any]]:
    """The client's requests for a copy: pending or delivered, with their due day (for the case's readers, the
    client and their representative)."""
    return await views.copy_requests(_app(request), client_id, principal)


@router.get("/clients/{client_id}/copy-requests/{request_id}", tags=["rights"])
async def copy_request(client_id: UUID, request_id: UUID, principal: CurrentPrincipal,
                       request: Request) -> dict[str, Any]:
    return await views.copy_request(_app(request), client_id, request_id, principal)


async def _delivered(request: Request, client_id: UUID, request_id: UUID, principal: Principal) -> Any:
    copy = await views.client_copy(_app(request), client_id, request_id, principal)
    command = c.DeliverCopy(client_id=client_id, request_id=request_id, content_hash=content_hash(copy),
                            sources=copy.sources)
    await _handle(request, command, principal)  # the first download is the delivery; later ones are reads
    return copy


@router.get("/clients/{client_id}/copy-requests/{request_id}/copy", tags=["rights"])
async def client_copy(client_id: UUID, request_id: UUID, principal: CurrentPrincipal, request: Request,
                      response: Response) -> dict[str, Any]:
    """The copy as JSON (contracts/documents/ClientCopy.v1.json), each part naming its source event's id and hash;
    for the client or their representative. Its first download records the delivery."""
    copy = await _delivered(request, client_id, request_id, principal)
    response.headers["Content-Language"] = copy.language
    return copy.model_dump(mode="json")  # type: ignore[no-any-return]


@router.get("/clients/{client_id}/copy-requests/{request_id}/copy.pdf", tags=["rights"],
            response_class=Response, responses={200: {"content": {"application/pdf": {}}}})
async def client_copy_pdf(client_id: UUID, request_id: UUID, principal: CurrentPrincipal,
                          request: Request) -> Response:
    """The copy as PDF/A-3a (also PDF/UA-1) in its language."""
    copy = await _delivered(request, client_id, request_id, principal)
    pdf = await asyncio.to_thread(render_pdf, copy, catalogue().translator("history", copy.language))
    return Response(pdf, media_type="application/pdf", headers={
        "Content-Language": copy.language, "Content-Disposition": f'attachment; filename="copy-{request_id}.pdf"'})
