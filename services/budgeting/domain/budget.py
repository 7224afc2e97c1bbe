"""A client's personal budget: decide(command, state) -> events and evolve(state, event) -> state.

The rules of the HB budget live here:
- a budget opens when intake completes, once;
- a budget is proposed, decided and revised only on a plan: at least one goal and one support, every support tied
  to a goal, and money only on categories with planned support, summing to the amount (refused with a code each);
- every decision (the original, each revision, a closure of the case that ends support) is an administrative
  decision with its own record (DecisionRecorded): number, date, who decided under what delegation, the plan as
  decided, amount and period, reasoning, legal bases and instructions for seeking its rectification;
- a decision or a revision above the deciding person's delegated authority (shared/kernel/approvals.py) waits for
  someone whose authority covers it; on approval the approver is the one who decides it; a refusal's reasoning is
  kept for the worker and the client and the proposal returns to the plan;
- reserved + spent never exceeds the decided amount (a reservation that does not fit is rejected with the
  reason, as an event the marketplace hears), whatever the funds are for: an order from the shelf or a one-off
  purchase (a *matter*; both draw on the same money); revising below reserved + spent is refused;
- while the client's consent is withdrawn the budget is frozen: no new plans, proposals or reservations
  (invoices for support already delivered are still recorded: the county owes the provider).
- a budget does not end with its period while a plan review the client or the worker asked for is open (a
  revision answers it); a case closed in follow-up closes it regardless (follow-up refuses to close a case
  with such a review open).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from functools import singledispatch
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from contracts.budgeting import (
    ApprovalGranted,
    ApprovalRefused,
    ApprovalRequested,
    ApprovalWithdrawn,
    BudgetApprovalRequested,
    BudgetApproved,
    BudgetClosed,
    BudgetDecided,
    BudgetFrozen,
    BudgetOpened,
    BudgetProposed,
    BudgetRejected,
    BudgetRevised,
    BudgetUnfrozen,
    ClientWishRecorded,
    CoordinatorChanged,
    DecisionRecorded,
    FundsReleased,
    FundsReservationRejected,
    FundsReserved,
    GasLevels,
    GoalSet,
    Matter,
    Period,
    PlanReviewOpened,
    ProviderType,
    SpendingRecorded,
    SpendingRejected,
    SupportPlanned,
)
from contracts.intake import ServiceTask
from contracts.records import DecisionPeriod, PlanGoal, PlanSummary
from contracts.records import PlanSupport as PlannedSupport
from shared.kernel.approvals import Authority, check_approver, needs_approval
from shared.kernel.errors import InvalidCommand, RuleViolation
from shared.kernel.events import DomainEvent
from shared.kernel.law import Decided, DecisionKind, DecisionLaw, decision_language
from shared.kernel.sealed import Sealed

Status = Literal["none", "draft", "awaiting_approval", "decided", "closed"]


@dataclass(frozen=True)
class Proposal:
    proposal_id: UUID
    amount_cents: int
    period: Period
    breakdown: dict[str, int]


@dataclass(frozen=True)
class Pending:
    """A decision or a revision waiting for approval (ApprovalRequested), with what it will decide."""

    approval_id: UUID
    kind: Literal["budget_decision", "budget_revision"]
    amount_cents: int
    requested_by: str
    authority: Authority | None  # the requester's (None: recorded before issue 14)
    reasoning: Sealed
    breakdown: dict[str, int]  # a revision's new breakdown (a decision's is its proposal's)
    legal_basis: str = ""  # recorded before issue 14 with the request (new ones take the law of the day of approval)
    appeal_instructions: str = ""


@dataclass(frozen=True)
class Reservation:
    amount_cents: int
    category: str
    matter: Matter = "order"


@dataclass(frozen=True)
class Budget:
    client_id: UUID | None = None
    status: Status = "none"
    frozen: bool = False
    coordinator_id: str | None = None
    municipality: str | None = None
    service_task: ServiceTask | None = None
    language: str | None = None  # the client's chosen language (the decision's: fi or sv)
    goals: dict[UUID, PlanGoal] = field(default_factory=dict)
    supports: dict[UUID, PlannedSupport] = field(default_factory=dict)
    proposal: Proposal | None = None
    pending: Pending | None = None  # a decision (status awaiting_approval) or a revision waiting for approval
    decision_number: str | None = None
    period: Period | None = None
    amount_cents: int = 0
    breakdown: dict[str, int] = field(default_factory=dict)
    reservations: dict[UUID, Reservation] = field(default_factory=dict)  # open, by order id
    spent_cents: int = 0
    spent_by_category: dict[str, int] = field(default_factory=dict)
    purchases_spent_by_category: dict[str, int] = field(default_factory=dict)  # the part of it spent on purchases
    agreements_spent_by_category: dict[str, int] = field(default_factory=dict)  # ... on support-person agreements
    invoiced: dict[UUID, UUID] = field(default_factory=dict)  # order id → the invoice that settled it
    claims_settled: frozenset[UUID] = frozenset()  # an agreement's claims recorded as spending: each once
    answered_orders: frozenset[UUID] = frozenset()  # every order ever reserved or refused: answered once
    # Reservations released when the budget closed: an invoice for work already delivered still settles.
    released_at_closure: dict[UUID, Reservation] = field(default_factory=dict)
    revision_number: int = 0
    review_requested: bool = False  # follow-up asked for a plan review; a revision answers it
    review_owed: bool = False  # ... and a person (the client or the worker) asked, not only a rule

    @property
    def reserved_cents(self) -> int:
        return sum(r.amount_cents for r in self.reservations.values())

    @property
    def remaining_cents(self) -> int:
        return self.amount_cents - self.reserved_cents - self.spent_cents

    def reserved_by_category(self, matter: Matter | None = None) -> dict[str, int]:
        """Reserved by category: for every matter, or only for orders or purchases."""
        totals: dict[str, int] = {}
        for r in self.reservations.values():
            if matter is None or r.matter == matter:
                totals[r.category] = totals.get(r.category, 0) + r.amount_cents
        return totals


INITIAL = Budget()


Law = DecisionLaw  # what a budget decision rests on (shared/kernel/law.py)


def euros(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d} €"


# --- commands ----------------------------------------------------------------------------------------


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class OpenBudget(Command):
    client_id: UUID
    coordinator_id: str
    service_task: ServiceTask
    municipality: str
    intake_event_id: UUID
    preferred_language: str | None = None


class ChangeCoordinator(Command):
    coordinator_id: str


class SetGoal(Command):
    goal_id: UUID
    title: Sealed
    levels: GasLevels
    baseline_level: int = Field(ge=-2, le=2)
    weight: int = Field(1, ge=1, le=10)


class PlanSupport(Command):
    support_id: UUID
    category: str
    description: Sealed
    estimated_cost_cents: int = Field(ge=0)
    provider_type: ProviderType
    goal_ids: list[UUID] = Field(default_factory=list)


class RecordWish(Command):
    wish_id: UUID
    text: Sealed


class Breakdown(Command):
    amount_cents: int
    breakdown: dict[str, int]


class ProposeBudget(Breakdown):
    proposal_id: UUID
    period: Period


class DecideBudget(Command):
    decision: Decided  # the decider (None authority: the table delegates them nothing)
    approval_id: UUID  # used when the amount is above the authority and the decision waits
    reasoning: Sealed


class ApproveBudget(Command):
    """Answers the decision or revision waiting for approval: the approver decides it."""

    decision: Decided  # the approver's, for the waiting kind of matter
    reason: Sealed


class RejectBudget(Command):
    manager_id: str
    reason: Sealed


class ReserveFunds(Command):
    client_id: UUID  # the order names its client: a refusal must reach it even when there is no budget
    order_id: UUID  # the order's id, or the purchase's (matter)
    ordered_on: date
    amount_cents: int = Field(gt=0)
    category: str
    matter: Matter = "order"


class ReleaseFunds(Command):
    order_id: UUID
    reason: Literal["order_declined", "order_cancelled", "purchase_cancelled", "agreement_ended"]


class RecordSpending(Command):
    order_id: UUID
    invoice_id: UUID
    amount_cents: int = Field(ge=0)
    matter: Matter = "order"


class ReviseBudget(Breakdown):
    reason: Sealed
    decision: Decided  # the reviser's, for budget_revision
    approval_id: UUID  # used when the amount is above the authority and the revision waits


class AmendByRectification(Breakdown):
    """The body amended a budget decision on a request for rectification: its decision (with its own number and
    record, made in the decisions service) takes effect on the budget."""

    reason: Sealed
    decision_number: str
    decided_by: str


class FreezeBudget(Command):
    pass


class UnfreezeBudget(Command):
    pass


class CloseBudget(Command):
    reason: Literal["period_ended", "case_closed", "intake_declined"]
    # Set when the closure comes from another service's event: the case can close before budgeting has
    # heard that intake completed (no order between topics), and must stay closed when it does.
    client_id: UUID | None = None
    # A case closed in follow-up ends the support a decided budget gave: a decision with its own record.
    decision: Decided | None = None
    reason_code: str | None = None  # follow-up's closure reason (goals_achieved, client_request, ...)
    note: Sealed | None = None


class OpenPlanReview(Command):
    review_id: UUID
    requested_by: Literal["client", "worker", "rule"]
    rule: str | None = None
    reason: Sealed | None = None
    finding: str | None = None


# --- decide ------------------------------------------------------------------------------------------


def _client(budget: Budget) -> UUID:
    if budget.client_id is None:
        raise RuleViolation("the client has no budget", code="no-budget")
    return budget.client_id


def _require_open(budget: Budget) -> UUID:
    if budget.status == "none":
        raise RuleViolation("the client has no budget", code="no-budget")
    if budget.status == "closed":
        raise RuleViolation("the budget is closed", code="budget-closed")
    assert budget.client_id is not None
    return budget.client_id


def _require_active(budget: Budget) -> UUID:
    client_id = _require_open(budget)
    if budget.frozen:
        raise RuleViolation("the budget is frozen: the client has withdrawn consent", code="budget-frozen")
    return client_id


def decide(command: Command, budget: Budget) -> list[DomainEvent]:
    match command:
        case OpenBudget():
            return [] if budget.status != "none" else [BudgetOpened(**command.model_dump())]
        case ReserveFunds():
            return _reserve(command, budget)
        case ReleaseFunds():
            return _release(command, budget)
        case RecordSpending():
            return _spend(command, budget)
        case FreezeBudget():
            ok = budget.status not in ("none", "closed") and not budget.frozen
            return [BudgetFrozen(client_id=_client(budget), reason="consent_withdrawn")] if ok else []
        case UnfreezeBudget():
            ok = budget.status not in ("none", "closed") and budget.frozen
            return [BudgetUnfrozen(client_id=_client(budget), reason="consent_given")] if ok else []
        case ChangeCoordinator():
            if budget.status == "none" or budget.coordinator_id == command.coordinator_id:
                return []
            return [CoordinatorChanged(client_id=_client(budget), coordinator_id=command.coordinator_id)]
        case CloseBudget():
            return _close(command, budget)
        case OpenPlanReview():
            ok = budget.status not in ("none", "closed")
            return [PlanReviewOpened(client_id=_client(budget), **command.model_dump())] if ok else []
        case AmendByRectification():
            return _amend(command, budget)
    client_id = _require_active(budget)
    match command:
        case SetGoal():
            return [GoalSet(client_id=client_id, **command.model_dump())]
        case PlanSupport():
            return [SupportPlanned(client_id=client_id, **command.model_dump())]
        case RecordWish():
            return [ClientWishRecorded(client_id=client_id, **command.model_dump())]
        case ProposeBudget():
            if budget.status != "draft":
                raise RuleViolation(f"a budget can be proposed only in draft (now {budget.status}); revise instead",
                                    code="not-in-draft", status=budget.status)
            check_plan(budget, command.amount_cents, command.breakdown)
            return [BudgetProposed(client_id=client_id, **command.model_dump())]
        case DecideBudget():
            return _decide_budget(command, budget, client_id)
        case ApproveBudget() | RejectBudget():
            return _answer_approval(command, budget, client_id)
        case ReviseBudget():
            return _revise(command, budget, client_id)
    raise TypeError(f"unknown command {type(command).__name__}")


def check_plan(budget: Budget, amount_cents: int, breakdown: dict[str, int]) -> None:
    """A budget rests on a plan: at least one goal and one support, every support tied to a goal of the plan, and
    the money by category only where support is planned, summing to the amount. Each refusal says which."""
    if amount_cents <= 0 or any(v < 0 for v in breakdown.values()) or sum(breakdown.values()) != amount_cents:
        raise InvalidCommand("the breakdown by category must be non-negative and sum to the amount",
                             field="breakdown", code="breakdown-sum")
    if not budget.goals:
        raise RuleViolation("the plan has no goal: set the client's goals first", code="plan-without-goals")
    if not budget.supports:
        raise RuleViolation("the plan has no planned support", code="plan-without-supports")
    untied = sorted({s.category for s in budget.supports.values() if not set(s.goal_ids) & budget.goals.keys()})
    if untied:
        raise RuleViolation(f"every support must serve a goal of the plan: {', '.join(untied)} does not",
                            code="support-without-goal", categories=untied)
    planned = {s.category for s in budget.supports.values()}
    unplanned = sorted(c for c, cents in breakdown.items() if cents > 0 and c not in planned)
    if unplanned:
        raise RuleViolation(f"money is set for categories with no planned support: {', '.join(unplanned)}",
                            code="breakdown-without-support", categories=unplanned)


def plan_summary(budget: Budget) -> PlanSummary:
    return PlanSummary(goals=list(budget.goals.values()), supports=list(budget.supports.values()))


def _decide_budget(command: DecideBudget, budget: Budget, client_id: UUID) -> list[DomainEvent]:
    if budget.status == "awaiting_approval":
        raise RuleViolation("the budget is awaiting approval", code="awaiting-approval")
    if budget.status == "decided":
        raise RuleViolation("the budget is decided: revise it instead", code="already-decided")
    if budget.proposal is None:
        raise RuleViolation("there is no proposal to decide on", code="no-proposal")
    p, d = budget.proposal, command.decision
    check_plan(budget, p.amount_cents, p.breakdown)  # the plan may not have changed under the proposal
    if needs_approval(d.authority, p.amount_cents):
        assert d.authority is not None
        return [ApprovalRequested(
            approval_id=command.approval_id, kind="budget_decision", matter_id=p.proposal_id, client_id=client_id,
            municipality=budget.municipality, amount_cents=p.amount_cents, requested_by=d.decided_by,
            authority=d.authority, reasoning=command.reasoning)]
    return _decided(budget, client_id, d, command.reasoning, prepared_by=None)


def _decided(budget: Budget, client_id: UUID, d: Decided, reasoning: Sealed, prepared_by: str | None,
             legacy: Pending | None = None) -> list[DomainEvent]:
    """The budget decision in force, and its record."""
    assert budget.proposal is not None
    p = budget.proposal
    return [
        BudgetDecided(
            client_id=client_id, decision_number=d.decision_number, proposal_id=p.proposal_id,
            amount_cents=p.amount_cents, period=p.period, breakdown=p.breakdown, decided_by=d.decided_by,
            approved_by=d.decided_by if prepared_by else None, prepared_by=prepared_by, authority=d.authority,
            reasoning=reasoning, legal_basis=(legacy.legal_basis if legacy else "") or d.law.bases_text,
            appeal_instructions=(legacy.appeal_instructions if legacy else "") or d.law.instructions_text),
        _record(budget, client_id, "budget", d, reasoning, prepared_by=prepared_by, amount_cents=p.amount_cents,
                period=p.period, breakdown=p.breakdown),
    ]


def _record(budget: Budget, client_id: UUID, kind: DecisionKind, d: Decided, reasoning: Sealed | None, *,
            prepared_by: str | None = None, amount_cents: int | None = None, previous_amount_cents: int | None = None,
            period: Period | None = None, breakdown: dict[str, int] | None = None, reason_code: str | None = None,
            replaces: str | None = None) -> DecisionRecorded:
    """The administrative decision as the register keeps it: who, under what authority, what plan, how much, for
    what period, why, on what law, and how to seek its rectification."""
    return DecisionRecorded(
        decision_id=d.decision_id, decision_number=d.decision_number, kind=kind, client_id=client_id,
        decided_on=d.decided_on, decided_by=d.decided_by, authority=d.authority, prepared_by=prepared_by,
        language=decision_language(budget.language), service_task=budget.service_task.value if budget.service_task
        else None, municipality=budget.municipality, plan=plan_summary(budget) if budget.goals else None,
        amount_cents=amount_cents, previous_amount_cents=previous_amount_cents,
        period=DecisionPeriod(start=period.start, end=period.end) if period else None, breakdown=breakdown or {},
        reason_code=reason_code, reasoning=reasoning, legal_table_version=d.law.table_version,
        legal_bases=list(d.law.bases), instructions=d.law.instructions, replaces=replaces)


def _answer_approval(command: ApproveBudget | RejectBudget, budget: Budget, client_id: UUID) -> list[DomainEvent]:
    pending = budget.pending
    if pending is None or (pending.kind == "budget_decision" and budget.proposal is None):
        raise RuleViolation("no decision is waiting for approval", code="nothing-to-approve")
    matter = budget.proposal.proposal_id if pending.kind == "budget_decision" and budget.proposal else pending.approval_id
    if isinstance(command, RejectBudget):
        if command.manager_id == pending.requested_by:
            raise RuleViolation("the approver must be another person than the one who asked for approval",
                                code="approver-took-part")
        return [ApprovalRefused(approval_id=pending.approval_id, kind=pending.kind, matter_id=matter,
                                client_id=client_id, refused_by=command.manager_id, reasoning=command.reason)]
    d = command.decision
    authority = check_approver(d.decided_by, d.authority, pending.requested_by, pending.amount_cents)
    granted = ApprovalGranted(approval_id=pending.approval_id, kind=pending.kind, matter_id=matter,
                              client_id=client_id, granted_by=d.decided_by, authority=authority,
                              reasoning=command.reason)
    if pending.kind == "budget_revision":
        # Orders went on while the revision waited: it still may not go below what is now reserved and spent.
        _not_below_committed(budget, pending.amount_cents)
        return [granted, *_revised(budget, client_id, pending.amount_cents, pending.breakdown, pending.reasoning, d,
                                   prepared_by=pending.requested_by)]
    return [granted, *_decided(budget, client_id, d, pending.reasoning, prepared_by=pending.requested_by,
                               legacy=pending)]


def _reserve(command: ReserveFunds, budget: Budget) -> list[DomainEvent]:
    if command.order_id in budget.answered_orders:
        # Each order is answered once. A repeated request (a retry, a redelivery) changes nothing, also after
        # the reservation was released: a late retry must never reserve a cancelled order's funds again.
        return []

    def reject(code: str, reason: str) -> list[DomainEvent]:
        return [FundsReservationRejected(client_id=client_id, order_id=command.order_id,
                                         amount_cents=command.amount_cents, reason_code=code, reason=reason,
                                         matter=command.matter)]

    client_id = budget.client_id or command.client_id
    if budget.status == "closed":
        return reject("budget_closed", "the budget is closed")
    if budget.status != "decided":
        return reject("no_decided_budget", "the budget has not been decided yet")
    if budget.frozen:
        return reject("budget_frozen", "the budget is frozen: the client has withdrawn consent")
    if budget.period is not None and command.ordered_on > budget.period.end:
        return reject("budget_period_ended", f"the budget period ended on {budget.period.end.isoformat()}")
    if command.amount_cents > budget.remaining_cents:
        return reject("exceeds_remaining", f"the {command.matter} ({euros(command.amount_cents)}) exceeds the "
                                           f"remaining budget ({euros(budget.remaining_cents)})")
    return [FundsReserved(client_id=client_id, order_id=command.order_id, amount_cents=command.amount_cents,
                          category=command.category, remaining_cents=budget.remaining_cents - command.amount_cents,
                          matter=command.matter)]


def _release(command: ReleaseFunds, budget: Budget) -> list[DomainEvent]:
    reservation = budget.reservations.get(command.order_id)
    if reservation is None:
        return []  # never reserved, or already released or invoiced
    return [FundsReleased(client_id=_client(budget), order_id=command.order_id,
                          amount_cents=reservation.amount_cents, reason=command.reason, matter=reservation.matter)]


def _spend(command: RecordSpending, budget: Budget) -> list[DomainEvent]:
    client_id = _client(budget)

    def reject(code: str, reason: str) -> list[DomainEvent]:
        return [SpendingRejected(client_id=client_id, order_id=command.order_id, invoice_id=command.invoice_id,
                                 amount_cents=command.amount_cents, reason=reason, matter=command.matter,
                                 reason_code=code)]

    if command.matter == "agreement":
        return _claim(command, budget, reject)
    settled_by = budget.invoiced.get(command.order_id)
    if settled_by == command.invoice_id:
        return []  # the same invoice again: already recorded
    if settled_by is not None:
        return reject("already_settled", "the order was already settled by another invoice")  # said out loud, never dropped

    reservation = budget.reservations.get(command.order_id)
    after_closure = budget.released_at_closure.get(command.order_id)
    if reservation is None and after_closure is not None:
        # The case closed before the invoice came: the provider is still paid, up to what was reserved.
        if command.amount_cents > after_closure.amount_cents:
            return reject("closed_over_reserved",
                          "the budget is closed: an invoice can settle at most what was reserved for the order")
        return [SpendingRecorded(client_id=client_id, order_id=command.order_id, invoice_id=command.invoice_id,
                                 amount_cents=command.amount_cents, category=after_closure.category,
                                 matter=after_closure.matter)]
    if reservation is None:
        return reject("no_reservation", "no funds are reserved for this order")
    extra = command.amount_cents - reservation.amount_cents
    if extra > budget.remaining_cents:
        return reject("exceeds_reservation", f"the invoice ({euros(command.amount_cents)}) exceeds the reservation "
                      f"({euros(reservation.amount_cents)}) by more than the remaining budget")
    events: list[DomainEvent] = [SpendingRecorded(client_id=client_id, order_id=command.order_id,
                                                  invoice_id=command.invoice_id, amount_cents=command.amount_cents,
                                                  category=reservation.category, matter=reservation.matter)]
    if extra < 0:
        events.append(FundsReleased(client_id=client_id, order_id=command.order_id, amount_cents=-extra,
                                    reason="invoice_below_reservation", matter=reservation.matter))
    return events


def _claim(command: RecordSpending, budget: Budget,
           reject: Callable[[str, str], list[DomainEvent]]) -> list[DomainEvent]:
    """An agreement's claim draws on what the agreement reserved (its invoice_id is the claim's id): each claim once,
    never more than is left of the reservation. The marketplace refuses claims beyond the agreement before they
    get here; this holds the line should one still come."""
    if command.invoice_id in budget.claims_settled:
        return []  # the same approval delivered again: recorded once
    reservation = budget.reservations.get(command.order_id) or budget.released_at_closure.get(command.order_id)
    if reservation is None:
        return reject("no_reservation", "no funds are reserved for this agreement")
    if command.amount_cents > reservation.amount_cents:
        return reject("claim_exceeds_reservation",
                      f"the claim ({euros(command.amount_cents)}) exceeds what is left reserved for the agreement "
                      f"({euros(reservation.amount_cents)})")
    return [SpendingRecorded(client_id=_client(budget), order_id=command.order_id, invoice_id=command.invoice_id,
                             amount_cents=command.amount_cents, category=reservation.category, matter="agreement")]


def _revise(command: ReviseBudget, budget: Budget, client_id: UUID) -> list[DomainEvent]:
    if budget.status != "decided":
        raise RuleViolation("only a decided budget can be revised", code="not-decided")
    if budget.pending is not None:
        raise RuleViolation("a revision is already waiting for approval", code="approval-pending")
    _not_below_committed(budget, command.amount_cents)
    check_plan(budget, command.amount_cents, command.breakdown)
    d = command.decision
    if needs_approval(d.authority, command.amount_cents):
        assert d.authority is not None
        return [ApprovalRequested(
            approval_id=command.approval_id, kind="budget_revision", matter_id=command.approval_id,
            client_id=client_id, municipality=budget.municipality, amount_cents=command.amount_cents,
            requested_by=d.decided_by, authority=d.authority, reasoning=command.reason,
            breakdown=command.breakdown)]
    return _revised(budget, client_id, command.amount_cents, command.breakdown, command.reason, d, prepared_by=None)


def _amend(command: AmendByRectification, budget: Budget) -> list[DomainEvent]:
    """A decided budget takes the body's amended amount, frozen or not (the body decided; no approval, no plan
    check of the worker's); it cannot go below what is already reserved and spent (a dead letter to look at)."""
    if budget.status != "decided":
        return []
    _not_below_committed(budget, command.amount_cents)
    return [BudgetRevised(client_id=_client(budget), revision_number=budget.revision_number + 1,
                          previous_amount_cents=budget.amount_cents, amount_cents=command.amount_cents,
                          breakdown=command.breakdown, reason=command.reason, decision_number=command.decision_number,
                          decided_by=command.decided_by)]


