"""Purchases above the requesting worker's delegated authority, end to end on the real broker and database with
intake, budgeting, the marketplace and the decisions service running: such a purchase waits (its funds held) in the
one approvals queue; a manager's approval lets it proceed exactly as a purchase within the limit (delivery, invoice,
payment); a refusal ends it with its reason in the reader's language and leaves nothing reserved."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tests.journeys import MANAGER, WORKER, decided_budget, purchase_status, vendor
from tests.support import eventually

pytestmark = pytest.mark.integration


async def client_known(marketplace: Any, cid: str) -> bool:
    return bool(await marketplace.app.state.runtime.pool.fetchval("SELECT 1 FROM clients WHERE client_id = $1::uuid",
                                                                  cid))


async def queue(decisions: Any, tokens: Any, cid: str, status: str = "pending") -> list[Any]:
    rows = (await decisions.get("/approvals", params={"status": status, "kind": "purchase"},
                                headers=tokens(*MANAGER))).json()
    return [r for r in rows if r["client_id"] == cid]


async def test_a_purchase_above_the_workers_limit_waits_for_a_manager_who_approves_or_refuses_it(
        intake, budgeting, marketplace, decisions, tokens):
    cid = await decided_budget(intake, budgeting, tokens, 490_000, breakdown={"equipment": 490_000})
    await eventually(lambda: client_known(marketplace, cid), timeout=30)
    shop = await vendor(marketplace, tokens, "prov-apuvaline", body=7778889, name="Apuväline Oy")
    w, m = tokens(*WORKER), tokens(*MANAGER)

    async def buy(item: str, price: int) -> dict[str, Any]:
        r = await marketplace.post("/purchases", headers=w, json={
            "client_id": cid, "vendor_id": shop, "category": "equipment", "description": item,
            "unit_price_cents": price, "quote_reference": "TARJ-9"})
        assert r.status_code == 202, r.text
        return r.json()  # type: ignore[no-any-return]

    within = await buy("Turvaistuin", 20_000)  # well within the worker's 2 000 €: bought directly, as before
    assert (await purchase_status(marketplace, tokens, within["purchase_id"], "confirmed", "rejected"))["status"] == \
        "confirmed"
    bike = (await buy("Sähköavusteinen kuljetuspyörä", 250_000))["purchase_id"]
    chair = (await buy("Erikoisrattaat", 210_000))["purchase_id"]
    for waiting in (bike, chair):  # the funds are held while the purchase waits
        view = await purchase_status(marketplace, tokens, waiting, "awaiting_approval", "confirmed", "rejected")
        assert view["status"] == "awaiting_approval" and view["waiting_for_approval"] is True
    rows = await eventually(lambda: _both(decisions, tokens, cid), timeout=30)
    by_matter = {r["matter_id"]: r for r in rows}
    assert (by_matter[bike]["service"], by_matter[bike]["amount_cents"], by_matter[bike]["limit_cents"]) == (
        "marketplace", 250_000, 200_000)
    assert by_matter[bike]["requested_by"] == WORKER[0] and by_matter[bike]["may_answer"] is True
    funds = (await budgeting.get(f"/budgets/{cid}", headers=w)).json()["funds"]
    assert funds["reserved_cents"] == 20_000 + 250_000 + 210_000

    # the worker who asked may not answer; a manager whose own row covers it approves
    r = await marketplace.post(f"/purchases/{bike}/approval", headers=w, json={})
    assert r.status_code == 403
    r = await marketplace.post(f"/purchases/{bike}/approval", headers=m, json={"reason": "Kuljetukset arjessa"})
    assert r.status_code == 200 and r.json()["status"] == "confirmed", r.text
    [granted] = await eventually(lambda: queue(decisions, tokens, cid, "granted"), timeout=30)
    assert granted["matter_id"] == bike and granted["answered_by"] == MANAGER[0]

    # ... and the purchase proceeds exactly as one within the limit: receipt, invoice, payment to the vendor
    r = await marketplace.post(f"/purchases/{bike}/receipt", headers=tokens(cid, "client"),
                               json={"received_on": date.today().isoformat()})
    assert r.status_code == 200, r.text
    r = await marketplace.post(f"/purchases/{bike}/invoice", headers=tokens("prov-apuvaline", "provider"),
                               json={"amount_cents": 250_000, "vat_cents": 50_797, "reference": "RF18 5390 0754 7034"})
    assert r.status_code == 200, r.text
    assert (await marketplace.post(f"/purchases/{bike}/invoice/approval", headers=w)).status_code == 200
    await purchase_status(marketplace, tokens, bike, "payment_scheduled")

    # the other one is refused with the manager's reasoning: it ends, and budgeting releases what it held
    r = await marketplace.post(f"/purchases/{chair}/approval/refusal", headers=m,
                               json={"reason": "Tavalliset rattaat riittävät"})
    assert r.status_code == 200 and r.json()["status"] == "refused", r.text
    refused = (await marketplace.get(f"/purchases/{chair}", headers=tokens(cid, "client") | {
        "Accept-Language": "sv"})).json()
    assert refused["status"] == "refused" and refused["refusal"]["code"] == "approval_refused"
    assert refused["refusal"]["language"] == "sv" and refused["refusal"]["reason"].startswith("En chef godkände inte")
    assert refused["refusal"]["recorded_reason"] == "Tavalliset rattaat riittävät"
    [no] = await eventually(lambda: queue(decisions, tokens, cid, "refused"), timeout=30)
    assert no["matter_id"] == chair and await queue(decisions, tokens, cid) == []

    async def released() -> Any:
        funds = (await budgeting.get(f"/budgets/{cid}", headers=w)).json()["funds"]
        return funds if funds["reserved_cents"] == 20_000 and funds["spent_cents"] == 250_000 else None

    funds = await eventually(released, timeout=30)
    assert chair not in {r.get("order_id") for r in funds["reservations"]}
    assert funds["reserved_cents"] + funds["spent_cents"] <= funds["decided_cents"]


async def _both(decisions: Any, tokens: Any, cid: str) -> list[Any] | None:
    rows = await queue(decisions, tokens, cid)
    return rows if len(rows) == 2 else None
