"""The event store on PostgreSQL, with the transactional outbox and the consumers' inbox.

``append`` runs inside the caller's transaction, so the events, their outbox rows and whatever else the
command writes (an inbox row, a projection) commit together or not at all.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any
from uuid import UUID

import asyncpg

from shared.infra.eventstore import CommandContext, ConcurrencyError, EventStore, OutboxRow
from shared.kernel.envelope import Actor, EventEnvelope
from shared.kernel.events import DomainEvent

OUTBOX_CHANNEL = "avain_outbox"

# What the relay publishes next: committed rows still unpublished, in outbox order (see outbox.py for why that
# never skips a late commit).
UNPUBLISHED = """
SELECT o.id AS outbox_id, o.topic, e.*
FROM outbox o JOIN events e USING (event_id)
WHERE o.published_at IS NULL
ORDER BY o.id
LIMIT $1
"""


def envelope_of_row(row: asyncpg.Record) -> EventEnvelope:
    """An event as stored (a row of ``events``, also joined with the outbox) back into its envelope."""
    return EventEnvelope(
        id=row["event_id"],
        source=row["source"],
        type=row["event_type"],
        schema_version=row["schema_version"],
        time=row["occurred_at"],
        subject=row["subject"],
        stream_id=row["stream_id"],
        stream_version=row["stream_version"],
        correlation_id=row["correlation_id"],
        causation_id=row["causation_id"],
        actor=Actor(id=row["actor_id"], role=row["actor_role"]),
        data=json.loads(row["data"]),
        prev_hash=row["prev_hash"],
        hash=row["hash"],
        hash_version=row["hash_version"],
    )


_SELECT = "SELECT * FROM events"


class PostgresEventStore(EventStore):
    def __init__(self, pool: asyncpg.Pool, *, source: str, topic: str) -> None:
        self.pool = pool
        self.source = source
        self.topic = topic

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[asyncpg.Connection]:
        async with self.pool.acquire() as conn, conn.transaction():
            yield conn

    async def read_stream(
        self, stream_id: str, session: asyncpg.Connection | None = None, *, from_version: int = 1
    ) -> list[EventEnvelope]:
        query = f"{_SELECT} WHERE stream_id = $1 AND stream_version >= $2 ORDER BY stream_version"
        rows = await (session or self.pool).fetch(query, stream_id, from_version)
        return [envelope_of_row(r) for r in rows]

    async def read_subject(self, subject: str) -> list[EventEnvelope]:
        rows = await self.pool.fetch(f"{_SELECT} WHERE subject = $1 ORDER BY global_position", subject)
        return [envelope_of_row(r) for r in rows]

    async def read_all(self, after: int = 0, limit: int = 1000) -> list[tuple[int, EventEnvelope]]:
        """Events by global position (for rebuilds and audits of committed history, not for tailing)."""
        rows = await self.pool.fetch(
            f"{_SELECT} WHERE global_position > $1 ORDER BY global_position LIMIT $2", after, limit
        )
        return [(r["global_position"], envelope_of_row(r)) for r in rows]

    async def lock_stream(self, session: asyncpg.Connection, stream_id: str) -> None:
        await session.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", stream_id)

    async def claim_inbox(self, session: asyncpg.Connection, consumer: str,
                          envelopes: Sequence[EventEnvelope]) -> set[UUID]:
        return await claim_inbox(session, consumer, envelopes)

    async def unpublished(self, limit: int = 500) -> list[OutboxRow]:
        rows = await self.pool.fetch(UNPUBLISHED, limit)
        return [OutboxRow(r["outbox_id"], r["topic"], envelope_of_row(r)) for r in rows]

    async def mark_published(self, ids: Sequence[int]) -> None:
        await self.pool.execute("UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])", list(ids))

    async def append(
        self,
        session: asyncpg.Connection,
        stream_id: str,
        expected_version: int,
        events: Sequence[DomainEvent],
        ctx: CommandContext,
        *,
        subject: str,
        head_hash: str | None = None,
    ) -> list[EventEnvelope]:
        """Must run inside a transaction on ``session``. Raises ConcurrencyError when the stream is not at
        ``expected_version``, also when a concurrent writer got there first (the unique constraint on
        (stream_id, stream_version) decides the race, so no lock is held across the command).

        ``head_hash``: the hash of event ``expected_version``, when the caller has just read the stream in this
        transaction (CommandRunner does); it saves reading the head again. Were the caller's view stale, a
        concurrent writer holds version ``expected_version + 1`` and the insert fails on the constraint.
        """
        if not events:
            return []
        if head_hash is not None or expected_version == 0:
            prev_hash = head_hash
        else:
            head = await session.fetchrow(
                "SELECT stream_version, hash FROM events WHERE stream_id = $1"
                " ORDER BY stream_version DESC LIMIT 1",
                stream_id,
            )
            actual = head["stream_version"] if head else 0
            if actual != expected_version:
                raise ConcurrencyError(stream_id, expected_version, actual)
            prev_hash = head["hash"] if head else None
        envelopes = self.envelopes(stream_id, expected_version, events, ctx, subject, prev_hash)
        columns = list(zip(*(_insert_args(e) for e in envelopes), strict=True))
        try:
            # One round trip: the events, their outbox rows (in stream order) and the relay's wake-up call.
            await session.execute(_APPEND, *columns, self.topic, OUTBOX_CHANNEL)
        except asyncpg.UniqueViolationError as exc:
            if exc.constraint_name == "events_stream_version_unique":
                raise ConcurrencyError(stream_id, expected_version) from exc
            raise
        return envelopes

    async def start_streams(self, session: asyncpg.Connection, starts: Sequence[tuple[str, str, DomainEvent]],
                            ctx: CommandContext) -> list[EventEnvelope]:
        """Many new streams of one event each (stream id, subject, event) in one statement: what one answer that
        shows many clients appends to the access log, one event per client, without a round trip per client.

        Must run inside a transaction on ``session``. Raises ConcurrencyError when any of the streams exists."""
        envelopes = [e for stream_id, subject, event in starts
                     for e in self.envelopes(stream_id, 0, [event], ctx, subject, None)]
        if not envelopes:
            return []
        columns = list(zip(*(_insert_args(e) for e in envelopes), strict=True))
        try:
            await session.execute(_APPEND, *columns, self.topic, OUTBOX_CHANNEL)
        except asyncpg.UniqueViolationError as exc:
            if exc.constraint_name == "events_stream_version_unique":
                raise ConcurrencyError(envelopes[0].stream_id, 0) from exc
            raise
        return envelopes


async def claim_inbox(conn: asyncpg.Connection, consumer: str, envelopes: Sequence[EventEnvelope]) -> set[UUID]:
    """The inbox rows of ``envelopes`` in one statement; the primary key (consumer, event_id) drops duplicates,
    also those a concurrent transaction inserts first (it waits for that one's end)."""
    rows = await conn.fetch(
        "INSERT INTO inbox (consumer, event_id, event_type)"
        " SELECT $1, * FROM unnest($2::uuid[], $3::text[]) ON CONFLICT DO NOTHING RETURNING event_id",
        consumer, [e.id for e in envelopes], [e.type for e in envelopes],
    )
    return {r["event_id"] for r in rows}


# Events, outbox rows and the NOTIFY in one statement (a data-modifying WITH always runs to completion). The
# outbox ids follow stream order, which the relay's ordering relies on; NOTIFY is delivered at commit, so the
# relay wakes only for committed rows.
_APPEND = """
WITH appended AS (
    INSERT INTO events (stream_id, stream_version, event_id, event_type, schema_version, source, subject,
                        occurred_at, correlation_id, causation_id, actor_id, actor_role, data, prev_hash, hash)
    SELECT * FROM unnest($1::text[], $2::int[], $3::uuid[], $4::text[], $5::int[], $6::text[], $7::text[],
                         $8::timestamptz[], $9::text[], $10::text[], $11::text[], $12::text[], $13::jsonb[],
                         $14::text[], $15::text[])
    RETURNING event_id, stream_version
), queued AS (
    INSERT INTO outbox (event_id, topic) SELECT event_id, $16 FROM appended ORDER BY stream_version
)
SELECT pg_notify($17, '')
"""


def _insert_args(e: EventEnvelope) -> tuple[Any, ...]:
    return (
        e.stream_id,
        e.stream_version,
        e.id,
        e.type,
        e.schema_version,
        e.source,
        e.subject,
        e.time,
        e.correlation_id,
        e.causation_id,
        e.actor.id,
        e.actor.role,
        json.dumps(e.data, ensure_ascii=False),
        e.prev_hash,
        e.hash,
    )

