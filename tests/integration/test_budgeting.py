"""Budgeting against the real broker and database: opened from intake's event, decided with approval
above the authority limit, funds that never exceed the budget, and a state that rebuilds from events."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import pytest

from contracts.budgeting import registry as budgeting_registry
from contracts.marketplace import InvoiceApproved, OrderCancelled, OrderPlaced
from services.budgeting.adapters.postgres import PROJECTED, fetch_projection, projection_of
from services.budgeting.application.handlers import AGGREGATE, stream_of
from services.budgeting.domain import budget as domain
from shared.infra.eventstore import CommandContext
from shared.kernel.envelope import EventEnvelope
from shared.kernel.identifiers import make_hetu
from tests.journeys import (
    GOAL,
    MANAGER,
    OTHER_WORKER,
    PERIOD,
    WORKER,
    budget_opened,
    decided_budget,
    plan,
    walk_to_completion,
)
from tests.support import envelope_of, eventually, publish, read_to_end, read_topic

pytestmark = pytest.mark.integration


def order(cid: str, amount: int, category: str = "everyday_life") -> OrderPlaced:
    return OrderPlaced(client_id=UUID(cid), order_id=uuid4(), provider_id=uuid4(), offering_id=uuid4(),
                       category=category, quantity=1, unit_price_cents=amount, amount_cents=amount)


def market(event: Any, cid: str) -> EventEnvelope:
    return envelope_of(event, subject=cid, source="/avain/marketplace")


async def budgeting_events(budgeting: Any, cid: str) -> list[str]:
    pool: asyncpg.Pool = budgeting.app.state.runtime.pool
    rows = await pool.fetch("SELECT event_type FROM events WHERE subject = $1 ORDER BY global_position", cid)
    return [r["event_type"].rsplit(".", 1)[1] for r in rows]


async def test_intake_completion_opens_exactly_one_budget_even_when_delivered_twice(intake, budgeting, tokens,
                                                                                       settings):
    cid = await walk_to_completion(intake, tokens)
    budget = await budget_opened(budgeting, tokens, cid)
    assert budget["status"] == "draft" and budget["coordinator_id"] == WORKER[0]

    intake_topic = f"{settings.topic_prefix}avain.intake.events.v1"
    completed = [r for r in await read_topic(intake_topic, 6) if dict(r.headers)["ce_type"].endswith(b"Completed")]
    assert len(completed) == 1
    again = EventEnvelope.from_kafka(completed[0].headers, completed[0].value)
    await publish(intake_topic, [again, again])  # redelivered twice, as after a relay crash

    consumer = budgeting.app.state.runtime.consumers["process-manager"]
    await eventually(lambda: consumer.outcomes["duplicate"] >= 2, timeout=30)
    assert (await budgeting_events(budgeting, cid)).count("BudgetOpened") == 1


async def test_a_decision_above_the_authority_limit_waits_for_a_manager(intake, budgeting, tokens, settings):
    cid = await walk_to_completion(intake, tokens)
    await budget_opened(budgeting, tokens, cid)
    w, m = tokens(*WORKER), tokens(*MANAGER)
    proposal = {"amount_cents": 600_000, "period": PERIOD, "breakdown": {"cleaning": 400_000, "recreation": 200_000}}
    # On an empty plan nothing is proposed: a coded refusal with its reason in the asked language, nothing written.
    before = await budget_stream(budgeting, cid)
    empty = await budgeting.post(f"/budgets/{cid}/proposal", headers=w | {"Accept-Language": "sv"}, json=proposal)
    assert empty.status_code == 409 and empty.json()["code"] == "plan-without-goals"
    assert empty.json()["detail"].startswith("Budgeten bygger på planen")
    await plan(budgeting, tokens, cid, ["cleaning"])  # recreation has money but no support: inconsistent
    partial = await budgeting.post(f"/budgets/{cid}/proposal", headers=w, json=proposal)
    assert partial.status_code == 409 and partial.json()["code"] == "breakdown-without-support"
    assert partial.json()["categories"] == ["recreation"]
    assert await budget_stream(budgeting, cid) == [*before, "GoalSet", "SupportPlanned"]
    await plan(budgeting, tokens, cid, ["recreation"])
    assert (await budgeting.post(f"/budgets/{cid}/proposal", headers=w, json=proposal)).status_code == 200
    r = await budgeting.post(f"/budgets/{cid}/decision", headers=w, json={"reasoning": "Perheen tarpeet"})
    assert r.status_code == 202
    # The manager's queue shows what waits and for how much (it used to show 0 €).
    queue = (await budgeting.get("/budgets", params={"status": "awaiting_approval"}, headers=m)).json()
    assert [(b["client_id"], b["proposed_cents"]) for b in queue] == [(cid, 600_000)]
    assert r.json()["events"][0]["type"].endswith("ApprovalRequested")

    # Not in effect: an order is refused because the budget has not been decided.
    await publish(f"{settings.topic_prefix}avain.marketplace.events.v1", [market(order(cid, 10_000), cid)])
    await eventually(lambda: budgeting_events(budgeting, cid), timeout=30)
    await eventually(lambda: _has(budgeting, cid, "FundsReservationRejected"), timeout=30)
    assert (await budgeting.get(f"/budgets/{cid}", headers=w)).json()["funds"]["decided_cents"] == 0

    # The worker cannot approve their own request; a manager rejects, then (after a new decision) approves.
    assert (await budgeting.post(f"/budgets/{cid}/approval", headers=w, json={"reason": "ok"})).status_code == 403
    r = await budgeting.post(f"/budgets/{cid}/rejection", headers=m, json={"reason": "Perustele siivouksen määrä"})
    assert r.status_code == 200
    # The refusal's reasoning reaches the worker and the client; the proposal is back in the plan.
    for reader in (w, tokens(cid, "client")):
        refused = (await budgeting.get(f"/budgets/{cid}", headers=reader)).json()
        assert refused["status"] == "draft"
        assert refused["approval_refused"] | {"refused_by_name": None} == {
            "refused_by": MANAGER[0], "refused_by_name": None, "kind": "budget_decision",
            "reasoning": "Perustele siivouksen määrä"}
    assert (await budgeting.post(f"/budgets/{cid}/decision", headers=w,
                                 json={"reasoning": "Siivous 2 krt/kk"})).status_code == 202
    r = await budgeting.post(f"/budgets/{cid}/approval", headers=m, json={"reason": "Perusteltu"})
    assert r.status_code == 200
    assert [e["type"].rsplit(".", 1)[1] for e in r.json()["events"]] == ["ApprovalGranted", "BudgetDecided",
                                                                          "DecisionRecorded"]
    view = (await budgeting.get(f"/budgets/{cid}", headers=w)).json()
    assert view["status"] == "decided" and view["funds"]["decided_cents"] == 600_000
    # On approval the manager is the one who decides; the worker prepared it.
    assert view["decision"]["decided_by"] == MANAGER[0] and view["decision"]["prepared_by"] == WORKER[0]
    assert view["approval_refused"] is None
    assert view["decision"]["reasoning"] == "Siivous 2 krt/kk"
    assert view["decision"]["decision_number"].startswith("HB-")
    assert "30" in view["decision"]["appeal_instructions"]


async def test_the_budgets_of_a_page_in_one_read_only_those_the_reader_may_see_each_shown_logged(
        intake, budgeting, tokens):
    # The manager's approvals queue reads the budgets of its page's clients at once: the same view and the same
    # rules as one budget's read, a budget the reader may not see (or that does not exist) left out.
    cid = await walk_to_completion(intake, tokens)
    await budget_opened(budgeting, tokens, cid)
    one = (await budgeting.get(f"/budgets/{cid}", headers=tokens(*WORKER))).json()
    logged = (await budgeting_events(budgeting, cid)).count("DataAccessed")
    nobody = str(uuid4())
    r = await budgeting.get("/budgets/views", params=[("id", cid), ("id", nobody)], headers=tokens(*WORKER))
    assert r.status_code == 200
    assert r.json()["items"] == [one] and r.json()["total"] == 1
    assert (await budgeting_events(budgeting, cid)).count("DataAccessed") == logged + 1
    theirs = await budgeting.get("/budgets/views", params=[("id", cid)], headers=tokens(*OTHER_WORKER))
    assert theirs.status_code == 200 and theirs.json()["items"] == []
    assert (await budgeting_events(budgeting, cid)).count("DataAccessed") == logged + 1  # nothing shown, nothing read
    too_many = await budgeting.get("/budgets/views", params=[("id", str(uuid4())) for _ in range(26)],
                                   headers=tokens(*MANAGER))
    assert too_many.status_code == 422


async def budget_stream(budgeting: Any, cid: str) -> list[str]:
    """The budget's own events (reads of it are logged beside them)."""
    return [e for e in await budgeting_events(budgeting, cid) if e != "DataAccessed"]


