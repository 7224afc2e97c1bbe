"""Budgeting's events, version 1. Topic ``avain.budgeting.events.v1``, key = client id.

One budget per client (stream ``budget-<client id>``). Its invariant, kept by ``domain/budget.py``:
reserved + spent never exceeds the decided amount, also under concurrent orders and purchases.

Funds are reserved, released and spent for a *matter*: an order from the marketplace's shelf or a one-off purchase
(``matter``, "order" unless said). ``order_id`` names the matter in its owner's terms: the order's id, or the
purchase's id when ``matter`` is "purchase" (the field kept its name so that every reader of version 1 still reads),
or a support-person agreement's id when it is "agreement": an agreement's reservation is drawn down by each of its
claims (``invoice_id`` is the claim's id), the rest released when it ends.
Money is integer euro cents. Free text about the client (goals in their words, wishes, reasoning) is
sealed with the client's key.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from contracts import approvals, records
from contracts.intake import ServiceTask
from shared.kernel.approvals import Authority
from shared.kernel.events import DomainEvent, EventRegistry
from shared.kernel.sealed import Sealed


class ProviderType(StrEnum):
    PUBLIC = "public"
    FIRM = "firm"
    NGO = "ngo"
    INFORMAL = "informal"
    MATERIAL_HELP = "material_help"


class GasLevels(BaseModel):
    """Goal Attainment Scaling: what each level −2…+2 looks like, described in the client's words."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    much_less_than_expected: Sealed  # −2
    less_than_expected: Sealed  # −1
    expected: Sealed  # 0
    more_than_expected: Sealed  # +1
    much_more_than_expected: Sealed  # +2


