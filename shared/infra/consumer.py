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
import dataclasses
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Literal

import asyncpg
import structlog
from aiokafka import AIOKafkaProducer, TopicPartition
from aiokafka.structs import ConsumerRecord, OffsetAndMetadata
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from pydantic import ValidationError

from shared.infra.db import CONNECTION_ERRORS
from shared.infra.eventstore import ConcurrencyError, Position
from shared.infra.kafka import SAFE_SUBSCRIBER_SETTINGS
from shared.infra.logging import bind_correlation, unbind_correlation
from shared.infra.postgres_store import claim_inbox
from shared.kernel.envelope import EventEnvelope
from shared.kernel.errors import DomainError
from shared.kernel.events import UnknownEventType

log = structlog.get_logger(__name__)

Handler = Callable[[asyncpg.Connection, EventEnvelope], Awaitable[None]]
# A handler that keeps where the record sat (the pipeline's reactions hand it on in the command's context).
PositionedHandler = Callable[[asyncpg.Connection, EventEnvelope, Position], Awaitable[None]]
Outcome = Literal["applied", "duplicate", "ignored", "dead-lettered"]

# The database (or the key vault) going away or restarting: never a reason to dead-letter a record.
TRANSIENT = CONNECTION_ERRORS


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
        handler: Handler | PositionedHandler,
        dead_letters: DeadLetters,
        *,
        accepts: Callable[[str], bool] = lambda _type: True,
        positioned: bool = False,
        malformed_aside: bool = True,
        max_attempts: int = 3,
        backoff_seconds: float = 0.5,
    ) -> None:
        self._pool = pool
        self.name = name
        self._handler = handler
        self._dead_letters = dead_letters
        self._accepts = accepts
        self._positioned = positioned  # the handler takes the record's Position as a third argument
        self._malformed_aside = malformed_aside  # a record that is no event goes to the dead letters (else ignored)
        self._max_attempts = max_attempts
        self._backoff = backoff_seconds
        self.outcomes: Counter[Outcome] = Counter()  # for health checks and tests

    async def process(self, record: ConsumerRecord[Any, Any]) -> Outcome:
        return (await self.process_batch([record]))[0]

    async def process_batch(self, records: Sequence[ConsumerRecord[Any, Any]]) -> list[Outcome]:
        """Apply ``records`` (in their order) in ONE transaction: one BEGIN/COMMIT and one inbox insert for all.

        A fetch brings many records at once under load; a transaction each cost two round trips and a WAL flush
        per record. Should any record be refused or fail, the whole transaction is rolled back and the records
        go through one at a time, so a poison event costs only itself."""
        outcomes: list[Outcome | None] = [None] * len(records)
        batch: list[tuple[int, ConsumerRecord[Any, Any], EventEnvelope]] = []
        for i, record in enumerate(records):
            try:
                envelope = EventEnvelope.from_kafka(list(record.headers or ()), record.value)
            except Exception as exc:  # noqa: BLE001 - any parse failure makes the record poison
                outcomes[i] = await self._dead_letter(record, describe_failure(exc)) if self._malformed_aside else "ignored"
                continue
            if not self._accepts(envelope.type):
                outcomes[i] = "ignored"  # a topic carries event types this consumer has no use for
                continue
            batch.append((i, record, envelope))
        if len(batch) > 1:
            together = await self._apply_together(batch)
            if together is not None:
                for (i, _, _), outcome in zip(batch, together, strict=True):
                    outcomes[i] = outcome
                batch = []
        for i, record, envelope in batch:
            outcomes[i] = await self._apply_alone(record, envelope)
        done = [outcome or "ignored" for outcome in outcomes]
        self.outcomes.update(done)
        return done

    async def _apply_together(self, batch: list[tuple[int, ConsumerRecord[Any, Any], EventEnvelope]]
                              ) -> list[Outcome] | None:
        """The batch in one transaction, or None when a record must be handled alone (nothing was written)."""
        while True:
            try:
                outcomes = await self._apply(batch)
            except TRANSIENT as exc:
                log.warning("consumer_retry_transient", consumer=self.name, error=type(exc).__name__)
                await asyncio.sleep(self._backoff)
                continue
            except Exception:  # noqa: BLE001 - refused, conflicting or failing: sorted out record by record
                return None
            for (_, _, envelope), outcome in zip(batch, outcomes, strict=True):
                self._log_outcome(envelope, outcome)
            unbind_correlation()  # the line is about the batch, not one of its events
            log.info("events_applied", consumer=self.name, applied=outcomes.count("applied"),
                     duplicates=outcomes.count("duplicate"))
            return outcomes

    async def _apply_alone(self, record: ConsumerRecord[Any, Any], envelope: EventEnvelope) -> Outcome:
        attempts = 0
        while True:
            try:
                [outcome] = await self._apply([(0, record, envelope)])
                self._log_outcome(envelope, outcome)
                return outcome
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

    async def _apply(self, batch: list[tuple[int, ConsumerRecord[Any, Any], EventEnvelope]]) -> list[Outcome]:
        async with self._pool.acquire() as conn, conn.transaction():
            fresh = await claim_inbox(conn, self.name, [e for _, _, e in batch])
            outcomes: list[Outcome] = []
            for _, record, envelope in batch:
                if envelope.id not in fresh:
                    outcomes.append("duplicate")  # applied before (or twice in this batch: the first counts)
                    continue
                fresh.discard(envelope.id)
                bind_correlation(envelope.correlation_id)
                if self._positioned:
                    position = Position(record.topic, record.partition, record.offset)
                    await self._handler(conn, envelope, position)  # type: ignore[call-arg]
                else:
                    await self._handler(conn, envelope)  # type: ignore[call-arg]
                outcomes.append("applied")
        return outcomes

    def _log_outcome(self, envelope: EventEnvelope, outcome: Outcome) -> None:
        bind_correlation(envelope.correlation_id)
        if outcome == "duplicate":
            log.info("event_duplicate_skipped", consumer=self.name, event_id=str(envelope.id))
        else:  # one line per event at debug (traceable by its correlation id); batches are counted at info
            log.debug("event_applied", consumer=self.name, event_type=envelope.type, event_id=str(envelope.id))

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

    def __init__(self, name: str, topics: Sequence[str] = ()) -> None:
        self.name = name
        self.topics = list(topics)
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

    async def process_batch(self, records: Sequence[ConsumerRecord[Any, Any]]) -> list[Outcome]:
        if self.consumer is None:
            raise RuntimeError(f"consumer {self.name} started before it was bound")
        return await self.consumer.process_batch(records)

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
    """Commits the offsets of applied records without holding up the next record, at most every ``interval``.

    A commit to the broker takes milliseconds (6 ms on the benchmark machine) and is a write to the broker's
    offsets log: committing after every record halved a consumer's rate, and after every small batch it was a
    good part of the broker's CPU. Here the consumer goes on while one commit is in flight, and a commit carries
    the newest applied offset of every partition since the last one. Offsets are explicit (just past a record
    whose transaction committed), never "whatever was fetched", so a crash can only make the broker deliver
    applied records again (up to ``interval`` of them), which the inbox drops: never skip one.
    """

    def __init__(self, interval: float = 0.2) -> None:
        self._interval = interval
        self._pending: dict[Any, dict[TopicPartition, int]] = {}  # aiokafka consumer -> partition -> next offset
        self._task: asyncio.Task[None] | None = None
        self._hurry = asyncio.Event()
        self._last = 0.0

    def applied(self, kafka_consumer: Any, records: Sequence[ConsumerRecord[Any, Any]]) -> None:
        pending = self._pending.setdefault(kafka_consumer, {})
        for record in records:  # a partition's records come in offset order: the last one counts
            pending[TopicPartition(record.topic, record.partition)] = record.offset + 1
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._commit_pending(), name="offset-commits")

    async def _commit_pending(self) -> None:
        loop = asyncio.get_running_loop()
        while self._pending:
            wait = self._last + self._interval - loop.time()
            if wait > 0 and not self._hurry.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._hurry.wait(), wait)
            batch, self._pending = self._pending, {}
            self._last = loop.time()
            for kafka_consumer, offsets in batch.items():
                try:
                    await kafka_consumer.commit({tp: OffsetAndMetadata(o, "") for tp, o in offsets.items()})
                except Exception as exc:  # noqa: BLE001 - e.g. a rebalance took the partition: it is redelivered
                    log.warning("offset_commit_failed", error=type(exc).__name__, partitions=len(offsets))

    async def flush(self) -> None:
        """Until every applied offset handed over so far is committed (or its commit failed), without waiting
        for the interval."""
        self._hurry.set()
        try:
            while self._task is not None and not self._task.done():
                await asyncio.shield(self._task)
        finally:
            self._hurry.clear()


