"""Support persons in the plan, their agreements and claims, and payroll's exports. Each route builds a command
(or a query), hands it to the application, and shapes the answer; rules and roles live behind it."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response

from services.marketplace.application import commands as c
from services.marketplace.application import support_views as views
from services.marketplace.application.queries import (
    ExportPayee,
    ListAgreements,
    ListSupport,
    PayrollPeriod,
    ReadAgreement,
    ReadSupportPerson,
)
from services.marketplace.entrypoints import support_schemas as schemas
from services.marketplace.entrypoints.http import IfMatch, _app, _handle, _reply, _seen
from services.marketplace.entrypoints.schemas import ApprovalBody, RefusalBody
from shared.infra.auth import CurrentPrincipal
from shared.infra.http import etag, offset_of, paginated, parse_if_match

router = APIRouter(tags=["support persons"])
PAYROLL = "payroll"  # the recipient the access log names when payroll's files leave


@router.post("/support-persons", status_code=201)
async def record_support_person(body: schemas.SupportPersonBody, principal: CurrentPrincipal, request: Request,
                                response: Response) -> dict[str, Any]:
    """A person in the client's network (relative, friend, peer supporter, volunteer) with their own consent; their
    name and contact sealed with keys of their own, not the client's."""
    command = c.RecordSupportPerson(**body.model_dump())
    return _reply(await _handle(command, principal, request), response, person_id=command.person_id)


@router.get("/support-persons/{person_id}")
async def get_support_person(person_id: UUID, principal: CurrentPrincipal, request: Request,
                             response: Response) -> dict[str, Any]:
    version, view = await views.person(_app(request), ReadSupportPerson(person_id=person_id), principal,
                                       _seen(request))
    response.headers["ETag"] = etag(version)
    return view


@router.post("/support-persons/{person_id}/corrections")
async def correct_support_person(person_id: UUID, body: schemas.CorrectionBody, principal: CurrentPrincipal,
                                 request: Request, response: Response, if_match: IfMatch = None) -> dict[str, Any]:
    """The person's correction (art. 16): a new entry, the old one stays readable."""
    command = c.CorrectSupportPerson(person_id=person_id, **body.model_dump(), expected_version=parse_if_match(if_match))
    return _reply(await _handle(command, principal, request), response, person_id=person_id)


@router.put("/support-persons/{person_id}/payment-details")
async def record_payment_details(person_id: UUID, body: schemas.PaymentDetailsBody, principal: CurrentPrincipal,
                                 request: Request, response: Response) -> dict[str, Any]:
    """A paid person's hetu and IBAN, sealed with their own key: payroll needs them to pay and report the fee."""
    command = c.RecordPaymentDetails(person_id=person_id, **body.model_dump())
    return _reply(await _handle(command, principal, request), response, person_id=person_id)


@router.post("/support-persons/{person_id}/consent-withdrawal")
async def withdraw_consent(person_id: UUID, principal: CurrentPrincipal, request: Request,
                           response: Response) -> dict[str, Any]:
    """Hidden from the plan; their contact forgotten; what payment law requires is kept (ADR 0028)."""
    command = c.WithdrawSupportConsent(person_id=person_id)
    return _reply(await _handle(command, principal, request), response, person_id=person_id)


@router.post("/support-persons/{person_id}/payroll-registration")
async def export_payee(person_id: UUID, principal: CurrentPrincipal, request: Request) -> dict[str, Any]:
    """Payroll's copy of the payee's identity (hetu, name, IBAN), encrypted to payroll's public key; the access log
    names payroll as its recipient."""
    request.state.disclosed_to = PAYROLL
    return await views.payee_registration(_app(request), ExportPayee(person_id=person_id), principal, _seen(request))


@router.get("/clients/{client_id}/support")
async def plan_support(client_id: UUID, principal: CurrentPrincipal, request: Request) -> dict[str, Any]:
    """The support persons in the client's plan and their agreements."""
    return await views.plan_support(_app(request), ListSupport(client_id=client_id), principal, _seen(request))


@router.post("/agreements", status_code=202)
async def make_agreement(body: schemas.AgreementBody, principal: CurrentPrincipal, request: Request,
                         response: Response) -> dict[str, Any]:
    """A commissioning agreement: the fee per month or per hour and the expenses cap for a period (202: budgeting
    reserves what it can cost; above the worker's delegation a manager approves it)."""
    command = c.MakeAgreement(**body.model_dump())
    done = await _handle(command, principal, request)
    return _reply(done, response, agreement_id=command.agreement_id) | {"status": done.state.status}


