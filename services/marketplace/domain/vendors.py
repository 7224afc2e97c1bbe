"""Vendors verified by what they sell: the region's criteria per kind of vendor, each perhaps only under a
condition, and which kinds may deliver which support category. Pure rules over a table that is a value (the
region's copy of config/data/vendor_criteria.toml, read by the adapters), never in code.

- A vendor has one kind (social-care service, other service, goods and tickets, ... as the table names them).
- A criterion applies always, or only when its condition holds: every part the condition states must hold (the
  county's purchases from the vendor in 12 months exceed an amount; the vendor's people work on the county's
  premises). The Contractor's Liability Act (1233/2006) is the reason for both: its checks are due only above its
  threshold, and for work on the orderer's premises.
- The answer to a verification lists every criterion of the kind: met, missing, or not applicable (its condition
  does not hold). A vendor is verified when nothing is missing.
- A support category names the kinds that may deliver it; a category the table does not name is for the kinds
  of its ``default`` row (social-care services: what every support was before kinds existed).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from contracts.marketplace import QUALITY_CRITERIA, SOCIAL_CARE
from shared.kernel.errors import InvalidCommand

Result = Literal["met", "missing", "not_applicable"]


@dataclass(frozen=True)
class VendorFacts:
    """What a condition is decided on: as the region states it, and as the county's books show it."""

    purchases_12m_cents: int = 0  # the county's purchases and orders from the vendor in 12 months, VAT included
    on_county_premises: bool = False  # the vendor's people work on the county's premises


@dataclass(frozen=True)
class Condition:
    """When a criterion applies: every part stated must hold."""

    purchases_over_cents: int | None = None
    on_county_premises: bool | None = None

    def holds(self, facts: VendorFacts) -> bool:
        if self.purchases_over_cents is not None and facts.purchases_12m_cents <= self.purchases_over_cents:
            return False
        return self.on_county_premises is None or facts.on_county_premises == self.on_county_premises

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in (("purchases_over_cents", self.purchases_over_cents),
                                  ("on_county_premises", self.on_county_premises)) if v is not None}


@dataclass(frozen=True)
class Criterion:
    code: str
    when: Condition | None = None  # None: always

    def applies(self, facts: VendorFacts) -> bool:
        return self.when is None or self.when.holds(facts)


@dataclass(frozen=True)
class Answer:
    code: str
    result: Result
    when: Condition | None = None


# Social-care services' criteria, as they were before the region's table: every one, always.
SOCIAL_CARE_CRITERIA: tuple[Criterion, ...] = tuple(Criterion(code) for code in QUALITY_CRITERIA)


def answer(criteria: Iterable[Criterion], checklist: Mapping[str, bool], facts: VendorFacts) -> list[Answer]:
    """Per criterion, in the table's order: met, missing, or not applicable on these facts."""
    return [Answer(c.code, ("met" if checklist.get(c.code) else "missing") if c.applies(facts) else "not_applicable",
                   c.when) for c in criteria]


def missing(answers: Iterable[Answer]) -> list[str]:
    return [a.code for a in answers if a.result == "missing"]


def now_needed(criteria: Iterable[Criterion], met: Iterable[str], facts: VendorFacts) -> list[str]:
    """The criteria that apply on ``facts`` but were not met when the vendor was verified (a condition that did
    not hold then, e.g. a value threshold a new purchase passes)."""
    done = set(met)
    return [c.code for c in criteria if c.applies(facts) and c.code not in done]


@dataclass(frozen=True)
class VendorTable:
    version: str
    kinds: Mapping[str, tuple[Criterion, ...]]
    categories: Mapping[str, frozenset[str]]  # support category → the kinds that may deliver it
    default_kinds: frozenset[str] = field(default_factory=lambda: frozenset({SOCIAL_CARE}))

    def criteria(self, kind: str) -> tuple[Criterion, ...]:
        if kind not in self.kinds:
            raise InvalidCommand(f"unknown vendor kind {kind}: the region's kinds are {', '.join(self.kinds)}",
                                 field="vendor_kind", code="unknown-vendor-kind", kinds=list(self.kinds))
        return self.kinds[kind]

    def may_deliver(self, kind: str, category: str) -> bool:
        return kind in self.categories.get(category, self.default_kinds)

    def kinds_for(self, category: str) -> list[str]:
        return sorted(self.categories.get(category, self.default_kinds))

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> VendorTable:
        """The table as written in vendor_criteria.toml; a malformed row is refused here, at start."""
        kinds = {str(name): tuple(_criterion(name, raw) for raw in spec.get("criteria", ()))
                 for name, spec in data.get("kinds", {}).items()}
        categories = {str(name): frozenset(map(str, allowed)) for name, allowed in data.get("categories", {}).items()}
        default = categories.pop("default", frozenset({SOCIAL_CARE}))
        for category, allowed in (*categories.items(), ("default", default)):
            unknown = sorted(allowed - set(kinds))
            if unknown:
                raise ValueError(f"vendor criteria: category {category} names unknown kinds {unknown}")
        return cls(str(data["version"]), kinds, categories, default)


def _criterion(kind: str, raw: Mapping[str, Any]) -> Criterion:
    code, when = str(raw["code"]), raw.get("when")
    if when is None:
        return Criterion(code)
    unknown = set(when) - {"purchases_over_cents", "on_county_premises"}
    if unknown:
        raise ValueError(f"vendor criteria: {kind}.{code} has an unknown condition {sorted(unknown)}")
    return Criterion(code, Condition(when.get("purchases_over_cents"), when.get("on_county_premises")))