async def _undecoded(message: KafkaMessage) -> Any:
    """The record goes to the kernel as it came: IdempotentConsumer parses it and dead-letters what is malformed.

    FastStream's own decoder would parse a value with a JSON content type first, and a broken one would fail
    before our handler: never dead-lettered, and skipped once a later record's offset is committed. Handing the
    message itself over as the "decoded body" also spares resolving it through a dependency in a worker thread
    for every record (what an annotated ``msg: KafkaMessage`` parameter costs)."""
    return message


def _decodable(record: ConsumerRecord[Any, Any]) -> ConsumerRecord[Any, Any]:
    headers = [(k, v.decode(errors="replace").encode()) for k, v in record.headers or ()]
    return dataclasses.replace(record, headers=headers)


async def _tolerant(raw: Any, original: Callable[[Any], Awaitable[Any]]) -> Any:
    """FastStream's parser decodes every header as UTF-8 and fails the whole fetch on one that is not: that
    record would never reach our handler, nor the dead-letter topic. It gets parsed from a readable copy,
    while the handler still sees the record as it came (and dead-letters it as malformed)."""
    try:
        return await original(raw)
    except UnicodeDecodeError:
        message = await original(tuple(map(_decodable, raw)) if isinstance(raw, tuple) else _decodable(raw))
        message.raw_message = raw
        return message


