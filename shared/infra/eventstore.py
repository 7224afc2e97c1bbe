"""The event store's interface, one for every backend: PostgreSQL (postgres_store.py) and memory (memory_store.py).

A store appends events to streams with an expected version, and in the same transaction queues them in the
outbox; a consumer's inbox rows and a command's projection commit in that transaction too. tests/unit and
tests/integration run one suite (tests/store_suite.py) against both, so application tests on the memory store
mean what they say.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeAlias
from uuid import UUID, uuid4

from shared.kernel.envelope import Actor, EventEnvelope
from shared.kernel.events import DomainEvent

# A transaction on the store: an asyncpg connection in a transaction for PostgreSQL, a MemorySession in memory.
# Whatever else the command writes (an inbox row, a projection, a timer) goes through the same session.
Session: TypeAlias = Any


class ConcurrencyError(Exception):
    """The stream moved on since the caller read it: reload and decide again (HTTP 409)."""

    def __init__(self, stream_id: str, expected: int, actual: int | None = None) -> None:
        self.stream_id = stream_id
        self.expected = expected
        self.actual = actual
        found = "" if actual is None else f", found {actual}"
        super().__init__(f"stream version conflict: expected version {expected}{found}")


@dataclass(frozen=True)
class Position:
    """Where a consumed event sat on Kafka (the case history keeps it beside the event)."""

    topic: str
    partition: int
    offset: int


@dataclass(frozen=True)
class CommandContext:
    """Who causes the events, when, and under which correlation; passed in, never read from globals.

    ``position``: set when the command comes from a consumed event (where that event sat on Kafka)."""

    actor: Actor
    correlation_id: str
    now: datetime
    causation_id: str | None = None
    position: Position | None = None


@dataclass(frozen=True)
class OutboxRow:
    id: int
    topic: str
    envelope: EventEnvelope


class EventStore(ABC):
    source: str  # the CloudEvents source of what this store appends, e.g. "/avain/intake"
    topic: str  # where the outbox relay publishes it

    @abstractmethod
    def transaction(self) -> AbstractAsyncContextManager[Session]:
        """A session whose writes commit together when the block ends, or not at all when it raises."""

    @abstractmethod
    async def read_stream(self, stream_id: str, session: Session | None = None, *,
                          from_version: int = 1) -> list[EventEnvelope]:
        """The stream's events from ``from_version`` on; inside ``session`` including its own uncommitted ones."""

    @abstractmethod
    async def append(self, session: Session, stream_id: str, expected_version: int, events: Sequence[DomainEvent],
                     ctx: CommandContext, *, subject: str, head_hash: str | None = None) -> list[EventEnvelope]:
        """Append ``events`` after ``expected_version`` (0 = new stream) and queue them in the outbox.

        Raises ConcurrencyError when the stream is not at ``expected_version``, also when a concurrent writer
        got there first. ``head_hash``: the hash of event ``expected_version`` when the caller has just read it
        in this session (saves reading the head again)."""

    @abstractmethod
    async def lock_stream(self, session: Session, stream_id: str) -> None:
        """Queue behind every other session that locked this stream, until the end of ``session``."""

    @abstractmethod
    async def claim_inbox(self, session: Session, consumer: str, envelopes: Sequence[EventEnvelope]) -> set[UUID]:
        """Record that ``consumer`` handled these events; returns the ids it had not handled before (the rest are
        duplicates: redelivered, or twice in ``envelopes``, where the first counts)."""

    @abstractmethod
    async def unpublished(self, limit: int = 500) -> list[OutboxRow]:
        """Committed outbox rows not yet marked published, in outbox order (each stream's in version order)."""

    @abstractmethod
    async def mark_published(self, ids: Sequence[int]) -> None: ...

    def envelopes(self, stream_id: str, expected_version: int, events: Sequence[DomainEvent], ctx: CommandContext,
                  subject: str, prev_hash: str | None) -> list[EventEnvelope]:
        """The envelopes of ``events`` appended after ``expected_version``, each chained to the one before."""
        envelopes: list[EventEnvelope] = []
        for offset, event in enumerate(events, start=1):
            envelope = EventEnvelope(
                id=uuid4(), source=self.source, type=event.event_type, schema_version=event.schema_version,
                time=ctx.now, subject=subject, stream_id=stream_id, stream_version=expected_version + offset,
                correlation_id=ctx.correlation_id, causation_id=ctx.causation_id, actor=ctx.actor,
                data=event.model_dump(mode="json"), prev_hash=prev_hash,
            ).sealed()
            prev_hash = envelope.hash
            envelopes.append(envelope)
        return envelopes
