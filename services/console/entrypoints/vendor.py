"""The provider's own register entry and offerings: register (what each kind of vendor needs is shown before the
form is sent), see what the region has verified and what is still missing, publish offerings and change prices
(new orders get the new price, orders placed keep theirs). Each step is the API's command with the provider
user's own token; the marketplace decides whether it is theirs."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from services.console.adapters.services import Refusal, Services
from services.console.vendor_forms import KINDS, LANGUAGES, UNITS, VAT_RATES, OfferingForm, RegistrationForm, price_of
from services.console.web import Page, page_of

router = APIRouter(prefix="/provider")


def _services(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]


async def _own(services: Services, token: str) -> dict[str, Any] | None:
    """The provider the signed-in user acts for; None before they have registered one (404)."""
    found: dict[str, Any] | None = await services.maybe("marketplace", "/providers/own", token)
    return found


# --- registration -----------------------------------------------------------------------------------------------


@router.get("/registration", response_class=HTMLResponse)
async def registration(request: Request) -> Response:
    page = page_of(request)
    session = page.require_staff("provider")
    if await _own(_services(request), session.token) is not None:
        return page.redirect("/provider/profile")
    return await _registration_page(page, request)


async def _registration_page(page: Page, request: Request, *, status: int = 200,
                             errors: list[tuple[str, str]] | None = None, typed: dict[str, Any] | None = None) -> Response:
    session = page.require_staff("provider")
    kinds = await _services(request).get("marketplace", "/vendor-kinds", session.token)
    return page.render("vendor_registration.html", status=status, kinds=kinds["kinds"], provider_kinds=KINDS,
                       languages=LANGUAGES, errors=errors or [], typed=typed or {"languages": [page.lang]})


@router.post("/registration", response_class=HTMLResponse)
async def register(request: Request, name: Annotated[str, Form(max_length=400)] = "",
                   y_tunnus: Annotated[str, Form(max_length=40)] = "", kind: Annotated[str, Form(max_length=40)] = "",
                   vendor_kind: Annotated[str, Form(max_length=64)] = "",
                   service_areas: Annotated[str, Form(max_length=4000)] = "",
                   languages: Annotated[list[str] | None, Form(max_length=10)] = None,
                   accessibility: Annotated[str, Form(max_length=4000)] = "",
                   evening: Annotated[str, Form(max_length=10)] = "", weekend: Annotated[str, Form(max_length=10)] = "",
                   contact_email: Annotated[str, Form(max_length=320)] = "",
                   contact_phone: Annotated[str, Form(max_length=80)] = "") -> Response:
    page = page_of(request)
    session = page.require_staff("provider")
    services = _services(request)
    typed = {"name": name, "y_tunnus": y_tunnus, "kind": kind, "vendor_kind": vendor_kind,
             "service_areas": service_areas, "languages": languages or [], "accessibility": accessibility,
             "evening": evening, "weekend": weekend, "contact_email": contact_email, "contact_phone": contact_phone}
    kinds = await services.get("marketplace", "/vendor-kinds", session.token)
    form = RegistrationForm.read(typed, tuple(k["kind"] for k in kinds["kinds"]))
    if form.errors:
        return await _registration_page(page, request, status=422, errors=form.errors, typed=typed)
    try:
        await services.call("POST", "marketplace", "/providers", session.token, json=form.body)
    except Refusal as refusal:
        if refusal.code != "y-tunnus-registered":
            raise
        return await _registration_page(page, request, status=422, typed=typed,
                                        errors=[("y_tunnus", "vendor.error.y_tunnus_taken")])
    return page.redirect("/provider/profile?registered=1")


# --- the register entry and what it lacks -------------------------------------------------------------------------


@router.get("/profile", response_class=HTMLResponse)
async def profile(request: Request, registered: Annotated[int | None, Query(ge=0, le=1)] = None) -> Response:
    page = page_of(request)
    session = page.require_staff("provider")
    services = _services(request)
    own = await _own(services, session.token)
    if own is None:
        return page.redirect("/provider/registration")
    verification = await services.get("marketplace", f"/providers/{own['provider_id']}/verification", session.token)
    return page.render("vendor_profile.html", provider=own, verification=verification, registered=bool(registered))


# --- offerings and prices -----------------------------------------------------------------------------------------


@router.get("/offerings", response_class=HTMLResponse)
async def offerings(request: Request, done: Annotated[str | None, Query(max_length=20)] = None) -> Response:
    return await _offerings_page(page_of(request), request, done=done)


async def _offerings_page(page: Page, request: Request, *, status: int = 200, done: str | None = None,
                          errors: list[tuple[str, str]] | None = None, typed: dict[str, Any] | None = None,
                          price_errors: dict[str, str] | None = None) -> Response:
    session = page.require_staff("provider")
    services = _services(request)
    own = await _own(services, session.token)
    if own is None:
        return page.redirect("/provider/registration")
    pid = own["provider_id"]
    listed = await services.get("marketplace", f"/providers/{pid}/offerings", session.token)
    verification = await services.get("marketplace", f"/providers/{pid}/verification", session.token)
    return page.render("vendor_offerings.html", status=status, provider=own, offerings=listed,
                       categories=verification["categories"], vat_rates=VAT_RATES, units=UNITS, done=done,
                       errors=errors or [], typed=typed or {}, price_errors=price_errors or {})


@router.post("/offerings", response_class=HTMLResponse)
async def publish(request: Request, category: Annotated[str, Form(max_length=64)] = "",
                  title: Annotated[str, Form(max_length=400)] = "",
                  description: Annotated[str, Form(max_length=8000)] = "",
                  price: Annotated[str, Form(max_length=30)] = "", vat_rate_bp: Annotated[str, Form(max_length=8)] = "",
                  unit: Annotated[str, Form(max_length=32)] = "",
                  availability: Annotated[str, Form(max_length=800)] = "") -> Response:
    page = page_of(request)
    session = page.require_staff("provider")
    services = _services(request)
    own = await _own(services, session.token)
    if own is None:
        return page.redirect("/provider/registration")
    typed = {"category": category, "title": title, "description": description, "price": price,
             "vat_rate_bp": vat_rate_bp, "unit": unit, "availability": availability}
    verification = await services.get("marketplace", f"/providers/{own['provider_id']}/verification", session.token)
    form = OfferingForm.read(typed, tuple(verification["categories"]))
    if form.errors:
        return await _offerings_page(page, request, status=422, errors=form.errors, typed=typed)
    await services.call("POST", "marketplace", f"/providers/{own['provider_id']}/offerings", session.token,
                        json=form.body)
    return page.redirect("/provider/offerings?done=published")


@router.post("/offerings/{offering_id}/price", response_class=HTMLResponse)
async def change_price(request: Request, offering_id: UUID, price: Annotated[str, Form(max_length=30)] = "") -> Response:
    page = page_of(request)
    session = page.require_staff("provider")
    cents = price_of(price)
    if cents is None:
        return await _offerings_page(page, request, status=422, price_errors={str(offering_id): price},
                                     errors=[(f"price-{offering_id}", "vendor.error.price_invalid")])
    await _services(request).call("PUT", "marketplace", f"/offerings/{offering_id}/price", session.token,
                                  json={"unit_price_cents": cents})
    return page.redirect("/provider/offerings?done=price")
