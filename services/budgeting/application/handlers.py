"""Budgeting's command handlers: each turns an application command into the domain's, after the pipeline has
found the budget (404), asked the policy (403) and checked the version the caller saw (409).

Every command on a budget queues behind the budget's lock (``serialize=True``), so 50 orders arriving at once
are decided one after another on fresh state: reserved + spent cannot pass the decided amount, and each
refusal carries its reason.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID, uuid4

from contracts.budgeting import GasLevels, registry
from services.budgeting.adapters import postgres
from services.budgeting.application import commands as c
from services.budgeting.application.policy import authorize
from services.budgeting.domain import budget as domain
from shared.infra import tables
from shared.infra.aggregate import Aggregate
from shared.infra.law_texts import decision_law
from shared.infra.people import MemoryPeople, People, PostgresPeople
from shared.infra.pipeline import AggregateSpec, Given, Handlers, Route
from shared.kernel.approvals import Authority, DelegationTable
from shared.kernel.calendar import county_day
from shared.kernel.law import Decided, DecisionKind, LegalTable

AGGREGATE = Aggregate(domain.INITIAL, domain.evolve, domain.decide, registry)


def stream_of(client_id: UUID) -> str:
    return f"budget-{client_id}"


BUDGET = AggregateSpec(
    AGGREGATE, stream_of=lambda cmd: stream_of(cmd.client_id), subject_of=lambda cmd: str(cmd.client_id),
    exists=lambda budget: budget.status != "none", not_found="the client has no budget", policy=authorize,
    projector=postgres.project_budget, serialize=True,
)


@dataclass(frozen=True)
class Ports:
    """What budgeting's handlers and views need beyond the store and the keyring."""

    decision_number: Callable[[int], Awaitable[str]]  # the next decision number of a year, e.g. HB-2026-000042
    delegations: DelegationTable  # who decides what alone, up to what amount (config/data/delegations.toml)
    list_budgets: Callable[..., Awaitable[list[dict[str, Any]]]]  # the work list (projection)
    count_budgets: Callable[..., Awaitable[int]] | None = None  # the work list's total (None: the rows shown)
    people: People = field(default_factory=MemoryPeople)  # staff by name, people's languages (shared/infra/people.py)
    legal: LegalTable = field(default_factory=tables.legal_bases)  # the county's legal bases, by date


Given_ = Given[domain.Budget, Ports]


def authority(given: Given_, kind: str, person: str | None = None, role: str | None = None) -> Authority | None:
    """The delegated authority of the person sending the command (or of ``person`` in ``role``), for the kind of
    matter, where the client lives, today. A person in an unknown role holds none."""
    if person is not None and role is None:
        return None
    return given.deps.delegations.authority(person or given.principal.user_id, role or given.principal.role, kind,
                                            given.state.municipality, county_day(given.context.now))


def law(given: Given_, kind: DecisionKind, categories: list[str]) -> domain.Law:
    """The law of a decision of ``kind`` deciding money for ``categories``, from the legal basis table of today."""
    budget = given.state
    providers = [s.provider_type for s in budget.supports.values() if s.category in categories]
    return decision_law(given.deps.legal, kind, county_day(given.context.now), budget.language,
                        service_task=budget.service_task.value if budget.service_task else None,
                        categories=categories, provider_types=providers)


async def decided(given: Given_, kind: DecisionKind, matter: str, categories: list[str], *, person: str | None = None,
                  role: str | None = None) -> Decided:
    """Who decides (the sender, or ``person``) under what authority, today, with a new decision number."""
    day = county_day(given.context.now)
    return Decided(decision_id=uuid4(), decision_number=await given.deps.decision_number(day.year),
                          decided_on=day, decided_by=person or given.principal.user_id,
                          authority=authority(given, matter, person, role), law=law(given, kind, categories))


def money(breakdown: dict[str, int]) -> list[str]:
    return sorted(c for c, cents in breakdown.items() if cents > 0)


# --- from people ---------------------------------------------------------------------------------------------

