"""One test suite for every event store (as pyeventsourcing's tests/persistence.py is for its recorders).

A backend's test module subclasses ``StoreSuite`` and provides a ``store`` fixture: tests/unit/test_memory_store.py
runs it on the memory store, tests/integration/test_postgres_store.py on PostgreSQL. Application tests on the
memory store are worth what this suite holds the two stores to.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from uuid import uuid4

import pytest

from shared.infra.eventstore import CommandContext, ConcurrencyError, EventStore
from shared.kernel.envelope import Actor, EventEnvelope
from shared.kernel.events import DomainEvent


class Noted(DomainEvent):
    event_type = "fi.avain.test.Noted"
    n: int


def ctx() -> CommandContext:
    return CommandContext(actor=Actor(id="tester", role="system"), correlation_id=str(uuid4()), now=datetime.now(UTC))


def new_stream() -> str:
    return f"stream-{uuid4()}"


async def append(store: EventStore, stream: str, expected: int, *ns: int) -> list[EventEnvelope]:
    async with store.transaction() as session:
        return await store.append(session, stream, expected, [Noted(n=n) for n in ns], ctx(), subject=stream)


async def ns_of(store: EventStore, stream: str) -> list[int]:
    return [e.data["n"] for e in await store.read_stream(stream)]


class StoreSuite:
    async def test_appended_events_read_back_in_order_chained_by_hash(self, store: EventStore) -> None:
        stream = new_stream()
        await append(store, stream, 0, 1, 2)
        await append(store, stream, 2, 3)
        events = await store.read_stream(stream)
        assert [(e.stream_version, e.data["n"]) for e in events] == [(1, 1), (2, 2), (3, 3)]
        assert events[0].prev_hash is None
        assert all(e.hash == e.content_hash() for e in events)
        assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
        assert [e.data["n"] for e in await store.read_stream(stream, from_version=2)] == [2, 3]

    async def test_a_stale_expected_version_is_refused_and_writes_nothing(self, store: EventStore) -> None:
        stream = new_stream()
        await append(store, stream, 0, 1)
        with pytest.raises(ConcurrencyError):
            await append(store, stream, 0, 99)
        with pytest.raises(ConcurrencyError):
            await append(store, stream, 2, 99)  # ahead of the stream is as wrong as behind it
        assert await ns_of(store, stream) == [1]

    async def test_of_two_concurrent_appends_to_one_stream_exactly_one_wins(self, store: EventStore) -> None:
        stream = new_stream()
        await append(store, stream, 0, 1)
        both_read = asyncio.Barrier(2)

        async def writer(n: int) -> bool:
            async with store.transaction() as session:
                head = len(await store.read_stream(stream, session))
                await both_read.wait()  # each decided on version 1 before either appends
                try:
                    await store.append(session, stream, head, [Noted(n=n)], ctx(), subject=stream)
                except ConcurrencyError:
                    return False
            return True

        outcomes = await asyncio.gather(writer(2), writer(3))
        assert sorted(outcomes) == [False, True]
        assert len(await ns_of(store, stream)) == 2

    async def test_a_session_reads_its_own_writes_and_nobody_else_does_before_commit(self, store: EventStore) -> None:
        stream = new_stream()
        await append(store, stream, 0, 1)
        async with store.transaction() as session:
            await store.append(session, stream, 1, [Noted(n=2)], ctx(), subject=stream)
            assert [e.data["n"] for e in await store.read_stream(stream, session)] == [1, 2]
            assert await ns_of(store, stream) == [1]
        assert await ns_of(store, stream) == [1, 2]

    async def test_a_session_that_raises_leaves_no_event_outbox_row_or_inbox_row(self, store: EventStore) -> None:
        stream, before = new_stream(), len(await store.unpublished(10_000))
        with pytest.raises(RuntimeError):
            async with store.transaction() as session:
                [envelope] = await store.append(session, stream, 0, [Noted(n=1)], ctx(), subject=stream)
                await store.claim_inbox(session, "test-consumer", [envelope])
                raise RuntimeError("the effect failed")
        assert await store.read_stream(stream) == []
        assert len(await store.unpublished(10_000)) == before
        async with store.transaction() as session:
            assert await store.claim_inbox(session, "test-consumer", [envelope]) == {envelope.id}

    async def test_the_outbox_lists_committed_rows_in_commit_order_and_never_skips_a_late_commit(
            self, store: EventStore) -> None:
        a, b = new_stream(), new_stream()
        pending = [row.id for row in await store.unpublished(10_000)]
        await store.mark_published(pending)  # what earlier tests left
        first = await append(store, a, 0, 1)
        second = await append(store, b, 0, 2)
        third = await append(store, a, 1, 3, 4)
        rows = await store.unpublished()
        assert [r.envelope.id for r in rows] == [e.id for e in (*first, *second, *third)]
        assert {r.topic for r in rows} == {store.topic}
        await store.mark_published([r.id for r in rows])
        async with store.transaction() as session:
            [late] = await store.append(session, b, 1, [Noted(n=5)], ctx(), subject=b)
            assert await store.unpublished() == []  # not committed yet: not to be published
        assert [r.envelope.id for r in await store.unpublished()] == [late.id]

    async def test_the_inbox_admits_an_event_once_per_consumer(self, store: EventStore) -> None:
        stream = new_stream()
        one, two = await append(store, stream, 0, 1, 2)
        async with store.transaction() as session:
            assert await store.claim_inbox(session, "budgeting", [one, two, one]) == {one.id, two.id}
        async with store.transaction() as session:
            assert await store.claim_inbox(session, "budgeting", [two, one]) == set()  # redelivered: duplicates
            assert await store.claim_inbox(session, "history", [one]) == {one.id}  # another consumer's own inbox

    async def test_locked_sessions_on_one_stream_run_one_after_the_other(self, store: EventStore) -> None:
        stream, log = new_stream(), []

        async def locked(name: str) -> None:
            async with store.transaction() as session:
                await store.lock_stream(session, stream)
                log.append(f"{name} in")
                await asyncio.sleep(0.05)
                log.append(f"{name} out")

        await asyncio.gather(locked("a"), locked("b"))
        assert log in (["a in", "a out", "b in", "b out"], ["b in", "b out", "a in", "a out"])
