"""The decisions service's HTTP API. Each route builds a query (or command), hands it to the application and shapes
the answer; rules and roles live behind it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from contracts.decisions import DispatchMethod, RectificationOutcome
from services.decisions.application import commands as c
from services.decisions.application import letters, views
from services.decisions.application.handlers import DECISION
from services.decisions.application.ports import Ports
from services.decisions.application.queries import (
    ListApprovals,
    ListDecisions,
    ReadDecision,
    ReadLetters,
    ReadRecipients,
)
from shared.i18n import catalogue
from shared.infra.auth import CurrentPrincipal
from shared.infra.http import CommandAccepted, Offset, accepted, command_context, etag, parse_if_match
from shared.infra.people import reader_language
from shared.infra.pipeline import Application
from shared.kernel.calendar import county_day
from shared.kernel.errors import NotFound

router = APIRouter(tags=["decisions"])
IfMatch = Annotated[str | None, Header(description='Stream version last seen, e.g. "3"; stale → 409')]
REFERENCE = r"^(client|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$"
Recipient = Field(c.CLIENT, pattern=REFERENCE, description=(
    "Who, by reference: 'client', or the person id of a representative entitled to be served (GET .../recipients "
    "lists them). Never a name"))


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


class RectificationBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=20_000, description="The request in the requester's own words")
    received_on: date = Field(description="The day the county received it (a late one is recorded and marked)")
    party: str = Field(c.CLIENT, min_length=1, max_length=200,
                       description="Whose request: 'client' or a representative's id (whose time limit applies)")


class PreparationBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    proposal: RectificationOutcome
    memo: str = Field(min_length=1, max_length=20_000, description="The preparer's memorandum for the body")


class RectificationDecisionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: RectificationOutcome
    body: str = Field(min_length=1, max_length=100, description="The deciding body's code, as the decision's "
                      "instructions name it (e.g. individual_matters_section)")
    meeting_date: date
    minutes_section: str = Field(min_length=1, max_length=40, description="The section of the minutes, e.g. 12 §")
    reasoning: str = Field(min_length=1, max_length=20_000)
    amended_amount_cents: int | None = Field(None, ge=0, le=100_000_000, description="Amended budget: new amount")
    amended_breakdown: dict[str, Annotated[int, Field(ge=0, le=100_000_000)]] = Field(
        default_factory=dict, max_length=50, description="Amended budget: the new breakdown by category")


class RectificationFiled(CommandAccepted):
    request_id: UUID


def _app(request: Request) -> Application[Ports]:
    return request.app.state.application  # type: ignore[no-any-return]


@router.get("/approvals")
async def list_approvals(principal: CurrentPrincipal, request: Request,
                         status: Literal["pending", "granted", "refused", "withdrawn"] | None = "pending",
                         kind: Annotated[str | None, Query(max_length=64)] = None,
                         limit: Annotated[int, Query(ge=1, le=500)] = 100, offset: Offset = 0) -> list[dict[str, Any]]:
    """The approvals queue of every service (a budget decision or revision, a purchase; later agreements) above
    its preparer's delegated authority: oldest first, with ``may_answer`` when the reader's own delegation covers
    it. Managers and auditors see all, a worker the requests they made. Answer on the matter itself (budgeting's
    ``/budgets/{client_id}/approval``, the marketplace's ``/purchases/{matter_id}/approval``)."""
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


@router.get("/clients/{client_id}/decisions/{decision_id}/recipients")
async def entitled_recipients(client_id: UUID, decision_id: UUID, principal: CurrentPrincipal,
                              request: Request) -> dict[str, Any]:
    """Who is entitled to be served the decision today: the client when 15 or older, each guardian or other
    representative whose link is in force (and whom the client has not forbidden their data), by reference, each
    with whether it has been served. A dispatch names one of these; anyone else is refused with the reason."""
    request.state.accessed_clients = [str(client_id)]
    return await views.recipients(_app(request), ReadRecipients(client_id=client_id, decision_id=decision_id),
                                  principal, county_day(datetime.now(UTC)))


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


@router.post("/clients/{client_id}/decisions/{decision_id}/rectification-requests", response_model=RectificationFiled)
async def file_rectification(client_id: UUID, decision_id: UUID, body: RectificationBody,
                             principal: CurrentPrincipal, request: Request, response: Response,
                             if_match: IfMatch = None) -> RectificationFiled:
    """A request for rectification of the decision (oikaisuvaatimus): the client's own, or recorded by a worker on
    the client's or a representative's behalf. One received after that party's time limit is recorded and marked
    late. Unanswered for the county's configured time, it becomes overdue (once)."""
    command = c.FileRectification(client_id=client_id, decision_id=decision_id, **body.model_dump(),
                                  expected_version=parse_if_match(if_match))
    done = await _app(request).handle(command, principal, command_context(request, principal))
    answer = accepted(client_id, done, response)
    return RectificationFiled(**answer.model_dump(), request_id=done.new_events[0].data["request_id"])


@router.post("/clients/{client_id}/decisions/{decision_id}/rectification-requests/{request_id}/preparation",
             response_model=CommandAccepted)
async def prepare_rectification(client_id: UUID, decision_id: UUID, request_id: UUID, body: PreparationBody,
                                principal: CurrentPrincipal, request: Request, response: Response,
                                if_match: IfMatch = None) -> CommandAccepted:
    """The request prepared for the deciding body by an official who took no part in the decision."""
    command = c.PrepareRectification(client_id=client_id, decision_id=decision_id, request_id=request_id,
                                     **body.model_dump(), expected_version=parse_if_match(if_match))
    done = await _app(request).handle(command, principal, command_context(request, principal))
    return accepted(client_id, done, response)


@router.post("/clients/{client_id}/decisions/{decision_id}/rectification-requests/{request_id}/decision",
             response_model=CommandAccepted)
async def decide_rectification(client_id: UUID, decision_id: UUID, request_id: UUID, body: RectificationDecisionBody,
                               principal: CurrentPrincipal, request: Request, response: Response,
                               if_match: IfMatch = None) -> CommandAccepted:
    """The deciding body's decision on the prepared request, recorded from its minutes: upheld, amended (with the
    new terms) or dismissed. The outcome is a decision of its own, with its number and instructions for appeal
    to the administrative court; it is registered and served like any other."""
    command = c.DecideRectification(client_id=client_id, decision_id=decision_id, request_id=request_id,
                                    **body.model_dump(), expected_version=parse_if_match(if_match))
    done = await _app(request).handle(command, principal, command_context(request, principal))
    return accepted(client_id, done, response)


Lang = Annotated[str | None, Query(pattern=r"^[a-z]{2,3}$", max_length=3, description="Another language of the catalogue "
                                   "for a courtesy translation (e.g. en); the letter as served otherwise")]


def _courtesy(letter: Any, lang: str | None) -> str | None:
    """The language of a courtesy translation asked for, if it is another language the catalogue has."""
    return lang if lang is not None and lang != letter.language and lang in catalogue().languages else None


def _letter(state: Any, letter_id: UUID) -> Any:
    found = state.letters.get(letter_id)
    if found is None:
        raise NotFound("no such letter")
    return found


async def _letters_state(request: Request, principal: Any, client_id: UUID, decision_id: UUID) -> Any:
    request.state.accessed_clients = [str(client_id)]  # every read of a letter is a read of the client's data
    loaded = await _app(request).read(DECISION, ReadLetters(client_id=client_id, decision_id=decision_id), principal)
    return loaded.state


@router.get("/clients/{client_id}/decisions/{decision_id}/letters")
async def list_letters(client_id: UUID, decision_id: UUID, principal: CurrentPrincipal,
                       request: Request) -> list[dict[str, Any]]:
    """The decision's letters as served, one for each recorded dispatch: language, template version, the
    catalogue version and the SHA-256 of the PDF and of its HTML twin, and the archive metadata."""
    state = await _letters_state(request, principal, client_id, decision_id)
    return [letters.summary(x) for x in state.letters.values()]


@router.get("/clients/{client_id}/decisions/{decision_id}/letters/{letter_id}/pdf",
            response_class=Response, responses={200: {"content": {"application/pdf": {}}}, 410: {}})
async def letter_pdf(client_id: UUID, decision_id: UUID, letter_id: UUID, principal: CurrentPrincipal,
                     request: Request, lang: Lang = None) -> Response:
    """The letter as served: PDF/A-3a that is also PDF/UA-1, its bytes checked against the recorded hash. With
    ``lang`` (e.g. en): a courtesy translation, written on request and not kept. 410 after the client's erasure."""
    state = await _letters_state(request, principal, client_id, decision_id)
    letter = _letter(state, letter_id)
    if (other := _courtesy(letter, lang)) is not None:
        translated = await letters.courtesy_translation(_app(request).keyring, state.registered.record, letter, other)
        return Response(translated.pdf, media_type="application/pdf", headers={
            "Content-Disposition": f'inline; filename="{letter.decision_number}-{other}.pdf"',
            "Content-Language": other})
    pdf = await letters.pdf_of(_app(request).keyring, letter)
    return Response(pdf, media_type="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{letter.decision_number}-{letter.language}.pdf"',
        "Content-Language": letter.language, "Digest": f"sha-256={letter.content_hash.removeprefix('sha256:')}"})


@router.get("/clients/{client_id}/decisions/{decision_id}/letters/{letter_id}/html",
            response_class=HTMLResponse, responses={410: {}})
async def letter_html(client_id: UUID, decision_id: UUID, letter_id: UUID, principal: CurrentPrincipal,
                      request: Request, lang: Lang = None) -> HTMLResponse:
    """The letter's accessible HTML twin, rendered again from its sealed facts with its own template version and
    texts and checked against the hash recorded when it was served. With ``lang``: a courtesy translation. 410
    after the client's erasure."""
    state = await _letters_state(request, principal, client_id, decision_id)
    letter = _letter(state, letter_id)
    if (other := _courtesy(letter, lang)) is not None:
        translated = await letters.courtesy_translation(_app(request).keyring, state.registered.record, letter, other)
        html, language = translated.html, other
    else:
        html, language = await letters.html_of(_app(request).keyring, letter), letter.language
    return HTMLResponse(html, headers={"Content-Language": language,
                                       # one self-contained document: its own styles, nothing fetched
                                       "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
                                       "frame-ancestors 'none'"})
