"""The case history's events, version 1. Topic ``avain.history.events.v1``, key = client id.

The data subject's rights as the law allows them (GDPR arts. 16-18 with the Client Data Act 703/2023): erasure
only on a coded legal ground, asked by one authorised person and approved by another, and refused with reasons
(recorded) while the law requires the records; restriction of processing in the cases of art. 18(1)(a)-(d);
correction as a new entry that leaves the old one readable. References are diary or case numbers, never names.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from shared.kernel.events import DomainEvent, EventRegistry
from shared.kernel.sealed import Sealed

# Why the data may be erased (the ground is a code; the reference names the decision or order).
ErasureGround = Literal[
    "retention_period_ended",  # the records' retention period after the case closed has ended (703/2023)
    "processing_unlawful",  # GDPR art. 17(1)(d): the data was processed unlawfully
    "order_of_court_or_authority",  # a court or the supervisory authority ordered it (art. 17(1)(e), 58(2)(g))
]
# What stops erasure while it lasts: legal holds and requests still pending.
HoldKind = Literal[
    "court_appeal",  # an appeal in an administrative court
    "complaint",  # a complaint (muistutus, kantelu) being handled
    "claim",  # a claim for damages or another legal claim
    "rectification_request",  # a rectification request (oikaisuvaatimus) not yet decided
    "data_subject_request",  # another request of the data subject (access, correction) being handled
]
# GDPR art. 18(1): (a) accuracy contested, (b) unlawful but the subject opposes erasure, (c) needed by the subject
# for legal claims, (d) objection pending.
RestrictionGround = Literal["accuracy_contested", "unlawful_erasure_opposed", "needed_for_legal_claims",
                            "objection_pending"]
CorrectionReason = Literal["inaccurate", "incomplete"]
Reference = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9ÅÄÖåäö .,:;/§()_#-]+$",
                  description="A diary, decision or case number; never a name or other personal data")


class RefusalReason(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str = Field(description="Stable reason code, e.g. legal_hold, rectification_period_open")
    reason: str = Field(description="The reason in English, with the rule it rests on")


class ClientErased(DomainEvent):
    """The client's key was destroyed (crypto-shredding): their personal data is unreadable everywhere.

    Services drop what could re-identify the client (intake: the hetu lookup). Amounts, decisions and
    timings stay, and the history still replays and verifies."""

    event_type = "fi.avain.history.ClientErased"

    client_id: UUID
    basis: Literal["retention_period_ended", "other_legal_basis"]
    legal_basis: str = Field(min_length=1, description="The recorded legal basis of the erasure")


class ErasureRequested(DomainEvent):
    """An authorised person asked to erase the client's data; a second one must approve it."""

    event_type = "fi.avain.history.ErasureRequested"

    client_id: UUID
    request_id: UUID
    ground: ErasureGround
    reference: str = Reference
    requested_by: str = Field(min_length=1, max_length=200, description="The user id of who asked")


class ErasureRefused(DomainEvent):
    """A request to erase (or its approval) was refused, with every reason: the answer the data subject gets
    (GDPR art. 12(4): reasons and the right to complain to the Data Protection Ombudsman)."""

    event_type = "fi.avain.history.ErasureRefused"

    client_id: UUID
    request_id: UUID | None = None  # set when an approval was refused
    ground: str | None = Field(None, max_length=64, description="The ground asked for, if any (a code)")
    stage: Literal["request", "approval"]
    reasons: list[RefusalReason] = Field(min_length=1)


class ErasureApproved(DomainEvent):
    """A second authorised person approved the request: the key is destroyed (ClientErased follows)."""

    event_type = "fi.avain.history.ErasureApproved"

    client_id: UUID
    request_id: UUID
    requested_by: str


class ErasureRequestWithdrawn(DomainEvent):
    """A pending request was turned down by the second person, or withdrawn."""

    event_type = "fi.avain.history.ErasureRequestWithdrawn"

    client_id: UUID
    request_id: UUID


class LegalHoldPlaced(DomainEvent):
    """While this holds, the case's records may not be erased."""

    event_type = "fi.avain.history.LegalHoldPlaced"

    client_id: UUID
    hold_id: UUID
    kind: HoldKind
    reference: str = Reference


class LegalHoldLifted(DomainEvent):
    event_type = "fi.avain.history.LegalHoldLifted"

    client_id: UUID
    hold_id: UUID


class PermanentArchivingDesignated(DomainEvent):
    """The case holds documents designated for permanent archiving: they are never destroyed."""

    event_type = "fi.avain.history.PermanentArchivingDesignated"

    client_id: UUID
    reference: str = Reference


class ProcessingRestricted(DomainEvent):
    """Processing restricted (GDPR art. 18): the case is read only for ``purpose``, every read logged."""

    event_type = "fi.avain.history.ProcessingRestricted"

    client_id: UUID
    ground: RestrictionGround
    purpose: Literal["care", "decision", "supervision", "own_data", "service_delivery", "audit", "billing"]
    reference: str = Reference


class RestrictionLifted(DomainEvent):
    event_type = "fi.avain.history.RestrictionLifted"

    client_id: UUID


class EntryCorrected(DomainEvent):
    """A correction of an entry (GDPR art. 16): the corrected content in a new entry, sealed with the client's
    key; the old entry stays readable, with who corrected it, when and why."""

    event_type = "fi.avain.history.EntryCorrected"

    client_id: UUID
    entry_event_id: UUID
    reason: CorrectionReason
    correction: Sealed
    explanation: Sealed | None = None


class CopyRequested(DomainEvent):
    """The data subject asked for a copy of their data (GDPR art. 15): by the client or their representative (the
    actor says who), answered within one month (art. 12(3)). Pending until CopyDelivered."""

    event_type = "fi.avain.history.CopyRequested"

    client_id: UUID
    request_id: UUID
    requested_by: Literal["client", "representative"]
    requested_at: datetime = Field(description="When it was received: the copy tells the case as of this instant")
    requested_on: date = Field(description="The county's day of receipt (Europe/Helsinki)")
    due_on: date = Field(description="The last day to deliver it: one month later, on a working day")
    language: str = Field(pattern=r"^[a-z]{2,3}$", description="The copy's language (the client's, or en on request)")


class CopyDelivered(DomainEvent):
    """The copy was handed over (its first download): what it holds, by the hash of the bundle as delivered
    (contracts/documents/ClientCopy.v1.json), and how many of the log's events it was made from."""

    event_type = "fi.avain.history.CopyDelivered"

    client_id: UUID
    request_id: UUID
    delivered_on: date
    late: bool = Field(description="Delivered after its due day")
    content_hash: str = Field(description="sha256 of the bundle's JSON (RFC 8785 form) as delivered")
    sources: int = Field(ge=0, description="The number of the log's events the copy was made from")


EVENTS: list[type[DomainEvent]] = [
    ClientErased, ErasureRequested, ErasureRefused, ErasureApproved, ErasureRequestWithdrawn, LegalHoldPlaced,
    LegalHoldLifted, PermanentArchivingDesignated, ProcessingRestricted, RestrictionLifted, EntryCorrected,
    CopyRequested, CopyDelivered,
]
registry = EventRegistry(EVENTS)
