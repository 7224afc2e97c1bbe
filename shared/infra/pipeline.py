"""One way into a service's application: ``Application.handle(command, principal, context)``.

For every command, from whatever door (HTTP, a consumed event, a timer, the console), in one transaction:

    load the aggregate's head → 404 (per the route's ``missing``) → policy (403) → stale version (409)
    → the handler builds the domain command → decide → append events + outbox (+ projection, + inbox row)

The handler runs inside the transaction, after the checks: a caller who may not act causes no work (no text is
sealed for them), and no command reads its stream twice. A service declares (docs/decisions/0009-…):

- ``AggregateSpec``: an aggregate with the stream a command lands on, when it exists, and its policy;
- ``Handlers``: command type → ``Route(aggregate, handler, missing)``; a handler is ~10 lines turning the
  application command into the domain's (``Given`` brings the state, principal, context, keyring, deps);
- ``Reactions`` (reactions.py): consumed event type → the command it becomes.

Two optional steps serve cases whose rules reach beyond their own stream (the marketplace's): an aggregate's
``facts`` reads what its policy needs besides the state (who coordinates the client, which provider the caller
acts for), and a route's ``then`` does what the command leaves to do in its own transaction once its events are
appended (schedule the deadline of a wait).

Errors are raised, never swallowed: a refused command is the caller's answer (HTTP 4xx) or a dead letter.

A command's transaction holds a pooled connection while its policy and handler read beyond its stream through
the pool (``facts``, ports): with as many commands at once as the pool has connections, each would wait for a
second connection forever. So at most ``concurrency`` commands open their own transaction at once in a process
(fewer than the pool's connections); the others queue before taking one. A command run in a given session (a
consumer's inbox transaction, a workflow's) or inside another command is not counted again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, Literal, TypeVar

from shared.infra.aggregate import Aggregate, CommandRunner, Current, Executed, Loaded, Projector
from shared.infra.crypto import Keyring
from shared.infra.eventstore import CommandContext, ConcurrencyError, EventStore, Position, Session
from shared.infra.reactions import Reactions
from shared.infra.timers import Timer
from shared.kernel.commands import Command
from shared.kernel.envelope import EventEnvelope
from shared.kernel.errors import NotFound
from shared.kernel.principal import Principal

_INSIDE: ContextVar[bool] = ContextVar("inside_a_command", default=False)

S = TypeVar("S")
D = TypeVar("D")

# What happens when the command's stream holds no case:
#   "refuse": 404 (a person's command on a case that does not exist; the default)
#   "skip":   nothing, when the stream is empty (another service's event about a case never opened here)
#   "decide": the aggregate decides on its initial state (a command that creates, or records a refusal)
Missing = Literal["refuse", "skip", "decide"]

# policy(principal, command or query, state): raises Forbidden when the principal may not. With ``facts``, the
# third argument is what ``facts`` returned instead of the bare state.
Policy = Callable[[Principal, Any, Any], None]
# facts(command or query, state, principal, ports): what the policy and the handler need to know beyond the
# stream, read through the service's ports (it may raise NotFound for a case the command names elsewhere).
Facts = Callable[[Any, Any, Principal, Any], Awaitable[Any]]


@dataclass(frozen=True, eq=False)
class AggregateSpec(Generic[S]):
    """An aggregate as the pipeline addresses it: where a command lands, whether the case exists, who may act."""

    aggregate: Aggregate[S]
    stream_of: Callable[[Any], str]  # a command (or query) → its stream id
    subject_of: Callable[[Any], str]  # → the CloudEvents subject (the pseudonymous client id)
    exists: Callable[[S], bool]
    not_found: str  # the 404's message
    policy: Policy
    projector: Projector[S] | None = None  # the inline projection, in the command's transaction (PostgreSQL)
    serialize: bool = False  # commands on one stream queue (advisory lock) instead of racing to a conflict
    facts: Facts | None = None  # what the policy decides on besides the state (see ``Facts``)
    # The subject as the case records it (an order's client), for commands that name only the case; None before
    # the case exists, when ``subject_of`` the command answers.
    case_subject: Callable[[S], str | None] | None = None

    def subject(self, command: Any) -> str | Callable[[S], str]:
        """The CloudEvents subject of what ``command`` records (read from the state when the case knows it)."""
        if self.case_subject is None:
            return self.subject_of(command)
        known = self.case_subject
        return lambda state: known(state) or self.subject_of(command)

    async def seen(self, request: Any, state: S, principal: Principal, deps: Any) -> Any:
        """What the policy decides on: the state, or the facts read for it."""
        return state if self.facts is None else await self.facts(request, state, principal, deps)


@dataclass(frozen=True)
class Given(Generic[S, D]):
    """What a handler is given: the case as it stands, who asks, when and why, and the service's ports."""

    state: S
    principal: Principal
    context: CommandContext
    keyring: Keyring
    deps: D
    facts: Any = None  # what the aggregate's ``facts`` read for the policy (None without)


Handler = Callable[[Any, Given[Any, Any]], Awaitable[Any]]  # (command, given) → the domain command
# (command, what it did, given with the new state, the command's session) → what remains to do in that
# transaction once the events are appended, e.g. schedule a deadline. Runs only when events were recorded.
Then = Callable[[Any, Executed[Any], Given[Any, Any], Session], Awaitable[None]]


@dataclass(frozen=True)
class Route:
    aggregate: AggregateSpec[Any]
    handler: Handler
    missing: Missing = "refuse"
    then: Then | None = None


