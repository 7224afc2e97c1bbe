"""The case history's events, version 1. Topic ``avain.history.events.v1``, key = client id."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import Field

from shared.kernel.events import DomainEvent, EventRegistry


class ClientErased(DomainEvent):
    """The client's key was destroyed (crypto-shredding): their personal data is unreadable everywhere.

    Services drop what could re-identify the client (intake: the hetu lookup). Amounts, decisions and
    timings stay, and the history still replays and verifies."""

    event_type = "fi.avain.history.ClientErased"

    client_id: UUID
    basis: Literal["retention_period_ended", "other_legal_basis"]
    legal_basis: str = Field(min_length=1, description="The recorded legal basis of the erasure")


EVENTS: list[type[DomainEvent]] = [ClientErased]
registry = EventRegistry(EVENTS)
