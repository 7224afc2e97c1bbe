"""The marketplace's HTTP API: providers (vendors) and their verification, offerings, search and price comparison,
orders and one-off purchases. Each route builds a command (or a query), hands it to the application, and shapes
the answer; rules and roles live behind it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Header, Query, Request, Response

from services.marketplace.application import commands as c
from services.marketplace.application import views
from services.marketplace.application.ports import Ports
from services.marketplace.application.queries import (
    ListOfferings,
    ListOrders,
    ListProviders,
    ListPurchases,
    ReadDeliveryDetails,
    ReadOffering,
    ReadOrder,
    ReadOwnProvider,
    ReadOwnRatings,
    ReadProvider,
    ReadPurchase,
    ReadVerification,
    SearchOfferings,
)
from services.marketplace.entrypoints import schemas
from shared.i18n import catalogue
from shared.infra.aggregate import Executed
from shared.infra.auth import CurrentPrincipal
from shared.infra.http import Offset, command_context, etag, parse_if_match
from shared.infra.pipeline import Application
from shared.kernel.commands import Command
from shared.kernel.principal import Principal

router = APIRouter(tags=["marketplace"])
IfMatch = Annotated[str | None, Header(description='Stream version last seen, e.g. "3"; stale → 409')]


def _app(request: Request) -> Application[Ports]:
    return request.app.state.application  # type: ignore[no-any-return]


async def _handle(command: Command, principal: Principal, request: Request) -> Executed[Any]:
    done: Executed[Any] = await _app(request).handle(command, principal, command_context(request, principal))
    return done


def _reply(done: Executed[Any], response: Response, **ids: Any) -> dict[str, Any]:
    response.headers["ETag"] = etag(done.version)
    return {**{k: str(v) for k, v in ids.items()}, "version": done.version,
            "events": [{"id": str(e.id), "type": e.type} for e in done.new_events]}


def _language(request: Request) -> str:
    """The reader's language for texts from the catalogue: Accept-Language, else Finnish."""
    return catalogue().negotiate(None, request.headers.get("accept-language"))


def _seen(request: Request) -> views.Seen:
    """Names the clients whose data a read asks for, for the access log (shared/infra/http.py)."""

    def note(client_ids: list[UUID]) -> None:
        request.state.accessed_clients = client_ids

    return note


# --- providers --------------------------------------------------------------------------------------------


@router.post("/providers", status_code=201, tags=["providers"])
async def register_provider(body: schemas.RegisterProviderBody, principal: CurrentPrincipal,
                            request: Request) -> dict[str, Any]:
    """A provider registers (Y-tunnus validated by its check digit; one provider per Y-tunnus)."""
    command = c.RegisterProvider(**body.model_dump(mode="json"))
    await _handle(command, principal, request)
    return {"provider_id": str(command.provider_id), "status": "unverified"}


@router.get("/providers", tags=["providers"])
async def list_providers(principal: CurrentPrincipal, request: Request,
                         status: Literal["unverified", "verified", "suspended"] | None = None,
                         limit: Annotated[int, Query(ge=1, le=500)] = 100,
                         offset: Offset = 0) -> list[dict[str, Any]]:
    """The county's staff: providers and vendors by name, by status (unverified: the verification queue)."""
    return await views.providers(_app(request), ListProviders(status=status, limit=limit, offset=offset), principal)


@router.get("/providers/own", tags=["providers"])
async def get_own_provider(principal: CurrentPrincipal, request: Request) -> dict[str, Any]:
    """The provider the signed-in provider user acts for (404, code no-own-provider, before they register one)."""
    return await views.own_provider(_app(request), ReadOwnProvider(), principal)


@router.get("/providers/own/ratings", tags=["providers"])
async def get_own_ratings(principal: CurrentPrincipal, request: Request) -> dict[str, Any]:
    """The signed-in provider user's own ratings: the average and count, overall and per service. Counts and
    averages only, never who rated, when, or what they wrote (404, code no-own-provider, before registering)."""
    return await views.own_ratings(_app(request), ReadOwnRatings(), principal)


@router.get("/providers/{provider_id}", tags=["providers"])
async def get_provider(provider_id: UUID, principal: CurrentPrincipal, request: Request) -> dict[str, Any]:
    return await views.provider(_app(request), ReadProvider(provider_id=provider_id), principal)


