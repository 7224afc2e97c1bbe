"""The notifications service's tables: the inbox and the e-mail outbox (projected from its events), and its copy of
what the events said about people (application/directory.py)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg

from contracts.notifications import NotificationRead, PersonNotified
from contracts.notifications import registry as notifications
from services.notifications.domain.audience import Client, Provider
from services.notifications.domain.notice import Notice
from shared.infra import representation
from shared.kernel.envelope import EventEnvelope
from shared.kernel.sealed import Sealed

MIGRATIONS = Path(__file__).parent / "migrations"


# --- the inbox and the e-mail outbox, in the command's transaction -------------------------------------------------

async def project_notice(conn: asyncpg.Connection, notice: Notice, events: Sequence[EventEnvelope]) -> None:
    for envelope in events:
        event = notifications.load(envelope.type, envelope.schema_version, envelope.data)
        if isinstance(event, PersonNotified):
            inserted = await conn.fetchval(
                "INSERT INTO inbox_items (item_id, notice_id, person_id, audience, kind, client_id, language, params,"
                " created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING RETURNING item_id",
                event.item_id, event.source_event_id, event.person_id, event.audience, event.kind, event.client_id,
                event.language, json.dumps(event.params), envelope.time)
            if inserted is not None:
                await conn.execute(
                    "INSERT INTO email_outbox (item_id, person_id, audience, client_id, language, created_at,"
                    " next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT DO NOTHING",
                    event.item_id, event.person_id, event.audience, event.client_id, event.language, envelope.time)
        elif isinstance(event, NotificationRead):
            await conn.execute("UPDATE inbox_items SET read_at = $2 WHERE item_id = $1 AND read_at IS NULL",
                               event.item_id, envelope.time)
    if any(e.type == PersonNotified.event_type for e in events):
        await conn.execute("SELECT pg_notify('avain_mail', '')")  # wakes the mailer at commit


class Inbox:
    """A person's inbox, newest first."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def page(self, person_id: str, *, unread_only: bool, offset: int, limit: int,
                   clients: list[str] | None = None) -> tuple[list[dict[str, Any]], int, int]:
        """The items of the page, how many there are in all (of this filter), and how many are unread.
        ``clients``: only items about these clients (or about no client), e.g. those a representative may read
        today; None: every item of the person."""
        unread_filter = " AND read_at IS NULL" if unread_only else ""
        about = "" if clients is None else " AND (client_id IS NULL OR client_id::text = ANY($4::text[]))"
        extra = [] if clients is None else [clients]
        rows = await self._pool.fetch(
            "SELECT item_id, notice_id, audience, kind, client_id, language, params, created_at, read_at"
            f" FROM inbox_items WHERE person_id = $1{unread_filter}{about}"
            " ORDER BY created_at DESC, item_id LIMIT $2 OFFSET $3", person_id, limit, offset, *extra)
        counts = await self._pool.fetchrow(
            "SELECT count(*) AS total, count(*) FILTER (WHERE read_at IS NULL) AS unread FROM inbox_items"
            f" WHERE person_id = $1{about.replace('$4', '$2')}", person_id, *extra)
        total = counts["unread"] if unread_only else counts["total"]
        return [{**dict(r), "params": json.loads(r["params"])} for r in rows], total, counts["unread"]

    async def notice_of(self, item_id: UUID) -> UUID | None:
        found: UUID | None = await self._pool.fetchval("SELECT notice_id FROM inbox_items WHERE item_id = $1", item_id)
        return found

    async def unread(self, person_id: str) -> list[tuple[UUID, UUID]]:
        """(notice, item) of every unread item of the person."""
        rows = await self._pool.fetch("SELECT notice_id, item_id FROM inbox_items WHERE person_id = $1"
                                      " AND read_at IS NULL ORDER BY created_at", person_id)
        return [(r["notice_id"], r["item_id"]) for r in rows]


# --- the directory's copy -------------------------------------------------------------------------------------------

