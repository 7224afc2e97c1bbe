"""Audit replay: rebuild every client's case history from the Kafka log alone, verify it, compare it.

    python -m services.history.replay --all                       # timelines, states and chain check
    python -m services.history.replay --client ID --as-of 2026-11-01T12:00:00+02:00
    python -m services.history.replay --all --compare http://127.0.0.1:8005   # equal to the live view?
    python -m services.history.replay --all --json history.json   # export
    python -m services.history.replay --export-log log.jsonl      # a copy of the log, record by record
    python -m services.history.replay --from-log log.jsonl --all  # verify a copy instead of the broker

It reads the topics from the beginning and touches no database. Personal data stays sealed in its output
(the live API opens it for authorised readers, and nobody once the client's key is destroyed). Exit status
0 when every hash chain verifies and, with --compare, every client equals the live view; 1 otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import sys
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol
from uuid import UUID

import httpx
from aiokafka import TopicPartition

from services.history.domain.case import BrokenLink, as_of, derive_state, is_case_event, timeline_entry, verify_chains
from shared.infra.auth import TokenIssuer
from shared.infra.kafka import make_consumer, topic_name
from shared.infra.settings import ServiceSettings
from shared.kernel.envelope import EventEnvelope

SOURCES = ("intake", "budgeting", "marketplace", "followup", "history", "access")


class Record(Protocol):
    """A record of the log: as the broker delivered it (aiokafka's ConsumerRecord) or from an exported copy."""

    @property
    def topic(self) -> str: ...
    @property
    def partition(self) -> int: ...
    @property
    def offset(self) -> int: ...
    @property
    def key(self) -> bytes | None: ...
    @property
    def headers(self) -> Sequence[tuple[str, bytes]]: ...
    @property
    def value(self) -> bytes: ...


def position(record: Record) -> str:
    return f"{record.topic}:{record.partition}:{record.offset}"


@dataclass(frozen=True)
class LogRecord:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    headers: list[tuple[str, bytes]]
    value: bytes

    @staticmethod
    def to_json(r: Record) -> str:
        return json.dumps({"topic": r.topic, "partition": r.partition, "offset": r.offset,
                           "key": r.key.decode() if r.key else None,
                           "headers": [[k, v.decode()] for k, v in r.headers], "value": r.value.decode()},
                          ensure_ascii=False)

    @classmethod
    def from_json(cls, line: str) -> LogRecord:
        d = json.loads(line)
        return cls(d["topic"], d["partition"], d["offset"], d["key"].encode() if d["key"] else None,
                   [(k, v.encode()) for k, v in d["headers"]], d["value"].encode())


async def read_log(settings: ServiceSettings, batch: int = 10_000) -> list[Record]:
    """Every record of every service's topic, from the beginning to the end as of now (the records as the
    client delivered them: copying each one cost a third of the reading)."""
    consumer = make_consumer(settings.kafka_bootstrap, client_id="avain-audit-replay", max_poll_records=batch,
                             max_partition_fetch_bytes=4 * 1024 * 1024, fetch_max_bytes=64 * 1024 * 1024)
    await consumer.start()
    try:
        wanted = [topic_name(settings.topic_prefix, s) for s in SOURCES]
        metadata = await consumer._client.fetch_all_metadata()
        partitions = [TopicPartition(t, p) for t in wanted for p in sorted(metadata.partitions_for_topic(t) or ())]
        if not partitions:
            return []
        consumer.assign(partitions)
        end = await consumer.end_offsets(partitions)
        await consumer.seek_to_beginning(*partitions)
        records: list[Record] = []
        pending = {tp for tp in partitions if end[tp] > 0}
        with _no_gc_pauses():
            await _read_until(consumer, pending, end, records, batch)
        return records
    finally:
        await consumer.stop()


async def _read_until(consumer: Any, pending: set[TopicPartition], end: dict[TopicPartition, int],
                      records: list[Record], batch: int) -> None:
    while pending:
        fetched = await consumer.getmany(*pending, timeout_ms=1000, max_records=batch)
        for tp, recs in fetched.items():
            records.extend(recs if recs[-1].offset < end[tp] else (r for r in recs if r.offset < end[tp]))
        pending = {tp for tp in pending if await consumer.position(tp) < end[tp]}


@dataclass
class Replay:
    envelopes: list[tuple[str, EventEnvelope]]
    malformed: list[str]
    broken: list[BrokenLink]
    by_client: dict[UUID, list[EventEnvelope]]


@contextlib.contextmanager
def _no_gc_pauses() -> Iterator[None]:
    """Building a hundred thousand objects that all stay alive set off the cyclic garbage collector over and
    over, each time walking everything built so far: 40 % of a replay. Nothing here makes cycles."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def rebuild(records: Sequence[Record]) -> Replay:
    with _no_gc_pauses():
        return _rebuild(records)


def _rebuild(records: Sequence[Record]) -> Replay:
    envelopes: list[tuple[str, EventEnvelope]] = []
    malformed: list[str] = []
    verified: set[UUID] = set()
    for r in records:
        try:
            # Unvalidated: the hash check below (or in verify_chains) is what vouches for each event.
            e = EventEnvelope.from_kafka(r.headers, r.value, validate=False)
        except Exception:  # noqa: BLE001 - a record that is not an envelope is reported, not fatal
            malformed.append(position(r))
            continue
        envelopes.append((position(r), e))
        if e.hash_with_data(r.value) == e.hash:
            verified.add(e.id)  # hashed over the bytes as published; the others are checked the full way
    by_client: dict[UUID, dict[UUID, EventEnvelope]] = defaultdict(dict)
    for _, e in envelopes:
        if is_case_event(e):
            by_client[UUID(e.data["client_id"])].setdefault(e.id, e)  # redelivered records count once
    return Replay(envelopes, malformed, verify_chains(envelopes, verified),
                  {c: list(events.values()) for c, events in by_client.items()})


def views(replay: Replay, clients: Sequence[UUID], instant: datetime | None) -> dict[UUID, dict[str, Any]]:
    """Each client's view (state and timeline) as of ``instant``."""
    with _no_gc_pauses():
        return {c: view(c, replay.by_client.get(c, []), instant) for c in clients}


def view(client_id: UUID, events: list[EventEnvelope], instant: datetime | None) -> dict[str, Any]:
    chosen = sorted(as_of(events, instant), key=lambda e: (e.time, e.stream_id, e.stream_version))
    return {"client_id": str(client_id), "as_of": instant.isoformat() if instant else None,
            "state": derive_state(chosen), "timeline": [timeline_entry(e) for e in chosen]}


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


async def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--client", action="append", type=UUID, default=[], help="a client id (repeatable)")
    p.add_argument("--all", action="store_true", help="every client in the log")
    p.add_argument("--as-of", type=datetime.fromisoformat, help="an instant with a time zone")
    p.add_argument("--compare", metavar="URL", help="the live case history service, e.g. http://127.0.0.1:8005")
    p.add_argument("--json", type=Path, help="export the rebuilt histories as JSON")
    p.add_argument("--export-log", type=Path, help="write a copy of the log (JSON lines) and stop")
    p.add_argument("--from-log", type=Path, help="read a copy of the log instead of the broker")
    p.add_argument("--quiet", action="store_true", help="no timelines, only the verdicts")
    args = p.parse_args(argv)
    if args.as_of is not None and args.as_of.tzinfo is None:
        p.error("--as-of needs a time zone, e.g. 2026-11-22T12:00:00+00:00")
    settings = ServiceSettings()
    records: Sequence[Record]
    if args.from_log:
        records = [LogRecord.from_json(line) for line in args.from_log.read_text().splitlines() if line.strip()]
    else:
        records = await read_log(settings)
    if args.export_log:
        args.export_log.write_text("".join(LogRecord.to_json(r) + "\n" for r in records))
        print(f"wrote {len(records)} records to {args.export_log}")
        return 0
    replay = rebuild(records)
    clients = sorted(replay.by_client) if args.all else args.client
    rebuilt = views(replay, clients, args.as_of)
    ok = not replay.broken
    print(f"read {len(records)} records, {len(replay.envelopes)} events, {len(replay.by_client)} clients")
    if replay.malformed:
        print(f"not events (left aside): {len(replay.malformed)}, first at {replay.malformed[0]}")
    if replay.broken:
        first = replay.broken[0]
        print(f"CHAIN BROKEN at {first.position}: stream {first.stream_id} version {first.stream_version}: "
              f"{first.problem} ({len(replay.broken)} broken links in all)")
    else:
        print("hash chains verified: every stream intact")
    if not args.quiet:
        for v in rebuilt.values():
            print_timeline(v)
    differences: dict[str, list[str]] = {}
    if args.compare:
        differences = await compare(args.compare, settings, rebuilt)
        unequal = {c: d for c, d in differences.items() if d}
        ok = ok and not unequal
        print(f"compared with the live view: {len(rebuilt) - len(unequal)} equal, {len(unequal)} different"
              + "".join(f"\n  {c}: {', '.join(d)}" for c, d in unequal.items()))
    if args.json:
        args.json.write_text(json.dumps({"clients": {str(c): v for c, v in rebuilt.items()},
                                         "broken_links": [b.__dict__ for b in replay.broken],
                                         "compared": differences}, indent=2, ensure_ascii=False))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
