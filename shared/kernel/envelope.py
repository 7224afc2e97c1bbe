"""The envelope every event travels in: CloudEvents 1.0 attributes plus Avain's extensions.

On Kafka it is written in CloudEvents *binary* mode: attributes as ``ce_*`` headers, the event data as the
JSON value, and the client id (the CloudEvents subject) as the key, so one client's events stay in order.
Nothing in the envelope is personal data: the subject is a pseudonymous client id, actors are user ids.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar, get_args
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator

from shared.kernel.canonical import jcs

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/json"
# Where each event version's JSON Schema is published (contracts/schemas/<service>/<Event>.v<N>.json): the
# schema's ``$id`` and every record's ``ce_dataschema``.
SCHEMA_BASE = "https://avain.example/contracts/"

# planner: the region's planner, who reads aggregated figures (effectiveness) and no client's data.
# representative: a guardian or another representative acting for a client (ADR 0026).
Role = Literal["client", "worker", "manager", "provider", "auditor", "system", "integration", "planner",
               "representative"]


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
    # How ``hash`` is computed (docs/contracts/verification.md): 1 = SHA-256 over this model's canonical JSON (the
    # events appended before issue 22), 2 = SHA-256 over the RFC 8785 form of the record's CloudEvents attributes
    # and data. An envelope without it (stored before) is version 1; new events are sealed as version 2.
    hash_version: Literal[1, 2] = 1

    @field_validator("time")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        # One representation of an instant, so the hash survives a round trip through PostgreSQL.
        if value.tzinfo is None:
            raise ValueError("time must carry a time zone")
        return value.astimezone(UTC)

    def content_hash(self) -> str:
        """The hash of everything but ``hash`` itself (covers ``prev_hash``, so it chains), by ``hash_version``."""
        if self.hash_version == 2:
            return hashlib.sha256(jcs(self.hashed_attributes() | {"data": self.data}).encode()).hexdigest()
        body = self.model_dump(mode="json", exclude={"hash", "hash_version"})
        return hashlib.sha256(canonical_json(body).encode()).hexdigest()

    def hashed_attributes(self) -> dict[str, str]:
        """Hash v2's attributes: every ``ce_*`` header the record carries but ``ce_hash``, named without ``ce_``."""
        return {k[3:]: v.decode() for k, v in self.kafka_headers() if k.startswith("ce_") and k != "ce_hash"}

    def sealed(self) -> EventEnvelope:
        """The envelope with its hash, as version 2 (the version every new event is appended with)."""
        v2 = self.model_copy(update={"hash_version": 2})
        return v2.model_copy(update={"hash": v2.content_hash()})

    # --- Kafka binary mode -------------------------------------------------------------------------

    def kafka_key(self) -> bytes:
        return self.subject.encode()

    def kafka_value(self) -> bytes:
        """The data in canonical form (RFC 8785 for hash v2; sorted keys for v1): exactly the bytes the hash covers,
        so a replay can verify a record's hash without parsing and re-serialising its data (``hash_with_data``)."""
        return (jcs(self.data) if self.hash_version == 2 else canonical_json(self.data)).encode()

    def hash_with_data(self, data_json: bytes) -> str:
        """``content_hash`` with the data given as its canonical JSON bytes (a record's value as published).

        The canonical form of ``content_hash`` put together around the bytes, instead of dumping the whole
        envelope: the part of a replay that would otherwise cost twice as much as reading the record. Equal to
        ``content_hash()`` whenever ``data_json`` is canonical; a value that is not (published before values
        were canonical) simply fails here and is checked the slow way."""
        if self.hash_version == 2:
            head, _, tail = jcs(self.hashed_attributes() | {"data": 0}).partition('"data":0')
            return hashlib.sha256(head.encode() + b'"data":' + data_json + tail.encode()).hexdigest()
        actor, time = self.actor, self.time.isoformat().replace("+00:00", "Z")
        texts = (actor.id, actor.role, self.causation_id or "", self.correlation_id, self.prev_hash or "", self.source,
                 self.specversion, self.stream_id, self.subject, self.type)
        joined = "".join(texts)
        if not joined.isprintable() or '"' in joined or "\\" in joined:  # rare: let json.dumps escape them
            head = (f'{{"actor":{{"id":{_js(actor.id)},"role":{_js(actor.role)}}},'
                    f'"causation_id":{_js(self.causation_id)},"correlation_id":{_js(self.correlation_id)},"data":')
            tail = (f',"id":"{self.id}","prev_hash":{_js(self.prev_hash)},"schema_version":{self.schema_version},'
                    f'"source":{_js(self.source)},"specversion":{_js(self.specversion)},'
                    f'"stream_id":{_js(self.stream_id)},"stream_version":{self.stream_version},'
                    f'"subject":{_js(self.subject)},"time":"{time}","type":{_js(self.type)}}}')
        else:
            causation = "null" if self.causation_id is None else f'"{self.causation_id}"'
            prev_hash = "null" if self.prev_hash is None else f'"{self.prev_hash}"'
            head = (f'{{"actor":{{"id":"{actor.id}","role":"{actor.role}"}},"causation_id":{causation},'
                    f'"correlation_id":"{self.correlation_id}","data":')
            tail = (f',"id":"{self.id}","prev_hash":{prev_hash},"schema_version":{self.schema_version},'
                    f'"source":"{self.source}","specversion":"{self.specversion}","stream_id":"{self.stream_id}",'
                    f'"stream_version":{self.stream_version},"subject":"{self.subject}","time":"{time}",'
                    f'"type":"{self.type}"}}')
        return hashlib.sha256(head.encode() + data_json + tail.encode()).hexdigest()

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
            "ce_dataschema": dataschema_of(self.type, self.schema_version),
            "ce_hashversion": "2" if self.hash_version == 2 else None,
            "content-type": CONTENT_TYPE,
        }
        return [(k, v.encode()) for k, v in attributes.items() if v is not None]

    @classmethod
    def from_kafka(cls, headers: Sequence[tuple[str, bytes]], value: bytes, *,
                   validate: bool = True) -> EventEnvelope:
        """Rebuild an envelope from a Kafka record; raises ValueError/ValidationError when malformed.

        ``validate=False`` (the audit replay) skips pydantic's checks of each field: a record whose hash then
        verifies is exactly what was validated and sealed when it was appended, and one that does not is
        reported as broken anyway."""
        h = {k: v.decode() for k, v in headers}
        if h.get("ce_specversion") != SPEC_VERSION:
            raise ValueError("not a CloudEvents 1.0 binary-mode record")
        data = json.loads(value)
        if not isinstance(data, dict):
            raise ValueError("event data must be a JSON object")
        fields: dict[str, Any] = {
            "id": UUID(h["ce_id"]), "source": h["ce_source"], "type": h["ce_type"],
            "schema_version": int(h["ce_schemaversion"]), "time": datetime.fromisoformat(h["ce_time"]),
            "subject": h["ce_subject"], "stream_id": h["ce_streamid"], "stream_version": int(h["ce_streamversion"]),
            "correlation_id": h["ce_correlationid"], "causation_id": h.get("ce_causationid"), "data": data,
            "prev_hash": h.get("ce_prevhash"), "hash": h.get("ce_hash", ""),
            "hash_version": _hash_version(h.get("ce_hashversion")),
        }
        actor = {"id": h["ce_actorid"], "role": h["ce_actorrole"]}
        if validate:
            return cls(**fields, actor=Actor(**actor))
        time: datetime = fields["time"]
        if time.tzinfo is None:
            raise ValueError("time must carry a time zone")
        fields.update(specversion=SPEC_VERSION, time=time.astimezone(UTC), actor=_unvalidated(Actor, actor))
        return _unvalidated(cls, fields)


