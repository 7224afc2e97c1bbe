"""Support persons' and agreements' tables: the plan's list, and payroll's lines (one per claim scheduled for
payment). Written in the transaction of the events (a projector per aggregate), read by views and the period
export. No personal data: names, hetu, IBAN and contacts stay sealed in the events."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID

import asyncpg

from contracts.support_persons import (
    SupportAgreementMade,
    SupportClaimPaymentScheduled,
    SupportPersonRecorded,
    registry,
)
from shared.kernel.envelope import EventEnvelope


async def project_person(conn: asyncpg.Connection, state: Any, envelopes: Sequence[EventEnvelope]) -> None:
    last = envelopes[-1]
    for envelope in envelopes:
        event = registry.load(envelope.type, envelope.schema_version, envelope.data)
        if isinstance(event, SupportPersonRecorded):
            await conn.execute("INSERT INTO support_persons_view VALUES ($1, $2, $3, 'recorded', false, $4, $5)"
                               " ON CONFLICT DO NOTHING", event.person_id, event.client_id, event.relationship,
                               envelope.stream_version, envelope.time)
    await conn.execute("UPDATE support_persons_view SET status = $2, payable = $3, version = $4, updated_at = $5"
                       " WHERE person_id = $1", state.person_id, state.status, state.payable, last.stream_version,
                       last.time)


async def project_agreement(conn: asyncpg.Connection, state: Any, envelopes: Sequence[EventEnvelope]) -> None:
    """The agreement's row, and payroll's line of each claim scheduled for payment: written once per claim (an
    event is appended once; the key holds the line should a projection ever run again)."""
    last = envelopes[-1]
    for envelope in envelopes:
        if envelope.type not in registry:  # the approval family's (above the worker's delegation): no row of its own
            continue
        e = registry.load(envelope.type, envelope.schema_version, envelope.data)
        if isinstance(e, SupportAgreementMade):
            await conn.execute("INSERT INTO agreements_view VALUES ($1, $2, $3, 'awaiting_funds', $4, $5, $6)"
                               " ON CONFLICT DO NOTHING", e.agreement_id, e.client_id, e.person_id, e.amount_cents,
                               envelope.stream_version, envelope.time)
        elif isinstance(e, SupportClaimPaymentScheduled):
            await conn.execute("INSERT INTO payroll_lines VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
                               " ON CONFLICT (claim_id) DO NOTHING", e.claim_id, e.agreement_id, e.client_id,
                               e.person_id, e.kind, e.month, e.amount_cents, e.earnings_type, e.pay_on, envelope.time)
    await conn.execute("UPDATE agreements_view SET status = $2, version = $3, updated_at = $4 WHERE agreement_id = $1",
                       state.agreement_id, state.status, last.stream_version, last.time)


class SupportTables:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def persons(self, client_id: UUID) -> list[dict[str, Any]]:
        """The plan's support persons: those who withdrew their consent are not listed."""
        rows = await self.pool.fetch("SELECT person_id, relationship, payable FROM support_persons_view"
                                     " WHERE client_id = $1 AND status = 'recorded' ORDER BY updated_at", client_id)
        return [{**dict(r), "person_id": str(r["person_id"])} for r in rows]

    async def agreements(self, client_id: UUID) -> list[dict[str, Any]]:
        rows = await self.pool.fetch("SELECT agreement_id, person_id, status, amount_cents FROM agreements_view"
                                     " WHERE client_id = $1 ORDER BY updated_at", client_id)
        return [{**dict(r), "agreement_id": str(r["agreement_id"]), "person_id": str(r["person_id"])} for r in rows]

    async def agreement_page(self, client_id: UUID, *, limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
        """One page of the client's agreements, newest first, and how many they have in all."""
        async with self.pool.acquire() as conn:
            rows = await conn.fetch("SELECT agreement_id, person_id, status, amount_cents, updated_at"
                                    " FROM agreements_view WHERE client_id = $1"
                                    " ORDER BY updated_at DESC, agreement_id LIMIT $2 OFFSET $3",
                                    client_id, limit, offset)
            total = await conn.fetchval("SELECT count(*) FROM agreements_view WHERE client_id = $1", client_id)
        return [{**dict(r), "agreement_id": str(r["agreement_id"]), "person_id": str(r["person_id"]),
                 "updated_at": r["updated_at"].isoformat()} for r in rows], int(total)

    async def payroll_lines(self, first: date, last: date) -> list[dict[str, Any]]:
        """The lines paid from ``first`` to ``last`` (both included), in a stable order."""
        rows = await self.pool.fetch("SELECT * FROM payroll_lines WHERE pay_on BETWEEN $1 AND $2"
                                     " ORDER BY pay_on, person_id, work_month, claim_id", first, last)
        return [dict(r) for r in rows]
