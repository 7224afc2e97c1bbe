"""A private Kafka broker and PostgreSQL on loopback ports of their own, started and stopped with the project's
scripts (kafka.sh, postgres.sh). For the fault-injection tests and the benchmarks, which must never touch the
shared broker and database of `./avain up` and `./avain test`."""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "deploy" / "local"


def port_is_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def free_port(preferred: int | None = None, *, pair: bool = False) -> int:
    """A free loopback port from ``preferred`` on, in steps of 10 (with ``pair`` its successor is free too:
    Kafka's controller listens on port + 1); without a preference, any free port."""
    if preferred is None and not pair:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return int(s.getsockname()[1])
    start = preferred or 20000
    for port in range(start, start + 500, 10):
        if port_is_free(port) and (not pair or port_is_free(port + 1)):
            return port
    raise RuntimeError(f"no free port from {start} on")


def default_cache_dir() -> Path:
    """Where kafka.sh keeps the broker's jars (fetched from Maven Central once)."""
    return Path(os.environ.get("AVAIN_CACHE_DIR", ROOT / ".cache"))


@dataclass
class PrivateInfra:
    data_dir: Path
    kafka_port: int
    pg_port: int
    cache_dir: Path = field(default_factory=default_cache_dir)
    # Settings for the scripts: AVAIN_PG_FAST=1 (tests), AVAIN_PG_OPTIONS, AVAIN_KAFKA_HEAP.
    settings: Mapping[str, str] = field(default_factory=dict)

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.kafka_port}"

    @property
    def pg_dsn(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.pg_port}/postgres"

    def env(self) -> dict[str, str]:
        """The scripts' environment: none of the caller's AVAIN_* settings, only this infrastructure's."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("AVAIN_")}
        return env | {"AVAIN_DATA_DIR": str(self.data_dir), "AVAIN_KAFKA_PORT": str(self.kafka_port),
                      "AVAIN_PG_PORT": str(self.pg_port), "AVAIN_CACHE_DIR": str(self.cache_dir), **self.settings}

    async def script(self, script: str, action: str, *, check: bool = True, timeout: float = 180) -> None:
        proc = await asyncio.create_subprocess_exec(str(SCRIPTS / script), action, env=self.env(),
                                                    stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        out, _ = await asyncio.wait_for(proc.communicate(), timeout=timeout)
        if check and proc.returncode != 0:
            raise RuntimeError(f"{script} {action} failed: {out.decode()[-2000:]}")

    async def start_kafka(self) -> None:
        await self.script("kafka.sh", "start")

    async def stop_kafka(self, *, check: bool = True) -> None:
        await self.script("kafka.sh", "stop", check=check)

    async def start_postgres(self) -> None:
        # data_dir may be private (mkdtemp makes it 0700): postgres.sh keeps the cluster where the postgres
        # user can reach it and links it from here.
        await self.script("postgres.sh", "start")

    async def stop_postgres(self, *, check: bool = True) -> None:
        await self.script("postgres.sh", "stop", check=check)

    async def destroy_postgres(self, *, check: bool = True) -> None:
        """Stop the server and delete its cluster, also the part outside data_dir."""
        await self.script("postgres.sh", "destroy", check=check)

    def pid_of_kafka(self) -> int | None:
        pidfile = self.data_dir / f"kafka-{self.kafka_port}" / "kafka.pid"
        return int(pidfile.read_text()) if pidfile.exists() else None
