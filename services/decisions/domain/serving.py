"""Serving a decision (tiedoksianto) and the time limit for a request for its rectification. Pure.

A decision is served by a recorded dispatch: how (``method``) and when it was sent. The county's dated rules table
(config/data/service_rules.toml) says on which day after sending a method's decision is deemed received: a letter
on the 7th (434/2003 59 §), an electronic message on the 3rd (13/2003 19 §), in person that day; a proven
electronic service (13/2003 18 §) at its retrieval, which is recorded. A recorded actual receipt later than the
presumption overrides it. The time limit runs from the receipt, the day of receipt not counted, and a limit whose
last day is not a working day ends on the next one (150/1930, shared in calendar.py).

Days are the county's days: a dispatch at 01:30 Helsinki time on the 17th was sent on the 17th, even though UTC
says the 16th.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal, get_args

from services.decisions.domain.calendar import next_working_day
from shared.kernel.calendar import county_day

Method = Literal["letter", "electronic", "proven_electronic", "in_person"]
METHODS: tuple[str, ...] = get_args(Method)


@dataclass(frozen=True)
class ServiceRulesVersion:
    version: str
    valid_from: date
    valid_to: date | None
    # method → days after sending on which it is deemed received; a method not listed is received when recorded
    deemed_after: Mapping[str, int]

    def in_force(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)


@dataclass(frozen=True)
class ServiceRules:
    versions: tuple[ServiceRulesVersion, ...]

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> ServiceRules:
        versions = tuple(_version(raw) for raw in data.get("rules", ()))
        if not versions:
            raise ValueError("the service rules table has no version")
        return cls(versions)

    def on(self, day: date) -> ServiceRulesVersion:
        found = [v for v in self.versions if v.in_force(day)]
        if not found:
            raise ValueError(f"no service rules are in force on {day.isoformat()}")
        return max(found, key=lambda v: v.valid_from)


def _version(raw: Mapping[str, Any]) -> ServiceRulesVersion:
    deemed = {str(k): int(v) for k, v in raw.get("deemed_received", {}).items()}
    unknown = sorted(set(deemed) - set(METHODS))
    if unknown or any(days < 0 for days in deemed.values()):
        raise ValueError(f"service rules {raw.get('version')}: unknown methods {unknown} or negative days")
    return ServiceRulesVersion(version=str(raw["version"]), valid_from=raw["valid_from"],
                               valid_to=raw.get("valid_to"), deemed_after=deemed)


@dataclass(frozen=True)
class Presumption:
    """What the rules in force on the day of sending say of one dispatch."""

    rules_version: str
    sent_on: date
    deemed_received_on: date | None  # None: received when its receipt (retrieval) is recorded


def presume(rules: ServiceRules, method: Method, sent_at: datetime) -> Presumption:
    sent_on = county_day(sent_at)
    version = rules.on(sent_on)
    days = version.deemed_after.get(method)
    return Presumption(version.version, sent_on, None if days is None else sent_on + timedelta(days=days))


def received_on(deemed: date | None, actual: date | None) -> date | None:
    """The day the time limit runs from: the presumption, unless a later actual receipt is recorded (an earlier
    one does not shorten the recipient's time); with no presumption, the recorded receipt."""
    if deemed is None:
        return actual
    if actual is not None and actual > deemed:
        return actual
    return deemed


def time_limit_ends(received: date, days: int) -> date:
    """The last day of a time limit of ``days`` from ``received``, the day of receipt not counted, moved to the
    next working day when it falls on a Saturday, Sunday or holiday (150/1930)."""
    return next_working_day(received + timedelta(days=days))
