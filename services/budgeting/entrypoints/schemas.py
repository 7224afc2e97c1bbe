"""Request bodies of budgeting's HTTP API."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from contracts.budgeting import Period, ProviderType

Text = Field(min_length=1, max_length=4000)
Category = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_]+$")


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GasLevelsBody(Body):
    much_less_than_expected: str = Text
    less_than_expected: str = Text
    expected: str = Text
    more_than_expected: str = Text
    much_more_than_expected: str = Text


class GoalBody(Body):
    title: str = Field(min_length=1, max_length=400, description="The goal in the client's own words")
    levels: GasLevelsBody
    baseline_level: int = Field(-1, ge=-2, le=2)
    weight: int = Field(1, ge=1, le=10)


class SupportBody(Body):
    category: str = Category
    description: str = Text
    estimated_cost_cents: int = Field(ge=0, le=100_000_000)
    provider_type: ProviderType
    goal_ids: list[UUID] = Field(default_factory=list)


class WishBody(Body):
    text: str = Text


class AmountBody(Body):
    amount_cents: int = Field(gt=0, le=100_000_000)
    breakdown: dict[Annotated[str, Field(pattern=r"^[a-z0-9_]{1,64}$")], int] = Field(
        min_length=1, description="Cents by support category (codes such as cleaning); sums to amount_cents")

    @model_validator(mode="after")
    def _sums(self) -> AmountBody:
        if any(v < 0 for v in self.breakdown.values()):
            raise ValueError("breakdown amounts cannot be negative")
        if sum(self.breakdown.values()) != self.amount_cents:
            raise ValueError("the breakdown must sum to amount_cents")
        return self


class ProposalBody(AmountBody):
    period: Period


class DecisionBody(Body):
    reasoning: str = Field(min_length=1, max_length=4000, description=(
        "Why this budget (434/2003 45 §: the facts and rules applied); the legal bases and the instructions for "
        "seeking rectification come from the county's legal basis table"))


class ApprovalBody(Body):
    reason: str = Text


class RevisionBody(AmountBody):
    reason: str = Text


class ClosureBody(Body):
    # A case closes in follow-up (its CaseClosed closes the budget); here a budget ends with its period.
    reason: Literal["period_ended"]
