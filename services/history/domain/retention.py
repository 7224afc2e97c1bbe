"""Retention by service task: how long a closed case's records are kept before they may be erased.

Defaults follow the National Archives' guidance as summarised in the brief (working-age adults' and
disability services' records 10 years after the case closes, families with children 30 years); the
region may configure its own table. Erasure before the end needs another recorded legal basis.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

DEFAULT_YEARS: dict[str, int] = {
    "working_age_adults": 10,
    "disability_services": 10,
    "older_people": 10,
    "mental_health_and_substance_abuse": 10,
    "families_with_children": 30,
    "child_welfare": 30,
}
UNKNOWN_TASK_YEARS = 30  # when the service task is not known, keep as long as the longest default


def retention_ends(closed_on: date, service_task: str | None, table: Mapping[str, int]) -> date:
    years = table.get(service_task or "", UNKNOWN_TASK_YEARS)
    try:
        return closed_on.replace(year=closed_on.year + years)
    except ValueError:  # 29 February
        return closed_on.replace(year=closed_on.year + years, day=28)


def past_retention(closed_on: date | None, service_task: str | None, table: Mapping[str, int], today: date) -> bool:
    return closed_on is not None and retention_ends(closed_on, service_task, table) <= today


@dataclass(frozen=True)
class CaseRecord:
    """What the history notes about a case besides its events: the retention period runs from ``closed_on``."""

    client_id: UUID
    service_task: str | None = None
    closed_on: date | None = None
    erased_at: datetime | None = None