@router.get("/agreements")
async def list_agreements(principal: CurrentPrincipal, request: Request, response: Response,
                          client_id: UUID | None = None, limit: Annotated[int, Query(ge=1, le=500)] = 100,
                          cursor: Annotated[str | None, Query(max_length=200,
                                                             description="The next page (X-Next-Cursor)")] = None,
                          ) -> list[dict[str, Any]]:
    """A client's agreements, newest first (a client their own; their coordinating worker, managers and auditors a
    named client's). The total and the next page's cursor come in the X-Total-Count and X-Next-Cursor headers."""
    start = offset_of(cursor)
    rows, total = await views.agreements(_app(request), ListAgreements(client_id=client_id, limit=limit, offset=start),
                                         principal, _seen(request))
    return paginated(response, rows, offset=start, limit=limit, total=total)


@router.get("/agreements/{agreement_id}")
async def get_agreement(agreement_id: UUID, principal: CurrentPrincipal, request: Request,
                        response: Response) -> dict[str, Any]:
    version, view = await views.agreement(_app(request), ReadAgreement(agreement_id=agreement_id), principal,
                                          _seen(request))
    response.headers["ETag"] = etag(version)
    return view


async def _step(command: c.AgreementCommand, principal: Any, request: Request, response: Response) -> dict[str, Any]:
    done = await _handle(command, principal, request)
    return _reply(done, response, agreement_id=command.agreement_id) | {"status": done.state.status}


@router.post("/agreements/{agreement_id}/approval")
async def approve_agreement(agreement_id: UUID, body: ApprovalBody, principal: CurrentPrincipal, request: Request,
                            response: Response, if_match: IfMatch = None) -> dict[str, Any]:
    command = c.ApproveAgreement(agreement_id=agreement_id, reason=body.reason,
                                 expected_version=parse_if_match(if_match))
    return await _step(command, principal, request, response)


@router.post("/agreements/{agreement_id}/approval/refusal")
async def refuse_agreement(agreement_id: UUID, body: RefusalBody, principal: CurrentPrincipal, request: Request,
                           response: Response, if_match: IfMatch = None) -> dict[str, Any]:
    command = c.RefuseAgreement(agreement_id=agreement_id, reason=body.reason,
                                expected_version=parse_if_match(if_match))
    return await _step(command, principal, request, response)


@router.post("/agreements/{agreement_id}/end")
async def end_agreement(agreement_id: UUID, principal: CurrentPrincipal, request: Request,
                        response: Response) -> dict[str, Any]:
    """The worker ends it: budgeting releases what its claims did not spend."""
    return await _step(c.EndAgreement(agreement_id=agreement_id), principal, request, response)


@router.post("/agreements/{agreement_id}/claims", status_code=201)
async def file_claim(agreement_id: UUID, body: schemas.ClaimBody, principal: CurrentPrincipal, request: Request,
                     response: Response) -> dict[str, Any]:
    """A month's hours (or fee), or expenses with the receipt's reference. Beyond the agreement: 409 with the reason,
    nothing written."""
    command = c.FileClaim(agreement_id=agreement_id, **body.model_dump())
    return await _step(command, principal, request, response) | {"claim_id": str(command.claim_id)}


@router.post("/agreements/{agreement_id}/claims/{claim_id}/approval")
async def approve_claim(agreement_id: UUID, claim_id: UUID, principal: CurrentPrincipal, request: Request,
                        response: Response) -> dict[str, Any]:
    """The coordinating worker approves the claim: budgeting records the spending, then payroll pays it."""
    return await _step(c.ApproveClaim(agreement_id=agreement_id, claim_id=claim_id), principal, request, response)


@router.get("/payroll/periods/{period}")
async def payroll_period(period: str, principal: CurrentPrincipal, request: Request) -> Response:
    """The period's payroll lines as CSV (layout: domain/payroll.py, ADR 0028): exactly the claims scheduled for
    payment in the month, each once."""
    request.state.disclosed_to = PAYROLL
    text = await views.period_export(_app(request), PayrollPeriod(period=period), principal, _seen(request))
    return Response(text, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="payroll-{period}.csv"'})
