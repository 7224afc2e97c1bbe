"""Intake's tables: the hetu lookup and the work-list projection."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg

from services.intake.domain.client import IntakeCase
from shared.kernel.envelope import EventEnvelope

MIGRATIONS = Path(__file__).parent / "migrations"


async def find_client_by_hetu_hash(conn: asyncpg.Pool | asyncpg.Connection, hetu_hash: str) -> UUID | None:
    value: UUID | None = await conn.fetchval("SELECT client_id FROM client_lookup WHERE hetu_hash = $1", hetu_hash)
    return value


async def claim_hetu(conn: asyncpg.Connection, hetu_hash: str, client_id: UUID) -> UUID:
    """Bind the hetu to ``client_id`` unless it is bound already; returns the client it is bound to.

    A concurrent registration of the same hetu waits on the primary key and then sees the winner.
    """
    won = await conn.fetchval(
        "INSERT INTO client_lookup (hetu_hash, client_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING client_id",
        hetu_hash,
        client_id,
    )
    if won is not None:
        return client_id
    existing = await find_client_by_hetu_hash(conn, hetu_hash)
    assert existing is not None
    return existing


async def forget_hetu(conn: asyncpg.Connection, client_id: UUID) -> None:
    """An erased client can no longer be found by their hetu: the keyed hash goes with the key."""
    await conn.execute("DELETE FROM client_lookup WHERE client_id = $1", client_id)


async def project_case(conn: asyncpg.Connection, case: IntakeCase, events: Sequence[EventEnvelope]) -> None:
    last = events[-1]
    await conn.execute(
        """
        INSERT INTO intake_cases (client_id, status, consent, coordinator_id, service_task, municipality,
                                  version, registered_at, updated_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
        ON CONFLICT (client_id) DO UPDATE SET
            status = EXCLUDED.status, consent = EXCLUDED.consent, coordinator_id = EXCLUDED.coordinator_id,
            service_task = EXCLUDED.service_task, municipality = EXCLUDED.municipality,
            version = EXCLUDED.version, updated_at = EXCLUDED.updated_at
        """,
        case.client_id,
        case.status,
        case.consent,
        case.coordinator_id,
        case.service_task.value if case.service_task else None,
        case.municipality,
        last.stream_version,
        last.time,
    )


async def list_cases(
    pool: asyncpg.Pool, *, coordinator_id: str | None, status: str | None, limit: int, offset: int
) -> list[dict[str, Any]]:
    rows = await pool.fetch(
        """
        SELECT client_id, status, consent, coordinator_id, service_task, municipality, version,
               registered_at, updated_at
        FROM intake_cases
        WHERE ($1::text IS NULL OR coordinator_id IS NOT DISTINCT FROM NULLIF($1, '')) AND ($2::text IS NULL OR status = $2)
        ORDER BY updated_at DESC, client_id
        LIMIT $3 OFFSET $4
        """,
        coordinator_id,
        status,
        limit,
        offset,
    )
    return [dict(r) for r in rows]
