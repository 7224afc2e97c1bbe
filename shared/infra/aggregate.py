"""Running a command against an event-sourced aggregate: load, fold, authorise, decide, append.

One command, one aggregate, one transaction: the new events, their outbox rows and the inline
projection commit together (and, in a consumer, the inbox row too). The runner works on any EventStore;
shared/infra/pipeline.py is what calls it for a service's commands.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Generic, TypeVar

from shared.infra.eventstore import CommandContext, ConcurrencyError, EventStore, Session
from shared.kernel.envelope import EventEnvelope
from shared.kernel.events import DomainEvent, EventRegistry

S = TypeVar("S")

Projector = Callable[[Session, S, Sequence[EventEnvelope]], Awaitable[None]]
# Given the state at the head of the stream, the domain command to decide (None: nothing to do).
Step = Callable[["Current[S]"], Awaitable[Any]]


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
class Current(Generic[S]):
    """An aggregate at the head of its stream: what a command decides on (no event list)."""

    state: S
    version: int
    head_hash: str | None = None
    head_time: datetime | None = None


class StateCache(Generic[S]):
    """The last known head of recently used streams, so a command folds only the events it has not seen.

    A cached head is a hint, never the truth: it is used only after the database shows the same event (version
    and hash) at that position, so a head cached by a transaction that rolled back, or overtaken by another
    instance, is noticed and the stream is read in full. States are immutable (``evolve`` returns a new one),
    so sharing them is safe. Least recently used streams leave first."""

    def __init__(self, capacity: int = 4096) -> None:
        self._capacity = capacity
        self._heads: OrderedDict[str, Current[Any]] = OrderedDict()

    def get(self, stream_id: str) -> Current[Any] | None:
        head = self._heads.get(stream_id)
        if head is not None:
            self._heads.move_to_end(stream_id)
        return head

    def put(self, stream_id: str, head: Current[Any]) -> None:
        if head.version == 0 or self._capacity <= 0:
            return
        self._heads[stream_id] = head
        self._heads.move_to_end(stream_id)
        while len(self._heads) > self._capacity:
            self._heads.popitem(last=False)


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
        self._heads: StateCache[S] = StateCache()

    async def load(self, stream_id: str, conn: Session | None = None) -> Loaded[S]:
        """The whole stream and the state it folds to (for views that show the events)."""
        events = await self.store.read_stream(stream_id, conn)
        loaded = Loaded(self.aggregate.fold(events), len(events), events)
        self._heads.put(stream_id, _head_of(loaded.state, events))
        return loaded

    async def current(self, stream_id: str, conn: Session | None = None) -> Current[S]:
        """The state at the head of the stream, folding only the events after the cached head (if any)."""
        cached = self._heads.get(stream_id)
        if cached is not None:
            events = await self.store.read_stream(stream_id, conn, from_version=cached.version)
            if events and events[0].stream_version == cached.version and events[0].hash == cached.head_hash:
                if len(events) == 1:
                    return cached  # nothing new since
                head = _head_of(self.aggregate.fold(events[1:], cached.state), events)
                self._heads.put(stream_id, head)
                return head
        loaded = await self.load(stream_id, conn)
        return _head_of(loaded.state, loaded.events)

    async def execute(
        self,
        stream_id: str,
        command: Any,
        ctx: CommandContext,
        *,
        subject: str,
        expected_version: int | None = None,
        authorize: Callable[[S], None] | None = None,
        conn: Session | None = None,
    ) -> Executed[S]:
        """``expected_version`` is the version the caller saw (If-Match); a stale one is a conflict."""

        async def step(current: Current[S]) -> Any:
            if expected_version is not None and expected_version != current.version:
                raise ConcurrencyError(stream_id, expected_version, current.version)
            if authorize is not None:
                authorize(current.state)
            return command

        return await self.run(stream_id, step, ctx, subject=subject, session=conn)

    async def run(self, stream_id: str, step: Step[S], ctx: CommandContext, *, subject: str | Callable[[S], str],
                  session: Session | None = None) -> Executed[S]:
        """In one transaction (``session``'s, or a new one): the stream's head, ``step`` on it for the domain
        command (it may refuse, or return None for nothing to do), decide, append, project. ``subject`` may be
        read from the state at the head (an order's events are about the client the order names)."""
        if session is None:
            async with self.store.transaction() as own:
                return await self._run(own, stream_id, step, ctx, subject)
        return await self._run(session, stream_id, step, ctx, subject)

    async def _run(self, session: Session, stream_id: str, step: Step[S], ctx: CommandContext,
                   subject: str | Callable[[S], str]) -> Executed[S]:
        if self._serialize:
            await self.store.lock_stream(session, stream_id)
        loaded = await self.current(stream_id, session)
        command = await step(loaded)
        if command is None:
            return Executed(loaded.state, loaded.version, [])
        events = self.aggregate.decide(command, loaded.state)
        if loaded.head_time is not None and loaded.head_time > ctx.now:
            # The clock was read before this command queued behind a faster writer: a stream's times never
            # go backwards, so "as of T" and the history's ordering agree with the stream's own order.
            ctx = replace(ctx, now=loaded.head_time)
        about = subject(loaded.state) if callable(subject) else subject
        envelopes = await self.store.append(session, stream_id, loaded.version, events, ctx, subject=about,
                                            head_hash=loaded.head_hash)
        state = loaded.state
        for event in events:
            state = self.aggregate.evolve(state, event)
        if envelopes and self._projector is not None:
            await self._projector(session, state, envelopes)
        version = loaded.version + len(envelopes)
        if envelopes:
            # Cached before the transaction commits: were it rolled back, the next read sees the head missing.
            self._heads.put(stream_id, Current(state, version, envelopes[-1].hash, envelopes[-1].time))
        return Executed(state, version, envelopes)


def _head_of(state: S, events: Sequence[EventEnvelope]) -> Current[S]:
    """``state`` as folded from ``events``, at the last of them."""
    if not events:
        return Current(state, 0)
    return Current(state, events[-1].stream_version, events[-1].hash, events[-1].time)
