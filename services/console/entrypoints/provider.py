"""The provider's pages: what have I been asked to do, and will I be paid? Orders by status; one order with the
next step it waits for (accept or decline, record the delivery, invoice) and, once invoiced, what became of the
payment (approved, scheduled for a day, or blocked with the reason in words); the provider's ratings as averages
and counts (never who rated). Each step is the same command the API takes, sent with the provider user's own
token: the marketplace decides whether it is theirs (another provider's order is refused there, and the read is
logged). The client's name is never shown: an order names its client by
id only, and the provider does not need more for their work."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from services.console.adapters.services import Refusal, Services
from services.console.provider import InvoiceForm, steps_of
from services.console.web import Page, page_of
from shared.i18n import TIME_ZONE

router = APIRouter(prefix="/provider")
PAGE_SIZE = 50


def _services(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]


@router.get("/orders", response_class=HTMLResponse)
async def orders(request: Request, offset: Annotated[int, Query(ge=0, le=100_000)] = 0) -> Response:
    """The provider's orders, the latest change first, each with what it waits for."""
    page = page_of(request)
    rows, next_offset = await _a_page_of(request, page, "/orders", offset)
    return page.render("provider_orders.html", orders=rows, next_offset=next_offset)


async def _a_page_of(request: Request, page: Page, path: str, offset: int) -> tuple[list[dict[str, Any]], int | None]:
    """One page of the provider's own orders or purchases (the marketplace lists only theirs), and where the next
    page starts (None: this is the last)."""
    session = page.require_staff("provider")
    rows = await _services(request).get("marketplace", path, session.token,
                                        params={"limit": PAGE_SIZE + 1, "offset": offset})
    return rows[:PAGE_SIZE], offset + PAGE_SIZE if len(rows) > PAGE_SIZE else None


@router.get("/orders/{order_id}", response_class=HTMLResponse)
async def order(request: Request, order_id: UUID) -> Response:
    return await _order_page(page_of(request), request, order_id)


async def _order_page(page: Page, request: Request, order_id: UUID, *, status: int = 200,
                      errors: list[tuple[str, str]] | None = None, typed: dict[str, str] | None = None) -> Response:
    session = page.require_staff("provider")
    services = _services(request)
    found = await services.get("marketplace", f"/orders/{order_id}", session.token)  # 403 for another's order
    offering = await services.maybe("marketplace", f"/offerings/{found['offering_id']}", session.token)
    today = datetime.now(UTC).astimezone(TIME_ZONE).date().isoformat()
    return page.render("provider_order.html", status=status, order=found, offering=offering or {},
                       payment=found.get("payment"),
                       steps=steps_of(found["status"]), errors=errors or [], typed=typed or {}, today=today)


@router.get("/purchases", response_class=HTMLResponse)
async def purchases(request: Request, offset: Annotated[int, Query(ge=0, le=100_000)] = 0) -> Response:
    """The vendor's one-off purchases (items and tickets bought on its quote), the latest change first, each with
    what became of its payment."""
    page = page_of(request)
    rows, next_offset = await _a_page_of(request, page, "/purchases", offset)
    return page.render("provider_purchases.html", purchases=rows, next_offset=next_offset)


@router.get("/purchases/{purchase_id}", response_class=HTMLResponse)
async def purchase(request: Request, purchase_id: UUID) -> Response:
    """One purchase: what was bought, the money, where it stands, the invoice form once the client has received it,
    and, once invoiced, its payment."""
    return await _purchase_page(page_of(request), request, purchase_id)


async def _purchase_page(page: Page, request: Request, purchase_id: UUID, *, status: int = 200,
                         errors: list[tuple[str, str]] | None = None, typed: dict[str, str] | None = None,
                         refused: tuple[str, str] | None = None) -> Response:
    session = page.require_staff("provider")
    found = await _services(request).get("marketplace", f"/purchases/{purchase_id}", session.token)  # 403: another's
    return page.render("provider_purchase.html", status=status, purchase=found, payment=found.get("payment"),
                       # received by the client and not yet invoiced: the one state the marketplace takes an invoice in
                       invoice_due=found.get("status") == "delivered", errors=errors or [], typed=typed or {},
                       refused=refused)


