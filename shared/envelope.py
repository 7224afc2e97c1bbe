"""The envelope every event travels in: CloudEvents 1.0 attributes plus Avain's extensions.

On Kafka it is written in CloudEvents *binary* mode: attributes as ``ce_*`` headers, the event data as the
JSON value, and the client id (the CloudEvents subject) as the key, so one client's events stay in order.
Nothing in the envelope is personal data: the subject is a pseudonymous client id, actors are user ids.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/json"

Role = Literal["client", "worker", "manager", "provider", "auditor", "system"]


class Actor(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    role: Role


class EventEnvelope(BaseModel):
    """One stored, published event. ``hash`` chains the events of a stream (tamper evidence)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: UUID
    source: str  # e.g. "/avain/intake"
    type: str  # e.g. "fi.avain.intake.ClientRegistered"
    schema_version: int = Field(ge=1)
    specversion: str = SPEC_VERSION
    time: datetime
    subject: str  # the pseudonymous client id (or provider id for catalogue events)
    stream_id: str
    stream_version: int = Field(ge=1)
    correlation_id: str
    causation_id: str | None = None
    actor: Actor
    data: dict[str, Any]
    prev_hash: str | None = None
    hash: str = ""

    @field_validator("time")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        # One representation of an instant, so the hash survives a round trip through PostgreSQL.
        if value.tzinfo is None:
            raise ValueError("time must carry a time zone")
        return value.astimezone(UTC)

    def content_hash(self) -> str:
        """SHA-256 over the canonical JSON of everything but ``hash``; covers ``prev_hash`` too."""
        body = self.model_dump(mode="json", exclude={"hash"})
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()

    def sealed(self) -> EventEnvelope:
        return self.model_copy(update={"hash": self.content_hash()})

    # --- Kafka binary mode -------------------------------------------------------------------------

    def kafka_key(self) -> bytes:
        return self.subject.encode()

    def kafka_value(self) -> bytes:
        return json.dumps(self.data, separators=(",", ":"), ensure_ascii=False).encode()

    def kafka_headers(self) -> list[tuple[str, bytes]]:
        attributes: dict[str, str | None] = {
            "ce_specversion": self.specversion,
            "ce_id": str(self.id),
            "ce_source": self.source,
            "ce_type": self.type,
            "ce_time": self.time.isoformat(),
            "ce_subject": self.subject,
            "ce_schemaversion": str(self.schema_version),
            "ce_streamid": self.stream_id,
            "ce_streamversion": str(self.stream_version),
            "ce_correlationid": self.correlation_id,
            "ce_causationid": self.causation_id,
            "ce_actorid": self.actor.id,
            "ce_actorrole": self.actor.role,
            "ce_prevhash": self.prev_hash,
            "ce_hash": self.hash,
            "content-type": CONTENT_TYPE,
        }
        return [(k, v.encode()) for k, v in attributes.items() if v is not None]

    @classmethod
    def from_kafka(cls, headers: list[tuple[str, bytes]] | tuple[tuple[str, bytes], ...], value: bytes) -> EventEnvelope:
        """Rebuild an envelope from a Kafka record; raises ValueError/ValidationError when malformed."""
        h = {k: v.decode() for k, v in headers}
        if h.get("ce_specversion") != SPEC_VERSION:
            raise ValueError("not a CloudEvents 1.0 binary-mode record")
        data = json.loads(value)
        if not isinstance(data, dict):
            raise ValueError("event data must be a JSON object")
        return cls(
            id=UUID(h["ce_id"]),
            source=h["ce_source"],
            type=h["ce_type"],
            schema_version=int(h["ce_schemaversion"]),
            time=datetime.fromisoformat(h["ce_time"]),
            subject=h["ce_subject"],
            stream_id=h["ce_streamid"],
            stream_version=int(h["ce_streamversion"]),
            correlation_id=h["ce_correlationid"],
            causation_id=h.get("ce_causationid"),
            actor=Actor(id=h["ce_actorid"], role=h["ce_actorrole"]),
            data=data,
            prev_hash=h.get("ce_prevhash"),
            hash=h.get("ce_hash", ""),
        )
