"""A service declared by one spec, and the process built from it in one go.

The spec names what the service is: its handlers (which name its aggregates), its reactions to other services'
events, its timers, what it publishes, its migrations, routers and ports. ``create_app`` builds the runtime
(database, key vault, outbox relay, Kafka consumers) and the FastAPI app from it; the consumed topics are read
from the reactions and listeners, and each consumer is bound to the application it feeds, by reference.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from fastapi import APIRouter, FastAPI
from faststream.specification import AsyncAPI

from shared.infra.app import asyncapi_of, declare_publications, http_app, serve
from shared.infra.consumer import ConsumerSlot, PositionedHandler
from shared.infra.eventstore import Position, Session
from shared.infra.pipeline import Application, Handlers, TimerCommand
from shared.infra.reactions import Listener, Reactions
from shared.infra.runtime import ServiceRuntime
from shared.infra.settings import ServiceSettings
from shared.kernel.envelope import EventEnvelope
from shared.kernel.events import DomainEvent

D = TypeVar("D")


@dataclass(frozen=True)
class ServiceSpec(Generic[D]):
    name: str  # intake, budgeting, ...: its database, topics, CloudEvents source
    title: str
    description: str
    settings: type[ServiceSettings]
    migrations: Sequence[Path]
    publishes: Sequence[type[DomainEvent]]
    handlers: Handlers
    deps: Callable[[ServiceRuntime, Any], D]  # the service's ports, once storage is open (runtime, its settings)
    routers: Sequence[APIRouter]
    reactions: Reactions | None = None
    timers: Mapping[str, TimerCommand] = field(default_factory=dict)  # timer kind → the command it becomes
    listeners: Sequence[Listener] = ()  # consumers whose effect is not a command
    on_start: Callable[[ServiceRuntime, Any], Awaitable[None]] | None = None  # e.g. seed a table from settings

    def settings_of(self, settings: ServiceSettings) -> ServiceSettings:
        """``settings`` as this service's own settings class (tests pass the shared one)."""
        return settings if isinstance(settings, self.settings) else self.settings(**settings.model_dump())


Consumer = Reactions | Listener
Subscribed = list[tuple[Consumer, ConsumerSlot]]  # each consumer group with the slot its handler is attached to


def build_runtime(spec: ServiceSpec[Any], settings: ServiceSettings) -> tuple[ServiceRuntime, Subscribed]:
    """The runtime with its consumer groups subscribed (storage opens at start), each with its slot: the
    reactions' group first, then one per listener."""
    runtime = ServiceRuntime(spec.name, settings, spec.migrations)
    runtime.build_broker()
    declare_publications(runtime, spec.publishes)
    consumers: list[Consumer] = [*([spec.reactions] if spec.reactions else []), *spec.listeners]
    return runtime, [(c, runtime.consume(c.consumer, [runtime.topic_of(s) for s in c.sources])) for c in consumers]


def create_app(spec: ServiceSpec[Any], settings: ServiceSettings) -> FastAPI:
    """The service's process: the runtime starts (storage, topics, relay), the application is built on its store,
    each consumer group gets its handler and each timer kind its command, then consuming begins."""
    settings = spec.settings_of(settings)
    runtime, consumers = build_runtime(spec, settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with runtime.running():
            application = Application(spec.name, spec.handlers, runtime.store, runtime.keyring,
                                      spec.deps(runtime, settings), reactions=spec.reactions, timers=spec.timers)
            app.state.application = application
            setattr(app.state, spec.name, application)  # as tests and tools reach it: app.state.budgeting
            for consumer, slot in consumers:
                runtime.bind_slot(slot, _handler(consumer, application), consumer.accepts, positioned=True)
            for kind in spec.timers:
                runtime.timer_handlers[kind] = application.fire
            if spec.on_start is not None:
                await spec.on_start(runtime, settings)
            await runtime.start_consuming()
            yield

    return http_app(runtime, title=spec.title, description=spec.description, routers=spec.routers,
                    lifespan=lifespan)


def asyncapi(spec: ServiceSpec[Any], settings: ServiceSettings | None = None) -> AsyncAPI:
    runtime, _ = build_runtime(spec, settings or spec.settings())
    return asyncapi_of(runtime, spec.title)


def main(spec: ServiceSpec[Any]) -> None:
    serve(spec.name, spec.settings(), lambda settings: create_app(spec, settings))


def _handler(consumer: Consumer, application: Application[Any]) -> PositionedHandler:
    """A reaction table runs the command it makes of the event; a listener its own effect."""
    if isinstance(consumer, Reactions):
        return application.react
    listener = consumer

    async def effect(session: Session, envelope: EventEnvelope, position: Position) -> None:
        await listener.effect(application, session, envelope, position)

    return effect
