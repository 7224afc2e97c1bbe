"""Running a command against an event-sourced aggregate: load, fold, authorise, decide, append.

One command, one aggregate, one transaction: the new events, their outbox rows and the inline
projection commit together (and, in a consumer, the inbox row too).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Generic, TypeVar

import asyncpg

from shared.envelope import EventEnvelope
from shared.events import DomainEvent, EventRegistry
from shared.eventstore import CommandContext, ConcurrencyError, EventStore

S = TypeVar("S")

Projector = Callable[[asyncpg.Connection, S, Sequence[EventEnvelope]], Awaitable[None]]


@dataclass(frozen=True)
class Aggregate(Generic[S]):
    initial: S
    evolve: Callable[[S, DomainEvent], S]
    decide: Callable[[Any, S], list[DomainEvent]]
    registry: EventRegistry

    def fold(self, envelopes: Sequence[EventEnvelope], state: S | None = None) -> S:
        current = self.initial if state is None else state
        for envelope in envelopes:
            current = self.evolve(current, self.registry.load(envelope.type, envelope.schema_version, envelope.data))
        return current


@dataclass(frozen=True)
class Loaded(Generic[S]):
    state: S
    version: int
    events: list[EventEnvelope]


@dataclass(frozen=True)
class Executed(Generic[S]):
    state: S
    version: int
    new_events: list[EventEnvelope]


class CommandRunner(Generic[S]):
    def __init__(
        self,
        store: EventStore,
        aggregate: Aggregate[S],
        projector: Projector[S] | None = None,
        *,
        serialize: bool = False,
    ) -> None:
        """``serialize``: commands on one stream queue behind a transaction-scoped advisory lock instead of
        racing to a version conflict. For aggregates that many writers hit at once (a budget under
        concurrent orders); the expected-version check stays as the guard."""
        self.store = store
        self.aggregate = aggregate
        self._projector = projector
        self._serialize = serialize

    async def load(self, stream_id: str, conn: asyncpg.Connection | None = None) -> Loaded[S]:
        events = await self.store.read_stream(stream_id, conn)
        return Loaded(self.aggregate.fold(events), len(events), events)

    async def execute(
        self,
        stream_id: str,
        command: Any,
        ctx: CommandContext,
        *,
        subject: str,
        expected_version: int | None = None,
        authorize: Callable[[S], None] | None = None,
        conn: asyncpg.Connection | None = None,
    ) -> Executed[S]:
        """``expected_version`` is the version the caller saw (If-Match); a stale one is a conflict."""
        if conn is None:
            async with self.store.pool.acquire() as own, own.transaction():
                return await self._execute(own, stream_id, command, ctx, subject, expected_version, authorize)
        return await self._execute(conn, stream_id, command, ctx, subject, expected_version, authorize)

    async def _execute(
        self,
        conn: asyncpg.Connection,
        stream_id: str,
        command: Any,
        ctx: CommandContext,
        subject: str,
        expected_version: int | None,
        authorize: Callable[[S], None] | None,
    ) -> Executed[S]:
        if self._serialize:
            await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", stream_id)
        loaded = await self.load(stream_id, conn)
        if expected_version is not None and expected_version != loaded.version:
            raise ConcurrencyError(stream_id, expected_version, loaded.version)
        if authorize is not None:
            authorize(loaded.state)
        events = self.aggregate.decide(command, loaded.state)
        if loaded.events and loaded.events[-1].time > ctx.now:
            # The clock was read before this command queued behind a faster writer: a stream's times never
            # go backwards, so "as of T" and the history's ordering agree with the stream's own order.
            ctx = replace(ctx, now=loaded.events[-1].time)
        head_hash = loaded.events[-1].hash if loaded.events else None
        envelopes = await self.store.append(conn, stream_id, loaded.version, events, ctx, subject=subject,
                                            head_hash=head_hash)
        state = loaded.state
        for event in events:
            state = self.aggregate.evolve(state, event)
        if envelopes and self._projector is not None:
            await self._projector(conn, state, envelopes)
        return Executed(state, loaded.version + len(envelopes), envelopes)
