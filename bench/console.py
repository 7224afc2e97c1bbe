"""The console's pages at scale (``./avain bench --console``): the worker's caseload and a client's case page, the
manager's approvals queue and the auditor's case page, with 60,000 clients and more than a million events, p95
server time against a 300 ms budget.

How the data is made: the stack (every service, the console, the local identity provider) runs on a private
broker and database; the demo clients are walked through the real APIs (deploy/local/demo.py); then the demo
client's rows in every service's database (events with their hash chains, projections, the case history, the
access log) are cloned for the other clients, each with ids of its own, its own data key (its texts re-sealed
with it), a name of its own in the blind index, and a coordinating worker among ``--workers``. Nothing is
published: the clones are what the services would hold after a long time, not traffic.

What is measured: GET /caseload as worker-aino (who, like every worker, has clients / workers of them) and GET
/clients/{id} of her clients (issue 15); the manager's approvals queue, GET /approvals as manager-helmi, and the
auditor's case page, GET /audit/clients/{id}?purpose=audit&as_of=... as auditor-otso (issue 23: the purpose travels
in the address; the instant chosen lies halfway through the case's history, so both the case now and as it stood
then are read). One request at a time, from the console's own Server-Timing header (the time it took to answer,
calls to the services included) and from the client side. The raw baseline in the same run is the console's
GET /accessibility as the same worker (the same HTTP path, session, middleware, layout and template rendering,
but no call to any service): each page's p95 is also reported as a ratio to it.

The approvals queue: every ``--approval-every``-th clone has a budget revision above its worker's limit waiting
in the decisions service's queue (a row of its read model, as the approvals listener would have kept it); the
page reads the queue's first page, the budget of each matter's client and their names, as it does for real ones.
(The clones' budgets do not name these requests as the one they wait on, so the page lists them as already
answered: its reads are the real ones, its HTML is shorter than it would be.)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import signal
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from uuid import UUID, uuid4

import asyncpg
import httpx

from bench.httpload import percentile
from bench.infra import Infra
from deploy.local.stack import SERVICES, LocalStack
from services.console.session import SESSION_COOKIE, Sealer, Session
from services.console.settings import DEV_SESSION_KEY
from shared.infra.auth import TokenIssuer
from shared.infra.crypto import decode_master_key, open_with, seal_with
from shared.infra.settings import DEV_MASTER_KEY, DEV_SECRET
from shared.kernel.envelope import Actor, EventEnvelope
from shared.kernel.sealed import Sealed

UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
WORKER = "worker-aino"
MANAGER = "manager-helmi"
AUDITOR = "auditor-otso"
BUDGET = 300.0  # ms, p95 server time of each page
BATCH = 500


def say(text: str) -> None:
    print(text, flush=True)


class Cloner:
    """Copies one client's rows in every database as many new clients."""

    def __init__(self, pools: dict[str, asyncpg.Pool], keys: asyncpg.Pool, template: UUID, shared_ids: set[str]) -> None:
        self.pools, self.keys, self.template = pools, keys, str(template)
        self.shared_ids = shared_ids  # providers and offerings: the same for every client
        self.master = decode_master_key(DEV_MASTER_KEY)
        self.rows: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.plain: dict[tuple[str, str], str] = {}
        self.template_key: bytes | None = None

    async def load(self) -> None:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        wrapped = await self.keys.fetchval("SELECT wrapped_key FROM client_keys WHERE client_id = $1", self.template)
        self.template_key = AESGCM(self.master).decrypt(wrapped[:12], wrapped[12:], self.template.encode())
        for service, pool in self.pools.items():
            tables = [r["table_name"] for r in await pool.fetch(
                "SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'client_id'"
                " AND table_name NOT IN ('client_lookup', 'client_name_index', 'timers', 'inbox')")]
            for table in tables:
                self.rows[(service, table)] = [dict(r) for r in await pool.fetch(
                    f'SELECT * FROM "{table}" WHERE client_id = $1', UUID(self.template))]
            # Access events are the reads of the template itself: each clone is read on its own later.
            self.rows[(service, "events")] = [dict(r) for r in await pool.fetch(
                "SELECT * FROM events WHERE subject = $1 AND event_type <> 'fi.avain.access.DataAccessed'"
                " ORDER BY global_position", self.template)]

    def _reseal(self, value: Any, client_id: str, key: bytes) -> Any:
        if isinstance(value, dict):
            if set(value) == {"alg", "kid", "nonce", "ct"}:
                cache = (value["nonce"], value["ct"])
                if cache not in self.plain:
                    assert self.template_key is not None
                    self.plain[cache] = open_with(self.template_key, Sealed.model_validate({**value, "kid": self.template}))
                return seal_with(key, client_id, self.plain[cache]).model_dump()
            return {k: self._reseal(v, client_id, key) for k, v in value.items()}
        if isinstance(value, list):
            return [self._reseal(v, client_id, key) for v in value]
        return value

    def _map(self, text: str, ids: dict[str, str]) -> str:
        def swap(m: re.Match[str]) -> str:
            found = m.group(0)
            if found in self.shared_ids:
                return found
            if found not in ids:
                ids[found] = str(uuid4())
            return ids[found]
        return UUID_RE.sub(swap, text)

    def clone_row(self, row: dict[str, Any], ids: dict[str, str], client_id: str, key: bytes) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for column, value in row.items():
            if isinstance(value, UUID):
                out[column] = UUID(self._map(str(value), ids))
            elif isinstance(value, str) and (value.startswith("{") or value.startswith("[")):
                out[column] = json.dumps(self._reseal(json.loads(self._map(value, ids)), client_id, key))
            elif isinstance(value, str):
                out[column] = self._map(value, ids)
            else:
                out[column] = value
        return out

    def clone_events(self, rows: list[dict[str, Any]], ids: dict[str, str], client_id: str, key: bytes,
                     coordinator: str) -> list[dict[str, Any]]:
        """The client's events with new ids, re-sealed texts, the coordinator of this clone, and hash chains
        computed again (each stream's first event has no predecessor)."""
        heads: dict[str, str] = {}
        out = []
        for row in rows:
            c = self.clone_row({k: v for k, v in row.items() if k not in ("global_position", "recorded_at")}, ids,
                               client_id, key)
            data = json.loads(c["data"])
            for field in ("coordinator_id", "worker_id"):
                if data.get(field) == WORKER:
                    data[field] = coordinator
            envelope = EventEnvelope(
                id=c["event_id"], source=c["source"], type=c["event_type"], schema_version=c["schema_version"],
                time=c["occurred_at"], subject=c["subject"], stream_id=c["stream_id"], stream_version=c["stream_version"],
                correlation_id=c["correlation_id"], causation_id=c["causation_id"],
                actor=Actor(id=coordinator if c["actor_id"] == WORKER else c["actor_id"], role=c["actor_role"]),
                data=data, prev_hash=heads.get(c["stream_id"])).sealed()
            heads[c["stream_id"]] = envelope.hash
            c.update(data=json.dumps(envelope.data), prev_hash=envelope.prev_hash, hash=envelope.hash,
                     actor_id=envelope.actor.id)
            out.append(c)
        return out

    def new_key(self, client_id: str) -> tuple[bytes, bytes]:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        key, nonce = os.urandom(32), os.urandom(12)
        return key, nonce + AESGCM(self.master).encrypt(nonce, key, client_id.encode())

    async def clone(self, count: int, workers: list[str], name_hashes: Any, approval_every: int = 0) -> int:
        """``count`` clients; returns how many events they hold in all."""
        events = 0
        requested_at = datetime.now(UTC) - timedelta(days=1)
        for start in range(0, count, BATCH):
            batch: dict[tuple[str, str], list[dict[str, Any]]] = {}
            keys: list[tuple[str, bytes]] = []
            names: list[tuple[str, str]] = []
            for i in range(start, min(start + BATCH, count)):
                client_id = str(uuid4())
                ids = {self.template: client_id}
                key, wrapped = self.new_key(client_id)
                keys.append((client_id, wrapped))
                coordinator = workers[i % len(workers)]
                for (service, table), rows in self.rows.items():
                    if table == "events":
                        cloned = self.clone_events(rows, ids, client_id, key, coordinator)
                        events += len(cloned)
                    else:
                        cloned = [self.clone_row(r, ids, client_id, key) for r in rows]
                        for r in cloned:
                            if r.get("coordinator_id") == WORKER:
                                r["coordinator_id"] = coordinator
                        if table == "client_names":
                            first, last = f"Asiakas{i}", random.choice(["Virtanen", "Korhonen", "Nieminen", "Mäkinen",
                                                                          "Hämäläinen", "Laine", "Heikkinen", "Koskinen"])
                            names.append((client_id, f"{first} {last}"))
                            cloned = [{"client_id": UUID(client_id),
                                       "sealed_name": seal_with(key, client_id, f"{first} {last}").model_dump_json()}]
                    batch.setdefault((service, table), []).extend(cloned)
            await self.keys.copy_records_to_table("client_keys", records=[(c, w) for c, w in keys],
                                                  columns=["client_id", "wrapped_key"])
            for (service, table), rows in batch.items():
                if rows:
                    columns = list(rows[0])
                    await self.pools[service].copy_records_to_table(table, records=[tuple(r[c] for c in columns) for r in rows],
                                                                     columns=columns)
            if approval_every:
                waiting = [(uuid4(), "budgeting", "budget_revision", uuid4(), UUID(c), "091", 250_000 + i, 200_000,
                            workers[(start + i) % len(workers)], requested_at + timedelta(seconds=start + i), "pending",
                            uuid4()) for i, (c, _) in enumerate(keys) if (start + i) % approval_every == 0]
                await self.pools["decisions"].copy_records_to_table(
                    "approvals", records=waiting,
                    columns=["approval_id", "service", "kind", "matter_id", "client_id", "municipality", "amount_cents",
                             "limit_cents", "requested_by", "requested_at", "status", "event_id"])
            index = [(h, UUID(c)) for c, name in names for h in name_hashes(*name.split(" ", 1))]
            await self.pools["intake"].copy_records_to_table("client_name_index", records=index,
                                                             columns=["token_hash", "client_id"])
            if start % 10_000 == 0:
                say(f"  cloned {start + len(keys):,} clients, {events:,} events so far")
        return events