async def set_goal(cmd: c.SetGoal, given: Given_) -> domain.SetGoal:
    names = list(GasLevels.model_fields)
    title, *levels = await given.keyring.seal(str(cmd.client_id), cmd.title, *(cmd.levels[n] for n in names))
    return domain.SetGoal(goal_id=uuid4(), title=title, levels=GasLevels(**dict(zip(names, levels, strict=True))),
                          baseline_level=cmd.baseline_level, weight=cmd.weight)


async def plan_support(cmd: c.PlanSupport, given: Given_) -> domain.PlanSupport:
    (description,) = await given.keyring.seal(str(cmd.client_id), cmd.description)
    return domain.PlanSupport(support_id=uuid4(), category=cmd.category, description=description,
                              estimated_cost_cents=cmd.estimated_cost_cents, provider_type=cmd.provider_type,
                              goal_ids=cmd.goal_ids)


async def record_wish(cmd: c.RecordWish, given: Given_) -> domain.RecordWish:
    (text,) = await given.keyring.seal(str(cmd.client_id), cmd.text)
    return domain.RecordWish(wish_id=uuid4(), text=text)


async def propose(cmd: c.ProposeBudget, given: Given_) -> domain.ProposeBudget:
    return domain.ProposeBudget(proposal_id=uuid4(), amount_cents=cmd.amount_cents, period=cmd.period,
                                breakdown=cmd.breakdown)


async def decide(cmd: c.DecideBudget, given: Given_) -> domain.DecideBudget:
    (reasoning,) = await given.keyring.seal(str(cmd.client_id), cmd.reasoning)
    proposal = given.state.proposal
    return domain.DecideBudget(decision=await decided(given, "budget", "budget_decision",
                                                      money(proposal.breakdown if proposal else {})),
                               approval_id=uuid4(), reasoning=reasoning)


async def approve(cmd: c.ApproveBudget, given: Given_) -> domain.ApproveBudget:
    (reason,) = await given.keyring.seal(str(cmd.client_id), cmd.reason)  # the manager's words may be about the client
    pending, proposal = given.state.pending, given.state.proposal
    if pending is not None and pending.kind == "budget_revision":
        decision = await decided(given, "revision", "budget_revision", money(pending.breakdown))
    else:
        decision = await decided(given, "budget", "budget_decision", money(proposal.breakdown if proposal else {}))
    return domain.ApproveBudget(decision=decision, reason=reason)


async def reject(cmd: c.RejectBudget, given: Given_) -> domain.RejectBudget:
    (reason,) = await given.keyring.seal(str(cmd.client_id), cmd.reason)
    return domain.RejectBudget(manager_id=given.principal.user_id, reason=reason)


async def revise(cmd: c.ReviseBudget, given: Given_) -> domain.ReviseBudget:
    (reason,) = await given.keyring.seal(str(cmd.client_id), cmd.reason)
    return domain.ReviseBudget(amount_cents=cmd.amount_cents, breakdown=cmd.breakdown, reason=reason,
                               decision=await decided(given, "revision", "budget_revision", money(cmd.breakdown)),
                               approval_id=uuid4())


async def close(cmd: c.CloseBudget, given: Given_) -> domain.CloseBudget:
    return domain.CloseBudget(reason=cmd.reason)


# --- from other services' events -----------------------------------------------------------------------------

async def open_budget(cmd: c.OpenBudget, given: Given_) -> domain.OpenBudget:
    return domain.OpenBudget(client_id=cmd.client_id, coordinator_id=cmd.coordinator_id,
                             service_task=cmd.service_task, municipality=cmd.municipality,
                             intake_event_id=cmd.intake_event_id, preferred_language=cmd.preferred_language)


async def freeze(cmd: c.FreezeBudget, given: Given_) -> domain.FreezeBudget:
    return domain.FreezeBudget()


async def unfreeze(cmd: c.UnfreezeBudget, given: Given_) -> domain.UnfreezeBudget:
    return domain.UnfreezeBudget()


async def change_coordinator(cmd: c.ChangeCoordinator, given: Given_) -> domain.ChangeCoordinator:
    return domain.ChangeCoordinator(coordinator_id=cmd.coordinator_id)


