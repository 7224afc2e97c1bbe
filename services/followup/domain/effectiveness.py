"""Effectiveness of HB: per client, and per region aggregated so that no small group is ever shown.

Per client:
- the change in each self-assessment area: the latest re-assessment minus the baseline at intake;
- the Goal Attainment Scaling summary T-score, T = 50 + 10·Σwᵢxᵢ / √((1−ρ)Σwᵢ² + ρ(Σwᵢ)²), ρ = 0.3, over the
  goals with a recorded attainment (xᵢ the latest level −2…+2, wᵢ the goal's weight, default 1);
- the use of the budget against the plan: used = reserved + spent, as a share of the decided amount.

Per region: the same by period (the year-quarter of the budget decision) and support category. A group of
fewer than MIN_GROUP clients is not shown at all, only counted as suppressed; a mean within a shown group
over fewer than MIN_GROUP clients (e.g. only three re-assessed) is left out the same way.
Pure: no I/O, no clock.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from contracts.intake import SelfAssessmentScores
from services.followup.domain.followup import FollowUp

RHO = 0.3
MIN_GROUP = 5
AREAS: tuple[str, ...] = tuple(SelfAssessmentScores.model_fields)


def gas_t_score(goals: Sequence[tuple[int, int]], rho: float = RHO) -> float | None:
    """The GAS summary T-score of (weight, level) pairs; None without any scored goal."""
    if not goals:
        return None
    sum_w = sum(w for w, _ in goals)
    sum_w2 = sum(w * w for w, _ in goals)
    sum_wx = sum(w * x for w, x in goals)
    return 50 + 10 * sum_wx / math.sqrt((1 - rho) * sum_w2 + rho * sum_w**2)


def quarter_of(moment: datetime) -> str:
    return f"{moment.year}-Q{(moment.month - 1) // 3 + 1}"


@dataclass(frozen=True)
class GoalFigure:
    goal_id: UUID
    weight: int
    baseline_level: int
    level: int | None


@dataclass(frozen=True)
class ClientFigures:
    client_id: UUID
    period: str | None  # the year-quarter of the budget decision; None before a budget is decided
    baseline: dict[str, int] | None
    latest: dict[str, int] | None
    goals: tuple[GoalFigure, ...]
    decided_cents: int
    reserved_cents: int
    spent_cents: int
    planned_by_category: dict[str, int]
    used_by_category: dict[str, int]

    @property
    def change(self) -> dict[str, int] | None:
        if self.baseline is None or self.latest is None:
            return None
        return {area: self.latest[area] - self.baseline[area] for area in AREAS}

    @property
    def t_score(self) -> float | None:
        return gas_t_score([(g.weight, g.level) for g in self.goals if g.level is not None])

    @property
    def used_cents(self) -> int:
        return self.reserved_cents + self.spent_cents

    @property
    def used_share(self) -> float | None:
        return self.used_cents / self.decided_cents if self.decided_cents else None

    def categories(self) -> list[str]:
        names = set(self.planned_by_category) | set(self.used_by_category)
        return sorted(c for c in names if self.planned_by_category.get(c, 0) or self.used_by_category.get(c, 0))


def figures_of(case: FollowUp) -> ClientFigures:
    assert case.client_id is not None
    plan = case.plan
    return ClientFigures(
        client_id=case.client_id,
        period=quarter_of(plan.decided_at) if plan else None,
        baseline=case.baseline.model_dump() if case.baseline else None,
        # A change is measured on one form: a child's faces (1–5) are not compared with an adult's 0–10 scales.
        latest=case.latest.model_dump() if case.latest and case.latest_form == case.baseline_form else None,
        goals=tuple(GoalFigure(goal_id, g.weight, g.baseline_level, g.level) for goal_id, g in case.goals.items()),
        decided_cents=plan.amount_cents if plan else 0,
        reserved_cents=case.reserved_cents,
        spent_cents=case.spent_cents,
        planned_by_category=dict(plan.breakdown) if plan else {},
        used_by_category=case.used_by_category(),
    )


@dataclass(frozen=True)
class GroupFigures:
    period: str
    support_category: str
    clients: int
    planned_cents: int
    used_cents: int
    used_share: float | None
    clients_scored: int  # with a GAS T-score
    mean_t_score: float | None  # None when fewer than MIN_GROUP clients were scored
    clients_reassessed: int
    mean_change: dict[str, float] | None  # None when fewer than MIN_GROUP clients were re-assessed


@dataclass(frozen=True)
class RegionFigures:
    groups: list[GroupFigures]
    suppressed_groups: int
    min_group_size: int


def region(clients: Iterable[ClientFigures], min_group: int = MIN_GROUP) -> RegionFigures:
    members: dict[tuple[str, str], list[ClientFigures]] = {}
    for c in clients:
        if c.period is None:
            continue  # no decided budget yet: in no period
        for category in c.categories():
            members.setdefault((c.period, category), []).append(c)
    shown = [_group(period, category, group, min_group)
             for (period, category), group in sorted(members.items()) if len(group) >= min_group]
    return RegionFigures(shown, len(members) - len(shown), min_group)


def _group(period: str, category: str, group: list[ClientFigures], min_group: int) -> GroupFigures:
    planned = sum(c.planned_by_category.get(category, 0) for c in group)
    used = sum(c.used_by_category.get(category, 0) for c in group)
    scores = [t for c in group if (t := c.t_score) is not None]
    changes = [ch for c in group if (ch := c.change) is not None]
    return GroupFigures(
        period=period, support_category=category, clients=len(group), planned_cents=planned, used_cents=used,
        used_share=round(used / planned, 3) if planned else None,
        clients_scored=len(scores),
        mean_t_score=round(sum(scores) / len(scores), 2) if len(scores) >= min_group else None,
        clients_reassessed=len(changes),
        mean_change=({area: round(sum(ch[area] for ch in changes) / len(changes), 2) for area in AREAS}
                     if len(changes) >= min_group else None),
    )
