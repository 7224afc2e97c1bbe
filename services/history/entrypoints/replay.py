"""Audit replay: verify the Kafka log alone (hash chains, signed checkpoints) and rebuild clients' case histories.

    python -m services.history.replay                                   # verify every topic; exit 0, 1 or 2
    python -m services.history.replay --client ID --as-of 2026-11-01T12:00:00+02:00   # one case as of then
    python -m services.history.replay --all --compare http://127.0.0.1:8005   # every case equal to the live view?
    python -m services.history.replay --export-log log.jsonl            # a copy of the log (docs/contracts/)
    python -m services.history.replay --from-log log.jsonl --witness intake.jsonl   # verify a copy
    python -m services.history.replay --report report.json              # the findings as JSON
    python -m services.history.replay --all --compare URL --record      # ... and record the run for the auditors

(``python -m services.history.entrypoints.replay`` is the same.) It reads the topics from the beginning and
touches no database. It verifies as docs/contracts/verification.md §7 says: every checkpoint's signature and chain,
every record's hash and its stream's chain, every stated head, every stream's tail against the latest checkpoint
stating it; a record it cannot parse is a finding. Records stream through: memory grows with the number of streams
(and the cases asked for with --client; --all holds every case), not with the length of the log. Progress (records,
rate, time left) goes to stderr.

Exit status: 0 verified (events after the last checkpoint are reported as not yet covered); 1 tampering found (or,
with --compare, a case differs from the live view); 2 the log could not be read (broker or file).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import sys
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO
from uuid import UUID, uuid4

import httpx
from aiokafka.errors import KafkaError

from contracts.intake import StaffProfileRecorded
from services.history.adapters.log import (
    BrokenLine,
    KafkaLog,
    LogRecord,
    checkpoint_topics,
    event_topics,
    export_header,
    export_size,
    read_export,
)
from services.history.application.verification import (
    Finding,
    LogVerifier,
    Record,
    is_checkpoint_topic,
    load_keys,
    position,
)
from services.history.domain.case import as_of, derive_state, in_words, is_case_event, timeline
from shared.i18n import catalogue
from shared.infra.auth import TokenIssuer
from shared.infra.settings import ServiceSettings
from shared.kernel.envelope import EventEnvelope

ROOT = Path(__file__).resolve().parents[3]
KEYS = ROOT / "contracts" / "keys" / "checkpoint-keys.json"
__all__ = ["LogRecord", "Record", "Replay", "position", "read_log", "rebuild", "view", "views"]


class CannotRead(Exception):
    """The log could not be read at all (exit 2)."""


class Progress:
    """Records done, rate and time left on stderr, at most every ``every`` seconds."""

    def __init__(self, total: int, out: TextIO = sys.stderr, every: float = 2.0) -> None:
        self.total, self.out, self.every = total, out, every
        self.done = 0
        self.start = self.last = time.monotonic()

    def add(self, count: int) -> None:
        self.done += count
        now = time.monotonic()
        if now - self.last >= self.every:
            self.last = now
            self.report(now)

    def report(self, now: float | None = None) -> None:
        elapsed = max((now or time.monotonic()) - self.start, 1e-6)
        rate = self.done / elapsed
        left = (self.total - self.done) / rate if rate and self.total > self.done else 0
        share = f" ({100 * self.done / self.total:.1f} %)" if self.total else ""
        print(f"replay: {self.done:,} of {self.total:,} records{share}, {rate:,.0f}/s, about {left:,.0f} s left",
              file=self.out, flush=True)


@dataclass
class Replay:
    """What a replay found: the verifier's findings, and the case events of the clients asked for."""

    verifier: LogVerifier
    envelopes: list[tuple[str, EventEnvelope]] = field(default_factory=list)
    by_client: dict[UUID, list[EventEnvelope]] = field(default_factory=dict)
    uncovered: dict[str, int] = field(default_factory=dict)
    records: int = 0
    # Staff names from intake's staff directory events in the log, as they last stood: the live view names the
    # people who acted by the same directory, so a replay from Kafka alone names them too.
    staff: dict[str, str] = field(default_factory=dict)

    @property
    def broken(self) -> list[Finding]:
        return self.verifier.findings

    @property
    def malformed(self) -> list[str]:
        return [f.position for f in self.verifier.findings if f.kind == "malformed"]


