"""What callers ask of the case history: the data subject's rights over a client's case, one command each.

Each lands on the client's rights stream (``rights-<client id>``). Texts are in clear until the handler seals them
with the client's key; the facts the rules need (the case's decisions, its closing, the retention table) are read
by the handler, not sent by the caller. Handlers: handlers.py; who may send which: policy.py."""

from __future__ import annotations

from uuid import UUID, uuid4

from pydantic import Field

from contracts.history import CorrectionReason, HoldKind, RestrictionGround
from shared.kernel.commands import Command


class RightsCommand(Command):
    client_id: UUID  # whose case: the stream is rights-<client id>


class RequestErasure(RightsCommand):
    """GDPR art. 17 on a coded ground; refused (and the refusal recorded) while the law requires the records."""

    ground: str | None  # coded (rights.GROUNDS); anything else is refused with the reason recorded
    reference: str


class ApproveErasure(RightsCommand):
    """The second person's approval: the rules are checked again, and the key is destroyed with the record."""

    request_id: UUID


class WithdrawErasure(RightsCommand):
    request_id: UUID


class PlaceHold(RightsCommand):
    kind: HoldKind
    reference: str
    hold_id: UUID = Field(default_factory=uuid4)


class LiftHold(RightsCommand):
    hold_id: UUID


class DesignateForArchiving(RightsCommand):
    reference: str


class RestrictProcessing(RightsCommand):
    """GDPR art. 18(1)(a)-(d): while restricted, the case is read only for ``purpose``."""

    ground: RestrictionGround
    purpose: str
    reference: str


class LiftRestriction(RightsCommand):
    pass


class CorrectEntry(RightsCommand):
    """GDPR art. 16: a new entry with the accurate content; the old one stays, marked corrected."""

    entry_event_id: UUID
    reason: CorrectionReason
    correction: str = Field(min_length=1)
    explanation: str | None = None


class RequestCopy(RightsCommand):
    """GDPR art. 15: the client, or their representative for them, asks for a copy of their data; due in a month."""

    language: str | None = None  # None: the client's own language
    request_id: UUID = Field(default_factory=uuid4)


class DeliverCopy(RightsCommand):
    """The copy is handed over (its first download): recorded with the hash of the bundle as delivered."""

    request_id: UUID
    content_hash: str
    sources: int
