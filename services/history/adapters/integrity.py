"""What the auditor's integrity pages read besides the timeline: the signed checkpoints at the end of each service's
checkpoint topic, each service's dead letters (through the operator's own tool, shared/infra/deadletters.py), and the
runs of the audit replay that were recorded in this service's database.

Kafka is read on request, from the end of the checkpoint topics or a whole dead-letter topic (they stay small): these
pages are opened now and then by an auditor, never in a hot path."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeAlias

import asyncpg
from aiokafka import TopicPartition

from services.history.adapters.log import LogRecord
from shared.infra.deadletters import DeadLetter, DeadLetterTopic
from shared.infra.kafka import make_consumer, topic_name
from shared.infra.settings import ServiceSettings

Db: TypeAlias = asyncpg.Pool | asyncpg.Connection


async def last_checkpoints(settings: ServiceSettings, services: Sequence[str], count: int = 2,
                           timeout: float = 15.0) -> dict[str, list[LogRecord]]:
    """The last ``count`` records of each service's checkpoint topic, oldest first (none when it has none).

    One consumer for every topic, and the broker is asked again until each partition is read to its end or the
    time is up (a loaded broker may answer a fresh consumer's first fetch late): what was read is shown."""
    topics = {topic_name(settings.topic_prefix, service, "checkpoints"): service for service in services}
    consumer = make_consumer(settings.kafka_bootstrap, client_id="avain-history-checkpoints")
    await consumer.start()
    try:
        metadata = await consumer._client.fetch_all_metadata()  # never by name: that would create a topic
        partitions = [TopicPartition(topic, p) for topic in topics
                      for p in sorted(metadata.partitions_for_topic(topic) or ())]
        found: dict[str, list[LogRecord]] = {service: [] for service in services}
        if not partitions:
            return found
        ends = await consumer.end_offsets(partitions)
        starts = await consumer.beginning_offsets(partitions)
        consumer.assign(partitions)
        wanted = {}
        for tp in partitions:
            first = max(starts[tp], ends[tp] - count)
            if first < ends[tp]:
                consumer.seek(tp, first)
                wanted[tp] = ends[tp]
        loop = asyncio.get_running_loop()
        give_up = loop.time() + timeout
        while wanted and loop.time() < give_up:
            batch = await consumer.getmany(*wanted, timeout_ms=1000)
            for tp, got in batch.items():
                found[topics[tp.topic]] += [LogRecord(r.topic, r.partition, r.offset, r.key, list(r.headers or ()),
                                                      r.value, r.timestamp) for r in got if r.offset < wanted[tp]]
            for tp in list(wanted):
                if await consumer.position(tp) >= wanted[tp]:
                    del wanted[tp]
        return {service: sorted(records, key=lambda r: (r.timestamp or 0, r.partition, r.offset))[-count:]
                for service, records in found.items()}
    finally:
        await consumer.stop()


async def dead_letters(settings: ServiceSettings, service: str) -> list[DeadLetter]:
    return await DeadLetterTopic(settings.kafka_bootstrap, settings.topic_prefix, service).read_all()


async def record_replay(db: Db, run: dict[str, Any]) -> None:
    """One run of the audit replay, as its report says (ids, counts, findings: no personal data)."""
    await db.execute(
        "INSERT INTO audit_replays (run_id, started_at, finished_at, ok, records, events, checkpoints, clients,"
        " compared, different, findings, not_yet_covered) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        run["run_id"], run["started_at"], run["finished_at"], run["ok"], run["records"], run["events"],
        run["checkpoints"], run["clients"], run["compared"], run["different"], json.dumps(run["findings"]),
        json.dumps(run["not_yet_covered"]))


async def latest_replay(db: Db) -> dict[str, Any] | None:
    row = await db.fetchrow("SELECT * FROM audit_replays ORDER BY finished_at DESC LIMIT 1")
    if row is None:
        return None
    out = dict(row)
    for key, value in out.items():
        if isinstance(value, datetime):
            out[key] = value.isoformat()
    out["run_id"] = str(out["run_id"])
    out["findings"] = json.loads(out["findings"])
    out["not_yet_covered"] = json.loads(out["not_yet_covered"])
    return out
