"""The case history's tables: timeline, access log, cases and the retention table."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeAlias
from uuid import UUID

import asyncpg

from services.history.domain.retention import DEFAULT_YEARS
from shared.kernel.envelope import EventEnvelope

MIGRATIONS = Path(__file__).parent / "migrations"
Db: TypeAlias = asyncpg.Pool | asyncpg.Connection


async def seed_retention(db: Db, overrides: dict[str, int]) -> None:
    for task, years in (DEFAULT_YEARS | overrides).items():
        await db.execute("INSERT INTO retention_periods VALUES ($1, $2) ON CONFLICT (service_task) DO UPDATE"
                         " SET years = EXCLUDED.years", task, years)


async def retention_table(db: Db) -> dict[str, int]:
    return {r["service_task"]: r["years"] for r in await db.fetch("SELECT * FROM retention_periods")}


async def record_case_event(conn: asyncpg.Connection, e: EventEnvelope, topic: str, partition: int,
                            offset: int) -> None:
    await conn.execute(
        "INSERT INTO timeline VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (event_id) DO NOTHING",
        e.id, UUID(e.data["client_id"]), e.model_dump_json(), e.time, e.stream_id, e.stream_version, topic,
        partition, offset,
    )


async def record_access(conn: asyncpg.Connection, e: EventEnvelope) -> None:
    d = e.data
    await conn.execute("INSERT INTO access_log VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
                       " ON CONFLICT (event_id) DO NOTHING", e.id, UUID(d["client_id"]), d["user_id"], d["role"],
                       d["purpose"], d["service"], d["resource"], d["status"], e.time)


async def note_service_task(conn: asyncpg.Connection, client_id: UUID, task: str) -> None:
    await conn.execute("INSERT INTO cases (client_id, service_task) VALUES ($1, $2) ON CONFLICT (client_id)"
                       " DO UPDATE SET service_task = EXCLUDED.service_task", client_id, task)


async def note_closed(conn: asyncpg.Connection, client_id: UUID, closed_on: date) -> None:
    await conn.execute("INSERT INTO cases (client_id, closed_on) VALUES ($1, $2) ON CONFLICT (client_id)"
                       " DO UPDATE SET closed_on = EXCLUDED.closed_on", client_id, closed_on)


async def note_erased(conn: asyncpg.Connection, client_id: UUID, at: datetime) -> None:
    await conn.execute("INSERT INTO cases (client_id, erased_at) VALUES ($1, $2) ON CONFLICT (client_id)"
                       " DO UPDATE SET erased_at = EXCLUDED.erased_at", client_id, at)


async def case_of(db: Db, client_id: UUID) -> asyncpg.Record | None:
    return await db.fetchrow("SELECT * FROM cases WHERE client_id = $1", client_id)


async def case_events(db: Db, client_id: UUID, until: datetime | None = None) -> list[EventEnvelope]:
    rows = await db.fetch(
        "SELECT envelope FROM timeline WHERE client_id = $1 AND ($2::timestamptz IS NULL OR occurred_at <= $2)"
        " ORDER BY occurred_at, stream_id, stream_version", client_id, until)
    return [EventEnvelope.model_validate(json.loads(r["envelope"])) for r in rows]


async def clients(db: Db) -> list[UUID]:
    return [r["client_id"] for r in await db.fetch("SELECT DISTINCT client_id FROM timeline ORDER BY client_id")]


async def access_log(db: Db, *, client_id: UUID | None, user_id: str | None, limit: int,
                     offset: int = 0) -> list[dict[str, Any]]:
    rows = await db.fetch(
        "SELECT * FROM access_log WHERE ($1::uuid IS NULL OR client_id = $1) AND ($2::text IS NULL OR user_id = $2)"
        " ORDER BY accessed_at DESC, event_id LIMIT $3 OFFSET $4", client_id, user_id, limit, offset)
    return [dict(r) | {"accessed_at": r["accessed_at"].isoformat(), "event_id": str(r["event_id"]),
                       "client_id": str(r["client_id"])} for r in rows]


async def count_access(db: Db, *, client_id: UUID | None, user_id: str | None) -> int:
    value = await db.fetchval("SELECT count(*) FROM access_log WHERE ($1::uuid IS NULL OR client_id = $1)"
                              " AND ($2::text IS NULL OR user_id = $2)", client_id, user_id)
    return int(value or 0)


async def closed_cases(db: Db) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await db.fetch(
        "SELECT * FROM cases WHERE closed_on IS NOT NULL AND erased_at IS NULL ORDER BY closed_on")
    return rows
