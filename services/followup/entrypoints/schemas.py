"""Request bodies of follow-up's HTTP API."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from contracts.followup import ClosureReason, ContactType
from contracts.intake import AssessmentForm, SelfAssessmentScores

Text = Field(min_length=1, max_length=8000)


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CheckInBody(Body):
    contact_type: ContactType
    client_account: str = Field(min_length=1, max_length=8000, description="How things are going, in the client's words")
    worker_notes: str = Text


class GoalAttainmentBody(Body):
    goal_id: UUID
    level: int = Field(ge=-2, le=2, description="GAS −2…+2; 0 = the expected outcome")


class ReassessmentBody(Body):
    scores: SelfAssessmentScores
    own_words: str | None = Field(None, max_length=8000, description="The client's own account")
    form: AssessmentForm | None = Field(None, description=(
        "adult (0–10) or child (the children's form, faces 1–5; docs/self-assessment.md); default: the baseline's"))


class PlanReviewBody(Body):
    reason: str | None = Field(None, max_length=4000, description="Why a review is wanted, in the asker's words")


class ClosureBody(Body):
    reason: ClosureReason
    note: str | None = Field(None, max_length=4000)


class OwnCheckInBody(Body):
    text: str = Field(min_length=1, max_length=8000, description="How things are going, in the client's own words")


class EndRequestBody(Body):
    reason: str | None = Field(None, max_length=4000, description="Why, in the asker's words")


class EndAnswerBody(Body):
    answer: Literal["agreed", "declined"]
    note: str | None = Field(None, max_length=4000)