def _not_below_committed(budget: Budget, amount_cents: int) -> None:
    committed = budget.reserved_cents + budget.spent_cents
    if amount_cents < committed:
        raise RuleViolation(f"the budget cannot go below what is already reserved and spent ({euros(committed)})",
                            code="below-committed", committed_cents=committed)


def _revised(budget: Budget, client_id: UUID, amount: int, breakdown: dict[str, int], reason: Sealed, d: Decided,
             prepared_by: str | None) -> list[DomainEvent]:
    """A revision is a new decision: its own number, reasoning, decider and rectification period, and its record."""
    return [
        BudgetRevised(client_id=client_id, revision_number=budget.revision_number + 1,
                      previous_amount_cents=budget.amount_cents, amount_cents=amount, breakdown=breakdown,
                      reason=reason, decision_number=d.decision_number, decided_by=d.decided_by,
                      prepared_by=prepared_by, authority=d.authority),
        _record(budget, client_id, "revision", d, reason, prepared_by=prepared_by, amount_cents=amount,
                previous_amount_cents=budget.amount_cents, period=budget.period, breakdown=breakdown,
                replaces=budget.decision_number),
    ]


def _close(command: CloseBudget, budget: Budget) -> list[DomainEvent]:
    if budget.status == "closed":
        return []
    if command.reason == "period_ended" and budget.review_owed:
        raise RuleViolation("a plan review is open: answer it with a revision of the budget, then close",
                            code="plan-review-open")
    if budget.status == "none":
        if command.client_id is None:
            return []
        return [BudgetClosed(client_id=command.client_id, reason=command.reason, spent_cents=0, released_cents=0)]
    client_id = _client(budget)
    releases: list[DomainEvent] = [
        FundsReleased(client_id=client_id, order_id=order_id, amount_cents=r.amount_cents, reason="budget_closed",
                      matter=r.matter)
        for order_id, r in budget.reservations.items()
    ]
    if budget.pending is not None:  # nobody needs to answer it any more: the approvals queue drops it
        p = budget.pending
        matter = budget.proposal.proposal_id if p.kind == "budget_decision" and budget.proposal else p.approval_id
        releases.insert(0, ApprovalWithdrawn(approval_id=p.approval_id, kind=p.kind, matter_id=matter,
                                             client_id=client_id, reason="budget_closed"))
    closed: list[DomainEvent] = [BudgetClosed(client_id=client_id, reason=command.reason,
                                              spent_cents=budget.spent_cents, released_cents=budget.reserved_cents)]
    if command.decision is not None and budget.status == "decided":
        # The case closed before the budget's period ended: the support it gave ends, by a decision of its own.
        closed.append(_record(budget, client_id, "support_closure", command.decision, command.note,
                              amount_cents=budget.amount_cents, period=budget.period, reason_code=command.reason_code,
                              replaces=budget.decision_number))
    return [*releases, *closed]


