"""The decision record family: an administrative decision (434/2003: in writing, who decided under what authority,
when, what, why, on what law, and how to seek its change) as the county's register keeps it.

The service that decides publishes the record in the stream of what it decided, beside its own event (budgeting:
a budget decision, every revision, a closure of the case that ends support; intake: a declined intake; decisions:
the decision on a request for rectification). Each publisher declares the family under its own event type, as with
the approval family (contracts/approvals.py):

    class DecisionRecorded(records.DecisionRecorded):
        event_type = "fi.avain.<service>.DecisionRecorded"

The decisions service reads every one into the register, serves it (dispatch, the rectification deadline) and
handles requests for its rectification. A record carries codes, never texts: the legal bases as act numbers and
sections, the instructions as a body and a number of days (shared/kernel/law.py); the words are written in each
reader's language from the catalogue and the one fixture of acts. Free text about the client (the reasoning, the
plan's goals and supports in the client's words) is sealed with the client's key.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from shared.kernel.approvals import Authority
from shared.kernel.events import DomainEvent
from shared.kernel.law import DecisionKind, Instructions, LegalBasis
from shared.kernel.sealed import Sealed

__all__ = ["DecisionKind", "DecisionPeriod", "DecisionRecorded", "Instructions", "LegalBasis", "PlanGoal",
           "PlanSummary", "PlanSupport"]


class Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DecisionPeriod(Value):
    start: date
    end: date


class PlanGoal(Value):
    goal_id: UUID
    title: Sealed = Field(description="The goal in the client's words, sealed")
    weight: int


class PlanSupport(Value):
    support_id: UUID
    category: str
    description: Sealed = Field(description="The support in the client's and worker's words, sealed")
    estimated_cost_cents: int
    provider_type: str
    goal_ids: list[UUID]


class PlanSummary(Value):
    """The plan as it stood when decided: its goals and the supports tied to them."""

    goals: list[PlanGoal]
    supports: list[PlanSupport]


class DecisionRecorded(DomainEvent):
    """One administrative decision, as decided."""

    decision_id: UUID
    decision_number: str = Field(description="The public number of the decision, e.g. HB-2026-000042")
    kind: DecisionKind
    client_id: UUID
    decided_on: date
    decided_by: str = Field(description="Staff id of the person who decided (on approval, the approver)")
    authority: Authority | None = Field(description="The delegation they decided under (null: none recorded)")
    prepared_by: str | None = Field(None, description="Who prepared it, when another person decided")
    decided_by_body: str | None = Field(None, description="A collegial body's code, for a decision it made "
                                        "(a request for rectification)")
    language: str = Field(description="The language the decision is made and served in (423/2003): fi or sv")
    service_task: str | None = None
    municipality: str | None = None
    plan: PlanSummary | None = None
    amount_cents: int | None = None
    previous_amount_cents: int | None = None
    period: DecisionPeriod | None = None
    breakdown: dict[str, int] = Field(default_factory=dict)
    reason_code: str | None = Field(None, description="A coded reason, when there is one (a closure's, an outcome's)")
    reasoning: Sealed | None = Field(description="The reasoning (434/2003 45 §), sealed")
    legal_table_version: str
    legal_bases: list[LegalBasis]
    instructions: Instructions
    replaces: str | None = Field(None, description="The number of the decision this one changes or answers")
