"""The outbox relay: publishes committed events to Kafka and marks them sent.

Why it cannot skip a late commit: it never remembers a high-water position. Each round reads the rows
still unpublished, in outbox order, from a fresh snapshot; a row whose transaction commits after a later
row was published is simply unpublished in the next round. Within a stream, order is safe: a later
version can only commit after the earlier one (the unique (stream, version) constraint makes the second
writer wait), so it never appears in a snapshot without its predecessor.

Delivery is at least once: a crash between publish and mark republishes the batch, and consumers drop the
duplicates through their inbox. One relay per database publishes at a time (an advisory lock), so two
instances of a service never interleave a client's events.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

import asyncpg
import structlog
from aiokafka import AIOKafkaProducer

from shared.infra.postgres_store import OUTBOX_CHANNEL, UNPUBLISHED, envelope_of_row
from shared.kernel.envelope import EventEnvelope

log = structlog.get_logger(__name__)

RELAY_LOCK = "avain.outbox.relay"


class OutboxRelay:
    def __init__(
        self,
        pool: asyncpg.Pool,
        producer: AIOKafkaProducer,
        *,
        batch_size: int = 500,
        idle_poll_seconds: float = 1.0,
        before_mark: Callable[[list[int]], Awaitable[None]] | None = None,
        on_published: Callable[[list[EventEnvelope]], Awaitable[None]] | None = None,
    ) -> None:
        self._pool = pool
        self._producer = producer
        self._batch_size = batch_size
        self._idle_poll = idle_poll_seconds
        self._wakeup = asyncio.Event()
        self._stopping = False
        # Test seam: runs after publishing and before marking (fault injection).
        self._before_mark = before_mark
        # Told what Kafka acknowledged, before it is marked: the checkpointer's heads (shared/infra/checkpoints.py).
        self._on_published = on_published
        self.published = 0

    async def publish_pending(self) -> int:
        """One round: publish every committed unpublished row (in batches). Returns how many."""
        total = 0
        while True:
            rows = await self._pool.fetch(UNPUBLISHED, self._batch_size)
            if not rows:
                return total
            futures = []
            envelopes = []
            for row in rows:
                envelope = envelope_of_row(row)
                envelopes.append(envelope)
                futures.append(
                    await self._producer.send(
                        row["topic"],
                        value=envelope.kafka_value(),
                        key=envelope.kafka_key(),
                        headers=envelope.kafka_headers(),
                    )
                )
            # Every record acknowledged by all in-sync replicas before any is marked sent.
            await asyncio.gather(*futures)
            ids = [row["outbox_id"] for row in rows]
            if self._on_published is not None:
                await self._on_published(envelopes)
            if self._before_mark is not None:
                await self._before_mark(ids)
            await self._pool.execute(
                "UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])", ids
            )
            total += len(rows)
            self.published += len(rows)
            if len(rows) < self._batch_size:
                return total

    def stop(self) -> None:
        """Finish the current round, then leave ``run`` (graceful shutdown)."""
        self._stopping = True
        self._wakeup.set()

    def _notified(self, *_: object) -> None:
        self._wakeup.set()

    async def run(self) -> None:
        """Publish while holding the relay lock; wakes on NOTIFY, polls as a fallback.

        The lock lives on one database session. When that session dies (the database restarted), the lock
        is gone too and another instance may already hold it: this instance stops publishing and competes
        for the lock again, so two relays never publish side by side for long."""
        while not self._stopping:
            try:
                await self._lead()
            except Exception as exc:  # noqa: BLE001 - database away: nothing was marked, try again
                log.warning("outbox_relay_lost_database", error=type(exc).__name__)
                await asyncio.sleep(self._idle_poll)

    async def _lead(self) -> None:
        async with self._pool.acquire() as lock_conn:
            while not await lock_conn.fetchval("SELECT pg_try_advisory_lock(hashtext($1))", RELAY_LOCK):
                if self._stopping:
                    return
                await asyncio.sleep(self._idle_poll)  # another instance is the publisher
            await lock_conn.add_listener(OUTBOX_CHANNEL, self._notified)
            log.info("outbox_relay_started")
            try:
                await self._publish_while_leading(lock_conn)
            finally:
                try:
                    await lock_conn.remove_listener(OUTBOX_CHANNEL, self._notified)
                    await lock_conn.execute("SELECT pg_advisory_unlock(hashtext($1))", RELAY_LOCK)
                except BaseException as exc:  # the pool does not reset sessions: end this one instead
                    lock_conn.terminate()
                    if not isinstance(exc, Exception):
                        raise

    async def _publish_while_leading(self, lock_conn: asyncpg.Connection) -> None:
        while True:
            self._wakeup.clear()
            # A round that starts after stop() is the last: graceful shutdown publishes what the consumers
            # committed while they finished their in-flight records.
            last_round = self._stopping
            if lock_conn.is_closed():
                raise ConnectionError("the relay lock's session ended")
            try:
                count = await self.publish_pending()
                if count:
                    log.debug("outbox_published", count=count)
            except Exception as exc:  # noqa: BLE001 - broker or database away
                # Nothing was marked, so nothing is lost: the next round publishes it again.
                log.warning("outbox_relay_retry", error=type(exc).__name__)
                if last_round:
                    return
                await asyncio.sleep(self._idle_poll)
                continue
            if last_round:
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), self._idle_poll)
