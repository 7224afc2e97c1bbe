"""Idempotent consumers with a dead-letter topic.

For each record: parse the envelope, then in ONE database transaction insert an inbox row keyed by the
event id and apply the effect; the offset is committed only after that transaction. A redelivered event
finds its inbox row and has no second effect.

Failures are sorted by cause:
- the record cannot be parsed, or a rule refuses it (poison): it goes to the dead-letter topic with the
  reason and the original headers, and the consumer goes on;
- the database is away, or another writer moved the stream on (transient): the same record is retried
  until it succeeds, holding the partition so a client's events stay in order;
- anything else is retried a few times, then dead-lettered with its exception type.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, Literal

import asyncpg
import structlog
from aiokafka import AIOKafkaProducer, TopicPartition
from aiokafka.structs import ConsumerRecord, OffsetAndMetadata
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from pydantic import ValidationError

from shared.envelope import EventEnvelope
from shared.errors import DomainError
from shared.events import UnknownEventType
from shared.eventstore import ConcurrencyError
from shared.kafka import SAFE_SUBSCRIBER_SETTINGS
from shared.logging import bind_correlation

log = structlog.get_logger(__name__)

Handler = Callable[[asyncpg.Connection, EventEnvelope], Awaitable[None]]
Outcome = Literal["applied", "duplicate", "ignored", "dead-lettered"]

# The database going away or restarting: the server says so (AdminShutdown, CrashShutdown, CannotConnectNow,
# TooManyConnections) or the socket breaks. Never a reason to dead-letter a record.
TRANSIENT = (OSError, asyncpg.InterfaceError, asyncpg.PostgresConnectionError, asyncpg.CannotConnectNowError,
             asyncpg.AdminShutdownError, asyncpg.CrashShutdownError, asyncpg.TooManyConnectionsError)


# The Kafka record being handled, for handlers that keep its position (the case history does).
current_record: ContextVar[ConsumerRecord[Any, Any] | None] = ContextVar("current_record", default=None)


class PoisonEvent(Exception):
    """A well-formed event this consumer can never apply; raised by handlers."""


def describe_failure(exc: BaseException) -> str:
    """A reason for the dead-letter record that never echoes input values (they may be personal)."""
    if isinstance(exc, ValidationError):
        parts = [f"{'.'.join(map(str, e['loc'])) or '<root>'}: {e['msg']}" for e in exc.errors(include_input=False)]
        return "invalid event data: " + "; ".join(parts)
    if isinstance(exc, (DomainError, PoisonEvent, UnknownEventType)):
        return f"{type(exc).__name__}: {exc}"
    if isinstance(exc, (ValueError, KeyError, UnicodeDecodeError)):
        return f"malformed record: {type(exc).__name__}"
    return f"handler failed: {type(exc).__name__}"


class DeadLetters:
    def __init__(self, producer: AIOKafkaProducer, topic: str, consumer_name: str) -> None:
        self._producer = producer
        self.topic = topic
        self._consumer = consumer_name

    async def send(self, record: ConsumerRecord[Any, Any], reason: str) -> None:
        headers = [
            *(record.headers or ()),
            ("dlt_reason", reason.encode()),
            ("dlt_consumer", self._consumer.encode()),
            ("dlt_topic", record.topic.encode()),
            ("dlt_partition", str(record.partition).encode()),
            ("dlt_offset", str(record.offset).encode()),
            ("dlt_failed_at", datetime.now(UTC).isoformat().encode()),
        ]
        await self._producer.send_and_wait(self.topic, value=record.value, key=record.key, headers=headers)


class IdempotentConsumer:
    def __init__(
        self,
        pool: asyncpg.Pool,
        name: str,
        handler: Handler,
        dead_letters: DeadLetters,
        *,
        accepts: Callable[[str], bool] = lambda _type: True,
        max_attempts: int = 3,
        backoff_seconds: float = 0.5,
    ) -> None:
        self._pool = pool
        self.name = name
        self._handler = handler
        self._dead_letters = dead_letters
        self._accepts = accepts
        self._max_attempts = max_attempts
        self._backoff = backoff_seconds
        self.outcomes: Counter[Outcome] = Counter()  # for health checks and tests

    async def process(self, record: ConsumerRecord[Any, Any]) -> Outcome:
        current_record.set(record)
        outcome = await self._process(record)
        self.outcomes[outcome] += 1
        return outcome

    async def _process(self, record: ConsumerRecord[Any, Any]) -> Outcome:
        try:
            envelope = EventEnvelope.from_kafka(list(record.headers or ()), record.value)
        except Exception as exc:  # noqa: BLE001 - any parse failure makes the record poison
            return await self._dead_letter(record, describe_failure(exc))
        if not self._accepts(envelope.type):
            return "ignored"  # a topic carries event types this consumer has no use for
        bind_correlation(envelope.correlation_id)
        attempts = 0
        while True:
            try:
                return await self._apply(envelope)
            except TRANSIENT as exc:
                log.warning("consumer_retry_transient", consumer=self.name, error=type(exc).__name__)
                await asyncio.sleep(self._backoff)
            except ConcurrencyError:
                # Another writer moved the stream on: decide again on the fresh state.
                await asyncio.sleep(0.01)
            except (DomainError, PoisonEvent, UnknownEventType, ValidationError, ValueError) as exc:
                return await self._dead_letter(record, describe_failure(exc), envelope)
            except Exception as exc:  # noqa: BLE001 - unknown: retry a little, then set it aside
                attempts += 1
                if attempts >= self._max_attempts:
                    return await self._dead_letter(record, describe_failure(exc), envelope)
                log.warning("consumer_retry", consumer=self.name, error=type(exc).__name__, attempt=attempts)
                await asyncio.sleep(self._backoff * attempts)

    async def _apply(self, envelope: EventEnvelope) -> Outcome:
        async with self._pool.acquire() as conn, conn.transaction():
            fresh = await conn.fetchval(
                "INSERT INTO inbox (consumer, event_id, event_type) VALUES ($1, $2, $3)"
                " ON CONFLICT DO NOTHING RETURNING true",
                self.name,
                envelope.id,
                envelope.type,
            )
            if not fresh:
                log.info("event_duplicate_skipped", consumer=self.name, event_id=str(envelope.id))
                return "duplicate"
            await self._handler(conn, envelope)
        log.info("event_applied", consumer=self.name, event_type=envelope.type, event_id=str(envelope.id))
        return "applied"

    async def _dead_letter(
        self, record: ConsumerRecord[Any, Any], reason: str, envelope: EventEnvelope | None = None
    ) -> Outcome:
        while True:
            try:
                await self._dead_letters.send(record, reason)
                break
            except Exception as exc:  # noqa: BLE001 - never commit past a record we could not set aside
                log.warning("dead_letter_retry", consumer=self.name, error=type(exc).__name__)
                await asyncio.sleep(self._backoff)
        log.warning(
            "event_dead_lettered",
            consumer=self.name,
            reason=reason,
            event_id=str(envelope.id) if envelope else None,
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
        )
        return "dead-lettered"


class ConsumerSlot:
    """Registered with the broker when a service is built (so the AsyncAPI document shows it); the
    consumer itself is put in once the service's storage is open."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.consumer: IdempotentConsumer | None = None
        self.subscribers: list[Any] = []  # FastStream's; their aiokafka consumers exist while running
        self.committers: list[OffsetCommitter] = []
        self.group_id = ""

    def _kafka_consumers(self) -> list[Any]:
        found: list[Any] = []
        for subscriber in self.subscribers:
            found.extend(getattr(subscriber, "consumer_subgroup", None) or [getattr(subscriber, "consumer", None)])
        return [c for c in found if c is not None]

    def state(self) -> dict[str, Any]:
        """For /ready and operators: the group, the partitions this instance holds now, what it did."""
        assigned = sorted(f"{tp.topic}:{tp.partition}" for c in self._kafka_consumers() for tp in c.assignment())
        return {
            "group": self.group_id,
            "running": bool(self.subscribers) and all(getattr(s, "running", False) for s in self.subscribers),
            "assigned": assigned,
            "outcomes": dict(self.consumer.outcomes) if self.consumer else {},
        }

    async def process(self, record: ConsumerRecord[Any, Any]) -> Outcome:
        if self.consumer is None:
            raise RuntimeError(f"consumer {self.name} started before it was bound")
        return await self.consumer.process(record)

    async def quiesce(self, timeout: float = 15.0) -> None:
        """Graceful stop, first part: take no new record, let the one in hand finish, commit every applied
        offset. Then the broker can close the consumers (FastStream's own stop would not wait for our commits)."""
        for subscriber in self.subscribers:
            subscriber.running = False  # FastStream's flag: its consume loop hands over no further record
        for subscriber in self.subscribers:
            lock = getattr(subscriber, "lock", None)  # exists once the subscriber started
            if lock is not None:
                await lock.wait_release(timeout)
        for committer in self.committers:
            # Bounded: with the broker away a commit never comes back, and the process must still exit (what
            # was not committed is delivered again after the restart, and the inbox drops it).
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(committer.flush(), timeout)


