"""Architecture gates: the import rules declared in pyproject.toml ([tool.importlinter]) hold, and lint and types hold.

The rules are checked by import-linter over the whole import graph, so an arrow through another module counts:
domain/ importing a kernel module that imported asyncpg would break "pure-domain" just as a direct import would.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONTRACTS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def test_the_rules_cover_layers_services_purity_and_cycles() -> None:
    assert {c["id"] for c in CONTRACTS} >= {"layers", "independent-services", "pure-domain", "no-cycles"}


@pytest.mark.parametrize("contract", [c["id"] for c in CONTRACTS])
def test_import_rule_holds(contract: str) -> None:
    result = subprocess.run([str(LINT_IMPORTS), "--no-cache", "--contract", contract], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_finds_nothing() -> None:
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "."], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_mypy_finds_nothing() -> None:
    result = subprocess.run([sys.executable, "-m", "mypy", "shared", "services", "contracts"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
