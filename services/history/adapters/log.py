"""The log as the audit replay reads it: from the broker, record by record, or from an export.

The export format (docs/contracts/verification.md §8): JSON lines; the first line
``{"format": "avain.log-export.v1", "exported_at": ..., "topics": [...]}``, then one record a line,
``{"topic", "partition", "offset", "timestamp", "key", "headers": [[name, value]], "value"}`` with the key, each
header value and the value in base64 (RFC 4648 §4), exactly the bytes Kafka holds. Checkpoint topics come first.
"""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiokafka import TopicPartition

from shared.infra.kafka import make_consumer, topic_name
from shared.infra.settings import ServiceSettings

EXPORT_FORMAT = "avain.log-export.v1"
SERVICES = ("intake", "budgeting", "marketplace", "followup", "history", "decisions")
EVENT_SOURCES = (*SERVICES, "access")


def checkpoint_topics(settings: ServiceSettings) -> list[str]:
    return [topic_name(settings.topic_prefix, s, "checkpoints") for s in SERVICES]


def event_topics(settings: ServiceSettings) -> list[str]:
    return [topic_name(settings.topic_prefix, s) for s in EVENT_SOURCES]


@dataclass(frozen=True)
class LogRecord:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    headers: list[tuple[str, bytes]]
    value: bytes | None
    timestamp: int | None = None

    @staticmethod
    def to_json(r: Any) -> str:
        return json.dumps({"topic": r.topic, "partition": r.partition, "offset": r.offset,
                           "timestamp": getattr(r, "timestamp", None), "key": _b64(r.key),
                           "headers": [[k, _b64(v)] for k, v in r.headers], "value": _b64(r.value)})

    @classmethod
    def from_json(cls, line: str) -> LogRecord:
        d = json.loads(line)
        if not isinstance(d, dict) or "topic" not in d:
            raise ValueError("not an exported record")
        return cls(str(d["topic"]), int(d["partition"]), int(d["offset"]), _bytes(d.get("key")),
                   [(str(k), _bytes(v) or b"") for k, v in d["headers"]], _bytes(d["value"]), d.get("timestamp"))


def _b64(raw: bytes | None) -> str | None:
    return None if raw is None else base64.b64encode(raw).decode()


def _bytes(text: str | None) -> bytes | None:
    return None if text is None else base64.b64decode(text, validate=True)


def export_header(topics: Sequence[str]) -> str:
    return json.dumps({"format": EXPORT_FORMAT, "exported_at": datetime.now(UTC).isoformat(), "topics": list(topics)})


class BrokenLine(ValueError):
    def __init__(self, number: int) -> None:
        super().__init__(f"line {number} is not an exported record")
        self.position = f"line:{number}"


def read_export(path: Path) -> Iterator[LogRecord | BrokenLine]:
    """The records of an export in file order (a line that is not a record comes as a BrokenLine)."""
    with path.open(encoding="utf-8", errors="replace") as lines:
        first = lines.readline()
        if json.loads(first or "{}").get("format") != EXPORT_FORMAT:
            raise OSError(f"{path} is not an {EXPORT_FORMAT} export")
        for number, line in enumerate(lines, start=2):
            if not line.strip():
                continue
            try:
                yield LogRecord.from_json(line)
            except (ValueError, KeyError, TypeError):
                yield BrokenLine(number)


def export_size(path: Path) -> int:
    with path.open("rb") as f:
        return max(sum(1 for _ in f) - 1, 0)


class KafkaLog:
    """Every record of the given topics from the start to their end as of ``open`` (bounded: records are handed
    on a batch at a time, never held)."""

    def __init__(self, settings: ServiceSettings, batch: int = 5_000) -> None:
        self.settings, self.batch = settings, batch
        self.consumer = make_consumer(settings.kafka_bootstrap, client_id="avain-audit-replay", max_poll_records=batch,
                                      max_partition_fetch_bytes=4 * 1024 * 1024, fetch_max_bytes=64 * 1024 * 1024)

    async def __aenter__(self) -> KafkaLog:
        await self.consumer.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.consumer.stop()

    async def ends(self, topics: Sequence[str]) -> dict[TopicPartition, tuple[int, int]]:
        """Each partition's (first, end) offsets now: what a pass over ``topics`` reads."""
        metadata = await self.consumer._client.fetch_all_metadata()
        partitions = [TopicPartition(t, p) for t in topics for p in sorted(metadata.partitions_for_topic(t) or ())]
        if not partitions:
            return {}
        first = await self.consumer.beginning_offsets(partitions)
        end = await self.consumer.end_offsets(partitions)
        return {tp: (first[tp], end[tp]) for tp in partitions}

    async def records(self, bounds: dict[TopicPartition, tuple[int, int]]) -> AsyncIterator[list[Any]]:
        pending = {tp for tp, (first, end) in bounds.items() if end > first}
        if not pending:
            return
        self.consumer.assign(sorted(pending))
        await self.consumer.seek_to_beginning(*pending)
        while pending:
            fetched = await self.consumer.getmany(*pending, timeout_ms=1000, max_records=self.batch)
            for tp in sorted(fetched):
                records = fetched[tp]
                end = bounds[tp][1]
                yield records if records[-1].offset < end else [r for r in records if r.offset < end]
            pending = {tp for tp in pending if await self.consumer.position(tp) < bounds[tp][1]}
