"""What a decision letter says, as values: the record's facts already opened and worded by the service that serves
the letter (names from the staff directory, the client's goals in their own words, the legal bases as the acts
fixture words them in the letter's language, the rectification deadline as computed).

The letter's own wording (headings, the outcome sentence of each kind of decision, the instructions for seeking a
change) is not here: it comes from the message catalogue's ``letters`` domain in the letter's language, through
the template version (shared/infra/letters/render.py). So this model is everything that differs between two
letters of one kind, and nothing that is the same for all of them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

# The kinds of administrative decision a letter is written for (as the decision records name them, issue 14).
DecisionKind = Literal["budget", "revision", "intake_decline", "support_closure", "rectification"]
DECISION_KINDS: tuple[DecisionKind, ...] = ("budget", "revision", "intake_decline", "support_closure",
                                            "rectification")
DecisionLanguage = Literal["fi", "sv"]  # the national languages a decision is made in (Language Act 423/2003)


class Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class StaffMember(Value):
    """A person of the county as the staff directory names them: work data, not sealed."""

    name: str = Field(min_length=1, max_length=200)
    title: str | None = Field(None, max_length=200)
    unit: str | None = Field(None, max_length=200)
    phone: str | None = Field(None, max_length=40)
    email: str | None = Field(None, max_length=200)


class SupportLine(Value):
    description: str = Field(description="The support in the client's and worker's words")
    category: str = Field(description="The category, worded in the letter's language")
    estimated_cost_cents: int = Field(ge=0)


class AmountLine(Value):
    label: str = Field(description="What the part of the budget is for, worded in the letter's language")
    amount_cents: int


class Remedy(Value):
    """How to seek a change: a request for rectification to a body of the county, or an appeal to a court."""

    kind: Literal["rectification", "appeal"]
    body: str = Field(description="The body or court, worded in the letter's language")
    act: str = Field(description="The act that gives the remedy, worded (e.g. hallintolaki (434/2003) 49 a §)")
    days: int = Field(gt=0)
    deadline: date | None = Field(description="The last day, as the register computed it from the notification "
                                  "(null: it runs from a receipt not yet recorded, e.g. proven electronic service)")
    address: str | None = Field(None, description="Where to send it (the body's postal or e-mail address)")


class Dispatch(Value):
    """How the decision was served (the register's DecisionDispatched)."""

    method: Literal["letter", "electronic", "proven_electronic", "in_person"]
    sent_at: AwareDatetime
    presumed_received_on: date | None = Field(None, description="The day notification is presumed (434/2003 59 §, "
                                              "13/2003 19 §); null: at the recorded receipt")


class LetterContent(Value):
    """One decision letter's facts. Money in integer cents, days as dates, times aware (UTC stored)."""

    kind: DecisionKind
    decision_id: UUID
    decision_number: str = Field(min_length=1, max_length=40)
    client_id: UUID
    language: str = Field(pattern=r"^[a-z]{2,3}$", description="The letter's language: fi, sv, or en (courtesy)")
    decision_language: DecisionLanguage = Field(description="The language the decision was made in")
    authority: str = Field(description="The county (wellbeing services county) that decided, in the letter's "
                           "language")
    issued_at: AwareDatetime = Field(description="When this letter was issued: its creation date in the PDF")
    decided_on: date
    recipient: str | None = Field(None, min_length=1, max_length=300, description="The client's name as the "
                                  "letter is addressed (null: the copy on the client's own page)")
    service_task: str | None = Field(None, description="The service task, worded")
    amount_cents: int | None = None
    previous_amount_cents: int | None = None
    period_start: date | None = None
    period_end: date | None = None
    breakdown: list[AmountLine] = Field(default_factory=list)
    goals: list[str] = Field(default_factory=list, description="The client's goals in their own words")
    supports: list[SupportLine] = Field(default_factory=list)
    reason: str | None = Field(None, description="A coded reason, worded (a decline's, a closure's, an outcome's)")
    reasoning: str | None = Field(None, description="The reasoning as written by the preparer (434/2003 45 §)")
    legal_bases: list[str] = Field(min_length=1, description="Each legal basis worded, e.g. "
                                   "vammaispalvelulaki (675/2023) 9 §")
    decided_by: StaffMember
    decided_by_body: str | None = Field(None, description="A collegial body that decided, worded")
    prepared_by: StaffMember | None = None
    coordinator: StaffMember | None = Field(None, description="The client's coordinating worker and their contact")
    remedy: Remedy
    dispatch: Dispatch | None = None
    replaces: str | None = Field(None, description="The number of the decision this one changes or answers")

    @property
    def is_courtesy_translation(self) -> bool:
        return self.language != self.decision_language


class LetterMetadata(Value):
    """What travels with a stored letter, as Kanta's archive of social welfare client documents describes one:
    the document type, the service task, the client, the author, the dates; plus how it was made."""

    document_type: str = Field(description="decision-letter/<kind>")
    title: str
    decision_id: UUID
    decision_number: str
    client_id: UUID
    service_task: str | None
    author: str = Field(description="Who decided (the document's author)")
    organisation: str
    language: str
    decided_on: date
    created_at: datetime
    template_version: str
    catalogue_version: str = Field(description="sha256 of the catalogue texts the letter was written with")
    content_hash: str = Field(description="sha256 of the PDF/A as served")
    html_hash: str = Field(description="sha256 of the accessible HTML twin")
    pdf_variant: str
