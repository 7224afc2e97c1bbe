"""The case history's tables on PostgreSQL: timeline, access log, cases and the retention table
(``Tables`` of application/ports.py)."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg

from services.history.domain.retention import DEFAULT_YEARS, CaseRecord
from shared.infra.eventstore import Position
from shared.kernel.envelope import EventEnvelope

MIGRATIONS = Path(__file__).parent / "migrations"


async def seed_retention(db: asyncpg.Pool, overrides: dict[str, int]) -> None:
    for task, years in (DEFAULT_YEARS | overrides).items():
        await db.execute("INSERT INTO retention_periods VALUES ($1, $2) ON CONFLICT (service_task) DO UPDATE"
                         " SET years = EXCLUDED.years", task, years)


def _case(row: asyncpg.Record) -> CaseRecord:
    return CaseRecord(row["client_id"], row["service_task"], row["closed_on"], row["erased_at"])


class PostgresTables:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    # --- written by the timeline listener, in the inbox's connection -------------------------------------------
    async def record_case_event(self, conn: asyncpg.Connection, e: EventEnvelope, at: Position) -> None:
        await conn.execute(
            "INSERT INTO timeline VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (event_id) DO NOTHING",
            e.id, UUID(e.data["client_id"]), e.model_dump_json(), e.time, e.stream_id, e.stream_version, at.topic,
            at.partition, at.offset,
        )

    async def record_access(self, conn: asyncpg.Connection, e: EventEnvelope) -> None:
        d = e.data
        await conn.execute("INSERT INTO access_log VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
                           " ON CONFLICT (event_id) DO NOTHING", e.id, UUID(d["client_id"]), d["user_id"], d["role"],
                           d["purpose"], d["service"], d["resource"], d["status"], e.time, e.hash)

    async def note_service_task(self, conn: asyncpg.Connection, client_id: UUID, task: str) -> None:
        await conn.execute("INSERT INTO cases (client_id, service_task) VALUES ($1, $2) ON CONFLICT (client_id)"
                           " DO UPDATE SET service_task = EXCLUDED.service_task", client_id, task)

    async def note_closed(self, conn: asyncpg.Connection, client_id: UUID, closed_on: date) -> None:
        await conn.execute("INSERT INTO cases (client_id, closed_on) VALUES ($1, $2) ON CONFLICT (client_id)"
                           " DO UPDATE SET closed_on = EXCLUDED.closed_on", client_id, closed_on)

    async def note_erased(self, conn: asyncpg.Connection, client_id: UUID, at: datetime) -> None:
        await conn.execute("INSERT INTO cases (client_id, erased_at) VALUES ($1, $2) ON CONFLICT (client_id)"
                           " DO UPDATE SET erased_at = EXCLUDED.erased_at", client_id, at)

    # --- read ----------------------------------------------------------------------------------------------------
    async def case_events(self, client_id: UUID) -> list[EventEnvelope]:
        rows = await self.pool.fetch("SELECT envelope FROM timeline WHERE client_id = $1"
                                     " ORDER BY occurred_at, stream_id, stream_version", client_id)
        return [EventEnvelope.model_validate(json.loads(r["envelope"])) for r in rows]

    async def case_of(self, client_id: UUID) -> CaseRecord | None:
        row = await self.pool.fetchrow("SELECT * FROM cases WHERE client_id = $1", client_id)
        return None if row is None else _case(row)

    async def closed_cases(self) -> list[CaseRecord]:
        rows = await self.pool.fetch(
            "SELECT * FROM cases WHERE closed_on IS NOT NULL AND erased_at IS NULL ORDER BY closed_on")
        return [_case(r) for r in rows]

    async def retention_table(self) -> dict[str, int]:
        return {r["service_task"]: r["years"] for r in await self.pool.fetch("SELECT * FROM retention_periods")}

    async def access_log(self, *, client_id: UUID | None, user_id: str | None, limit: int,
                         offset: int = 0) -> list[dict[str, Any]]:
        rows = await self.pool.fetch(
            "SELECT * FROM access_log WHERE ($1::uuid IS NULL OR client_id = $1) AND ($2::text IS NULL OR user_id = $2)"
            " ORDER BY accessed_at DESC, event_id LIMIT $3 OFFSET $4", client_id, user_id, limit, offset)
        return [dict(r) | {"accessed_at": r["accessed_at"].isoformat(), "event_id": str(r["event_id"]),
                           "client_id": str(r["client_id"])} for r in rows]

    async def count_access(self, *, client_id: UUID | None, user_id: str | None) -> int:
        value = await self.pool.fetchval("SELECT count(*) FROM access_log WHERE ($1::uuid IS NULL OR client_id = $1)"
                                         " AND ($2::text IS NULL OR user_id = $2)", client_id, user_id)
        return int(value or 0)
