"""A service declared by one spec, and the process built from it in one go.

The spec names what the service is: its handlers (which name its aggregates), its reactions to other services'
events, its timers, what it publishes, its migrations, routers and ports. ``create_app`` builds the runtime
(database, key vault, outbox relay, Kafka consumers) and the FastAPI app from it; the consumed topics are read
from the reactions and listeners, and each consumer is bound to the application it feeds, by reference.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from fastapi import APIRouter, FastAPI
from faststream.specification import AsyncAPI

from shared.infra.app import asyncapi_of, create_service_app, declare_publications, serve
from shared.infra.consumer import PositionedHandler
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


def build_runtime(spec: ServiceSpec[Any], settings: ServiceSettings) -> tuple[ServiceRuntime, list[Any]]:
    """The runtime with its subscribers registered (storage opens at start), and their slots: the reactions'
    first, then one per listener."""
    runtime = ServiceRuntime(spec.name, settings, spec.migrations)
    runtime.build_broker()
    declare_publications(runtime, spec.publishes)
    consumers: list[Reactions | Listener] = [*([spec.reactions] if spec.reactions else []), *spec.listeners]
    slots = [runtime.consume(c.consumer, [runtime.topic_of(s) for s in c.sources]) for c in consumers]
    return runtime, slots


def create_app(spec: ServiceSpec[Any], settings: ServiceSettings) -> FastAPI:
    settings = spec.settings_of(settings)
    runtime, slots = build_runtime(spec, settings)

    async def started(app: FastAPI, rt: ServiceRuntime) -> None:
        application = Application(spec.name, spec.handlers, rt.store, rt.keyring, spec.deps(rt, settings),
                                  reactions=spec.reactions, timers=spec.timers)
        app.state.application = application
        setattr(app.state, spec.name, application)  # as tests and tools reach it: app.state.budgeting
        remaining = iter(slots)
        if spec.reactions is not None:
            rt.bind_slot(next(remaining), application.react, spec.reactions.accepts, positioned=True)
        for listener, slot in zip(spec.listeners, remaining, strict=True):
            rt.bind_slot(slot, _heard(listener, application), listener.accepts, positioned=True)
        for kind in spec.timers:
            rt.timer_handlers[kind] = application.fire
        if spec.on_start is not None:
            await spec.on_start(rt, settings)

    return create_service_app(runtime, title=spec.title, description=spec.description, routers=spec.routers,
                              on_started=started)


def asyncapi(spec: ServiceSpec[Any], settings: ServiceSettings | None = None) -> AsyncAPI:
    runtime, _ = build_runtime(spec, settings or spec.settings())
    return asyncapi_of(runtime, spec.title)


def main(spec: ServiceSpec[Any]) -> None:
    serve(spec.name, spec.settings(), lambda settings: create_app(spec, settings))


def _heard(listener: Listener, application: Application[Any]) -> PositionedHandler:
    async def effect(session: Session, envelope: EventEnvelope, position: Position) -> None:
        await listener.effect(application, session, envelope, position)

    return effect
