"""A notice: what one event told people. decide(command, state) -> events, evolve(state, event) -> state.

Invariants, held here and nowhere else:
- exactly one inbox item per (event, person): the item's id is a UUIDv5 of the two, and a person already told
  about this event is never told again (a redelivered event, a restart between two tries, a second reaction);
- an item is read by its own person only, once (marking it read again records nothing).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from uuid import UUID, uuid5

from pydantic import BaseModel, ConfigDict, Field

from contracts.notifications import Audience, NotificationRead, Param, PersonNotified
from shared.kernel.errors import NotFound
from shared.kernel.events import DomainEvent

# Fixed forever: item ids (and the e-mails' Message-IDs made of them) must come out the same after any restart.
ITEMS = UUID("8f0d3c1e-5a4b-4e0f-9c7d-2b6a1e9f4c30")


def item_id_of(source_event_id: UUID, person_id: str) -> UUID:
    """The one inbox item of ``person_id`` about ``source_event_id``."""
    return uuid5(ITEMS, f"{source_event_id}/{person_id}")


@dataclass(frozen=True)
class Item:
    item_id: UUID
    person_id: str
    read: bool = False


@dataclass(frozen=True)
class Notice:
    items: dict[str, Item] = field(default_factory=dict)  # person id → their item

    def item(self, item_id: UUID) -> Item | None:
        return next((i for i in self.items.values() if i.item_id == item_id), None)


INITIAL = Notice()


# --- commands ---------------------------------------------------------------------------------------------------


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Recipient(Command):
    """A person to tell, decided by the events and the directory (domain/audience.py), with what concerns them."""

    person_id: str
    audience: Audience
    language: str
    client_id: UUID | None = None  # the client the matter concerns for this person, if one
    # beyond the notice's own (e.g. how many of their orders a suspension touches)
    params: dict[str, Param] = Field(default_factory=dict)


class Notify(Command):
    source_event_id: UUID
    source_event_type: str
    kind: str
    recipients: tuple[Recipient, ...]
    params: dict[str, Param]


class MarkRead(Command):
    item_id: UUID
    person_id: str


# --- decide -----------------------------------------------------------------------------------------------------


def decide(command: Command, state: Notice) -> list[DomainEvent]:
    if isinstance(command, Notify):
        return _notify(command, state)
    if isinstance(command, MarkRead):
        return _mark_read(command, state)
    raise TypeError(f"no rule for {type(command).__name__}")


def _notify(command: Notify, state: Notice) -> list[DomainEvent]:
    told: set[str] = set(state.items)
    events: list[DomainEvent] = []
    for r in command.recipients:
        if r.person_id in told:
            continue  # told already (a redelivery, or the same person in two roles: the first role counts)
        told.add(r.person_id)
        events.append(PersonNotified(
            item_id=item_id_of(command.source_event_id, r.person_id), person_id=r.person_id, audience=r.audience,
            kind=command.kind, source_event_id=command.source_event_id, source_event_type=command.source_event_type,
            client_id=r.client_id, language=r.language, params={**command.params, **r.params}))
    return events


def _mark_read(command: MarkRead, state: Notice) -> list[DomainEvent]:
    item = state.item(command.item_id)
    if item is None or item.person_id != command.person_id:
        raise NotFound("no such item in this inbox")
    return [] if item.read else [NotificationRead(item_id=item.item_id, person_id=item.person_id)]


# --- evolve -----------------------------------------------------------------------------------------------------


def evolve(state: Notice, event: DomainEvent) -> Notice:
    if isinstance(event, PersonNotified):
        return replace(state, items={**state.items, event.person_id: Item(event.item_id, event.person_id)})
    if isinstance(event, NotificationRead):
        item = state.items[event.person_id]
        return replace(state, items={**state.items, event.person_id: replace(item, read=True)})
    return state
