"""The access log, version 1: every read of a client's data over any API is an event.

Published by whichever service served the read, on the access topic ``avain.access.events.v1`` (until
issue 22 on that service's own topic, where the older ones stay), keyed by the client id; the case history keeps
the log, queryable per client and per user (Act on the Processing of Client Data 703/2023:
who, whose data, when, why). Carries no personal data itself: ids, roles, a purpose code, a route template.
"""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import Field

from shared.kernel.events import DomainEvent, EventRegistry

# "archiving": an integration client filing the client's documents in the national archive (Kanta), ADR 0016.
# "notification": the notifications service opening a person's contact details to send them an e-mail.
# "representation": a guardian or another representative reading for the client (ADR 0026); "disclosure": the
# client's data handed over to another authority (a county now responsible after a move), with the recipient.
Purpose = Literal["care", "decision", "supervision", "own_data", "service_delivery", "audit", "billing", "archiving",
                  "notification", "representation", "disclosure"]
PURPOSES: tuple[Purpose, ...] = ("care", "decision", "supervision", "own_data", "service_delivery", "audit", "billing",
                                 "archiving", "notification", "representation", "disclosure")


class DataAccessed(DomainEvent):
    """Someone read a client's data over an API: who, whose, when (the event's time), why, and what they got."""

    event_type = "fi.avain.access.DataAccessed"

    client_id: UUID
    user_id: str
    role: str
    purpose: Purpose
    service: str
    resource: str = Field(description="The route template read, e.g. GET /budgets/{client_id}")
    status: int = Field(description="The HTTP status the reader got (a refused read is logged too)")
    recipient: str | None = Field(None, description="Who the data was disclosed to (another authority), if anyone")


EVENTS: list[type[DomainEvent]] = [DataAccessed]
registry = EventRegistry(EVENTS)