# --- evolve ------------------------------------------------------------------------------------------


def evolve(budget: Budget, event: DomainEvent) -> Budget:
    return _apply(event, budget)


@singledispatch
def _apply(event: DomainEvent, budget: Budget) -> Budget:
    raise TypeError(f"budgeting cannot apply {type(event).__name__}")


@_apply.register
def _(e: BudgetOpened, b: Budget) -> Budget:
    return replace(b, client_id=e.client_id, status="draft", coordinator_id=e.coordinator_id,
                   municipality=e.municipality, service_task=e.service_task, language=e.preferred_language)


@_apply.register
def _(e: CoordinatorChanged, b: Budget) -> Budget:
    return replace(b, coordinator_id=e.coordinator_id)


@_apply.register
def _(e: GoalSet, b: Budget) -> Budget:
    return replace(b, goals={**b.goals, e.goal_id: PlanGoal(goal_id=e.goal_id, title=e.title, weight=e.weight)})


@_apply.register
def _(e: SupportPlanned, b: Budget) -> Budget:
    planned = PlannedSupport(support_id=e.support_id, category=e.category, description=e.description,
                             estimated_cost_cents=e.estimated_cost_cents, provider_type=e.provider_type.value,
                             goal_ids=list(e.goal_ids))
    return replace(b, supports={**b.supports, e.support_id: planned})


