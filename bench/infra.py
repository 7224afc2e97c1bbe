"""The benchmark's own Kafka broker, PostgreSQL (fsync on: never AVAIN_PG_FAST here) and service processes,
on free loopback ports in a temporary folder, started with the project's scripts and removed at the end."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from bench.httpload import Connection

ROOT = Path(__file__).resolve().parents[1]


def free_port(start: int, *, pair: bool = False) -> int:
    def free(port: int) -> bool:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                return True
            except OSError:
                return False

    for port in range(start, start + 500, 10):
        if free(port) and (not pair or free(port + 1)):
            return port
    raise RuntimeError("no free port")


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
class Infra:
    data_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="avain-bench-", dir="/tmp")))
    kafka_port: int = field(default_factory=lambda: free_port(29092, pair=True))
    pg_port: int = field(default_factory=lambda: free_port(25433))
    processes: list[asyncio.subprocess.Process] = field(default_factory=list)

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.kafka_port}"

    @property
    def pg_dsn(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.pg_port}/postgres"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AVAIN_")}
        return env | {"AVAIN_DATA_DIR": str(self.data_dir), "AVAIN_KAFKA_PORT": str(self.kafka_port),
                      "AVAIN_PG_PORT": str(self.pg_port), "AVAIN_PG_OPTIONS": "-c track_commit_timestamp=on",
                      "AVAIN_CACHE_DIR": os.environ.get("AVAIN_CACHE_DIR",
                                                                                           str(ROOT / ".cache"))}

    async def _script(self, script: str, action: str) -> None:
        proc = await asyncio.create_subprocess_exec(str(ROOT / "deploy" / "local" / script), action, env=self.env(),
                                                    stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        out, _ = await asyncio.wait_for(proc.communicate(), timeout=180)
        if proc.returncode != 0:
            raise RuntimeError(f"{script} {action}: {out.decode()[-2000:]}")

    async def start(self) -> None:
        os.chmod(self.data_dir, 0o755)  # the postgres user runs the server from in here
        await self._script("postgres.sh", "start")
        await self._script("kafka.sh", "start")

    async def stop(self) -> None:
        for proc in self.processes:
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    await asyncio.wait_for(proc.wait(), timeout=20)
                except TimeoutError:
                    proc.kill()
        for script in ("kafka.sh", "postgres.sh"):
            try:
                await self._script(script, "stop")
            except RuntimeError as exc:
                print(f"  (stopping: {exc})", file=sys.stderr)
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def pid_of_kafka(self) -> int | None:
        pidfile = self.data_dir / f"kafka-{self.kafka_port}" / "kafka.pid"
        return int(pidfile.read_text()) if pidfile.exists() else None

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