class OffsetCommitter:
    """Commits the offsets of applied records without holding up the next record.

    A commit to the broker takes milliseconds (6 ms on the benchmark machine), as long as applying a record;
    waiting for it after every record halved a consumer's rate. Here the consumer goes on while one commit is
    in flight, and the next commit carries the newest applied offset of every partition. Offsets are explicit
    (just past a record whose transaction committed), never "whatever was fetched", so a crash can only make
    the broker deliver applied records again, which the inbox drops: never skip one.
    """

    def __init__(self) -> None:
        self._pending: dict[Any, dict[TopicPartition, int]] = {}  # aiokafka consumer -> partition -> next offset
        self._task: asyncio.Task[None] | None = None

    def applied(self, kafka_consumer: Any, record: ConsumerRecord[Any, Any]) -> None:
        self._pending.setdefault(kafka_consumer, {})[TopicPartition(record.topic, record.partition)] = record.offset + 1
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._commit_pending(), name="offset-commits")

    async def _commit_pending(self) -> None:
        while self._pending:
            batch, self._pending = self._pending, {}
            for kafka_consumer, offsets in batch.items():
                try:
                    await kafka_consumer.commit({tp: OffsetAndMetadata(o, "") for tp, o in offsets.items()})
                except Exception as exc:  # noqa: BLE001 - e.g. a rebalance took the partition: it is redelivered
                    log.warning("offset_commit_failed", error=type(exc).__name__, partitions=len(offsets))

    async def flush(self) -> None:
        """Until every applied offset handed over so far is committed (or its commit failed)."""
        while self._task is not None and not self._task.done():
            await asyncio.shield(self._task)


