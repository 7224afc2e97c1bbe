"""The approvals queue's reasoning column: a purchase or a support person agreement carries no reasoning of its
own, so the column says where its grounds are (the matter on the left, the client's plan), never "the reasoning is
not yours to read", which would suggest something is withheld from the manager."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.console_pages import console, person

CLIENT = "7b0c4a57-5b7e-4d57-9a3c-0a3b1b7c9a11"
PURCHASE = "3f9a0f6e-1c2b-4d5e-8f70-112233445566"
AGREEMENT = "4e8b1a7d-2c3b-4e5f-9a81-223344556677"
BUDGET_MATTER = "5d7c2b8e-3d4c-4f6a-8b92-334455667788"


def row(approval: str, service: str, kind: str, matter: str) -> dict[str, Any]:
    return {"approval_id": approval, "client_id": CLIENT, "matter_id": matter, "service": service, "kind": kind,
            "status": "pending", "requested_by": "worker-aino", "requested_by_name": "Aino Virtanen",
            "requested_at": "2026-11-30T10:00:00+00:00", "amount_cents": 50_000, "limit_cents": None,
            "may_answer": True}


def services(request: httpx.Request) -> httpx.Response:
    path = request.url.path
    if path == "/approvals":
        return httpx.Response(200, json=[
            row("a1000000-0000-4000-8000-000000000001", "marketplace", "purchase", PURCHASE),
            row("a2000000-0000-4000-8000-000000000002", "marketplace", "support_agreement", AGREEMENT),
            row("a3000000-0000-4000-8000-000000000003", "budgeting", "budget_decision", BUDGET_MATTER)])
    if path == f"/purchases/{PURCHASE}":
        return httpx.Response(200, json={
            "purchase_id": PURCHASE, "client_id": CLIENT, "description": "Sähköpyörä", "vendor_name": "Pyörä Oy",
            "category": "mobility", "quantity": 1, "unit_price_cents": 50_000, "quote_reference": None,
            "waiting_for_approval": True})
    if path == f"/agreements/{AGREEMENT}":
        return httpx.Response(200, json={
            "agreement_id": AGREEMENT, "client_id": CLIENT, "fee_basis": "monthly", "fee_cents": 40_000,
            "max_hours": None, "expenses_cap_cents": 5_000, "period_start": "2026-12-01",
            "period_end": "2027-05-31", "waiting_for_approval": True})
    if path == "/budgets/views":
        return httpx.Response(200, json={"items": [{
            "client_id": CLIENT, "awaiting_approval": {"approval_id": "a3000000-0000-4000-8000-000000000003",
                                                       "reasoning": "Tarve on kirjattu arviointiin."}}]})
    if path == "/clients/names":
        return httpx.Response(200, json={"items": [{"client_id": CLIENT, "name": "Demo Asiakas"}]})
    return httpx.Response(404, json={"code": "not-found"})


@pytest.mark.parametrize(("lang", "purchase_words", "agreement_words", "not_yours"), [
    ("fi", "Hankinnalla ei ole erillisiä perusteluja", "Toimeksiantosopimuksella ei ole erillisiä perusteluja",
     "Perusteluja ei ole luettavissasi"),
    ("sv", "Ett inköp har ingen separat motivering", "Ett uppdragsavtal har ingen separat motivering",
     "Du kan inte läsa motiveringen"),
    ("en", "A purchase has no separate reasoning", "A support person agreement has no separate reasoning",
     "The reasoning is not yours to read"),
])
async def test_marketplace_matters_say_where_their_grounds_are(lang: str, purchase_words: str,
                                                               agreement_words: str, not_yours: str) -> None:
    async with console(services, person(role="manager", user_id="manager-maija")) as c:
        answer = await c.http.get("/approvals", headers={"Accept-Language": lang})
    assert answer.status_code == 200, answer.text
    assert purchase_words in answer.text and agreement_words in answer.text
    assert "Tarve on kirjattu arviointiin." in answer.text  # a budget's own reasoning is still quoted
    assert not_yours not in answer.text