@dataclass(frozen=True)
class Workflow:
    """The rare entry that must find or claim its case before one command can run (intake's registration: a
    hetu lookup, and a race with a concurrent registration of the same person). ``run(command, principal,
    context, application)`` does that and sends the command itself through ``handle``; it returns its own
    answer."""

    run: Callable[[Any, Principal, CommandContext, Application[Any]], Awaitable[Any]]


Handlers = Mapping[type[Command], Route | Workflow]
# A due timer → the command it becomes (None: nothing to do).
TimerCommand = Callable[[Timer], Command | None]


class Application(Generic[D]):
    """A service's application: its handlers, reactions and timers, on a store, a keyring and its ports."""

    def __init__(self, service: str, handlers: Handlers, store: EventStore, keyring: Keyring, deps: D, *,
                 reactions: Reactions | None = None, timers: Mapping[str, TimerCommand] | None = None,
                 project: bool = True, clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 concurrency: int = 4) -> None:
        """``project=False``: no inline projections (application tests on the memory store have no tables).
        ``concurrency``: commands in their own transaction at once (below the pool's size, default 10)."""
        self._gate = asyncio.Semaphore(concurrency)
        self.service = service
        self.handlers = handlers
        self.store = store
        self.keyring = keyring
        self.deps = deps
        self.reactions = reactions
        self.timers = dict(timers or {})
        self.clock = clock
        self.system = Principal(user_id=service, role="system")
        self.runners: dict[AggregateSpec[Any], CommandRunner[Any]] = {}
        for route in handlers.values():
            if not isinstance(route, Route):
                continue
            spec = route.aggregate
            if spec not in self.runners:
                self.runners[spec] = CommandRunner(store, spec.aggregate, spec.projector if project else None,
                                                   serialize=spec.serialize)

    @property
    def runner(self) -> CommandRunner[Any]:
        """The runner of a service with one aggregate."""
        [runner] = self.runners.values()
        return runner

    async def handle(self, command: Command, principal: Principal, context: CommandContext, *,
                     session: Session | None = None) -> Any:
        """Run ``command`` for ``principal``; in ``session`` when given (a consumer's inbox transaction).
        Returns ``Executed`` (the state, version and new events), or a workflow's own answer."""
        if session is not None or _INSIDE.get():
            return await self._handle(command, principal, context, session)
        async with self._gate:
            inside = _INSIDE.set(True)
            try:
                return await self._handle(command, principal, context, None)
            finally:
                _INSIDE.reset(inside)

    async def _handle(self, command: Command, principal: Principal, context: CommandContext,
                      session: Session | None) -> Any:
        route = self.handlers.get(type(command))
        if route is None:
            raise TypeError(f"{self.service} has no handler for {type(command).__name__}")
        if isinstance(route, Workflow):
            return await route.run(command, principal, context, self)
        spec = route.aggregate
        stream_id = spec.stream_of(command)
        facts: Any = None

        async def step(current: Current[Any]) -> Any:
            nonlocal facts
            if route.missing == "refuse" and not spec.exists(current.state):
                raise NotFound(spec.not_found)
            if route.missing == "skip" and current.version == 0:
                return None
            seen = await spec.seen(command, current.state, principal, self.deps)
            facts = None if spec.facts is None else seen
            spec.policy(principal, command, seen)
            if command.expected_version is not None and command.expected_version != current.version:
                raise ConcurrencyError(stream_id, command.expected_version, current.version)
            return await route.handler(command, Given(current.state, principal, context, self.keyring, self.deps,
                                                      facts))

        async def run(session: Session | None) -> Any:
            done = await self.runners[spec].run(stream_id, step, context, subject=spec.subject(command),
                                                session=session)
            if route.then is not None and done.new_events:
                given = Given(done.state, principal, context, self.keyring, self.deps, facts)
                await route.then(command, done, given, session)
            return done

        if route.then is not None and session is None:
            async with self.store.transaction() as own:  # what ``then`` writes commits with the events
                return await run(own)
        return await run(session)

    async def read(self, spec: AggregateSpec[S], query: Any, principal: Principal, *,
                   seen: Callable[[S], None] | None = None) -> Loaded[S]:
        """The case with its events, for a reader the policy allows (404, then 403). ``seen`` is told the case
        before the policy decides (the access log names whose data was asked for, also when it is refused)."""
        loaded: Loaded[S] = await self.runners[spec].load(spec.stream_of(query))
        if not spec.exists(loaded.state):
            raise NotFound(spec.not_found)
        if seen is not None:
            seen(loaded.state)
        spec.policy(principal, query, await spec.seen(query, loaded.state, principal, self.deps))
        return loaded

    async def react(self, session: Session, envelope: EventEnvelope, position: Position | None = None) -> None:
        """Another service's event, as the command the reaction table makes of it, in the inbox's transaction."""
        command = self.reactions.command_for(envelope) if self.reactions else None
        if command is None:
            return
        context = CommandContext(actor=self.system.actor, correlation_id=envelope.correlation_id,
                                 causation_id=str(envelope.id), now=self.clock(), position=position)
        await self.handle(command, self.system, context, session=session)

    async def fire(self, session: Session, timer: Timer) -> None:
        """A due timer, as the command the timer table makes of it, in the transaction that marks it fired."""
        command = self.timers[timer.kind](timer)
        if command is None:
            return
        correlation_id = str(timer.payload.get("correlation_id") or f"timer-{timer.id}")
        context = CommandContext(actor=self.system.actor, correlation_id=correlation_id, now=self.clock())
        await self.handle(command, self.system, context, session=session)
