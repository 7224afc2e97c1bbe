"""What callers ask of the notifications service: the service itself, when another service's event tells somebody
something (``Tell``), and a person marking an item of their inbox read (``MarkRead``). Handlers: handlers.py; who
may send which: policy.py."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from contracts.notifications import Audience, Param
from shared.kernel.commands import Command

# Whom an event concerns, in its own terms; the handler finds the people (domain/audience.py):
#   client_side: the client (id) and whoever represents them      coordinator: the client's (id) coordinating worker
#   staff: the staff member (id) in the given audience             provider: the provider's (id) people
#   suspension: everyone the provider's (id) suspension touches: its people, its open orders' clients and workers
#   approvers: everyone whose delegation covers the request for approval (id); the matter is in the Tell's params
PartyRole = Literal["client_side", "coordinator", "staff", "provider", "suspension", "approvers"]


class Party(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    role: PartyRole
    id: str
    audience: Audience = "worker"  # for a staff member: as whom they are told
    variant: str | None = None  # a text of its own for this party (the previous worker of a client, ...)
    only: str | None = None  # of the party's people, this person alone (the recipient a decision letter served)


class Tell(Command):
    """Another service's event (``source_event_id``) has something to tell these parties."""

    source_event_id: UUID
    source_event_type: str
    subject: str  # the event's CloudEvents subject: the notice's too (the Kafka key of what it records)
    kind: str
    parties: tuple[Party, ...]
    params: dict[str, Param] = Field(default_factory=dict)
    actor_id: str | None = None  # whose act the event records: they are not told of it


class MarkRead(Command):
    """A person read an item of their inbox."""

    notice_id: UUID  # the event the item is about: the stream notice-<notice_id>
    item_id: UUID
