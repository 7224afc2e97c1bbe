"""Real service processes on private infrastructure, for fault injection: start, kill -9, SIGTERM, restart.

Every wait is bounded in time and polls (tests.support.eventually); nothing here touches the shared broker or
database: the processes get the private infrastructure's addresses in their environment.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import httpx

from contracts import intake as intake_events
from deploy.local.infra import PrivateInfra, free_port, release_ports
from shared.infra.crypto import Keyring, decode_master_key
from shared.infra.kafka import make_producer, topic_name
from shared.infra.settings import DEV_MASTER_KEY
from shared.kernel.envelope import Actor, EventEnvelope
from shared.kernel.events import DomainEvent
from tests.support import check_error_answer, deadline, eventually, from_the_start, partitions_of

ROOT = Path(__file__).resolve().parents[2]
__all__ = ["ROOT", "PrivateInfra", "ServiceProcess", "Stack", "free_port"]
SCORES = {"general_ability": 5, "mental_wellbeing": 4, "social_participation": 3, "physical_functioning": 7,
          "competence": 6, "everyday_life": 4}
WORKER = "worker-aino"


class ServiceProcess:
    """``python -m <module>`` with AVAIN_* settings pointing at the private infrastructure."""

    def __init__(self, name: str, module: str, env: dict[str, str], log_path: Path) -> None:
        self.name = name
        self.module = module
        self.env = env
        self.port = int(env["AVAIN_HTTP_PORT"])
        self.log_path = log_path
        self.proc: asyncio.subprocess.Process | None = None
        self.http = httpx.AsyncClient(base_url=f"http://127.0.0.1:{self.port}", timeout=deadline(30),
                                      event_hooks={"response": [check_error_answer]})

    async def start(self, *, ready: bool = True) -> ServiceProcess:
        with self.log_path.open("ab") as log:
            self.proc = await asyncio.create_subprocess_exec(sys.executable, "-m", self.module, env=self.env, cwd=ROOT,
                                                             stdout=log, stderr=asyncio.subprocess.STDOUT)
        if ready:
            await self.wait_ready()
        return self

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.returncode is None

    async def ready_body(self) -> dict[str, Any] | None:
        try:
            r = await self.http.get("/ready")
        except httpx.TransportError:
            return None
        return r.json() if r.status_code == 200 else None  # type: ignore[no-any-return]

    async def wait_ready(self, timeout: float = 60) -> None:
        async def ready() -> bool:
            if not self.running:
                raise AssertionError(f"{self.name} exited ({self.proc and self.proc.returncode}):\n{self.tail()}")
            return await self.ready_body() is not None

        await eventually(ready, timeout=timeout, interval=0.2)

    def kill9(self) -> None:
        assert self.proc is not None and self.running
        self.proc.send_signal(signal.SIGKILL)

    async def wait_exit(self, timeout: float = 30) -> int:
        assert self.proc is not None
        return await asyncio.wait_for(self.proc.wait(), timeout=deadline(timeout))

    async def terminate(self, timeout: float = 30) -> int:
        assert self.proc is not None
        if self.running:
            self.proc.send_signal(signal.SIGTERM)
        return await self.wait_exit(timeout)

    def log_lines(self) -> list[dict[str, Any]]:
        lines = []
        for line in self.log_path.read_text(errors="replace").splitlines():
            with contextlib.suppress(ValueError):
                lines.append(json.loads(line))
        return lines

    def tail(self, n: int = 30) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])

    async def close(self) -> None:
        if self.running:
            assert self.proc is not None
            self.proc.send_signal(signal.SIGKILL)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.proc.wait(), timeout=deadline(10))
        await self.http.aclose()
        release_ports(self.port)


class Stack:
    """One test's services: own topic prefix and databases on the private infrastructure."""

    def __init__(self, infra: PrivateInfra, *, run: str, log_dir: Path) -> None:
        self.infra = infra
        self.prefix = f"f{run}."
        self.db_prefix = f"avainfault_{run}_"
        self.keys_database = f"avainfault_{run}_keys"
        self.log_dir = log_dir
        self.processes: list[ServiceProcess] = []
        self._pools: dict[str, asyncpg.Pool] = {}
        self._producer: Any = None

    def topic(self, service: str, kind: str = "events") -> str:
        return topic_name(self.prefix, service, kind)

    def process(self, service: str, *, module: str | None = None, extra_env: dict[str, str] | None = None,
                label: str | None = None) -> ServiceProcess:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AVAIN_")} | {
            "PYTHONPATH": str(ROOT), "AVAIN_ENV": "test", "AVAIN_HTTP_PORT": str(free_port()),
            "AVAIN_TOPIC_PREFIX": self.prefix, "AVAIN_DATABASE_PREFIX": self.db_prefix,
            "AVAIN_KEYS_DATABASE": self.keys_database, "AVAIN_KAFKA_BOOTSTRAP": self.infra.bootstrap,
            "AVAIN_PG_DSN": self.infra.pg_dsn, "AVAIN_LOG_LEVEL": "INFO", **(extra_env or {})}
        label = label or service
        proc = ServiceProcess(label, module or f"services.{service}", env, self.log_dir / f"{label}.log")
        self.processes.append(proc)
        return proc

    async def start(self, service: str, **kw: Any) -> ServiceProcess:
        return await self.process(service, **kw).start()

    async def pool(self, service: str) -> asyncpg.Pool:
        name = self.keys_database if service == "keys" else f"{self.db_prefix}{service}"
        if name not in self._pools:
            pool = await asyncpg.create_pool(self.infra.pg_dsn, database=name, min_size=1, max_size=4)
            assert pool is not None
            self._pools[name] = pool
        return self._pools[name]

    async def value(self, service: str, query: str, *args: Any) -> Any:
        """One value from a service's database; None while the database is away (it may be restarting)."""
        try:
            return await (await self.pool(service)).fetchval(query, *args)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            return None

    async def count(self, service: str, query: str, *args: Any) -> int:
        return int(await self.value(service, query, *args) or 0)

    # --- intake stand-in: the events intake would publish, straight onto its topic -------------------------------

    async def intake_producer(self) -> Any:
        if self._producer is None:
            self._producer = make_producer(self.infra.bootstrap, client_id="fault-intake-stand-in")
            await self._producer.start()
        return self._producer

    async def publish_intake(self, client_id: UUID, version: int, event: DomainEvent) -> EventEnvelope:
        envelope = EventEnvelope(
            id=uuid4(), source=intake_events.SOURCE, type=event.event_type, schema_version=event.schema_version,
            time=datetime.now(UTC), subject=str(client_id), stream_id=f"client-{client_id}", stream_version=version,
            correlation_id=str(uuid4()), actor=Actor(id=WORKER, role="worker"), data=event.model_dump(mode="json"),
        ).sealed()
        producer = await self.intake_producer()
        await producer.send_and_wait(self.topic("intake"), value=envelope.kafka_value(), key=envelope.kafka_key(),
                                     headers=envelope.kafka_headers())
        return envelope

    async def register_keys(self, clients: Iterable[UUID]) -> None:
        """What intake's registration leaves in the key vault: budgeting seals the client's texts with it."""
        keyring = Keyring(await self.pool("keys"), decode_master_key(DEV_MASTER_KEY))
        for client_id in clients:
            await keyring.create(str(client_id))

    async def close(self) -> None:
        for proc in self.processes:
            await proc.close()
        if self._producer is not None:
            await self._producer.stop()
        for pool in self._pools.values():
            pool.terminate()


