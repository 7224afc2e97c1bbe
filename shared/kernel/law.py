"""The law a decision rests on: the legal bases and the instructions for seeking its change, from the county's dated
tables (config/data/legal_bases.toml, read by shared/infra/tables.py), and the names of acts, bodies and courts
from one fixture that cites the acts by number (config/data/acts.toml). Pure: tables are values.

A decision records what applied when it was made: the table's version, the legal bases (an act by its number, a
section), and its instructions (rectification to the body the county names, or, for a decision on a request for
rectification, appeal to the administrative court; the days to do it in). Texts are rendered from these codes in
the language of the reader (shared/infra/law_texts.py), so a decision made in Finnish reads in Swedish too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from shared.kernel.approvals import Authority

ACT_NUMBER = re.compile(r"^\d{1,4}/\d{4}$")  # 675/2023: the number and the year in the statute book
DecisionKind = Literal["budget", "revision", "intake_decline", "support_closure", "rectification"]


def decision_language(preferred: str | None) -> str:
    """The language a decision is made and served in: the client's choice of the national languages (Language Act
    423/2003), Finnish otherwise (a reader may still read it in another language of the catalogue)."""
    return preferred if preferred in ("fi", "sv") else "fi"


class LegalBasis(BaseModel):
    """An act (by its number in the statute book) and, when the table says, a section."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    act: str = Field(pattern=ACT_NUMBER.pattern, description="The act's number, e.g. 675/2023")
    section: str | None = Field(None, max_length=40, description="A section of it, e.g. 45 or 49 a–49 g")


