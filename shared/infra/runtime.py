"""The running parts every service has: its database, the key vault, the outbox relay, the Kafka broker.

shared/infra/service.py builds one from a service's spec: subscribes its consumer groups (``consume``), then, once
storage is open and the application exists, gives each group's slot its handler by reference (``bind_slot``) and
starts consuming; at shutdown everything stops gracefully (in-flight work finishes first).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import structlog
from aiokafka import AIOKafkaProducer
from faststream.kafka import KafkaBroker

from shared.infra import representation
from shared.infra.access import ACCESS
from shared.infra.checkpoints import Checkpointer, signer_for
from shared.infra.consumer import ConsumerSlot, DeadLetters, Handler, IdempotentConsumer, PositionedHandler, subscribe
from shared.infra.crypto import Keyring, decode_master_key
from shared.infra.db import KERNEL_MIGRATIONS, create_pool, ensure_database, migrate
from shared.infra.kafka import make_broker, make_producer, topic_name
from shared.infra.outbox import OutboxRelay
from shared.infra.postgres_store import PostgresEventStore
from shared.infra.settings import ServiceSettings
from shared.infra.timers import TimerHandler, TimerScheduler
from shared.infra.topics import TopicPolicy, ensure_topics

KEYRING_MIGRATIONS = Path(__file__).parents[1] / "keyring_migrations"  # not moved: see KERNEL_MIGRATIONS

log = structlog.get_logger(__name__)


@dataclass
class ServiceRuntime:
    name: str
    settings: ServiceSettings
    migrations: Sequence[Path]
    pool: asyncpg.Pool = field(init=False)
    keys_pool: asyncpg.Pool = field(init=False)
    store: PostgresEventStore = field(init=False)
    # The same event store, its outbox rows bound for the access topic: DataAccessed events (shared/infra/access.py).
    access_store: PostgresEventStore = field(init=False)
    keyring: Keyring = field(init=False)
    producer: AIOKafkaProducer = field(init=False)
    relay: OutboxRelay = field(init=False)
    checkpointer: Checkpointer = field(init=False)
    broker: KafkaBroker = field(init=False)
    _tasks: list[asyncio.Task[Any]] = field(default_factory=list)
    _slots: list[ConsumerSlot] = field(default_factory=list)
    consumers: dict[str, IdempotentConsumer] = field(default_factory=dict)
    timer_handlers: dict[str, TimerHandler] = field(default_factory=dict)
    timers: TimerScheduler | None = None
    _stoppers: list[Callable[[], None]] = field(default_factory=list)
    _checkpoints: asyncio.Task[None] | None = None
    _representation: ConsumerSlot | None = None

    @property
    def events_topic(self) -> str:
        return topic_name(self.settings.topic_prefix, self.name)

    @property
    def dead_letter_topic(self) -> str:
        return topic_name(self.settings.topic_prefix, self.name, "deadletter")

    @property
    def topic_policy(self) -> TopicPolicy:
        s = self.settings
        return TopicPolicy(retention_ms=s.topic_retention_ms, retention_bytes=s.topic_retention_bytes,
                           replication_factor=s.topic_replication_factor,
                           min_insync_replicas=s.topic_min_insync_replicas, required_years=s.retention_required_years)

    @property
    def access_topic(self) -> str:
        """``<prefix>avain.access.events.v1``: the access log of every service, a topic of its own (every service
        writes it, so each brings it to the retention policy), so the domain topics carry only domain events."""
        return topic_name(self.settings.topic_prefix, ACCESS)

    @property
    def owned_topics(self) -> tuple[str, ...]:
        """The topics this service writes and keeps at the retention policy (the access topic is everyone's)."""
        return self.events_topic, self.dead_letter_topic, self.access_topic, self.checkpoint_topic

    @property
    def checkpoint_topic(self) -> str:
        return topic_name(self.settings.topic_prefix, self.name, "checkpoints")

    def topic_of(self, service: str) -> str:
        return topic_name(self.settings.topic_prefix, service)

    async def open_storage(self) -> None:
        s = self.settings
        database = s.database(self.name)
        await ensure_database(s.pg_dsn, database)
        await ensure_database(s.pg_dsn, s.keys_database)
        self.pool = await create_pool(s.pg_dsn, database)
        self.keys_pool = await create_pool(s.pg_dsn, s.keys_database, min_size=1, max_size=5)
        await migrate(self.pool, [KERNEL_MIGRATIONS, *self.migrations])
        await migrate(self.keys_pool, [KEYRING_MIGRATIONS])
        self.store = PostgresEventStore(self.pool, source=f"/avain/{self.name}", topic=self.events_topic)
        self.access_store = PostgresEventStore(self.pool, source=f"/avain/{self.name}", topic=self.access_topic)
        self.keyring = Keyring(self.keys_pool, decode_master_key(s.master_key.get_secret_value()))

    def build_broker(self) -> KafkaBroker:
        self.broker = make_broker(self.settings.kafka_bootstrap, client_id=f"avain-{self.name}")
        # Every service keeps who represents whom from intake's events: its policies check a representative's
        # mandates against it on every request (shared/infra/representation.py).
        self._representation = self.consume(representation.CONSUMER, [self.topic_of("intake")])
        return self.broker

    def consume(self, name: str, topics: Sequence[str]) -> ConsumerSlot:
        """Subscribe a consumer group of this service to ``topics`` (``name`` is part of its Kafka group id and
        inbox key: never rename it); give the slot returned its handler with ``bind_slot``."""
        slot = ConsumerSlot(name, topics)
        group = f"{self.settings.topic_prefix}avain-{self.name}-{name}"
        workers = self.settings.consumer_workers
        if workers > 1:
            # Several group members in this process, each applying its own partitions' records one at a time
            # (a client's order holds). FastStream's concurrent manual-commit mode takes one topic per subscriber.
            for topic in topics:
                subscribe(self.broker, slot, topic, group_id=group, max_workers=workers)
        else:
            subscribe(self.broker, slot, *topics, group_id=group)
        self._slots.append(slot)
        return slot

    def bind_slot(self, slot: ConsumerSlot, handler: Handler | PositionedHandler, accepts: Callable[[str], bool], *,
                  positioned: bool = False, malformed_aside: bool = True) -> IdempotentConsumer:
        """``malformed_aside``: a record that is not an event at all goes to the dead-letter topic (False: the
        consumer leaves it to the service's other consumer of that topic, so one bad record is one letter)."""
        consumer = IdempotentConsumer(self.pool, f"{self.name}-{slot.name}", handler,
                                      DeadLetters(self.producer, self.dead_letter_topic, slot.name), accepts=accepts,
                                      positioned=positioned, malformed_aside=malformed_aside)
        slot.consumer = consumer
        self.consumers[slot.name] = consumer
        return consumer

    async def start(self) -> None:
        """Storage, topics (this service's and those its consumers read), producer, relay."""
        s = self.settings
        await self.open_storage()
        consumed = [t for slot in self._slots for t in slot.topics]
        await ensure_topics(
            s.kafka_bootstrap,
            {t: s.topic_partitions for t in (*self.owned_topics, *consumed)},
            self.topic_policy, owned=self.owned_topics,
        )
        self.producer = make_producer(s.kafka_bootstrap, client_id=f"avain-{self.name}-relay")
        await self.producer.start()
        self.checkpointer = Checkpointer(
            self.pool, self.producer, signer_for(self.name, s.checkpoint_key_file, s.env), service=self.name,
            topic=self.checkpoint_topic, interval=s.checkpoint_interval_seconds, witness_url=s.witness_url)
        self.relay = OutboxRelay(self.pool, self.producer, on_published=self.checkpointer.note_published)
        self._tasks.append(asyncio.create_task(self.relay.run(), name=f"{self.name}-outbox-relay"))
        self._checkpoints = asyncio.create_task(self.checkpointer.run(), name=f"{self.name}-checkpoints")
        if self._representation is not None:
            self.bind_slot(self._representation, representation.project, representation.TYPES.__contains__,
                           malformed_aside=False)
        log.info("service_started", topic=self.events_topic)

    async def start_consuming(self) -> None:
        """Start the subscribers and the timers: after the application their handlers call is in place."""
        await self.broker.start()
        if self.timer_handlers:
            self.timers = TimerScheduler(self.pool, self.timer_handlers)
            self._tasks.append(asyncio.create_task(self.timers.run(), name=f"{self.name}-timers"))

    def run_worker(self, name: str, work: Coroutine[Any, Any, None], stop: Callable[[], None]) -> None:
        """A service's own background loop (e.g. a mailer), stopped with the relay and awaited like it."""
        self._tasks.append(asyncio.create_task(work, name=f"{self.name}-{name}"))
        self._stoppers.append(stop)

    async def stop(self) -> None:
        # Consumers first: no new record, the one in hand finishes and every applied offset is committed; then
        # the broker closes them, and the relay publishes what they committed in one last round.
        for slot in self._slots:
            with contextlib.suppress(Exception):
                await slot.quiesce()
        with contextlib.suppress(Exception):
            await self.broker.stop()
        self.relay.stop()
        for stop in self._stoppers:
            stop()
        if self.timers is not None:
            self.timers.stop()
        _done, pending = await asyncio.wait(self._tasks, timeout=10)
        for task in pending:
            task.cancel()  # what it published but did not mark is published again: at least once
        await asyncio.gather(*self._tasks, return_exceptions=True)
        # The last checkpoint states what the relay published in its last round, while the producer is still open.
        self.checkpointer.stop()
        if self._checkpoints is not None:
            await asyncio.gather(self._checkpoints, return_exceptions=True)
        await self.checkpointer.round()
        await self.producer.stop()
        await self.pool.close()
        await self.keys_pool.close()
        log.info("service_stopped")

    async def readiness(self) -> dict[str, str]:
        checks: dict[str, str] = {}
        for name, pool in (("database", self.pool), ("key_vault", self.keys_pool)):
            try:
                await asyncio.wait_for(pool.fetchval("SELECT 1"), timeout=2)
                checks[name] = "ok"
            except Exception as exc:  # noqa: BLE001 - readiness reports, never raises
                checks[name] = type(exc).__name__
        try:
            await asyncio.wait_for(self.producer.client.fetch_all_metadata(), timeout=2)
            checks["kafka"] = "ok"
        except Exception as exc:  # noqa: BLE001 - readiness reports, never raises
            checks["kafka"] = type(exc).__name__
        return checks

    def consumer_state(self) -> dict[str, Any]:
        """Each consumer group of this instance: the partitions it holds now and its outcomes so far.

        Reported on /ready (not a readiness condition: an instance with no partitions is normal when a group
        has more instances than partitions)."""
        return {slot.name: slot.state() for slot in self._slots}

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[ServiceRuntime]:
        await self.start()
        try:
            yield self
        finally:
            await self.stop()
