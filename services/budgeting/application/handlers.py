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
from shared.infra.aggregate import Aggregate
from shared.infra.people import MemoryPeople, People, PostgresPeople
from shared.infra.pipeline import AggregateSpec, Given, Handlers, Route
from shared.kernel.approvals import Authority, DelegationTable

AGGREGATE = Aggregate(domain.INITIAL, domain.evolve, domain.decide, registry)

LEGAL_BASIS = ("Sosiaalihuoltolaki (1301/2014); laki sosiaali- ja terveydenhuollon palvelusetelistä (569/2009)")
APPEAL_INSTRUCTIONS = (
    "Oikaisuvaatimus: tähän päätökseen tyytymätön voi hakea oikaisua 30 päivän kuluessa päätöksen "
    "tiedoksisaannista. Rättelseyrkande inom 30 dagar. Request for rectification within 30 days."
)


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


Given_ = Given[domain.Budget, Ports]


def authority(given: Given_, kind: str) -> Authority | None:
    """The delegated authority of the person sending the command, for ``kind``, where the client lives, today."""
    return given.deps.delegations.authority(given.principal.user_id, given.principal.role, kind,
                                            given.state.municipality, given.context.now.date())


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
    return domain.DecideBudget(
        decision_number=await given.deps.decision_number(given.context.now.year),
        decided_by=given.principal.user_id, authority=authority(given, "budget_decision"), approval_id=uuid4(),
        reasoning=reasoning, legal_basis=cmd.legal_basis, appeal_instructions=cmd.appeal_instructions,
    )


async def approve(cmd: c.ApproveBudget, given: Given_) -> domain.ApproveBudget:
    (reason,) = await given.keyring.seal(str(cmd.client_id), cmd.reason)  # the manager's words may be about the client
    kind = given.state.pending.kind if given.state.pending else "budget_decision"
    return domain.ApproveBudget(manager_id=given.principal.user_id, authority=authority(given, kind),
                                decision_number=await given.deps.decision_number(given.context.now.year),
                                reason=reason, legal_basis=LEGAL_BASIS, appeal_instructions=APPEAL_INSTRUCTIONS)


async def reject(cmd: c.RejectBudget, given: Given_) -> domain.RejectBudget:
    (reason,) = await given.keyring.seal(str(cmd.client_id), cmd.reason)
    return domain.RejectBudget(manager_id=given.principal.user_id, reason=reason)


async def revise(cmd: c.ReviseBudget, given: Given_) -> domain.ReviseBudget:
    (reason,) = await given.keyring.seal(str(cmd.client_id), cmd.reason)
    return domain.ReviseBudget(amount_cents=cmd.amount_cents, breakdown=cmd.breakdown, reason=reason,
                               decided_by=given.principal.user_id, authority=authority(given, "budget_revision"),
                               decision_number=await given.deps.decision_number(given.context.now.year),
                               approval_id=uuid4())


async def close(cmd: c.CloseBudget, given: Given_) -> domain.CloseBudget:
    return domain.CloseBudget(reason=cmd.reason)


# --- from other services' events -----------------------------------------------------------------------------

async def open_budget(cmd: c.OpenBudget, given: Given_) -> domain.OpenBudget:
    return domain.OpenBudget(client_id=cmd.client_id, coordinator_id=cmd.coordinator_id,
                             service_task=cmd.service_task, municipality=cmd.municipality,
                             intake_event_id=cmd.intake_event_id)


async def freeze(cmd: c.FreezeBudget, given: Given_) -> domain.FreezeBudget:
    return domain.FreezeBudget()


async def unfreeze(cmd: c.UnfreezeBudget, given: Given_) -> domain.UnfreezeBudget:
    return domain.UnfreezeBudget()


async def change_coordinator(cmd: c.ChangeCoordinator, given: Given_) -> domain.ChangeCoordinator:
    return domain.ChangeCoordinator(coordinator_id=cmd.coordinator_id)


async def reserve(cmd: c.ReserveFunds, given: Given_) -> domain.ReserveFunds:
    return domain.ReserveFunds(client_id=cmd.client_id, order_id=cmd.order_id, amount_cents=cmd.amount_cents,
                               category=cmd.category, ordered_on=cmd.ordered_on)


async def release(cmd: c.ReleaseFunds, given: Given_) -> domain.ReleaseFunds:
    return domain.ReleaseFunds(order_id=cmd.order_id, reason=cmd.reason)


async def spend(cmd: c.RecordSpending, given: Given_) -> domain.RecordSpending:
    return domain.RecordSpending(order_id=cmd.order_id, invoice_id=cmd.invoice_id, amount_cents=cmd.amount_cents)


async def close_with_case(cmd: c.CloseBudgetWithCase, given: Given_) -> domain.CloseBudget:
    return domain.CloseBudget(reason="case_closed", client_id=cmd.client_id)


async def open_review(cmd: c.OpenPlanReview, given: Given_) -> domain.OpenPlanReview:
    return domain.OpenPlanReview(review_id=cmd.review_id, requested_by=cmd.requested_by, rule=cmd.rule,
                                 reason=cmd.reason, finding=cmd.finding)


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
}


def ports(pool: Any, delegations: DelegationTable) -> Ports:
    """The ports on PostgreSQL (the bootstrap's; tests build their own)."""

    async def decision_number(year: int) -> str:
        return await postgres.next_decision_number(pool, year)

    async def list_budgets(**filters: Any) -> list[dict[str, Any]]:
        return await postgres.list_budgets(pool, **filters)

    async def count_budgets(**filters: Any) -> int:
        return await postgres.count_budgets(pool, **filters)

    return Ports(decision_number, delegations, list_budgets, count_budgets=count_budgets, people=PostgresPeople(pool))
