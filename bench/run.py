"""Avain's benchmarks, each against a raw baseline in the same run (``./avain bench``; not part of the tests).

1. append: commands/s through intake's HTTP API into the event store + outbox, against raw asyncpg inserts of the
   same rows (an events row and an outbox row per transaction) at the same concurrency.
2. end to end: a steady rate of commands (200/s), latency from the command sent until the case history shows
   its event (the commit of the history's transaction, from PostgreSQL's commit timestamps), with each
   process's RSS; budgeting reacts to the same events on the way.
3. replay: consuming an events topic from the start: raw aiokafka, aiokafka + envelope parsing, Kafka's own
   ConsumerPerformance, and the case history's replay (HISTORY REPLAY HOOK below; "n/a" until it exists).
   Filling the topic measures the outbox relay's publish rate as well.
4. audit: the audit replay's command line over the replay topic in a process of its own (streaming, verifying every
   record): its rate and peak RSS, which must not grow with the log (``--parts audit`` alone measures just this).
5. growth: all of the above at 10k and 100k events (1M with --full).

Everything runs on a private broker and database on free loopback ports (fsync on), removed at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import asyncpg
from aiokafka import TopicPartition

from bench.httpload import Connection, Job, closed_loop, open_loop, percentile
from bench.infra import ROOT, Infra, free_port, rss_mb
from shared.infra.auth import TokenIssuer
from shared.infra.db import KERNEL_MIGRATIONS, create_pool, ensure_database, migrate
from shared.infra.kafka import make_consumer, make_producer, topic_name
from shared.infra.outbox import OutboxRelay
from shared.infra.settings import DEV_SECRET
from shared.infra.topics import ensure_topics
from shared.kernel.envelope import Actor, EventEnvelope

PREFIX, DB_PREFIX = "bench.", "avainbench_"
WORKER = "worker-aino"
CLIENTS = 300
LANES = 32
APPEND_COMMANDS = 3000
E2E_RATE, E2E_LOW_RATE, E2E_SECONDS = 200, 50, 10
REPLAY_TOPIC = f"{PREFIX}replay.avain.intake.events.v1"
EVENT_COLUMNS = ["stream_id", "stream_version", "event_id", "event_type", "schema_version", "source", "subject",
                 "occurred_at", "correlation_id", "causation_id", "actor_id", "actor_role", "data", "prev_hash", "hash"]
# About the size of intake's events: a self-assessment with sealed words is ~600 bytes of JSON.
def sample_data(client_id: str) -> dict[str, Any]:
    return {"client_id": client_id, "assessment_id": str(uuid4()),
            "scores": {"general_ability": 5, "mental_wellbeing": 4, "social_participation": 3,
                       "physical_functioning": 7, "competence": 6, "everyday_life": 4},
            "own_words": {"alg": "A256GCM", "kid": "k1", "nonce": "x" * 16, "ct": "y" * 120},
            "wishes": {"alg": "A256GCM", "kid": "k1", "nonce": "x" * 16, "ct": "y" * 120},
            "filled_in_by": "worker_with_client"}


def machine() -> dict[str, Any]:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
               if line.startswith("MemTotal"))
    return {"nproc": os.cpu_count(), "ram_gib": round(mem / 1024 / 1024, 1), "cpu": cpu,
            "python": platform.python_version(), "kernel": platform.release()}


def say(text: str) -> None:
    print(text, flush=True)


# --- rows as the event store writes them ----------------------------------------------------------------------------

def event_rows(count: int, per_stream: int = 10) -> list[tuple[Any, ...]]:
    """Real envelopes (hash-chained per stream, one client per stream) as the event store's rows."""
    now = datetime.now(UTC)
    rows = []
    prev: str | None = None
    client = ""
    for i in range(count):
        if i % per_stream == 0:
            client, prev = str(uuid4()), None
        e = EventEnvelope(id=uuid4(), source="/avain/intake", type="fi.avain.intake.SelfAssessmentRecorded",
                          schema_version=1, time=now, subject=client, stream_id=f"client-{client}",
                          stream_version=i % per_stream + 1, correlation_id=str(uuid4()),
                          actor=Actor(id=WORKER, role="worker"), data=sample_data(client), prev_hash=prev).sealed()
        prev = e.hash
        rows.append((e.stream_id, e.stream_version, e.id, e.type, e.schema_version, e.source, e.subject, e.time,
                     e.correlation_id, e.causation_id, e.actor.id, e.actor.role, json.dumps(e.data), e.prev_hash,
                     e.hash))
    return rows


