"""The decisions service's events. Topic ``avain.decisions.events.v1``, key = client id.

The county's register of administrative decisions: each decision another service records (contracts/records.py)
is registered here, in a stream of its own (``decision-<decision_id>``), and served by recorded dispatches, each
with the time limit for a request for rectification that it starts (services/decisions/domain/serving.py).
A request for rectification (oikaisuvaatimus) is handled in the stream of the decision it contests: filed (marked
late when received after the filer's time limit), prepared by an official who took no part in the decision,
decided by the body the instructions name (upheld, amended, dismissed), with the outcome's own decision record
(kind ``rectification``, appeal instructions to the administrative court) beside it; unanswered for the county's
configured time, it raises one RectificationOverdue. Each recorded dispatch writes the decision's letter
(LetterIssued: the PDF/A as served and the facts it was written from, sealed with the client's key, with its
hashes, template version and texts; issue 18).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from contracts import records
from shared.kernel.events import DomainEvent, EventRegistry
from shared.kernel.law import DecisionKind, Instructions
from shared.kernel.sealed import Sealed

DispatchMethod = Literal["letter", "electronic", "proven_electronic", "in_person"]
RectificationOutcome = Literal["upheld", "amended", "dismissed"]


class PublishedRecord(records.DecisionRecorded):
    """A decision record as the deciding service published it, kept inside DecisionRegistered. A name of its own:
    the register's own DecisionRecorded (a decision on a request for rectification) is another schema."""


class DecisionRegistered(DomainEvent):
    """A decision another service recorded, in the register: what the register needs to serve it and to handle
    requests for its rectification (the full record stays the deciding service's event, ``source_event_id``)."""

    event_type = "fi.avain.decisions.DecisionRegistered"

    decision_id: UUID
    decision_number: str = Field(max_length=64)
    kind: DecisionKind
    client_id: UUID
    decided_on: date
    decided_by: str = Field(description="Staff id of the person who decided (on approval, the approver)")
    prepared_by: str | None = Field(None, description="Who prepared it, when another person decided")
    language: str = Field(description="The language it is made and served in")
    instructions: Instructions
    source_service: str = Field(description="The service that decided (budgeting, intake, ...)")
    source_event_id: UUID = Field(description="The DecisionRecorded event registered")
    replaces: str | None = Field(None, description="The number of the decision this one changes or answers")
    record: PublishedRecord | None = Field(
        None, description="The record as the deciding service published it, its sealed texts still sealed: what the "
        "decision's letters are written from (null: registered before letters were written)")


# Who a decision is served to: the client (15 or older), or a representative by the kind of their link
# (shared/kernel/representation.py). "representative": a dispatch recorded before v2 named a representative's id
# without its kind; "unidentified": it named someone in words that are no reference (read as v2, the words
# dropped).
RecipientRole = Literal["client", "guardian", "court_appointed", "continuing_power_of_attorney", "authorised",
                        "representative", "unidentified"]


class Recipient(BaseModel):
    """A reference to the person served, never their name: the client's id for the client, a representative's
    person id and the link (mandate) that entitled them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    role: RecipientRole
    person_id: UUID | None = Field(description="The client's id, or the representative's person id (null only for "
                                   "'unidentified', a dispatch of v1 that named no one by reference)")
    link_id: UUID | None = Field(None, description="The representation link in force that entitled them (null: the "
                                 "client, or recorded before v2)")

    @property
    def reference(self) -> str:
        """How the register names the recipient (its time limits, letters, receipts): 'client' or the person id."""
        if self.role == "client":
            return CLIENT_RECIPIENT
        return str(self.person_id) if self.person_id is not None else "unidentified"


CLIENT_RECIPIENT = "client"


class DecisionDispatched(DomainEvent):
    """The decision was sent to a recipient entitled to be served it: how, when, and the time limit for
    rectification that this starts by the county's rules of the day of sending (none yet when receipt must be
    recorded: proven electronic). Version 2: the recipient is a reference (role, person id, link), checked against
    who was entitled on the day of sending; version 1 carried it as text (read through the upcaster below)."""

    event_type = "fi.avain.decisions.DecisionDispatched"
    schema_version = 2

    decision_id: UUID
    client_id: UUID
    recipient: Recipient
    method: DispatchMethod
    sent_at: datetime
    sent_on: date = Field(description="The county's calendar day of sending (Europe/Helsinki)")
    recorded_by: str = Field(description="Who recorded the dispatch (a worker, later the notifications service)")
    electronic_consent: bool = Field(False, description="The recipient's consent to electronic service is on record")
    rules_version: str = Field(description="The version of the service rules table applied")
    deemed_received_on: date | None = Field(description="The presumed day of receipt (null: at recorded receipt)")
    deadline: date | None = Field(description="The last day for a request for rectification (null: not running)")


def _dispatched_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """v1's ``recipient`` was text: 'client', a representative's id, or (unchecked) anything else."""
    text = str(data["recipient"])
    if text == CLIENT_RECIPIENT:
        recipient: dict[str, Any] = {"role": "client", "person_id": data["client_id"]}
    else:
        try:
            recipient = {"role": "representative", "person_id": str(UUID(text))}
        except ValueError:
            recipient = {"role": "unidentified", "person_id": None}
    return {**data, "recipient": {**recipient, "link_id": None}}


class DecisionReceiptRecorded(DomainEvent):
    """The day a recipient actually received the decision (or retrieved a proven electronic service); a receipt
    later than the presumption moves the time limit."""

    event_type = "fi.avain.decisions.DecisionReceiptRecorded"

    decision_id: UUID
    client_id: UUID
    recipient: str = Field(max_length=200)
    received_on: date
    recorded_by: str
    deadline: date = Field(description="The last day for a request for rectification, from now on")


class LetterMetadata(BaseModel):
    """What travels with a letter, as Kanta's archive of social welfare client documents describes a document."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    document_type: str = Field(description="decision-letter/<kind>")
    title: str = Field(description="The letter's title (names the decision, never the client)")
    author: str = Field(description="Who decided, as the staff directory names them")
    organisation: str
    service_task: str | None
    decided_on: date
    issued_at: datetime