class Collector:
    """Feeds records to the verifier in the order §7 asks (checkpoints first) and keeps the case events wanted."""

    def __init__(self, keys: Any, clients: set[UUID] | None, keep_envelopes: bool = False) -> None:
        self.replay = Replay(LogVerifier(keys))
        self.clients = clients  # None: every client
        self.keep_envelopes = keep_envelopes
        self._cases: dict[UUID, dict[UUID, EventEnvelope]] = defaultdict(dict)

    def checkpoint(self, record: Record | BrokenLine) -> None:
        self.replay.records += 1
        if isinstance(record, BrokenLine):
            self.replay.verifier.findings.append(Finding("malformed", record.position, detail=str(record)))
        else:
            self.replay.verifier.checkpoint(record)

    def event(self, record: Record) -> None:
        self.replay.records += 1
        parsed = self.replay.verifier.event(record)
        if parsed is None or (self.clients is not None and not self.clients and not self.keep_envelopes):
            return
        envelope = EventEnvelope.from_kafka(record.headers, record.value or b"", validate=False)
        if self.keep_envelopes:
            self.replay.envelopes.append((position(record), envelope))
        if envelope.type == StaffProfileRecorded.event_type:
            self.replay.staff[envelope.data["staff_id"]] = envelope.data["name"]
        elif is_case_event(envelope):
            client = UUID(envelope.data["client_id"])
            if self.clients is None or client in self.clients:
                self._cases[client].setdefault(envelope.id, envelope)  # redelivered records count once

    def finish(self) -> Replay:
        self.replay.uncovered = dict(self.replay.verifier.finish())
        self.replay.by_client = {c: list(events.values()) for c, events in self._cases.items()}
        return self.replay


@contextlib.contextmanager
def _no_gc_pauses() -> Iterator[None]:
    """Nothing here makes reference cycles; the collector walking every live object over and over cost 40 %."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def rebuild(records: Sequence[Record], keys: Path = KEYS) -> Replay:
    """Verify records held in memory (tests, small logs) and rebuild every client's case."""
    collector = Collector(load_keys(keys), None, keep_envelopes=True)
    with _no_gc_pauses():
        for r in records:
            if is_checkpoint_topic(r.topic):
                collector.checkpoint(r)
        for r in records:
            if not is_checkpoint_topic(r.topic):
                collector.event(r)
    return collector.finish()


async def read_log(settings: ServiceSettings) -> list[Record]:
    """Every record of every topic, checkpoints first (their ends taken first, so no checkpoint is ahead of the
    events read), as the client delivered them: for tests and small logs (the CLI streams instead)."""
    records: list[Record] = []
    async with KafkaLog(settings) as log:
        checkpoints = await log.ends(checkpoint_topics(settings))
        events = await log.ends(event_topics(settings))
        for bounds in (checkpoints, events):
            async for batch in log.records(bounds):
                records.extend(batch)
    return records


async def replay_kafka(settings: ServiceSettings, collector: Collector, export: TextIO | None) -> None:
    try:
        async with KafkaLog(settings) as log:
            checkpoints = await log.ends(checkpoint_topics(settings))
            events = await log.ends(event_topics(settings))
            total = sum(end - first for first, end in (*checkpoints.values(), *events.values()))
            progress = Progress(total)
            if export is not None:
                export.write(export_header([*checkpoint_topics(settings), *event_topics(settings)]) + "\n")
            for bounds, handle in ((checkpoints, collector.checkpoint), (events, collector.event)):
                async for batch in log.records(bounds):
                    for record in batch:
                        if export is not None:
                            export.write(LogRecord.to_json(record) + "\n")
                        else:
                            handle(record)
                    progress.add(len(batch))
            progress.report()
    except (KafkaError, OSError) as exc:
        raise CannotRead(f"cannot read the log from {settings.kafka_bootstrap}: {type(exc).__name__}") from exc


def replay_file(path: Path, collector: Collector) -> None:
    try:
        progress = Progress(2 * export_size(path))
        for kind, handle in (("checkpoints", collector.checkpoint), ("events", collector.event)):
            for record in read_export(path):
                if isinstance(record, BrokenLine):
                    if kind == "checkpoints":  # reported once, in the first pass
                        collector.checkpoint(record)
                elif is_checkpoint_topic(record.topic) == (kind == "checkpoints"):
                    handle(record)
                progress.add(1)
        progress.report()
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CannotRead(f"cannot read {path}: {exc}") from exc


def views(replay: Replay, clients: Sequence[UUID], instant: datetime | None) -> dict[UUID, dict[str, Any]]:
    with _no_gc_pauses():
        return {c: view(c, replay.by_client.get(c, []), instant, replay.staff) for c in clients}


