"""Delegated authority (delegointi): who may decide which kind of matter alone, up to what amount, and when a second
person must approve first. Pure rules over a table that is a value: the county's delegation decision written down
in ``config/data/delegations.toml`` (read by ``shared/infra/tables.py``), never in code.

One mechanism for every kind of matter. The aggregate that owns a matter (a budget, a purchase, a support-person
agreement, an order above a price ceiling) asks ``DelegationTable.authority`` for the deciding person's authority
and ``needs_approval`` whether it suffices; above it, it records an ``ApprovalRequested`` (contracts/approvals.py)
in its own stream and waits. The answer comes from someone whose own authority covers the amount and who did not
ask (``check_approver``); it is recorded as ``ApprovalGranted`` or ``ApprovalRefused`` in the same stream, so the
matter's invariants stay inside its aggregate. A new kind of matter is a row in the table, never a new mechanism.

Which row applies to a person: a row naming the person beats a row for their role; a row for their municipality
beats one for their region, which beats one for every region; among equals the one in force from the latest date.
A row is in force from ``valid_from`` to ``valid_to`` inclusive.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shared.kernel.errors import Forbidden, RuleViolation


class Authority(BaseModel):
    """The delegation a person acted under, as events record it: which table, which row, up to what amount."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    table_version: str = Field(description="The delegation table's version (the delegation decision it writes down)")
    rule_id: str = Field(description="The row of the table that applied")
    kind: str = Field(description="The kind of matter, e.g. budget_decision, budget_revision, purchase")
    holder: str = Field(description='Whom the row delegates to: "role:worker" or "person:<staff id>"')
    limit_cents: int | None = Field(description="Up to what amount the holder decides alone; null: no limit")

    def covers(self, amount_cents: int) -> bool:
        return self.limit_cents is None or amount_cents <= self.limit_cents


@dataclass(frozen=True)
class Delegation:
    rule_id: str
    kind: str
    role: str | None  # exactly one of role and person
    person: str | None
    limit_cents: int | None
    valid_from: date
    valid_to: date | None = None
    region: str | None = None  # None: every region
    municipalities: frozenset[str] = frozenset()  # empty: the whole region

    @property
    def holder(self) -> str:
        return f"person:{self.person}" if self.person else f"role:{self.role}"

    def in_force(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)

    def holds_for(self, person: str, role: str) -> bool:
        return self.person == person if self.person else self.role == role

    def reaches(self, municipality: str | None, region: str | None) -> bool:
        if self.municipalities:
            return municipality in self.municipalities
        return self.region is None or self.region == region

    def specificity(self) -> tuple[int, int, date]:
        """Higher is more specific: a named person over a role, a municipality over a region over everywhere."""
        place = 2 if self.municipalities else (1 if self.region else 0)
        return (1 if self.person else 0, place, self.valid_from)


@dataclass(frozen=True)
class DelegationTable:
    version: str
    kinds: frozenset[str]
    regions: Mapping[str, frozenset[str]]  # region → its municipalities
    rows: tuple[Delegation, ...]

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> DelegationTable:
        """The table as written in delegations.toml; a malformed row is refused here, at start, with its id."""
        kinds = frozenset(str(k) for k in data.get("kinds", ()))
        regions = {str(name): frozenset(str(m) for m in places) for name, places in data.get("regions", {}).items()}
        rows = tuple(_row(raw, kinds, regions) for raw in data.get("delegation", ()))
        if len({r.rule_id for r in rows}) != len(rows):
            raise ValueError("every delegation row needs an id of its own")
        return cls(str(data["version"]), kinds, regions, rows)

    def region_of(self, municipality: str | None) -> str | None:
        return next((name for name, places in self.regions.items() if municipality in places), None)

    def authority(self, person: str, role: str, kind: str, municipality: str | None, on: date) -> Authority | None:
        """The authority ``person`` (in ``role``) holds for ``kind`` in ``municipality`` on ``on``; None: none."""
        if kind not in self.kinds:
            raise ValueError(f"{kind!r} is not a kind of matter in delegation table {self.version}")
        region = self.region_of(municipality)
        rows = [r for r in self.rows if r.kind == kind and r.in_force(on) and r.holds_for(person, role)
                and r.reaches(municipality, region)]
        if not rows:
            return None
        row = max(rows, key=Delegation.specificity)
        return Authority(table_version=self.version, rule_id=row.rule_id, kind=kind, holder=row.holder,
                         limit_cents=row.limit_cents)


def _row(raw: Mapping[str, Any], kinds: frozenset[str], regions: Mapping[str, frozenset[str]]) -> Delegation:
    rule_id = str(raw["id"])
    if ("role" in raw) == ("person" in raw):
        raise ValueError(f"delegation {rule_id}: name a role or a person, not both or neither")
    if raw["kind"] not in kinds:
        raise ValueError(f"delegation {rule_id}: {raw['kind']!r} is not among the table's kinds")
    if raw.get("region") is not None and raw["region"] not in regions:
        raise ValueError(f"delegation {rule_id}: no region {raw['region']!r}")
    limit = raw.get("limit_cents")
    if limit is not None and (not isinstance(limit, int) or limit < 0):
        raise ValueError(f"delegation {rule_id}: limit_cents must be a whole number of cents")
    return Delegation(rule_id=rule_id, kind=str(raw["kind"]), role=raw.get("role"), person=raw.get("person"),
                      limit_cents=limit, valid_from=raw["valid_from"], valid_to=raw.get("valid_to"),
                      region=raw.get("region"), municipalities=frozenset(raw.get("municipalities", ())))


# --- the rules every owner of a matter applies ----------------------------------------------------------------


def needs_approval(authority: Authority | None, amount_cents: int) -> bool:
    """Whether a matter of ``amount_cents`` waits for a second person. Without any authority for the kind, the
    person may not even ask (403): the table delegates nothing to them."""
    if authority is None:
        raise Forbidden("you hold no delegated authority for this kind of matter", code="no-delegated-authority")
    return not authority.covers(amount_cents)


def check_approver(approver: str, approver_authority: Authority | None, requested_by: str, amount_cents: int,
                   took_part: Iterable[str] = ()) -> Authority:
    """The approver's authority, if they may answer the request: not the one who asked (nor anyone else who took
    part in preparing it), and their own delegation covers the amount."""
    if approver == requested_by or approver in set(took_part):
        raise RuleViolation("the approver must be another person than the one who asked for approval",
                            code="approver-took-part")
    if approver_authority is None:
        raise Forbidden("you hold no delegated authority for this kind of matter", code="no-delegated-authority")
    if not approver_authority.covers(amount_cents):
        raise Forbidden("the amount is above your own delegated authority", code="above-own-authority",
                        amount_cents=amount_cents, limit_cents=approver_authority.limit_cents)
    return approver_authority