def subscribe(broker: KafkaBroker, consumer: IdempotentConsumer | ConsumerSlot, *topics: str, group_id: str,
              max_workers: int = 1, max_records: int = 500) -> Any:
    """Register ``consumer`` on ``topics`` with safe settings; a record's offset is committed after its effect.

    One group member takes what a fetch brings (up to ``max_records``) and applies it in one transaction
    (``IdempotentConsumer.process_batch``); a fetch returns as soon as records are there, so batching adds no
    wait. With ``max_workers`` > 1 the process holds that many group members instead, a record at a time
    (FastStream's concurrent mode has no batches). Returns FastStream's subscriber (a slot keeps it, to report
    its partition assignment)."""
    batch = max_workers <= 1
    # FastStream's batch loop waits up to batch_timeout_ms for records, and as long again after an empty poll:
    # short, so that a record arriving at an idle consumer waits at most ~10 ms.
    options: dict[str, Any] = ({"batch": True, "max_records": max_records, "batch_timeout_ms": 10} if batch
                               else {"max_workers": max_workers})
    subscriber = broker.subscriber(
        *topics, group_id=group_id, title=f"{consumer.name}:{'+'.join(topics)}", decoder=_undecoded, parser=_tolerant,
        **SAFE_SUBSCRIBER_SETTINGS, **options
    )
    committer = OffsetCommitter()

    @subscriber  # type: ignore[untyped-decorator]
    async def _on_records() -> None:
        # No parameters: a resolved ``msg: KafkaMessage`` costs a worker-thread hop per record, and a body
        # parameter would change the AsyncAPI document. FastStream keeps the message in its context.
        msg = broker.context.get_local("message")
        records = tuple(msg.raw_message) if batch else (msg.raw_message,)
        if not records:
            return
        await consumer.process_batch(records)
        # The delivering consumer (with several workers, each is its own group member) commits the offsets.
        committer.applied(msg.consumer, records)
        if not subscriber.running:  # stopping: these offsets go in before the consumer closes
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(committer.flush(), 10)

    if isinstance(consumer, ConsumerSlot):
        consumer.subscribers.append(subscriber)
        consumer.committers.append(committer)
        consumer.group_id = group_id
    return subscriber
