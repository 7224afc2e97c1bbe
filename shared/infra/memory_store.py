"""The event store in memory, for application tests: the same interface and guarantees as PostgreSQL's.

A session buffers its writes and applies them at commit, so nothing uncommitted is seen outside it and a
session that raises leaves no trace. Concurrency follows PostgreSQL where tests can tell: two sessions
appending the same version of a stream cannot both win (the second gets ConcurrencyError at once, where
PostgreSQL would make it wait for the first to commit and then refuse it), and ``lock_stream`` queues
sessions one after the other. Outbox ids are given at commit, so the outbox is in commit order.
tests/store_suite.py holds both stores to these rules.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from uuid import UUID

from shared.infra.eventstore import CommandContext, ConcurrencyError, EventStore, OutboxRow
from shared.kernel.envelope import EventEnvelope
from shared.kernel.events import DomainEvent


@dataclass
class MemorySession:
    appended: dict[str, list[EventEnvelope]] = field(default_factory=dict)
    inbox: set[tuple[str, UUID]] = field(default_factory=set)
    locks: list[asyncio.Lock] = field(default_factory=list)
    locked: set[str] = field(default_factory=set)


class InMemoryEventStore(EventStore):
    def __init__(self, *, source: str = "/avain/test", topic: str = "avain.test.events.v1") -> None:
        self.source = source
        self.topic = topic
        self._streams: dict[str, list[EventEnvelope]] = {}
        self._outbox: list[OutboxRow] = []
        self._published: set[int] = set()
        self._inbox: set[tuple[str, UUID]] = set()
        self._claims: dict[tuple[str, int], MemorySession] = {}  # versions appended by sessions still open
        self._inbox_claims: dict[tuple[str, UUID], MemorySession] = {}  # inbox rows of sessions still open
        self._locks: dict[str, asyncio.Lock] = {}

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[MemorySession]:
        session = MemorySession()
        try:
            yield session
        except BaseException:
            self._end(session)
            raise
        self._commit(session)
        self._end(session)

    def _commit(self, session: MemorySession) -> None:
        for stream_id, envelopes in session.appended.items():
            self._streams.setdefault(stream_id, []).extend(envelopes)
            for envelope in envelopes:
                self._outbox.append(OutboxRow(len(self._outbox) + 1, self.topic, envelope))
        self._inbox |= session.inbox

    def _end(self, session: MemorySession) -> None:
        for key in [k for k, owner in self._claims.items() if owner is session]:
            del self._claims[key]
        for inbox_key in session.inbox:
            self._inbox_claims.pop(inbox_key, None)
        for lock in session.locks:
            lock.release()

    async def read_stream(self, stream_id: str, session: MemorySession | None = None, *,
                          from_version: int = 1) -> list[EventEnvelope]:
        events = [*self._streams.get(stream_id, ()), *(session.appended.get(stream_id, ()) if session else ())]
        return events[from_version - 1:]

    async def append(self, session: MemorySession, stream_id: str, expected_version: int,
                     events: Sequence[DomainEvent], ctx: CommandContext, *, subject: str,
                     head_hash: str | None = None) -> list[EventEnvelope]:
        if not events:
            return []
        stream = await self.read_stream(stream_id, session)
        versions = range(expected_version + 1, expected_version + len(events) + 1)
        taken = any(self._claims.get((stream_id, v), session) is not session for v in versions)
        if len(stream) != expected_version or taken:
            raise ConcurrencyError(stream_id, expected_version, None if taken else len(stream))
        prev_hash = stream[-1].hash if stream else None
        envelopes = self.envelopes(stream_id, expected_version, events, ctx, subject, prev_hash)
        session.appended.setdefault(stream_id, []).extend(envelopes)
        for version in versions:
            self._claims[(stream_id, version)] = session
        return envelopes

    async def lock_stream(self, session: MemorySession, stream_id: str) -> None:
        if stream_id in session.locked:
            return
        lock = self._locks.setdefault(stream_id, asyncio.Lock())
        await lock.acquire()
        session.locks.append(lock)
        session.locked.add(stream_id)

    async def claim_inbox(self, session: MemorySession, consumer: str,
                          envelopes: Sequence[EventEnvelope]) -> set[UUID]:
        fresh: set[UUID] = set()
        for envelope in envelopes:
            key = (consumer, envelope.id)
            if key not in self._inbox and key not in self._inbox_claims:  # PostgreSQL: the primary key decides
                session.inbox.add(key)
                self._inbox_claims[key] = session
                fresh.add(envelope.id)
        return fresh

    async def unpublished(self, limit: int = 500) -> list[OutboxRow]:
        return [row for row in self._outbox if row.id not in self._published][:limit]

    async def mark_published(self, ids: Sequence[int]) -> None:
        self._published.update(ids)
