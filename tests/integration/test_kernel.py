"""The event-sourcing kernel against real PostgreSQL and Kafka: the outbox relay and the idempotent
consumer. A tiny event type stands in for a service's contracts."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from uuid import uuid4

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer

from shared.infra.aggregate import Aggregate, CommandRunner
from shared.infra.consumer import DeadLetters, IdempotentConsumer, PoisonEvent, subscribe
from shared.infra.db import ensure_database
from shared.infra.eventstore import CommandContext, ConcurrencyError
from shared.infra.kafka import make_broker, make_producer
from shared.infra.outbox import OutboxRelay
from shared.infra.postgres_store import PostgresEventStore as EventStore
from shared.infra.settings import ServiceSettings
from shared.infra.topics import ensure_topics
from shared.kernel.envelope import Actor, EventEnvelope
from shared.kernel.events import DomainEvent, EventRegistry
from tests.support import eventually, read_topic

pytestmark = pytest.mark.integration


class Noted(DomainEvent):
    event_type = "fi.avain.test.Noted"
    n: int


def ctx() -> CommandContext:
    return CommandContext(actor=Actor(id="tester", role="system"), correlation_id=str(uuid4()), now=datetime.now(UTC))


@pytest.fixture
def pool(kernel_pool: asyncpg.Pool) -> asyncpg.Pool:
    return kernel_pool


@pytest.fixture
def topic(settings: ServiceSettings) -> str:
    return f"{settings.topic_prefix}avain.kernel.events.v1"


@pytest.fixture
async def producer(settings: ServiceSettings, topic: str) -> AsyncIterator[AIOKafkaProducer]:
    await ensure_topics(settings.kafka_bootstrap, {topic: 3, topic + ".dlt": 1})
    p = make_producer(settings.kafka_bootstrap, client_id="test")
    await p.start()
    yield p
    await p.stop()


async def append(store: EventStore, stream: str, expected: int, *ns: int) -> list[EventEnvelope]:
    async with store.pool.acquire() as conn, conn.transaction():
        return await store.append(conn, stream, expected, [Noted(n=n) for n in ns], ctx(), subject=stream)


async def test_services_starting_together_create_a_shared_database_once(settings: ServiceSettings) -> None:
    """Regression: several services starting at once raced on CREATE DATABASE of the key vault."""
    name = settings.keys_database
    await asyncio.gather(*(ensure_database(settings.pg_dsn, name) for _ in range(6)))
    conn = await asyncpg.connect(settings.pg_dsn)
    try:
        assert await conn.fetchval("SELECT count(*) FROM pg_database WHERE datname = $1", name) == 1
    finally:
        await conn.close()


async def test_append_checks_the_expected_version_and_chains_hashes(pool: asyncpg.Pool, topic: str) -> None:
    store = EventStore(pool, source="/avain/test", topic=topic)
    first = await append(store, "s-1", 0, 1, 2)
    with pytest.raises(ConcurrencyError):
        await append(store, "s-1", 1, 3)
    with pytest.raises(ConcurrencyError):
        await append(store, "s-1", 0, 3)
    events = await store.read_stream("s-1")
    assert [e.stream_version for e in events] == [1, 2]
    assert events[0].prev_hash is None and events[1].prev_hash == events[0].hash == first[0].hash
    assert all(e.content_hash() == e.hash for e in events)  # survives the round trip through PostgreSQL
    assert await pool.fetchval("SELECT count(*) FROM outbox") == 2
    with pytest.raises(asyncpg.RaiseError, match="immutable"):
        await pool.execute("UPDATE events SET data = '{}' WHERE stream_id = 's-1'")


def counter() -> Aggregate[int]:
    """A tally of the Noted numbers; a command notes the next one, refused once the tally is over 100."""
    registry = EventRegistry()
    registry.register(Noted)

    def decide(n: int, total: int) -> list[DomainEvent]:
        if total > 100:
            raise ValueError("full")
        return [Noted(n=n)]

    return Aggregate(0, lambda total, e: total + e.n, decide, registry)  # type: ignore[attr-defined]


async def test_commands_fold_only_new_events_yet_never_trust_a_head_that_did_not_commit(pool, topic) -> None:
    """A runner keeps each stream's last head, to fold only what came after it. A head it cached inside a
    transaction that then rolled back, or one another instance has moved past, must never be decided on."""
    store = EventStore(pool, source="/avain/test", topic=topic)
    this, other = CommandRunner(store, counter()), CommandRunner(store, counter())
    stream = f"tally-{uuid4()}"
    await this.execute(stream, 1, ctx(), subject=stream)
    assert (await this.execute(stream, 2, ctx(), subject=stream)).state == 3

    # Another instance appends: this one folds the new event onto its cached head.
    await other.execute(stream, 10, ctx(), subject=stream)
    assert (await this.current(stream)).state == 13 and (await this.current(stream)).version == 3

    # A command whose transaction rolls back (e.g. a consumer's batch failed later on): its head was cached.
    with pytest.raises(RuntimeError):
        async with pool.acquire() as conn, conn.transaction():
            await this.execute(stream, 50, ctx(), subject=stream, conn=conn)
            raise RuntimeError("the rest of the transaction failed")
    assert (await this.current(stream)).state == 13  # not 63: the cached head is not in the store
    # ... and when another writer took that version meanwhile, its event is the one that counts.
    with pytest.raises(RuntimeError):
        async with pool.acquire() as conn, conn.transaction():
            await this.execute(stream, 50, ctx(), subject=stream, conn=conn)
            raise RuntimeError("rolled back")
    await other.execute(stream, 7, ctx(), subject=stream)
    done = await this.execute(stream, 1, ctx(), subject=stream)
    assert (done.state, done.version) == (21, 5)
    events = await store.read_stream(stream)
    assert [e.data["n"] for e in events] == [1, 2, 10, 7, 1]
    assert all(e.prev_hash == p.hash for p, e in itertools.pairwise(events))  # one unbroken chain


async def test_relay_never_skips_a_row_that_commits_late(pool, producer, topic) -> None:
    store = EventStore(pool, source="/avain/test", topic=topic)
    relay = OutboxRelay(pool, producer)
    async with pool.acquire() as slow:
        tx = slow.transaction()
        await tx.start()
        await store.append(slow, "late", 0, [Noted(n=1)], ctx(), subject="late")  # lower outbox id, uncommitted
        await append(store, "early", 0, 2)  # higher outbox id, committed first
        assert await relay.publish_pending() == 1
        await tx.commit()
    assert await relay.publish_pending() == 1
    records = await read_topic(topic, 2)
    assert sorted(r.key for r in records) == [b"early", b"late"]
    assert await pool.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 0


async def test_relay_stopped_between_publish_and_mark_republishes_and_the_inbox_drops_duplicates(
    pool, producer, topic, settings
) -> None:
    store = EventStore(pool, source="/avain/test", topic=topic)
    for i in range(10):
        await append(store, f"client-{i % 3}", i // 3, i)

    async def crash(_ids: list[int]) -> None:
        raise RuntimeError("relay killed before marking")

    with pytest.raises(RuntimeError):
        await OutboxRelay(pool, producer, batch_size=4, before_mark=crash).publish_pending()
    assert await OutboxRelay(pool, producer, batch_size=4).publish_pending() == 10  # restarted: all of them

    await pool.execute("CREATE TABLE effects (event_id UUID, stream TEXT, n INT)")

    async def effect(conn: asyncpg.Connection, envelope: EventEnvelope) -> None:
        await conn.execute("INSERT INTO effects VALUES ($1, $2, $3)", envelope.id, envelope.stream_id,
                           envelope.data["n"])

    broker = make_broker(settings.kafka_bootstrap, client_id="test-consumer")
    consumer = IdempotentConsumer(pool, "test-consumer", effect, DeadLetters(producer, topic + ".dlt", "test"))
    subscribe(broker, consumer, topic, group_id=f"{settings.topic_prefix}test-consumer")
    await broker.start()
    try:
        # 4 records were published twice: wait until all 14 deliveries were handled
        await eventually(lambda: sum(consumer.outcomes.values()) == 14, timeout=30)
        assert consumer.outcomes == {"applied": 10, "duplicate": 4}
        assert await pool.fetchval("SELECT count(*) FROM effects") == 10
        assert await pool.fetchval("SELECT count(DISTINCT event_id) FROM effects") == 10
        # per-client order survived the republish
        for stream in ("client-0", "client-1", "client-2"):
            ns = [r["n"] for r in await pool.fetch("SELECT n FROM effects WHERE stream = $1", stream)]
            assert ns == sorted(ns)
        assert await pool.fetchval("SELECT count(*) FROM inbox") == 10
    finally:
        await broker.stop()


async def test_poison_and_malformed_records_go_to_the_dead_letter_topic_and_the_consumer_goes_on(
    pool, producer, topic, settings
) -> None:
    store = EventStore(pool, source="/avain/test", topic=topic)
    await pool.execute("CREATE TABLE effects (n INT)")

    async def effect(conn: asyncpg.Connection, envelope: EventEnvelope) -> None:
        if envelope.data["n"] < 0:
            raise PoisonEvent("n must not be negative")
        await conn.execute("INSERT INTO effects VALUES ($1)", envelope.data["n"])

    await producer.send_and_wait(topic, value=b"{not json", key=b"k", headers=[("ce_specversion", b"1.0")])
    await append(store, "k", 0, -1)
    await append(store, "k", 1, 7)
    await OutboxRelay(pool, producer).publish_pending()

    broker = make_broker(settings.kafka_bootstrap, client_id="test-consumer")
    consumer = IdempotentConsumer(pool, "test-consumer", effect, DeadLetters(producer, topic + ".dlt", "test"))
    subscribe(broker, consumer, topic, group_id=f"{settings.topic_prefix}dlt-test")
    await broker.start()
    try:
        await eventually(lambda: pool.fetchval("SELECT count(*) = 1 FROM effects"), timeout=30)
    finally:
        await broker.stop()
    dead = await read_topic(topic + ".dlt", 2)
    reasons = sorted(dict(r.headers)["dlt_reason"].decode() for r in dead)
    assert len(reasons) == 2
    assert reasons[0].startswith("PoisonEvent: n must not be negative")
    assert reasons[1].startswith("malformed record")
    malformed = next(r for r in dead if dict(r.headers)["dlt_reason"].startswith(b"malformed"))
    assert malformed.value == b"{not json" and dict(malformed.headers)["ce_specversion"] == b"1.0"
    assert await pool.fetchval("SELECT count(*) FROM inbox") == 1  # the refused one left no trace
