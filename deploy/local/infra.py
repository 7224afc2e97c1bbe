"""A private Kafka broker and PostgreSQL on loopback ports of their own, started and stopped with the project's
scripts (kafka.sh, postgres.sh). For the fault-injection tests and the benchmarks, which must never touch the
shared broker and database of `./avain up` and `./avain test`."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import random
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "deploy" / "local"


# Ports for private servers (the fault tests' broker and database, the tour's stack, the benchmark, services on
# HTTP). Several engineers' suites pick ports at the same moment on one machine, so a port is *reserved* before it
# is used: a lock file per port (flock, released when the process that holds it ends, also on a crash), taken
# only when no one listens on the port either. The range lies below the kernel's ephemeral ports (32768 and up,
# net.ipv4.ip_local_port_range), which outgoing connections take: one could otherwise take a port between the
# check and the server's bind. Each search starts at a random place, so suites rarely even meet.
PORT_RANGE = (20000, 32000)
PORT_LOCKS = Path(os.environ.get("AVAIN_PORT_LOCKS", "/tmp/avain-port-locks"))
_reserved: dict[int, int] = {}  # port -> the file descriptor holding its lock, for the life of this process


def port_is_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def _lock(port: int) -> int | None:
    """This process's lock on ``port`` (a descriptor), or None when another process holds it."""
    if not PORT_LOCKS.is_dir():
        PORT_LOCKS.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(OSError):  # every user's suites share it (it is in /tmp, sticky like /tmp)
            PORT_LOCKS.chmod(0o1777)
    fd = os.open(PORT_LOCKS / str(port), os.O_RDONLY | os.O_CREAT | os.O_NOFOLLOW, 0o666)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def reserve_ports(count: int = 1, *, near: int | None = None) -> int:
    """The first of ``count`` consecutive loopback ports that no one listens on, reserved for this process until
    it ends (or ``release_ports``): no other suite's ``reserve_ports`` hands them out meanwhile. The search starts
    at ``near`` or at a random place in PORT_RANGE."""
    low, high = PORT_RANGE
    start = near if near is not None else random.randrange(low, high - count)
    for offset in range(high - low):
        first = low + (start - low + offset) % (high - low - count)
        held: list[int] = []
        for port in range(first, first + count):
            fd = None if port in _reserved else _lock(port)
            if fd is None:
                break
            held.append(fd)
            _reserved[port] = fd
            if not port_is_free(port):
                break
        else:
            return first
        release_ports(first, len(held))
    raise RuntimeError(f"no {count} free consecutive ports in {low}-{high}")


def release_ports(first: int, count: int = 1) -> None:
    """Give back ports this process reserved (they are given back anyway when it ends)."""
    for port in range(first, first + count):
        fd = _reserved.pop(port, None)
        if fd is not None:
            os.close(fd)


def free_port(preferred: int | None = None, *, pair: bool = False) -> int:
    """A free loopback port, reserved for this process (``reserve_ports``); with ``pair`` its successor too (Kafka's
    controller listens on port + 1). ``preferred``: where the search starts instead of a random place."""
    return reserve_ports(2 if pair else 1, near=preferred)


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

    async def script(self, script: str, action: str, *, check: bool = True, timeout: float = 600) -> None:
        """Run a script; ``timeout`` only catches a script that hangs: the scripts bound their own waits
        (AVAIN_START_TIMEOUT), generously, because a loaded machine starts a JVM slowly."""
        proc = await asyncio.create_subprocess_exec(str(SCRIPTS / script), action, env=self.env(),
                                                    stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        try:
            out, _ = await asyncio.wait_for(proc.communicate(), timeout=timeout)
        except TimeoutError:
            proc.kill()
            await proc.wait()
            raise RuntimeError(f"{script} {action} did not finish within {timeout:.0f} s") from None
        if check and proc.returncode != 0:
            raise RuntimeError(f"{script} {action} failed: {out.decode()[-2000:]}")

    async def start_kafka(self) -> None:
        await self.script("kafka.sh", "start")
        # kafka.sh uses a broker already answering on the port: here that would be someone else's.
        if not self.kafka_is_ours():
            raise PortTaken(f"a broker not started here answers on 127.0.0.1:{self.kafka_port}")

    async def stop_kafka(self, *, check: bool = True) -> None:
        await self.script("kafka.sh", "stop", check=check)

    async def start_postgres(self) -> None:
        # data_dir may be private (mkdtemp makes it 0700): postgres.sh keeps the cluster where the postgres
        # user can reach it and links it from here.
        await self.script("postgres.sh", "start")
        if not (self.data_dir / f"postgres-{self.pg_port}" / "pgdata" / "postmaster.pid").exists():
            raise PortTaken(f"a PostgreSQL not started here answers on 127.0.0.1:{self.pg_port}")

    async def stop_postgres(self, *, check: bool = True) -> None:
        await self.script("postgres.sh", "stop", check=check)

    async def destroy_postgres(self, *, check: bool = True) -> None:
        """Stop the server and delete its cluster, also the part outside data_dir."""
        await self.script("postgres.sh", "destroy", check=check)

    def pid_of_kafka(self) -> int | None:
        pidfile = self.data_dir / f"kafka-{self.kafka_port}" / "kafka.pid"
        return int(pidfile.read_text()) if pidfile.exists() else None

    def kafka_is_ours(self) -> bool:
        pid = self.pid_of_kafka()
        if pid is None:
            return False
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True


class PortTaken(RuntimeError):
    """A server this infrastructure did not start answers on one of its ports: a process that reserves no ports
    took it between the check and the server's bind."""


async def start_private_infra(data_dir: Path, settings: Mapping[str, str], *, attempts: int = 3) -> PrivateInfra:
    """PostgreSQL and Kafka of their own in ``data_dir``, on freshly reserved ports. A start that fails is tried
    again on other ports: the port may have been taken after all (see PortTaken), and a broker that cannot bind
    exits at start."""
    for attempt in range(1, attempts + 1):
        infra = PrivateInfra(data_dir=data_dir, kafka_port=free_port(pair=True), pg_port=free_port(),
                             settings=settings)
        try:
            await infra.start_postgres()
            await infra.start_kafka()
            return infra
        except RuntimeError:
            await infra.stop_kafka(check=False)  # each stops only a server it started
            await infra.destroy_postgres(check=False)
            release_ports(infra.kafka_port, 2)
            release_ports(infra.pg_port)
            if attempt == attempts:
                raise
    raise AssertionError("unreachable")
