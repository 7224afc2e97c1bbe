"""What callers ask of budgeting, one command each: people over HTTP (and the console), the service itself when
another service's event calls for it. Each carries what the caller knows; texts are in clear until the
handler seals them with the client's key. Handlers: handlers.py; who may send which: policy.py."""

from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import UUID

from pydantic import Field

from contracts.budgeting import Matter, Period, ProviderType
from contracts.intake import ServiceTask
from shared.kernel.commands import Command
from shared.kernel.sealed import Sealed


class BudgetCommand(Command):
    client_id: UUID  # whose budget: the stream is budget-<client_id>


# --- from people ---------------------------------------------------------------------------------------------

class SetGoal(BudgetCommand):
    title: str
    levels: dict[str, str]  # GAS level name → the client's words
    baseline_level: int = Field(ge=-2, le=2)
    weight: int = Field(ge=1, le=10)


class PlanSupport(BudgetCommand):
    category: str
    description: str
    estimated_cost_cents: int = Field(ge=0)
    provider_type: ProviderType
    goal_ids: list[UUID] = Field(default_factory=list)


class RecordWish(BudgetCommand):
    text: str


class ProposeBudget(BudgetCommand):
    amount_cents: int
    period: Period
    breakdown: dict[str, int]


class DecideBudget(BudgetCommand):
    """The legal bases and the instructions come from the county's legal basis table on the day of the decision."""

    reasoning: str


class ApproveBudget(BudgetCommand):
    reason: str


class RejectBudget(BudgetCommand):
    reason: str


class ReviseBudget(BudgetCommand):
    amount_cents: int
    breakdown: dict[str, int]
    reason: str


class CloseBudget(BudgetCommand):
    reason: Literal["period_ended", "case_closed", "intake_declined"]


# --- from other services' events (reactions.py) -------------------------------------------------------------

class OpenBudget(BudgetCommand):
    coordinator_id: str
    service_task: ServiceTask
    municipality: str
    intake_event_id: UUID
    preferred_language: str | None = None


class FreezeBudget(BudgetCommand):
    pass


class UnfreezeBudget(BudgetCommand):
    pass


class ChangeCoordinator(BudgetCommand):
    coordinator_id: str


class ReserveFunds(BudgetCommand):
    order_id: UUID  # the order's, or the purchase's (matter)
    amount_cents: int
    category: str
    ordered_on: date
    matter: Matter = "order"


class ReleaseFunds(BudgetCommand):
    order_id: UUID
    reason: Literal["order_declined", "order_cancelled", "purchase_cancelled", "agreement_ended"]


class RecordSpending(BudgetCommand):
    order_id: UUID
    invoice_id: UUID
    amount_cents: int
    matter: Matter = "order"


class CloseBudgetWithCase(BudgetCommand):
    """Follow-up closed the case: the budget closes too, and a client without one gets a closed record. A decided
    budget's support ends by a decision of the person who closed the case, with its record."""

    closed_by: str | None = None
    closed_by_role: str | None = None
    reason_code: str | None = None
    note: Sealed | None = None  # the closer's words, sealed by follow-up


class AmendByRectification(BudgetCommand):
    """The body amended the budget decision on a request for rectification (the decisions service decided it)."""

    amount_cents: int
    breakdown: dict[str, int]
    reason: Sealed  # the body's reasoning, sealed by the decisions service
    decision_number: str
    decided_by: str


class OpenPlanReview(BudgetCommand):
    review_id: UUID
    requested_by: Literal["client", "worker", "rule"]
    rule: str | None = None
    reason: Sealed | None = None  # the requester's words, sealed by follow-up
    finding: str | None = None