async def fill(pool: asyncpg.Pool, count: int, *, topic: str, published: bool) -> None:
    """``count`` more events (and their outbox rows) by COPY: history for the store to be measured at."""
    for start in range(0, count, 50_000):
        rows = event_rows(min(50_000, count - start))
        async with pool.acquire() as conn, conn.transaction():
            await conn.copy_records_to_table("events", records=rows, columns=EVENT_COLUMNS)
            outbox = [(r[2], topic, datetime.now(UTC) if published else None) for r in rows]
            await conn.copy_records_to_table("outbox", records=outbox, columns=["event_id", "topic", "published_at"])


# --- the services ---------------------------------------------------------------------------------------------------

@dataclass
class Services:
    infra: Infra
    intake_port: int
    budgeting_port: int
    history_port: int
    workers: dict[str, str]
    intake: asyncio.subprocess.Process
    budgeting: asyncio.subprocess.Process
    history: asyncio.subprocess.Process
    intake_pool: asyncpg.Pool
    budgeting_pool: asyncpg.Pool
    history_pool: asyncpg.Pool
    worker: dict[str, str]
    faked: int = 0  # events COPYed into intake's store as history to measure at: never on Kafka
    injected: int = 0  # intake events put on Kafka by the consumer benchmark: in no store
    clients: list[str] = field(default_factory=list)
    consent: dict[str, bool] = field(default_factory=dict)  # True while given
    locks: dict[str, asyncio.Lock] = field(default_factory=dict)
    drain_rates: list[float] = field(default_factory=list)

    def toggle(self, client: str) -> Job:
        """A consent command that is always valid: withdraw when given, give when withdrawn."""
        give = not self.consent[client]
        self.consent[client] = give

        async def job(conn: Connection) -> bool:
            # One command at a time per client, in the order they were made (a lock's waiters queue in order).
            async with self.locks.setdefault(client, asyncio.Lock()):
                path = f"/clients/{client}/consent" + ("" if give else "/withdrawal")
                status, body = await conn.request("POST", path, headers=self.worker,
                                                  body={"given_by": "client"} if give else {})
            if status != 200 or not body["events"]:
                return False
            job.event_id = body["events"][0]["id"]  # type: ignore[attr-defined]
            return True

        return job


async def start_services(infra: Infra, consumer_workers: int = 1) -> Services:
    intake_port, budgeting_port, history_port = free_port(), free_port(), free_port()
    workers = {"AVAIN_CONSUMER_WORKERS": str(consumer_workers)}
    intake, budgeting, history = await asyncio.gather(
        infra.service("intake", prefix=PREFIX, db_prefix=DB_PREFIX, port=intake_port),
        infra.service("budgeting", prefix=PREFIX, db_prefix=DB_PREFIX, port=budgeting_port, extra_env=workers),
        infra.service("history", prefix=PREFIX, db_prefix=DB_PREFIX, port=history_port, extra_env=workers))
    token = TokenIssuer(DEV_SECRET).issue(WORKER, "worker")
    return Services(infra, intake_port, budgeting_port, history_port, workers, intake, budgeting, history,
                    await create_pool(infra.pg_dsn, f"{DB_PREFIX}intake"),
                    await create_pool(infra.pg_dsn, f"{DB_PREFIX}budgeting"),
                    await create_pool(infra.pg_dsn, f"{DB_PREFIX}history"),
                    {"Authorization": f"Bearer {token}"})


async def stop_consumers(s: Services) -> None:
    """Budgeting and the history stop (gracefully, leaving their consumer groups) while intake's append is
    measured: it runs alone, as the raw baseline does; they catch up once started again. (A SIGSTOP pause
    instead can outlast their group sessions, and a member evicted mid-pause rejoins only later.)"""
    for proc in (s.budgeting, s.history):
        proc.send_signal(signal.SIGTERM)
    await asyncio.gather(s.budgeting.wait(), s.history.wait())


