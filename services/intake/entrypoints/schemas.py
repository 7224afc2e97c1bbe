"""Request and response bodies of intake's HTTP API (separate from events: a body is not a contract)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from contracts.intake import EndReason, Language, LinkSource, SelfAssessmentScores, ServiceTask
from shared.kernel.representation import Act, Kind

Text = Field(min_length=1, max_length=4000)


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RegisterClientBody(Body):
    hetu: str = Field(min_length=11, max_length=11, description="Henkilötunnus; validated, stored only sealed")
    first_name: str = Field(min_length=1, max_length=200)
    last_name: str = Field(min_length=1, max_length=200)
    phone: str | None = Field(None, max_length=40)
    email: EmailStr | None = None
    address: str | None = Field(None, max_length=400)
    municipality: str = Field(min_length=1, max_length=64)
    preferred_language: Language = "fi"


class GiveConsentBody(Body):
    given_by: Literal["client", "guardian", "representative"] = "client"


class WithdrawConsentBody(Body):
    reason: str | None = Field(None, max_length=4000)


class SelfAssessmentBody(Body):
    scores: SelfAssessmentScores
    own_words: str | None = Field(None, max_length=8000, description="The client's own account")
    wishes: str | None = Field(None, max_length=8000, description="The client's wishes, recorded as theirs")


class AssignCoordinatorBody(Body):
    worker_id: str = Field(min_length=1, max_length=100)


class NeedsAssessmentBody(Body):
    service_task: ServiceTask
    support_needs: list[Annotated[str, Field(pattern=r"^[a-z0-9_]{1,64}$")]] = Field(
        min_length=1, max_length=30, description="Codes of the areas of support, e.g. everyday_life (free text "
        "about the client goes in the sealed summary)")
    summary: str = Text


class PreferredLanguageBody(Body):
    preferred_language: Language


class DeclineBody(Body):
    reason: str = Field(min_length=1, max_length=4000, description=(
        "Why the client is not eligible (434/2003 45 §: the facts and rules applied), shown to the client"))


class Registered(BaseModel):
    client_id: UUID
    created: bool
    version: int


class CaseSummary(BaseModel):
    client_id: UUID
    status: str
    consent: str
    coordinator_id: str | None
    service_task: str | None
    municipality: str | None
    version: int


class HetuLookupBody(Body):
    hetu: str = Field(min_length=11, max_length=11, description="Henkilötunnus; never stored, never logged")


# --- changes in the client's life -----------------------------------------------------------------------------

class MunicipalityBody(Body):
    municipality: str = Field(min_length=1, max_length=64)
    effective_from: date = Field(description="The first day the client lives there (past or future)")


class ContactDetailsBody(Body):
    """Only the details that changed."""

    address: str | None = Field(None, min_length=1, max_length=400)
    phone: str | None = Field(None, min_length=1, max_length=40)
    email: EmailStr | None = None


class MoveOutBody(Body):
    moved_on: date = Field(description="The day the client moved (not in the future)")
    new_county: str = Field(min_length=1, max_length=120, description="The wellbeing services county now responsible")
    reasoning: str = Text  # the law and the rectification instructions are the county's table's, not the caller's


class HandOverBody(Body):
    to_county: str = Field(min_length=1, max_length=120)


# --- representatives -------------------------------------------------------------------------------------------

class RegisterRepresentativeBody(Body):
    hetu: str = Field(min_length=11, max_length=11, description="Henkilötunnus; validated, stored only sealed")
    first_name: str = Field(min_length=1, max_length=200)
    last_name: str = Field(min_length=1, max_length=200)
    phone: str | None = Field(None, max_length=40)
    email: EmailStr | None = None
    address: str | None = Field(None, max_length=400)
    preferred_language: Language = "fi"


class RepresentativeRegistered(BaseModel):
    person_id: UUID
    created: bool
    version: int


class LinkBody(Body):
    representative_id: UUID
    kind: Kind
    scope: list[Act] | None = Field(None, min_length=1, description=(
        "What the representative may do for the client; required for a court-appointed representative and an "
        "authorised person, a guardian's and a continuing power of attorney's cover everything"))
    starts_on: date | None = Field(None, description="Default: today")
    ends_on: date | None = Field(None, description="The first day it no longer holds (a guardian's: the 18th birthday)")
    source: LinkSource = "worker"
    basis: str = Field(min_length=1, max_length=2000, description="What the link rests on (a court decision, ...)")


class ConfirmBody(Body):
    confirmed_on: date | None = None


class EndLinkBody(Body):
    reason: EndReason
    ended_on: date | None = None


class ProhibitionBody(Body):
    guardian_ids: list[UUID] | None = Field(None, min_length=1, description="Which guardians (default: every one)")
