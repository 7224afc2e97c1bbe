"""Fails when any Kafka producer, consumer or FastStream subscriber in the code base is configured less
safely than the kernel's settings, or is built outside shared/infra/kafka.py (where the settings live)."""

from __future__ import annotations

import ast
from pathlib import Path

from faststream import AckPolicy

from shared.infra import kafka

ROOT = Path(__file__).resolve().parents[2]
CODE = [p for d in ("shared", "services", "contracts") for p in (ROOT / d).rglob("*.py")]
CLIENT_CLASSES = {"AIOKafkaProducer", "AIOKafkaConsumer", "KafkaBroker"}


def test_kernel_settings_are_safe() -> None:
    assert kafka.SAFE_PRODUCER_SETTINGS["enable_idempotence"] is True
    assert kafka.SAFE_PRODUCER_SETTINGS["acks"] == "all"
    assert kafka.SAFE_CONSUMER_SETTINGS["enable_auto_commit"] is False
    assert kafka.SAFE_SUBSCRIBER_SETTINGS["ack_policy"] is AckPolicy.MANUAL


async def test_built_clients_carry_the_safe_settings() -> None:
    producer = kafka.make_producer("127.0.0.1:1", client_id="t")  # not started: no broker needed
    assert producer._txn_manager is not None  # aiokafka keeps producer-id state only when idempotent
    assert producer._sender._acks == -1  # "all"
    broker = kafka.make_broker("127.0.0.1:1", client_id="t")
    subscriber = broker.subscriber("t", group_id="g", **kafka.SAFE_SUBSCRIBER_SETTINGS)
    assert subscriber.ack_policy is AckPolicy.MANUAL


def _calls(path: Path) -> list[ast.Call]:
    return [n for n in ast.walk(ast.parse(path.read_text())) if isinstance(n, ast.Call)]


def _name(call: ast.Call) -> str:
    f = call.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""


def test_no_kafka_client_is_built_outside_the_kernel() -> None:
    offenders = [f"{p.relative_to(ROOT)}:{c.lineno}" for p in CODE if p.name != "kafka.py" or p.parent.name != "infra"
                 for c in _calls(p) if _name(c) in CLIENT_CLASSES]
    assert offenders == [], "build Kafka clients with shared.infra.kafka.make_producer / make_broker"


def test_every_subscriber_sets_a_group_and_the_safe_settings() -> None:
    for path in CODE:
        for call in _calls(path):
            if _name(call) != "subscriber":
                continue
            keywords = {k.arg for k in call.keywords}
            spreads = [k.value for k in call.keywords if k.arg is None]
            assert "group_id" in keywords, f"{path}:{call.lineno} subscriber without group_id"
            assert any(isinstance(s, ast.Name) and s.id == "SAFE_SUBSCRIBER_SETTINGS" for s in spreads), (
                f"{path}:{call.lineno} subscriber without **SAFE_SUBSCRIBER_SETTINGS"
            )
            assert "ack_policy" not in keywords, f"{path}:{call.lineno} overrides the ack policy"
