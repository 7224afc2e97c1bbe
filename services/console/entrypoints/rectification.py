"""Issue 19, item 6: the client's page of one decision (from the decisions service's register) and their request
for its rectification (oikaisuvaatimus) in their own words, sent from that page with their own token. The
decisions service decides who may file (the client, a representative within their mandate; a child under 15
through their guardian), records the day it arrives and whether it is late; a refusal comes back in words beside
the text, with nothing written."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, Response

from services.console.adapters.services import Refusal, Services
from services.console.web import Page, page_of
from shared.kernel.calendar import county_day

router = APIRouter(prefix="/my/decisions")
DecisionId = Annotated[str, Path(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
TEXT_MAX = 20_000  # what the decisions service keeps of one request
# The most a person can send from the form: its textarea stops at TEXT_MAX characters counting a line break as one,
# but sends each as CR LF. Up to this the text comes back beside the field in words; more was not typed here.
FORM_MAX = 2 * TEXT_MAX


def _services(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]


async def _decision_page(request: Request, page: Page, decision_id: str, status: int = 200, *, text: str = "",
                         error: str = "") -> Response:
    session = page.require_client()
    decision: dict[str, Any] = await _services(request).get(
        "decisions", f"/clients/{session.client_id}/decisions/{decision_id}", session.token)
    mine = next((s for s in decision.get("served", []) if s["recipient"] == "client"), None)
    return page.render("my_decision.html", status=status, decision=decision, mine=mine, text=text, error=error)


@router.get("/{decision_id}", response_class=HTMLResponse)
async def my_decision(request: Request, decision_id: DecisionId) -> Response:
    """One decision about me: who decided and when, my last day to ask for its rectification, and my requests."""
    page = page_of(request)
    return await _decision_page(request, page, decision_id)


@router.post("/{decision_id}/rectification", response_class=HTMLResponse)
async def ask_for_rectification(request: Request, decision_id: DecisionId,
                                text: Annotated[str, Form(max_length=FORM_MAX)] = "") -> Response:
    """My request for rectification in my own words; it arrives the day I send it (the service records that)."""
    page = page_of(request)
    session = page.require_client()
    text = text.replace("\r\n", "\n").strip()  # counted as the textarea and the service count it
    if not text:
        return await _decision_page(request, page, decision_id, 422, error=page.t("rectify.empty"))
    if len(text) > TEXT_MAX:
        return await _decision_page(request, page, decision_id, 422, text=text,
                                    error=page.t("rectify.too_long", max=TEXT_MAX))
    try:
        await _services(request).call(
            "POST", "decisions", f"/clients/{session.client_id}/decisions/{decision_id}/rectification-requests",
            session.token, json={"text": text, "received_on": county_day(datetime.now(UTC)).isoformat()})
    except Refusal as refusal:
        if refusal.status in (401, 503):
            raise
        title, detail = page.refusal_words(refusal.service, refusal.code)
        return await _decision_page(request, page, decision_id, refusal.status, text=text,
                                    error=f"{title}. {detail}".strip(" ."))
    return page.redirect(f"/my/decisions/{decision_id}?asked=1")