async def measure(console: str, cookie: str, paths: list[str], rounds: int) -> dict[str, Any]:
    """Server and client times of ``rounds`` requests; a refused page is counted and named (its heading says which
    refusal), not a reason to throw the whole run away: it fails the bench at the end."""
    server, client, failed = [], [], []
    async with httpx.AsyncClient(base_url=console, cookies={SESSION_COOKIE: cookie}, timeout=30) as http:
        for i in range(rounds):
            path = paths[i % len(paths)]
            t0 = time.perf_counter()
            r = await http.get(path)
            client.append(time.perf_counter() - t0)
            if r.status_code != 200:
                heading = re.search(r"<h1>(.*?)</h1>", r.text, re.S)
                failed.append(f"{r.status_code} {heading.group(1).strip() if heading else ''}")
                continue
            timing = re.search(r"dur=([0-9.]+)", r.headers.get("Server-Timing", ""))
            server.append(float(timing.group(1)) / 1000 if timing else client[-1])
    server = server or [float("inf")]
    return {"p50_ms": percentile(server, 50) * 1000, "p95_ms": percentile(server, 95) * 1000,
            "p99_ms": percentile(server, 99) * 1000, "client_p95_ms": percentile(client, 95) * 1000, "n": rounds,
            "failed": len(failed), "failures": sorted(set(failed))}


