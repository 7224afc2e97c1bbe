"""Application tests on the memory store: given events → when a command (or another service's event) → then
the events recorded, or the refusal and nothing recorded. The real pipeline, handlers, policy and reactions
run; only the store and the key vault are in memory (both held to the real ones' rules by tests/store_suite.py).

Each test says what it covers with ``@covers(service, ...)``: a command type, a consumed event type, a timer
kind, or ``refused(NotFound | Forbidden | ConcurrencyError, command type)``. tests/unit/test_application_coverage.py
fails when an entry of a service's handler or reaction table has no such test.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from itertools import count
from typing import Any, TypeVar
from uuid import UUID, uuid4

from shared.infra.crypto import MemoryKeyring
from shared.infra.eventstore import CommandContext, Position
from shared.infra.memory_store import InMemoryEventStore
from shared.infra.pipeline import Application
from shared.infra.reactions import Listener
from shared.infra.timers import Timer
from shared.kernel.commands import Command
from shared.kernel.envelope import Actor, EventEnvelope
from shared.kernel.events import DomainEvent
from shared.kernel.principal import Principal

F = TypeVar("F", bound=Callable[..., Any])

# The staff the services' application tests act as (a provider's user acts for one provider organisation).
WORKER = Principal(user_id="worker-aino", role="worker")
OTHER_WORKER = Principal(user_id="worker-eero", role="worker")
MANAGER = Principal(user_id="manager-maija", role="manager")
PROVIDER = Principal(user_id="provider-1", role="provider", provider_id=str(uuid4()))
AUDITOR = Principal(user_id="auditor-1", role="auditor")

COVERED: defaultdict[str, set[Any]] = defaultdict(set)
_TIMER_IDS = count(1)


def refused(error: type[Exception], command: type[Command] | None = None) -> tuple[type[Exception], Any]:
    return (error, command)


def covers(service: str, *what: Any) -> Callable[[F], F]:
    """Marks a test as the given/when/then test of ``what`` in ``service``'s tables."""

    def mark(test: F) -> F:
        COVERED[service].update(what)
        return test

    return mark


class Harness:
    """A service's application on the memory store: its real handlers, policy and reactions."""

    def __init__(self, app: Application[Any]) -> None:
        self.app = app
        self.store: InMemoryEventStore = app.store  # type: ignore[assignment]
        self.keyring: MemoryKeyring = app.keyring  # type: ignore[assignment]

    @classmethod
    def of(cls, service: str, handlers: Any, deps: Any, *, reactions: Any = None, timers: Any = None) -> Harness:
        store = InMemoryEventStore(source=f"/avain/{service}", topic=f"avain.{service}.events.v1")
        return cls(Application(service, handlers, store, MemoryKeyring(), deps, reactions=reactions, timers=timers,
                               project=False))

    async def given(self, stream_id: str, subject: UUID, *events: DomainEvent) -> None:
        """The case as these events left it (the client's key exists, so texts can be sealed)."""
        await self.keyring.create(str(subject))
        if not events:
            return
        version = len(await self.store.read_stream(stream_id))
        context = CommandContext(actor=Actor(id="given", role="system"), correlation_id="given",
                                 now=datetime.now(UTC))
        async with self.store.transaction() as session:
            await self.store.append(session, stream_id, version, events, context, subject=str(subject))

    async def when(self, command: Command, principal: Principal, *, at: datetime | None = None) -> list[DomainEvent]:
        """The events ``command`` recorded (raises what the pipeline raised: then nothing was recorded); ``at``:
        the instant it runs (now unless said)."""
        done = await self.run(command, principal, at=at)
        return self.decoded(done.new_events)

    async def run(self, command: Command, principal: Principal, *, at: datetime | None = None) -> Any:
        """What ``handle`` answers: ``Executed``, or a workflow's own answer (intake's ``Registration``)."""
        context = CommandContext(actor=principal.actor, correlation_id=str(uuid4()), causation_id=str(uuid4()),
                                 now=at or datetime.now(UTC))
        return await self.app.handle(command, principal, context)

    async def when_published(self, event: DomainEvent, subject: UUID, *, consumer: str = "process-manager",
                             time: datetime | None = None) -> list[DomainEvent]:
        """Another service publishes ``event``: what the reaction recorded, in the inbox's transaction."""
        envelope = published(event, subject, time=time)
        before = {row.envelope.id for row in await self.store.unpublished(100_000)}
        async with self.store.transaction() as session:
            if envelope.id in await self.store.claim_inbox(session, consumer, [envelope]):
                await self.app.react(session, envelope)
        return self.decoded([r.envelope for r in await self.store.unpublished(100_000) if r.envelope.id not in before])

    async def when_fired(self, kind: str, payload: dict[str, Any], *, due_at: datetime | None = None
                         ) -> list[DomainEvent]:
        """A durable timer of ``kind`` falls due: what its command recorded, in the transaction that fires it."""
        timer = Timer(next(_TIMER_IDS), kind, f"{kind}-test", due_at or datetime.now(UTC), payload)
        before = {row.envelope.id for row in await self.store.unpublished(100_000)}
        async with self.store.transaction() as session:
            await self.app.fire(session, timer)
        return self.decoded([r.envelope for r in await self.store.unpublished(100_000) if r.envelope.id not in before])

    async def when_heard(self, listener: Listener, event: DomainEvent, subject: UUID) -> None:
        """Another service publishes ``event`` and ``listener`` hears it, in the inbox's transaction."""
        envelope = published(event, subject)
        async with self.store.transaction() as session:
            if envelope.id in await self.store.claim_inbox(session, listener.consumer, [envelope]):
                await listener.effect(self.app, session, envelope, Position("test", 0, 0))

    async def recorded(self, stream_id: str) -> list[DomainEvent]:
        return self.decoded(await self.store.read_stream(stream_id))

    def decoded(self, envelopes: Sequence[EventEnvelope]) -> list[DomainEvent]:
        registries = [runner.aggregate.registry for runner in self.app.runners.values()]
        return [next(r for r in registries if e.type in r).load(e.type, e.schema_version, e.data) for e in envelopes]

    async def open(self, subject: UUID, *texts: Any) -> list[str | None]:
        return await self.keyring.open(str(subject), *texts)


def published(event: DomainEvent, subject: UUID, *, time: datetime | None = None) -> EventEnvelope:
    """``event`` as its publisher's outbox relay would put it on Kafka."""
    service = event.event_type.split(".")[2]
    return EventEnvelope(
        id=uuid4(), source=f"/avain/{service}", type=event.event_type, schema_version=event.schema_version,
        time=time or datetime.now(UTC), subject=str(subject), stream_id=f"{service}-{subject}", stream_version=1,
        correlation_id=str(uuid4()), actor=Actor(id=service, role="system"), data=event.model_dump(mode="json"),
    ).sealed()
