"""Channels: the ways a person is told beyond the in-app inbox, behind one interface.

The inbox is the record: every notification is an item there, always, in the same transaction as the event that
caused it. A channel carries a short message saying there is something new; the mailer (adapters/mailer.py)
hands each message of the e-mail outbox to a channel, at least once, and settles it by what the channel answers.
E-mail over SMTP is the channel built (adapters/smtp.py); Suomi.fi Messages maps onto the same interface (see the
notifications ADR in docs/decisions) once it can be tested.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Message:
    """One message to one address. ``message_id`` is stable per (event, person): a duplicate is recognisable."""

    message_id: str
    to: str
    subject: str
    body: str
    language: str


class DeliveryFailed(Exception):
    """The channel did not take the message. ``permanent``: it never will (a refused address), else try later.
    The text is a code or an exception type, never an address."""

    def __init__(self, reason: str, *, permanent: bool) -> None:
        super().__init__(reason)
        self.permanent = permanent


class Channel(Protocol):
    name: str

    async def send(self, message: Message) -> None:
        """Returns once the channel has accepted the message; raises DeliveryFailed otherwise."""

    async def close(self) -> None: ...
