"""Contracts: committed JSON Schemas and AsyncAPI equal what the models generate; events are frozen and
strict; old versions read through upcasters; the envelope survives Kafka's binary mode."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from uuid import uuid4

import pytest
from pydantic import ValidationError

from contracts import generate
from contracts.intake import EVENTS, ConsentGiven
from shared.kernel.envelope import Actor, EventEnvelope
from shared.kernel.events import DomainEvent, EventRegistry, UnknownEventType


def test_committed_contracts_match_the_models() -> None:
    assert generate.main(["--check"]) == 0, "run: python -m contracts.generate"


def test_every_event_is_frozen_versioned_and_forbids_unknown_fields() -> None:
    for event in EVENTS:
        assert event.model_config.get("frozen") and event.model_config.get("extra") == "forbid"
        assert event.event_type.startswith("fi.avain.") and event.schema_version >= 1
    with pytest.raises(ValidationError):
        ConsentGiven(client_id=uuid4(), given_by="client", surprise=1)  # type: ignore[call-arg]


class NoteV2(DomainEvent):
    event_type = "fi.avain.test.Note"
    schema_version = 2
    text: str
    language: str


def test_old_versions_are_read_through_upcasters() -> None:
    registry = EventRegistry([NoteV2])
    registry.register_upcaster("fi.avain.test.Note", 1, lambda d: {**d, "language": "fi"})
    assert registry.load("fi.avain.test.Note", 1, {"text": "hei"}) == NoteV2(text="hei", language="fi")
    with pytest.raises(UnknownEventType):
        registry.load("fi.avain.test.Note", 3, {"text": "x", "language": "fi"})
    with pytest.raises(UnknownEventType):
        registry.load("fi.avain.test.Other", 1, {})


def test_envelope_round_trips_through_kafka_headers_and_the_hash_detects_tampering() -> None:
    envelope = EventEnvelope(
        id=uuid4(), source="/avain/intake", type="fi.avain.intake.ConsentGiven", schema_version=1,
        time=datetime.now(UTC), subject="c-1", stream_id="c-1", stream_version=2, correlation_id="corr",
        causation_id=None, actor=Actor(id="w-1", role="worker"), data={"given_by": "client"}, prev_hash="ab",
    ).sealed()
    back = EventEnvelope.from_kafka(envelope.kafka_headers(), envelope.kafka_value())
    assert back == envelope and back.content_hash() == back.hash
    assert envelope.kafka_key() == b"c-1"
    tampered = back.model_copy(update={"data": {"given_by": "guardian"}})
    assert tampered.content_hash() != tampered.hash
    with pytest.raises(ValueError):
        EventEnvelope.from_kafka([("ce_specversion", b"0.3")], b"{}")


@pytest.mark.parametrize("microsecond", [0, 120_000, 858_416])
@pytest.mark.parametrize(("causation", "correlation"), [(None, "corr-1"), ("cause-1", "corr-1"),
                                                         ('say "why"\\now', "corr\tline")])
def test_a_replay_verifies_a_record_from_its_bytes_exactly_as_the_full_hash_does(
        microsecond: int, causation: str | None, correlation: str) -> None:
    """The audit replay hashes a record's value as published instead of re-serialising the envelope; the two
    must agree for every event (or the replay would report intact chains as broken, or miss tampering)."""
    envelope = EventEnvelope(
        id=uuid4(), source="/avain/budgeting", type="fi.avain.budgeting.GoalSet", schema_version=3,
        time=datetime(2026, 11, 22, 20, 46, 18, microsecond, tzinfo=UTC), subject="c-1", stream_id="budget-c-1",
        stream_version=12, correlation_id=correlation, causation_id=causation, actor=Actor(id="työntekijä-1", role="worker"),
        data={"z": [1, {"b": None, "a": "ä\u2028"}], "amount_cents": 12_000, "title": {"ct": "x\"y", "alg": "A256GCM"}},
        prev_hash=None,
    ).sealed()
    value = envelope.kafka_value()
    assert envelope.hash_with_data(value) == envelope.content_hash() == envelope.hash
    trusted = EventEnvelope.from_kafka(envelope.kafka_headers(), value, validate=False)
    assert trusted == envelope and trusted.hash_with_data(value) == envelope.hash
    assert trusted.hash_with_data(value.replace(b"12000", b"12001")) != envelope.hash  # an altered value fails
    # A value published before values were canonical (keys in insertion order) fails the fast check only.
    unsorted = json.dumps(envelope.data, separators=(",", ":"), ensure_ascii=False).encode()
    assert trusted.hash_with_data(unsorted) != envelope.hash
    assert EventEnvelope.from_kafka(envelope.kafka_headers(), unsorted, validate=False).content_hash() == envelope.hash
