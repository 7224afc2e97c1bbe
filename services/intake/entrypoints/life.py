"""Intake's HTTP API for the changes in a client's life: a move within the county, contact details and language,
a move to another county (a decision) and the hand-over of the case. Each route builds a command, hands it to the
application and shapes the answer; rules and roles live behind it."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Header, Request, Response

from services.intake.application import commands as c
from services.intake.application import views
from services.intake.application.handlers import Ports
from services.intake.application.queries import ExportCase
from services.intake.entrypoints import schemas
from shared.infra.auth import CurrentPrincipal
from shared.infra.http import CommandAccepted, accepted, command_context, parse_if_match
from shared.infra.pipeline import Application
from shared.kernel.principal import Principal

router = APIRouter(prefix="/clients", tags=["life changes"])
IfMatch = Annotated[str | None, Header(description='Stream version last seen, e.g. "3"; stale → 409')]


def _app(request: Request) -> Application[Ports]:
    return request.app.state.application  # type: ignore[no-any-return]


async def _handle(command: c.CaseCommand, principal: Principal, request: Request,
                  response: Response) -> CommandAccepted:
    done = await _app(request).handle(command, principal, command_context(request, principal))
    return accepted(command.client_id, done, response)


@router.put("/{client_id}/municipality", response_model=CommandAccepted)
async def change_municipality(client_id: UUID, body: schemas.MunicipalityBody, principal: CurrentPrincipal,
                              request: Request, response: Response, if_match: IfMatch = None) -> CommandAccepted:
    """A move within the county: the home municipality from ``effective_from`` on (the coordinating worker)."""
    command = c.ChangeMunicipality(client_id=client_id, municipality=body.municipality,
                                   effective_from=body.effective_from, expected_version=parse_if_match(if_match))
    return await _handle(command, principal, request, response)


@router.post("/{client_id}/contact-details", response_model=CommandAccepted)
async def change_contact(client_id: UUID, body: schemas.ContactDetailsBody, principal: CurrentPrincipal,
                         request: Request, response: Response, if_match: IfMatch = None) -> CommandAccepted:
    """New address, phone or e-mail, by the client themself or the worker; sealed, with who and when."""
    command = c.ChangeContactDetails(client_id=client_id, address=body.address, phone=body.phone,
                                     email=str(body.email) if body.email else None,
                                     expected_version=parse_if_match(if_match))
    return await _handle(command, principal, request, response)


@router.put("/{client_id}/preferred-language", response_model=CommandAccepted)
async def change_language(client_id: UUID, body: schemas.PreferredLanguageBody, principal: CurrentPrincipal,
                          request: Request, response: Response, if_match: IfMatch = None) -> CommandAccepted:
    """The language the client is served in (pages, letters, messages): the client's own choice, or recorded by
    their coordinating worker. Choosing the language in force again records nothing."""
    command = c.ChangePreferredLanguage(client_id=client_id, preferred_language=body.preferred_language,
                                        expected_version=parse_if_match(if_match))
    return await _handle(command, principal, request, response)


@router.post("/{client_id}/move-out-of-county", response_model=CommandAccepted)
async def move_out(client_id: UUID, body: schemas.MoveOutBody, principal: CurrentPrincipal, request: Request,
                   response: Response, if_match: IfMatch = None) -> CommandAccepted:
    """The client moved to another county: a decision ending this county's responsibility on that day (with its
    reasoning, legal basis and rectification instructions). The HB case closes, and the budget with it."""
    command = c.RecordMoveOutOfCounty(client_id=client_id, **body.model_dump(),
                                      expected_version=parse_if_match(if_match))
    return await _handle(command, principal, request, response)


@router.post("/{client_id}/hand-over")
async def hand_over(client_id: UUID, body: schemas.HandOverBody, principal: CurrentPrincipal, request: Request,
                    response: Response, if_match: IfMatch = None) -> dict[str, Any]:
    """The case as an export for the county now responsible: a disclosure, in the access log with the recipient."""
    app = _app(request)
    # The export carries the client's data: a read, logged (also when refused) as a disclosure to the recipient.
    request.state.access_purpose, request.state.disclosed_to = "disclosure", body.to_county
    request.state.accessed_clients = [client_id]
    command = c.HandOverCase(client_id=client_id, to_county=body.to_county, expected_version=parse_if_match(if_match))
    done = await app.handle(command, principal, command_context(request, principal))
    recorded = accepted(client_id, done, response)
    [handed] = [e for e in done.new_events if e.type.endswith("CaseHandedOver")]
    return {"export_id": handed.data["export_id"], "to_county": body.to_county, "version": recorded.version,
            "case": await views.export(app, ExportCase(client_id=client_id), principal)}
