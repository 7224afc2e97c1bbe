"""The benchmark's own Kafka broker, PostgreSQL (fsync on: never AVAIN_PG_FAST here) and service processes,
on free loopback ports in a temporary folder, started with the project's scripts and removed at the end."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bench.httpload import Connection
from deploy.local.infra import ROOT, PrivateInfra, free_port

__all__ = ["ROOT", "Infra", "free_port", "rss_mb"]


def rss_mb(pid: int) -> float:
    """Resident set size of a process, from /proc (0 when it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


@dataclass
class Infra(PrivateInfra):
    """Fsync on (never AVAIN_PG_FAST here), commit timestamps on (when a consumer's row became visible)."""

    data_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="avain-bench-", dir="/tmp")))
    kafka_port: int = field(default_factory=lambda: free_port(pair=True))
    pg_port: int = field(default_factory=free_port)
    settings: Mapping[str, str] = field(default_factory=lambda: {"AVAIN_PG_OPTIONS": "-c track_commit_timestamp=on"})
    processes: list[asyncio.subprocess.Process] = field(default_factory=list)

    async def start(self) -> None:
        await self.start_postgres()
        await self.start_kafka()

    async def stop(self) -> None:
        for proc in self.processes:
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    await asyncio.wait_for(proc.wait(), timeout=20)
                except TimeoutError:
                    proc.kill()
        for stop in (self.stop_kafka, self.destroy_postgres):
            try:
                await stop()
            except RuntimeError as exc:
                print(f"  (stopping: {exc})", file=sys.stderr)
        shutil.rmtree(self.data_dir, ignore_errors=True)

    async def service(self, name: str, *, prefix: str, db_prefix: str, port: int,
                      extra_env: dict[str, str] | None = None) -> asyncio.subprocess.Process:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AVAIN_")} | (extra_env or {}) | {
            "PYTHONPATH": str(ROOT), "AVAIN_ENV": "test", "AVAIN_HTTP_PORT": str(port), "AVAIN_TOPIC_PREFIX": prefix,
            "AVAIN_DATABASE_PREFIX": db_prefix, "AVAIN_KEYS_DATABASE": f"{db_prefix}keys",
            "AVAIN_KAFKA_BOOTSTRAP": self.bootstrap, "AVAIN_PG_DSN": self.pg_dsn, "AVAIN_LOG_LEVEL": "WARNING"}
        log = (self.data_dir / f"{name}.log").open("ab")
        proc = await asyncio.create_subprocess_exec(sys.executable, "-m", f"services.{name}", env=env, cwd=ROOT,
                                                    stdout=log, stderr=asyncio.subprocess.STDOUT)
        self.processes.append(proc)
        conn = Connection(port)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 90
        while loop.time() < deadline:
            if proc.returncode is not None:
                raise RuntimeError(f"{name} exited; see {self.data_dir / (name + '.log')}")
            try:
                status, _ = await conn.request("GET", "/ready")
                if status == 200:
                    await conn.close()
                    return proc
            except (OSError, asyncio.IncompleteReadError):
                await conn.close()
            await asyncio.sleep(0.3)
        raise RuntimeError(f"{name} was not ready in 90 s")