class Instructions(BaseModel):
    """How to seek a change: rectification (oikaisuvaatimus) to a body, or appeal (valitus) to a court."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["rectification", "appeal"]
    body: str = Field(description="The body or court, a code of the acts fixture (e.g. individual_matters_section)")
    days: int = Field(gt=0, description="Days from notification, the day of notification not counted")
    act: str = Field(pattern=ACT_NUMBER.pattern, description="The act that gives the remedy (434/2003, 808/2019)")
    table_version: str


@dataclass(frozen=True)
class LegalTableVersion:
    version: str
    valid_from: date
    valid_to: date | None
    rectification_body: str
    rectification_days: int
    appeal_days: int
    courts: Mapping[str, str]  # region (or "default") → court code
    every_decision: tuple[LegalBasis, ...]
    by_kind: Mapping[str, tuple[LegalBasis, ...]]
    by_service_task: Mapping[str, tuple[LegalBasis, ...]]
    by_provider_type: Mapping[str, tuple[LegalBasis, ...]]
    by_category: Mapping[str, tuple[LegalBasis, ...]]

    def in_force(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)


@dataclass(frozen=True)
class LegalTable:
    versions: tuple[LegalTableVersion, ...]

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> LegalTable:
        versions = tuple(_version(raw) for raw in data.get("table", ()))
        if not versions:
            raise ValueError("the legal basis table has no version")
        return cls(versions)

    def on(self, day: date) -> LegalTableVersion:
        found = [v for v in self.versions if v.in_force(day)]
        if not found:
            raise ValueError(f"no legal basis table is in force on {day.isoformat()}")
        return max(found, key=lambda v: v.valid_from)

    def bases(self, kind: DecisionKind, day: date, *, service_task: str | None = None,
              categories: Iterable[str] = (), provider_types: Iterable[str] = ()) -> tuple[str, list[LegalBasis]]:
        """The table's version and the legal bases of a decision of ``kind`` on ``day``: those of every decision,
        of its kind, of the case's service task, and of each category and provider type of support it decides,
        each once, in that order."""
        v = self.on(day)
        found: list[LegalBasis] = [*v.by_kind.get(kind, ()), *v.every_decision]
        found += v.by_service_task.get(service_task or "", ())
        for category in sorted(set(categories)):
            found += v.by_category.get(category, ())
        for provider_type in sorted(set(provider_types)):
            found += v.by_provider_type.get(provider_type, ())
        return v.version, list(dict.fromkeys(found))

    def instructions(self, kind: DecisionKind, day: date, region: str | None = None) -> Instructions:
        """Rectification to the county's body for a decision; appeal to the administrative court of the region for
        a decision on a request for rectification (434/2003 49 a §, 808/2019 13 §)."""
        v = self.on(day)
        if kind == "rectification":
            court = v.courts.get(region or "", v.courts["default"])
            return Instructions(kind="appeal", body=court, days=v.appeal_days, act="808/2019", table_version=v.version)
        return Instructions(kind="rectification", body=v.rectification_body, days=v.rectification_days,
                            act="434/2003", table_version=v.version)

    def acts(self) -> set[str]:
        """Every act the table cites (the fixture must name each)."""
        return {b.act for v in self.versions for b in _all_bases(v)} | {"434/2003", "808/2019"}

    def bodies(self) -> set[str]:
        return {code for v in self.versions for code in (v.rectification_body, *v.courts.values())}


def _all_bases(v: LegalTableVersion) -> Iterable[LegalBasis]:
    yield from v.every_decision
    for table in (v.by_kind, v.by_service_task, v.by_provider_type, v.by_category):
        for bases in table.values():
            yield from bases


def _bases(raw: Iterable[Mapping[str, Any]]) -> tuple[LegalBasis, ...]:
    return tuple(LegalBasis(act=str(b["act"]), section=str(b["section"]) if "section" in b else None) for b in raw)


def _version(raw: Mapping[str, Any]) -> LegalTableVersion:
    def table(name: str) -> dict[str, tuple[LegalBasis, ...]]:
        return {str(k): _bases(v) for k, v in raw.get(name, {}).items()}

    courts = {str(k): str(v) for k, v in raw.get("courts", {}).items()}
    if "default" not in courts:
        raise ValueError(f"legal basis table {raw.get('version')}: courts needs a default")
    return LegalTableVersion(
        version=str(raw["version"]), valid_from=raw["valid_from"], valid_to=raw.get("valid_to"),
        rectification_body=str(raw["rectification_body"]), rectification_days=int(raw["rectification_days"]),
        appeal_days=int(raw["appeal_days"]), courts=courts, every_decision=_bases(raw.get("every_decision", ())),
        by_kind=table("by_kind"), by_service_task=table("by_service_task"),
        by_provider_type=table("by_provider_type"), by_category=table("by_category"))


# --- the names: one fixture, acts cited by number ------------------------------------------------------------


@dataclass(frozen=True)
class Acts:
    """Names of acts (by number), bodies and courts (by code), and how a section is written, per language."""

    acts: Mapping[str, Mapping[str, str]]
    bodies: Mapping[str, Mapping[str, str]]
    sections: Mapping[str, str]  # language → "{section} §" / "section {section}"

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Acts:
        acts = {str(k): dict(v) for k, v in data["acts"].items()}
        bad = [k for k in acts if not ACT_NUMBER.match(k)]
        if bad:
            raise ValueError(f"acts are cited by their number, e.g. 675/2023: {bad}")
        return cls(acts, {str(k): dict(v) for k, v in data["bodies"].items()}, dict(data["sections"]))

    def name(self, act: str, language: str) -> str:
        names = self.acts[act]
        return names.get(language) or names["fi"]

    def cite(self, act: str, language: str) -> str:
        """The act by name and number: "vammaispalvelulaki (675/2023)"."""
        return f"{self.name(act, language)} ({act})"

    def basis(self, basis: LegalBasis, language: str) -> str:
        """"vammaispalvelulaki (675/2023), 8 §" / "Disability Services Act (675/2023), section 8"."""
        cited = self.cite(basis.act, language)
        if basis.section is None:
            return cited
        section = self.sections.get(language) or self.sections["fi"]
        return f"{cited}, {section.format(section=basis.section)}"

    def body(self, code: str, language: str) -> str:
        names = self.bodies[code]
        return names.get(language) or names["fi"]


# --- what a deciding aggregate is given to decide with ----------------------------------------------------------


@dataclass(frozen=True)
class DecisionLaw:
    """What a decision rests on, from the legal basis table of its day, with its texts in the decision's language
    (kept in the events that carried texts before issue 14)."""

    table_version: str
    bases: tuple[LegalBasis, ...]
    instructions: Instructions
    bases_text: str
    instructions_text: str


@dataclass(frozen=True)
class Decided:
    """Who decides, under what delegation, on what day, with what number and law: every decision record's core.
    The handler draws the number and reads the tables; the aggregate decides whether it may."""

    decision_id: UUID
    decision_number: str
    decided_on: date
    decided_by: str
    authority: Authority | None
    law: DecisionLaw
