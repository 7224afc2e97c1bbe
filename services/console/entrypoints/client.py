"""The client's own pages: my plan, my budget, my decisions, my orders, who has read my data. All read with the
client's own token (Avain's token for their pseudonymous id), so the services show them only their own case."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from services.console.adapters.services import Refusal, Services
from services.console.session import Session
from services.console.views import case_view
from services.console.web import Page, page_of

router = APIRouter(prefix="/my")


def _services(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]


async def _mine(request: Request, template: str) -> Response:
    page = page_of(request)
    session = page.require_client()
    view = await case_view(_services(request), session.token, session.client_id, page.t, purpose=None, staff=False)
    return page.render(template, **view)


@router.get("/plan", response_class=HTMLResponse)
async def my_plan(request: Request) -> Response:
    """My plan in my own words: goals, the support chosen, my wishes."""
    return await _mine(request, "my_plan.html")


WISH_MAX = 4000  # what budgeting keeps of one wish


@router.post("/plan/wishes", response_class=HTMLResponse)
async def add_wish(request: Request, text: Annotated[str, Form()] = "") -> Response:
    """I add a wish to my plan in my own words; budgeting records it as mine. Nothing is written when anything is
    wrong: the page comes back with what I wrote and the reason, linked from an error summary."""
    page = page_of(request)
    session = page.require_client()
    text, error, status = text.strip(), "", 422
    if not text:
        error = page.t("wish.empty")
    elif len(text) > WISH_MAX:
        error = page.t("wish.too_long", max=WISH_MAX)
    else:
        try:
            await _services(request).call("POST", "budgeting", f"/budgets/{session.client_id}/wishes", session.token,
                                          json={"text": text})
            return page.redirect("/my/plan?wish=added")
        except Refusal as refusal:
            error, status = _in_words(page, refusal), refusal.status
    return await _plan_again(request, page, session, status, wish_error=error, wish_text=text)


REVIEW_MAX = 4000  # what follow-up keeps of the reason


@router.post("/plan/review", response_class=HTMLResponse)
async def ask_for_review(request: Request, reason: Annotated[str, Form()] = "") -> Response:
    """I ask for my plan to be looked at again, at any time, with my reason if I want to give one: my worker sees
    the request, and a revision of the budget answers it. Refused (e.g. the case is closed), nothing is written."""
    page = page_of(request)
    session = page.require_client()
    reason = reason.strip()
    if len(reason) > REVIEW_MAX:
        return await _plan_again(request, page, session, 422, review_error=page.t("review.too_long", max=REVIEW_MAX),
                                 review_text=reason)
    try:
        await _services(request).call("POST", "followup", f"/followups/{session.client_id}/plan-review", session.token,
                                      json={"reason": reason or None})
    except Refusal as refusal:
        return await _plan_again(request, page, session, refusal.status, review_error=_in_words(page, refusal),
                                 review_text=reason)
    return page.redirect("/my/plan?review=asked")


def _in_words(page: Page, refusal: Refusal) -> str:
    """A form's refusal as the sentence its field shows; 401 and 503 go to the console's general pages."""
    if refusal.status in (401, 503):
        raise refusal  # sign in again / the service is away
    title, detail = page.refusal_words(refusal.service, refusal.code)
    return f"{title}. {detail}".strip(" .")


async def _plan_again(request: Request, page: Page, session: Session, status: int, **form: str | None) -> Response:
    """My plan once more, with what was written and why it was not taken."""
    view = await case_view(_services(request), session.token, session.client_id, page.t, purpose=None, staff=False)
    return page.render("my_plan.html", status=status, **form, **view)


@router.get("/budget", response_class=HTMLResponse)
async def my_budget(request: Request) -> Response:
    """How much was decided, what is reserved and spent, and what is left, by category: a table and a chart."""
    return await _mine(request, "my_budget.html")


@router.get("/decisions", response_class=HTMLResponse)
async def my_decisions(request: Request) -> Response:
    """The decisions about me with their reasons, and how to ask for rectification."""
    return await _mine(request, "my_decisions.html")


@router.get("/orders", response_class=HTMLResponse)
async def my_orders(request: Request) -> Response:
    return await _mine(request, "my_orders.html")


@router.post("/orders/{order_id}/invoice-approval", response_class=HTMLResponse)
async def approve_invoice(request: Request, order_id: UUID) -> Response:
    """I approve the invoice for a service I received: budgeting records the spending, then the provider is paid.
    The marketplace decides whether I may (my own order, an invoice waiting); a refusal is shown in words."""
    page = page_of(request)
    session = page.require_client()
    await _services(request).call("POST", "marketplace", f"/orders/{order_id}/invoice/approval", session.token)
    return page.redirect("/my/orders?approved=1")


RATING_COMMENT_MAX = 2000  # what the marketplace keeps of a rating's comment


@router.post("/orders/{order_id}/rating", response_class=HTMLResponse)
async def rate(request: Request, order_id: UUID, stars: Annotated[str, Form(max_length=4)] = "",
               comment: Annotated[str, Form()] = "") -> Response:
    """I rate the provider of a service I received, 1 to 5, with a comment if I want to give one. Nothing is sent
    without the stars; the marketplace refuses a second rating or one before delivery, shown in words."""
    page = page_of(request)
    session = page.require_client()
    comment = comment.strip()
    typed = {str(order_id): {"stars": stars, "comment": comment}}
    field = f"stars-{order_id}-1"
    if stars not in {"1", "2", "3", "4", "5"}:
        return await _orders_again(request, page, session, [(field, page.t("rating.stars_missing"))], typed)
    if len(comment) > RATING_COMMENT_MAX:
        return await _orders_again(request, page, session,
                                   [(f"comment-{order_id}", page.t("rating.comment_too_long", max=RATING_COMMENT_MAX))],
                                   typed)
    try:
        await _services(request).call("POST", "marketplace", f"/orders/{order_id}/rating", session.token,
                                      json={"stars": int(stars), "comment": comment or None})
    except Refusal as refusal:
        return await _orders_again(request, page, session, [(field, _in_words(page, refusal))], typed,
                                   status=refusal.status)
    return page.redirect("/my/orders?rated=1")


async def _orders_again(request: Request, page: Page, session: Session, errors: list[tuple[str, str]],
                        typed: dict[str, dict[str, str]], status: int = 422) -> Response:
    """My orders once more, with the rating as I gave it and why it was not taken."""
    view = await case_view(_services(request), session.token, session.client_id, page.t, purpose=None, staff=False)
    return page.render("my_orders.html", status=status, rating_errors=errors, rating_typed=typed, **view)


@router.get("/access", response_class=HTMLResponse)
async def my_access(request: Request, cursor: Annotated[str | None, Query(max_length=200)] = None) -> Response:
    """Who has read my data, when and why (the access log, law 703/2023), newest first, 50 at a time."""
    page = page_of(request)
    session = page.require_client()
    found = await _services(request).page("history", "/history/access", session.token, params={
        "client_id": session.client_id, "limit": 50, **({"cursor": cursor} if cursor else {})})
    return page.render("my_access.html", entries=found.rows, total=found.total, next_cursor=found.next_cursor)