def view(client_id: UUID, events: list[EventEnvelope], instant: datetime | None,
         staff: dict[str, str] | None = None, language: str = "fi") -> dict[str, Any]:
    chosen = sorted(as_of(events, instant), key=lambda e: (e.time, e.stream_id, e.stream_version))
    entries = timeline(chosen)
    money = catalogue().translator("history", language).money
    for entry, e in zip(entries, chosen, strict=True):
        # Who acted, by name, as the live view names them (None: not in the staff directory); and in words as the
        # live view says an entry not opened with the client's key: the replay holds no keys.
        entry["actor"]["name"] = (staff or {}).get(entry["actor"]["id"])
        entry["said"] = in_words(e, money, {})
    return {"client_id": str(client_id), "as_of": instant.isoformat() if instant else None,
            "state": derive_state(chosen), "timeline": entries}


async def compare(url: str, settings: ServiceSettings, rebuilt: dict[UUID, dict[str, Any]]) -> dict[str, list[str]]:
    """Each client's replayed view against the live case history: differences by client (empty: equal)."""
    token = TokenIssuer(settings.jwt_secret.get_secret_value(), issuer=settings.jwt_issuer,
                        audience=settings.jwt_audience).issue("audit-replay", "auditor")
    headers = {"Authorization": f"Bearer {token}", "X-Access-Purpose": "audit"}
    differences: dict[str, list[str]] = {}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=30) as http:
        for client_id, replayed in rebuilt.items():
            params = {"as_of": replayed["as_of"]} if replayed["as_of"] else {}
            r = await http.get(f"/history/clients/{client_id}", params=params)
            if r.status_code == 403 and r.json().get("code") == "processing-restricted":
                # GDPR art. 18: the live view is read only for the recorded purpose, and an audit is not it. The
                # replay still shows the case from the log; the comparison waits until the restriction is lifted.
                print(f"{client_id}: not compared, processing restricted (purpose {r.json().get('purpose')})")
                differences[str(client_id)] = []
                continue
            if r.status_code != 200:
                differences[str(client_id)] = [f"live view answered {r.status_code}"]
                continue
            live, found = r.json(), []
            if live["state"] != replayed["state"]:
                found.append("derived state differs")
            if [t["event_id"] for t in live["timeline"]] != [t["event_id"] for t in replayed["timeline"]]:
                found.append("timeline differs")
            differences[str(client_id)] = found
    return differences


def print_timeline(v: dict[str, Any]) -> None:
    print(f"\n== client {v['client_id']}" + (f" as of {v['as_of']}" if v["as_of"] else ""))
    for t in v["timeline"]:
        amount = f" {t['amount_cents'] / 100:.2f} €" if t.get("amount_cents") is not None else ""
        why = f"  ({'; '.join(f'{k}: {w}' for k, w in t['why'].items())})" if t["why"] else ""
        print(f"  {t['time'][:19]}  {t['service']:<11} {t['type']:<26} by {t['actor']['role']} {t['actor']['id']}"
              f"{amount}{why}")
    budget = v["state"]["budget"]
    print(f"  -> intake {v['state']['intake']['status']}, budget {budget['status']} "
          f"(decided {budget['decided_cents'] / 100:.2f} €, reserved {budget['reserved_cents'] / 100:.2f} €, "
          f"spent {budget['spent_cents'] / 100:.2f} €), orders {len(v['state']['orders'])}")


def report(replay: Replay) -> dict[str, Any]:
    v = replay.verifier
    return {"ok": not v.findings, "records": replay.records, "events": v.events, "checkpoints": v.checkpoints,
            "findings": [f.as_json() for f in v.findings], "not_yet_covered": replay.uncovered}


