"""The county's data tables (config/data/*.toml): the delegation table, later the legal bases and the notification
rules. Read once per path; a deployment mounts its own copies and points the settings at them. Refusing a
malformed table at start beats finding it out at a decision."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

from shared.kernel.approvals import DelegationTable
from shared.kernel.law import Acts, LegalTable

DATA = Path(__file__).resolve().parents[2] / "config" / "data"
DELEGATIONS = DATA / "delegations.toml"
LEGAL_BASES = DATA / "legal_bases.toml"
ACTS = DATA / "acts.toml"  # the one fixture of names of acts, bodies and courts (not a county's to replace)

# The settings that name a county's own copy of a table (every service that reads it describes it the same way).
DELEGATIONS_FILE = (
    "The county's delegation table (TOML): who decides which kind of matter alone, up to what amount, per region and "
    "municipality, with effective dates; a decision or a purchase above the decider's limit waits for approval "
    "(budgeting, marketplace), and the approvals queue shows whom a request's amount lets answer it (decisions). "
    "Unset: config/data/delegations.toml, which describes the format")
LEGAL_BASES_FILE = (
    "The county's legal basis table (TOML): by date, the acts and sections a decision rests on per kind of decision, "
    "service task, support category and provider type, the body that decides on requests for rectification and the "
    "administrative court per region. Unset: config/data/legal_bases.toml, which describes the format")


@cache
def read_table(path: Path) -> dict[str, Any]:
    with path.open("rb") as f:
        return tomllib.load(f)


@cache
def delegations(path: Path = DELEGATIONS) -> DelegationTable:
    return DelegationTable.from_mapping(read_table(path))


@cache
def legal_bases(path: Path = LEGAL_BASES) -> LegalTable:
    table = LegalTable.from_mapping(read_table(path))
    known = acts()
    unnamed = sorted(table.acts() - set(known.acts)) + sorted(table.bodies() - set(known.bodies))
    if unnamed:
        raise ValueError(f"{path}: acts.toml names none of {unnamed}")
    return table


@cache
def acts(path: Path = ACTS) -> Acts:
    return Acts.from_mapping(read_table(path))
