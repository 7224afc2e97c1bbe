"""Inspect and re-drive a service's dead letters.

    python -m shared.deadletters list    --service budgeting
    python -m shared.deadletters show    --service budgeting --offset 0:12 [--value]
    python -m shared.deadletters redrive --service budgeting (--offset 0:12 | --all) [--dry-run]

A dead letter is named by its place in ``<prefix>avain.<service>.deadletter.v1``: ``partition:offset`` (a bare
offset is enough while only one partition has it). Connection settings come from the service's environment
(``AVAIN_KAFKA_BOOTSTRAP``, ``AVAIN_TOPIC_PREFIX``).

Re-drive puts the original record back on its original topic and partition (``dlt_topic``, ``dlt_partition``)
with its original key, value and headers (the ``dlt_*`` headers removed), so the consumer meets it again as if
for the first time. What was re-driven is recorded as offsets of the consumer group
``<prefix>avain-<service>-deadletter-redrive`` on the dead-letter topic: per partition, the committed offset says
"everything below is done", and its metadata lists single dead letters re-driven above it. The same dead
letter is therefore not re-driven twice. Should the tool die between publishing and recording, a second run
re-drives the record again; the consumer's inbox drops it (same event id), so no effect happens twice.

Re-driving does not restore order: the record lands after whatever the client did meanwhile, and is decided
on the state as it is now. Fix the cause first (deploy the reader that knows a new schema version, repair the
data), then re-drive. A record that is still wrong simply comes back as a new dead letter.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import OffsetAndMetadata

from shared.infra.kafka import make_consumer, make_producer, topic_name
from shared.infra.settings import ServiceSettings

DLT_PREFIX = "dlt_"
_MAX_METADATA = 3000  # Kafka keeps at most offset.metadata.max.bytes (4096 by default) per committed offset


@dataclass(frozen=True)
class DeadLetter:
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...]
    redriven: bool = False

    @property
    def id(self) -> str:
        return f"{self.partition}:{self.offset}"

    def header(self, name: str) -> str | None:
        found = next((v for k, v in self.headers if k == name), None)
        return found.decode(errors="replace") if found is not None else None

    @property
    def original_headers(self) -> list[tuple[str, bytes]]:
        return [(k, v) for k, v in self.headers if not k.startswith(DLT_PREFIX)]

    def summary(self) -> dict[str, Any]:
        """What an operator needs to decide; no key or value (they may lead to a person)."""
        return {
            "id": self.id,
            "status": "re-driven" if self.redriven else "pending",
            "failed_at": self.header("dlt_failed_at"),
            "consumer": self.header("dlt_consumer"),
            "from": f"{self.header('dlt_topic')}:{self.header('dlt_partition')}:{self.header('dlt_offset')}",
            "type": self.header("ce_type"),
            "event_id": self.header("ce_id"),
            "reason": self.header("dlt_reason"),
        }


@dataclass
class PartitionLog:
    """What was re-driven on one dead-letter partition: everything below ``done``, and ``extra`` above it."""

    done: int
    extra: set[int] = field(default_factory=set)

    def covers(self, offset: int) -> bool:
        return offset < self.done or offset in self.extra

    def add(self, offset: int) -> None:
        self.extra.add(offset)
        while self.done in self.extra:
            self.extra.remove(self.done)
            self.done += 1

    def metadata(self) -> str:
        return json.dumps(sorted(self.extra), separators=(",", ":")) if self.extra else ""


@dataclass(frozen=True)
class RedriveResult:
    redriven: list[str]
    skipped: list[str]  # already re-driven earlier


class DeadLetterTopic:
    """The dead letters of one service, and the record of which of them were re-driven."""

    def __init__(self, bootstrap: str, prefix: str, service: str) -> None:
        self.bootstrap = bootstrap
        self.topic = topic_name(prefix, service, "deadletter")
        self.group = f"{prefix}avain-{service}-deadletter-redrive"

    async def _partitions(self, consumer: AIOKafkaConsumer) -> list[TopicPartition]:
        parts = consumer.partitions_for_topic(self.topic)
        if not parts:
            await consumer._client.force_metadata_update()  # the topic may be new to this client
            parts = consumer.partitions_for_topic(self.topic) or set()
        return [TopicPartition(self.topic, p) for p in sorted(parts)]

    async def _log(self, consumer: AIOKafkaConsumer, partitions: list[TopicPartition]) -> dict[int, PartitionLog]:
        admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap, client_id="avain-deadletters")
        await admin.start()
        try:
            committed = await admin.list_consumer_group_offsets(self.group)
        finally:
            await admin.close()
        starts = await consumer.beginning_offsets(partitions)
        logs: dict[int, PartitionLog] = {}
        for tp in partitions:
            mark = committed.get(tp)
            if mark is None or mark.offset < 0:
                logs[tp.partition] = PartitionLog(starts[tp])
            else:
                extra = set(json.loads(mark.metadata)) if mark.metadata else set()
                logs[tp.partition] = PartitionLog(max(mark.offset, starts[tp]), extra)
        return logs

    async def _read(self, consumer: AIOKafkaConsumer, partitions: list[TopicPartition],
                    logs: dict[int, PartitionLog], *, timeout: float = 30.0) -> list[DeadLetter]:
        ends = await consumer.end_offsets(partitions)
        wanted = partitions
        consumer.assign(wanted)  # every partition: a commit later may name any of them
        await consumer.seek_to_beginning(*wanted)
        letters: list[DeadLetter] = []
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while [tp for tp in wanted if await consumer.position(tp) < ends[tp]]:
            if loop.time() > deadline:
                raise TimeoutError(f"could not read {self.topic} to its end in {timeout:.0f} s")
            batch = await consumer.getmany(*wanted, timeout_ms=500)
            for tp, records in batch.items():
                for r in records:
                    if r.offset < ends[tp]:
                        letters.append(DeadLetter(tp.partition, r.offset, r.key, r.value, tuple(r.headers or ()),
                                                  logs[tp.partition].covers(r.offset)))
        return sorted(letters, key=lambda d: (d.partition, d.offset))

    async def read_all(self) -> list[DeadLetter]:
        consumer = make_consumer(self.bootstrap, client_id="avain-deadletters")
        await consumer.start()
        try:
            partitions = await self._partitions(consumer)
            return await self._read(consumer, partitions, await self._log(consumer, partitions))
        finally:
            await consumer.stop()

    async def redrive(self, ids: Sequence[str] | None, *, dry_run: bool = False) -> RedriveResult:
        """Re-drive the dead letters named by ``ids`` (``partition:offset``), or every pending one (None)."""
        consumer = make_consumer(self.bootstrap, client_id="avain-deadletters-redrive", group_id=self.group)
        producer = make_producer(self.bootstrap, client_id="avain-deadletters-redrive")
        await consumer.start()
        await producer.start()
        try:
            partitions = await self._partitions(consumer)
            logs = await self._log(consumer, partitions)
            letters = await self._read(consumer, partitions, logs)
            chosen = letters if ids is None else [resolve(letters, i) for i in ids]
            skipped = [d.id for d in chosen if d.redriven]
            todo = [d for d in chosen if not d.redriven]
            if dry_run or not todo:
                return RedriveResult([d.id for d in todo] if dry_run else [], skipped)
            futures = [await producer.send(d.header("dlt_topic") or "", value=d.value, key=d.key,
                                           headers=d.original_headers, partition=_partition_of(d)) for d in todo]
            await asyncio.gather(*futures)  # every record acknowledged before any is recorded as re-driven
            for d in todo:
                logs[d.partition].add(d.offset)
            if ids is None:  # --all: the whole partition up to what was read is done
                for tp in partitions:
                    last = max((d.offset + 1 for d in letters if d.partition == tp.partition), default=0)
                    log = logs[tp.partition]
                    log.done, log.extra = max(log.done, last), {o for o in log.extra if o >= max(log.done, last)}
            offsets = {}
            for tp in partitions:
                meta = logs[tp.partition].metadata()
                if len(meta) > _MAX_METADATA:
                    raise RuntimeError("too many single re-drives above the oldest pending one: re-drive --all")
                offsets[tp] = OffsetAndMetadata(logs[tp.partition].done, meta)
            await consumer.commit(offsets)
            return RedriveResult([d.id for d in todo], skipped)
        finally:
            await producer.stop()
            await consumer.stop()


def _partition_of(letter: DeadLetter) -> int | None:
    raw = letter.header("dlt_partition")
    return int(raw) if raw is not None and raw.isdigit() else None


def resolve(letters: Sequence[DeadLetter], wanted: str) -> DeadLetter:
    """``partition:offset``, or a bare offset when exactly one partition has a dead letter there."""
    if ":" in wanted:
        p, o = (int(x) for x in wanted.split(":", 1))
        found = [d for d in letters if d.partition == p and d.offset == o]
    else:
        found = [d for d in letters if d.offset == int(wanted)]
    if len(found) != 1:
        raise LookupError(f"no single dead letter at {wanted!r}" + (": name it partition:offset" if found else ""))
    return found[0]


def _print_table(letters: Sequence[DeadLetter]) -> None:
    if not letters:
        print("no dead letters")
        return
    for d in letters:
        s = d.summary()
        print(f"{s['id']:>8}  {s['status']:<9}  {s['failed_at'] or '-'}  {s['type'] or '-'}  {s['event_id'] or '-'}"
              f"  from {s['from']}  ({s['consumer']})  {s['reason']}")
    pending = sum(1 for d in letters if not d.redriven)
    print(f"{len(letters)} dead letters, {pending} pending")


async def _main(args: argparse.Namespace) -> int:
    settings = ServiceSettings()
    dlt = DeadLetterTopic(args.bootstrap or settings.kafka_bootstrap,
                          settings.topic_prefix if args.prefix is None else args.prefix, args.service)
    if args.command == "list":
        letters = await dlt.read_all()
        if args.json:
            print(json.dumps([d.summary() for d in letters], indent=2))
        else:
            _print_table(letters)
        return 0
    if args.command == "show":
        letter = resolve(await dlt.read_all(), args.offset)
        print(json.dumps(letter.summary(), indent=2))
        for k, v in letter.headers:
            print(f"  {k}: {v.decode(errors='replace')}")
        if args.value:  # may hold personal data (sealed fields are ciphertext): only when asked
            print((letter.value or b"").decode(errors="replace"))
        else:
            print(f"  value: {len(letter.value or b'')} bytes (--value prints it)")
        return 0
    if not args.all and not args.offset:
        print("redrive needs --offset PARTITION:OFFSET or --all", file=sys.stderr)
        return 2
    result = await dlt.redrive(None if args.all else [args.offset], dry_run=args.dry_run)
    verb = "would re-drive" if args.dry_run else "re-driven"
    print(f"{verb}: {', '.join(result.redriven) or 'nothing'}")
    if result.skipped:
        print(f"already re-driven, left alone: {', '.join(result.skipped)}")
    return 0 if result.redriven or args.all else 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m shared.deadletters",
                                     description="Inspect and re-drive a service's dead letters.")
    parser.add_argument("command", choices=["list", "show", "redrive"])
    parser.add_argument("--service", required=True, help="whose dead-letter topic, e.g. budgeting")
    parser.add_argument("--offset", help="a dead letter: PARTITION:OFFSET in the dead-letter topic (or OFFSET)")
    parser.add_argument("--all", action="store_true", help="redrive: every pending dead letter")
    parser.add_argument("--dry-run", action="store_true", help="redrive: say what would be re-driven")
    parser.add_argument("--value", action="store_true", help="show: print the record's value too")
    parser.add_argument("--json", action="store_true", help="list: JSON instead of a table")
    parser.add_argument("--bootstrap", help="Kafka bootstrap servers (default AVAIN_KAFKA_BOOTSTRAP)")
    parser.add_argument("--prefix", help="topic prefix (default AVAIN_TOPIC_PREFIX)")
    args = parser.parse_args(argv)
    try:
        return asyncio.run(_main(args))
    except LookupError as exc:
        print(str(exc).strip("'\""), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
