"""The marketplace's HTTP API: providers, offerings, search and price comparison, orders."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID, uuid4

from fastapi import APIRouter, Header, Query, Request, Response

from services.marketplace.adapters import postgres
from services.marketplace.application.handlers import MarketplaceApplication
from services.marketplace.domain import catalogue
from services.marketplace.domain import order as orders
from services.marketplace.entrypoints import schemas
from shared.infra.auth import CurrentPrincipal
from shared.infra.http import Offset, command_context, etag, parse_if_match
from shared.kernel.errors import Forbidden, NotFound

router = APIRouter(tags=["marketplace"])
IfMatch = Annotated[str | None, Header(description='Stream version last seen, e.g. "3"; stale → 409')]


def _app(request: Request) -> MarketplaceApplication:
    return request.app.state.marketplace  # type: ignore[no-any-return]


def _reply(done: Any, response: Response, **ids: Any) -> dict[str, Any]:
    response.headers["ETag"] = etag(done.version)
    return {**{k: str(v) for k, v in ids.items()}, "version": done.version,
            "events": [{"id": str(e.id), "type": e.type} for e in done.new_events]}


# --- providers --------------------------------------------------------------------------------------------


@router.post("/providers", status_code=201, tags=["providers"])
async def register_provider(body: schemas.RegisterProviderBody, principal: CurrentPrincipal,
                            request: Request) -> dict[str, Any]:
    """A provider registers (Y-tunnus validated by its check digit; one provider per Y-tunnus)."""
    command = catalogue.RegisterProvider(provider_id=uuid4(), **body.model_dump(mode="json"))
    provider_id, _ = await _app(request).register_provider(command, principal, command_context(request, principal))
    return {"provider_id": str(provider_id), "status": "unverified"}


@router.get("/providers/{provider_id}", tags=["providers"])
async def get_provider(provider_id: UUID, principal: CurrentPrincipal, request: Request) -> dict[str, Any]:
    found = await postgres.provider(_app(request).store.pool, provider_id)
    if found is None:
        raise NotFound("no such provider")
    return found


@router.post("/providers/{provider_id}/verification", tags=["providers"])
async def verify_provider(provider_id: UUID, body: schemas.VerificationBody, principal: CurrentPrincipal,
                          request: Request, response: Response) -> dict[str, Any]:
    """The region verifies the provider against every quality criterion (422 names what is missing)."""
    done = await _app(request).verify_provider(provider_id, body.checklist, body.notes, principal,
                                               command_context(request, principal))
    return _reply(done, response, provider_id=provider_id)


@router.post("/providers/{provider_id}/suspension", tags=["providers"])
async def suspend_provider(provider_id: UUID, body: schemas.ReasonBody, principal: CurrentPrincipal,
                           request: Request, response: Response) -> dict[str, Any]:
    done = await _app(request).suspend_provider(provider_id, body.reason, principal, command_context(request, principal))
    return _reply(done, response, provider_id=provider_id)


# --- offerings --------------------------------------------------------------------------------------------


@router.post("/providers/{provider_id}/offerings", status_code=201, tags=["offerings"])
async def publish_offering(provider_id: UUID, body: schemas.OfferingBody, principal: CurrentPrincipal,
                           request: Request, response: Response) -> dict[str, Any]:
    offering_id, done = await _app(request).publish_offering(provider_id, body.model_dump(), principal,
                                                             command_context(request, principal))
    return _reply(done, response, offering_id=offering_id)


@router.put("/offerings/{offering_id}/price", tags=["offerings"])
async def change_price(offering_id: UUID, body: schemas.PriceBody, principal: CurrentPrincipal, request: Request,
                       response: Response) -> dict[str, Any]:
    """A new price for new orders; orders already placed keep theirs."""
    done = await _app(request).change_offering(offering_id, catalogue.ChangePrice(unit_price_cents=body.unit_price_cents),
                                               principal, command_context(request, principal))
    return _reply(done, response, offering_id=offering_id)


@router.post("/offerings/{offering_id}/withdrawal", tags=["offerings"])
async def withdraw_offering(offering_id: UUID, body: schemas.ReasonBody, principal: CurrentPrincipal,
                            request: Request, response: Response) -> dict[str, Any]:
    done = await _app(request).change_offering(offering_id, catalogue.WithdrawOffering(reason=body.reason),
                                               principal, command_context(request, principal))
    return _reply(done, response, offering_id=offering_id)


@router.get("/offerings/{offering_id}", tags=["offerings"])
async def get_offering(offering_id: UUID, principal: CurrentPrincipal, request: Request) -> dict[str, Any]:
    pool = _app(request).store.pool
    found = await postgres.offering(pool, offering_id)
    if found is None:
        raise NotFound("no such offering")
    found["price_history"] = (await postgres.price_histories(pool, [offering_id])).get(offering_id, [])
    return found


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
    seed = datetime.now(UTC).date().isoformat()
    return await postgres.search(_app(request).store.pool, category=category, municipality=municipality,
                                 language=language, evening=evening, weekend=weekend, text=q, sort=sort, seed=seed,
                                 limit=limit, offset=offset)


# --- orders -----------------------------------------------------------------------------------------------


@router.post("/orders", status_code=202, tags=["orders"])
async def place_order(body: schemas.OrderBody, principal: CurrentPrincipal, request: Request,
                      response: Response) -> dict[str, Any]:
    """Order a support for the client (202: budgeting reserves the funds, then the order is confirmed or
    rejected with budgeting's reason)."""
    order_id, done = await _app(request).place_order(body.client_id, body.offering_id, body.quantity, principal,
                                                     command_context(request, principal))
    return _reply(done, response, order_id=order_id) | {"status": done.state.status}


@router.get("/orders", tags=["orders"])
async def list_orders(principal: CurrentPrincipal, request: Request, client_id: UUID | None = None,
                      limit: Annotated[int, Query(ge=1, le=500)] = 100,
                      offset: Offset = 0) -> list[dict[str, Any]]:
    """A provider user sees their provider's orders; a client theirs; a worker a client's (client_id)."""
    app = _app(request)
    if principal.role == "provider":
        own = await postgres.provider_of_user(app.store.pool, principal.user_id)
        if own is None:
            raise Forbidden("this user acts for no provider")
        rows = await postgres.list_orders(app.store.pool, client_id=None, provider_id=own, limit=limit, offset=offset)
        request.state.accessed_clients = [r["client_id"] for r in rows]  # each order names its client
        return rows
    if principal.role == "client":
        client_id = UUID(principal.user_id)
    elif client_id is None:
        raise Forbidden("name the client (client_id)")
    request.state.accessed_clients = [client_id]  # one client's orders: logged, also if refused below
    if principal.role == "worker":
        known = await postgres.client(app.store.pool, client_id)
        if known is None or known["coordinator_id"] != principal.user_id:
            raise Forbidden("only the client's coordinating worker sees their orders")
    elif principal.role not in ("manager", "auditor", "client"):
        raise Forbidden("not allowed")
    return await postgres.list_orders(app.store.pool, client_id=client_id, provider_id=None, limit=limit,
                                      offset=offset)


@router.get("/orders/{order_id}", tags=["orders"])
async def get_order(order_id: UUID, principal: CurrentPrincipal, request: Request, response: Response) -> dict[str, Any]:
    app = _app(request)
    loaded = await app.load_order(order_id)
    request.state.accessed_clients = [loaded.state.client_id]  # a read of the client's data: logged, also if refused
    await app.may_read(principal, loaded.state)
    response.headers["ETag"] = etag(loaded.version)
    o = loaded.state
    history = [{"type": e.type.rsplit(".", 1)[1], "time": e.time.isoformat(), "actor_role": e.actor.role}
               for e in loaded.events]
    placed = loaded.events[0].data
    return {"order_id": str(o.order_id), "client_id": str(o.client_id), "provider_id": str(o.provider_id),
            "offering_id": placed["offering_id"], "status": o.status, "quantity": placed["quantity"],
            "unit_price_cents": placed["unit_price_cents"], "amount_cents": o.amount_cents,
            "invoice_cents": o.invoice_cents or None, "version": loaded.version, "history": history}


async def _client_step(request: Request, principal: Any, order_id: UUID, command: orders.Command, response: Response,
                       if_match: str | None) -> dict[str, Any]:
    done = await _app(request).client_side(order_id, command, principal, command_context(request, principal),
                                           parse_if_match(if_match))
    return _reply(done, response, order_id=order_id) | {"status": done.state.status}


async def _provider_step(request: Request, principal: Any, order_id: UUID, command: orders.Command,
                         response: Response, if_match: str | None) -> dict[str, Any]:
    done = await _app(request).provider_side(order_id, command, principal, command_context(request, principal),
                                             parse_if_match(if_match))
    return _reply(done, response, order_id=order_id) | {"status": done.state.status}


@router.post("/orders/{order_id}/cancellation", tags=["orders"])
async def cancel_order(order_id: UUID, principal: CurrentPrincipal, request: Request, response: Response,
                       if_match: IfMatch = None) -> dict[str, Any]:
    """Cancel before delivery: budgeting releases the funds."""
    reason = "cancelled_by_client" if principal.role == "client" else "cancelled_by_worker"
    return await _client_step(request, principal, order_id, orders.CancelOrder(reason=reason), response, if_match)


@router.post("/orders/{order_id}/acceptance", tags=["orders"])
async def accept_order(order_id: UUID, principal: CurrentPrincipal, request: Request, response: Response,
                       if_match: IfMatch = None) -> dict[str, Any]:
    return await _provider_step(request, principal, order_id, orders.AcceptOrder(), response, if_match)


@router.post("/orders/{order_id}/decline", tags=["orders"])
async def decline_order(order_id: UUID, body: schemas.ReasonBody, principal: CurrentPrincipal, request: Request,
                        response: Response, if_match: IfMatch = None) -> dict[str, Any]:
    """The provider declines: budgeting releases the funds."""
    done = await _app(request).decline(order_id, body.reason, principal, command_context(request, principal),
                                       parse_if_match(if_match))
    return _reply(done, response, order_id=order_id) | {"status": done.state.status}


@router.post("/orders/{order_id}/delivery", tags=["orders"])
async def record_delivery(order_id: UUID, body: schemas.DeliveryBody, principal: CurrentPrincipal,
                          request: Request, response: Response, if_match: IfMatch = None) -> dict[str, Any]:
    command = orders.RecordDelivery(delivered_on=body.delivered_on, today=datetime.now(UTC).date())
    return await _provider_step(request, principal, order_id, command, response, if_match)


@router.post("/orders/{order_id}/invoice", tags=["orders"])
async def submit_invoice(order_id: UUID, body: schemas.InvoiceBody, principal: CurrentPrincipal, request: Request,
                         response: Response, if_match: IfMatch = None) -> dict[str, Any]:
    command = orders.SubmitInvoice(invoice_id=uuid4(), **body.model_dump())
    return await _provider_step(request, principal, order_id, command, response, if_match)


@router.post("/orders/{order_id}/invoice/approval", tags=["orders"])
async def approve_invoice(order_id: UUID, principal: CurrentPrincipal, request: Request, response: Response,
                          if_match: IfMatch = None) -> dict[str, Any]:
    """The client or worker approves the invoice: budgeting records the spending, then payment is scheduled."""
    return await _client_step(request, principal, order_id, orders.ApproveInvoice(), response, if_match)


@router.post("/orders/{order_id}/rating", tags=["orders"])
async def rate_provider(order_id: UUID, body: schemas.RatingBody, principal: CurrentPrincipal, request: Request,
                        response: Response) -> dict[str, Any]:
    """After delivery the client rates the provider 1–5; the average shows in search."""
    done = await _app(request).rate(order_id, body.stars, body.comment, principal, command_context(request, principal))
    return _reply(done, response, order_id=order_id)
