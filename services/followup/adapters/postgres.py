"""Follow-up's table: the follow-up projection (work lists, and the figures effectiveness reads)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg

from services.followup.domain.effectiveness import ClientFigures, GoalFigure, figures_of
from services.followup.domain.followup import FollowUp
from shared.kernel.envelope import EventEnvelope

MIGRATIONS = Path(__file__).parent / "migrations"

PROJECTED = ("status", "coordinator_id", "municipality", "next_number", "next_due_at", "overdue", "period", "figures")


def projection_of(case: FollowUp) -> dict[str, Any]:
    """The row a case projects to (also used to check a rebuild against the stored row)."""
    pending = case.pending if case.status == "open" else None
    figures = figures_of(case)
    return {
        "status": case.status,
        "coordinator_id": case.coordinator_id,
        "municipality": case.municipality,
        "next_number": pending.number if pending else None,
        "next_due_at": pending.due_at if pending else None,
        "overdue": bool(pending and pending.overdue),
        "period": figures.period,
        "figures": json.dumps(asdict(figures), default=str, sort_keys=True),
    }


def figures_from(raw: str) -> ClientFigures:
    data = json.loads(raw)
    goals = tuple(GoalFigure(UUID(g["goal_id"]), g["weight"], g["baseline_level"], g["level"]) for g in data["goals"])
    return ClientFigures(**{**data, "client_id": UUID(data["client_id"]), "goals": goals})


async def project_followup(conn: asyncpg.Connection, case: FollowUp, events: Sequence[EventEnvelope]) -> None:
    if case.client_id is None:
        return
    row = projection_of(case)
    last = events[-1]
    columns = ", ".join(PROJECTED)
    n = len(PROJECTED)
    placeholders = ", ".join(f"${i}" for i in range(2, n + 2))
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in (*PROJECTED, "version", "updated_at"))
    await conn.execute(
        f"INSERT INTO followups (client_id, {columns}, version, updated_at) VALUES ($1, {placeholders}, ${n + 2},"
        f" ${n + 3}) ON CONFLICT (client_id) DO UPDATE SET {updates}",
        case.client_id, *(row[c] for c in PROJECTED), last.stream_version, last.time,
    )


async def fetch_projection(pool: asyncpg.Pool, client_id: UUID) -> dict[str, Any] | None:
    row = await pool.fetchrow("SELECT * FROM followups WHERE client_id = $1", client_id)
    return dict(row) if row else None


async def list_followups(pool: asyncpg.Pool, *, coordinator_id: str | None, overdue_only: bool, limit: int,
                         offset: int) -> list[dict[str, Any]]:
    rows = await pool.fetch(
        "SELECT client_id, status, coordinator_id, next_number, next_due_at, overdue, version FROM followups"
        " WHERE ($1::text IS NULL OR coordinator_id = $1) AND (NOT $2 OR overdue)"
        " ORDER BY next_due_at NULLS LAST, client_id LIMIT $3 OFFSET $4",
        coordinator_id, overdue_only, limit, offset,
    )
    return [dict(r) for r in rows]


async def count_followups(pool: asyncpg.Pool, *, coordinator_id: str | None, overdue_only: bool) -> int:
    value = await pool.fetchval("SELECT count(*) FROM followups WHERE ($1::text IS NULL OR coordinator_id = $1)"
                                " AND (NOT $2 OR overdue)", coordinator_id, overdue_only)
    return int(value or 0)


async def region_figures(pool: asyncpg.Pool) -> list[ClientFigures]:
    rows = await pool.fetch("SELECT figures FROM followups WHERE period IS NOT NULL")
    return [figures_from(r["figures"]) for r in rows]