class LetterIssued(DomainEvent):
    """A decision letter as served to one recipient (issue 18): the PDF/A-3a (also PDF/UA-1) itself and the
    facts it was written from, both sealed with the client's key, so it stays as served and nobody reads it after
    the client's erasure; its hashes, template version and the catalogue texts it used, so anyone can check it
    and render its accessible HTML twin again (shared/infra/letters, docs/decisions/0022)."""

    event_type = "fi.avain.decisions.LetterIssued"

    letter_id: UUID
    decision_id: UUID
    client_id: UUID
    decision_number: str = Field(max_length=64)
    kind: DecisionKind
    recipient: str = Field(max_length=200, description="'client' or the representative served")
    dispatch_id: UUID = Field(description="The DecisionDispatched event this letter was served with")
    language: str
    template_version: str
    catalogue_version: str = Field(description="sha256 of the catalogue texts the letter was written with")
    texts: dict[str, str] = Field(description="Those texts (catalogue keys → texts): the letter's wording")
    content_hash: str = Field(description="sha256 of the PDF as served")
    html_hash: str = Field(description="sha256 of its accessible HTML twin")
    pdf_variant: str
    document: Sealed = Field(description="The PDF as served, base64, sealed")
    content: Sealed = Field(description="The facts the letter was written from (JSON), sealed")
    metadata: LetterMetadata


class RectificationRequested(DomainEvent):
    """A request for rectification of the decision, as received: by whom, for which party, when, in their own
    words, and whether it came after that party's time limit (a late one is recorded all the same)."""

    event_type = "fi.avain.decisions.RectificationRequested"

    request_id: UUID
    decision_id: UUID
    client_id: UUID
    decision_number: str = Field(max_length=64)
    party: str = Field(max_length=200, description="Whose request: 'client' or the representative's id (the "
                       "recipient whose time limit applies)")
    filed_by: str = Field(description="Who filed or recorded it (the client, or a worker on their behalf)")
    filed_by_role: str
    received_on: date = Field(description="The day the county received it")
    text: Sealed = Field(description="The request in the requester's own words, sealed")
    deadline: date | None = Field(description="The party's last day (null: the decision was not served to them)")
    late: bool
    answer_due_at: datetime = Field(description="When an unanswered request becomes overdue")


class RectificationPrepared(DomainEvent):
    """The request prepared for the deciding body by an official who took no part in the decision."""

    event_type = "fi.avain.decisions.RectificationPrepared"

    request_id: UUID
    decision_id: UUID
    client_id: UUID
    prepared_by: str
    proposal: RectificationOutcome
    memo: Sealed = Field(description="The preparer's memorandum, sealed")


class RectificationDecided(DomainEvent):
    """The body's decision on the request; its own decision record (kind rectification) follows in the stream.
    An amended outcome carries the new terms, which the deciding service turns into a new decision."""

    event_type = "fi.avain.decisions.RectificationDecided"

    request_id: UUID
    decision_id: UUID
    client_id: UUID
    outcome: RectificationOutcome
    body: str = Field(description="The deciding body's code (e.g. individual_matters_section)")
    meeting_date: date
    minutes_section: str = Field(max_length=40, description="The section of the minutes, e.g. 12 §")
    recorded_by: str
    reasoning: Sealed
    outcome_decision_id: UUID
    outcome_decision_number: str = Field(max_length=64)
    amended_amount_cents: int | None = Field(None, ge=0, description="Amended: the budget's new amount")
    amended_breakdown: dict[str, int] = Field(default_factory=dict, description="Amended: the new breakdown")


class RectificationOverdue(DomainEvent):
    """A request still unanswered when its answer was due: once, for the manager."""

    event_type = "fi.avain.decisions.RectificationOverdue"

    request_id: UUID
    decision_id: UUID
    client_id: UUID
    answer_due_at: datetime


class DecisionRecorded(records.DecisionRecorded):
    """The record of a decision on a request for rectification (contracts/records.py)."""

    event_type = "fi.avain.decisions.DecisionRecorded"


EVENTS: list[type[DomainEvent]] = [
    DecisionRegistered, DecisionDispatched, DecisionReceiptRecorded, RectificationRequested, RectificationPrepared,
    RectificationDecided, RectificationOverdue, DecisionRecorded, LetterIssued,
]

registry = EventRegistry(EVENTS)
registry.register_upcaster(DecisionDispatched.event_type, 1, _dispatched_v1_to_v2)