async def _has(budgeting: Any, cid: str, event: str) -> bool:
    return event in await budgeting_events(budgeting, cid)


async def test_fifty_concurrent_reservations_never_exceed_the_decided_amount(intake, budgeting, tokens):
    cid = await decided_budget(intake, budgeting, tokens, 200_000)
    app = budgeting.app.state.budgeting
    ctx = CommandContext(actor=domain_actor(), correlation_id="c", now=_now())
    commands = [domain.ReserveFunds(client_id=UUID(cid), order_id=uuid4(), amount_cents=amount, category="cleaning",
                                    ordered_on=date.today())
                for amount in [7_000 + 113 * i for i in range(50)]]
    results = await asyncio.gather(*(app.runner.execute(stream_of(UUID(cid)), c, ctx, subject=cid) for c in commands))
    outcomes = [r.new_events[0] for r in results]
    reserved = [e for e in outcomes if e.type.endswith("FundsReserved")]
    rejected = [e for e in outcomes if e.type.endswith("FundsReservationRejected")]
    assert len(reserved) + len(rejected) == 50 and reserved and rejected
    assert sum(e.data["amount_cents"] for e in reserved) <= 200_000
    for e in rejected:  # every refusal says why, in terms a worker can act on
        assert e.data["reason_code"] == "exceeds_remaining"
        assert "exceeds the remaining budget" in e.data["reason"]
    # No refusal was needless: each was larger than what remained when it was decided.
    stored = await fetch_projection(app.store.pool, UUID(cid))
    assert stored["reserved_cents"] == sum(e.data["amount_cents"] for e in reserved)
    assert stored["amount_cents"] - stored["reserved_cents"] < min(e.data["amount_cents"] for e in rejected)


