"""The worker buys a one-off item for a client from the plan page: a stroller, tickets, an aid, from a vendor the
region has verified for that kind of item, on the vendor's quote.

The purchase is the command the marketplace's API takes (``POST /purchases``), sent with the worker's own token:
the marketplace checks the vendor (verified, of a kind that may deliver the category), budgeting reserves the funds
or refuses them with its reason, and above the worker's delegated authority the purchase waits for a manager, whose
refusal is shown with their reasoning. A form's mistakes are named beside their fields before anything is sent; a
refusal comes back in words from the catalogue at the top of the same form, and nothing is written."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from services.console.adapters.services import Refusal, Services
from services.console.entrypoints.plan_builder import _case, _refused, _worded
from services.console.purchases import PurchaseForm, purchases_of, vendors_for
from services.console.web import Page, page_of
from shared.i18n import TIME_ZONE

router = APIRouter()
PLAN = "/clients/{client_id}/plan"
WAITING = ("awaiting_funds",)
SETTLE_POLLS, SETTLE_PAUSE = 12, 0.25  # up to 3 s for budgeting's answer, so the page usually shows it at once


def _services(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]


def _categories(budget: dict[str, Any]) -> list[str]:
    """The parts of the decided budget a purchase can be paid from, in the decision's order."""
    return list((budget.get("funds") or {}).get("breakdown") or {})


async def _vendors(request: Request, page: Page, category: str) -> list[dict[str, Any]]:
    """The verified vendors whose kind may deliver the category (the region's table says which)."""
    token = page.require_staff().token
    vendors, kinds = await asyncio.gather(
        _services(request).get("marketplace", "/providers", token, params={"status": "verified", "limit": 500}),
        _services(request).get("marketplace", "/vendor-kinds", token))
    return vendors_for(category, vendors, kinds)


@router.get(PLAN + "/purchase", response_class=HTMLResponse)
async def new_purchase(request: Request, client_id: UUID,
                       category: Annotated[str, Query(max_length=64)] = "") -> Response:
    page = page_of(request)
    return await _purchase_page(request, page, client_id, category, PurchaseForm("", "", 1, None, "", ""),
                                typed_price="")


async def _purchase_page(request: Request, page: Page, client_id: UUID, category: str, form: PurchaseForm, *,
                         typed_price: str, typed_quantity: str = "1", status: int = 200,
                         errors: list[tuple[str, str]] | None = None) -> Response:
    page.require_staff("worker", "manager")
    case = await _case(request, page, client_id)
    categories = _categories(case["budget"])
    chosen = category if category in categories else (categories[0] if categories else "")
    vendors = await _vendors(request, page, chosen) if chosen else []
    return page.render("purchase_new.html", status=status, form=form, categories=categories, chosen=chosen,
                       vendors=vendors, typed_price=typed_price, typed_quantity=typed_quantity,
                       errors=_worded(page, errors if errors is not None else form.errors), **case)


@router.post(PLAN + "/purchases", response_class=HTMLResponse)
async def buy(request: Request, client_id: UUID, category: Annotated[str, Form(max_length=64)] = "",
              vendor_id: Annotated[str, Form(max_length=64)] = "",
              description: Annotated[str, Form(max_length=20_000)] = "",
              quantity: Annotated[str, Form(max_length=10)] = "", price: Annotated[str, Form(max_length=30)] = "",
              quote: Annotated[str, Form(max_length=2000)] = "",
              link: Annotated[str, Form(max_length=4000)] = "") -> Response:
    """The purchase as the marketplace takes it (202: budgeting reserves the funds, then it is confirmed, refused
    with budgeting's reason, or waits for a manager above the worker's delegated authority)."""
    page = page_of(request)
    session = page.require_staff("worker", "manager")
    offered = {v["provider_id"] for v in await _vendors(request, page, category)} if category else set()
    form = PurchaseForm.read(vendor_id, description, quantity, price, quote, link, offered)
    if form.errors:
        return await _purchase_page(request, page, client_id, category, form, status=422, typed_price=price,
                                    typed_quantity=quantity)
    try:
        answer = await _services(request).call("POST", "marketplace", "/purchases", session.token,
                                               json=form.body(str(client_id), category))
    except Refusal as refusal:
        if isinstance(refusal.params.get("category"), str):
            refusal.params["category"] = page.category(refusal.params["category"])
        return await _purchase_page(request, page, client_id, category, form, status=refusal.status,
                                    errors=_refused(page, refusal), typed_price=price, typed_quantity=quantity)
    return page.redirect(f"/clients/{client_id}/plan/purchases/{answer['purchase_id']}")


@router.get(PLAN + "/purchases/{purchase_id}", response_class=HTMLResponse)
async def purchase(request: Request, client_id: UUID, purchase_id: UUID) -> Response:
    """The purchase as it stands: confirmed, waiting for a manager, refused with the manager's reasoning, or
    rejected with budgeting's reason in words."""
    page = page_of(request)
    session = page.require_staff("worker", "manager")
    bought = await _settled(request, session.token, purchase_id)
    if bought.get("client_id") != str(client_id):
        raise Refusal(404, "not-found", "marketplace")
    case = await _case(request, page, client_id)
    return page.render("purchase_detail.html", purchase=bought, **case)


async def _settled(request: Request, token: str, purchase_id: UUID) -> dict[str, Any]:
    """The purchase, once budgeting has answered for its funds if that comes within a moment (a fresh purchase)."""
    for _ in range(SETTLE_POLLS):
        bought: dict[str, Any] = await _services(request).get("marketplace", f"/purchases/{purchase_id}", token)
        if bought.get("status") not in WAITING:
            break
        await asyncio.sleep(SETTLE_PAUSE)
    return bought


# --- the client confirms receipt -----------------------------------------------------------------------------------

@router.get("/my/purchases", response_class=HTMLResponse)
async def my_purchases(request: Request) -> Response:
    """What was bought for me, and where each stands; an item that was confirmed I can say I have received."""
    page = page_of(request)
    session = page.require_client()
    mine = await purchases_of(_services(request), session.token, session.client_id)
    return page.render("my_purchases.html", purchases=mine)


@router.post("/my/purchases/{purchase_id}/receipt", response_class=HTMLResponse)
async def confirm_receipt(request: Request, purchase_id: UUID) -> Response:
    """I have received the item, today: the marketplace checks it is mine and confirmed (a refusal is shown in words
    on the console's error page, and nothing is written); the vendor may then invoice it."""
    page = page_of(request)
    session = page.require_client()
    today = datetime.now(UTC).astimezone(TIME_ZONE).date()
    await _services(request).call("POST", "marketplace", f"/purchases/{purchase_id}/receipt", session.token,
                                  json={"received_on": today.isoformat()})
    return page.redirect("/my/purchases?received=1")