async def start_consumers(s: Services) -> None:
    s.budgeting, s.history = await asyncio.gather(
        s.infra.service("budgeting", prefix=PREFIX, db_prefix=DB_PREFIX, port=s.budgeting_port, extra_env=s.workers),
        s.infra.service("history", prefix=PREFIX, db_prefix=DB_PREFIX, port=s.history_port, extra_env=s.workers))


async def walk_clients(s: Services, count: int) -> None:
    """Clients through intake to completion (budgeting opens their budgets)."""
    scores = {"general_ability": 5, "mental_wellbeing": 4, "social_participation": 3, "physical_functioning": 7,
              "competence": 6, "everyday_life": 4}

    def walker(n: int) -> Job:
        async def job(conn: Connection) -> bool:
            from shared.kernel.identifiers import make_hetu

            hetu = make_hetu(datetime(1960, 1, 1).date().replace(year=1960 + n % 40, day=1 + n % 28), 2 + n // 40)
            status, body = await conn.request("POST", "/clients", headers=s.worker, body={
                "hetu": hetu, "first_name": "Testi", "last_name": "Henkilö", "municipality": "Pori",
                "preferred_language": "fi"})
            assert status == 201, body
            cid = body["client_id"]
            steps = [("POST", f"/clients/{cid}/consent", {"given_by": "client"}),
                     ("PUT", f"/clients/{cid}/coordinator", {"worker_id": WORKER}),
                     ("POST", f"/clients/{cid}/self-assessments", {"scores": scores, "own_words": "Arki on raskasta"}),
                     ("POST", f"/clients/{cid}/needs-assessment", {"service_task": "working_age_adults",
                                                                   "support_needs": ["everyday_life"],
                                                                   "summary": "Tarvitsee apua arkeen"}),
                     ("POST", f"/clients/{cid}/completion", None)]
            for method, path, body_ in steps:
                status, answer = await conn.request(method, path, headers=s.worker, body=body_)
                assert status == 200, (path, answer)
            s.clients.append(cid)
            s.consent[cid] = True
            return True

        return job

    lanes = [[walker(n) for n in range(lane, count, 16)] for lane in range(16)]
    await closed_loop(s.intake_port, lanes)
    await wait_for(lambda: s.budgeting_pool.fetchval("SELECT count(*) >= $1 FROM budgets", count), 120)


async def wait_for(check: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise TimeoutError("benchmark setup did not settle")
        await asyncio.sleep(0.2)


# --- 1. append ------------------------------------------------------------------------------------------------------

async def bench_append(s: Services, raw_pool: asyncpg.Pool, commands: int) -> dict[str, Any]:
    """Twice each, alternating (HTTP, raw, HTTP, raw), the better run of each counted: PostgreSQL's fsyncs
    and checkpoints make single runs of either vary by a third here."""
    per_lane = [[s.clients[i] for i in range(lane, len(s.clients), LANES)] for lane in range(LANES)]
    insert_event = (f"INSERT INTO events ({', '.join(EVENT_COLUMNS)}) VALUES "
                    f"({', '.join(f'${i}' for i in range(1, len(EVENT_COLUMNS) + 1))})")

    async def raw(count: int) -> float:
        queue = event_rows(count, per_stream=1)

        async def raw_lane() -> None:
            while queue:
                row = queue.pop()
                async with raw_pool.acquire() as conn, conn.transaction():
                    await conn.execute(insert_event, *row)
                    await conn.execute("INSERT INTO outbox (event_id, topic) VALUES ($1, $2)", row[2], REPLAY_TOPIC)

        start = time.perf_counter()
        await asyncio.gather(*(raw_lane() for _ in range(LANES)))
        return count / (time.perf_counter() - start)

    await raw_pool.execute("CHECKPOINT")
    await stop_consumers(s)
    try:
        runs = []
        for _ in range(2):
            # Each lane owns its clients, so one client's commands never race each other (and always alternate).
            lanes = [[s.toggle(clients[i % len(clients)]) for i in range(commands // LANES)] for clients in per_lane]
            http = await closed_loop(s.intake_port, lanes)
            runs.append((http, await raw(commands)))
    finally:
        await start_consumers(s)
    http = max((h for h, _ in runs), key=lambda h: h.rate)
    raw_rate = max(r for _, r in runs)
    return {"http_per_s": http.rate, "http_errors": sum(h.errors for h, _ in runs),
            "http_p50_ms": percentile(http.latencies, 50) * 1e3, "http_p99_ms": percentile(http.latencies, 99) * 1e3,
            "raw_per_s": raw_rate, "ratio": http.rate / raw_rate, "commands": len(http.latencies),
            "runs": [{"http_per_s": h.rate, "raw_per_s": r} for h, r in runs]}


# --- 2. end to end --------------------------------------------------------------------------------------------------

async def caught_up(s: Services) -> None:
    """Budgeting has applied every intake event it consumes (the append run leaves it a backlog)."""
    consumed = ["fi.avain.intake.IntakeCompleted", "fi.avain.intake.ConsentWithdrawn", "fi.avain.intake.ConsentGiven",
                "fi.avain.intake.CoordinatorAssigned"]

    async def backlog() -> int:
        produced = await s.intake_pool.fetchval("SELECT count(*) FROM events WHERE event_type = ANY($1::text[])",
                                                consumed)
        return int(produced + s.injected - await s.budgeting_pool.fetchval("SELECT count(*) FROM inbox"))

    async def history_backlog() -> int:
        on_kafka = await s.intake_pool.fetchval("SELECT count(*) FROM events") - s.faked + s.injected
        on_kafka += await s.budgeting_pool.fetchval("SELECT count(*) FROM events")
        return int(on_kafka - await s.history_pool.fetchval("SELECT count(*) FROM inbox"))

    before, start = await backlog(), time.perf_counter()
    await wait_for(lambda: _zero(backlog()), 600)
    if before >= 200:  # how fast budgeting's consumer works off a backlog: its capacity
        s.drain_rates.append(before / (time.perf_counter() - start))
    await wait_for(lambda: _zero(history_backlog()), 600)


async def _zero(value: Any) -> bool:
    return bool(await value <= 0)


async def bench_e2e(s: Services, rate: int, seconds: int) -> dict[str, Any]:
    await caught_up(s)
    # Start from a quiet database: the checkpoint after filling it with history would land in the run.
    await s.intake_pool.execute("CHECKPOINT")
    clients = list(s.clients)
    jobs: list[Job] = []
    sent: dict[int, float] = {}
    wall: list[Job] = []
    for i in range(rate * seconds):
        job = s.toggle(clients[i % len(clients)])

        async def timed(conn: Connection, job: Job = job, i: int = i) -> bool:
            sent[i] = time.time()
            return await job(conn)

        jobs.append(timed)
        wall.append(job)
    peaks: dict[str, float] = {}
    pids = {"intake": s.intake.pid, "budgeting": s.budgeting.pid, "history": s.history.pid,
            "kafka": s.infra.pid_of_kafka()}
    done = asyncio.Event()

    async def sample() -> None:
        while not done.is_set():
            for name, pid in pids.items():
                if pid:
                    peaks[name] = max(peaks.get(name, 0.0), rss_mb(pid))
            await asyncio.sleep(0.25)

    sampler = asyncio.create_task(sample())
    run = await open_loop(s.intake_port, jobs, rate, connections=64)
    ids = {getattr(job, "event_id", None): i for i, job in enumerate(wall)}
    ids.pop(None, None)
    wanted = [UUID(x) for x in ids]
    await wait_for(lambda: s.history_pool.fetchval("SELECT count(*) = $2 FROM timeline WHERE event_id = ANY($1::uuid[])",
                                                   wanted, len(wanted)), 120)
    await wait_for(lambda: s.budgeting_pool.fetchval("SELECT count(*) = $2 FROM inbox WHERE event_id = ANY($1::uuid[])",
                                                     wanted, len(wanted)), 120)
    done.set()
    await sampler
    # When each row became visible: the commit of the consumer's transaction (track_commit_timestamp is on).
    shown = "SELECT event_id, extract(epoch FROM pg_xact_commit_timestamp(xmin)) AS at FROM {} WHERE event_id = ANY($1::uuid[])"
    history_rows = await s.history_pool.fetch(shown.format("timeline"), wanted)
    budgeting_rows = await s.budgeting_pool.fetch(shown.format("inbox"), wanted)
    latencies = [float(r["at"]) - sent[ids[str(r["event_id"])]] for r in history_rows]
    reacted = [float(r["at"]) - sent[ids[str(r["event_id"])]] for r in budgeting_rows]
    return {"rate": run.rate, "errors": run.errors, "accepted_p50_ms": percentile(run.latencies, 50) * 1e3,
            "accepted_p99_ms": percentile(run.latencies, 99) * 1e3,
            **{f"e2e_p{p}_ms": percentile(latencies, p) * 1e3 for p in (50, 95, 99)},
            "e2e_max_ms": max(latencies) * 1e3,
            **{f"budgeting_p{p}_ms": percentile(reacted, p) * 1e3 for p in (50, 99)},
            "rss_mb": {k: round(v, 1) for k, v in peaks.items()}}


async def bench_consumer(s: Services, count: int = 3000) -> float:
    """Budgeting's consumer at full tilt: ``count`` consent events put on intake's topic at once (as intake's relay
    would), timed until budgeting applied them all. Events/s that one group member (one partition at a time)
    applies: the figure for sizing partitions."""
    from contracts import intake as intake_events

    producer = make_producer(s.infra.bootstrap, client_id="bench-consumer-load")
    await producer.start()
    before = await s.budgeting_pool.fetchval("SELECT count(*) FROM inbox")
    try:
        start = time.perf_counter()
        futures = []
        for i in range(count):
            client = s.clients[i % len(s.clients)]
            withdraw = (i // len(s.clients)) % 2 == 0
            event: Any = (intake_events.ConsentWithdrawn(client_id=UUID(client)) if withdraw
                          else intake_events.ConsentGiven(client_id=UUID(client), given_by="client"))
            e = EventEnvelope(id=uuid4(), source="/avain/intake", type=event.event_type, schema_version=1,
                              time=datetime.now(UTC), subject=client, stream_id=f"client-{client}",
                              stream_version=1000 + i, correlation_id=str(uuid4()), actor=Actor(id=WORKER, role="worker"),
                              data=event.model_dump(mode="json")).sealed()
            futures.append(await producer.send(topic_name(PREFIX, "intake"), value=e.kafka_value(), key=e.kafka_key(),
                                               headers=e.kafka_headers()))
        await asyncio.gather(*futures)
        s.injected += count
        await wait_for(lambda: s.budgeting_pool.fetchval("SELECT count(*) >= $1 FROM inbox", before + count), 600)
        return count / (time.perf_counter() - start)
    finally:
        await producer.stop()


# --- 3. replay ------------------------------------------------------------------------------------------------------

async def publish_replay_topic(infra: Infra, pool: asyncpg.Pool, more: int, offset: int) -> float:
    """``more`` events into the replay topic through the outbox relay (the kernel's own code); its rate."""
    await fill(pool, more, topic=REPLAY_TOPIC, published=False)
    producer = make_producer(infra.bootstrap, client_id="bench-relay")
    await producer.start()
    try:
        start = time.perf_counter()
        published = await OutboxRelay(pool, producer).publish_pending()
        return published / (time.perf_counter() - start)
    finally:
        await producer.stop()


async def replay_aiokafka(infra: Infra, expected: int, *, parse: bool) -> float:
    consumer = make_consumer(infra.bootstrap, client_id="bench-replay", max_partition_fetch_bytes=4 * 1024 * 1024,
                             fetch_max_bytes=64 * 1024 * 1024)
    await consumer.start()
    try:
        await consumer._client.force_metadata_update()  # not subscribed: ask for the topic's partitions
        partitions = [TopicPartition(REPLAY_TOPIC, p) for p in sorted(consumer.partitions_for_topic(REPLAY_TOPIC) or ())]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        count = 0
        start = time.perf_counter()
        deadline = start + 600
        while count < expected and time.perf_counter() < deadline:
            batch = await consumer.getmany(timeout_ms=1000, max_records=10_000)
            for records in batch.values():
                count += len(records)
                if parse:
                    for r in records:
                        EventEnvelope.from_kafka(r.headers, r.value)
        return count / (time.perf_counter() - start)
    finally:
        await consumer.stop()


async def replay_kafka_tool(infra: Infra, expected: int) -> dict[str, float] | None:
    tools = ROOT / "bench" / "kafka-tools.sh"
    proc = await asyncio.create_subprocess_exec(str(tools), "classpath", stdout=asyncio.subprocess.PIPE)
    classpath = (await proc.communicate())[0].decode().strip()
    if proc.returncode != 0:
        return None
    proc = await asyncio.create_subprocess_exec(
        "java", "-Xmx512m", "-cp", classpath, "org.apache.kafka.tools.ConsumerPerformance",
        "--bootstrap-server", infra.bootstrap, "--topic", REPLAY_TOPIC, "--messages", str(expected),
        "--group", f"bench-perf-{uuid4().hex[:8]}", "--timeout", "120000",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out = (await asyncio.wait_for(proc.communicate(), timeout=300))[0].decode()
    lines = [line for line in out.splitlines() if "," in line]
    header = next((line for line in lines if "nMsg.sec" in line), None)
    if header is None or lines.index(header) + 1 >= len(lines):
        print(out[-2000:])
        return None
    values = lines[lines.index(header) + 1]
    row = dict(zip([h.strip() for h in header.split(",")], [v.strip() for v in values.split(",")], strict=False))
    return {"nmsg_per_s": float(row["nMsg.sec"]), "fetch_nmsg_per_s": float(row["fetch.nMsg.sec"]),
            "consumed": float(row["data.consumed.in.nMsg"])}


async def replay_history(infra: Infra, expected: int) -> dict[str, Any] | None:
    # ---- HISTORY REPLAY HOOK --------------------------------------------------------------------------------------
    # The case-history service rebuilds every client's timeline from the topics (services/history/replay.py).
    # Preferred hook, if the history service offers it:
    #     async def replay_rate(bootstrap: str, topics: list[str], events: int) -> float   # events per second
    # otherwise its audit replay is timed as it runs: read_log (every record from the start) + rebuild (envelopes,
    # hash chains, clients) + view (each client's state and timeline). Without services/history: "n/a".
    if importlib.util.find_spec("services.history") is None or \
            importlib.util.find_spec("services.history.replay") is None:
        return None
    module = importlib.import_module("services.history.replay")
    hook = getattr(module, "replay_rate", None)
    if hook is not None:
        return {"per_s": float(await hook(infra.bootstrap, [REPLAY_TOPIC], expected)), "how": "replay_rate"}
    if not all(hasattr(module, name) for name in ("read_log", "rebuild", "view")):
        return None
    from shared.infra.settings import ServiceSettings

    # The replay topic is <prefix>avain.intake.events.v1 with prefix "bench.replay.": the history reads it as intake's.
    settings = ServiceSettings(kafka_bootstrap=infra.bootstrap, topic_prefix=REPLAY_TOPIC.removesuffix(
        "avain.intake.events.v1"))
    start = time.perf_counter()
    records = await module.read_log(settings)
    read = time.perf_counter() - start
    replay = module.rebuild(records)
    rebuilt = time.perf_counter() - start
    module.views(replay, list(replay.by_client), None)
    seconds = time.perf_counter() - start
    return {"per_s": len(records) / seconds, "read_per_s": len(records) / read,
            "rebuild_per_s": len(records) / rebuilt, "records": len(records), "clients": len(replay.by_client),
            "broken_links": len(replay.broken), "how": "read_log + rebuild (hash chains, clients) + views"}


def replay_cli(infra: Infra, expected: int) -> dict[str, Any]:
    """The audit replay as an auditor runs it (``python -m services.history.replay``: streams every record, verifies
    hashes, chains and checkpoints), in a process of its own: peak RSS (the kernel's maximum resident set of that
    process, from wait4), time, rate, exit status and its last progress line."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AVAIN_")} | {
        "PYTHONPATH": str(ROOT), "AVAIN_KAFKA_BOOTSTRAP": infra.bootstrap,
        "AVAIN_TOPIC_PREFIX": REPLAY_TOPIC.removesuffix("avain.intake.events.v1")}
    out, err = (infra.data_dir / "replay-cli.out").open("w+"), (infra.data_dir / "replay-cli.err").open("w+")
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "services.history.replay", "--quiet"], cwd=ROOT, env=env,
                            stdout=out, stderr=err)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - start
    out.seek(0)
    err.seek(0)
    summary = out.read().splitlines()
    progress = [line for line in err.read().splitlines() if line.startswith("replay:")]
    return {"peak_rss_mb": usage.ru_maxrss / 1024, "seconds": seconds, "per_s": expected / seconds,
            "exit": proc.returncode, "summary": summary[:3], "progress_lines": len(progress),
            "last_progress": progress[-1] if progress else None}


# --- the run --------------------------------------------------------------------------------------------------------

def fmt(x: float | None, unit: str = "") -> str:
    return "n/a" if x is None else f"{x:,.0f}{unit}" if x >= 100 else f"{x:,.1f}{unit}"


PARTS = ("append", "e2e", "replay", "audit")


async def main(scales: Sequence[int], consumer_workers: int = 1, parts: Sequence[str] = PARTS) -> dict[str, Any]:
    results: dict[str, Any] = {"machine": machine(), "started": datetime.now(UTC).isoformat(), "scales": {}}
    say(f"machine: {results['machine']}")
    infra = Infra()
    say(f"starting a private PostgreSQL (:{infra.pg_port}, fsync on) and Kafka (:{infra.kafka_port}) in {infra.data_dir}")
    await infra.start()
    try:
        await ensure_topics(infra.bootstrap, {REPLAY_TOPIC: 3})
        for name in ("raw", "replay"):
            await ensure_database(infra.pg_dsn, f"{DB_PREFIX}{name}")
        raw_pool = await create_pool(infra.pg_dsn, f"{DB_PREFIX}raw", max_size=10)
        replay_pool = await create_pool(infra.pg_dsn, f"{DB_PREFIX}replay")
        await migrate(raw_pool, [KERNEL_MIGRATIONS])
        await migrate(replay_pool, [KERNEL_MIGRATIONS])
        s = await start_services(infra, consumer_workers)
        results["consumer_workers"] = consumer_workers
        say(f"walking {CLIENTS} clients through intake (budgeting opens their budgets)")
        await walk_clients(s, CLIENTS)
        intake_topic = topic_name(PREFIX, "intake")
        filled = 0
        for scale in scales:
            say(f"\n== {scale:,} events ==")
            more = scale - filled
            if set(parts) - {"audit"}:  # the history's and the raw baselines' rows; the audit replay reads Kafka only
                await fill(s.intake_pool, more, topic=intake_topic, published=True)
                s.faked += more
                await fill(raw_pool, more, topic=REPLAY_TOPIC, published=True)
            relay_rate = await publish_replay_topic(infra, replay_pool, more, scale)
            filled = scale
            say(f"  outbox relay published {more:,} events at {fmt(relay_rate)}/s")
            append: dict[str, Any] = {}
            if "append" in parts:
                append = await bench_append(s, raw_pool, APPEND_COMMANDS)
                say(f"  append: HTTP {fmt(append['http_per_s'])}/s (p50 {fmt(append['http_p50_ms'])} ms, p99 "
                    f"{fmt(append['http_p99_ms'])} ms, {append['http_errors']} errors) vs raw asyncpg "
                    f"{fmt(append['raw_per_s'])}/s -> ratio {append['ratio']:.2f} (target >= 0.5)")
            e2e: dict[str, Any] = {}
            for rate in (E2E_LOW_RATE, E2E_RATE) if "e2e" in parts else ():
                e2e[str(rate)] = r = await bench_e2e(s, rate, E2E_SECONDS)
                say(f"  end to end at {fmt(r['rate'])}/s (asked {rate}/s): p50 {fmt(r['e2e_p50_ms'])} ms, p95 "
                    f"{fmt(r['e2e_p95_ms'])} ms, p99 {fmt(r['e2e_p99_ms'])} ms (target < 100 ms at 200/s); budgeting "
                    f"reacted p50 {fmt(r['budgeting_p50_ms'])} ms, p99 {fmt(r['budgeting_p99_ms'])} ms; accepted "
                    f"p50 {fmt(r['accepted_p50_ms'])} ms, p99 {fmt(r['accepted_p99_ms'])} ms; RSS MB {r['rss_mb']} "
                    "(target < 150 per service)")
            if "e2e" in parts:
                await caught_up(s)
                consumer_rate = await bench_consumer(s)
                e2e["consumer_per_s"] = consumer_rate
                say(f"  budgeting's consumer ({consumer_workers} member(s) per topic) applied a burst of 3,000 intake"
                    f" events at {fmt(consumer_rate)}/s")
            audit: dict[str, Any] = {}
            if "audit" in parts:
                audit = await asyncio.to_thread(replay_cli, infra, scale)
                say(f"  audit replay (command line, streaming, verifying): {fmt(audit['per_s'])}/s, {audit['seconds']:.0f} s, "
                    f"peak RSS {audit['peak_rss_mb']:.0f} MB, exit {audit['exit']}, {audit['progress_lines']} progress "
                    f"lines (last: {audit['last_progress']})")
            if "replay" not in parts:
                results["scales"][str(scale)] = {"relay_per_s": relay_rate, "append": append, "e2e": e2e, "audit": audit}
                continue
            # Each consumer twice, alternating, the better run counted: the first read of a topic after the
            # append and end-to-end runs is slower for whoever goes first (broker and page cache still busy).
            raw = parsed = 0.0
            history: dict[str, Any] | None = None
            for _ in range(2):
                raw = max(raw, await replay_aiokafka(infra, scale, parse=False))
                parsed = max(parsed, await replay_aiokafka(infra, scale, parse=True))
                run = await replay_history(infra, scale)
                if run is not None and (history is None or run["per_s"] > history["per_s"]):
                    history = run
            tool = await replay_kafka_tool(infra, scale)
            history_rate: float | None = history["per_s"] if history else None
            say(f"  replay: raw aiokafka {fmt(raw)}/s, aiokafka + envelope parse {fmt(parsed)}/s "
                f"({parsed / raw:.2f}x), Kafka ConsumerPerformance "
                f"{fmt(tool['fetch_nmsg_per_s'] if tool else None)}/s (fetch) / "
                f"{fmt(tool['nmsg_per_s'] if tool else None)}/s (with join), case history {fmt(history_rate)}"
                + ("" if not history_rate else f"/s ({history_rate / raw:.2f}x, target >= 0.7; {history})"))
            results["scales"][str(scale)] = {"relay_per_s": relay_rate, "append": append, "e2e": e2e, "audit": audit,
                                             "replay": {"aiokafka_per_s": raw, "aiokafka_parse_per_s": parsed,
                                                        "consumer_perf": tool, "history_per_s": history,
                                                        "history_ratio": None if not history else history["per_s"] / raw}}
        await s.intake_pool.close()
        await s.budgeting_pool.close()
        await s.history_pool.close()
        await raw_pool.close()
        await replay_pool.close()
    finally:
        logs = ROOT / ".data" / "bench" / f"logs-{datetime.now(UTC):%Y%m%dT%H%M%S}"
        logs.mkdir(parents=True, exist_ok=True)
        for log in infra.data_dir.glob("*.log"):  # the services' own lines (warnings up), kept for a look later
            shutil.copy(log, logs / log.name)
        await infra.stop()
    return results


def cli() -> None:
    parser = argparse.ArgumentParser(prog="./avain bench", description="Avain's benchmarks against raw baselines")
    parser.add_argument("--full", action="store_true", help="also 1,000,000 events (slow on 2 cores)")
    parser.add_argument("--scales", default="10000,100000", help="comma-separated event counts")
    parser.add_argument("--consumer-workers", type=int, default=1, help="budgeting's AVAIN_CONSUMER_WORKERS")
    parser.add_argument("--parts", default=",".join(PARTS), help="which benchmarks (default: all)")
    parser.add_argument("--out", default=str(ROOT / ".data" / "bench"), help="where the JSON results go")
    args = parser.parse_args()
    scales = sorted({int(x) for x in args.scales.split(",")} | ({1_000_000} if args.full else set()))
    results = asyncio.run(main(scales, args.consumer_workers, args.parts.split(",")))
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"bench-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    path.write_text(json.dumps(results, indent=2, default=str))
    say(f"\nresults: {path}")


if __name__ == "__main__":
    cli()