@router.post("/purchases/{purchase_id}/invoice", response_class=HTMLResponse)
async def invoice_purchase(request: Request, purchase_id: UUID, amount: Annotated[str, Form(max_length=30)] = "",
                           vat: Annotated[str, Form(max_length=30)] = "",
                           reference: Annotated[str, Form(max_length=64)] = "") -> Response:
    """The vendor's invoice for a purchase the client received: as the order's (amount and VAT as typed, the
    reference by its check digit), checked before anything is sent; the marketplace's refusal (above the quote,
    no longer waiting for an invoice) is shown on the same page in words."""
    page = page_of(request)
    session = page.require_staff("provider")
    typed = {"amount": amount, "vat": vat, "reference": reference}
    form = InvoiceForm.read(amount, vat, reference)
    if form.amount_cents is not None and not form.errors:
        # The marketplace refuses an invoice above the quote; said here at the field, with the quote's amount.
        quoted = await _services(request).get("marketplace", f"/purchases/{purchase_id}", session.token)
        if form.amount_cents > int(quoted["amount_cents"]):
            form.errors.append(("amount", "provider.invoice.above_quote"))
    if form.errors:
        return await _purchase_page(page, request, purchase_id, status=422, errors=form.errors, typed=typed)
    try:
        await _services(request).call("POST", "marketplace", f"/purchases/{purchase_id}/invoice", session.token,
                                      json=form.body())
    except Refusal as refusal:
        if refusal.status not in (409, 422):
            raise  # not the vendor's to fix here (another's purchase, an outage): the page in words for that
        return await _purchase_page(page, request, purchase_id, status=refusal.status, typed=typed,
                                    refused=page.refusal_words(refusal.service, refusal.code))
    return page.redirect(f"/provider/purchases/{purchase_id}")


@router.get("/ratings", response_class=HTMLResponse)
async def ratings(request: Request) -> Response:
    """How clients rated the provider's work: the average and the count, overall and per service."""
    page = page_of(request)
    session = page.require_staff("provider")
    found = await _services(request).maybe("marketplace", "/providers/own/ratings", session.token)
    if found is None:  # no provider registered yet: nothing to rate
        return page.redirect("/provider/registration")
    return page.render("provider_ratings.html", ratings=found)


@router.post("/orders/{order_id}/acceptance", response_class=HTMLResponse)
async def accept(request: Request, order_id: UUID) -> Response:
    page = page_of(request)
    session = page.require_staff("provider")
    await _services(request).call("POST", "marketplace", f"/orders/{order_id}/acceptance", session.token)
    return page.redirect(f"/provider/orders/{order_id}")


@router.post("/orders/{order_id}/decline", response_class=HTMLResponse)
async def decline(request: Request, order_id: UUID, reason: Annotated[str, Form(max_length=2000)] = "") -> Response:
    page = page_of(request)
    session = page.require_staff("provider")
    if not reason.strip():
        return await _order_page(page, request, order_id, status=422, errors=[("reason", "provider.decline.reason_missing")])
    await _services(request).call("POST", "marketplace", f"/orders/{order_id}/decline", session.token,
                                  json={"reason": reason.strip()})
    return page.redirect(f"/provider/orders/{order_id}")


@router.post("/orders/{order_id}/delivery", response_class=HTMLResponse)
async def delivery(request: Request, order_id: UUID, delivered_on: Annotated[str, Form(max_length=20)] = "") -> Response:
    page = page_of(request)
    session = page.require_staff("provider")
    try:
        day = datetime.strptime(delivered_on.strip(), "%Y-%m-%d").date()
    except ValueError:
        return await _order_page(page, request, order_id, status=422,
                                 errors=[("delivered_on", "provider.delivery.date_invalid")])
    if day > datetime.now(UTC).astimezone(TIME_ZONE).date():
        return await _order_page(page, request, order_id, status=422,
                                 errors=[("delivered_on", "provider.delivery.date_future")])
    await _services(request).call("POST", "marketplace", f"/orders/{order_id}/delivery", session.token,
                                  json={"delivered_on": day.isoformat()})
    return page.redirect(f"/provider/orders/{order_id}")


@router.post("/orders/{order_id}/invoice", response_class=HTMLResponse)
async def invoice(request: Request, order_id: UUID, amount: Annotated[str, Form(max_length=30)] = "",
                  vat: Annotated[str, Form(max_length=30)] = "",
                  reference: Annotated[str, Form(max_length=64)] = "") -> Response:
    """An invoice for the delivered order: amount and VAT in euros as typed (1 190,00), the reference checked by
    its check digit before anything is sent."""
    page = page_of(request)
    session = page.require_staff("provider")
    form = InvoiceForm.read(amount, vat, reference)
    if form.errors:
        return await _order_page(page, request, order_id, status=422, errors=form.errors,
                                 typed={"amount": amount, "vat": vat, "reference": reference})
    await _services(request).call("POST", "marketplace", f"/orders/{order_id}/invoice", session.token,
                                  json=form.body())
    return page.redirect(f"/provider/orders/{order_id}")

