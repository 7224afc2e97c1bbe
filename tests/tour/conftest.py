"""A whole private stack started by `./avain up` from a copy of this checkout in a private (0700) folder.

It is what a newcomer does after cloning into their home directory, on ports of its own: the shared broker
(9092), database (5433) and the lead's demo (8000-8006) are never touched. The copy shares this checkout's
.venv and Kafka jars (installing them is not what is tested), and `./avain clean` removes everything it
started at the end, also the PostgreSQL cluster it keeps outside the private folder.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from deploy.local.infra import default_cache_dir, free_port
from tests.tour.readme import clean_environment

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("intake", "budgeting", "marketplace", "followup", "history", "decisions", "notifications")


@dataclass
class LocalStack:
    home: Path  # the private folder (mode 0700) the checkout was copied into
    checkout: Path
    env: dict[str, str]
    ports: dict[str, int]
    up_output: str
    startup_logs: dict[str, list[str]] = field(default_factory=dict)  # service → log lines after `./avain up`

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    def avain(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["./avain", *args], cwd=self.checkout, env=self.env, capture_output=True, text=True,
                              timeout=timeout, check=False)

    def read_logs(self) -> dict[str, list[str]]:
        logs = self.checkout / ".data" / "logs"
        return {s: (logs / f"{s}.log").read_text(errors="replace").splitlines() for s in SERVICES}


def copy_checkout(source: Path, target: Path) -> None:
    """The files git would clone (tracked, plus new ones not ignored): the working tree as it is now."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=source,
                            capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        src = source / name
        if src.is_file():  # a tracked file deleted in the working tree is not there
            dst = target / name
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)


def listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
        return True
    except OSError:
        return False


def log_level(line: str) -> str | None:
    try:
        entry: Any = json.loads(line)
    except ValueError:
        return "error" if line.startswith("Traceback") else None
    return str(entry.get("level", "")).lower() if isinstance(entry, dict) else None


@pytest.fixture(scope="session")
def local_stack() -> Iterator[LocalStack]:
    home = Path(tempfile.mkdtemp(prefix="avain-home-"))  # mode 0700, like a home directory
    checkout = home / "avain"
    copy_checkout(ROOT, checkout)
    (checkout / ".venv").symlink_to(ROOT / ".venv")
    for packages in ("deploy/local/oidc", "services/console/assets"):  # npm's, like .venv: not what is tested
        if (ROOT / packages / "node_modules").is_dir():
            (checkout / packages / "node_modules").symlink_to(ROOT / packages / "node_modules")
    # Reserved ports (other engineers' suites pick theirs at the same time), from a random place near each other.
    kafka = free_port(pair=True)
    ports = {"kafka": kafka, "postgres": free_port(kafka + 3)}
    for i, service in enumerate(SERVICES):
        ports[service] = free_port(kafka + 5 + i)
    ports["mail"] = free_port(kafka + 50)  # the local SMTP server ./avain up starts for the notifications
    env = clean_environment() | {
        "AVAIN_KAFKA_PORT": str(kafka), "AVAIN_PG_PORT": str(ports["postgres"]),
        "AVAIN_CACHE_DIR": str(default_cache_dir().resolve()), "AVAIN_PG_FAST": "1", "AVAIN_KAFKA_HEAP": "512m",
        **{f"AVAIN_{s.upper()}_PORT": str(ports[s]) for s in SERVICES},
        # the console and the local identity provider, on ports of the same private range
        "AVAIN_CONSOLE_PORT": str(free_port(kafka + 20)), "AVAIN_OIDC_STAFF_PORT": str(free_port(kafka + 30)),
        "AVAIN_OIDC_CITIZEN_PORT": str(free_port(kafka + 40)), "AVAIN_MAIL_PORT": str(ports["mail"]),
    }
    up = subprocess.run(["./avain", "up"], cwd=checkout, env=env, capture_output=True, text=True, timeout=1200,
                        check=False)
    # The services' own settings, as `./avain up` gave them: the tour's Python commands read them too.
    env |= {"AVAIN_KAFKA_BOOTSTRAP": f"127.0.0.1:{kafka}",
            "AVAIN_PG_DSN": f"postgresql://postgres@127.0.0.1:{ports['postgres']}/postgres"}
    stack = LocalStack(home, checkout, env, ports, up.stdout + up.stderr)
    try:
        if up.returncode != 0:
            logs = "\n".join(f"--- {s}\n" + "\n".join(lines[-20:]) for s, lines in stack.read_logs().items()) \
                if (checkout / ".data" / "logs").exists() else ""
            pytest.fail(f"./avain up failed ({up.returncode}):\n{stack.up_output[-4000:]}\n{logs}")
        stack.startup_logs = stack.read_logs()
        yield stack
    finally:
        link = checkout / ".data" / f"postgres-{ports['postgres']}"
        cluster = link.resolve() if link.is_symlink() else None  # outside the private folder: clean deletes it
        cleaned = stack.avain("clean", timeout=180)
        shutil.rmtree(home, ignore_errors=True)
        left = [name for name, port in ports.items() if listening(port)]
        if cleaned.returncode != 0 or left or (cluster is not None and cluster.exists()):
            pytest.fail(f"./avain clean left {left or cluster}: {cleaned.stderr[-2000:]}")
