"""The marketplace against the real broker and database, with intake and budgeting running: verified
providers, price comparison, and an order saga that reserves, delivers, invoices and pays."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from services.budgeting.bootstrap import create_app as create_budgeting
from services.marketplace.bootstrap import MarketplaceSettings
from services.marketplace.bootstrap import create_app as create_marketplace
from shared.infra.settings import ServiceSettings
from tests.conftest import running_service
from tests.journeys import (
    REGION,
    WORKER,
    decided_budget,
    offering,
    verified_provider,
    y_tunnus,
)
from tests.support import eventually

pytestmark = pytest.mark.integration
PROVIDER_USER = "prov-siisti"


async def order_status(marketplace: Any, tokens: Any, order_id: str, *wanted: str) -> dict[str, Any]:
    async def reached() -> Any:
        body = (await marketplace.get(f"/orders/{order_id}", headers=tokens(*WORKER))).json()
        return body if body.get("status") in wanted else None

    return await eventually(reached, timeout=30)  # type: ignore[no-any-return]


async def funds(budgeting: Any, tokens: Any, cid: str) -> dict[str, int]:
    return (await budgeting.get(f"/budgets/{cid}", headers=tokens(*WORKER))).json()["funds"]  # type: ignore[no-any-return]


async def client_known(marketplace: Any, cid: str) -> bool:
    pool = marketplace.app.state.runtime.pool
    return bool(await pool.fetchval("SELECT 1 FROM clients WHERE client_id = $1::uuid", cid))


async def test_a_client_orders_a_support_that_is_delivered_invoiced_and_paid(intake, budgeting, marketplace, tokens):
    cid = await decided_budget(intake, budgeting, tokens, 100_000, breakdown={"cleaning": 100_000})
    await eventually(lambda: client_known(marketplace, cid), timeout=30)
    provider_id = await verified_provider(marketplace, tokens, PROVIDER_USER, body=1234567)
    offering_id = await offering(marketplace, tokens, PROVIDER_USER, provider_id, price=6_000)
    p, w, me = tokens(PROVIDER_USER, "provider"), tokens(*WORKER), tokens(cid, "client")

    r = await marketplace.post("/orders", headers=me, json={"client_id": cid, "offering_id": offering_id,
                                                             "quantity": 3})
    assert r.status_code == 202, r.text
    order_id = r.json()["order_id"]
    # A price change after ordering does not alter the order.
    assert (await marketplace.put(f"/offerings/{offering_id}/price", headers=p,
                                  json={"unit_price_cents": 7_500})).status_code == 200
    confirmed = await order_status(marketplace, tokens, order_id, "confirmed")
    assert confirmed["unit_price_cents"] == 6_000 and confirmed["amount_cents"] == 18_000
    assert (await funds(budgeting, tokens, cid))["reserved_cents"] == 18_000

    for path, body in (("acceptance", None), ("delivery", {"delivered_on": date.today().isoformat()}),
                       ("invoice", {"amount_cents": 17_000, "vat_cents": 3_386, "reference": "RF18 5390 0754 7034"})):
        r = await marketplace.post(f"/orders/{order_id}/{path}", headers=p, json=body)
        assert r.status_code == 200, (path, r.text)
    assert (await marketplace.post(f"/orders/{order_id}/invoice/approval", headers=w)).status_code == 200
    paid = await order_status(marketplace, tokens, order_id, "payment_scheduled")
    assert [h["type"] for h in paid["history"]] == [
        "OrderPlaced", "OrderConfirmed", "OrderAccepted", "ServiceDelivered", "InvoiceSubmitted", "InvoiceApproved",
        "PaymentScheduled"]
    # The provider reads what became of its invoice: approved, then paid on a day, the amount budgeting recorded.
    seen_by_provider = (await marketplace.get(f"/orders/{order_id}", headers=p)).json()["payment"]
    assert seen_by_provider["status"] == "payment_scheduled" and seen_by_provider["amount_cents"] == 17_000
    assert seen_by_provider["approved_at"] and date.fromisoformat(seen_by_provider["pay_on"]) > date.today()
    listed = (await marketplace.get("/orders", headers=p)).json()
    assert [o["pay_on"] for o in listed if o["order_id"] == order_id] == [seen_by_provider["pay_on"]]
    assert await funds(budgeting, tokens, cid) == await funds(budgeting, tokens, cid) | {
        "reserved_cents": 0, "spent_cents": 17_000, "remaining_cents": 83_000}  # the 10 € difference released

    # Reading an order is a read of the client's data: it is in the access log, refused reads too.
    assert (await marketplace.get(f"/orders/{order_id}", headers=tokens("worker-eero", "worker"))).status_code == 403
    logged = await marketplace.app.state.runtime.pool.fetch(
        "SELECT data FROM events WHERE event_type = 'fi.avain.access.DataAccessed' AND subject = $1", cid)
    reads = [json.loads(r["data"]) for r in logged]
    assert {(r["user_id"], r["resource"], r["status"]) for r in reads} >= {
        (WORKER[0], "GET /orders/{order_id}", 200), ("worker-eero", "GET /orders/{order_id}", 403)}

    # The client rates the provider; the average shows in search, with the price history.
    assert (await marketplace.post(f"/orders/{order_id}/rating", headers=me,
                                   json={"stars": 5, "comment": "Ihana siivooja"})).status_code == 200
    found = (await marketplace.get("/search", headers=me, params={"category": "cleaning", "municipality": "Tampere",
                                                                   "language": "sv", "evening": True})).json()
    assert [f["offering_id"] for f in found] == [offering_id]
    assert found[0]["rating"] == 5.0 and found[0]["rating_count"] == 1 and found[0]["unit_price_cents"] == 7_500
    assert [h["unit_price_cents"] for h in found[0]["price_history"]] == [6_000, 7_500]

    # The provider reads its own ratings, per service, and nothing about who gave them; only its own users may.
    assert (await marketplace.post(f"/orders/{order_id}/rating", headers=me, json={"stars": 1})).json()["code"] == \
        "already-rated"
    ratings = (await marketplace.get("/providers/own/ratings", headers=p)).json()
    assert (ratings["provider_id"], ratings["count"], ratings["average"]) == (provider_id, 1, 5.0)
    assert ratings["services"] == [{"offering_id": offering_id, "title": ratings["services"][0]["title"],
                                    "category": "cleaning", "count": 1, "average": 5.0}]
    assert cid not in json.dumps(ratings) and "Ihana" not in json.dumps(ratings)
    assert (await marketplace.get("/providers/own/ratings", headers=me)).status_code == 403
    assert (await marketplace.get("/providers/own/ratings",
                                  headers=tokens("prov-nobody", "provider"))).json()["code"] == "no-own-provider"
    assert "stars" not in (await marketplace.get("/orders", headers=p)).json()[0]
    assert [o["stars"] for o in (await marketplace.get("/orders", headers=me)).json()] == [5]


async def test_refusals_releases_and_catalogue_rules(intake, budgeting, marketplace, tokens):
    cid = await decided_budget(intake, budgeting, tokens, 20_000, breakdown={"cleaning": 20_000})
    await eventually(lambda: client_known(marketplace, cid), timeout=30)
    provider_id = await verified_provider(marketplace, tokens, PROVIDER_USER, body=2345678)
    offering_id = await offering(marketplace, tokens, PROVIDER_USER, provider_id, price=5_000)
    me, p = tokens(cid, "client"), tokens(PROVIDER_USER, "provider")

    async def order(quantity: int) -> str:
        r = await marketplace.post("/orders", headers=me, json={"client_id": cid, "offering_id": offering_id,
                                                                 "quantity": quantity})
        assert r.status_code == 202, r.text
        return r.json()["order_id"]  # type: ignore[no-any-return]

    too_big = await order(5)  # 250 € against 200 €
    rejected = await order_status(marketplace, tokens, too_big, "rejected")
    assert rejected["history"][-1]["type"] == "OrderRejected"
    pool = marketplace.app.state.runtime.pool
    reason = await pool.fetchval("SELECT data->>'reason' FROM events WHERE event_type LIKE '%OrderRejected'")
    assert "exceeds the remaining budget" in reason and "200.00 €" in reason

    declined, cancelled = await order(2), await order(2)
    await order_status(marketplace, tokens, declined, "confirmed")
    await order_status(marketplace, tokens, cancelled, "confirmed")
    assert (await funds(budgeting, tokens, cid))["reserved_cents"] == 20_000
    assert (await marketplace.post(f"/orders/{declined}/decline", headers=p, json={"reason": "Ei vapaita aikoja"})
            ).status_code == 200
    assert (await marketplace.post(f"/orders/{cancelled}/cancellation", headers=me)).status_code == 200
    await eventually(lambda: _reserved_is(budgeting, tokens, cid, 0), timeout=30)

    # Invalid Y-tunnus refused; an unverified or suspended provider cannot be ordered from.
    valid = y_tunnus(3456789)
    bad = await marketplace.post("/providers", headers=tokens("prov-x", "provider"), json={
        "y_tunnus": valid[:-1] + str((int(valid[-1]) + 1) % 10),  # a wrong check digit
        "name": "X", "kind": "ngo", "service_areas": ["Tampere"], "languages": ["fi"], "accessibility": "-",
        "contact_email": "x@example.fi"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "y_tunnus"
    dup = await marketplace.post("/providers", headers=tokens("prov-y", "provider"), json={
        "y_tunnus": y_tunnus(2345678), "name": "Copy", "kind": "firm", "service_areas": ["Tampere"],
        "languages": ["fi"], "accessibility": "-", "contact_email": "y@example.fi"})
    assert dup.status_code == 422 and dup.json()["code"] == "y-tunnus-registered"
    assert dup.json()["errors"][0]["field"] == "y_tunnus"
    unverified = await verified_provider(marketplace, tokens, "prov-new", body=4567890, verify=False)
    missing = await marketplace.post(f"/providers/{unverified}/verification", headers=tokens(*REGION),
                                     json={"checklist": {"soteri_register": True}})
    assert missing.status_code == 422 and "self_monitoring_plan" in missing.json()["detail"]
    no_offer = await marketplace.post(f"/providers/{unverified}/offerings", headers=tokens("prov-new", "provider"),
                                      json={"category": "cleaning", "title": "T", "description": "D",
                                            "unit_price_cents": 1, "vat_rate_bp": 0, "unit": "h"})
    assert no_offer.status_code == 409
    assert (await marketplace.post(f"/providers/{provider_id}/suspension", headers=tokens(*REGION),
                                   json={"reason": "Omavalvontasuunnitelma vanhentunut"})).status_code == 200
    refused = await marketplace.post("/orders", headers=me, json={"client_id": cid, "offering_id": offering_id})
    assert refused.status_code == 409 and "suspended" in refused.json()["detail"]
    assert (await marketplace.get("/search", headers=me, params={"category": "cleaning"})).json() == []
    # A provider user acts only for their own provider.
    other = tokens("prov-new", "provider")
    assert (await marketplace.put(f"/offerings/{offering_id}/price", headers=other,
                                  json={"unit_price_cents": 1})).status_code == 403


async def _reserved_is(budgeting: Any, tokens: Any, cid: str, cents: int) -> bool:
    return (await funds(budgeting, tokens, cid))["reserved_cents"] == cents


async def test_the_saga_completes_when_budgeting_is_down_for_a_while(intake, tokens, settings: ServiceSettings):
    quick = MarketplaceSettings(**settings.model_dump(), reservation_timeout_seconds=0.5)
    async with running_service(create_budgeting, settings, "budgeting") as budgeting:
        cid = await decided_budget(intake, budgeting, tokens, 50_000, breakdown={"cleaning": 50_000})
    async with running_service(create_marketplace, quick, "marketplace") as marketplace:
        await eventually(lambda: client_known(marketplace, cid), timeout=30)
        provider_id = await verified_provider(marketplace, tokens, PROVIDER_USER, body=5678901)
        offering_id = await offering(marketplace, tokens, PROVIDER_USER, provider_id, price=10_000)
        r = await marketplace.post("/orders", headers=tokens(cid, "client"),
                                   json={"client_id": cid, "offering_id": offering_id, "quantity": 2})
        order_id = r.json()["order_id"]
        pool = marketplace.app.state.runtime.pool
        # Budgeting is down: the order stays pending and the reservation is asked again, not lost.
        await eventually(lambda: pool.fetchval(
            "SELECT count(*) >= 2 FROM events WHERE event_type LIKE '%ReservationRetryRequested'"), timeout=30)
        assert (await marketplace.get(f"/orders/{order_id}", headers=tokens(*WORKER))).json()["status"] == \
            "awaiting_funds"
        async with running_service(create_budgeting, settings, "budgeting") as budgeting:
            await order_status(marketplace, tokens, order_id, "confirmed")
            assert (await funds(budgeting, tokens, cid))["reserved_cents"] == 20_000
            bpool = budgeting.app.state.runtime.pool
            reserved = await bpool.fetchval("SELECT count(*) FROM events WHERE event_type LIKE '%FundsReserved'"
                                            " AND data->>'order_id' = $1", order_id)
            assert reserved == 1  # one reservation, however many times it was asked
        retries = await pool.fetchval("SELECT count(*) FROM events WHERE event_type LIKE '%ReservationRetryRequested'")
        assert retries >= 2