class PostgresDirectory:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def client(self, client_id: UUID) -> Client | None:
        row = await self._pool.fetchrow("SELECT language, coordinator_id FROM known_clients WHERE client_id = $1",
                                        client_id)
        if not row:
            return None
        # Those who act for the client today, from the representation records every service keeps (issue 17).
        told = await representation.representatives_of(self._pool, [client_id], representation.today())
        return Client(client_id, row["language"], row["coordinator_id"], told.get(client_id, ()))

    async def provider(self, provider_id: UUID) -> Provider | None:
        row = await self._pool.fetchrow("SELECT users, language FROM known_providers WHERE provider_id = $1",
                                        provider_id)
        return Provider(provider_id, tuple(json.loads(row["users"])), row["language"]) if row else None

    async def open_orders(self, provider_id: UUID) -> list[tuple[UUID, Client]]:
        rows = await self._pool.fetch(
            "SELECT o.order_id, o.client_id, c.language, c.coordinator_id FROM known_orders o"
            " LEFT JOIN known_clients c USING (client_id) WHERE o.provider_id = $1 AND o.open ORDER BY o.order_id",
            provider_id)
        told = await representation.representatives_of(self._pool, [r["client_id"] for r in rows],
                                                        representation.today())
        return [(r["order_id"], Client(r["client_id"], r["language"], r["coordinator_id"],
                                       told.get(r["client_id"], ()))) for r in rows]

    async def languages(self, person_ids: Sequence[str]) -> dict[str, str]:
        rows = await self._pool.fetch("SELECT staff_id, language FROM known_staff WHERE staff_id = ANY($1::text[])"
                                      " AND language IS NOT NULL", list(person_ids))
        return {r["staff_id"]: r["language"] for r in rows}

    async def staff_email(self, staff_id: str) -> str | None:
        found: str | None = await self._pool.fetchval(
            "SELECT email FROM known_staff WHERE staff_id = $1 AND active", staff_id)
        return found

    async def staff_roles(self) -> list[tuple[str, str]]:
        rows = await self._pool.fetch("SELECT staff_id, role FROM known_staff WHERE active AND role IS NOT NULL"
                                      " ORDER BY staff_id")
        return [(r["staff_id"], r["role"]) for r in rows]

    async def note_staff(self, session: asyncpg.Connection, staff_id: str, *, language: str | None,
                         email: str | None, active: bool, role: str | None = None) -> None:
        # The whole entry as it now stands (the directory's event carries all of it): replaced, not merged.
        await session.execute(
            "INSERT INTO known_staff (staff_id, language, email, active, role) VALUES ($1, $2, $3, $4, $5)"
            " ON CONFLICT (staff_id) DO UPDATE SET language = $2, email = $3, active = $4, role = $5",
            staff_id, language, email, active, role)

    async def contact(self, client_id: UUID) -> Sealed | None:
        raw = await self._pool.fetchval("SELECT contact FROM known_clients WHERE client_id = $1", client_id)
        return Sealed.model_validate_json(raw) if raw else None

    async def provider_email(self, person_id: str) -> str | None:
        found: str | None = await self._pool.fetchval(
            "SELECT email FROM known_providers WHERE users ? $1 ORDER BY provider_id LIMIT 1", person_id)
        return found

    async def note_client(self, session: asyncpg.Connection, client_id: UUID, *, language: str | None = None,
                          coordinator_id: str | None = None, contact: Sealed | None = None) -> None:
        await session.execute(
            "INSERT INTO known_clients (client_id, language, coordinator_id, contact) VALUES ($1, $2, $3, $4)"
            " ON CONFLICT (client_id) DO UPDATE SET language = coalesce($2, known_clients.language),"
            " coordinator_id = coalesce($3, known_clients.coordinator_id),"
            " contact = coalesce($4, known_clients.contact)",
            client_id, language, coordinator_id, contact.model_dump_json() if contact else None)

    async def note_order(self, session: asyncpg.Connection, order_id: UUID, client_id: UUID, provider_id: UUID
                         ) -> None:
        await session.execute("INSERT INTO known_orders (order_id, client_id, provider_id) VALUES ($1, $2, $3)"
                              " ON CONFLICT DO NOTHING", order_id, client_id, provider_id)

    async def close_order(self, session: asyncpg.Connection, order_id: UUID) -> None:
        await session.execute("UPDATE known_orders SET open = false WHERE order_id = $1", order_id)

    async def note_provider(self, session: asyncpg.Connection, provider_id: UUID, *, user_id: str | None,
                            email: str | None, language: str | None) -> None:
        users = json.dumps([user_id] if user_id else [])
        await session.execute(
            "INSERT INTO known_providers (provider_id, users, email, language) VALUES ($1, $2::jsonb, $3, $4)"
            " ON CONFLICT (provider_id) DO UPDATE SET email = coalesce($3, known_providers.email),"
            " language = coalesce($4, known_providers.language),"
            " users = coalesce((SELECT jsonb_agg(DISTINCT u) FROM jsonb_array_elements(known_providers.users || $2::jsonb) u),"
            " '[]'::jsonb)",
            provider_id, users, email, language)

    async def forget_client(self, session: asyncpg.Connection, client_id: UUID) -> None:
        await session.execute("UPDATE known_clients SET contact = NULL WHERE client_id = $1", client_id)


# --- the e-mail outbox, for the mailer ---------------------------------------------------------------------------------

async def due_mail(conn: asyncpg.Connection, now: datetime) -> asyncpg.Record | None:
    """The oldest e-mail due, locked for this transaction (another instance's mailer skips it)."""
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT item_id, person_id, audience, client_id, language, attempts FROM email_outbox"
        " WHERE outcome IS NULL AND next_attempt_at <= $1 ORDER BY next_attempt_at, created_at LIMIT 1"
        " FOR UPDATE SKIP LOCKED", now)
    return row


async def settle_mail(conn: asyncpg.Connection, item_id: UUID, outcome: str, at: datetime,
                      error: str | None = None) -> None:
    await conn.execute("UPDATE email_outbox SET outcome = $2, sent_at = CASE WHEN $2 = 'sent' THEN $3::timestamptz END,"
                       " attempts = attempts + 1, last_error = $4 WHERE item_id = $1", item_id, outcome, at, error)


async def postpone_mail(conn: asyncpg.Connection, item_id: UUID, until: datetime, error: str) -> None:
    await conn.execute("UPDATE email_outbox SET attempts = attempts + 1, next_attempt_at = $2, last_error = $3"
                       " WHERE item_id = $1", item_id, until, error)