async def test_orders_through_kafka_reserve_release_and_spend(intake, budgeting, tokens, settings):
    cid = await decided_budget(intake, budgeting, tokens, 50_000, breakdown={"cleaning": 30_000, "coaching": 20_000})
    topic = f"{settings.topic_prefix}avain.marketplace.events.v1"
    small, large, cancelled = order(cid, 20_000, "cleaning"), order(cid, 40_000), order(cid, 10_000, "coaching")
    invoice = InvoiceApproved(client_id=UUID(cid), order_id=small.order_id, invoice_id=uuid4(), amount_cents=18_000)
    await publish(topic, [market(e, cid) for e in (small, large, cancelled)])
    await eventually(lambda: _count(budgeting, cid, ("FundsReserved", "FundsReservationRejected"), 3), timeout=30)
    await publish(topic, [market(OrderCancelled(client_id=UUID(cid), order_id=cancelled.order_id), cid),
                          market(invoice, cid)])
    await eventually(lambda: _count(budgeting, cid, ("SpendingRecorded",), 1), timeout=30)
    await eventually(lambda: _count(budgeting, cid, ("FundsReleased",), 2), timeout=30)
    funds = (await budgeting.get(f"/budgets/{cid}", headers=tokens(*WORKER))).json()["funds"]
    assert funds == funds | {"decided_cents": 50_000, "reserved_cents": 0, "spent_cents": 18_000,
                             "remaining_cents": 32_000}
    rejected = [r for r in await read_topic(f"{settings.topic_prefix}avain.budgeting.events.v1", 9)
                if dict(r.headers)["ce_type"].endswith(b"FundsReservationRejected")]
    assert len(rejected) == 1 and rejected[0].key == cid.encode()  # the marketplace hears the refusal
    advice = (await budgeting.get(f"/budgets/{cid}/advice", headers=tokens(cid, "client"))).json()
    assert advice["spent_cents"] == 18_000 and advice["remaining_cents"] == 32_000
    assert {c["category"]: c["spent_cents"] for c in advice["categories"]} == {"cleaning": 18_000, "coaching": 0}


