"""The notifications service's events, version 1. Topic ``avain.notifications.events.v1``.

One stream per event that told people something (``notice-<that event's id>``), its subject and Kafka key that
event's subject (the client id, or the provider id for a provider's matter). ``PersonNotified`` is one inbox item:
exactly one per (event, person), whatever redelivery or restart; ``NotificationRead`` records that its person read
it. The items carry kinds, codes, ids, amounts and dates: never a name, a hetu, an address or free text, which the
reader's view fetches in words at read time (docs/decisions/0027-notifications-inbox-and-e-mail.md).
"""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import Field

from shared.kernel.events import DomainEvent, EventRegistry

# Who the person is to the matter: a client, their representative, a worker (the coordinator), a manager, a provider.
Audience = Literal["client", "representative", "worker", "manager", "provider"]
Param = str | int | bool | None


class PersonNotified(DomainEvent):
    """A person has something new in their inbox about ``source_event_id`` (and, when an address is known, an
    e-mail that says so, with the Message-ID ``<item_id@domain>``)."""

    event_type = "fi.avain.notifications.PersonNotified"

    item_id: UUID = Field(description="The inbox item: a UUIDv5 of (source event id, person id), stable")
    person_id: str = Field(min_length=1, max_length=200, description="Whose inbox: a client id, a staff id, ...")
    audience: Audience
    kind: str = Field(pattern=r"^[a-z][a-z0-9_]{0,63}$", description="What happened, e.g. order_rejected")
    source_event_id: UUID
    source_event_type: str
    client_id: UUID | None = Field(None, description="The client the matter concerns, if any")
    language: str = Field(pattern=r"^[a-z]{2,3}$", description="The person's language when told (the e-mail's)")
    params: dict[str, Param] = Field(default_factory=dict, description=(
        "What the texts need: codes, ids, amounts in cents, dates (never personal data)"))


class NotificationRead(DomainEvent):
    """The person marked the item read."""

    event_type = "fi.avain.notifications.NotificationRead"

    item_id: UUID
    person_id: str = Field(min_length=1, max_length=200)


EVENTS: list[type[DomainEvent]] = [PersonNotified, NotificationRead]

registry = EventRegistry(EVENTS)