async def reserve(cmd: c.ReserveFunds, given: Given_) -> domain.ReserveFunds:
    return domain.ReserveFunds(client_id=cmd.client_id, order_id=cmd.order_id, amount_cents=cmd.amount_cents,
                               category=cmd.category, ordered_on=cmd.ordered_on, matter=cmd.matter)


async def release(cmd: c.ReleaseFunds, given: Given_) -> domain.ReleaseFunds:
    return domain.ReleaseFunds(order_id=cmd.order_id, reason=cmd.reason)


async def spend(cmd: c.RecordSpending, given: Given_) -> domain.RecordSpending:
    return domain.RecordSpending(order_id=cmd.order_id, invoice_id=cmd.invoice_id, amount_cents=cmd.amount_cents,
                                 matter=cmd.matter)


async def close_with_case(cmd: c.CloseBudgetWithCase, given: Given_) -> domain.CloseBudget:
    decision = None
    if given.state.status == "decided" and cmd.closed_by:  # the support a decided budget gave ends: a decision
        decision = await decided(given, "support_closure", "support_closure", money(given.state.breakdown),
                                 person=cmd.closed_by, role=cmd.closed_by_role)
    return domain.CloseBudget(reason="case_closed", client_id=cmd.client_id, decision=decision,
                              reason_code=cmd.reason_code, note=cmd.note)


async def open_review(cmd: c.OpenPlanReview, given: Given_) -> domain.OpenPlanReview:
    return domain.OpenPlanReview(review_id=cmd.review_id, requested_by=cmd.requested_by, rule=cmd.rule,
                                 reason=cmd.reason, finding=cmd.finding)


async def amend(cmd: c.AmendByRectification, given: Given_) -> domain.AmendByRectification:
    return domain.AmendByRectification(amount_cents=cmd.amount_cents, breakdown=cmd.breakdown, reason=cmd.reason,
                                       decision_number=cmd.decision_number, decided_by=cmd.decided_by)


# A reaction acts on a budget only once there is one ("skip"), except opening it, a reservation (its refusal
# must reach the marketplace even without a budget) and closure with the case (a closed record for the history).
HANDLERS: Handlers = {
    c.SetGoal: Route(BUDGET, set_goal),
    c.PlanSupport: Route(BUDGET, plan_support),
    c.RecordWish: Route(BUDGET, record_wish),
    c.ProposeBudget: Route(BUDGET, propose),
    c.DecideBudget: Route(BUDGET, decide),
    c.ApproveBudget: Route(BUDGET, approve),
    c.RejectBudget: Route(BUDGET, reject),
    c.ReviseBudget: Route(BUDGET, revise),
    c.CloseBudget: Route(BUDGET, close),
    c.OpenBudget: Route(BUDGET, open_budget, missing="decide"),
    c.FreezeBudget: Route(BUDGET, freeze, missing="skip"),
    c.UnfreezeBudget: Route(BUDGET, unfreeze, missing="skip"),
    c.ChangeCoordinator: Route(BUDGET, change_coordinator, missing="skip"),
    c.ReserveFunds: Route(BUDGET, reserve, missing="decide"),
    c.ReleaseFunds: Route(BUDGET, release, missing="skip"),
    c.RecordSpending: Route(BUDGET, spend, missing="skip"),
    c.CloseBudgetWithCase: Route(BUDGET, close_with_case, missing="decide"),
    c.OpenPlanReview: Route(BUDGET, open_review, missing="skip"),
    c.AmendByRectification: Route(BUDGET, amend, missing="skip"),
}


def ports(pool: Any, delegations: DelegationTable, legal: LegalTable) -> Ports:
    """The ports on PostgreSQL (the bootstrap's; tests build their own)."""

    async def decision_number(year: int) -> str:
        return await postgres.next_decision_number(pool, year)

    async def list_budgets(**filters: Any) -> list[dict[str, Any]]:
        return await postgres.list_budgets(pool, **filters)

    async def count_budgets(**filters: Any) -> int:
        return await postgres.count_budgets(pool, **filters)

    return Ports(decision_number, delegations, list_budgets, count_budgets=count_budgets, people=PostgresPeople(pool),
                 legal=legal)