async def _undecoded(message: KafkaMessage) -> Any:
    """The record goes to the kernel as it came: IdempotentConsumer parses it and dead-letters what is malformed.

    FastStream's own decoder would parse a value with a JSON content type first, and a broken one would fail
    before our handler: never dead-lettered, and skipped once a later record's offset is committed. Handing the
    message itself over as the "decoded body" also spares resolving it through a dependency in a worker thread
    for every record (what an annotated ``msg: KafkaMessage`` parameter costs)."""
    return message


def subscribe(broker: KafkaBroker, consumer: IdempotentConsumer | ConsumerSlot, *topics: str, group_id: str,
              **kw: Any) -> Any:
    """Register ``consumer`` on ``topics`` with safe settings; a record's offset is committed after its effect.

    Returns FastStream's subscriber (a slot keeps it, to report its partition assignment)."""
    subscriber = broker.subscriber(
        *topics, group_id=group_id, title=f"{consumer.name}:{'+'.join(topics)}", decoder=_undecoded,
        **SAFE_SUBSCRIBER_SETTINGS, **kw
    )
    committer = OffsetCommitter()

    @subscriber  # type: ignore[untyped-decorator]
    async def _on_record() -> None:
        # No parameters: a resolved ``msg: KafkaMessage`` costs a worker-thread hop per record, and a body
        # parameter would change the AsyncAPI document. FastStream keeps the message in its context.
        msg = broker.context.get_local("message")
        record = msg.raw_message
        await consumer.process(record)
        # The delivering consumer (with several workers, each is its own group member) commits the offset.
        committer.applied(msg.consumer, record)
        if not subscriber.running:  # stopping: this record's offset goes in before the consumer closes
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(committer.flush(), 10)

    if isinstance(consumer, ConsumerSlot):
        consumer.subscribers.append(subscriber)
        consumer.committers.append(committer)
        consumer.group_id = group_id
    return subscriber