@router.post("/providers/{provider_id}/verification", tags=["providers"])
async def verify_provider(provider_id: UUID, body: schemas.VerificationBody, principal: CurrentPrincipal,
                          request: Request, response: Response) -> dict[str, Any]:
    """The region verifies the vendor against every criterion of its kind that applies (422 names what is missing,
    code criteria-not-met). The answer lists each criterion: met, missing or not applicable."""
    command = c.VerifyProvider(provider_id=provider_id, checklist=body.checklist, notes=body.notes,
                               on_county_premises=body.on_county_premises)
    done = await _handle(command, principal, request)
    answer = await views.verification(_app(request), ReadVerification(provider_id=provider_id), principal,
                                      _language(request))
    return _reply(done, response, provider_id=provider_id) | {"answer": answer}


@router.get("/providers/{provider_id}/verification", tags=["providers"])
async def get_verification(provider_id: UUID, principal: CurrentPrincipal, request: Request) -> dict[str, Any]:
    """What the vendor's kind asks of it, per criterion: met, missing or not applicable (with its condition), in the
    reader's language. For the vendor's own users and the county's staff."""
    return await views.verification(_app(request), ReadVerification(provider_id=provider_id), principal,
                                    _language(request))


@router.get("/vendor-kinds", tags=["providers"])
async def vendor_kinds(principal: CurrentPrincipal, request: Request) -> dict[str, Any]:
    """The region's kinds of vendor, each with its criteria and their conditions, and which kinds may deliver which
    support category: what a vendor needs before it registers."""
    return views.vendor_kinds(_app(request), _language(request))


@router.post("/providers/{provider_id}/suspension", tags=["providers"])
async def suspend_provider(provider_id: UUID, body: schemas.ReasonBody, principal: CurrentPrincipal,
                           request: Request, response: Response) -> dict[str, Any]:
    command = c.SuspendProvider(provider_id=provider_id, reason=body.reason)
    return _reply(await _handle(command, principal, request), response, provider_id=provider_id)


# --- offerings --------------------------------------------------------------------------------------------


@router.post("/providers/{provider_id}/offerings", status_code=201, tags=["offerings"])
async def publish_offering(provider_id: UUID, body: schemas.OfferingBody, principal: CurrentPrincipal,
                           request: Request, response: Response) -> dict[str, Any]:
    command = c.PublishOffering(provider_id=provider_id, **body.model_dump())
    return _reply(await _handle(command, principal, request), response, offering_id=command.offering_id)


@router.get("/providers/{provider_id}/offerings", tags=["offerings"])
async def list_provider_offerings(provider_id: UUID, principal: CurrentPrincipal, request: Request) -> list[dict[str, Any]]:
    """The provider's offerings with their price history, withdrawn ones too: for its own users and the county's
    staff (everyone else searches the live catalogue)."""
    return await views.offerings(_app(request), ListOfferings(provider_id=provider_id), principal)


@router.put("/offerings/{offering_id}/price", tags=["offerings"])
async def change_price(offering_id: UUID, body: schemas.PriceBody, principal: CurrentPrincipal, request: Request,
                       response: Response) -> dict[str, Any]:
    """A new price for new orders; orders already placed keep theirs."""
    command = c.ChangePrice(offering_id=offering_id, unit_price_cents=body.unit_price_cents)
    return _reply(await _handle(command, principal, request), response, offering_id=offering_id)


@router.post("/offerings/{offering_id}/withdrawal", tags=["offerings"])
async def withdraw_offering(offering_id: UUID, body: schemas.ReasonBody, principal: CurrentPrincipal,
                            request: Request, response: Response) -> dict[str, Any]:
    command = c.WithdrawOffering(offering_id=offering_id, reason=body.reason)
    return _reply(await _handle(command, principal, request), response, offering_id=offering_id)


@router.get("/offerings/{offering_id}", tags=["offerings"])
async def get_offering(offering_id: UUID, principal: CurrentPrincipal, request: Request) -> dict[str, Any]:
    return await views.offering(_app(request), ReadOffering(offering_id=offering_id), principal)


