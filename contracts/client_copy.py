"""The client's own copy of their data (GDPR art. 15), version 1: the document the case history delivers on a
request by the client or their representative, as JSON (this model; its JSON Schema is published as
contracts/documents/ClientCopy.v1.json by ``python -m contracts.generate``) and as a PDF/A in the client's language.

Every part names the event of the log it came from, by its id and its content hash (the envelope's ``hash``,
docs/contracts/verification.md), so that the copy can be checked against the log. It holds the client's own data
only (art. 15(4)): no representative's, support person's or other client's identifiers, names or details; people
of the county are named as the staff directory names them, anyone else only by their role.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from shared.kernel.envelope import SCHEMA_BASE

FORMAT: Literal["avain.client-copy.v1"] = "avain.client-copy.v1"
Hash = Field(pattern=r"^[0-9a-f]{64}$", description="The source event's content hash (its envelope's hash)")


class Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Source(Part):
    event_id: UUID
    hash: str = Hash


class Who(Part):
    """Who did it: a role always; a name only for the county's staff (never an id, never a third party's name)."""

    role: str
    role_words: str
    name: str | None = None


class Details(Part):
    """The client's own identity and contact details as registered or last changed, opened with their key."""

    source: Source
    hetu: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    address: str | None = None
    phone: str | None = None
    email: str | None = None


class Decision(Part):
    source: Source
    decision_number: str
    kind: str
    kind_words: str
    decided_on: date
    decided_by: str | None = Field(description="The deciding person as the staff directory names them")
    amount_cents: int | None = None
    previous_amount_cents: int | None = None
    period_start: date | None = None
    period_end: date | None = None
    breakdown: dict[str, int] = Field(default_factory=dict)
    reason_code: str | None = None
    reasoning: str | None = Field(description="The reasoning, opened with the client's key (null: none, or erased)")
    legal_bases: list[str] = Field(description="Each as act number and section, e.g. 675/2023 9 §")
    replaces: str | None = None


class Letter(Part):
    """A decision letter as served, by its content hash (the letter itself is on the client's page)."""

    source: Source
    decision_number: str
    language: str
    to: Literal["client", "representative"]
    issued_at: datetime
    template_version: str
    content_hash: str = Field(description="sha256 of the PDF/A as served")


class Dispatch(Part):
    source: Source
    decision_number: str | None
    method: str
    sent_on: date
    to: Literal["client", "representative"]
    deadline: date | None = Field(description="The last day to ask for rectification, as the register computed it")


class OwnWords(Part):
    """A text of the client's plan or case in their own words, opened with their key."""

    source: Source
    what: Literal["goal", "support", "wish", "self_assessment", "wishes", "check_in", "correction"]
    what_words: str
    text: str
    category: str | None = None
    estimated_cost_cents: int | None = None


class Entry(Part):
    """One event of the case in words."""

    source: Source
    time: datetime
    type: str
    said: str = Field(description="What happened, in the copy's language")
    who: Who
    amount_cents: int | None = None


class Access(Part):
    """One read of the client's data, in words: who (by role, and a name for the county's staff), when, why."""

    event_id: UUID
    hash: str | None = Field(pattern=r"^[0-9a-f]{64}$", description="The access event's content hash (null: "
                             "recorded before the history kept it)")
    time: datetime
    who: Who
    purpose: str
    service: str
    refused: bool
    said: str


class ClientCopy(Part):
    format: Literal["avain.client-copy.v1"] = FORMAT
    client_id: UUID
    request_id: UUID
    language: str
    requested_at: datetime
    requested_by: Literal["client", "representative"]
    due_on: date
    as_of: datetime = Field(description="The copy tells the case as the log held it at this instant")
    personal: list[Details] = Field(description="The client's own details: as registered, then each change")
    decisions: list[Decision]
    letters: list[Letter]
    dispatches: list[Dispatch]
    plan: list[OwnWords] = Field(description="The plan and the case in the client's own words")
    timeline: list[Entry]
    access_log: list[Access]
    sources: int = Field(ge=0, description="How many of the log's events the copy was made from")


def schema() -> dict[str, object]:
    """The published JSON Schema of the document (strict: a copy is produced here, never read from elsewhere)."""
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": SCHEMA_BASE + "documents/ClientCopy.v1.json",
            **ClientCopy.model_json_schema()}
