"""Durable timers: deadlines kept in PostgreSQL, fired exactly once, also across restarts.

A timer is scheduled in the same transaction as the events that start the wait, and fired in one
transaction with the effect of firing (the events it appends) and its ``fired_at`` mark: a crash before
that commit fires it again later, never twice. Several instances share the work with SKIP LOCKED.
No in-memory sleeps hold a deadline: a restarted service finds every due timer in the table.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg
import structlog

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Timer:
    id: int
    kind: str
    key: str
    due_at: datetime
    payload: dict[str, Any]


TimerHandler = Callable[[asyncpg.Connection, Timer], Awaitable[None]]


async def schedule(conn: asyncpg.Connection, kind: str, key: str, due_at: datetime,
                   payload: dict[str, Any] | None = None) -> bool:
    """Schedule unless a timer of this kind and key exists (fired or not). True when scheduled now."""
    inserted = await conn.fetchval(
        "INSERT INTO timers (kind, key, due_at, payload) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT ON CONSTRAINT timers_kind_key_unique DO NOTHING RETURNING true",
        kind, key, due_at, json.dumps(payload or {}),
    )
    return bool(inserted)


async def cancel(conn: asyncpg.Connection, kind: str, key: str) -> None:
    await conn.execute(
        "UPDATE timers SET cancelled_at = now() WHERE kind = $1 AND key = $2 AND fired_at IS NULL"
        " AND cancelled_at IS NULL", kind, key,
    )


_NEXT_DUE = """
SELECT id, kind, key, due_at, payload FROM timers
WHERE fired_at IS NULL AND cancelled_at IS NULL AND due_at <= now() AND kind = ANY($1::text[])
ORDER BY due_at, id
LIMIT 1
FOR UPDATE SKIP LOCKED
"""


class TimerScheduler:
    def __init__(self, pool: asyncpg.Pool, handlers: dict[str, TimerHandler], *, poll_seconds: float = 0.5) -> None:
        self._pool = pool
        self._handlers = handlers
        self._poll = poll_seconds
        self._stopping = False
        self.fired = 0

    async def fire_due(self) -> int:
        """Fire every timer due now, each in its own transaction. Returns how many fired."""
        count = 0
        while not self._stopping:
            timer: Timer | None = None
            try:
                async with self._pool.acquire() as conn, conn.transaction():
                    row = await conn.fetchrow(_NEXT_DUE, list(self._handlers))
                    if row is None:
                        return count
                    timer = Timer(row["id"], row["kind"], row["key"], row["due_at"], json.loads(row["payload"]))
                    await self._handlers[timer.kind](conn, timer)
                    await conn.execute("UPDATE timers SET fired_at = now() WHERE id = $1", timer.id)
            except Exception as exc:
                if timer is None:
                    raise
                await self._postpone(timer, exc)  # others due behind it must not starve
                continue
            log.info("timer_fired", kind=timer.kind, timer_id=timer.id)
            count += 1
            self.fired += 1
        return count

    async def _postpone(self, timer: Timer, exc: Exception) -> None:
        log.warning("timer_failed", kind=timer.kind, timer_id=timer.id, error=type(exc).__name__)
        await self._pool.execute(
            "UPDATE timers SET attempts = attempts + 1, last_error = $2,"
            " due_at = now() + least(interval '1 second' * power(2, attempts), interval '1 hour') WHERE id = $1",
            timer.id, type(exc).__name__,
        )

    def stop(self) -> None:
        self._stopping = True

    async def run(self) -> None:
        while not self._stopping:
            try:
                await self.fire_due()
            except Exception as exc:  # noqa: BLE001 - database away: try again on the next round
                log.warning("timer_retry", error=type(exc).__name__)
            await asyncio.sleep(self._poll)