@router.get("/search", tags=["search"])
async def search(principal: CurrentPrincipal, request: Request, category: Annotated[str | None, Query(max_length=64)] = None,
                 municipality: Annotated[str | None, Query(max_length=64)] = None,
                 language: Annotated[str | None, Query(max_length=16)] = None, evening: bool | None = None,
                 weekend: bool | None = None, q: Annotated[str | None, Query(max_length=100)] = None,
                 sort: schemas.SortOrder = "fair", limit: Annotated[int, Query(ge=1, le=200)] = 50,
                 offset: Offset = 0) -> list[dict[str, Any]]:
    """Search and compare prices of verified providers' offerings, with each offering's price history.

    ``sort=fair`` (default) rotates the order daily, ``price`` is cheapest first, ``rating`` uses a Bayesian
    average; none of them looks at a provider's size, so small providers are shown fairly."""
    query = SearchOfferings(category=category, municipality=municipality, language=language, evening=evening,
                            weekend=weekend, text=q, sort=sort, limit=limit, offset=offset)
    return await views.search(_app(request), query, principal, seed=datetime.now(UTC).date().isoformat())


# --- orders -----------------------------------------------------------------------------------------------


@router.post("/orders", status_code=202, tags=["orders"])
async def place_order(body: schemas.OrderBody, principal: CurrentPrincipal, request: Request,
                      response: Response) -> dict[str, Any]:
    """Order a support for the client (202: budgeting reserves the funds, then the order is confirmed or
    rejected with budgeting's reason)."""
    command = c.PlaceOrder(client_id=body.client_id, offering_id=body.offering_id, quantity=body.quantity)
    done = await _handle(command, principal, request)
    return _reply(done, response, order_id=command.order_id) | {"status": done.state.status}


@router.get("/orders", tags=["orders"])
async def list_orders(principal: CurrentPrincipal, request: Request, client_id: UUID | None = None,
                      provider_id: Annotated[UUID | None, Query(description=(
                          "Managers and auditors: one provider's orders (e.g. what a suspension would touch)"))] = None,
                      open: Annotated[bool, Query(description=(
                          "Only the open ones: awaiting funds, confirmed or accepted"))] = False,
                      limit: Annotated[int, Query(ge=1, le=500)] = 100,
                      offset: Offset = 0) -> list[dict[str, Any]]:
    """A provider user sees their provider's orders; a client theirs; a worker a client's (client_id); managers
    and auditors a named client's or a named provider's. Each client an order names is access-logged."""
    query = ListOrders(client_id=client_id, provider_id=provider_id, open=open, limit=limit, offset=offset)
    return await views.orders(_app(request), query, principal, _seen(request))


@router.get("/orders/{order_id}", tags=["orders"])
async def get_order(order_id: UUID, principal: CurrentPrincipal, request: Request, response: Response) -> dict[str, Any]:
    """The order, with budgeting's reason in the reader's language (Accept-Language) if its funds were refused."""
    version, view = await views.order(_app(request), ReadOrder(order_id=order_id), principal, _seen(request),
                                      _language(request))
    response.headers["ETag"] = etag(version)
    return view


async def _step(command: c.OrderCommand, principal: Principal, request: Request, response: Response) -> dict[str, Any]:
    done = await _handle(command, principal, request)
    return _reply(done, response, order_id=command.order_id) | {"status": done.state.status}


@router.post("/orders/{order_id}/cancellation", tags=["orders"])
async def cancel_order(order_id: UUID, principal: CurrentPrincipal, request: Request, response: Response,
                       if_match: IfMatch = None) -> dict[str, Any]:
    """Cancel before delivery: budgeting releases the funds."""
    command = c.CancelOrder(order_id=order_id, expected_version=parse_if_match(if_match))
    return await _step(command, principal, request, response)


@router.post("/orders/{order_id}/acceptance", tags=["orders"])
async def accept_order(order_id: UUID, principal: CurrentPrincipal, request: Request, response: Response,
                       if_match: IfMatch = None) -> dict[str, Any]:
    command = c.AcceptOrder(order_id=order_id, expected_version=parse_if_match(if_match))
    return await _step(command, principal, request, response)


@router.post("/orders/{order_id}/decline", tags=["orders"])
async def decline_order(order_id: UUID, body: schemas.ReasonBody, principal: CurrentPrincipal, request: Request,
                        response: Response, if_match: IfMatch = None) -> dict[str, Any]:
    """The provider declines: budgeting releases the funds."""
    command = c.DeclineOrder(order_id=order_id, reason=body.reason, expected_version=parse_if_match(if_match))
    return await _step(command, principal, request, response)


@router.post("/orders/{order_id}/delivery", tags=["orders"])
async def record_delivery(order_id: UUID, body: schemas.DeliveryBody, principal: CurrentPrincipal,
                          request: Request, response: Response, if_match: IfMatch = None) -> dict[str, Any]:
    command = c.RecordDelivery(order_id=order_id, delivered_on=body.delivered_on,
                               expected_version=parse_if_match(if_match))
    return await _step(command, principal, request, response)


