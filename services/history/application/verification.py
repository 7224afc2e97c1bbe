"""The verification procedure of docs/contracts/verification.md §7, as the audit replay runs it.

Checkpoint records first (their signatures, their chain, the heads they state), then event records one by one
(parse, hash, chain, the stated heads), then the tails. Memory holds per stream its head and the hashes of its last
few versions (to tell a redelivered record from one out of order), and the heads the checkpoints state until the log
reaches them: it grows with the number of streams, not with the number of records. tools/verifier/verify.mjs is an
independent implementation of the same procedure; the two must name the same findings.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any, Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from shared.kernel.canonical import jcs
from shared.kernel.checkpoint import CHECKPOINT_TYPE, FORMAT, StreamHead, merkle_root
from shared.kernel.envelope import CONTENT_TYPE, SPEC_VERSION, canonical_json, dataschema_of

RECENT = 65_536  # events remembered (the last read) to recognise a redelivered record: memory stays bounded
REQUIRED = ("ce_id", "ce_source", "ce_type", "ce_time", "ce_subject", "ce_schemaversion", "ce_streamid",
            "ce_streamversion", "ce_correlationid", "ce_actorid", "ce_actorrole", "ce_hash")
ROLES = {"client", "worker", "manager", "provider", "auditor", "system", "integration", "planner", "representative"}
HEX64 = re.compile(r"^[0-9a-f]{64}$")
NUMBER = re.compile(r"^[1-9][0-9]{0,8}$")
UUID_TEXT = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$")
SOURCE = re.compile(r"^/avain/([a-z]+)$")
TYPE = re.compile(r"^fi\.avain\.[a-z]+\.[A-Za-z]+$")
SERVICE = re.compile(r"^[a-z]+$")
STATEMENT_KEYS = {"format", "service", "sequence", "previous", "time", "key_id", "tree_size", "root", "streams"}
MAX_EXACT = 2**53 - 1


class Record(Protocol):
    @property
    def topic(self) -> str: ...
    @property
    def partition(self) -> int: ...
    @property
    def offset(self) -> int: ...
    @property
    def headers(self) -> Sequence[tuple[str, bytes]]: ...
    @property
    def value(self) -> bytes | None: ...


def position(record: Record) -> str:
    return f"{record.topic}:{record.partition}:{record.offset}"


def is_checkpoint_topic(topic: str) -> bool:
    return topic.endswith(".checkpoints.v1")


@dataclass(frozen=True)
class Finding:
    kind: str
    position: str
    stream: str | None = None
    version: int | None = None
    detail: str = ""

    @property
    def problem(self) -> str:
        return f"{self.kind}: {self.detail}"

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "position": self.position, "stream": self.stream, "detail": self.detail}


class Malformed(ValueError):
    pass


def load_keys(path: Path) -> dict[str, tuple[str, Ed25519PublicKey]]:
    """The published checkpoint keys: key id → (service, public key)."""
    return {k["key_id"]: (k["service"], Ed25519PublicKey.from_public_bytes(base64.b64decode(k["public_key"])))
            for k in json.loads(path.read_text())["keys"] if k["algorithm"] == "Ed25519"}


@dataclass
class Parsed:
    """An event record that parsed: its headers as text and its data."""

    headers: dict[str, str]
    data: dict[str, Any]
    service: str


class LogVerifier:
    def __init__(self, keys: dict[str, tuple[str, Ed25519PublicKey]]) -> None:
        self.keys = keys
        self.findings: list[Finding] = []
        self.checkpoints = 0
        self.events = 0
        self._last: dict[str, tuple[int, str]] = {}  # service → (sequence, checkpoint hash) of the last accepted
        self._seen: dict[str, dict[int, str]] = {}  # service → sequence → checkpoint hash
        self._stated: dict[tuple[str, str], dict[int, tuple[str, str]]] = {}  # stream → version → (hash, position)
        self._latest: dict[tuple[str, str], tuple[int, str, str]] = {}  # stream → (version, hash, position)
        self._heads: dict[tuple[str, str], tuple[int, str]] = {}  # stream → (version, hash) of its last event
        self._recent: dict[tuple[str, str, int], str] = {}  # the last RECENT events read → hash, oldest first

    def _find(self, kind: str, where: str, detail: str, stream: str | None = None, version: int | None = None) -> None:
        self.findings.append(Finding(kind, where, stream, version, detail))

    # --- 1. checkpoints -------------------------------------------------------------------------------------------

    def checkpoint(self, record: Record) -> None:
        where = position(record)
        try:
            stated, signature = _checkpoint_of(record)
        except Malformed as exc:
            self._find("malformed", where, f"not a checkpoint: {exc}")
            return
        service = stated["service"]
        owner, key = self.keys.get(stated["key_id"], (None, None))
        if key is None or owner != service:
            self._find("untrusted_key", where, f"key {stated['key_id']} is not a published checkpoint key of {service}")
            return
        signed = jcs(stated).encode()
        try:
            key.verify(signature, signed)
        except InvalidSignature:
            self._find("bad_signature", where, f"the signature of {service} checkpoint {stated['sequence']} does not verify")
            return
        heads = [StreamHead(s["stream_id"], s["stream_version"], s["hash"]) for s in stated["streams"]]
        ids = [h.stream_id.encode() for h in heads]
        if (stated["tree_size"] != len(heads) or any(a >= b for a, b in pairwise(ids))
                or stated["root"] != merkle_root([h.leaf() for h in heads]).hex()):
            self._find("bad_tree", where, "the stated heads do not match tree_size and root, or are not sorted")
            return
        self.checkpoints += 1
        digest = hashlib.sha256(signed).hexdigest()
        sequence, seen = stated["sequence"], self._seen.setdefault(service, {})
        if sequence in seen:
            if seen[sequence] != digest:
                self._find("checkpoint_fork", where, f"another {service} checkpoint {sequence} was seen before")
            return  # the same one again: redelivered
        last = self._last.get(service)
        expected = last[0] + 1 if last else 1
        if sequence < expected:
            self._find("checkpoint_chain", where, f"{service} checkpoint {sequence} comes after {expected - 1}")
            return
        if sequence > expected:
            self._find("checkpoint_missing", where, f"{service} checkpoints {expected}–{sequence - 1} are missing")
        elif stated["previous"] != (last[1] if last else None):
            self._find("checkpoint_chain", where, f"{service} checkpoint {sequence} does not name the hash of {expected - 1}")
        self._last[service] = (sequence, digest)
        seen[sequence] = digest
        for h in heads:
            stream = (service, h.stream_id)
            latest = self._latest.get(stream)
            if latest is not None and h.stream_version < latest[0]:
                self._find("checkpoint_regressed", where, f"states version {h.stream_version} after {latest[0]}",
                           h.stream_id, h.stream_version)
            elif latest is not None and h.stream_version == latest[0]:
                if h.hash != latest[1]:
                    self._find("checkpoint_fork", where, f"states another hash for version {h.stream_version}",
                               h.stream_id, h.stream_version)
            else:
                self._stated.setdefault(stream, {})[h.stream_version] = (h.hash, where)
                self._latest[stream] = (h.stream_version, h.hash, where)

    def witness(self, lines: Iterable[bytes], name: str) -> None:
        """Every checkpoint a witness holds must be on the log, the same (§7.4)."""
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                stated = json.loads(line)["statement"]
                service, sequence = stated["service"], stated["sequence"]
                digest = hashlib.sha256(jcs(stated).encode()).hexdigest()
            except (ValueError, KeyError, TypeError):
                self._find("malformed", f"witness:{name}:{number}", "not a checkpoint")
                continue
            if self._seen.get(service, {}).get(sequence) != digest:
                self._find("witness_missing", f"witness:{service}#{sequence}",
                           f"{service} checkpoint {sequence} held by the witness is not on the log")

    # --- 2. events ------------------------------------------------------------------------------------------------

    def event(self, record: Record) -> Parsed | None:
        """Verify one event record; returns it parsed (for the case views) unless it is malformed."""
        where = position(record)
        try:
            parsed = _event_of(record)
        except Malformed as exc:
            self._find("malformed", where, str(exc))
            return None
        h = parsed.headers
        try:
            altered = _event_hash(h, record.value or b"", parsed.data) != h["ce_hash"]
        except ValueError as exc:
            self._find("malformed", where, f"the data has no canonical form: {exc}")
            return None
        self.events += 1
        stream_id, version, digest = h["ce_streamid"], int(h["ce_streamversion"]), h["ce_hash"]
        stream = (parsed.service, stream_id)
        before, last_hash = self._heads.get(stream, (0, None))
        if version <= before:
            if altered:
                self._find("altered", where, "the content does not match its hash", stream_id, version)
            elif self._recent.get((*stream, version)) != digest:
                self._find("out_of_order", where, f"version {version} after version {before}", stream_id, version)
            return parsed  # else the same event again: redelivered
        if altered:
            self._find("altered", where, "the content does not match its hash", stream_id, version)
        elif version != before + 1:
            self._find("gap", where, f"version {version} follows {before} (versions {before + 1}–{version - 1} missing)",
                       stream_id, version)
        elif h.get("ce_prevhash") != last_hash:
            self._find("chain", where, f"the previous hash is not version {before}'s", stream_id, version)
        self._heads[stream] = (version, digest)
        self._recent[(*stream, version)] = digest
        if len(self._recent) > RECENT:
            del self._recent[next(iter(self._recent))]
        stated = self._stated.get(stream)
        if stated is not None and version in stated:
            claimed, at = stated.pop(version)
            if not stated:
                del self._stated[stream]
            if claimed != digest:
                self._find("checkpoint_mismatch", where, f"the checkpoint at {at} states another hash for version "
                           f"{version}", stream_id, version)
        return parsed

    # --- 3. tails -------------------------------------------------------------------------------------------------

    def finish(self) -> Counter[str]:
        """Missing tails (findings) and what no checkpoint covers yet (events per service, not a finding)."""
        for stream in sorted(self._latest, key=lambda s: (s[0], s[1].encode())):
            version, _, where = self._latest[stream]
            have = self._heads.get(stream, (0, ""))[0]
            if have < version:
                self._find("missing_tail", where, f"versions {have + 1}–{version} missing", stream[1], version)
        uncovered: Counter[str] = Counter()
        for stream, (version, _) in self._heads.items():
            covered = self._latest.get(stream, (0, "", ""))[0]
            if version > covered:
                uncovered[stream[0]] += version - covered
        return uncovered


def _text_headers(record: Record) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, raw in record.headers:
        if name in headers:
            raise Malformed(f"header {name} repeated")
        try:
            headers[name] = raw.decode("utf-8") if raw is not None else ""
        except UnicodeDecodeError:
            raise Malformed(f"header {name} is not UTF-8") from None
    return headers


def _json(value: bytes | None) -> Any:
    if value is None:
        raise Malformed("no value")
    try:
        return json.loads(value.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError):
        raise Malformed("the value is not JSON") from None


def _no_constant(name: str) -> Any:
    raise ValueError(name)


def _event_of(record: Record) -> Parsed:
    h = _text_headers(record)
    if h.get("content-type") != CONTENT_TYPE or h.get("ce_specversion") != SPEC_VERSION:
        raise Malformed("not a CloudEvents 1.0 JSON record")
    missing = [n for n in REQUIRED if n not in h]
    if missing:
        raise Malformed(f"header {missing[0]} missing")
    source = SOURCE.match(h["ce_source"])
    checks = {"ce_schemaversion": NUMBER, "ce_streamversion": NUMBER, "ce_id": UUID_TEXT, "ce_time": TIME,
              "ce_type": TYPE, "ce_hash": HEX64}
    bad = [n for n, pattern in checks.items() if not pattern.match(h[n])]
    if source is None or bad or h["ce_actorrole"] not in ROLES or not h["ce_streamid"]:
        raise Malformed(f"header {(bad or ['ce_source' if source is None else 'ce_actorrole'])[0]} is invalid")
    if "ce_prevhash" in h and not HEX64.match(h["ce_prevhash"]):
        raise Malformed("header ce_prevhash is invalid")
    version = h.get("ce_hashversion")
    if version not in (None, "2") or (version == "2" and "ce_dataschema" not in h):
        raise Malformed("unknown hash version, or ce_dataschema missing")
    if "ce_dataschema" in h and h["ce_dataschema"] != dataschema_of(h["ce_type"], int(h["ce_schemaversion"])):
        raise Malformed("ce_dataschema does not name the schema of ce_type and ce_schemaversion")
    data = _json(record.value)
    if not isinstance(data, dict):
        raise Malformed("the value is not a JSON object")
    return Parsed(h, data, source.group(1))


def _event_hash(h: dict[str, str], value: bytes, data: dict[str, Any]) -> str:
    """§3: version 2 over the attributes and the data in RFC 8785 form; version 1 over the envelope's form. The
    value's bytes are tried as they are first (values are published canonical), then the parsed data."""
    if h.get("ce_hashversion") == "2":
        attributes = {k[3:]: v for k, v in h.items() if k.startswith("ce_") and k != "ce_hash"}
        head, _, tail = jcs(attributes | {"data": 0}).partition('"data":0')
        fast = hashlib.sha256(head.encode() + b'"data":' + value + tail.encode()).hexdigest()
        if fast == h["ce_hash"]:
            return fast
        return hashlib.sha256(jcs(attributes | {"data": data}).encode()).hexdigest()
    body = {"actor": {"id": h["ce_actorid"], "role": h["ce_actorrole"]}, "causation_id": h.get("ce_causationid"),
            "correlation_id": h["ce_correlationid"], "id": h["ce_id"], "prev_hash": h.get("ce_prevhash"),
            "schema_version": int(h["ce_schemaversion"]), "source": h["ce_source"], "specversion": h["ce_specversion"],
            "stream_id": h["ce_streamid"], "stream_version": int(h["ce_streamversion"]), "subject": h["ce_subject"],
            "time": h["ce_time"].replace("+00:00", "Z"), "type": h["ce_type"]}
    head, _, tail = canonical_json(body | {"data": 0}).partition('"data":0')
    fast = hashlib.sha256(head.encode() + b'"data":' + value + tail.encode()).hexdigest()
    if fast == h["ce_hash"]:
        return fast
    return hashlib.sha256(canonical_json(body | {"data": data}).encode()).hexdigest()