async def _count(budgeting: Any, cid: str, names: tuple[str, ...], at_least: int) -> bool:
    return sum(1 for e in await budgeting_events(budgeting, cid) if e in names) >= at_least


async def test_revising_below_reserved_plus_spent_is_refused(intake, budgeting, tokens, settings):
    cid = await decided_budget(intake, budgeting, tokens, 100_000)
    app = budgeting.app.state.budgeting
    ctx = CommandContext(actor=domain_actor(), correlation_id="c", now=_now())
    await app.runner.execute(stream_of(UUID(cid)), domain.ReserveFunds(
        client_id=UUID(cid), order_id=uuid4(), amount_cents=60_000, category="everyday_life",
        ordered_on=date.today()), ctx, subject=cid)
    w = tokens(*WORKER)
    before = await budgeting_events(budgeting, cid)
    r = await budgeting.post(f"/budgets/{cid}/revision", headers=w, json={
        "amount_cents": 50_000, "breakdown": {"everyday_life": 50_000}, "reason": "Tarve pieneni"})
    assert r.status_code == 409 and r.json()["code"] == "below-committed" and r.json()["committed_cents"] == 60_000
    assert "600,00\u00a0€" in r.json()["detail"]
    assert await budgeting_events(budgeting, cid) == before
    ok = await budgeting.post(f"/budgets/{cid}/revision", headers=w, json={
        "amount_cents": 60_000, "breakdown": {"everyday_life": 60_000}, "reason": "Tarve pieneni"})
    assert ok.status_code == 200
    ok_number = (await budgeting.get(f"/budgets/{cid}", headers=w)).json()["revision"]["decision_number"]
    # Above her delegated authority the worker's revision is no refusal: it waits for approval (202).
    above = await budgeting.post(f"/budgets/{cid}/revision", headers=w, json={
        "amount_cents": 900_000, "breakdown": {"everyday_life": 900_000}, "reason": "Lisää"})
    assert above.status_code == 202 and above.json()["events"][0]["type"].endswith("ApprovalRequested")
    waiting = (await budgeting.get(f"/budgets/{cid}", headers=w)).json()
    assert waiting["funds"]["decided_cents"] == 60_000
    assert waiting["awaiting_approval"]["kind"] == "budget_revision" and waiting["awaiting_approval"]["amount_cents"] == 900_000
    approved = await budgeting.post(f"/budgets/{cid}/approval", headers=tokens(*MANAGER), json={"reason": "Perusteltu"})
    assert approved.status_code == 200
    revised = (await budgeting.get(f"/budgets/{cid}", headers=w)).json()
    assert revised["funds"]["decided_cents"] == 900_000 and revised["revision"]["decided_by"] == MANAGER[0]
    assert revised["revision"]["decision_number"] != ok_number