@router.post("/orders/{order_id}/continuation", tags=["orders"])
async def continue_order(order_id: UUID, principal: CurrentPrincipal, request: Request, response: Response,
                         if_match: IfMatch = None) -> dict[str, Any]:
    """The client's coordinating worker continues an order held after its provider's suspension (or cancels it:
    POST /orders/{order_id}/cancellation)."""
    command = c.ContinueOrder(order_id=order_id, expected_version=parse_if_match(if_match))
    return await _step(command, principal, request, response)


@router.put("/orders/{order_id}/delivery-details", tags=["orders"])
async def share_delivery_details(order_id: UUID, body: schemas.DeliveryDetailsBody, principal: CurrentPrincipal,
                                 request: Request, response: Response, if_match: IfMatch = None) -> dict[str, Any]:
    """The client side shares with the provider what it needs to deliver: only the parts given."""
    command = c.ShareDeliveryDetails(order_id=order_id, **body.model_dump(), expected_version=parse_if_match(if_match))
    return await _step(command, principal, request, response)


@router.get("/orders/{order_id}/delivery-details", tags=["orders"])
async def get_delivery_details(order_id: UUID, principal: CurrentPrincipal, request: Request) -> dict[str, Any]:
    """What the client shared for delivery: for the order's provider while the order is accepted and not yet
    delivered, and for the client side. Every read is in the access log."""
    return await views.delivery_details(_app(request), ReadDeliveryDetails(order_id=order_id), principal,
                                        _seen(request))


@router.post("/orders/{order_id}/invoice", tags=["orders"])
async def submit_invoice(order_id: UUID, body: schemas.InvoiceBody, principal: CurrentPrincipal, request: Request,
                         response: Response, if_match: IfMatch = None) -> dict[str, Any]:
    command = c.SubmitInvoice(order_id=order_id, **body.model_dump(), expected_version=parse_if_match(if_match))
    return await _step(command, principal, request, response)


@router.post("/orders/{order_id}/invoice/approval", tags=["orders"])
async def approve_invoice(order_id: UUID, principal: CurrentPrincipal, request: Request, response: Response,
                          if_match: IfMatch = None) -> dict[str, Any]:
    """The client or worker approves the invoice: budgeting records the spending, then payment is scheduled."""
    command = c.ApproveInvoice(order_id=order_id, expected_version=parse_if_match(if_match))
    return await _step(command, principal, request, response)


@router.post("/orders/{order_id}/rating", tags=["orders"])
async def rate_provider(order_id: UUID, body: schemas.RatingBody, principal: CurrentPrincipal, request: Request,
                        response: Response) -> dict[str, Any]:
    """After delivery the client rates the provider 1–5; the average shows in search."""
    command = c.RateProvider(order_id=order_id, stars=body.stars, comment=body.comment)
    return _reply(await _handle(command, principal, request), response, order_id=order_id)


# --- one-off purchases --------------------------------------------------------------------------------------


@router.post("/purchases", status_code=202, tags=["purchases"])
async def request_purchase(body: schemas.PurchaseBody, principal: CurrentPrincipal, request: Request,
                           response: Response) -> dict[str, Any]:
    """Buy an item (or tickets) for the client from a verified vendor on its quote, without a published offering
    (202: budgeting reserves the funds, then the purchase is confirmed or rejected with budgeting's reason). The
    county pays the vendor; the money never goes to the client."""
    command = c.RequestPurchase(**body.model_dump())
    done = await _handle(command, principal, request)
    return _reply(done, response, purchase_id=command.purchase_id) | {"status": done.state.status}


@router.get("/purchases", tags=["purchases"])
async def list_purchases(principal: CurrentPrincipal, request: Request, client_id: UUID | None = None,
                         limit: Annotated[int, Query(ge=1, le=500)] = 100,
                         offset: Offset = 0) -> list[dict[str, Any]]:
    """A vendor's users see their vendor's purchases; a client theirs; a worker a client's (client_id)."""
    query = ListPurchases(client_id=client_id, limit=limit, offset=offset)
    return await views.purchases(_app(request), query, principal, _seen(request))


@router.get("/purchases/{purchase_id}", tags=["purchases"])
async def get_purchase(purchase_id: UUID, principal: CurrentPrincipal, request: Request,
                       response: Response) -> dict[str, Any]:
    """The purchase: the item, the vendor and its quote, the money, the status, and budgeting's reason in the
    reader's language (Accept-Language) if its funds were refused."""
    version, view = await views.purchase(_app(request), ReadPurchase(purchase_id=purchase_id), principal,
                                         _seen(request), _language(request))
    response.headers["ETag"] = etag(version)
    return view


