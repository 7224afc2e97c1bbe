"""The pieces a checkpoint is made of, as docs/contracts/verification.md specifies them: RFC 8785 canonical JSON,
the RFC 9162 Merkle Tree Hash, the statement, its hash and signature, and hash version 2 of an event."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime
from uuid import uuid4

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from shared.infra.checkpoints import Ed25519Signer
from shared.kernel.canonical import es_number, jcs
from shared.kernel.checkpoint import StreamHead, checkpoint_hash, merkle_root, record_value, signed_bytes, statement
from shared.kernel.envelope import Actor, EventEnvelope


def sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def test_canonical_json_is_rfc_8785() -> None:
    # RFC 8785 §3.2.2 and §3.2.3: sorting by UTF-16 code units, minimal escapes, ECMAScript numbers.
    assert jcs({"b": [1.0, 1e-7, 1e21, 0.1, -0.0], "a": "€\n\"\u001f", "\U0001f600": 1, "\ue000": 2}) == (
        '{"a":"€\\n\\"\\u001f","b":[1,1e-7,1e+21,0.1,0],"😀":1,"\ue000":2}')
    assert [es_number(x) for x in (333333333.33333329, 1e23, 5e-324, 123456789012345680000.0)] == [
        "333333333.3333333", "1e+23", "5e-324", "123456789012345680000"]
    with pytest.raises(ValueError):
        jcs({"amount_cents": 2**53})


def test_the_merkle_tree_hash_follows_rfc_9162() -> None:
    leaves = [b"a", b"b", b"c"]
    leaf = [sha(b"\x00" + x) for x in leaves]
    assert merkle_root([]) == sha(b"")
    assert merkle_root(leaves[:1]) == leaf[0]
    assert merkle_root(leaves[:2]) == sha(b"\x01" + leaf[0] + leaf[1])
    assert merkle_root(leaves) == sha(b"\x01" + sha(b"\x01" + leaf[0] + leaf[1]) + leaf[2])


def test_a_statement_is_signed_over_its_canonical_form_and_chains_by_hash() -> None:
    signer = Ed25519Signer.development("intake")
    heads = [StreamHead("client-b", 2, "b" * 64), StreamHead("client-a", 7, "a" * 64)]
    first = statement(service="intake", sequence=1, previous=None, time="2026-11-30T04:00:00Z", key_id=signer.key_id,
                      heads=heads)
    assert [s["stream_id"] for s in first["streams"]] == ["client-a", "client-b"]
    assert first["root"] == merkle_root([h.leaf() for h in sorted(heads)]).hex()
    assert StreamHead("s", 1, "a" * 64).leaf() == b'{"hash":"' + b"a" * 64 + b'","stream_id":"s","stream_version":1}'
    value = json.loads(record_value(first, signer.sign(signed_bytes(first))))
    Ed25519PublicKey.from_public_bytes(signer.public_key).verify(base64.b64decode(value["signature"]),
                                                                 jcs(value["statement"]).encode())
    second = statement(service="intake", sequence=2, previous=checkpoint_hash(first), time="2026-11-30T04:00:10Z",
                       key_id=signer.key_id, heads=[StreamHead("client-a", 8, "c" * 64)])
    assert second["previous"] == hashlib.sha256(jcs(first).encode()).hexdigest()


def test_hash_version_2_covers_every_header_and_the_data_in_canonical_form() -> None:
    envelope = EventEnvelope(
        id=uuid4(), source="/avain/budgeting", type="fi.avain.budgeting.BudgetDecided", schema_version=1,
        time=datetime(2026, 11, 30, 4, 0, 0, 5, tzinfo=UTC), subject="c-1", stream_id="budget-c-1", stream_version=2,
        correlation_id='corr "1"', causation_id=None, actor=Actor(id="w-1", role="worker"),
        data={"amount_cents": 60_000, "note": "ä"}, prev_hash="e" * 64).sealed()
    assert envelope.hash_version == 2
    headers = {k: v.decode() for k, v in envelope.kafka_headers()}
    assert headers["ce_hashversion"] == "2"
    hashed = {k[3:]: v for k, v in headers.items() if k.startswith("ce_") and k != "ce_hash"} | {"data": envelope.data}
    assert envelope.hash == hashlib.sha256(jcs(hashed).encode()).hexdigest()
    assert envelope.hash_with_data(envelope.kafka_value()) == envelope.hash
    back = EventEnvelope.from_kafka(envelope.kafka_headers(), envelope.kafka_value(), validate=False)
    assert back.content_hash() == envelope.hash
    for name in ("ce_actorid", "ce_correlationid", "ce_streamid"):  # every attribute is covered
        altered = [(k, v + b"x" if k == name else v) for k, v in envelope.kafka_headers()]
        assert EventEnvelope.from_kafka(altered, envelope.kafka_value(), validate=False).content_hash() != envelope.hash


def test_an_old_envelope_keeps_hash_version_1() -> None:
    old = EventEnvelope(
        id=uuid4(), source="/avain/intake", type="fi.avain.intake.ConsentGiven", schema_version=1,
        time=datetime.now(UTC), subject="c-1", stream_id="client-c-1", stream_version=1, correlation_id="c",
        actor=Actor(id="w", role="worker"), data={"given_by": "client"})
    v1 = old.model_copy(update={"hash": old.content_hash()})
    assert v1.hash_version == 1 and "ce_hashversion" not in dict(v1.kafka_headers())
    body = v1.model_dump(mode="json", exclude={"hash", "hash_version"})
    assert v1.hash == hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":"),
                                                ensure_ascii=False).encode()).hexdigest()
    assert EventEnvelope.from_kafka(v1.kafka_headers(), v1.kafka_value()).content_hash() == v1.hash
