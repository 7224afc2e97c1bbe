"""Architecture gates: services never import each other, domain/ stays pure, and lint and types hold."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SERVICES = sorted(p.name for p in (ROOT / "services").iterdir() if (p / "__init__.py").exists())
IO_LIBRARIES = {"asyncpg", "faststream", "fastapi", "structlog", "aiokafka", "httpx", "uvicorn"}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_services_never_import_each_other() -> None:
    offenders = []
    for service in SERVICES:
        for path in (ROOT / "services" / service).rglob("*.py"):
            for name in _imports(path):
                parts = name.split(".")
                if parts[0] == "services" and len(parts) > 1 and parts[1] != service:
                    offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offenders == []


def test_shared_and_contracts_import_no_service() -> None:
    for folder in ("shared", "contracts"):
        for path in (ROOT / folder).rglob("*.py"):
            if path.name == "generate.py":
                continue  # the generator reads each service's AsyncAPI; nothing imports the generator
            assert not any(n.startswith("services") for n in _imports(path)), path


def test_domain_code_does_no_io() -> None:
    for service in SERVICES:
        for path in (ROOT / "services" / service / "domain").rglob("*.py"):
            used = {n.split(".")[0] for n in _imports(path)} & IO_LIBRARIES
            assert not used, f"{path.relative_to(ROOT)} imports {used}"


def test_ruff_finds_nothing() -> None:
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "."], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_mypy_finds_nothing() -> None:
    result = subprocess.run([sys.executable, "-m", "mypy", "shared", "services", "contracts"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