@_apply.register
def _(e: ClientWishRecorded, b: Budget) -> Budget:
    return b


@_apply.register
def _(e: BudgetProposed, b: Budget) -> Budget:
    return replace(b, proposal=Proposal(e.proposal_id, e.amount_cents, e.period, dict(e.breakdown)))


@_apply.register
def _(e: DecisionRecorded, b: Budget) -> Budget:
    return b  # the record of a decision whose effect its own event (BudgetDecided, BudgetRevised, BudgetClosed) carries


@_apply.register
def _(e: BudgetApprovalRequested, b: Budget) -> Budget:  # before issue 14: the proposal's id stood for the request
    pending = Pending(approval_id=e.proposal_id, kind="budget_decision", amount_cents=e.amount_cents,
                      requested_by=e.requested_by, authority=None, reasoning=e.reasoning, breakdown={},
                      legal_basis=e.legal_basis, appeal_instructions=e.appeal_instructions)
    return replace(b, status="awaiting_approval", pending=pending)


@_apply.register
def _(e: ApprovalRequested, b: Budget) -> Budget:
    kind: Literal["budget_decision", "budget_revision"] = (
        "budget_revision" if e.kind == "budget_revision" else "budget_decision")
    pending = Pending(approval_id=e.approval_id, kind=kind, amount_cents=e.amount_cents,
                      requested_by=e.requested_by, authority=e.authority,
                      reasoning=e.reasoning or Sealed(kid=str(e.client_id), nonce="", ct=""),
                      breakdown=dict(e.breakdown))
    status: Status = "awaiting_approval" if kind == "budget_decision" else b.status
    return replace(b, status=status, pending=pending)


