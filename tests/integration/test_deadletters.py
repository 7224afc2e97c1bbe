"""Dead letters of a real consuming service (budgeting, against the real broker and database): a malformed
record and well-formed events that break a rule are set aside with their reason and original headers while
the consumer goes on; `python -m shared.infra.deadletters` lists them and, after a fix, re-drives one, which is then
applied exactly once and never re-driven twice."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any, ClassVar
from uuid import UUID, uuid4

import pytest

from contracts import intake as intake_events
from shared.infra.deadletters import DeadLetter, DeadLetterTopic
from shared.infra.settings import ServiceSettings
from shared.kernel.envelope import EventEnvelope
from tests.support import deadline, envelope_of, eventually, publish

pytestmark = [pytest.mark.integration, pytest.mark.poison]
ROOT = Path(__file__).resolve().parents[2]
SCORES = {"general_ability": 5, "mental_wellbeing": 4, "social_participation": 3, "physical_functioning": 7,
          "competence": 6, "everyday_life": 4}


def completed(client_id: UUID, **overrides: Any) -> dict[str, Any]:
    return {"client_id": str(client_id), "coordinator_id": "worker-aino", "service_task": "families_with_children",
            "municipality": "Tampere", "preferred_language": "fi", "baseline_scores": SCORES} | overrides


def raw_envelope(data: dict[str, Any], subject: UUID, *, schema_version: int = 1) -> EventEnvelope:
    template = envelope_of(intake_events.IntakeCompleted.model_validate(completed(subject)), subject=str(subject),
                           source="/avain/intake", actor_role="worker")
    return template.model_copy(update={"data": data, "schema_version": schema_version}).sealed()


class IntakeCompletedV2(intake_events.IntakeCompleted):
    """What intake will publish next: v2 adds where the referral came from. Budgeting has no reader yet."""

    schema_version: ClassVar[int] = 2
    referral_source: str | None = None


async def cli(settings: ServiceSettings, *args: str) -> tuple[int, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "AVAIN_TOPIC_PREFIX": settings.topic_prefix,
           "AVAIN_KAFKA_BOOTSTRAP": settings.kafka_bootstrap}
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "shared.infra.deadletters", *args, "--service",
                                                "budgeting", env=env, cwd=ROOT, stdout=asyncio.subprocess.PIPE,
                                                stderr=asyncio.subprocess.STDOUT)
    out, _ = await asyncio.wait_for(proc.communicate(), timeout=deadline(60))
    return proc.returncode or 0, out.decode()


async def test_poison_goes_aside_the_consumer_goes_on_and_a_fixed_one_is_redriven_once(budgeting, settings):
    runtime = budgeting.app.state.runtime
    pool, consumer = runtime.pool, runtime.consumers["process-manager"]
    intake_topic = runtime.topic_of("intake")
    newer_client, good_client, bad_client = uuid4(), uuid4(), uuid4()
    malformed_id = str(uuid4()).encode()
    invalid = raw_envelope(completed(bad_client, service_task="not-a-service-task"), bad_client)
    newer = raw_envelope(completed(newer_client, referral_source="school"), newer_client, schema_version=2)
    good = envelope_of(intake_events.IntakeCompleted.model_validate(completed(good_client)), subject=str(good_client),
                       source="/avain/intake", actor_role="worker")

    from shared.infra.kafka import make_producer

    producer = make_producer(settings.kafka_bootstrap, client_id="test-publisher")
    await producer.start()
    try:
        # Declared JSON like every envelope, but broken: FastStream must not choke on it before the kernel sees it.
        await producer.send_and_wait(intake_topic, value=b"{not json", key=b"k-1",
                                     headers=[("ce_specversion", b"1.0"), ("ce_id", malformed_id),
                                              ("content-type", b"application/json")])
    finally:
        await producer.stop()
    await publish(intake_topic, [invalid, newer, good])

    async def budgets(client: UUID) -> int:
        return int(await pool.fetchval("SELECT count(*) FROM events WHERE stream_id = $1 AND event_type LIKE"
                                       " '%BudgetOpened'", f"budget-{client}"))

    # The consumer went on past the three it could not apply.
    await eventually(lambda: budgets(good_client), timeout=30)
    dlt = DeadLetterTopic(settings.kafka_bootstrap, settings.topic_prefix, "budgeting")

    # Budgeting's process manager sets aside all three; its copy of the people (the staff directory's listener,
    # which reads the intake topic too) sets aside the malformed record as well: each consumer answers for itself.
    async def four_letters() -> list[DeadLetter] | None:
        letters = await dlt.read_all()
        return letters if len(letters) == 4 else None

    letters: list[DeadLetter] = await eventually(four_letters, timeout=30)
    assert [d.header("ce_id") for d in letters if d.header("dlt_consumer") == "people"] == [malformed_id.decode()]
    by_event = {d.header("ce_id"): d for d in letters if d.header("dlt_consumer") == "process-manager"}
    assert len(by_event) == 3
    assert by_event[malformed_id.decode()].header("dlt_reason") == "malformed record: JSONDecodeError"
    assert by_event[malformed_id.decode()].value == b"{not json"
    invalid_letter = by_event[str(invalid.id)]
    assert (invalid_letter.header("dlt_reason") or "").startswith("invalid event data: service_task:")
    assert "not-a-service-task" not in (invalid_letter.header("dlt_reason") or "")  # never echoes input
    newer_letter = by_event[str(newer.id)]
    assert "v2 is newer than this service knows" in (newer_letter.header("dlt_reason") or "")
    for letter, original in ((invalid_letter, invalid), (newer_letter, newer)):  # the whole record, beside the reason
        assert letter.original_headers == original.kafka_headers() and letter.value == original.kafka_value()
        assert letter.header("dlt_topic") == intake_topic and letter.header("dlt_consumer") == "process-manager"
        assert letter.header("dlt_offset") is not None and letter.header("dlt_failed_at") is not None
    assert await budgets(newer_client) == 0 and await budgets(bad_client) == 0
    assert not await pool.fetchval("SELECT count(*) FROM inbox WHERE event_id = ANY($1::uuid[])",
                                   [invalid.id, newer.id])  # nothing of a refused record stays behind

    code, out = await cli(settings, "list")
    assert code == 0 and "4 dead letters, 4 pending" in out, out

    # The fix: budgeting gets a reader for IntakeCompleted v2 (deployed), then the operator re-drives.
    registry = intake_events.registry
    registry.register(IntakeCompletedV2)
    registry.register_upcaster(IntakeCompletedV2.event_type, 1, lambda data: data)
    try:
        code, out = await cli(settings, "redrive", "--offset", newer_letter.id)
        assert code == 0 and f"re-driven: {newer_letter.id}" in out, out
        await eventually(lambda: budgets(newer_client), timeout=30)
        assert await pool.fetchval("SELECT count(*) FROM inbox WHERE event_id = $1", newer.id) == 1

        code, out = await cli(settings, "redrive", "--offset", newer_letter.id)  # not twice
        assert code == 1 and "already re-driven" in out, out

        # Were it re-driven twice anyway (a crash between publishing and recording), the inbox drops it.
        duplicates = consumer.outcomes["duplicate"]
        await publish(intake_topic, [newer])
        await eventually(lambda: consumer.outcomes["duplicate"] == duplicates + 1, timeout=30)
        assert await budgets(newer_client) == 1
    finally:
        registry.register(intake_events.IntakeCompleted)
        registry._upcasters.pop((IntakeCompletedV2.event_type, 1), None)

    # --all re-drives the rest; still wrong, they come back as new dead letters, and nothing else happens.
    result = await dlt.redrive(None)
    malformed_letters = [d.id for d in letters if d.header("ce_id") == malformed_id.decode()]
    assert sorted(result.redriven) == sorted([invalid_letter.id, *malformed_letters])
    assert result.skipped == [newer_letter.id]

    # Re-driven to the topic, the malformed record (twice: one letter per consumer) reaches both consumers again.
    async def nine_letters() -> list[DeadLetter] | None:
        letters = await dlt.read_all()
        return letters if len(letters) == 9 else None

    after: list[DeadLetter] = await eventually(nine_letters, timeout=30)
    assert sorted((d.header("dlt_consumer") or "", d.header("ce_id") or "") for d in after if not d.redriven) == sorted(
        [*[("process-manager", malformed_id.decode())] * 2, ("process-manager", str(invalid.id)),
         *[("people", malformed_id.decode())] * 2])
    assert await budgets(bad_client) == 0 and await budgets(newer_client) == 1 and await budgets(good_client) == 1


async def test_a_record_whose_headers_are_not_text_is_dead_lettered_and_the_batch_around_it_applied(budgeting,
                                                                                                       settings):
    """FastStream decodes every header of a fetch as UTF-8; one that is not failed the whole fetch before our
    handler, so the record was neither applied nor set aside (and skipped once a later offset was committed)."""
    runtime = budgeting.app.state.runtime
    intake_topic = runtime.topic_of("intake")
    before, after = uuid4(), uuid4()
    envelopes = [envelope_of(intake_events.IntakeCompleted.model_validate(completed(c)), subject=str(c),
                             source="/avain/intake", actor_role="worker") for c in (before, after)]
    broken_id = str(uuid4())
    broken_headers = [(k, v) for k, v in envelopes[0].kafka_headers() if k != "ce_id"]
    broken_headers += [("ce_id", broken_id.encode()), ("ce_source", b"\xff\xfe not text")]

    from shared.infra.kafka import make_producer

    producer = make_producer(settings.kafka_bootstrap, client_id="test-publisher")
    await producer.start()
    try:  # one after another, so that one fetch brings them together
        for value, headers in ((envelopes[0].kafka_value(), envelopes[0].kafka_headers()),
                               (b"{}", broken_headers), (envelopes[1].kafka_value(), envelopes[1].kafka_headers())):
            await producer.send(intake_topic, value=value, key=b"k", headers=headers)
        await producer.flush()
    finally:
        await producer.stop()

    async def opened() -> bool:
        return bool(await runtime.pool.fetchval(
            "SELECT count(*) = 2 FROM events WHERE stream_id = ANY($1::text[]) AND event_type LIKE '%BudgetOpened'",
            [f"budget-{before}", f"budget-{after}"]))

    await eventually(opened, timeout=30)
    dlt = DeadLetterTopic(settings.kafka_bootstrap, settings.topic_prefix, "budgeting")

    async def letter() -> DeadLetter | None:
        return next((d for d in await dlt.read_all() if d.header("ce_id") == broken_id), None)

    found: DeadLetter = await eventually(letter, timeout=30)
    assert found.header("dlt_reason") == "malformed record: UnicodeDecodeError"
    assert ("ce_source", b"\xff\xfe not text") in found.original_headers  # set aside as it came


async def test_a_database_restart_inside_a_handler_is_retried_never_dead_lettered(settings: ServiceSettings):
    """AdminShutdown ("terminating connection due to administrator command") is what a handler sees when
    PostgreSQL restarts under it: the record waits for the database, however many attempts that takes."""
    import asyncpg
    from aiokafka.structs import ConsumerRecord

    from shared.infra.consumer import IdempotentConsumer
    from shared.infra.db import KERNEL_MIGRATIONS, create_pool, ensure_database, migrate

    database = settings.database("kernel")
    await ensure_database(settings.pg_dsn, database)
    pool = await create_pool(settings.pg_dsn, database)
    try:
        await migrate(pool, [KERNEL_MIGRATIONS])
        failures = iter([asyncpg.AdminShutdownError, asyncpg.CannotConnectNowError, asyncpg.AdminShutdownError,
                         asyncpg.CrashShutdownError, asyncpg.AdminShutdownError])

        async def handler(conn: Any, envelope: EventEnvelope) -> None:
            failure = next(failures, None)
            if failure is not None:
                raise failure("the database is restarting")

        class NoDeadLetters:
            async def send(self, *_: Any) -> None:
                raise AssertionError("a database restart is no reason to dead-letter")

        consumer = IdempotentConsumer(pool, "restart-test", handler, NoDeadLetters(),  # type: ignore[arg-type]
                                      backoff_seconds=0.01)
        subject = uuid4()
        e = envelope_of(intake_events.IntakeCompleted.model_validate(completed(subject)), subject=str(subject),
                        source="/avain/intake")
        record = ConsumerRecord("t", 0, 0, 0, 0, e.kafka_key(), e.kafka_value(), None, 0, 0, e.kafka_headers())
        # (a dead-letter attempt would retry its failing send forever: the deadline turns that into a failure)
        assert await asyncio.wait_for(consumer.process(record), timeout=deadline(15)) == "applied"
        assert await pool.fetchval("SELECT count(*) FROM inbox") == 1
    finally:
        await pool.close()
        conn = await asyncpg.connect(settings.pg_dsn)
        await conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        await conn.close()