async def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m services.history.replay", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--client", action="append", type=UUID, default=[], help="a client id (repeatable)")
    p.add_argument("--all", action="store_true", help="every client in the log (holds every case in memory)")
    p.add_argument("--as-of", type=datetime.fromisoformat, help="an instant with a time zone")
    p.add_argument("--compare", metavar="URL", help="the live case history service, e.g. http://127.0.0.1:8005")
    p.add_argument("--json", type=Path, help="export the rebuilt histories as JSON")
    p.add_argument("--export-log", type=Path, help="write a copy of the log (JSON lines) and stop")
    p.add_argument("--from-log", type=Path, help="read a copy of the log instead of the broker")
    p.add_argument("--witness", type=Path, action="append", default=[],
                   help="a witness's copy of a service's checkpoints (GET /v1/checkpoints/<service>), repeatable")
    p.add_argument("--keys", type=Path, default=KEYS, help="the published checkpoint keys")
    p.add_argument("--report", type=Path, help="write the findings as JSON")
    p.add_argument("--quiet", action="store_true", help="no timelines, only the verdicts")
    p.add_argument("--record", action="store_true", help="record the run's verdicts and counts in the case history's "
                   "database, where the auditors' console shows the latest run")
    args = p.parse_args(argv)
    if args.as_of is not None and args.as_of.tzinfo is None:
        p.error("--as-of needs a time zone, e.g. 2026-11-22T12:00:00+00:00")
    settings = ServiceSettings()
    started = datetime.now(UTC)
    try:
        keys = load_keys(args.keys)
        collector = Collector(keys, None if args.all else set(args.client))
        with _no_gc_pauses():
            if args.export_log:
                with args.export_log.open("w", encoding="utf-8") as out:
                    await replay_kafka(settings, collector, out)
                print(f"wrote {args.export_log}")
                return 0
            if args.from_log:
                replay_file(args.from_log, collector)
            else:
                await replay_kafka(settings, collector, None)
            for witness in args.witness:
                collector.replay.verifier.witness(witness.read_bytes().splitlines(), witness.name)
            replay = collector.finish()
    except CannotRead as exc:
        print(f"CANNOT READ: {exc}", file=sys.stderr)
        return 2
    except (OSError, ValueError, KeyError) as exc:
        print(f"CANNOT READ: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    v = replay.verifier
    print(f"read {replay.records} records: {v.events} events, {v.checkpoints} checkpoints, "
          f"{len(replay.by_client)} clients rebuilt")
    for f in v.findings:
        where = f" stream {f.stream}" + (f" version {f.version}" if f.version else "") if f.stream else ""
        print(f"TAMPERING FOUND ({f.kind}) at {f.position}:{where}: {f.detail}")
    if not v.findings:
        print(f"hash chains verified and {v.checkpoints} signed checkpoints verified: every stream intact")
    uncovered = ", ".join(f"{s} {n}" for s, n in sorted(replay.uncovered.items()))
    print(f"not yet covered by a checkpoint: {sum(replay.uncovered.values())} events" + (f" ({uncovered})" if uncovered else ""))
    clients = sorted(replay.by_client) if args.all else args.client
    rebuilt = views(replay, clients, args.as_of)
    if not args.quiet:
        for shown in rebuilt.values():
            print_timeline(shown)
    ok = not v.findings
    differences: dict[str, list[str]] = {}
    if args.compare:
        differences = await compare(args.compare, settings, rebuilt)
        unequal = {c: d for c, d in differences.items() if d}
        ok = ok and not unequal
        print(f"compared with the live view: {len(rebuilt) - len(unequal)} equal, {len(unequal)} different"
              + "".join(f"\n  {c}: {', '.join(d)}" for c, d in unequal.items()))
    if args.json:
        args.json.write_text(json.dumps({"clients": {str(c): shown for c, shown in rebuilt.items()},
                                         **report(replay), "compared": differences}, indent=2, ensure_ascii=False))
    if args.report:
        args.report.write_text(json.dumps(report(replay), indent=2, ensure_ascii=False))
    if args.record:
        await record(settings, replay, started, ok, len(rebuilt), differences if args.compare else None)
    return 0 if ok else 1


async def record(settings: ServiceSettings, replay: Replay, started: datetime, ok: bool, clients: int,
                 differences: dict[str, list[str]] | None) -> None:
    """The run, as the auditors' integrity page shows it (services/history/adapters/integrity.py)."""
    import asyncpg

    from services.history.adapters.integrity import record_replay

    run = report(replay) | {"run_id": uuid4(), "started_at": started, "finished_at": datetime.now(UTC), "ok": ok,
                            "clients": clients, "compared": None if differences is None else len(differences),
                            "different": None if differences is None else sum(1 for d in differences.values() if d)}
    conn = await asyncpg.connect(settings.pg_dsn, database=settings.database("history"))
    try:
        await record_replay(conn, run)
    finally:
        await conn.close()
    print(f"recorded as run {run['run_id']}")


def run() -> None:
    sys.exit(asyncio.run(main(sys.argv[1:])))


if __name__ == "__main__":
    run()
