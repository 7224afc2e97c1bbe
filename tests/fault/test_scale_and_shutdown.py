"""Several instances of a consuming service, and graceful shutdown, as real processes on a private broker and
database: two budgeting instances share the partitions of one consumer group, the survivor takes over a
killed instance's partitions and every client's events are applied once and in order; SIGTERM in the middle
of a burst finishes the record in hand, publishes what was committed, and loses nothing."""

from __future__ import annotations

import asyncio
from uuid import UUID, uuid4

import pytest

from contracts import budgeting as budget_events
from contracts import intake as intake_events
from services.budgeting.application.reactions import REACTIONS
from shared.kernel.envelope import EventEnvelope
from tests.fault.stack import WORKER, ServiceProcess, Stack, bounded, intake_completed, paced
from tests.fault.test_faults import OPENED, _at_least, _equals, all_published, no_dead_letters, opened
from tests.support import eventually

pytestmark = [pytest.mark.integration, pytest.mark.fault]

GROUP = REACTIONS.consumer  # its topics are those its reaction table hears (intake, marketplace, follow-up, ...)
CHANGED = budget_events.CoordinatorChanged.event_type


async def holding(service: ServiceProcess) -> set[str]:
    """The partitions this instance's consumer holds now, as its /ready reports them."""
    body = await service.ready_body()
    return set(body["consumers"][GROUP]["assigned"]) if body else set()


async def test_two_instances_share_partitions_a_survivor_takes_over_and_each_clients_order_holds(stack: Stack):
    a, b = stack.process("budgeting", label="budgeting-a"), stack.process("budgeting", label="budgeting-b")
    await asyncio.gather(a.start(), b.start())
    intake_topic = stack.topic("intake")
    topics = [stack.topic(s) for s in REACTIONS.sources]
    everything = {f"{t}:{p}" for t in topics for p in range(3)}

    async def shared() -> bool:
        held_a, held_b = await holding(a), await holding(b)
        of_intake = [{x for x in held if x.startswith(intake_topic)} for held in (held_a, held_b)]
        return not held_a & held_b and held_a | held_b == everything and all(of_intake)

    await eventually(shared, timeout=30, interval=0.2)

    clients = [uuid4() for _ in range(60)]
    sent: dict[UUID, list[EventEnvelope]] = {c: [] for c in clients}
    publishing = asyncio.create_task(publish_sequences(stack, clients, sent))

    async def both_at_work() -> bool:  # a applied records of its own, so its kill interrupts work it holds
        body = await a.ready_body()
        return await opened(stack) >= 15 and body is not None and body["consumers"][GROUP]["outcomes"].get("applied", 0) > 0

    await eventually(both_at_work, timeout=30, interval=0.02)
    body = await a.ready_body()
    assert body is not None and body["consumers"][GROUP]["outcomes"].get("applied", 0) > 0  # a did its share
    a.kill9()
    await a.wait_exit()
    # The survivor is given the dead instance's partitions once its session times out.
    await eventually(lambda: _holds_all(b, everything), timeout=40, interval=0.5)
    await publishing

    await assert_applied_once_in_order(stack, sent)
    await all_published(stack, "budgeting")  # the survivor's relay took over the relay lock as well
    await no_dead_letters(stack, "budgeting")


async def test_one_instance_with_a_consumer_per_partition_keeps_each_clients_order(stack: Stack):
    """AVAIN_CONSUMER_WORKERS=3: three members of the group in one process apply three partitions at once."""
    budgeting = await stack.start("budgeting", extra_env={"AVAIN_CONSUMER_WORKERS": "3"})
    topics = [stack.topic(s) for s in REACTIONS.sources]
    await eventually(lambda: _holds_all(budgeting, {f"{t}:{p}" for t in topics for p in range(3)}), timeout=30,
                     interval=0.2)
    clients = [uuid4() for _ in range(40)]
    sent: dict[UUID, list[EventEnvelope]] = {c: [] for c in clients}
    await publish_sequences(stack, clients, sent, per_second=400)
    await assert_applied_once_in_order(stack, sent)
    await all_published(stack, "budgeting")


