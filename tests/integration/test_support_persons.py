"""A grandmother paid from the pilot family's budget, end to end on the real broker and database with intake,
budgeting, the marketplace and the history running: recorded with her own consent, an agreement within the
worker's delegation, one month's hours and an expense claim approved and paid within the same budget as the
stroller and the cleaning; a claim beyond the agreement refused with nothing written; payroll's period file with
exactly the approved claims, each once, even when an approval is delivered twice; her registration file that only
payroll's key opens; the client's erasure leaves the payment records readable; her withdrawal hides her from the
plan and keeps what payment law requires; the case history and its replay from Kafka show it all alike."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from services.history.replay import read_log, rebuild, view
from services.marketplace.adapters.payroll import decrypt
from shared.infra.crypto import ERASED
from shared.kernel.envelope import EventEnvelope
from shared.kernel.identifiers import make_hetu
from tests.journeys import MANAGER, WORKER, decided_budget, offering, purchase_status, vendor, verified_provider
from tests.support import eventually, publish, read_topic

pytestmark = pytest.mark.integration
KEYS = Path(__file__).resolve().parents[1] / "keys"
AUDITOR = {"X-Access-Purpose": "audit"}
HETU = make_hetu(date(1957, 9, 21), 318)


async def client_known(marketplace: Any, cid: str) -> bool:
    return bool(await marketplace.app.state.runtime.pool.fetchval("SELECT 1 FROM clients WHERE client_id = $1::uuid",
                                                                  cid))


async def agreement_where(marketplace: Any, tokens: Any, aid: str, check: Any) -> dict[str, Any]:
    async def reached() -> Any:
        r = await marketplace.get(f"/agreements/{aid}", headers=tokens(*WORKER))
        return r.json() if r.status_code == 200 and check(r.json()) else None

    return await eventually(reached, timeout=40, interval=0.3)  # type: ignore[no-any-return]


async def test_the_grandmothers_fee_is_paid_from_the_family_budget_once_and_her_records_outlive_the_clients_key(
        intake, budgeting, marketplace, history, tokens, settings):
    cid = await decided_budget(intake, budgeting, tokens, 300_000,
                               breakdown={"equipment": 150_000, "cleaning": 70_000, "informal_support": 80_000})
    await eventually(lambda: client_known(marketplace, cid), timeout=30)
    w, m, family = tokens(*WORKER), tokens(*MANAGER), tokens(cid, "client")

    # the stroller and the cleaning, as before: the same budget
    shop = await vendor(marketplace, tokens, "prov-rattaat2", body=4445557, name="Lastentarvike Oy")
    cleaner = await verified_provider(marketplace, tokens, "prov-siivous2", body=6667779)
    cleaning = await offering(marketplace, tokens, "prov-siivous2", cleaner, price=4_500)
    r = await marketplace.post("/purchases", headers=w, json={
        "client_id": cid, "vendor_id": shop, "category": "equipment", "description": "Lastenrattaat",
        "unit_price_cents": 119_000, "quote_reference": "TARJ-1"})
    stroller = r.json()["purchase_id"]
    r = await marketplace.post("/orders", headers=w, json={"client_id": cid, "offering_id": cleaning, "quantity": 10})
    assert r.status_code == 202, r.text
    await purchase_status(marketplace, tokens, stroller, "confirmed")

    # the grandmother, with her own consent; her hetu and IBAN for payroll
    r = await marketplace.post("/support-persons", headers=w, json={
        "client_id": cid, "relationship": "relative", "tasks": "Hoitaa lapsia kahtena iltapäivänä viikossa",
        "name": "Aili Virtanen", "contact": "+358401112223", "consent_given": True,
        "consent_on": date.today().isoformat()})
    assert r.status_code == 201, r.text
    grandmother = r.json()["person_id"]
    r = await marketplace.put(f"/support-persons/{grandmother}/payment-details", headers=w,
                              json={"hetu": HETU, "iban": "FI21 1234 5600 0007 85"})
    assert r.status_code == 200, r.text
    registration = await marketplace.post(f"/support-persons/{grandmother}/payroll-registration", headers=m)
    assert registration.status_code == 200, registration.text
    sealed = registration.json()["registration"]
    assert HETU not in registration.text and "Aili" not in registration.text
    private = (KEYS / "payroll-test-private.pem").read_bytes()
    assert decrypt(private, sealed) == {"payee_reference": grandmother, "hetu": HETU, "name": "Aili Virtanen",
                                        "iban": "FI2112345600000785"}

    # the agreement: 15 € an hour for at most 40 hours, expenses up to 200 €, this month and the next
    first = date.today().replace(day=1)
    r = await marketplace.post("/agreements", headers=w, json={
        "client_id": cid, "person_id": grandmother, "category": "informal_support", "fee_basis": "hour",
        "fee_cents": 1_500, "max_hours": 40, "expenses_cap_cents": 20_000, "period_start": first.isoformat(),
        "period_end": (first + timedelta(days=40)).isoformat(), "earnings_type": "216"})
    assert r.status_code == 202, r.text
    aid = r.json()["agreement_id"]
    await agreement_where(marketplace, tokens, aid, lambda a: a["status"] == "active")

    hours = await marketplace.post(f"/agreements/{aid}/claims", headers=family,
                                   json={"kind": "fee", "month": date.today().isoformat(), "hours": 30})
    receipt = await marketplace.post(f"/agreements/{aid}/claims", headers=family, json={
        "kind": "expenses", "month": date.today().isoformat(), "amount_cents": 3_590, "receipt_reference": "K-2291"})
    assert hours.status_code == 201 and receipt.status_code == 201, (hours.text, receipt.text)
    version = hours.headers["ETag"]
    beyond = await marketplace.post(f"/agreements/{aid}/claims", headers=family | {"Accept-Language": "sv"},
                                    json={"kind": "fee", "month": date.today().isoformat(), "hours": 11})
    assert beyond.status_code == 409 and beyond.json()["code"] == "claim-exceeds-hours"
    assert beyond.json()["title"] == "Timmarna överskrider avtalet"
    assert (await marketplace.get(f"/agreements/{aid}", headers=w)).headers["ETag"] != version  # the receipt's
    assert len((await marketplace.get(f"/agreements/{aid}", headers=w)).json()["claims"]) == 2  # nothing more

    for claim in (hours.json()["claim_id"], receipt.json()["claim_id"]):
        r = await marketplace.post(f"/agreements/{aid}/claims/{claim}/approval", headers=w)
        assert r.status_code == 200, r.text
    paid = await agreement_where(marketplace, tokens, aid,
                                 lambda a: {k["status"] for k in a["claims"]} == {"payment_scheduled"})
    assert paid["hours_claimed"] == 30 and paid["expenses_claimed_cents"] == 3_590

    # each approval delivered twice more, as after a relay crash: still spent once, still one line each
    topic = f"{settings.topic_prefix}avain.marketplace.events.v1"
    approvals = [EventEnvelope.from_kafka(r.headers, r.value) for r in await read_topic(topic, 40)
                 if dict(r.headers)["ce_type"].endswith(b"SupportClaimApproved")]
    assert len(approvals) == 2
    await publish(topic, [*approvals, *approvals])
    consumer = budgeting.app.state.runtime.consumers["process-manager"]
    await eventually(lambda: consumer.outcomes["duplicate"] >= 4, timeout=30)

    funds = (await budgeting.get(f"/budgets/{cid}", headers=w)).json()["funds"]
    assert funds["spent_cents"] == 45_000 + 3_590
    assert funds["reserved_cents"] == 119_000 + 10 * 4_500 + (80_000 - 45_000 - 3_590)
    pay_period = (datetime.now(UTC) + timedelta(days=14)).strftime("%Y-%m")
    export = await marketplace.get(f"/payroll/periods/{pay_period}", headers=m)
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(export.text)))
    assert sorted((r["claim_reference"], r["gross_fee_eur"], r["expenses_eur"]) for r in rows) == sorted([
        (hours.json()["claim_id"], "450.00", "0.00"), (receipt.json()["claim_id"], "0.00", "35.90")])
    assert {r["payee_reference"] for r in rows} == {grandmother} and HETU not in export.text
    assert (await marketplace.get(f"/payroll/periods/{pay_period}", headers=w)).status_code == 403

    # the case history and the replay from Kafka alone say the same
    async def in_history() -> Any:
        r = await history.get(f"/history/clients/{cid}", headers=tokens("auditor-otso", "auditor") | AUDITOR,
                              params={"reveal": "true"})
        body = r.json() if r.status_code == 200 else {}
        claims = body.get("state", {}).get("agreements", {}).get(aid, {}).get("claims", {})
        return body if set(claims.values()) == {"payment_scheduled"} and len(claims) == 2 else None

    live = await eventually(in_history, timeout=40, interval=0.3)
    assert live["state"]["support_persons"] == {grandmother: "recorded"}
    assert live["state"]["budget"]["spent_cents"] == 48_590

    async def replayed() -> Any:
        replay = rebuild(await read_log(settings))
        return replay if len(replay.by_client.get(UUID(cid), [])) == len(live["timeline"]) else None

    replay = await eventually(replayed, timeout=40, interval=0.5)
    again = view(UUID(cid), replay.by_client[UUID(cid)], None)
    now = (await history.get(f"/history/clients/{cid}", headers=tokens("auditor-otso", "auditor") | AUDITOR)).json()
    assert again["state"] == now["state"]

    # the client's data erased (their key shredded): her name and the payment records still read
    await marketplace.app.state.runtime.keyring.destroy(cid, "test: the client's erasure")
    seen = (await marketplace.get(f"/support-persons/{grandmother}", headers=m)).json()
    assert (seen["name"], seen["tasks"]) == ("Aili Virtanen", ERASED)
    assert (await marketplace.get(f"/payroll/periods/{pay_period}", headers=m)).text == export.text
    again_registered = await marketplace.post(f"/support-persons/{grandmother}/payroll-registration", headers=m)
    assert decrypt(private, again_registered.json()["registration"])["hetu"] == HETU

    # she withdraws her consent: gone from the plan, her contact forgotten, what payment law requires kept
    r = await marketplace.post(f"/support-persons/{grandmother}/consent-withdrawal", headers=w)
    assert r.status_code == 200, r.text
    plan = (await marketplace.get(f"/clients/{cid}/support", headers=w)).json()
    assert plan["support_persons"] == [] and [a["agreement_id"] for a in plan["agreements"]] == [aid]
    after = (await marketplace.get(f"/support-persons/{grandmother}", headers=m)).json()
    assert (after["in_plan"], after["contact"], after["name"]) == (False, ERASED, "Aili Virtanen")
    assert (await marketplace.get(f"/payroll/periods/{pay_period}", headers=m)).text == export.text

    async def registration_logged() -> Any:
        r = await history.get("/history/access", params={"client_id": cid}, headers=tokens(cid, "client"))
        found = [e for e in (r.json() if r.status_code == 200 else []) if "payroll-registration" in e["resource"]]
        return found or None

    logged = await eventually(registration_logged, timeout=30)
    assert logged[0]["user_id"] == MANAGER[0]


async def test_a_clients_agreements_come_in_pages_with_the_total_to_those_who_may_read_one_and_each_read_is_logged(
        intake, budgeting, marketplace, tokens):
    cid = await decided_budget(intake, budgeting, tokens, 500_000, hetu=make_hetu(date(1961, 4, 12), 934),
                               breakdown={"informal_support": 500_000})
    await eventually(lambda: client_known(marketplace, cid), timeout=30)
    w = tokens(*WORKER)
    r = await marketplace.post("/support-persons", headers=w, json={
        "client_id": cid, "relationship": "friend", "tasks": "Käy kaupassa", "name": "Eila Ystävä",
        "consent_given": True, "consent_on": date.today().isoformat()})
    person = r.json()["person_id"]
    r = await marketplace.put(f"/support-persons/{person}/payment-details", headers=w,
                              json={"hetu": make_hetu(date(1950, 1, 1), 935), "iban": "FI21 1234 5600 0007 85"})
    assert r.status_code == 200, r.text
    first = date.today().replace(day=1)
    made = []
    for fee in (10_000, 12_000, 14_000, 310_000):  # the last above the worker's 3 000 €: it waits for a manager
        r = await marketplace.post("/agreements", headers=w, json={
            "client_id": cid, "person_id": person, "category": "informal_support", "fee_basis": "month",
            "fee_cents": fee, "expenses_cap_cents": 0, "period_start": first.isoformat(),
            "period_end": first.isoformat(), "earnings_type": "216"})
        assert r.status_code == 202, r.text
        made.append(r.json()["agreement_id"])

    for aid in made[:3]:  # settled first: the list is newest change first, and budgeting's answer is a change
        await agreement_where(marketplace, tokens, aid, lambda a: a["status"] == "active")
    waiting = await agreement_where(marketplace, tokens, made[-1], lambda a: a["status"] == "awaiting_approval")
    assert waiting["waiting_for_approval"] is True

    page1 = await marketplace.get("/agreements", params={"client_id": cid, "limit": 2}, headers=w)
    assert page1.status_code == 200, page1.text
    assert page1.headers["X-Total-Count"] == "4" and len(page1.json()) == 2
    page2 = await marketplace.get("/agreements", params={"client_id": cid, "limit": 2,
                                                        "cursor": page1.headers["X-Next-Cursor"]}, headers=w)
    assert page2.headers["X-Total-Count"] == "4" and "X-Next-Cursor" not in page2.headers
    listed = [a["agreement_id"] for a in page1.json() + page2.json()]
    assert sorted(listed) == sorted(made)
    assert {a["person_id"] for a in page1.json() + page2.json()} == {person}
    assert sorted(a["amount_cents"] for a in page1.json() + page2.json()) == [10_000, 12_000, 14_000, 310_000]

    # the client reads their own without naming themself; a manager any named client's
    own = await marketplace.get("/agreements", headers=tokens(cid, "client"))
    assert sorted(a["agreement_id"] for a in own.json()) == sorted(made)
    assert (await marketplace.get("/agreements", params={"client_id": cid}, headers=tokens(*MANAGER))).status_code == 200
    # not another worker, not a provider, not another client; a cursor this list never gave is refused in words
    assert (await marketplace.get("/agreements", params={"client_id": cid},
                                  headers=tokens("worker-eero", "worker"))).status_code == 403
    assert (await marketplace.get("/agreements", params={"client_id": cid},
                                  headers=tokens("prov-x", "provider"))).status_code == 403
    assert (await marketplace.get("/agreements", params={"client_id": cid},
                                  headers=tokens(str(UUID(int=7)), "client"))).status_code == 403
    bad = await marketplace.get("/agreements", params={"client_id": cid, "cursor": "nonsense"}, headers=w)
    assert bad.status_code == 422

    # every read of the list, the refused one too, is in the access log under the client
    logged = await marketplace.app.state.runtime.pool.fetch(
        "SELECT data FROM events WHERE event_type = 'fi.avain.access.DataAccessed' AND subject = $1", cid)
    reads = {(d["user_id"], d["resource"], d["status"]) for d in (json.loads(r["data"]) for r in logged)}
    assert {(WORKER[0], "GET /agreements", 200), ("worker-eero", "GET /agreements", 403),
            (cid, "GET /agreements", 200)} <= reads
