"""A service's reactions to other services' events: a table from each consumed event type to the command it
becomes. What the consumer accepts and which topics it subscribes to are read from the table, never listed
beside it. A ``Listener`` is a consumer whose effect is no command (a lookup table kept, a read model).

An event type names its publisher (``fi.avain.<service>.<Name>``), whose topic carries it. Each event is
read through its contract module's registry, so the upcasters registered there apply.
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from shared.infra.eventstore import Position, Session
from shared.kernel.commands import Command
from shared.kernel.envelope import EventEnvelope
from shared.kernel.events import DomainEvent, EventRegistry

# (the event, its envelope) → the command (None: this one needs nothing).
Translator = Callable[[Any, EventEnvelope], Command | None]


def publisher_of(event: type[DomainEvent]) -> str:
    """The service whose topic carries ``event``: the third part of ``fi.avain.<service>.<Name>``."""
    return event.event_type.split(".")[2]


def _registry_of(event: type[DomainEvent]) -> EventRegistry:
    found = getattr(sys.modules[event.__module__], "registry", None)
    return found if isinstance(found, EventRegistry) and event.event_type in found else EventRegistry([event])


class Reactions:
    def __init__(self, consumer: str, table: Mapping[type[DomainEvent], Translator]) -> None:
        """``consumer``: the consumer group's name, part of its Kafka group id and inbox key: never rename it."""
        self.consumer = consumer
        self.events = list(table)
        self._table = {event.event_type: (_registry_of(event), translate) for event, translate in table.items()}

    @property
    def event_types(self) -> frozenset[str]:
        return frozenset(self._table)

    @property
    def sources(self) -> list[str]:
        """The services whose topics to subscribe to, in the table's order."""
        return list(dict.fromkeys(publisher_of(event) for event in self.events))

    def accepts(self, event_type: str) -> bool:
        return event_type in self._table

    def command_for(self, envelope: EventEnvelope) -> Command | None:
        found = self._table.get(envelope.type)
        if found is None:
            return None
        registry, translate = found
        return translate(registry.load(envelope.type, envelope.schema_version, envelope.data), envelope)


# (the application, the inbox's session, the event's envelope, where it sat on Kafka) → the effect, written in
# that session.
Effect = Callable[[Any, Session, EventEnvelope, Position], Awaitable[None]]


@dataclass(frozen=True)
class Listener:
    consumer: str  # the consumer group's name: never rename it (see Reactions)
    sources: Sequence[str]  # the services whose topics it reads
    accepts: Callable[[str], bool]
    effect: Effect
    events: Sequence[type[DomainEvent]] = ()  # what it listens for, when it says (the coverage test asks)

    @classmethod
    def of(cls, consumer: str, events: Sequence[type[DomainEvent]], effect: Effect) -> Listener:
        """A listener for ``events``: its topics and accepted types read from them."""
        types = frozenset(e.event_type for e in events)
        return cls(consumer, list(dict.fromkeys(publisher_of(e) for e in events)), types.__contains__, effect, events)
