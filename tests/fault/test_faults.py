"""Fault injection against real service processes on a private broker and database: kill -9 of a service in
the middle of a flow, the broker stopped and restarted under load, PostgreSQL restarted under load, PostgreSQL
stopped for 5 s under HTTP load (503 with Retry-After, nothing half-written), and the outbox relay killed between
publishing and marking. Each test counts effects: none lost, none doubled."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import date, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from contracts import budgeting as budget_events
from contracts import intake as intake_events
from contracts import marketplace as market_events
from shared.infra.deadletters import DeadLetterTopic
from shared.kernel.identifiers import make_hetu
from tests.fault.stack import WORKER, ServiceProcess, Stack, bounded, header, intake_completed, paced, read_records
from tests.journeys import PERIOD, offering, plan, verified_provider, walk_to_completion
from tests.support import eventually

pytestmark = [pytest.mark.integration, pytest.mark.fault]

N = 40
AMOUNT, PRICE = 100_000, 6_000
OPENED = budget_events.BudgetOpened.event_type
RESERVED, REFUSED = budget_events.FundsReserved.event_type, budget_events.FundsReservationRejected.event_type
PLACED, CONFIRMED = market_events.OrderPlaced.event_type, market_events.OrderConfirmed.event_type


async def opened(stack: Stack) -> int:
    return await stack.count("budgeting", "SELECT count(*) FROM events WHERE event_type = $1", OPENED)


async def answers(stack: Stack) -> int:
    return await stack.count("budgeting", "SELECT count(*) FROM events WHERE event_type = ANY($1::text[])",
                             [RESERVED, REFUSED])


async def kill_and_restart(service: ServiceProcess) -> None:
    service.kill9()
    assert await service.wait_exit() == -9
    await service.start()


async def no_dead_letters(stack: Stack, *services: str) -> None:
    for service in services:
        letters = await DeadLetterTopic(stack.infra.bootstrap, stack.prefix, service).read_all()
        assert letters == [], [d.summary() for d in letters]


async def all_published(stack: Stack, *services: str) -> None:
    for service in services:
        await eventually(lambda s=service: stack.value(s, "SELECT count(*) = 0 FROM outbox WHERE published_at IS NULL"),
                         timeout=30)


async def assert_every_intake_completion_opened_one_budget(stack: Stack, clients: list[UUID]) -> None:
    per_stream = await (await stack.pool("budgeting")).fetch(
        "SELECT stream_id, count(*) AS n FROM events WHERE event_type = $1 GROUP BY stream_id", OPENED)
    assert {r["stream_id"]: r["n"] for r in per_stream} == {f"budget-{c}": 1 for c in clients}
    inbox = await stack.count("budgeting", "SELECT count(*) FROM inbox WHERE event_type = $1",
                              intake_events.IntakeCompleted.event_type)
    assert inbox == len(clients)


# --- the order saga, for the kill -9 and relay tests ----------------------------------------------------------------

async def open_and_decide_budgets(stack: Stack, budgeting: ServiceProcess, marketplace: ServiceProcess, tokens: Any,
                                  clients: list[UUID]) -> str:
    """Budgets decided for ``clients`` (their intake completed) and an offering they can order; its id."""
    w = tokens(WORKER, "worker")

    async def decide(cid: UUID) -> None:
        await plan(budgeting.http, lambda *_: w, str(cid), ["cleaning"])  # a budget rests on a plan
        r = await budgeting.http.post(f"/budgets/{cid}/proposal", headers=w, json={
            "amount_cents": AMOUNT, "period": PERIOD, "breakdown": {"cleaning": AMOUNT}})
        assert r.status_code == 200, r.text
        r = await budgeting.http.post(f"/budgets/{cid}/decision", headers=w, json={"reasoning": "HB-päätös"})
        assert r.status_code == 200, r.text

    await bounded(8, [lambda c=c: decide(c) for c in clients])
    provider_id = await verified_provider(marketplace.http, tokens, "prov-fault", body=1234567)
    offering_id = await offering(marketplace.http, tokens, "prov-fault", provider_id, price=PRICE)
    await eventually(lambda: stack.value("marketplace", "SELECT count(*) = $1 FROM clients", len(clients)), timeout=30)
    return offering_id


async def place_orders(marketplace: ServiceProcess, tokens: Any, clients: list[UUID], offering_id: str,
                       per_second: float) -> list[str]:
    orders: list[str] = []

    async def place(cid: UUID) -> None:
        r = await marketplace.http.post("/orders", headers=tokens(str(cid), "client"),
                                        json={"client_id": str(cid), "offering_id": offering_id, "quantity": 1})
        assert r.status_code == 202, r.text
        orders.append(r.json()["order_id"])

    await paced(clients, per_second, place)
    return orders


async def assert_every_order_answered_once(stack: Stack, orders: list[str]) -> None:
    await eventually(lambda: stack.value("marketplace", "SELECT count(*) = $2 FROM events WHERE event_type = $1",
                                         CONFIRMED, len(orders)), timeout=60)
    budgeting, marketplace = await stack.pool("budgeting"), await stack.pool("marketplace")
    answered = await budgeting.fetch("SELECT data->>'order_id' AS order_id, count(*) AS n FROM events"
                                     " WHERE event_type = ANY($1::text[]) GROUP BY 1", [RESERVED, REFUSED])
    assert {r["order_id"]: r["n"] for r in answered} == dict.fromkeys(orders, 1)  # exactly one answer each
    assert await budgeting.fetchval("SELECT count(*) FROM inbox WHERE event_type = $1", PLACED) == len(orders)
    assert await budgeting.fetchval("SELECT count(*) FROM budgets WHERE reserved_cents = $1", PRICE) == len(orders)
    confirmed = await marketplace.fetch("SELECT stream_id, count(*) AS n FROM events WHERE event_type = $1"
                                        " GROUP BY stream_id", CONFIRMED)
    assert {r["stream_id"]: r["n"] for r in confirmed} == {f"order-{o}": 1 for o in orders}
    assert await marketplace.fetchval("SELECT count(*) FROM inbox WHERE event_type = $1", RESERVED) == len(orders)
    await all_published(stack, "budgeting", "marketplace")
    await no_dead_letters(stack, "budgeting", "marketplace")


async def test_kill_9_of_budgeting_in_the_middle_of_two_flows_loses_and_doubles_nothing(stack: Stack, tokens):
    budgeting, marketplace = stack.process("budgeting"), stack.process("marketplace")
    await asyncio.gather(budgeting.start(), marketplace.start())
    clients = [uuid4() for _ in range(N)]
    await stack.register_keys(clients)

    # Flow 1: intake completions arrive; budgeting dies (SIGKILL) while opening budgets, and comes back.
    publishing = asyncio.create_task(
        paced(clients, 25, lambda c: stack.publish_intake(c, 1, intake_completed(c))))
    await eventually(lambda: _at_least(opened(stack), 8), timeout=30, interval=0.02)
    await kill_and_restart(budgeting)
    await publishing
    await eventually(lambda: _equals(opened(stack), N), timeout=60)
    await assert_every_intake_completion_opened_one_budget(stack, clients)

    # Flow 2: orders; budgeting dies again while reserving funds, the marketplace keeps taking orders.
    offering_id = await open_and_decide_budgets(stack, budgeting, marketplace, tokens, clients)
    ordering = asyncio.create_task(place_orders(marketplace, tokens, clients, offering_id, per_second=20))
    await eventually(lambda: _at_least(answers(stack), 5), timeout=30, interval=0.02)
    at_kill = await answers(stack)
    await kill_and_restart(budgeting)
    orders = await ordering
    assert at_kill < N, "the kill came after the flow, not in its middle"
    await assert_every_order_answered_once(stack, orders)


async def test_outbox_relay_killed_between_publish_and_mark_republishes_and_nothing_doubles(stack: Stack, tokens):
    # Budgeting's relay kills its process after its 2nd published batch holding a FundsReserved, before marking.
    budgeting = stack.process("budgeting", module="tests.fault.crashing_relay",
                              extra_env={"AVAIN_FAULT_SERVICE": "budgeting", "AVAIN_FAULT_CRASH_TYPE": "FundsReserved",
                                         "AVAIN_FAULT_CRASH_AT": "2"})
    marketplace = stack.process("marketplace")
    await asyncio.gather(budgeting.start(), marketplace.start())
    clients = [uuid4() for _ in range(N)]
    await stack.register_keys(clients)
    await bounded(8, [lambda c=c: stack.publish_intake(c, 1, intake_completed(c)) for c in clients])
    await eventually(lambda: _equals(opened(stack), N), timeout=60)
    offering_id = await open_and_decide_budgets(stack, budgeting, marketplace, tokens, clients)

    ordering = asyncio.create_task(place_orders(marketplace, tokens, clients, offering_id, per_second=20))
    assert await budgeting.wait_exit(timeout=60) == -9
    assert any(line.get("event") == "fault_injected" for line in budgeting.log_lines())
    # Published but never marked: the rows still wait in the outbox when the service comes back.
    unmarked = await stack.count("budgeting", "SELECT count(*) FROM outbox o JOIN events e USING (event_id)"
                                 " WHERE o.published_at IS NULL AND e.event_type = $1", RESERVED)
    assert unmarked >= 1
    budgeting.module = "services.budgeting"
    await budgeting.start()
    orders = await ordering
    await assert_every_order_answered_once(stack, orders)

    # The topic holds some FundsReserved twice (published again after the crash); each took effect once.
    records = [r for r in await read_records(stack.infra.bootstrap, stack.topic("budgeting"))
               if header(r, "ce_type") == RESERVED]
    ids = [header(r, "ce_id") for r in records]
    assert len(set(ids)) == N and len(ids) > N


async def test_kafka_stopped_and_restarted_under_load_loses_and_doubles_nothing(stack: Stack, tokens):
    intake, budgeting = stack.process("intake"), stack.process("budgeting")
    await asyncio.gather(intake.start(), budgeting.start())
    hetus = [make_hetu(date(1970, 1, 1) + timedelta(days=i), 100 + i) for i in range(N)]
    walked: list[str] = []

    async def walk(hetu: str) -> None:
        walked.append(await walk_to_completion(intake.http, tokens, hetu))

    async def completed_in_intake() -> int:
        return await stack.count("intake", "SELECT count(*) FROM events WHERE event_type = $1",
                                 intake_events.IntakeCompleted.event_type)

    first = asyncio.create_task(bounded(4, [lambda h=h: walk(h) for h in hetus[:20]]))
    await eventually(lambda: _at_least(opened(stack), 5), timeout=30, interval=0.05)
    await stack.infra.stop_kafka()
    # The broker is down: intake keeps taking commands (they wait in its outbox), budgeting waits.
    before = await completed_in_intake()
    await bounded(4, [lambda h=h: walk(h) for h in hetus[20:30]])
    after, budgets_meanwhile = await completed_in_intake(), await opened(stack)
    await stack.infra.start_kafka()
    await bounded(4, [lambda h=h: walk(h) for h in hetus[30:]])
    await first
    assert after - before >= 10 and budgets_meanwhile < after

    await eventually(lambda: _equals(opened(stack), N), timeout=90, interval=0.2)
    await assert_every_intake_completion_opened_one_budget(stack, [UUID(c) for c in walked])
    await all_published(stack, "intake", "budgeting")
    await no_dead_letters(stack, "budgeting")


async def test_postgres_restarted_under_load_loses_and_doubles_nothing(stack: Stack):
    budgeting = await stack.start("budgeting")
    clients = [uuid4() for _ in range(N)]
    steps: list[Any] = [
        lambda c: intake_completed(c),
        lambda c: intake_events.CoordinatorAssigned(client_id=c, worker_id="worker-eero", previous_worker_id=WORKER),
        lambda c: intake_events.ConsentWithdrawn(client_id=c),
        lambda c: intake_events.ConsentGiven(client_id=c, given_by="client"),
    ]

    async def send_step(version: int) -> None:
        await paced(clients, 200, lambda c: stack.publish_intake(c, version, steps[version - 1](c)))

    await send_step(1)
    await eventually(lambda: _at_least(opened(stack), 5), timeout=30, interval=0.02)
    await stack.infra.stop_postgres()
    await send_step(2)  # while the database is down
    await send_step(3)
    await stack.infra.start_postgres()
    await send_step(4)

    expected = [OPENED, budget_events.CoordinatorChanged.event_type, budget_events.BudgetFrozen.event_type,
                budget_events.BudgetUnfrozen.event_type]
    await eventually(lambda: stack.value("budgeting", "SELECT count(*) = $1 FROM events", N * len(expected)),
                     timeout=60, interval=0.2)
    pool = await stack.pool("budgeting")
    rows = await pool.fetch("SELECT stream_id, array_agg(event_type ORDER BY stream_version) AS types FROM events"
                            " GROUP BY stream_id")
    assert {r["stream_id"]: list(r["types"]) for r in rows} == {f"budget-{c}": expected for c in clients}
    assert await pool.fetchval("SELECT count(*) FROM inbox") == N * len(expected)
    await all_published(stack, "budgeting")
    on_topic = {header(r, "ce_id") for r in await read_records(stack.infra.bootstrap, stack.topic("budgeting"))}
    stored = {str(r["event_id"]) for r in await pool.fetch("SELECT event_id FROM events")}
    assert on_topic == stored
    await no_dead_letters(stack, "budgeting")
    assert budgeting.running


async def test_postgres_stopped_for_5_s_under_load_answers_503_with_retry_after_and_counts_accepted_commands_once(
        stack: Stack, tokens):
    budgeting = await stack.start("budgeting")
    clients = [uuid4() for _ in range(8)]
    await stack.register_keys(clients)
    for c in clients:
        await stack.publish_intake(c, 1, intake_completed(c))
    await eventually(lambda: _equals(opened(stack), len(clients)), timeout=60)
    w = tokens(WORKER, "worker")
    outcomes: list[tuple[str, int, str | None]] = []

    async def wish(i: int) -> None:
        correlation = f"load-{i}"
        r = await budgeting.http.post(f"/budgets/{clients[i % len(clients)]}/wishes", json={"text": f"Toive {i}"},
                                      headers=w | {"X-Correlation-ID": correlation})
        outcomes.append((correlation, r.status_code, r.headers.get("retry-after")))

    async def load() -> None:  # a steady 40 commands a second, each its own request in flight
        tasks: list[asyncio.Task[None]] = []
        await paced(list(range(400)), 40, lambda i: _spawn(tasks, wish(i)))
        await asyncio.gather(*tasks)

    sending = asyncio.create_task(load())
    await eventually(lambda: len(outcomes) >= 40, timeout=30, interval=0.05)
    await stack.infra.stop_postgres()
    ready = await budgeting.http.get("/ready")  # the hook checks it is a problem (503, Retry-After)
    assert ready.status_code == 503 and ready.json()["checks"]["database"] != "ok"
    await asyncio.sleep(5)  # the outage itself: five seconds of load against a stopped database
    await stack.infra.start_postgres()
    await sending

    statuses = Counter(status for _, status, _ in outcomes)
    assert set(statuses) <= {200, 503} and statuses[503] > 0 and statuses[200] > 0, statuses
    assert all(retry is not None and retry.isdigit() for _, status, retry in outcomes if status == 503)
    await eventually(lambda: _ready(budgeting), timeout=30)  # resumed by itself, same process
    assert budgeting.running
    accepted = {c for c, status, _ in outcomes if status == 200}
    rows = await (await stack.pool("budgeting")).fetch(
        "SELECT correlation_id, count(*) AS n FROM events WHERE event_type = $1 GROUP BY 1",
        budget_events.ClientWishRecorded.event_type)
    assert {r["correlation_id"]: r["n"] for r in rows} == dict.fromkeys(accepted, 1)  # refused: nothing written
    await all_published(stack, "budgeting")


async def _spawn(tasks: list[asyncio.Task[None]], job: Any) -> None:
    tasks.append(asyncio.create_task(job))


async def _ready(service: ServiceProcess) -> bool:
    return await service.ready_body() is not None


async def _at_least(value: Any, n: int) -> bool:
    return bool(await value >= n)


async def _equals(value: Any, n: int) -> bool:
    return bool(await value == n)