@_apply.register
def _(e: BudgetApproved, b: Budget) -> Budget:
    return b  # the BudgetDecided that follows it carries the effect


@_apply.register
def _(e: ApprovalGranted, b: Budget) -> Budget:
    return b  # the BudgetDecided or BudgetRevised that follows it carries the effect


@_apply.register
def _(e: BudgetRejected, b: Budget) -> Budget:
    return replace(b, status="draft", pending=None)


@_apply.register
def _(e: ApprovalRefused, b: Budget) -> Budget:
    waiting_decision = b.pending is not None and b.pending.kind == "budget_decision"
    return replace(b, status="draft" if waiting_decision else b.status, pending=None)


@_apply.register
def _(e: ApprovalWithdrawn, b: Budget) -> Budget:
    return replace(b, pending=None)


@_apply.register
def _(e: BudgetDecided, b: Budget) -> Budget:
    return replace(b, status="decided", pending=None, decision_number=e.decision_number, period=e.period,
                   amount_cents=e.amount_cents, breakdown=dict(e.breakdown))


@_apply.register
def _(e: FundsReserved, b: Budget) -> Budget:
    return replace(b, reservations={**b.reservations, e.order_id: Reservation(e.amount_cents, e.category, e.matter)},
                   answered_orders=b.answered_orders | {e.order_id})