def _hash_version(header: str | None) -> Literal[1, 2]:
    if header is None:
        return 1
    if header == "2":
        return 2
    raise ValueError("unknown hash version")


def dataschema_of(event_type: str, schema_version: int) -> str:
    """``fi.avain.<service>.<Event>`` version N → the URI of its published JSON Schema (``ce_dataschema``)."""
    _, _, service, name = event_type.split(".", 3)
    return f"{SCHEMA_BASE}{service}/{name}.v{schema_version}.json"


_TEXT: dict[str, Any] = {"type": "string", "minLength": 1}
_NUMBER: dict[str, Any] = {"type": "string", "pattern": "^[1-9][0-9]*$"}
_HASH: dict[str, Any] = {"type": "string", "pattern": "^[0-9a-f]{64}$"}

# Every header a record of an events topic carries: (required, JSON Schema of its value, meaning). The AsyncAPI
# documents describe them from here (contracts/generate.py); tests/unit/test_contracts.py holds ``kafka_headers``
# to this table. Values are UTF-8 strings.
HEADERS: dict[str, tuple[bool, dict[str, Any], str]] = {
    "ce_specversion": (True, {"type": "string", "const": SPEC_VERSION}, "CloudEvents version"),
    "ce_id": (True, {"type": "string", "format": "uuid"}, "The event id (unique; a redelivered record repeats it)"),
    "ce_source": (True, {"type": "string", "pattern": "^/avain/[a-z]+$"}, "The service that recorded the event"),
    "ce_type": (True, {"type": "string", "pattern": r"^fi\.avain\.[a-z]+\.[A-Za-z]+$"}, "The event type"),
    "ce_time": (True, {"type": "string", "format": "date-time"}, "When it happened (UTC, ISO 8601)"),
    "ce_subject": (True, _TEXT, "The pseudonymous client id (the provider id for catalogue events); also the key"),
    "ce_dataschema": (True, {"type": "string", "format": "uri"}, "The JSON Schema of the value (this type and version)"),
    "ce_schemaversion": (True, _NUMBER, "The event's schema version (extension)"),
    "ce_streamid": (True, _TEXT, "The stream (aggregate) the event belongs to (extension)"),
    "ce_streamversion": (True, _NUMBER, "The event's position in its stream, from 1 (extension)"),
    "ce_correlationid": (True, _TEXT, "The correlation id of the request or process (extension)"),
    "ce_causationid": (False, _TEXT, "What caused the event: a request id or an event id (extension)"),
    "ce_actorid": (True, _TEXT, "Who caused it: a user id, or a service for system actions (extension)"),
    "ce_actorrole": (True, {"type": "string", "enum": list(get_args(Role))},
                     "The actor's role (extension)"),
    "ce_prevhash": (False, _HASH, "The hash of the stream's previous event; absent on version 1 (extension)"),
    "ce_hash": (True, _HASH, "SHA-256 of the event, see docs/contracts/verification.md (extension)"),
    "ce_hashversion": (False, {"type": "string", "enum": ["2"]},
                       "How ce_hash is computed: 2 (absent: version 1, events before issue 22) (extension)"),
    "content-type": (True, {"type": "string", "const": CONTENT_TYPE}, "The value is JSON (UTF-8)"),
}


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


_NEEDS_ESCAPING = re.compile(r'["\\\x00-\x1f]')


def _js(value: str | None) -> str:
    """A string as ``json.dumps(..., ensure_ascii=False)`` writes it, without its cost for plain strings."""
    if value is None:
        return "null"
    return json.dumps(value, ensure_ascii=False) if _NEEDS_ESCAPING.search(value) else f'"{value}"'


M = TypeVar("M", bound=BaseModel)


def _unvalidated(model: type[M], values: dict[str, Any]) -> M:
    """What ``model_construct`` makes, at a quarter of its cost (it resolves defaults and aliases per call): a
    replay builds one per record. Every field must be given. tests/unit/test_contracts.py holds it equal."""
    instance = model.__new__(model)
    object.__setattr__(instance, "__dict__", values)
    object.__setattr__(instance, "__pydantic_fields_set__", set(values))
    object.__setattr__(instance, "__pydantic_extra__", None)
    object.__setattr__(instance, "__pydantic_private__", None)
    return instance
