"""Helpers for integration tests: reading a topic, polling with a deadline (never sleeping blindly)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.structs import ConsumerRecord

KAFKA = os.environ.get("AVAIN_KAFKA_BOOTSTRAP", "127.0.0.1:9092")
PG_DSN = os.environ.get("AVAIN_PG_DSN", "postgresql://postgres@127.0.0.1:5433/postgres")
# The topic prefixes of this session's tests whose records must all match their schemas (tests marked ``poison``
# publish broken records on purpose and are left out); tests/integration/test_zz_records_match_their_schemas.py.
CHECKED_PREFIXES: list[str] = []


async def read_topic(topic: str, count: int, *, timeout: float = 20.0) -> list[ConsumerRecord[bytes, bytes]]:
    """Every record of ``topic`` from the start, until ``count`` arrived or the deadline passed."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=KAFKA, enable_auto_commit=False, auto_offset_reset="earliest",
        isolation_level="read_committed", group_id=None,
    )
    await consumer.start()
    records: list[ConsumerRecord[bytes, bytes]] = []
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        partitions: set[TopicPartition] = set()
        while not partitions and loop.time() < deadline:
            partitions = {TopicPartition(topic, p) for p in (consumer.partitions_for_topic(topic) or ())}
            if not partitions:
                await consumer._client.force_metadata_update()  # topic may be new
                await asyncio.sleep(0.2)
        consumer.assign(list(partitions))
        await consumer.seek_to_beginning()
        while len(records) < count and loop.time() < deadline:
            batch = await consumer.getmany(timeout_ms=300)
            for recs in batch.values():
                records.extend(recs)
    finally:
        await consumer.stop()
    return records


async def eventually(check: Callable[[], Any], *, timeout: float = 15.0, interval: float = 0.1) -> Any:
    """Poll ``check`` (sync or async) until it returns a truthy value; fail with the last value."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = check()
        if asyncio.iscoroutine(value):
            value = await value
        if value or loop.time() > deadline:
            assert value, "condition not met before the deadline"
            return value
        await asyncio.sleep(interval)


async def publish(topic: str, envelopes: list[Any]) -> None:
    """Put events on a topic the way a service's outbox relay does (another service's events, in tests)."""
    from shared.infra.kafka import make_producer

    producer = make_producer(KAFKA, client_id="test-publisher")
    await producer.start()
    try:
        for e in envelopes:
            await producer.send_and_wait(topic, value=e.kafka_value(), key=e.kafka_key(), headers=e.kafka_headers())
    finally:
        await producer.stop()


def envelope_of(event: Any, *, subject: str, source: str, actor_role: str = "client", time: Any = None,
                stream_version: int = 1) -> Any:
    """An envelope for ``event`` as another service would publish it (a stream of its own, so hash chains
    hold); ``time`` backdates it."""
    from datetime import UTC, datetime
    from uuid import uuid4

    from shared.kernel.envelope import Actor, EventEnvelope

    return EventEnvelope(
        id=uuid4(), source=source, type=event.event_type, schema_version=event.schema_version,
        time=time or datetime.now(UTC), subject=subject, stream_id=f"test-{uuid4()}", stream_version=stream_version,
        correlation_id=str(uuid4()), actor=Actor(id="test", role=actor_role), data=event.model_dump(mode="json"),
    ).sealed()


async def read_to_end(topic: str) -> list[ConsumerRecord[bytes, bytes]]:
    """Every record of ``topic`` up to its current end (no waiting for more)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=KAFKA, enable_auto_commit=False, group_id=None,
                                isolation_level="read_committed")
    await consumer.start()
    try:
        metadata = await consumer._client.fetch_all_metadata()
        partitions = [TopicPartition(topic, p) for p in metadata.partitions_for_topic(topic) or ()]
        if not partitions:
            return []
        consumer.assign(partitions)
        end = await consumer.end_offsets(partitions)
        await consumer.seek_to_beginning(*partitions)
        records: list[ConsumerRecord[bytes, bytes]] = []
        for _ in range(10_000):  # bounded: a topic in a test holds far fewer batches
            behind = [tp for tp in partitions if await consumer.position(tp) < end[tp]]
            if not behind:
                break
            for batch in (await consumer.getmany(*behind, timeout_ms=500)).values():
                records.extend(batch)
        return records
    finally:
        await consumer.stop()


# --- every error answer is a problem (RFC 9457) -------------------------------------------------------------------

ERROR_ANSWERS: list[tuple[str, str, int]] = []  # (method, path template-ish, status) of every error answer checked


def problem_of(response: Any) -> dict[str, Any]:
    """The problem body of an error answer, after checking it is RFC 9457 application/problem+json as ours are."""
    from shared.infra.problems import CODES, PROBLEM_JSON

    where = f"{response.request.method} {response.request.url.path} → {response.status_code}"
    assert response.headers.get("content-type", "").startswith(PROBLEM_JSON), f"{where}: not problem+json"
    body = response.json()
    assert isinstance(body, dict), where
    for member in ("type", "title", "status", "detail", "code", "correlation_id", "errors"):
        assert member in body, f"{where}: no {member!r} in {body}"
    assert body["status"] == response.status_code, where
    assert body["code"] in CODES and CODES[body["code"]].status == response.status_code, f"{where}: code {body['code']}"
    assert body["type"] == CODES[body["code"]].type, where
    assert body["correlation_id"] == response.headers.get("x-correlation-id"), where
    assert all(set(e) == {"field", "code", "message"} for e in body["errors"]), where
    if response.status_code == 503:
        assert response.headers.get("retry-after", "").isdigit(), f"{where}: no Retry-After"
    ERROR_ANSWERS.append((response.request.method, response.request.url.path, response.status_code))
    return body  # type: ignore[no-any-return]


async def check_error_answer(response: Any) -> None:
    """An httpx response hook: every 4xx/5xx a test receives must be a problem (fails the test that got it)."""
    if response.status_code >= 400:
        await response.aread()
        problem_of(response)


DOC_PAGES = ("/docs", "/redoc")


def page_references(html: str) -> list[str]:
    """Every URL an API documentation page makes the browser load: scripts, styles, icons, the OpenAPI
    document (Swagger UI's ``url:``, ReDoc's ``spec-url``)."""
    import re

    found = re.findall(r'(?:src|href|spec-url)="([^"]*)"', html) + re.findall(r"\burl: '([^']*)'", html)
    return [url for url in found if url]


def foreign_references(html: str) -> list[str]:
    """What on the page would be fetched from another origin (a CDN, Google Fonts, a validator)."""
    return [url for url in page_references(html) if not url.startswith("/") or url.startswith("//")] + \
        [m for m in ("http://", "https://") if m in html]
