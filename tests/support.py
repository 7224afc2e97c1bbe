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
# A deadline in a test detects a failure; it is no performance requirement (those are in bench/). Tests state
# deadlines as a quiet machine needs them, and they are stretched by this factor: the suite runs on two cores
# that several engineers' suites share (load averages of 20 were seen), where everything takes ten times as
# long. A wait ends as soon as its condition holds, so a long deadline costs nothing when the test passes.
SLOWDOWN = float(os.environ.get("AVAIN_TEST_SLOWDOWN", "4"))


def deadline(seconds: float) -> float:
    """``seconds`` on a quiet machine, in seconds on this one (see SLOWDOWN)."""
    return seconds * SLOWDOWN


def reader(**settings: Any) -> AIOKafkaConsumer:
    """A consumer for reading topics in tests: no group, no commits, read_committed, "earliest" (see
    from_the_start), and requests (offsets, metadata) given as long as the loaded machine needs: a broker at a
    load average of 30 let aiokafka's default 40 s pass."""
    from shared.infra.kafka import make_consumer

    return make_consumer(KAFKA, client_id="test-reader", **{"request_timeout_ms": int(deadline(40) * 1000)} | settings)


async def partitions_of(consumer: AIOKafkaConsumer, topic: str, *, timeout: float = 30.0) -> list[TopicPartition]:
    """The partitions of ``topic``, once the broker lists it with a leader for each: a topic created a moment
    ago may not be in the broker's metadata yet. Fails when the topic does not appear before the deadline.
    (Full metadata, never a request for the topic by name: that would create a missing topic.)"""
    loop = asyncio.get_running_loop()
    end = loop.time() + deadline(timeout)
    while True:
        metadata = await consumer._client.fetch_all_metadata()
        found = [TopicPartition(topic, p) for p in sorted(metadata.partitions_for_topic(topic) or ())]
        if found and all(metadata.leader_for_partition(tp) not in (None, -1) for tp in found):
            return found
        assert loop.time() < end, f"topic {topic} does not exist (or a partition has no leader)"
        await asyncio.sleep(0.2)


async def from_the_start(consumer: AIOKafkaConsumer, partitions: list[TopicPartition]) -> None:
    """Assign ``partitions`` and put each at its first offset.

    With an explicit seek, not ``seek_to_beginning``: on assignment aiokafka resets each position in the
    background with the consumer's auto_offset_reset, and when that answer comes after a ``seek_to_beginning``
    it is applied instead (to whichever reset is pending). With "latest", a read then started at the end of the
    topic and found nothing: the access-log test's "no records" under load. A seek leaves no reset pending."""
    consumer.assign(partitions)
    for tp, first in (await consumer.beginning_offsets(partitions)).items():
        consumer.seek(tp, first)


async def read_topic(topic: str, count: int, *, timeout: float = 30.0) -> list[ConsumerRecord[bytes, bytes]]:
    """Every record of ``topic`` from the start, until at least ``count`` arrived or the deadline passed (the
    caller asserts on what came). Waits for the topic to exist."""
    consumer = reader()
    await consumer.start()
    records: list[ConsumerRecord[bytes, bytes]] = []
    try:
        loop = asyncio.get_running_loop()
        end = loop.time() + deadline(timeout)
        await from_the_start(consumer, await partitions_of(consumer, topic, timeout=timeout))
        while len(records) < count and loop.time() < end:
            for batch in (await consumer.getmany(timeout_ms=300)).values():
                records.extend(batch)
    finally:
        await consumer.stop()
    return records


async def eventually(check: Callable[[], Any], *, timeout: float = 15.0, interval: float = 0.1) -> Any:
    """Poll ``check`` (sync or async) until it returns a truthy value; fail with the last value. ``timeout``: as
    a quiet machine needs it (stretched by SLOWDOWN)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + deadline(timeout)
    while True:
        value = check()
        if asyncio.iscoroutine(value):
            value = await value
        if value or loop.time() > end:
            assert value, f"condition not met within {deadline(timeout):.0f} s"
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
    """Every record of ``topic`` up to its current end (no waiting for more; the topic must exist)."""
    consumer = reader()
    await consumer.start()
    try:
        partitions = await partitions_of(consumer, topic)
        await from_the_start(consumer, partitions)
        end = await consumer.end_offsets(partitions)
        records: list[ConsumerRecord[bytes, bytes]] = []
        loop = asyncio.get_running_loop()
        give_up = loop.time() + deadline(30)
        while behind := [tp for tp in partitions if await consumer.position(tp) < end[tp]]:
            assert loop.time() < give_up, f"could not read {topic} to its end"
            for tp, batch in (await consumer.getmany(*behind, timeout_ms=500)).items():
                records.extend(r for r in batch if r.offset < end[tp])
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