class Period(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    start: date
    end: date

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end <= self.start:
            raise ValueError("the period must end after it starts")
        return self


class BudgetOpened(DomainEvent):
    """Intake completed: a draft budget for the client, coordinated by their worker."""

    event_type = "fi.avain.budgeting.BudgetOpened"

    client_id: UUID
    coordinator_id: str
    service_task: ServiceTask
    municipality: str
    intake_event_id: UUID
    preferred_language: str | None = Field(None, description="The client's chosen language (from issue 14 on)")


class CoordinatorChanged(DomainEvent):
    event_type = "fi.avain.budgeting.CoordinatorChanged"

    client_id: UUID
    coordinator_id: str


class GoalSet(DomainEvent):
    event_type = "fi.avain.budgeting.GoalSet"

    client_id: UUID
    goal_id: UUID
    title: Sealed
    levels: GasLevels
    baseline_level: int = Field(ge=-2, le=2, description="Where the client stands now on the GAS scale")
    weight: int = Field(1, ge=1, le=10)


class SupportPlanned(DomainEvent):
    event_type = "fi.avain.budgeting.SupportPlanned"

    client_id: UUID
    support_id: UUID
    category: str = Field(min_length=1, max_length=64)
    description: Sealed
    estimated_cost_cents: int = Field(ge=0)
    provider_type: ProviderType
    goal_ids: list[UUID] = Field(default_factory=list)


class ClientWishRecorded(DomainEvent):
    """The client's own wish, recorded as theirs (whoever typed it)."""

    event_type = "fi.avain.budgeting.ClientWishRecorded"

    client_id: UUID
    wish_id: UUID
    text: Sealed


class BudgetProposed(DomainEvent):
    event_type = "fi.avain.budgeting.BudgetProposed"

    client_id: UUID
    proposal_id: UUID
    amount_cents: int = Field(gt=0)
    period: Period
    breakdown: dict[str, int] = Field(description="Amount by support category; sums to amount_cents")


class BudgetApprovalRequested(DomainEvent):
    """Before issue 14: the proposal was above the worker's authority limit and waited for a manager. New requests
    are ``ApprovalRequested`` (the approval family, kind budget_decision); these stay readable."""

    event_type = "fi.avain.budgeting.BudgetApprovalRequested"

    client_id: UUID
    proposal_id: UUID
    amount_cents: int
    authority_limit_cents: int
    requested_by: str
    decision_number: str
    reasoning: Sealed
    legal_basis: str
    appeal_instructions: str


class BudgetApproved(DomainEvent):
    """Before issue 14 (now ``ApprovalGranted``)."""

    event_type = "fi.avain.budgeting.BudgetApproved"

    client_id: UUID
    proposal_id: UUID
    approved_by: str
    reason: Sealed


class BudgetRejected(DomainEvent):
    """Before issue 14 (now ``ApprovalRefused``): the manager did not approve; the budget went back to draft."""

    event_type = "fi.avain.budgeting.BudgetRejected"

    client_id: UUID
    proposal_id: UUID
    rejected_by: str
    reason: Sealed


class BudgetDecided(DomainEvent):
    """The written administrative decision. The client may request rectification within 30 days."""

    event_type = "fi.avain.budgeting.BudgetDecided"

    client_id: UUID
    decision_number: str
    proposal_id: UUID
    amount_cents: int = Field(gt=0)
    period: Period
    breakdown: dict[str, int]
    decided_by: str = Field(description="Who decided: the holder of the delegated authority (on approval, the approver)")
    approved_by: str | None = None
    prepared_by: str | None = Field(None, description="Who prepared the proposal, when another person decided it")
    authority: Authority | None = Field(None, description="The delegation the decider acted under (from issue 14 on)")
    reasoning: Sealed
    legal_basis: str
    appeal_instructions: str


Matter = Literal["order", "purchase", "agreement"]
MATTER = ('What the funds are for: an order ("order_id" is the order\'s id), a one-off purchase ("order_id" is the '
          "purchase's id) or a support-person agreement (the agreement's id; each claim spends part of it)")
MATTER_ID = "The order's id, the purchase's when matter is \"purchase\", the agreement's when \"agreement\""


class FundsReserved(DomainEvent):
    event_type = "fi.avain.budgeting.FundsReserved"

    client_id: UUID
    order_id: UUID = Field(description=MATTER_ID)
    amount_cents: int = Field(gt=0)
    category: str
    remaining_cents: int
    matter: Matter = Field("order", description=MATTER)


class FundsReservationRejected(DomainEvent):
    event_type = "fi.avain.budgeting.FundsReservationRejected"

    client_id: UUID
    order_id: UUID = Field(description=MATTER_ID)
    amount_cents: int
    reason_code: Literal["no_decided_budget", "budget_frozen", "budget_closed", "budget_period_ended",
                         "exceeds_remaining"]
    reason: str
    matter: Matter = Field("order", description=MATTER)


class FundsReleased(DomainEvent):
    event_type = "fi.avain.budgeting.FundsReleased"

    client_id: UUID
    order_id: UUID = Field(description=MATTER_ID)
    amount_cents: int
    reason: Literal["order_declined", "order_cancelled", "invoice_below_reservation", "budget_closed",
                    "purchase_cancelled", "agreement_ended"]
    matter: Matter = Field("order", description=MATTER)


class SpendingRecorded(DomainEvent):
    event_type = "fi.avain.budgeting.SpendingRecorded"

    client_id: UUID
    order_id: UUID = Field(description=MATTER_ID)
    invoice_id: UUID
    amount_cents: int = Field(ge=0)
    category: str
    matter: Matter = Field("order", description=MATTER)


SPENDING_REFUSAL = ("Why, as a code for the reader's catalogue words (already_settled, closed_over_reserved, no_reservation, "
                    "exceeds_reservation, claim_exceeds_reservation); None in events recorded before codes")


class SpendingRejected(DomainEvent):
    event_type = "fi.avain.budgeting.SpendingRejected"

    client_id: UUID
    order_id: UUID = Field(description=MATTER_ID)
    invoice_id: UUID
    amount_cents: int
    reason: str
    matter: Matter = Field("order", description=MATTER)
    reason_code: str | None = Field(None, description=SPENDING_REFUSAL)


class BudgetRevised(DomainEvent):
    event_type = "fi.avain.budgeting.BudgetRevised"

    client_id: UUID
    revision_number: int = Field(ge=1)
    previous_amount_cents: int
    amount_cents: int = Field(gt=0)
    breakdown: dict[str, int]
    reason: Sealed = Field(description="The reasoning of the revision decision, sealed")
    decision_number: str | None = Field(None, description="A revision is a new decision with its own number "
                                        "(from issue 14 on; earlier revisions kept the original's)")
    decided_by: str | None = None
    prepared_by: str | None = None
    authority: Authority | None = None


class BudgetFrozen(DomainEvent):
    event_type = "fi.avain.budgeting.BudgetFrozen"

    client_id: UUID
    reason: Literal["consent_withdrawn"]


class BudgetUnfrozen(DomainEvent):
    event_type = "fi.avain.budgeting.BudgetUnfrozen"

    client_id: UUID
    reason: Literal["consent_given"]


class BudgetClosed(DomainEvent):
    event_type = "fi.avain.budgeting.BudgetClosed"

    client_id: UUID
    reason: Literal["period_ended", "case_closed", "intake_declined"]
    spent_cents: int
    released_cents: int


class PlanReviewOpened(DomainEvent):
    """Follow-up asked for a review of the plan (the client, the worker or a rule): a flag on the budget
    until a revision answers it."""

    event_type = "fi.avain.budgeting.PlanReviewOpened"

    client_id: UUID
    review_id: UUID
    requested_by: Literal["client", "worker", "rule"]
    rule: str | None = None
    reason: Sealed | None = None
    finding: str | None = None


# --- the approval family (contracts/approvals.py): budget decisions and revisions above the decider's authority --


class ApprovalRequested(approvals.ApprovalRequested):
    """kind budget_decision (matter: the proposal) or budget_revision (matter: the revision, with its breakdown)."""

    event_type = "fi.avain.budgeting.ApprovalRequested"

    breakdown: dict[str, int] = Field(default_factory=dict, description="A revision's breakdown by category")


class ApprovalGranted(approvals.ApprovalGranted):
    event_type = "fi.avain.budgeting.ApprovalGranted"


class ApprovalRefused(approvals.ApprovalRefused):
    event_type = "fi.avain.budgeting.ApprovalRefused"


class ApprovalWithdrawn(approvals.ApprovalWithdrawn):
    event_type = "fi.avain.budgeting.ApprovalWithdrawn"


# --- the decision record family (contracts/records.py): each budget decision, revision and closure ending support --


class DecisionRecorded(records.DecisionRecorded):
    event_type = "fi.avain.budgeting.DecisionRecorded"


EVENTS: list[type[DomainEvent]] = [
    BudgetOpened, CoordinatorChanged, GoalSet, SupportPlanned, ClientWishRecorded, BudgetProposed,
    BudgetApprovalRequested, BudgetApproved, BudgetRejected, BudgetDecided, FundsReserved,
    FundsReservationRejected, FundsReleased, SpendingRecorded, SpendingRejected, BudgetRevised,
    BudgetFrozen, BudgetUnfrozen, BudgetClosed, PlanReviewOpened,
    ApprovalRequested, ApprovalGranted, ApprovalRefused, ApprovalWithdrawn, DecisionRecorded,
]

registry = EventRegistry(EVENTS)