TICK = os.sysconf("SC_CLK_TCK")


def _cpu(pid: int, *, reaped: bool = False) -> float:
    """Seconds of CPU a process has used (with its exited children's when ``reaped``), 0 when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    used = int(fields[11]) + int(fields[12]) + (int(fields[13]) + int(fields[14]) if reaped else 0)
    return used / TICK


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return found


def cpu_used(stack: LocalStack, infra: Infra) -> dict[str, float]:
    """CPU seconds used so far by each process of the stack, PostgreSQL (the postmaster, its backends and those
    that ended) and Kafka: the work a page costs, which the shared machine's load does not change the way it
    changes the time to answer."""
    used = {name: _cpu(p.proc.pid) for name, p in stack.processes.items() if p.proc is not None}
    pidfile = infra.data_dir / f"postgres-{infra.pg_port}" / "pgdata" / "postmaster.pid"
    if pidfile.exists():
        postmaster = int(pidfile.read_text().split()[0])
        used["postgres"] = _cpu(postmaster, reaped=True) + sum(_cpu(c) for c in _children(postmaster))
    kafka = infra.pid_of_kafka()
    if kafka is not None:
        used["kafka"] = _cpu(kafka, reaped=True)
    return used


@asynccontextmanager
async def profiled(stack: LocalStack, folder: Path | None, page: str) -> AsyncIterator[None]:
    """py-spy (installed outside the project: `pip install py-spy`, or AVAIN_PY_SPY) on every Python process of
    the stack while ``page`` is measured: folded stacks per process, <folder>/<page>-<process>.txt."""
    if folder is None:
        yield
        return
    spy = os.environ.get("AVAIN_PY_SPY") or shutil.which("py-spy")
    if spy is None:
        raise SystemExit("--profile needs py-spy (pip install py-spy, or AVAIN_PY_SPY=/path/to/py-spy)")
    await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
    spies = []
    for name, process in stack.processes.items():
        if name != "oidc" and process.proc is not None:
            spies.append(await asyncio.create_subprocess_exec(
                spy, "record", "--format", "raw", "--rate", "200", "--nonblocking", "--pid", str(process.proc.pid),
                "--output", str(folder / f"{page}-{name}.txt"), stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.DEVNULL))
    await asyncio.sleep(1)  # attached
    try:
        yield
    finally:
        for spy_process in spies:
            spy_process.send_signal(signal.SIGINT)
        for spy_process in spies:
            await spy_process.wait()


async def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=60_000)
    parser.add_argument("--workers", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--approval-every", type=int, default=20,
                        help="every N-th clone has a budget revision waiting in the manager's approvals queue")
    parser.add_argument("--pages", nargs="*", default=None,
                        help="measure only these pages (caseload, case, approvals, audit); the baseline always")
    parser.add_argument("--profile", type=Path, default=None,
                        help="record py-spy profiles (folded stacks) of every process while measuring, into this folder")
    args = parser.parse_args(argv)
    from deploy.local import demo as demo_data
    from services.intake.application.directory import ClientDirectory

    infra = Infra()
    say(f"console bench: {args.clients:,} clients, {args.workers} workers; private infrastructure in {infra.data_dir}")
    await infra.start()
    stack = LocalStack(kafka=infra.bootstrap, pg_dsn=infra.pg_dsn, run="bench", log_dir=infra.data_dir / "stack",
                       env_name="development", database_prefix="avainbench_", topic_prefix="bench.")
    try:
        await stack.start()
        urls = {s: stack.url(s) for s in SERVICES}
        loaded = await asyncio.to_thread(demo_data.load, urls, TokenIssuer(DEV_SECRET))
        template = UUID(loaded["citizen-demo"]["client_id"])
        pools = {s: await asyncpg.create_pool(infra.pg_dsn, database=f"avainbench_{s}", min_size=1, max_size=4)
                 for s in SERVICES}
        keys = await asyncpg.create_pool(infra.pg_dsn, database="avainbench_keys", min_size=1, max_size=2)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # the case history has heard everything about the template
            seen = await pools["history"].fetchval("SELECT count(*) FROM timeline WHERE client_id = $1", template)
            made = sum([await pools[s].fetchval("SELECT count(*) FROM events WHERE subject = $1 AND event_type <>"
                                                " 'fi.avain.access.DataAccessed'", str(template)) for s in SERVICES])
            if seen and seen >= made - 1:
                break
            await asyncio.sleep(1)
        shared = {str(r[0]) for r in await pools["marketplace"].fetch("SELECT provider_id FROM providers_view")}
        shared |= {str(r[0]) for r in await pools["marketplace"].fetch("SELECT offering_id FROM offerings_view")}
        cloner = Cloner(pools, keys, template, shared)
        await cloner.load()
        per_client = sum(len(r) for (s, t), r in cloner.rows.items() if t == "events")
        say(f"  the template client has {per_client} events; cloning")
        workers = [WORKER] + [f"worker-{n:03d}" for n in range(1, args.workers)]
        directory = ClientDirectory(None, None, b"avain-development-only-secret-change-me-000000")  # type: ignore[arg-type]
        t0 = time.monotonic()
        events = await cloner.clone(args.clients - len(loaded), workers, directory.hashes, args.approval_every)
        seeded_in = time.monotonic() - t0
        total_events = sum([await p.fetchval("SELECT count(*) FROM events") for p in pools.values()])
        say(f"  cloned in {time.monotonic() - t0:.0f} s: {args.clients:,} clients, {total_events:,} events in the stores "
            f"({events:,} cloned)")
        for pool in pools.values():
            await pool.execute("ANALYZE")
        sealer = Sealer(DEV_SESSION_KEY)
        issuer = TokenIssuer(DEV_SECRET)

        def cookie_of(user_id: str, role: str, name: str) -> str:
            token = issuer.issue(user_id, role, ttl=timedelta(hours=2))
            return sealer.seal_session(Session(kind="staff", user_id=user_id, role=role, name=name, token=token,
                                               expires_at=time.time() + 7200))

        cookies = {WORKER: cookie_of(WORKER, "worker", "Aino Virtanen"),
                   MANAGER: cookie_of(MANAGER, "manager", "Helmi Manninen"),
                   AUDITOR: cookie_of(AUDITOR, "auditor", "Otso Tarkka")}
        mine = [str(r[0]) for r in await pools["intake"].fetch(
            "SELECT client_id FROM intake_cases WHERE coordinator_id = $1 LIMIT 100", WORKER)]
        audited = [str(r[0]) for r in await pools["intake"].fetch(
            "SELECT client_id FROM intake_cases ORDER BY random() LIMIT 100")]
        times = sorted(r["occurred_at"] for r in cloner.rows[("intake", "events")] + cloner.rows[("budgeting", "events")])
        as_of = times[len(times) // 2].isoformat()  # halfway through each clone's history (clones keep the times)
        waiting = await pools["decisions"].fetchval("SELECT count(*) FROM approvals WHERE status = 'pending'")
        say(f"  worker-aino coordinates {len(mine)}+ clients; {waiting:,} approvals wait; measuring {args.rounds}"
            " requests of each page")
        pages: list[tuple[str, str, list[str]]] = [
            ("baseline", WORKER, ["/accessibility"]),
            ("caseload", WORKER, ["/caseload"]),
            ("case", WORKER, [f"/clients/{c}" for c in mine]),
            ("approvals", MANAGER, ["/approvals"]),
            ("audit", AUDITOR, [f"/audit/clients/{c}?{urlencode({'purpose': 'audit', 'as_of': as_of})}"
                                for c in audited])]
        for _, who, paths in pages:  # warm up: each person's first answers fill caches and connection pools
            await measure(stack.console_url, cookies[who], paths, 10)
        # What the stack uses doing nothing (consumers polling, timers, checkpoints): taken off each page's share.
        idle_from, t_idle = cpu_used(stack, infra), time.monotonic()
        await asyncio.sleep(20)
        idle_to, idle_for = cpu_used(stack, infra), time.monotonic() - t_idle
        idle = {name: (idle_to[name] - idle_from.get(name, 0.0)) / idle_for for name in idle_to}
        results = {}
        for page, who, paths in pages:
            if args.pages and page not in args.pages and page != "baseline":
                continue
            before, started = cpu_used(stack, infra), time.monotonic()
            async with profiled(stack, args.profile, page):
                results[page] = r = await measure(stack.console_url, cookies[who], paths, args.rounds)
            after, took = cpu_used(stack, infra), time.monotonic() - started
            r["cpu_ms_per_request"] = {
                name: round((after[name] - before.get(name, 0.0) - idle.get(name, 0.0) * took) * 1000 / args.rounds, 1)
                for name in after}
            r["cpu_ms_per_request"]["all"] = round(sum(r["cpu_ms_per_request"].values()), 1)
            r["as"] = who
            base = results["baseline"]["p95_ms"]
            r["ratio_p95_to_baseline"] = round(r["p95_ms"] / base, 1) if base else None
            verdict = ("" if page == "baseline" else "ok" if r["p95_ms"] < BUDGET and not r["failed"]
                       else "OVER BUDGET" if not r["failed"] else "FAILED")
            say(f"  {page:9s} server p50 {r['p50_ms']:6.1f} ms  p95 {r['p95_ms']:6.1f} ms  p99 {r['p99_ms']:6.1f} ms"
                f"  (client p95 {r['client_p95_ms']:6.1f} ms)  {r['ratio_p95_to_baseline']}x baseline  {verdict}"
                + (f"; {r['failed']} refused: {', '.join(r['failures'])}" if r["failed"] else ""))
            say("  " + " " * 9 + " CPU per request (ms): " + ", ".join(f"{k} {v}" for k, v in r["cpu_ms_per_request"].items()))
        measured = {k: v for k, v in results.items() if k != "baseline"}
        if any(r["failed"] for r in measured.values()):  # the services' own words on why, before the folder goes
            kept = Path(f"/tmp/avain-bench-console-logs-{os.getpid()}")
            await asyncio.to_thread(shutil.copytree, stack.log_dir, kept, dirs_exist_ok=True)
            say(f"  the stack's logs are kept in {kept}")
        print(json.dumps({"clients": args.clients, "events": total_events, "workers": args.workers,
                          "seeded_in_s": round(seeded_in), "at": datetime.now(UTC).isoformat(), "results": results}))
        for pool in [*pools.values(), keys]:
            await pool.close()
        return 0 if all(r["p95_ms"] < BUDGET and not r["failed"] for r in measured.values()) else 1
    finally:
        await stack.stop()
        await infra.stop()


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