def intake_completed(client_id: UUID, coordinator: str = WORKER) -> intake_events.IntakeCompleted:
    return intake_events.IntakeCompleted.model_validate({
        "client_id": str(client_id), "coordinator_id": coordinator, "service_task": "families_with_children",
        "municipality": "Tampere", "preferred_language": "fi", "baseline_scores": SCORES})


async def paced(items: Sequence[Any], per_second: float, send: Callable[[Any], Awaitable[Any]]) -> None:
    """Send ``items`` at a steady rate (a load generator's rate limit, not a wait for a condition)."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    for i, item in enumerate(items):
        delay = start + i / per_second - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        await send(item)


async def bounded(concurrency: int, jobs: Iterable[Callable[[], Awaitable[Any]]]) -> list[Any]:
    semaphore = asyncio.Semaphore(concurrency)

    async def one(job: Callable[[], Awaitable[Any]]) -> Any:
        async with semaphore:
            return await job()

    return await asyncio.gather(*(one(job) for job in jobs))


async def read_records(bootstrap: str, topic: str, *, timeout: float = 30) -> list[Any]:
    """Every record of ``topic`` up to its current end (read_committed), as the broker has it."""
    from shared.infra.kafka import make_consumer

    consumer = make_consumer(bootstrap, client_id="fault-reader")
    await consumer.start()
    try:
        partitions = await partitions_of(consumer, topic)
        await from_the_start(consumer, partitions)
        ends = await consumer.end_offsets(partitions)
        records: list[Any] = []
        loop = asyncio.get_running_loop()
        give_up = loop.time() + deadline(timeout)
        while behind := [tp for tp in partitions if await consumer.position(tp) < ends[tp]]:
            assert loop.time() < give_up, f"could not read {topic} to its end"
            for tp, recs in (await consumer.getmany(*behind, timeout_ms=300)).items():
                records.extend(r for r in recs if r.offset < ends[tp])
        return records
    finally:
        await consumer.stop()


def header(record: Any, name: str) -> str | None:
    value = dict(record.headers or ()).get(name)
    return value.decode() if value is not None else None
