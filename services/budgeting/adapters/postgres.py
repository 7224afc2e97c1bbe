"""Budgeting's tables: the budget projection and decision numbers."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import asyncpg

from services.budgeting.domain.budget import Budget
from shared.kernel.envelope import EventEnvelope

MIGRATIONS = Path(__file__).parent / "migrations"

PROJECTED = ("status", "frozen", "coordinator_id", "municipality", "decision_number", "period_start", "period_end",
             "amount_cents", "reserved_cents", "spent_cents", "proposed_cents")


def projection_of(budget: Budget) -> dict[str, Any]:
    """The row a budget state projects to (also used to check a rebuild against the stored row)."""
    return {
        "status": budget.status,
        "frozen": budget.frozen,
        "coordinator_id": budget.coordinator_id,
        "municipality": budget.municipality,
        "decision_number": budget.decision_number,
        "period_start": budget.period.start if budget.period else None,
        "period_end": budget.period.end if budget.period else None,
        "amount_cents": budget.amount_cents,
        "reserved_cents": budget.reserved_cents,
        "spent_cents": budget.spent_cents,
        "proposed_cents": budget.proposal.amount_cents if budget.proposal else None,
    }


async def project_budget(conn: asyncpg.Connection, budget: Budget, events: Sequence[EventEnvelope]) -> None:
    if budget.client_id is None:
        return  # only a refusal recorded (an order for a client without a budget): nothing to list
    row = projection_of(budget)
    last = events[-1]
    columns = ", ".join(PROJECTED)
    placeholders = ", ".join(f"${i}" for i in range(2, len(PROJECTED) + 2))
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in (*PROJECTED, "version", "updated_at"))
    n = len(PROJECTED)
    await conn.execute(
        f"INSERT INTO budgets (client_id, {columns}, version, updated_at) VALUES ($1, {placeholders}, ${n + 2}, ${n + 3})"
        f" ON CONFLICT (client_id) DO UPDATE SET {updates}",
        budget.client_id, *(row[c] for c in PROJECTED), last.stream_version, last.time,
    )


async def next_decision_number(pool: asyncpg.Pool, year: int) -> str:
    n = await pool.fetchval("SELECT nextval('decision_number_seq')")
    return f"HB-{year}-{n:06d}"


async def fetch_projection(pool: asyncpg.Pool, client_id: Any) -> dict[str, Any] | None:
    row = await pool.fetchrow("SELECT * FROM budgets WHERE client_id = $1", client_id)
    return dict(row) if row else None


async def count_budgets(pool: asyncpg.Pool, *, coordinator_id: str | None, status: str | None) -> int:
    value = await pool.fetchval("SELECT count(*) FROM budgets WHERE ($1::text IS NULL OR coordinator_id = $1)"
                                " AND ($2::text IS NULL OR status = $2)", coordinator_id, status)
    return int(value or 0)


async def list_budgets(pool: asyncpg.Pool, *, coordinator_id: str | None, status: str | None, limit: int,
                       offset: int) -> list[dict[str, Any]]:
    rows = await pool.fetch(
        "SELECT client_id, status, frozen, coordinator_id, decision_number, proposed_cents, amount_cents, reserved_cents,"
        " spent_cents, amount_cents - reserved_cents - spent_cents AS remaining_cents, version"
        " FROM budgets WHERE ($1::text IS NULL OR coordinator_id = $1) AND ($2::text IS NULL OR status = $2)"
        " ORDER BY updated_at DESC, client_id LIMIT $3 OFFSET $4",
        coordinator_id, status, limit, offset,
    )
    return [dict(r) for r in rows]