@_apply.register
def _(e: FundsReservationRejected, b: Budget) -> Budget:
    return replace(b, answered_orders=b.answered_orders | {e.order_id})


@_apply.register
def _(e: FundsReleased, b: Budget) -> Budget:
    reservations = dict(b.reservations)
    if e.reason == "invoice_below_reservation":
        return b  # the reservation itself was settled by the SpendingRecorded before it
    released = reservations.pop(e.order_id, None)
    if e.reason == "budget_closed" and released is not None:
        return replace(b, reservations=reservations, released_at_closure={**b.released_at_closure, e.order_id: released})
    return replace(b, reservations=reservations)


@_apply.register
def _(e: SpendingRecorded, b: Budget) -> Budget:
    if e.matter == "agreement":
        return _claim_spent(e, b)
    reservations = dict(b.reservations)
    reservations.pop(e.order_id, None)
    settled = {k: v for k, v in b.released_at_closure.items() if k != e.order_id}
    by_category = _add(b.spent_by_category, e.category, e.amount_cents)
    purchases = _add(b.purchases_spent_by_category, e.category, e.amount_cents) if e.matter == "purchase" else \
        b.purchases_spent_by_category
    return replace(b, reservations=reservations, released_at_closure=settled, spent_cents=b.spent_cents + e.amount_cents,
                   spent_by_category=by_category, purchases_spent_by_category=purchases,
                   invoiced={**b.invoiced, e.order_id: e.invoice_id})


