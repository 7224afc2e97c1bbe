"""The pipeline itself, on a counter and the memory store: the order of its answers, what an empty stream
means per route, reactions and timers becoming commands, and the tables' derived topics."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest

from contracts import followup, intake, marketplace
from shared.infra.aggregate import Aggregate
from shared.infra.crypto import MemoryKeyring
from shared.infra.eventstore import CommandContext, ConcurrencyError, Position
from shared.infra.memory_store import InMemoryEventStore
from shared.infra.pipeline import AggregateSpec, Application, Given, Route
from shared.infra.reactions import Reactions
from shared.infra.timers import Timer
from shared.kernel.commands import Command
from shared.kernel.errors import Forbidden, NotFound
from shared.kernel.events import DomainEvent, EventRegistry
from shared.kernel.principal import Principal
from tests.application import published


class Counted(DomainEvent):
    event_type = "fi.avain.test.Counted"
    by: int


@dataclass(frozen=True)
class Count:
    total: int = 0


def evolve(state: Count, event: DomainEvent) -> Count:
    assert isinstance(event, Counted)
    return Count(state.total + event.by)


def decide(by: int, state: Count) -> list[DomainEvent]:
    return [Counted(by=by)]


class Add(Command):
    key: str
    by: int = 1


class AddIfThere(Add):
    pass


class Start(Add):
    pass


def policy(principal: Principal, command: Any, state: Count) -> None:
    if principal.role == "auditor":
        raise Forbidden("auditors read")


async def add(command: Add, given: Given[Count, None]) -> int:
    return command.by


COUNTER = AggregateSpec(Aggregate(Count(), evolve, decide, EventRegistry([Counted])),
                        stream_of=lambda c: f"count-{c.key}", subject_of=lambda c: c.key,
                        exists=lambda s: s.total > 0, not_found="no such counter", policy=policy)
HANDLERS = {Add: Route(COUNTER, add), AddIfThere: Route(COUNTER, add, missing="skip"),
            Start: Route(COUNTER, add, missing="decide")}
WORKER, AUDITOR = Principal(user_id="w", role="worker"), Principal(user_id="a", role="auditor")


def context() -> CommandContext:
    return CommandContext(actor=WORKER.actor, correlation_id="c", now=datetime.now(UTC))


@pytest.fixture
def app() -> Application[None]:
    return Application("test", HANDLERS, InMemoryEventStore(), MemoryKeyring(), None)


async def test_answers_come_in_order_404_then_403_then_409(app: Application[None]) -> None:
    with pytest.raises(NotFound):
        await app.handle(Add(key="k", expected_version=5), AUDITOR, context())
    await app.handle(Start(key="k"), WORKER, context())
    with pytest.raises(Forbidden):
        await app.handle(Add(key="k", expected_version=5), AUDITOR, context())
    with pytest.raises(ConcurrencyError):
        await app.handle(Add(key="k", expected_version=5), WORKER, context())
    done = await app.handle(Add(key="k", by=2, expected_version=1), WORKER, context())
    assert (done.state, done.version) == (Count(3), 2)


async def test_an_empty_stream_refuses_skips_or_decides_as_the_route_says(app: Application[None]) -> None:
    skipped = await app.handle(AddIfThere(key="k"), WORKER, context())
    assert (skipped.version, skipped.new_events) == (0, [])
    started = await app.handle(Start(key="k"), WORKER, context())
    assert [e.stream_id for e in started.new_events] == ["count-k"]
    assert (await app.handle(AddIfThere(key="k"), WORKER, context())).version == 2


async def test_a_command_without_a_route_is_a_programming_error(app: Application[None]) -> None:
    class Unrouted(Command):
        pass

    with pytest.raises(TypeError, match="no handler for Unrouted"):
        await app.handle(Unrouted(), WORKER, context())


async def test_a_reaction_runs_as_the_service_in_the_inbox_session_with_the_events_position() -> None:
    reactions = Reactions("counter", {intake.ConsentGiven: lambda e, env: Start(key=env.subject)})
    store, seen = InMemoryEventStore(), []

    async def remember(command: Add, given: Given[Count, None]) -> int:
        seen.append(given.context.position)
        return command.by

    app = Application("test", {Start: Route(COUNTER, remember, missing="decide")}, store, MemoryKeyring(), None,
                      reactions=reactions)
    cid = uuid4()
    envelope = published(intake.ConsentGiven(client_id=cid, given_by="client"), cid)
    async with store.transaction() as session:
        await app.react(session, envelope, Position("avain.intake.events.v1", 2, 40))
    [counted] = await store.read_stream(f"count-{cid}")
    assert counted.actor.role == "system" and counted.causation_id == str(envelope.id)
    assert counted.correlation_id == envelope.correlation_id
    assert seen == [Position("avain.intake.events.v1", 2, 40)]  # the case history keeps where an event sat


async def test_a_due_timer_becomes_its_command_under_its_own_correlation() -> None:
    store = InMemoryEventStore()
    app = Application("test", HANDLERS, store, MemoryKeyring(), None,
                      timers={"tick": lambda timer: Start(key=timer.key)})
    async with store.transaction() as session:
        await app.fire(session, Timer(7, "tick", "k", datetime.now(UTC), {}))
    [counted] = await store.read_stream("count-k")
    assert counted.correlation_id == "timer-7" and counted.actor.id == "test"


def test_the_topics_and_types_a_consumer_takes_are_read_from_its_table() -> None:
    reactions = Reactions("pm", {marketplace.OrderPlaced: lambda e, env: None, intake.ConsentGiven: lambda e, env: None,
                                 followup.CaseClosed: lambda e, env: None, intake.ConsentWithdrawn: lambda e, env: None})
    assert reactions.sources == ["marketplace", "intake", "followup"]
    assert reactions.accepts(intake.ConsentGiven.event_type) and not reactions.accepts(intake.IntakeCompleted.event_type)


# --- facts beyond the stream, what a command leaves to do, the subject the case records ---------------------------

class Owned(Command):
    key: str
    owner: str = ""


@dataclass(frozen=True)
class Ownership:
    state: Count
    owner: str | None  # read from a table, not from the stream


async def ownership(request: Any, state: Count, principal: Principal, owners: dict[str, str]) -> Ownership:
    if request.key not in owners:
        raise NotFound("no owner for this counter")
    return Ownership(state, owners[request.key])


def owners_only(principal: Principal, request: Any, seen: Ownership) -> None:
    if seen.owner != principal.user_id:
        raise Forbidden("only its owner counts here")


async def add_one(command: Owned, given: Given[Count, dict[str, str]]) -> int:
    assert isinstance(given.facts, Ownership)  # the handler is given what the policy decided on
    return 1


OWNED = AggregateSpec(Aggregate(Count(), evolve, decide, EventRegistry([Counted])),
                      stream_of=lambda c: f"owned-{c.key}", subject_of=lambda c: c.owner,
                      case_subject=lambda s: "the-case" if s.total else None, exists=lambda s: True,
                      not_found="-", policy=owners_only, facts=ownership)


async def test_the_policy_decides_on_facts_read_beyond_the_stream_and_a_missing_one_is_not_found() -> None:
    app = Application("test", {Owned: Route(OWNED, add_one, missing="decide")}, InMemoryEventStore(),
                      MemoryKeyring(), {"k": "w"})
    with pytest.raises(NotFound, match="no owner"):
        await app.handle(Owned(key="x"), WORKER, context())
    with pytest.raises(Forbidden):
        await app.handle(Owned(key="k"), Principal(user_id="other", role="worker"), context())
    first = await app.handle(Owned(key="k", owner="o"), WORKER, context())
    second = await app.handle(Owned(key="k", owner="o"), WORKER, context())
    # A new case's subject comes from the command; once the case records its own, from the case.
    assert [e.subject for e in (*first.new_events, *second.new_events)] == ["o", "the-case"]
    with pytest.raises(Forbidden):  # reads ask the same policy on the same facts
        await app.read(OWNED, Owned(key="k"), Principal(user_id="other", role="worker"))
    seen: list[Count] = []
    assert (await app.read(OWNED, Owned(key="k"), WORKER, seen=seen.append)).version == 2
    assert seen == [Count(2)]


async def test_what_a_command_leaves_to_do_commits_with_its_events_or_not_at_all() -> None:
    store = InMemoryEventStore()
    done_after: list[tuple[int, int]] = []

    async def note(command: Add, done: Any, given: Given[Count, None], session: Any) -> None:
        done_after.append((done.version, given.state.total))
        if command.by == 13:
            raise RuntimeError("unlucky")

    app = Application("test", {Start: Route(COUNTER, add, missing="decide", then=note),
                               AddIfThere: Route(COUNTER, add, missing="skip", then=note)},
                      store, MemoryKeyring(), None)
    await app.handle(AddIfThere(key="k"), WORKER, context())  # nothing recorded: nothing left to do
    await app.handle(Start(key="k", by=2), WORKER, context())
    with pytest.raises(RuntimeError):
        await app.handle(Start(key="k", by=13), WORKER, context())
    assert done_after == [(1, 2), (2, 15)]
    assert len(await store.read_stream("count-k")) == 1  # the failed step took its events with it


async def test_no_more_commands_open_their_transaction_at_once_than_leave_a_connection_for_their_reads() -> None:
    """A command's transaction holds a pooled connection while its handler reads through the pool: thirty at
    once on a pool of ten would wait for each other forever. At most ``concurrency`` run at once, all finish."""
    import asyncio

    running, most = 0, 0

    async def reads_beyond_its_stream(command: Add, given: Given[Count, None]) -> int:
        nonlocal running, most
        running += 1
        most = max(most, running)
        await asyncio.sleep(0.01)  # a read through the pool
        running -= 1
        return command.by

    app = Application("test", {Start: Route(COUNTER, reads_beyond_its_stream, missing="decide")},
                      InMemoryEventStore(), MemoryKeyring(), None, concurrency=3)
    done = await asyncio.gather(*(app.handle(Start(key=f"k{n}"), WORKER, context()) for n in range(30)))
    assert len(done) == 30 and all(d.version == 1 for d in done)
    assert most == 3
