"""A provider's suspension and its open work, against the real broker and database with intake and budgeting
running: the orders it has not accepted are cancelled and their funds go back to the budget, the accepted one is
held for the coordinating worker (who continues it), the suspension told again cancels nothing more; a vendor's
purchase waiting for approval is cancelled (funds back, request withdrawn) and its confirmed one held. And what a
provider needs to deliver: the details the client shared, for the provider's own accepted order only, every read
in the access log."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from shared.kernel.envelope import EventEnvelope
from tests.integration.test_marketplace import client_known, funds, order_status
from tests.journeys import REGION, WORKER, decided_budget, offering, purchase_status, vendor, verified_provider
from tests.support import eventually, publish, read_to_end

pytestmark = pytest.mark.integration
SELLER, OTHER_SELLER = "prov-siisti", "prov-muu"


async def _events(pool: Any, name: str) -> list[dict[str, Any]]:
    rows = await pool.fetch("SELECT data FROM events WHERE event_type = $1 ORDER BY global_position", name)
    return [json.loads(r["data"]) for r in rows]


async def test_a_suspension_cancels_the_unaccepted_orders_releases_their_funds_and_holds_the_accepted(
        intake, budgeting, marketplace, tokens, settings):
    cid = await decided_budget(intake, budgeting, tokens, 100_000, breakdown={"cleaning": 100_000})
    await eventually(lambda: client_known(marketplace, cid), timeout=30)
    provider_id = await verified_provider(marketplace, tokens, SELLER, body=7123456)
    offering_id = await offering(marketplace, tokens, SELLER, provider_id, price=5_000)
    me, p, w = tokens(cid, "client"), tokens(SELLER, "provider"), tokens(*WORKER)

    orders = []
    for _ in range(3):
        r = await marketplace.post("/orders", headers=me, json={"client_id": cid, "offering_id": offering_id,
                                                                 "quantity": 2})
        assert r.status_code == 202, r.text
        orders.append(r.json()["order_id"])
    for order_id in orders:
        await order_status(marketplace, tokens, order_id, "confirmed")
    first, second, accepted = orders
    assert (await marketplace.post(f"/orders/{accepted}/acceptance", headers=p)).status_code == 200
    assert (await funds(budgeting, tokens, cid))["reserved_cents"] == 30_000

    r = await marketplace.post(f"/providers/{provider_id}/suspension", headers=tokens(*REGION),
                               json={"reason": "Omavalvontasuunnitelma puuttuu"})
    assert r.status_code == 200, r.text
    for order_id in (first, second):
        cancelled = await order_status(marketplace, tokens, order_id, "cancelled")
        assert cancelled["history"][-1]["type"] == "OrderCancelled"
    held = (await marketplace.get(f"/orders/{accepted}", headers=w)).json()
    assert held["status"] == "accepted" and held["held"] is True
    # The funds of the cancelled orders are back in the budget; the accepted order's stay reserved.
    await eventually(lambda: _reserved(budgeting, tokens, cid, 10_000), timeout=30)
    money = await funds(budgeting, tokens, cid)
    assert money["remaining_cents"] + money["reserved_cents"] + money["spent_cents"] == 100_000

    pool = marketplace.app.state.runtime.pool
    flagged = await _events(pool, "fi.avain.marketplace.OrderFlaggedForReview")
    assert [(f["order_id"], f["provider_id"], f["coordinator_id"]) for f in flagged] == [
        (accepted, provider_id, WORKER[0])]  # whom it concerns, for the notifications

    # The suspension told again, as after a relay crash (the same record) and as a new record: nothing more.
    topic = f"{settings.topic_prefix}avain.marketplace.events.v1"
    [record] = [r for r in await read_to_end(topic) if dict(r.headers)["ce_type"].endswith(b"ProviderSuspended")]
    again = EventEnvelope.from_kafka(record.headers, record.value)
    await publish(topic, [again, again])
    consumer = marketplace.app.state.runtime.consumers["suspensions"]
    await eventually(lambda: consumer.outcomes["duplicate"] >= 2, timeout=30)
    cancellations = await _events(pool, "fi.avain.marketplace.OrderCancelled")
    assert sorted(c["order_id"] for c in cancellations if c["reason"] == "provider_suspended") == sorted([first, second])
    assert len(await _events(pool, "fi.avain.marketplace.OrderFlaggedForReview")) == 1
    bpool = budgeting.app.state.runtime.pool
    released = await bpool.fetch("SELECT data->>'order_id' AS o FROM events WHERE event_type LIKE '%FundsReleased'")
    assert sorted(r["o"] for r in released) == sorted([first, second])  # once each

    # A held order records no delivery until the coordinating worker continues it.
    today = {"delivered_on": date.today().isoformat()}
    refused = await marketplace.post(f"/orders/{accepted}/delivery", headers=p, json=today)
    assert (refused.status_code, refused.json()["code"]) == (409, "order-held")
    assert (await marketplace.post(f"/orders/{accepted}/continuation", headers=me)).status_code == 403
    assert (await marketplace.post(f"/orders/{accepted}/continuation", headers=w)).status_code == 200
    assert (await marketplace.post(f"/orders/{accepted}/delivery", headers=p, json=today)).status_code == 200


async def _reserved(budgeting: Any, tokens: Any, cid: str, cents: int) -> bool:
    return (await funds(budgeting, tokens, cid))["reserved_cents"] == cents


async def test_the_provider_reads_the_delivery_details_of_its_own_accepted_order_and_each_read_is_logged(
        intake, budgeting, marketplace, tokens):
    cid = await decided_budget(intake, budgeting, tokens, 50_000, breakdown={"cleaning": 50_000})
    await eventually(lambda: client_known(marketplace, cid), timeout=30)
    provider_id = await verified_provider(marketplace, tokens, SELLER, body=7234567)
    offering_id = await offering(marketplace, tokens, SELLER, provider_id, price=5_000)
    await verified_provider(marketplace, tokens, OTHER_SELLER, body=7345678, name="Muu Oy")
    me, p, other = tokens(cid, "client"), tokens(SELLER, "provider"), tokens(OTHER_SELLER, "provider")

    r = await marketplace.post("/orders", headers=me, json={"client_id": cid, "offering_id": offering_id})
    order_id = r.json()["order_id"]
    await order_status(marketplace, tokens, order_id, "confirmed")
    shared = {"address": "Hämeenkatu 10 B 4, 33100 Tampere", "contact": "Äiti, 040 123 4567",
              "instructions": "Ovikoodi 2580, koira on kiltti"}
    assert (await marketplace.put(f"/orders/{order_id}/delivery-details", headers=me, json=shared)).status_code == 200
    path = f"/orders/{order_id}/delivery-details"
    assert (await marketplace.get(path, headers=p)).status_code == 403  # not yet accepted
    assert (await marketplace.post(f"/orders/{order_id}/acceptance", headers=p)).status_code == 200

    seen = await marketplace.get(path, headers=p)
    assert seen.status_code == 200, seen.text
    assert {k: seen.json()[k] for k in shared} == shared
    assert (await marketplace.get(path, headers=other)).status_code == 403  # another provider's: refused
    # Nothing of it in the clear in the order's events (sealed with the client's key).
    pool = marketplace.app.state.runtime.pool
    [data] = await pool.fetch("SELECT data::text FROM events WHERE event_type LIKE '%DeliveryDetailsShared'")
    assert "Hämeenkatu" not in data[0] and "040" not in data[0]

    logged = await pool.fetch(
        "SELECT data FROM events WHERE event_type = 'fi.avain.access.DataAccessed' AND subject = $1", cid)
    reads = [json.loads(r["data"]) for r in logged if json.loads(r["data"])["resource"].endswith("delivery-details")]
    assert sorted((r["user_id"], r["purpose"], r["status"]) for r in reads) == sorted([
        (SELLER, "service_delivery", 403), (SELLER, "service_delivery", 200), (OTHER_SELLER, "service_delivery", 403)])

    # Once delivered, the provider no longer sees them.
    done = await marketplace.post(f"/orders/{order_id}/delivery", headers=p,
                                  json={"delivered_on": date.today().isoformat()})
    assert done.status_code == 200
    assert (await marketplace.get(path, headers=p)).status_code == 403


async def test_a_vendors_suspension_cancels_the_purchase_waiting_for_approval_and_holds_the_confirmed(
        intake, budgeting, marketplace, tokens):
    cid = await decided_budget(intake, budgeting, tokens, 500_000, breakdown={"equipment": 500_000})
    await eventually(lambda: client_known(marketplace, cid), timeout=30)
    shop = await vendor(marketplace, tokens, "prov-tarvike", body=7456789, name="Lastentarvike Oy")
    w = tokens(*WORKER)

    async def buy(price: int, reference: str) -> str:
        r = await marketplace.post("/purchases", headers=w, json={
            "client_id": cid, "vendor_id": shop, "category": "equipment", "description": "Apuväline",
            "unit_price_cents": price, "quote_reference": reference})
        assert r.status_code == 202, r.text
        return r.json()["purchase_id"]  # type: ignore[no-any-return]

    confirmed = await buy(5_000, "TARJ-1")
    waiting = await buy(300_000, "TARJ-2")  # above the worker's 2 000 €: waits for a manager, its funds held
    await purchase_status(marketplace, tokens, confirmed, "confirmed")
    await purchase_status(marketplace, tokens, waiting, "awaiting_approval")
    assert (await funds(budgeting, tokens, cid))["reserved_cents"] == 305_000

    r = await marketplace.post(f"/providers/{shop}/suspension", headers=tokens(*REGION),
                               json={"reason": "Maksutiedot eivät täsmää"})
    assert r.status_code == 200, r.text
    cancelled = await purchase_status(marketplace, tokens, waiting, "cancelled")
    assert [h["type"] for h in cancelled["history"]][-2:] == ["PurchaseCancelled", "ApprovalWithdrawn"]
    held = (await marketplace.get(f"/purchases/{confirmed}", headers=w)).json()
    assert held["status"] == "confirmed" and held["held"] is True
    await eventually(lambda: _reserved(budgeting, tokens, cid, 5_000), timeout=30)  # the waiting one's funds back

    today = {"received_on": date.today().isoformat()}
    refused = await marketplace.post(f"/purchases/{confirmed}/receipt", headers=w, json=today)
    assert (refused.status_code, refused.json()["code"]) == (409, "purchase-held")
    assert (await marketplace.post(f"/purchases/{confirmed}/continuation", headers=w)).status_code == 200
    assert (await marketplace.post(f"/purchases/{confirmed}/receipt", headers=w, json=today)).status_code == 200
