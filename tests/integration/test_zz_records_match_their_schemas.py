"""After the integration suite (this module runs last in tests/integration): every record on every topic the
suite's services wrote matches the JSON Schema its ``ce_dataschema`` names, and its headers match the documented
CloudEvents headers. A record type without a published schema fails here.

Tests that publish broken records on purpose are marked ``poison`` and left out; dead letters are copies of the
records a consumer refused, so only their dead-letter headers are checked."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from jsonschema import Draft202012Validator, FormatChecker

from contracts.generate import CHECKPOINT_HEADERS
from shared.kernel.envelope import HEADERS, SCHEMA_BASE, dataschema_of
from tests.journeys import decided_budget
from tests.support import CHECKED_PREFIXES, KAFKA, from_the_start, reader

pytestmark = pytest.mark.integration
SCHEMAS = Path(__file__).resolve().parents[2] / "contracts" / "schemas"
TOPIC = re.compile(r"^(?P<prefix>.*)avain\.(?P<owner>[a-z]+)\.(?P<kind>events|deadletter|checkpoints)\.v1$")
SERVICES = {"intake", "budgeting", "marketplace", "followup", "history", "access"}


def _validator(uri: str, cache: dict[str, Draft202012Validator]) -> Draft202012Validator:
    if uri not in cache:
        assert uri.startswith(SCHEMA_BASE), uri
        path = SCHEMAS / uri.removeprefix(SCHEMA_BASE)
        assert path.exists(), f"no published schema {path.relative_to(SCHEMAS.parent)} for {uri}"
        cache[uri] = Draft202012Validator(json.loads(path.read_text()), format_checker=FormatChecker())
    return cache[uri]


def problems_of(topic: str, kind: str, headers: dict[str, bytes], value: bytes,
                cache: dict[str, Draft202012Validator]) -> list[str]:
    if kind == "deadletter":
        return [] if "dlt_reason" in headers else [f"{topic}: a dead letter without dlt_reason"]
    text = {k: v.decode() for k, v in headers.items()}
    if kind == "checkpoints":
        missing = [f"{topic}: header {n} missing" for n in CHECKPOINT_HEADERS if n not in text]
        return missing or [f"{topic}: checkpoint at {'/'.join(map(str, e.path))}: {e.message}"
                           for e in _validator(text["ce_dataschema"], cache).iter_errors(json.loads(value))]
    found = [f"{topic}: header {name} missing" for name, (required, _, _) in HEADERS.items()
             if required and name not in text]
    for name, raw in text.items():
        if name in HEADERS:
            found += [f"{topic}: header {name}: {e.message}"
                      for e in Draft202012Validator(HEADERS[name][1], format_checker=FormatChecker()).iter_errors(raw)]
    if found:
        return found
    uri = text["ce_dataschema"]
    if uri != dataschema_of(text["ce_type"], int(text["ce_schemaversion"])):
        return [f"{topic}: ce_dataschema {uri} is not the schema of {text['ce_type']} v{text['ce_schemaversion']}"]
    validator = _validator(uri, cache)
    return [f"{topic}: {text['ce_type']} at {'/'.join(map(str, e.path))}: {e.message}"
            for e in validator.iter_errors(json.loads(value))]


async def read_everything(prefixes: list[str]) -> list[tuple[str, str, dict[str, bytes], bytes]]:
    admin = AIOKafkaAdminClient(bootstrap_servers=KAFKA)
    await admin.start()
    try:
        names = [t for t in await admin.list_topics() if (m := TOPIC.match(t)) and m["prefix"] in prefixes
                 and m["owner"] in SERVICES]
    finally:
        await admin.close()
    consumer = reader(max_poll_records=5000)
    await consumer.start()
    try:
        metadata = await consumer._client.fetch_all_metadata()
        partitions = [TopicPartition(t, p) for t in names for p in metadata.partitions_for_topic(t) or ()]
        await from_the_start(consumer, partitions)  # not seek_to_beginning: see from_the_start
        end = await consumer.end_offsets(partitions)
        records: list[tuple[str, str, dict[str, bytes], bytes]] = []
        pending = {tp for tp in partitions if end[tp] > 0}
        for _ in range(100_000):
            if not pending:
                break
            for tp, batch in (await consumer.getmany(*pending, timeout_ms=1000)).items():
                kind = TOPIC.match(tp.topic)["kind"]  # type: ignore[index]
                records += [(tp.topic, kind, dict(r.headers), r.value) for r in batch if r.offset < end[tp]]
            pending = {tp for tp in pending if await consumer.position(tp) < end[tp]}
        return records
    finally:
        await consumer.stop()


async def test_every_record_on_every_topic_matches_its_published_schema(intake, budgeting, tokens, settings) -> None:
    # Records of its own, so the check always has something to check even when run alone.
    await decided_budget(intake, budgeting, tokens, 25_000)
    await intake.get("/clients", headers=tokens("worker-aino", "worker"))
    records = await read_everything(list(dict.fromkeys(CHECKED_PREFIXES)))
    cache: dict[str, Any] = {}
    problems = [p for topic, kind, headers, value in records for p in problems_of(topic, kind, headers, value, cache)]
    assert not problems, f"{len(problems)} records do not match their schemas, e.g.:\n" + "\n".join(problems[:20])
    types = Counter(headers.get("ce_type", b"").decode() for _, kind, headers, _ in records if kind != "deadletter")
    assert types["fi.avain.intake.ClientRegistered"] >= 1 and types["fi.avain.budgeting.BudgetDecided"] >= 1
    print(f"{len(records)} records of {len(types)} types checked against their schemas")