def _integer(value: Any, least: int) -> bool:
    return type(value) is int and least <= value <= MAX_EXACT


def _checkpoint_of(record: Record) -> tuple[dict[str, Any], bytes]:
    h = _text_headers(record)
    if h.get("ce_type") != CHECKPOINT_TYPE:
        raise Malformed("ce_type is not a checkpoint")
    value = _json(record.value)
    if not isinstance(value, dict) or set(value) != {"statement", "signature"}:
        raise Malformed("the value is not {signature, statement}")
    stated, signature = value["statement"], value["signature"]
    if not isinstance(stated, dict) or set(stated) != STATEMENT_KEYS or not isinstance(signature, str):
        raise Malformed("the statement's members are not those of the format")
    try:
        raw = base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError):
        raise Malformed("the signature is not base64") from None
    service = stated["service"]
    if (stated["format"] != FORMAT or not isinstance(service, str) or not SERVICE.match(service)
            or not record.topic.endswith(f"avain.{service}.checkpoints.v1") or h.get("ce_subject") != service
            or not _integer(stated["sequence"], 1) or not _integer(stated["tree_size"], 0)
            or not (stated["previous"] is None or (isinstance(stated["previous"], str) and HEX64.match(stated["previous"])))
            or not isinstance(stated["time"], str) or not isinstance(stated["key_id"], str)
            or not isinstance(stated["root"], str) or not HEX64.match(stated["root"])
            or not isinstance(stated["streams"], list) or len(raw) != 64):
        raise Malformed("a member of the statement is invalid")
    for s in stated["streams"]:
        if (not isinstance(s, dict) or set(s) != {"stream_id", "stream_version", "hash"}
                or not isinstance(s["stream_id"], str) or not s["stream_id"] or not _integer(s["stream_version"], 1)
                or not isinstance(s["hash"], str) or not HEX64.match(s["hash"])):
            raise Malformed("a stated head is invalid")
    return stated, raw