async def test_state_rebuilt_from_events_equals_the_stored_projection(intake, budgeting, tokens, settings):
    cid = await decided_budget(intake, budgeting, tokens, 80_000, hetu=make_hetu(date(1960, 2, 2), 77))
    w = tokens(*WORKER)
    assert (await budgeting.post(f"/budgets/{cid}/goals", headers=w, json=GOAL)).status_code == 200
    await publish(f"{settings.topic_prefix}avain.marketplace.events.v1",
                  [market(order(cid, 30_000), cid), market(order(cid, 90_000), cid)])
    await eventually(lambda: _count(budgeting, cid, ("FundsReserved", "FundsReservationRejected"), 2), timeout=30)
    app = budgeting.app.state.budgeting
    stored = await fetch_projection(app.store.pool, UUID(cid))
    from_db = AGGREGATE.fold(await app.store.read_stream(stream_of(UUID(cid))))
    assert projection_of(from_db) == {k: stored[k] for k in PROJECTED}
    # ... and from the Kafka log alone, with no service database
    async def budget_stream_on_kafka() -> list[EventEnvelope]:
        records = await read_to_end(f"{settings.topic_prefix}avain.budgeting.events.v1")
        envelopes = [EventEnvelope.from_kafka(r.headers, r.value) for r in records]
        mine = [e for e in envelopes if e.stream_id == stream_of(UUID(cid))]  # not the access log beside it
        return mine if len(mine) == len(await app.store.read_stream(stream_of(UUID(cid)))) else []

    mine = await eventually(budget_stream_on_kafka, timeout=30)
    assert all(budgeting_registry.load(e.type, e.schema_version, e.data) for e in mine)
    assert projection_of(AGGREGATE.fold(mine)) == projection_of(from_db)


async def test_roles_withdrawn_consent_and_closure(intake, budgeting, tokens, settings):
    cid = await decided_budget(intake, budgeting, tokens, 40_000)
    me, w = tokens(cid, "client"), tokens(*WORKER)
    assert (await budgeting.get(f"/budgets/{cid}", headers=tokens(*OTHER_WORKER))).status_code == 403
    assert (await budgeting.get(f"/budgets/{cid}", headers=tokens("p-1", "provider"))).status_code == 403
    assert (await budgeting.post(f"/budgets/{cid}/wishes", headers=me, json={"text": "Lastenrattaat"})).status_code == 200
    assert (await budgeting.post(f"/budgets/{cid}/closure", headers=me,
                                 json={"reason": "period_ended"})).status_code == 403
    view = (await budgeting.get(f"/budgets/{cid}", headers=me)).json()
    assert view["wishes"][0]["text"] == "Lastenrattaat"
    bad = await budgeting.post(f"/budgets/{cid}/proposal", headers=w, json={
        "amount_cents": 100, "period": PERIOD, "breakdown": {"x": 99}})
    assert bad.status_code == 422

    # Consent withdrawn in intake freezes the budget; an order is then refused with that reason.
    await intake.post(f"/clients/{cid}/consent/withdrawal", headers=me, json={})
    await eventually(lambda: _has(budgeting, cid, "BudgetFrozen"), timeout=30)
    await publish(f"{settings.topic_prefix}avain.marketplace.events.v1", [market(order(cid, 1_000), cid)])
    await eventually(lambda: _has(budgeting, cid, "FundsReservationRejected"), timeout=30)
    events = await budgeting.app.state.budgeting.store.read_stream(stream_of(UUID(cid)))
    assert events[-1].data["reason_code"] == "budget_frozen"
    advice = (await budgeting.get(f"/budgets/{cid}/advice", headers=w)).json()
    assert "frozen" in {r["flag"] for r in advice["risks"]}

    r = await budgeting.post(f"/budgets/{cid}/closure", headers=w, json={"reason": "period_ended"})
    assert r.status_code == 200
    assert (await budgeting.get(f"/budgets/{cid}", headers=w)).json()["status"] == "closed"


def domain_actor() -> Any:
    from shared.kernel.envelope import Actor

    return Actor(id="marketplace-test", role="system")


def _now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)


async def test_the_work_list_comes_in_pages_with_a_cursor_and_the_total(intake, budgeting, tokens):
    for n in range(3):
        await budget_opened(budgeting, tokens, await walk_to_completion(intake, tokens, make_hetu(date(1972, 3, 1 + n), 600 + n)))
    w = tokens(*WORKER)
    first = await budgeting.get("/budgets", params={"status": "draft", "limit": 2}, headers=w)
    total = int(first.headers["X-Total-Count"])
    assert total >= 3 and len(first.json()) == 2
    second = await budgeting.get("/budgets", params={"status": "draft", "limit": 2,
                                                     "cursor": first.headers["X-Next-Cursor"]}, headers=w)
    assert int(second.headers["X-Total-Count"]) == total
    assert not {b["client_id"] for b in first.json()} & {b["client_id"] for b in second.json()}