async def _purchase_step(command: c.PurchaseCommand, principal: Principal, request: Request,
                         response: Response) -> dict[str, Any]:
    done = await _handle(command, principal, request)
    return _reply(done, response, purchase_id=command.purchase_id) | {"status": done.state.status}


@router.post("/purchases/{purchase_id}/cancellation", tags=["purchases"])
async def cancel_purchase(purchase_id: UUID, principal: CurrentPrincipal, request: Request, response: Response,
                          if_match: IfMatch = None) -> dict[str, Any]:
    """Cancel before the item arrives: budgeting releases the funds."""
    command = c.CancelPurchase(purchase_id=purchase_id, expected_version=parse_if_match(if_match))
    return await _purchase_step(command, principal, request, response)


@router.post("/purchases/{purchase_id}/approval", tags=["purchases"])
async def approve_purchase(purchase_id: UUID, body: schemas.ApprovalBody, principal: CurrentPrincipal,
                           request: Request, response: Response, if_match: IfMatch = None) -> dict[str, Any]:
    """A manager approves a purchase waiting above its requester's delegated authority (the approvals queue of the
    decisions service lists them): their own delegation must cover the amount, and they must not have asked. It is
    confirmed once its funds are held."""
    command = c.ApprovePurchase(purchase_id=purchase_id, reason=body.reason, expected_version=parse_if_match(if_match))
    return await _purchase_step(command, principal, request, response)


@router.post("/purchases/{purchase_id}/approval/refusal", tags=["purchases"])
async def refuse_purchase(purchase_id: UUID, body: schemas.RefusalBody, principal: CurrentPrincipal,
                          request: Request, response: Response, if_match: IfMatch = None) -> dict[str, Any]:
    """A manager refuses it with the reasoning, shown to the worker and the client: budgeting releases its funds."""
    command = c.RefusePurchase(purchase_id=purchase_id, reason=body.reason, expected_version=parse_if_match(if_match))
    return await _purchase_step(command, principal, request, response)


@router.post("/purchases/{purchase_id}/receipt", tags=["purchases"])
async def confirm_receipt(purchase_id: UUID, body: schemas.ReceiptBody, principal: CurrentPrincipal,
                          request: Request, response: Response, if_match: IfMatch = None) -> dict[str, Any]:
    """The client or their worker confirms the item (or tickets) arrived."""
    command = c.ConfirmReceipt(purchase_id=purchase_id, received_on=body.received_on,
                               expected_version=parse_if_match(if_match))
    return await _purchase_step(command, principal, request, response)


@router.post("/purchases/{purchase_id}/continuation", tags=["purchases"])
async def continue_purchase(purchase_id: UUID, principal: CurrentPrincipal, request: Request, response: Response,
                            if_match: IfMatch = None) -> dict[str, Any]:
    """The client's coordinating worker continues a purchase held after its vendor's suspension (or cancels it:
    POST /purchases/{purchase_id}/cancellation)."""
    command = c.ContinuePurchase(purchase_id=purchase_id, expected_version=parse_if_match(if_match))
    return await _purchase_step(command, principal, request, response)


@router.post("/purchases/{purchase_id}/invoice", tags=["purchases"])
async def invoice_purchase(purchase_id: UUID, body: schemas.InvoiceBody, principal: CurrentPrincipal,
                           request: Request, response: Response, if_match: IfMatch = None) -> dict[str, Any]:
    """The vendor invoices the county (at most the quoted amount)."""
    command = c.InvoicePurchase(purchase_id=purchase_id, **body.model_dump(),
                                expected_version=parse_if_match(if_match))
    return await _purchase_step(command, principal, request, response)


@router.post("/purchases/{purchase_id}/invoice/approval", tags=["purchases"])
async def approve_purchase_invoice(purchase_id: UUID, principal: CurrentPrincipal, request: Request,
                                   response: Response, if_match: IfMatch = None) -> dict[str, Any]:
    """The client or their worker approves the vendor's invoice: budgeting records the spending, then the county
    pays the vendor."""
    command = c.ApprovePurchaseInvoice(purchase_id=purchase_id, expected_version=parse_if_match(if_match))
    return await _purchase_step(command, principal, request, response)
