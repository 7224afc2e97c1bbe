"""Intake's HTTP API for representatives: registering a person who represents clients, linking them to a client
(with a kind, scope, dates and basis), confirming and ending links, a minor's prohibition on giving their data to
a guardian, and a representative's own record with the clients they act for. Rules and roles live behind it."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Header, Request, Response

from services.intake.application import commands as c
from services.intake.application import views
from services.intake.application.handlers import Ports, Registration
from services.intake.application.queries import ReadRepresentative
from services.intake.entrypoints import schemas
from shared.infra.auth import CurrentPrincipal
from shared.infra.http import CommandAccepted, accepted, command_context, etag, parse_if_match
from shared.infra.pipeline import Application
from shared.kernel.errors import NotFound
from shared.kernel.principal import Principal

router = APIRouter(tags=["representation"])
IfMatch = Annotated[str | None, Header(description='Stream version last seen, e.g. "3"; stale → 409')]


def _app(request: Request) -> Application[Ports]:
    return request.app.state.application  # type: ignore[no-any-return]


async def _handle(command: c.CaseCommand, principal: Principal, request: Request,
                  response: Response) -> CommandAccepted:
    done = await _app(request).handle(command, principal, command_context(request, principal))
    return accepted(command.client_id, done, response)


@router.post("/representatives", status_code=201, response_model=schemas.RepresentativeRegistered,
             responses={200: {"description": "This person was registered before: the existing record"}})
async def register_representative(body: schemas.RegisterRepresentativeBody, principal: CurrentPrincipal,
                                  request: Request, response: Response) -> schemas.RepresentativeRegistered:
    """Register a person who represents clients (a worker). The same hetu twice yields the existing person."""
    command = c.RegisterRepresentative(**body.model_dump(mode="json"))
    done: Registration = await _app(request).handle(command, principal, command_context(request, principal))
    if not done.created:
        response.status_code = 200
        request.state.accessed_clients = [done.client_id]  # finding an existing person is a read of their data
    response.headers["ETag"] = etag(done.version)
    return schemas.RepresentativeRegistered(person_id=done.client_id, created=done.created, version=done.version)


@router.get("/representatives/me")
async def my_record(principal: CurrentPrincipal, request: Request, response: Response) -> dict[str, Any]:
    """A representative's own record and the clients they act for today."""
    if principal.role != "representative":
        raise NotFound("only a representative has a record of their own here")
    return await _read(UUID(principal.user_id), principal, request, response)


@router.get("/representatives/{person_id}")
async def representative(person_id: UUID, principal: CurrentPrincipal, request: Request,
                         response: Response) -> dict[str, Any]:
    """A representative's record, for workers and for the person themself."""
    return await _read(person_id, principal, request, response)


async def _read(person_id: UUID, principal: Principal, request: Request, response: Response) -> dict[str, Any]:
    request.state.accessed_clients = [person_id]  # the person's own data: every read logged, like a client's
    version, view = await views.representative(_app(request), ReadRepresentative(person_id=person_id), principal)
    response.headers["ETag"] = etag(version)
    return view


@router.post("/clients/{client_id}/representatives", response_model=CommandAccepted)
async def link(client_id: UUID, body: schemas.LinkBody, principal: CurrentPrincipal, request: Request,
               response: Response, if_match: IfMatch = None) -> CommandAccepted:
    """A person represents the client: a guardian of a minor, a court-appointed representative within the scope
    the court set, a continuing power of attorney (acts once confirmed) or an authorised person; with the basis."""
    command = c.LinkRepresentative(client_id=client_id, **body.model_dump(), expected_version=parse_if_match(if_match))
    return await _handle(command, principal, request, response)


@router.post("/clients/{client_id}/representatives/{link_id}/confirmation", response_model=CommandAccepted)
async def confirm(client_id: UUID, link_id: UUID, body: schemas.ConfirmBody, principal: CurrentPrincipal,
                  request: Request, response: Response, if_match: IfMatch = None) -> CommandAccepted:
    """A continuing power of attorney was confirmed: from now on it acts."""
    command = c.ConfirmRepresentation(client_id=client_id, link_id=link_id, confirmed_on=body.confirmed_on,
                                      expected_version=parse_if_match(if_match))
    return await _handle(command, principal, request, response)


@router.post("/clients/{client_id}/representatives/{link_id}/end", response_model=CommandAccepted)
async def end(client_id: UUID, link_id: UUID, body: schemas.EndLinkBody, principal: CurrentPrincipal,
              request: Request, response: Response, if_match: IfMatch = None) -> CommandAccepted:
    """The link ends (custody ended, a court's decision, revoked)."""
    command = c.EndRepresentation(client_id=client_id, link_id=link_id, reason=body.reason, ended_on=body.ended_on,
                                  expected_version=parse_if_match(if_match))
    return await _handle(command, principal, request, response)


@router.post("/clients/{client_id}/data-prohibitions", response_model=CommandAccepted)
async def prohibit(client_id: UUID, body: schemas.ProhibitionBody, principal: CurrentPrincipal, request: Request,
                   response: Response, if_match: IfMatch = None) -> CommandAccepted:
    """A minor able to judge it forbids giving their data to their guardian(s) (Act 812/2000, 11 §): from now on
    those guardians read nothing of theirs, in any service."""
    command = c.RecordDataProhibition(client_id=client_id, guardian_ids=body.guardian_ids,
                                      expected_version=parse_if_match(if_match))
    return await _handle(command, principal, request, response)


@router.delete("/clients/{client_id}/data-prohibitions/{prohibition_id}", response_model=CommandAccepted)
async def lift(client_id: UUID, prohibition_id: UUID, principal: CurrentPrincipal, request: Request,
               response: Response, if_match: IfMatch = None) -> CommandAccepted:
    command = c.LiftDataProhibition(client_id=client_id, prohibition_id=prohibition_id,
                                    expected_version=parse_if_match(if_match))
    return await _handle(command, principal, request, response)
