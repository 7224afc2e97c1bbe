"""Signed checkpoints against the real broker, database and a witness in a process of its own: every service
states the heads of the streams it published, signed with its key, chained, on its checkpoint topic and at the
witness (an append-only copy the operator does not control); the last one is made at shutdown."""

from __future__ import annotations

import asyncio
import base64
import json
import sys
from collections.abc import AsyncIterator
from itertools import pairwise
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from services.budgeting.bootstrap import create_app as budgeting_app
from services.history.adapters.log import KafkaLog
from services.intake.bootstrap import create_app as intake_app
from shared.infra.settings import ServiceSettings
from shared.kernel.canonical import jcs
from shared.kernel.checkpoint import StreamHead, checkpoint_hash, merkle_root
from tests.conftest import running_service
from tests.journeys import decided_budget
from tests.support import deadline, read_topic

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
KEYS = ROOT / "contracts" / "keys" / "checkpoint-keys.json"


async def everything(settings: ServiceSettings, topics: list[str]) -> list[Any]:
    """Every record of ``topics`` up to their ends now, read as the audit replay reads them."""
    async with KafkaLog(settings) as log:
        bounds = await log.ends(topics)
        return [r async for batch in log.records(bounds) for r in batch]


@pytest.fixture
async def witness(tmp_path: Path) -> AsyncIterator[str]:
    """The witness of tools/witness, a separate process with its own folder, on a free port."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, str(ROOT / "tools" / "witness" / "witness.py"), "--keys", str(KEYS), "--dir",
        str(tmp_path / "witness"), stdout=asyncio.subprocess.PIPE)
    assert proc.stdout is not None
    line = (await asyncio.wait_for(proc.stdout.readline(), timeout=deadline(30))).decode()
    try:
        yield line.rsplit(" ", 1)[-1].strip()
    finally:
        proc.terminate()
        await proc.wait()


def verify(value: bytes, keys: dict[str, tuple[str, Ed25519PublicKey]]) -> dict:
    record = json.loads(value)
    stated = record["statement"]
    service, key = keys[stated["key_id"]]
    assert service == stated["service"]
    key.verify(base64.b64decode(record["signature"]), jcs(stated).encode())  # raises when forged
    heads = [StreamHead(s["stream_id"], s["stream_version"], s["hash"]) for s in stated["streams"]]
    assert stated["root"] == merkle_root([h.leaf() for h in heads]).hex() and stated["tree_size"] == len(heads)
    return stated


async def test_services_sign_checkpoints_of_what_they_published_to_kafka_and_the_witness(
        settings: ServiceSettings, tokens, witness: str) -> None:
    s = settings.model_copy(update={"checkpoint_interval_seconds": 0.3, "witness_url": witness})
    async with running_service(intake_app, s, "intake") as intake, running_service(budgeting_app, s, "budgeting") as budgeting:
        cid = await decided_budget(intake, budgeting, tokens, 30_000)
        made = {"intake": intake.app.state.runtime.checkpointer, "budgeting": budgeting.app.state.runtime.checkpointer}
    # Both stopped: the last checkpoint of each was made at shutdown, after the relay's last round.
    keys = {k["key_id"]: (k["service"], Ed25519PublicKey.from_public_bytes(base64.b64decode(k["public_key"])))
            for k in json.loads(KEYS.read_text())["keys"]}
    for service in ("intake", "budgeting"):
        assert made[service].made >= 1, f"{service} made no checkpoint"
        records = await read_topic(f"{s.topic_prefix}avain.{service}.checkpoints.v1", made[service].made)
        statements = [verify(r.value, keys) for r in records]
        assert [st["sequence"] for st in statements] == list(range(1, len(statements) + 1))
        assert statements[0]["previous"] is None
        assert all(b["previous"] == checkpoint_hash(a) for a, b in pairwise(statements))
        assert {dict(r.headers)["ce_type"] for r in records} == {b"fi.avain.checkpoint.CheckpointSigned"}
        # Every stream's last published event is stated by the latest checkpoint naming the stream.
        latest: dict[str, tuple[int, str]] = {}
        for st in statements:
            latest.update({h["stream_id"]: (h["stream_version"], h["hash"]) for h in st["streams"]})
        events = await everything(s, [f"{s.topic_prefix}avain.{service}.events.v1",
                                      f"{s.topic_prefix}avain.access.events.v1"])
        heads: dict[str, tuple[int, str]] = {}
        for r in events:
            h = {k: v.decode() for k, v in r.headers}
            if h["ce_source"] == f"/avain/{service}":
                heads[h["ce_streamid"]] = max(heads.get(h["ce_streamid"], (0, "")), (int(h["ce_streamversion"]), h["ce_hash"]))
        assert heads and latest == heads
        # The witness holds the same chain, byte for byte.
        async with httpx.AsyncClient(base_url=witness, timeout=deadline(30)) as client:
            held = (await client.get(f"/v1/checkpoints/{service}")).content.splitlines()
        assert held == [r.value for r in records]
    assert cid


async def test_the_witness_refuses_a_forged_or_forking_checkpoint(witness: str) -> None:
    from shared.infra.checkpoints import Ed25519Signer
    from shared.kernel.checkpoint import record_value, signed_bytes, statement

    signer = Ed25519Signer.development("intake")
    first = statement(service="intake", sequence=1, previous=None, time="2026-11-30T04:00:00Z", key_id=signer.key_id,
                      heads=[StreamHead("client-x", 1, "a" * 64)])
    fork = {**first, "time": "2026-11-30T04:00:01Z"}
    stranger = Ed25519Signer.development("someone-else")
    async with httpx.AsyncClient(base_url=witness, timeout=deadline(30)) as client:
        forged = record_value(first, stranger.sign(signed_bytes(first)))
        assert (await client.post("/v1/checkpoints", content=forged)).status_code == 403
        kept = record_value(first, signer.sign(signed_bytes(first)))
        assert (await client.post("/v1/checkpoints", content=kept)).status_code == 201
        assert (await client.post("/v1/checkpoints", content=kept)).status_code == 200
        forked = record_value(fork, signer.sign(signed_bytes(fork)))
        assert (await client.post("/v1/checkpoints", content=forked)).status_code == 409
        later = statement(service="intake", sequence=3, previous=checkpoint_hash(first), time="2026-11-30T04:00:02Z",
                          key_id=signer.key_id, heads=[StreamHead("client-x", 2, "b" * 64)])
        gap = record_value(later, signer.sign(signed_bytes(later)))
        assert (await client.post("/v1/checkpoints", content=gap)).status_code == 409
        assert (await client.get("/v1/checkpoints/intake")).content.splitlines() == [kept]
