"""Personal data sealed with a per-client key, so erasure can destroy the key (crypto-shredding).

Each client has one AES-256-GCM data key, stored wrapped by the master key in the key vault database
(standing in for a KMS; see docs/decisions/0004-crypto-shredding-and-key-vault.md). Sealed values carry the client id
as associated data, so a value cannot be moved to another client's record and still open.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import os
from collections.abc import AsyncIterator

import asyncpg
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from shared.infra.db import CONNECTION_ERRORS
from shared.kernel.errors import RuleViolation
from shared.kernel.sealed import Sealed

ERASED = "[erased]"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def seal_with(key: bytes, client_id: str, plaintext: str) -> Sealed:
    nonce = os.urandom(12)
    ct = AESGCM(key).encrypt(nonce, plaintext.encode(), client_id.encode())
    return Sealed(kid=client_id, nonce=_b64(nonce), ct=_b64(ct))


def open_with(key: bytes, sealed: Sealed) -> str:
    return AESGCM(key).decrypt(
        base64.b64decode(sealed.nonce), base64.b64decode(sealed.ct), sealed.kid.encode()
    ).decode()


def keyed_hash(pepper: bytes, value: str) -> str:
    """HMAC-SHA256: look a hetu up without storing it; without the pepper it cannot be brute-forced."""
    return hmac.new(pepper, value.encode(), hashlib.sha256).hexdigest()


class KeyDestroyed(RuleViolation):
    """The client's data was erased: nothing about them can be recorded in their words any more (409)."""

    code = "client-erased"


class KeyVaultUnavailable(ConnectionError):
    """The key vault cannot be reached: an outage (a consumer retries, an HTTP request answers 503), never a bug.

    A ConnectionError, so everything that treats connection errors as transient treats this one alike."""


@contextlib.asynccontextmanager
async def _vault() -> AsyncIterator[None]:
    try:
        yield
    except KeyVaultUnavailable:
        raise
    except CONNECTION_ERRORS as exc:
        raise KeyVaultUnavailable(f"key vault unreachable: {type(exc).__name__}") from exc


class Keyring:
    def __init__(self, pool: asyncpg.Pool, master_key: bytes) -> None:
        if len(master_key) != 32:
            raise ValueError("the master key must be 32 bytes (base64 in AVAIN_MASTER_KEY)")
        self._pool = pool
        self._master = AESGCM(master_key)

    async def create(self, client_id: str) -> None:
        nonce = os.urandom(12)
        wrapped = nonce + self._master.encrypt(nonce, os.urandom(32), client_id.encode())
        async with _vault():
            await self._pool.execute(
                "INSERT INTO client_keys (client_id, wrapped_key) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                client_id, wrapped)

    async def key(self, client_id: str) -> bytes | None:
        """The client's data key; None when it was destroyed. Raises LookupError when never created."""
        async with _vault():
            row = await self._pool.fetchrow("SELECT wrapped_key FROM client_keys WHERE client_id = $1", client_id)
        if row is None:
            raise LookupError("no key for this client")
        wrapped = row["wrapped_key"]
        if wrapped is None:
            return None
        return self._master.decrypt(wrapped[:12], wrapped[12:], client_id.encode())

    async def keys(self, client_ids: list[str]) -> dict[str, bytes | None]:
        """The data keys of many clients in one query (a page that shows many clients' names opens each with its
        own key); None for a destroyed key, a client without a key is left out."""
        if not client_ids:
            return {}
        async with _vault():
            rows = await self._pool.fetch("SELECT client_id, wrapped_key FROM client_keys WHERE client_id = ANY($1::text[])",
                                          list(dict.fromkeys(client_ids)))
        return {r["client_id"]: None if r["wrapped_key"] is None else
                self._master.decrypt(r["wrapped_key"][:12], r["wrapped_key"][12:], r["client_id"].encode())
                for r in rows}

    async def open_each(self, sealed: list[tuple[str, Sealed | None]]) -> list[str | None]:
        """Each (client id, sealed value) opened with that client's key, the keys fetched in one query; erased data
        reads as ERASED, absent values (and a client without a key) as None."""
        keys = await self.keys([client_id for client_id, s in sealed if s is not None])
        return [None if s is None or client_id not in keys else
                (ERASED if keys[client_id] is None else open_with(keys[client_id], s))  # type: ignore[arg-type]
                for client_id, s in sealed]

    async def seal(self, client_id: str, *plaintexts: str) -> list[Sealed]:
        key = await self.key(client_id)
        if key is None:
            raise KeyDestroyed("this client's data was erased")
        return [seal_with(key, client_id, text) for text in plaintexts]

    async def open(self, client_id: str, *sealed: Sealed | None) -> list[str | None]:
        """Decrypt for an authorised reader; erased data reads as ERASED, absent values as None."""
        key = await self.key(client_id)
        return [None if s is None else (ERASED if key is None else open_with(key, s)) for s in sealed]

    async def destroy(self, client_id: str, reason: str) -> None:
        async with _vault():
            await self._pool.execute(
                "UPDATE client_keys SET wrapped_key = NULL, destroyed_at = now(), destroyed_reason = $2"
                " WHERE client_id = $1 AND destroyed_at IS NULL", client_id, reason)


def decode_master_key(value: str) -> bytes:
    return base64.b64decode(value)


class MemoryKeyring(Keyring):
    """The key vault in memory, for application tests: the same sealing, keys in a dict instead of a table."""

    def __init__(self) -> None:
        self._keys: dict[str, bytes | None] = {}

    async def create(self, client_id: str) -> None:
        self._keys.setdefault(client_id, os.urandom(32))

    async def key(self, client_id: str) -> bytes | None:
        if client_id not in self._keys:
            raise LookupError("no key for this client")
        return self._keys[client_id]

    async def keys(self, client_ids: list[str]) -> dict[str, bytes | None]:
        return {c: self._keys[c] for c in client_ids if c in self._keys}

    async def destroy(self, client_id: str, reason: str) -> None:
        if client_id in self._keys:
            self._keys[client_id] = None
