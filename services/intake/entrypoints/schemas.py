"""Request and response bodies of intake's HTTP API (separate from events: a body is not a contract)."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from contracts.intake import Language, SelfAssessmentScores, ServiceTask

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
