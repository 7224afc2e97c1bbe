"""The decisions service's tables: the approvals queue and the register's list."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import asyncpg

from contracts.decisions import RectificationDecided, RectificationRequested, registry
from services.decisions.domain.queue import ApprovalNote, ApprovalRow
from services.decisions.domain.register import CLIENT, RegisteredDecision, deadline_of
from shared.infra import timers
from shared.kernel.envelope import EventEnvelope

OVERDUE_TIMER = "rectification-overdue"  # a request unanswered when its answer is due (handlers.TIMERS)

MIGRATIONS = Path(__file__).parent / "migrations"

_COLUMNS = ("approval_id, service, kind, matter_id, client_id, municipality, amount_cents, limit_cents, requested_by,"
            " requested_at, status, answered_by, answered_at")


class PostgresApprovals:
    """The queue on PostgreSQL: written in the consumer's inbox transaction, read by the HTTP API."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def note(self, session: Any, note: ApprovalNote) -> None:
        conn: asyncpg.Connection = session
        if note.status == "pending":
            await conn.execute(
                "INSERT INTO approvals (approval_id, service, kind, matter_id, client_id, municipality, amount_cents,"
                " limit_cents, requested_by, requested_at, status, event_id)"
                " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'pending', $11) ON CONFLICT DO NOTHING",
                note.approval_id, note.service, note.kind, note.matter_id, note.client_id, note.municipality,
                note.amount_cents, note.limit_cents, note.by, note.at, note.event_id)
            return
        # An answer: applied once (a redelivery finds the row answered); an answer to a request this queue never
        # saw (it began before the queue existed) is kept as an answered row all the same.
        await conn.execute(
            "INSERT INTO approvals (approval_id, service, kind, matter_id, client_id, municipality, amount_cents,"
            " requested_by, requested_at, status, answered_by, answered_at, event_id)"
            " VALUES ($1, $2, $3, $4, $5, NULL, 0, '', $6, $7, $8, $6, $9)"
            " ON CONFLICT (approval_id) DO UPDATE SET status = EXCLUDED.status, answered_by = EXCLUDED.answered_by,"
            " answered_at = EXCLUDED.answered_at WHERE approvals.status = 'pending'",
            note.approval_id, note.service, note.kind, note.matter_id, note.client_id, note.at, note.status, note.by,
            note.event_id)

    async def list(self, *, status: str | None, kind: str | None, requested_by: str | None, limit: int,
                   offset: int) -> list[ApprovalRow]:
        rows = await self._pool.fetch(
            f"SELECT {_COLUMNS} FROM approvals WHERE ($1::text IS NULL OR status = $1)"
            " AND ($2::text IS NULL OR kind = $2) AND ($3::text IS NULL OR requested_by = $3)"
            " ORDER BY requested_at, approval_id LIMIT $4 OFFSET $5",
            status, kind, requested_by, limit, offset)
        return [ApprovalRow(**dict(r)) for r in rows]


async def project_decision(conn: asyncpg.Connection, decision: RegisteredDecision,
                           events: Sequence[EventEnvelope]) -> None:
    """The register's row of a decision, whole, and the durable timer of each request for rectification it
    received (cancelled once decided), in the command's transaction."""
    record = decision.registered
    if record is None or not events:
        return
    for envelope in events:
        event = registry.load(envelope.type, envelope.schema_version, envelope.data)
        if isinstance(event, RectificationRequested):
            await timers.schedule(conn, OVERDUE_TIMER, str(event.request_id), event.answer_due_at, {
                "client_id": str(event.client_id), "decision_id": str(event.decision_id),
                "request_id": str(event.request_id), "correlation_id": envelope.correlation_id})
        elif isinstance(event, RectificationDecided):
            await timers.cancel(conn, OVERDUE_TIMER, str(event.request_id))
    await conn.execute(
        "INSERT INTO register (decision_id, client_id, decision_number, kind, decided_on, decided_by, source_service,"
        " served, client_deadline, version, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
        " ON CONFLICT (decision_id) DO UPDATE SET served = EXCLUDED.served,"
        " client_deadline = EXCLUDED.client_deadline, version = EXCLUDED.version, updated_at = EXCLUDED.updated_at",
        record.decision_id, record.client_id, record.decision_number, record.kind, record.decided_on,
        record.decided_by, record.source_service, CLIENT in decision.served, deadline_of(decision, CLIENT),
        events[-1].stream_version, events[-1].time)


async def list_decisions(pool: asyncpg.Pool, *, client_id: Any, limit: int, offset: int) -> list[dict[str, Any]]:
    rows = await pool.fetch(
        "SELECT decision_id, client_id, decision_number, kind, decided_on, decided_by, source_service, served,"
        " client_deadline, version FROM register WHERE client_id = $1"
        " ORDER BY decided_on DESC, decision_number DESC LIMIT $2 OFFSET $3", client_id, limit, offset)
    return [dict(r) for r in rows]


async def next_decision_number(pool: asyncpg.Pool, year: int) -> str:
    """The register's own decisions (on requests for rectification) are numbered HBO-<year>-<n>."""
    n = await pool.fetchval("SELECT nextval('decision_number_seq')")
    return f"HBO-{year}-{n:06d}"
