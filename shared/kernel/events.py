"""Domain events: frozen, versioned pydantic models, and the registry that reads them back.

An event type is named in the past tense and carries a schema version. Stored events are never rewritten;
when a contract changes, the old version is read through an upcaster (a small pure function from the
old payload to the next version's payload), so the newest model is all the domain ever sees.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict


class DomainEvent(BaseModel):
    """Base of every event in contracts/. Subclasses set ``event_type`` and ``schema_version``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_type: ClassVar[str]
    schema_version: ClassVar[int] = 1


Upcaster = Callable[[dict[str, Any]], dict[str, Any]]


class UnknownEventType(LookupError):
    """An event type (or version) this service has no contract for: a poison event for a consumer."""


class EventRegistry:
    """Maps (type, version) to models and old versions to upcasters."""

    def __init__(self, events: Iterable[type[DomainEvent]] = ()) -> None:
        self._models: dict[str, type[DomainEvent]] = {}
        self._upcasters: dict[tuple[str, int], Upcaster] = {}
        for event in events:
            self.register(event)

    def register(self, event: type[DomainEvent]) -> None:
        self._models[event.event_type] = event

    def register_upcaster(self, event_type: str, from_version: int, upcast: Upcaster) -> None:
        """``upcast`` turns a payload of ``from_version`` into one of ``from_version + 1``."""
        self._upcasters[(event_type, from_version)] = upcast

    def reads(self, event_type: str, schema_version: int) -> bool:
        """Whether ``load`` turns a payload of this version into the current model (itself or via upcasters)."""
        model = self._models.get(event_type)
        if model is None or schema_version > model.schema_version:
            return False
        return all((event_type, v) in self._upcasters for v in range(schema_version, model.schema_version))

    def __contains__(self, event_type: object) -> bool:
        return event_type in self._models

    @property
    def models(self) -> list[type[DomainEvent]]:
        return list(self._models.values())

    def load(self, event_type: str, schema_version: int, data: dict[str, Any]) -> DomainEvent:
        model = self._models.get(event_type)
        if model is None:
            raise UnknownEventType(f"unknown event type {event_type!r}")
        if schema_version > model.schema_version:
            raise UnknownEventType(
                f"{event_type} v{schema_version} is newer than this service knows (v{model.schema_version})"
            )
        version = schema_version
        while version < model.schema_version:
            upcast = self._upcasters.get((event_type, version))
            if upcast is None:
                raise UnknownEventType(f"no upcaster for {event_type} v{version}")
            data = upcast(data)
            version += 1
        return model.model_validate(data)
