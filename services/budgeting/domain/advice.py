"""Budgeting advice: where the budget stands and what looks risky, for the client and the worker.

Pure: the day is passed in. Flags are hints to talk about at the next meeting, never decisions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from services.budgeting.domain.budget import Budget, euros

# Pace tolerance: a category may run this far ahead of the period's elapsed share before it is flagged.
PACE_TOLERANCE = 0.25
LOW_USE_SHARE = 0.25

Flag = Literal["nothing_used_at_mid_period", "low_use_at_mid_period", "overall_overspend_pace",
               "category_overspend_pace", "frozen", "period_ended_with_funds_left", "plan_review_requested"]


@dataclass(frozen=True)
class Risk:
    flag: Flag
    message: str
    category: str | None = None


@dataclass(frozen=True)
class CategoryStanding:
    """A category's money: planned, and reserved and spent in all; of which on one-off purchases and on
    support-person agreements (the rest on orders from the shelf), so they show side by side."""

    category: str
    planned_cents: int
    reserved_cents: int
    spent_cents: int
    purchases_reserved_cents: int = 0
    purchases_spent_cents: int = 0
    agreements_reserved_cents: int = 0
    agreements_spent_cents: int = 0

    @property
    def used_cents(self) -> int:
        return self.reserved_cents + self.spent_cents


@dataclass(frozen=True)
class Advice:
    decided_cents: int
    reserved_cents: int
    spent_cents: int
    remaining_cents: int
    elapsed_share: float  # of the budget period, 0…1
    used_share: float  # (reserved + spent) / decided, 0…1
    categories: list[CategoryStanding]
    risks: list[Risk]


def elapsed_share(start: date, end: date, today: date) -> float:
    total = (end - start).days
    return min(1.0, max(0.0, (today - start).days / total))


def advise(budget: Budget, today: date) -> Advice:
    reserved, purchases = budget.reserved_by_category(), budget.reserved_by_category("purchase")
    agreements = budget.reserved_by_category("agreement")
    names = sorted(set(budget.breakdown) | set(reserved) | set(budget.spent_by_category))
    categories = [
        CategoryStanding(name, budget.breakdown.get(name, 0), reserved.get(name, 0),
                         budget.spent_by_category.get(name, 0), purchases.get(name, 0),
                         budget.purchases_spent_by_category.get(name, 0), agreements.get(name, 0),
                         budget.agreements_spent_by_category.get(name, 0))
        for name in names
    ]
    elapsed = elapsed_share(budget.period.start, budget.period.end, today) if budget.period else 0.0
    used = budget.reserved_cents + budget.spent_cents
    used_share = used / budget.amount_cents if budget.amount_cents else 0.0
    return Advice(budget.amount_cents, budget.reserved_cents, budget.spent_cents, budget.remaining_cents,
                  round(elapsed, 3), round(used_share, 3), categories, _risks(budget, categories, elapsed, used_share))


def _risks(budget: Budget, categories: list[CategoryStanding], elapsed: float, used_share: float) -> list[Risk]:
    risks: list[Risk] = []
    if budget.frozen:
        risks.append(Risk("frozen", "The budget is frozen because the client withdrew consent."))
    if budget.review_requested and budget.status != "closed":
        risks.append(Risk("plan_review_requested", "A review of the plan was requested: go through it with the client."))
    if budget.status != "decided":
        return risks
    if elapsed >= 1.0 and budget.remaining_cents > 0:
        risks.append(Risk("period_ended_with_funds_left",
                          f"The period has ended with {euros(budget.remaining_cents)} unused: review or close."))
    elif elapsed >= 0.5 and used_share == 0:
        risks.append(Risk("nothing_used_at_mid_period",
                          f"{elapsed:.0%} of the period has passed and nothing has been used: is the plan still right?"))
    elif elapsed >= 0.5 and used_share < LOW_USE_SHARE:
        risks.append(Risk("low_use_at_mid_period",
                          f"{elapsed:.0%} of the period has passed and only {used_share:.0%} of the budget is in use."))
    if used_share > elapsed + PACE_TOLERANCE:
        risks.append(Risk("overall_overspend_pace",
                          f"{used_share:.0%} of the budget is in use after {elapsed:.0%} of the period."))
    for c in categories:
        if c.planned_cents and c.used_cents / c.planned_cents > elapsed + PACE_TOLERANCE:
            risks.append(Risk("category_overspend_pace",
                              f"{c.category}: {c.used_cents / c.planned_cents:.0%} of the planned "
                              f"{euros(c.planned_cents)} is in use after {elapsed:.0%} of the period.", c.category))
        elif not c.planned_cents and c.used_cents:
            risks.append(Risk("category_overspend_pace",
                              f"{c.category}: {euros(c.used_cents)} in use with nothing planned for it.", c.category))
    return risks
