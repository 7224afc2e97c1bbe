"""Signed checkpoints of a service's log, made periodically and at shutdown, sent to Kafka and to a witness.

The outbox relay tells the checkpointer each stream head it has published (acknowledged by Kafka), before it
marks the rows published: ``checkpoint_pending`` holds the newest unstated head per stream, so a crash only
restates a head, never skips one. Every ``interval`` seconds with something pending (and once at shutdown) the
checkpointer states those heads in a checkpoint (shared/kernel/checkpoint.py), chains it to the previous one,
has the signer sign it, stores it, and then publishes it on ``<prefix>avain.<service>.checkpoints.v1`` and posts
it to the witness, in sequence order, each at least once. Checkpoints state only published events, so a replay
never finds a checkpoint ahead of the log it covers.

The signing key lives only in the signer: a key file mounted into the process (``AVAIN_CHECKPOINT_KEY_FILE``,
an Ed25519 private key in PKCS#8 PEM; a KMS later behind the same two methods), never in a database a service
can write. Development and tests without a key file use a per-service development key anyone can derive (its
public key is in contracts/keys/ marked so); production refuses to start without a key file.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol
from uuid import uuid4

import asyncpg
import httpx
import structlog
from aiokafka import AIOKafkaProducer
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shared.kernel.checkpoint import (
    CHECKPOINT_TYPE,
    StreamHead,
    checkpoint_hash,
    key_id_of,
    record_value,
    signed_bytes,
    statement,
)
from shared.kernel.envelope import CONTENT_TYPE, SPEC_VERSION, EventEnvelope, dataschema_of

log = structlog.get_logger(__name__)

LOCK = "avain.checkpoints"
MAX_STREAMS = 2000  # heads per checkpoint: keeps a record far below Kafka's 1 MB message limit


class Signer(Protocol):
    key_id: str

    def sign(self, data: bytes) -> bytes: ...


class Ed25519Signer:
    def __init__(self, key: Ed25519PrivateKey) -> None:
        self._key = key
        self.public_key = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        self.key_id = key_id_of(self.public_key)

    def sign(self, data: bytes) -> bytes:
        return self._key.sign(data)

    @classmethod
    def from_file(cls, path: Path) -> Ed25519Signer:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"{path} is not an Ed25519 private key")
        return cls(key)

    @classmethod
    def development(cls, service: str) -> Ed25519Signer:
        """A key anyone can derive: for development and tests only (contracts/keys/ marks it so)."""
        seed = hashlib.sha256(f"avain development checkpoint key: {service}".encode()).digest()
        return cls(Ed25519PrivateKey.from_private_bytes(seed))


def signer_for(service: str, key_file: Path | None, env: str) -> Ed25519Signer:
    if key_file is not None:
        return Ed25519Signer.from_file(key_file)
    if env == "production":
        raise ValueError("production signs checkpoints with its own key: set AVAIN_CHECKPOINT_KEY_FILE")
    return Ed25519Signer.development(service)


class Checkpointer:
    def __init__(self, pool: asyncpg.Pool, producer: AIOKafkaProducer, signer: Signer, *, service: str, topic: str,
                 interval: float = 10.0, witness_url: str | None = None) -> None:
        self._pool, self._producer, self._signer = pool, producer, signer
        self.service, self.topic, self.interval, self.witness_url = service, topic, interval, witness_url
        self._stopping = asyncio.Event()
        self.made = 0

    async def note_published(self, envelopes: Sequence[EventEnvelope]) -> None:
        """Called by the outbox relay after Kafka acknowledged these events and before it marks them."""
        newest: dict[str, EventEnvelope] = {}
        for e in envelopes:
            if e.stream_id not in newest or newest[e.stream_id].stream_version < e.stream_version:
                newest[e.stream_id] = e
        if not newest:
            return
        heads = list(newest.values())
        await self._pool.execute(
            "INSERT INTO checkpoint_pending (stream_id, stream_version, hash)"
            " SELECT * FROM unnest($1::text[], $2::int[], $3::text[])"
            " ON CONFLICT (stream_id) DO UPDATE SET stream_version = EXCLUDED.stream_version, hash = EXCLUDED.hash"
            " WHERE checkpoint_pending.stream_version < EXCLUDED.stream_version",
            [h.stream_id for h in heads], [h.stream_version for h in heads], [h.hash for h in heads])

    async def checkpoint(self) -> int:
        """State every pending head in checkpoints (up to MAX_STREAMS each); returns how many were made."""
        made = 0
        while True:
            async with self._pool.acquire() as conn, conn.transaction():
                await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", LOCK)  # one chain, one writer
                rows = await conn.fetch(
                    "DELETE FROM checkpoint_pending WHERE stream_id IN (SELECT stream_id FROM checkpoint_pending"
                    " ORDER BY stream_id LIMIT $1) RETURNING stream_id, stream_version, hash", MAX_STREAMS)
                if not rows:
                    return made
                last = await conn.fetchrow("SELECT sequence, checkpoint_hash FROM checkpoints"
                                           " ORDER BY sequence DESC LIMIT 1")
                now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
                stated = statement(service=self.service, sequence=(last["sequence"] + 1) if last else 1,
                                   previous=last["checkpoint_hash"] if last else None, time=now,
                                   key_id=self._signer.key_id,
                                   heads=[StreamHead(r["stream_id"], r["stream_version"], r["hash"]) for r in rows])
                signature = self._signer.sign(signed_bytes(stated))
                await conn.execute(
                    "INSERT INTO checkpoints (sequence, record_id, value, checkpoint_hash, stated_at)"
                    " VALUES ($1, $2, $3, $4, $5)", stated["sequence"], uuid4(),
                    record_value(stated, signature).decode(), checkpoint_hash(stated), datetime.now(UTC))
            made += 1
            self.made += 1

    async def publish(self) -> None:
        """Send stored checkpoints to Kafka, then to the witness, each in sequence order, at least once."""
        for row in await self._pool.fetch("SELECT * FROM checkpoints WHERE published_at IS NULL ORDER BY sequence"):
            await self._producer.send_and_wait(self.topic, value=row["value"].encode(), key=self.service.encode(),
                                               headers=self._headers(row))
            await self._pool.execute("UPDATE checkpoints SET published_at = now() WHERE sequence = $1", row["sequence"])
        if self.witness_url is None:
            return
        rows = await self._pool.fetch("SELECT sequence, value FROM checkpoints WHERE witnessed_at IS NULL"
                                      " AND published_at IS NOT NULL ORDER BY sequence")
        if not rows:
            return
        async with httpx.AsyncClient(base_url=self.witness_url, timeout=10) as witness:
            for row in rows:
                answer = await witness.post("/v1/checkpoints", content=row["value"],
                                            headers={"Content-Type": CONTENT_TYPE})
                if answer.status_code not in (200, 201):
                    # 409: the witness holds another checkpoint at this place: a fork someone must look at.
                    log.error("checkpoint_refused_by_witness", sequence=row["sequence"], status=answer.status_code)
                    return
                await self._pool.execute("UPDATE checkpoints SET witnessed_at = now() WHERE sequence = $1",
                                         row["sequence"])

    def _headers(self, row: asyncpg.Record) -> list[tuple[str, bytes]]:
        return [(k, v.encode()) for k, v in (
            ("ce_specversion", SPEC_VERSION), ("ce_id", str(row["record_id"])), ("ce_source", f"/avain/{self.service}"),
            ("ce_type", CHECKPOINT_TYPE), ("ce_time", row["stated_at"].isoformat()), ("ce_subject", self.service),
            ("ce_dataschema", dataschema_of(CHECKPOINT_TYPE, 1)), ("content-type", CONTENT_TYPE))]

    async def round(self) -> None:
        try:
            await self.checkpoint()
            await self.publish()
        except Exception as exc:  # noqa: BLE001 - database, broker or witness away: the next round tries again
            log.warning("checkpoint_round_failed", error=type(exc).__name__)

    async def run(self) -> None:
        while not self._stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.interval)
            if not self._stopping.is_set():
                await self.round()

    def stop(self) -> None:
        """Leave ``run``; the owner then calls ``round`` once more, after the relay's last round (shutdown)."""
        self._stopping.set()