def _claim_spent(e: SpendingRecorded, b: Budget) -> Budget:
    """A claim spends part of its agreement's reservation; the rest stays reserved until the agreement ends."""
    def drawn(reservations: dict[UUID, Reservation]) -> dict[UUID, Reservation]:
        left = reservations.get(e.order_id)
        if left is None:
            return reservations
        rest = {k: v for k, v in reservations.items() if k != e.order_id}
        return rest if left.amount_cents <= e.amount_cents else \
            {**rest, e.order_id: replace(left, amount_cents=left.amount_cents - e.amount_cents)}

    return replace(b, reservations=drawn(b.reservations), released_at_closure=drawn(b.released_at_closure),
                   spent_cents=b.spent_cents + e.amount_cents,
                   spent_by_category=_add(b.spent_by_category, e.category, e.amount_cents),
                   agreements_spent_by_category=_add(b.agreements_spent_by_category, e.category, e.amount_cents),
                   claims_settled=b.claims_settled | {e.invoice_id})


def _add(totals: dict[str, int], category: str, cents: int) -> dict[str, int]:
    return {**totals, category: totals.get(category, 0) + cents}


@_apply.register
def _(e: SpendingRejected, b: Budget) -> Budget:
    return b


@_apply.register
def _(e: BudgetRevised, b: Budget) -> Budget:
    return replace(b, amount_cents=e.amount_cents, breakdown=dict(e.breakdown), revision_number=e.revision_number,
                   decision_number=e.decision_number or b.decision_number, pending=None, review_requested=False,
                   review_owed=False)


@_apply.register
def _(e: BudgetFrozen, b: Budget) -> Budget:
    return replace(b, frozen=True)


@_apply.register
def _(e: BudgetUnfrozen, b: Budget) -> Budget:
    return replace(b, frozen=False)


@_apply.register
def _(e: BudgetClosed, b: Budget) -> Budget:
    return replace(b, client_id=b.client_id or e.client_id, status="closed", reservations={})


@_apply.register
def _(e: PlanReviewOpened, b: Budget) -> Budget:
    return replace(b, review_requested=True, review_owed=b.review_owed or e.requested_by != "rule")
