"""The county's data tables (config/data/*.toml): the delegation table, later the legal bases and the notification
rules. Read once per path; a deployment mounts its own copies and points the settings at them. Refusing a
malformed table at start beats finding it out at a decision."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

from shared.kernel.approvals import DelegationTable

DATA = Path(__file__).resolve().parents[2] / "config" / "data"
DELEGATIONS = DATA / "delegations.toml"

# The settings that name a county's own copy of a table (every service that reads it describes it the same way).
DELEGATIONS_FILE = (
    "The county's delegation table (TOML): who decides which kind of matter alone, up to what amount, per region and "
    "municipality, with effective dates; a decision above the decider's limit waits for approval (budgeting), and the "
    "approvals queue shows whom a request's amount lets answer it (decisions). Unset: config/data/delegations.toml, "
    "which describes the format")


@cache
def read_table(path: Path) -> dict[str, Any]:
    with path.open("rb") as f:
        return tomllib.load(f)


@cache
def delegations(path: Path = DELEGATIONS) -> DelegationTable:
    return DelegationTable.from_mapping(read_table(path))
