"""Vendors verified by what they sell, and one-off purchases, against the real broker and database with intake and
budgeting running: many purchases at once never take more than the budget, each refusal readable with its reason;
an amusement park's verification answer per criterion; a social-care provider still needs the full checklist."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any
from uuid import UUID

import pytest

from services.history.replay import read_log, rebuild, view
from tests.journeys import (
    ALL_CRITERIA,
    REGION,
    WORKER,
    decided_budget,
    offering,
    purchase_status,
    vendor,
    verified_provider,
    y_tunnus,
)
from tests.support import eventually

pytestmark = pytest.mark.integration
AUDITOR = {"X-Access-Purpose": "audit"}


async def client_known(marketplace: Any, cid: str) -> bool:
    return bool(await marketplace.app.state.runtime.pool.fetchval("SELECT 1 FROM clients WHERE client_id = $1::uuid",
                                                                  cid))


async def test_thirty_purchases_at_once_never_take_more_than_the_budget_and_each_refusal_says_why(
        intake, budgeting, marketplace, tokens):
    cid = await decided_budget(intake, budgeting, tokens, 100_000, breakdown={"equipment": 100_000})
    await eventually(lambda: client_known(marketplace, cid), timeout=30)
    shop = await vendor(marketplace, tokens, "prov-tarvike", body=1112223, name="Lastentarvike Oy")
    w = tokens(*WORKER)

    async def buy(n: int) -> str:
        r = await marketplace.post("/purchases", headers=w, json={
            "client_id": cid, "vendor_id": shop, "category": "equipment", "description": f"Apuväline {n}",
            "unit_price_cents": 4_990, "quote_reference": f"TARJ-{n:03d}"})
        assert r.status_code == 202, r.text
        return r.json()["purchase_id"]  # type: ignore[no-any-return]

    ids = await asyncio.gather(*(buy(n) for n in range(30)))
    answered = [await purchase_status(marketplace, tokens, p, "confirmed", "rejected", timeout=60) for p in ids]
    confirmed = [a for a in answered if a["status"] == "confirmed"]
    rejected = [a for a in answered if a["status"] == "rejected"]
    assert len(confirmed) == 20 and len(rejected) == 10  # 20 × 49,90 € fit in 1 000 €, the 21st does not
    funds = (await budgeting.get(f"/budgets/{cid}", headers=w)).json()["funds"]
    assert funds["reserved_cents"] == 20 * 4_990 and funds["reserved_cents"] + funds["spent_cents"] <= 100_000
    assert {r["matter"] for r in funds["reservations"]} == {"purchase"}
    for refused in rejected:  # each with its reason, as a reader who asked in Swedish reads it
        r = await marketplace.get(f"/purchases/{refused['purchase_id']}", headers=w | {"Accept-Language": "sv"})
        refusal = r.json()["refusal"]
        assert refusal["code"] == "exceeds_remaining" and refusal["language"] == "sv"
        assert refusal["reason"] == "Beloppet är större än vad som återstår av budgeten."
        assert "exceeds the remaining budget" in refusal["recorded_reason"]


async def test_an_amusement_park_is_verified_on_its_own_criteria_and_reads_the_answer_per_criterion(marketplace, tokens):
    park_user = tokens("prov-puisto", "provider")
    r = await marketplace.post("/providers", headers=park_user, json={
        "y_tunnus": y_tunnus(2223334), "name": "Särkänniemi Oy", "kind": "firm", "vendor_kind": "goods_and_tickets",
        "service_areas": ["Tampere"], "languages": ["fi", "sv", "en"], "accessibility": "Esteetön",
        "contact_email": "liput@example.fi"})
    assert r.status_code == 201, r.text
    park = r.json()["provider_id"]

    lacks = (await marketplace.get(f"/providers/{park}/verification", headers=park_user)).json()
    assert [(c["code"], c["result"]) for c in lacks["criteria"]] == [
        ("y_tunnus_valid", "missing"), ("payment_details", "missing")]
    assert lacks["criteria"][0]["title"] == "Toimivan yrityksen voimassa oleva Y-tunnus"  # Finnish unless asked

    half = await marketplace.post(f"/providers/{park}/verification", headers=tokens(*REGION),
                                  json={"checklist": {"y_tunnus_valid": True}})
    assert half.status_code == 422 and half.json()["code"] == "criteria-not-met"
    assert "payment_details" in half.json()["detail"]
    soteri = await marketplace.post(f"/providers/{park}/verification", headers=tokens(*REGION),
                                    json={"checklist": ALL_CRITERIA})
    assert soteri.status_code == 422 and "soteri_register" in soteri.json()["detail"]  # no item of its kind

    done = await marketplace.post(f"/providers/{park}/verification", headers=tokens(*REGION),
                                  json={"checklist": {"y_tunnus_valid": True, "payment_details": True}})
    assert done.status_code == 200, done.text
    answer = (await marketplace.get(f"/providers/{park}/verification",
                                    headers=park_user | {"Accept-Language": "en"})).json()
    assert [(c["code"], c["result"]) for c in answer["criteria"]] == [
        ("y_tunnus_valid", "met"), ("payment_details", "met")]
    assert answer["status"] == "verified" and answer["criteria"][1]["title"] == "Payment details for the county's payments"
    other = await marketplace.get(f"/providers/{park}/verification", headers=tokens("prov-muu", "provider"))
    assert other.status_code == 403


async def test_a_social_care_provider_still_needs_the_full_checklist_and_sees_what_it_lacks(marketplace, tokens):
    pid = await verified_provider(marketplace, tokens, "prov-hoiva", body=3334445, verify=False)
    partial = {"soteri_register": True, "self_monitoring_plan": True}
    r = await marketplace.post(f"/providers/{pid}/verification", headers=tokens(*REGION), json={"checklist": partial})
    assert r.status_code == 422 and "liability_insurance" in r.json()["detail"]
    lacks = (await marketplace.get(f"/providers/{pid}/verification", headers=tokens("prov-hoiva", "provider"))).json()
    assert lacks["vendor_kind"] == "social_care" and lacks["missing"] == list(ALL_CRITERIA)
    r = await marketplace.post(f"/providers/{pid}/verification", headers=tokens(*REGION),
                               json={"checklist": ALL_CRITERIA})
    assert r.status_code == 200 and r.json()["answer"]["missing"] == []


async def test_the_pilot_family_buys_a_stroller_and_tickets_and_orders_cleaning_from_one_budget_and_the_history_says_so(
        intake, budgeting, marketplace, history, tokens, settings):
    """The pilots' family: a stroller bought once from a shop (verified on goods criteria, no Soteri item), tickets
    from an amusement park (its own criteria), cleaning ordered as before: one budget, every step in the case
    history in words, and the audit replay from Kafka alone equal to the live view."""
    cid = await decided_budget(intake, budgeting, tokens, 300_000,
                               breakdown={"equipment": 150_000, "leisure": 50_000, "cleaning": 100_000})
    await eventually(lambda: client_known(marketplace, cid), timeout=30)
    w = tokens(*WORKER)
    shop = await vendor(marketplace, tokens, "prov-rattaat", body=4445556, name="Lastentarvike Oy")
    park = await vendor(marketplace, tokens, "prov-huvipuisto", body=5556667, name="Huvipuisto Oy")
    cleaner = await verified_provider(marketplace, tokens, "prov-siivous", body=6667778)
    cleaning = await offering(marketplace, tokens, "prov-siivous", cleaner, price=4_500)

    async def buy(vendor_id: str, category: str, item: str, quantity: int, price: int) -> str:
        r = await marketplace.post("/purchases", headers=w, json={
            "client_id": cid, "vendor_id": vendor_id, "category": category, "description": item,
            "quantity": quantity, "unit_price_cents": price, "quote_reference": "TARJ-1"})
        assert r.status_code == 202, r.text
        return r.json()["purchase_id"]  # type: ignore[no-any-return]

    stroller = await buy(shop, "equipment", "Lastenrattaat", 1, 119_000)
    tickets = await buy(park, "leisure", "Perheliput", 4, 4_950)
    r = await marketplace.post("/orders", headers=w, json={"client_id": cid, "offering_id": cleaning, "quantity": 10})
    assert r.status_code == 202, r.text
    order = r.json()["order_id"]
    for p in (stroller, tickets):
        assert (await purchase_status(marketplace, tokens, p, "confirmed", "rejected"))["status"] == "confirmed"

    async def order_confirmed() -> bool:
        return (await marketplace.get(f"/orders/{order}", headers=w)).json()["status"] == "confirmed"

    await eventually(order_confirmed, timeout=30)
    # a cleaning firm (a social-care provider) may not sell equipment: what a vendor may deliver is its kind's
    refused = await marketplace.post("/purchases", headers=w, json={
        "client_id": cid, "vendor_id": cleaner, "category": "equipment", "description": "Imuri",
        "unit_price_cents": 20_000, "quote_reference": "TARJ-2"})
    assert refused.status_code == 409 and refused.json()["code"] == "category-not-for-vendor-kind"

    # the stroller arrives, the shop invoices, the family approves, the county pays the shop
    r = await marketplace.post(f"/purchases/{stroller}/receipt", headers=tokens(cid, "client"),
                               json={"received_on": date.today().isoformat()})
    assert r.status_code == 200, r.text
    r = await marketplace.post(f"/purchases/{stroller}/invoice", headers=tokens("prov-rattaat", "provider"),
                               json={"amount_cents": 119_000, "vat_cents": 24_179, "reference": "RF18 5390 0754 7034"})
    assert r.status_code == 200, r.text
    r = await marketplace.post(f"/purchases/{stroller}/invoice/approval", headers=tokens(cid, "client"))
    assert r.status_code == 200, r.text
    paid = await purchase_status(marketplace, tokens, stroller, "payment_scheduled")
    assert paid["vendor_name"] == "Lastentarvike Oy" and paid["description"] == "Lastenrattaat"

    funds = (await budgeting.get(f"/budgets/{cid}", headers=w)).json()["funds"]
    assert funds["spent_cents"] == 119_000 and funds["reserved_cents"] == 4 * 4_950 + 10 * 4_500
    assert funds["reserved_cents"] + funds["spent_cents"] <= 300_000

    async def in_history() -> Any:
        r = await history.get(f"/history/clients/{cid}", headers=tokens("auditor-otso", "auditor") | AUDITOR,
                              params={"reveal": "true"})
        body = r.json() if r.status_code == 200 else {}
        state = body.get("state", {})
        done = state.get("purchases", {}).get(stroller) == "payment_scheduled" and order in state.get("orders", {})
        return body if done else None

    live = await eventually(in_history, timeout=40, interval=0.3)
    said = [t["said"].replace("\xa0", " ").replace("\u202f", " ") for t in live["timeline"] if t.get("said")]
    assert "Lastenrattaat, Lastentarvike Oy, 1 190,00 €" in said and "Perheliput, Huvipuisto Oy, 198,00 €" in said
    assert live["state"]["purchases"][tickets] == "confirmed"

    async def replayed() -> Any:
        replay = rebuild(await read_log(settings))
        mine = replay.by_client.get(UUID(cid), [])
        return replay if len(mine) == len(live["timeline"]) else None

    replay = await eventually(replayed, timeout=40, interval=0.5)
    again = view(UUID(cid), replay.by_client[UUID(cid)], None)
    now = (await history.get(f"/history/clients/{cid}", headers=tokens("auditor-otso", "auditor") | AUDITOR)).json()
    assert again["state"] == now["state"]
    assert [t["event_id"] for t in again["timeline"]] == [t["event_id"] for t in now["timeline"]]