WORKERS = [f"worker-{i}" for i in range(1, 5)]


async def publish_sequences(stack: Stack, clients: list[UUID], sent: dict[UUID, list[EventEnvelope]],
                            per_second: float = 120) -> None:
    """Per client: IntakeCompleted, then four coordinator changes, in stream order; clients interleaved."""

    async def send(item: tuple[UUID, int]) -> None:
        client, version = item
        event = intake_completed(client) if version == 1 else intake_events.CoordinatorAssigned(
            client_id=client, worker_id=WORKERS[version - 2], previous_worker_id=WORKER)
        sent[client].append(await stack.publish_intake(client, version, event))

    await paced([(c, v) for v in range(1, 6) for c in clients], per_second, send)


async def assert_applied_once_in_order(stack: Stack, sent: dict[UUID, list[EventEnvelope]]) -> None:
    expected = len(sent) * 5
    await eventually(lambda: stack.value("budgeting", "SELECT count(*) = $1 FROM events", expected), timeout=60,
                     interval=0.2)
    pool = await stack.pool("budgeting")
    assert await pool.fetchval("SELECT count(*) FROM inbox") == expected  # each intake event applied once
    version_of = {str(e.id): e.stream_version for envelopes in sent.values() for e in envelopes}
    rows = await pool.fetch("SELECT stream_id, array_agg(event_type ORDER BY stream_version) AS types,"
                            " array_agg(causation_id ORDER BY stream_version) AS causes,"
                            " array_agg(data->>'coordinator_id' ORDER BY stream_version) AS coordinators"
                            " FROM events GROUP BY stream_id")
    assert len(rows) == len(sent)
    for row in rows:
        assert list(row["types"]) == [OPENED, CHANGED, CHANGED, CHANGED, CHANGED]
        assert list(row["coordinators"]) == [WORKER, *WORKERS]  # applied in the client's stream order
        assert [version_of[c] for c in row["causes"]] == [1, 2, 3, 4, 5]


async def _holds_all(service: ServiceProcess, partitions: set[str]) -> bool:
    return await holding(service) == partitions


async def test_sigterm_during_a_burst_finishes_in_flight_work_and_loses_nothing(stack: Stack):
    budgeting = await stack.start("budgeting")
    clients = [uuid4() for _ in range(400)]
    before, after = clients[:350], clients[350:]

    async def publish(some: list[UUID]) -> None:
        await bounded(16, [lambda c=c: stack.publish_intake(c, 1, intake_completed(c)) for c in some])

    burst = asyncio.create_task(publish(before))
    await eventually(lambda: _at_least(opened(stack), 20), timeout=30, interval=0.02)
    code = await budgeting.terminate(timeout=30)
    # The burst goes on after the process has left: on a loaded machine the service may have taken in all of the
    # first part (a whole batch in flight is finished), but never what came after it stopped.
    await burst
    await publish(after)
    assert code in (0, -15), f"exit code {code}"
    lines = budgeting.log_lines()
    assert any(line.get("event") == "service_stopped" for line in lines)
    applied = await stack.count("budgeting", "SELECT count(*) FROM inbox")
    assert 20 <= applied <= len(before), "the service went on consuming after SIGTERM"
    # What the consumer committed before stopping was published before the process left.
    assert await stack.count("budgeting", "SELECT count(*) FROM outbox WHERE published_at IS NULL") == 0

    await budgeting.start()
    await eventually(lambda: _equals(opened(stack), len(clients)), timeout=60, interval=0.1)
    assert await stack.count("budgeting", "SELECT count(*) FROM inbox") == len(clients)
    after_restart = budgeting.log_lines()[len(lines):]
    # Every record applied before SIGTERM had its offset committed: none came back as a duplicate.
    assert not [x for x in after_restart if x.get("event") == "event_duplicate_skipped"]
    await all_published(stack, "budgeting")
