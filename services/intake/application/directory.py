"""The client directory: clients' names for those who may see them, found by name through a blind index or by
hetu with a stated purpose, never by decrypting clients to search them.

The blind index holds keyed hashes (HMAC-SHA256 with a key derived from the hetu pepper) of each normalised name
token and of its prefixes of two letters or more; a search hashes what was typed the same way. Only the names
of the clients shown are opened, each with that client's key, and each shown client is access-logged (the route
names them). Who may see a client follows intake's read policy: a worker the clients they coordinate and those
without a coordinator (the one door), managers and auditors all, a client only themself, a representative the
clients they act for today (unless the client forbade them their data).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
import unicodedata
from collections import defaultdict, deque
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from services.intake.adapters import postgres
from shared.infra.crypto import ERASED, Keyring, keyed_hash
from shared.kernel.errors import DomainError, Forbidden, InvalidCommand, NotFound
from shared.kernel.identifiers import InvalidIdentifier, validate_hetu
from shared.kernel.principal import Principal
from shared.kernel.sealed import Sealed

MIN_PREFIX = 2
MAX_TOKEN = 40
_SPLIT = re.compile(r"[\s\-‐‑'’.,]+")


class RateLimited(DomainError):
    """Too many hetu searches in a short time (429): each is a look into someone's identity."""

    status_code = 429
    code = "rate-limited"


def name_tokens(text: str) -> list[str]:
    """Normalised tokens of a name: NFKC, case-folded, split at spaces, hyphens and apostrophes. Letters such
    as ä, ö, å and the Sámi ones stay as they are: they tell names apart."""
    normal = unicodedata.normalize("NFKC", text).casefold()
    return [t[:MAX_TOKEN] for t in _SPLIT.split(normal) if t]


def index_terms(first_name: str, last_name: str) -> set[str]:
    """Every token of the name and every prefix of it from two letters on."""
    terms: set[str] = set()
    for token in name_tokens(f"{first_name} {last_name}"):
        terms.update(token[:n] for n in range(MIN_PREFIX, len(token) + 1))
    return terms


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    total: int
    next_cursor: str | None


class ClientDirectory:
    def __init__(self, pool: Any, keyring: Keyring, pepper: bytes, *, hetu_searches: int = 10,
                 per_seconds: float = 600.0) -> None:
        self._pool = pool
        self._keyring = keyring
        self._pepper = pepper
        self._name_key = hmac.new(pepper, b"avain/client-name-index/v1", hashlib.sha256).digest()
        self._limit = hetu_searches
        self._window = per_seconds
        self._recent: defaultdict[str, deque[float]] = defaultdict(deque)

    # --- writing (at registration, in its transaction) ------------------------------------------------------

    def hashes(self, first_name: str, last_name: str) -> list[str]:
        return sorted(self._hash(t) for t in index_terms(first_name, last_name))

    def _hash(self, term: str) -> str:
        return hmac.new(self._name_key, term.encode(), hashlib.sha256).hexdigest()[:40]

    # --- reading ---------------------------------------------------------------------------------------------

    async def names(self, client_ids: list[UUID], principal: Principal) -> list[dict[str, Any]]:
        """The names of those of ``client_ids`` the reader may see (the others are left out, not refused)."""
        rows = await postgres.directory_rows(self._pool, client_ids, _visible_to(principal))
        rows = [r for r in rows if _may_see(principal, r)]
        return await self._opened(rows)

    async def search(self, text: str, principal: Principal, *, cursor: str | None, limit: int) -> Page:
        terms = sorted({t for t in name_tokens(text) if len(t) >= MIN_PREFIX})
        if not terms:
            raise InvalidCommand(f"type at least {MIN_PREFIX} letters of a name", field="name")
        if principal.role not in ("worker", "manager", "auditor"):
            raise Forbidden("searching for clients is for workers, managers and auditors")
        rows, total = await postgres.search_by_name(self._pool, [self._hash(t) for t in terms],
                                                    _visible_to(principal), after=_after(cursor), limit=limit + 1)
        more = len(rows) > limit
        rows = rows[:limit]
        next_cursor = _cursor(rows[-1]["client_id"]) if more else None
        return Page(await self._opened(rows), total, next_cursor)

    async def client_with_hetu(self, hetu: str, principal: Principal) -> UUID:
        """Whose hetu it is (the route demands a stated purpose and logs the read); rate-limited per reader."""
        if principal.role not in ("worker", "manager", "auditor"):
            raise Forbidden("searching for clients is for workers, managers and auditors")
        self._count(principal.user_id)
        try:
            valid = validate_hetu(hetu)
        except InvalidIdentifier as exc:
            # The same code as registration's, so a caller can tell a bad hetu from any other refusal.
            raise InvalidCommand(str(exc), field="hetu", code="invalid-hetu") from exc
        client_id = await postgres.find_client_by_hetu_hash(self._pool, keyed_hash(self._pepper, valid))
        if client_id is None:
            raise NotFound("no client with this hetu")
        return client_id

    async def shown(self, client_id: UUID, principal: Principal) -> dict[str, Any]:
        found = await self.names([client_id], principal)
        if not found:
            raise Forbidden("the client has another coordinating worker")
        return found[0]

    def _count(self, user_id: str) -> None:
        now = time.monotonic()
        recent = self._recent[user_id]
        while recent and now - recent[0] > self._window:
            recent.popleft()
        if len(recent) >= self._limit:
            raise RateLimited(f"at most {self._limit} hetu searches in {int(self._window // 60)} minutes")
        recent.append(now)

    async def _opened(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Each row's name opened with its client's key; the keys of all of them fetched in one query."""
        sealed = [(str(r["client_id"]), None if r["sealed_name"] is None else Sealed.model_validate(
            json.loads(r["sealed_name"]) if isinstance(r["sealed_name"], str) else r["sealed_name"])) for r in rows]
        names = await self._keyring.open_each(sealed)
        return [{"client_id": str(r["client_id"]), "name": None if name == ERASED else name, "erased": name == ERASED,
                 "status": r["status"], "coordinator_id": r["coordinator_id"],
                 "preferred_language": r["preferred_language"]} for r, name in zip(rows, names, strict=True)]


def _visible_to(principal: Principal) -> str | None:
    return principal.user_id if principal.role == "worker" else None


def _may_see(principal: Principal, row: dict[str, Any]) -> bool:
    if principal.role == "client":
        return str(row["client_id"]) == principal.user_id
    if principal.role == "representative":  # the clients they act for today, unless one forbade them their data
        mandate = principal.mandate_for(row["client_id"])
        return mandate is not None and mandate.reads
    return principal.role in ("worker", "manager", "auditor")


def _cursor(client_id: UUID) -> str:
    return base64.urlsafe_b64encode(str(client_id).encode()).decode().rstrip("=")


def _after(cursor: str | None) -> UUID | None:
    if not cursor:
        return None
    try:
        return UUID(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode())
    except ValueError as exc:
        raise InvalidCommand("not a cursor this list gave", field="cursor") from exc
