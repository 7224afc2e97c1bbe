"""Signed checkpoints of a service's log: what a checkpoint states, its Merkle root, its hash and chain.

A checkpoint states the head (stream id, version, hash) of every stream that changed since the previous one,
folded into a Merkle tree (RFC 9162 §2.1), chained to the previous checkpoint's hash, and signed with Ed25519
over the RFC 8785 form of the statement. Pure values and functions; signing keys and I/O live in
shared/infra/checkpoints.py. The format is specified for outside verifiers in docs/contracts/verification.md.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from shared.kernel.canonical import jcs

FORMAT: Final = "avain.checkpoint.v1"
CHECKPOINT_TYPE = "fi.avain.checkpoint.CheckpointSigned"
LEAF_PREFIX, NODE_PREFIX = b"\x00", b"\x01"


@dataclass(frozen=True, order=True)
class StreamHead:
    stream_id: str
    stream_version: int
    hash: str

    def leaf(self) -> bytes:
        """The Merkle leaf: the RFC 8785 form of ``{"hash", "stream_id", "stream_version"}``, UTF-8."""
        return jcs({"hash": self.hash, "stream_id": self.stream_id, "stream_version": self.stream_version}).encode()


def merkle_root(leaves: Sequence[bytes]) -> bytes:
    """RFC 9162 §2.1.1 Merkle Tree Hash: SHA-256(0x00 || leaf) for a leaf, SHA-256(0x01 || left || right) for a
    node, the split at the largest power of two below the count, SHA-256 of nothing for no leaves."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    level = [hashlib.sha256(LEAF_PREFIX + leaf).digest() for leaf in leaves]
    return _subtree(level, 0, len(level))


def _subtree(hashes: list[bytes], start: int, end: int) -> bytes:
    n = end - start
    if n == 1:
        return hashes[start]
    k = 1 << ((n - 1).bit_length() - 1)  # the largest power of two smaller than n
    return hashlib.sha256(NODE_PREFIX + _subtree(hashes, start, start + k) + _subtree(hashes, start + k, end)).digest()


def ordered(heads: Iterable[StreamHead]) -> list[StreamHead]:
    """Heads in checkpoint order: by stream id, compared as UTF-8 bytes."""
    return sorted(heads, key=lambda h: h.stream_id.encode())


def statement(*, service: str, sequence: int, previous: str | None, time: str, key_id: str,
              heads: Iterable[StreamHead]) -> dict[str, Any]:
    """What a checkpoint states and its signature covers."""
    streams = ordered(heads)
    return {
        "format": FORMAT, "service": service, "sequence": sequence, "previous": previous, "time": time,
        "key_id": key_id, "tree_size": len(streams),
        "root": merkle_root([h.leaf() for h in streams]).hex(),
        "streams": [{"stream_id": h.stream_id, "stream_version": h.stream_version, "hash": h.hash} for h in streams],
    }


def signed_bytes(statement: dict[str, Any]) -> bytes:
    """The bytes the Ed25519 signature covers: the statement's RFC 8785 form, UTF-8."""
    return jcs(statement).encode()


def checkpoint_hash(statement: dict[str, Any]) -> str:
    """SHA-256 of the signed bytes, hex: what the next checkpoint's ``previous`` names."""
    return hashlib.sha256(signed_bytes(statement)).hexdigest()


def record_value(statement: dict[str, Any], signature: bytes) -> bytes:
    """A checkpoint as its topic and the witness carry it: ``{"signature": <base64>, "statement": {...}}``."""
    return jcs({"statement": statement, "signature": base64.b64encode(signature).decode()}).encode()


def key_id_of(public_key: bytes) -> str:
    """A key's id: ``ed25519:`` and the first 16 hex digits of SHA-256 over its 32 raw bytes."""
    return "ed25519:" + hashlib.sha256(public_key).hexdigest()[:16]
