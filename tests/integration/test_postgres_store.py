"""PostgreSQL's store passes the store suite that the memory store passes (tests/unit/test_memory_store.py)."""

from __future__ import annotations

import asyncpg
import pytest

from shared.infra.postgres_store import PostgresEventStore
from tests.store_suite import StoreSuite

pytestmark = pytest.mark.integration


@pytest.fixture
def store(kernel_pool: asyncpg.Pool) -> PostgresEventStore:
    return PostgresEventStore(kernel_pool, source="/avain/test", topic="avain.test.events.v1")


class TestPostgresStore(StoreSuite):
    pass


async def test_many_new_streams_start_in_one_statement_each_with_its_outbox_row(store: PostgresEventStore) -> None:
    """What the access log of a page showing many clients appends: one event in each of many new streams."""
    from datetime import UTC, datetime
    from uuid import uuid4

    from shared.infra.eventstore import CommandContext, ConcurrencyError
    from shared.kernel.envelope import Actor
    from tests.store_suite import Noted

    ctx = CommandContext(actor=Actor(id="worker-1", role="worker"), correlation_id="c-1", now=datetime.now(UTC))
    starts = [(f"access-{uuid4()}", f"subject-{n}", Noted(n=n)) for n in range(3)]
    async with store.transaction() as session:
        appended = await store.start_streams(session, starts, ctx)
    assert [(e.stream_id, e.stream_version, e.subject, e.prev_hash) for e in appended] == [
        (s, 1, subject, None) for s, subject, _ in starts]
    for stream_id, _, event in starts:
        [stored] = await store.read_stream(stream_id)
        assert stored.data == event.model_dump(mode="json") and stored.hash == stored.content_hash()
    queued = await store.pool.fetchval(
        "SELECT count(*) FROM outbox JOIN events USING (event_id) WHERE stream_id = ANY($1::text[])",
        [s for s, _, _ in starts])
    assert queued == 3
    with pytest.raises(ConcurrencyError):  # a stream that exists already: nothing of the statement is written
        async with store.transaction() as session:
            await store.start_streams(session, [(f"access-{uuid4()}", "x", Noted(n=9)), starts[0]], ctx)
    assert await store.pool.fetchval("SELECT count(*) FROM events WHERE subject = 'x'") == 0
