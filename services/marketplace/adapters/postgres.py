"""The marketplace's tables: lookups, what it knows of clients, and the search read model."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeAlias
from uuid import UUID

import asyncpg

from contracts.marketplace import (
    OfferingPriceChanged,
    OfferingPublished,
    OfferingWithdrawn,
    OrderPlaced,
    PaymentScheduled,
    ProviderRated,
    ProviderRegistered,
    ProviderSuspended,
    ProviderVerified,
    PurchasePaymentScheduled,
    PurchaseRequested,
    registry,
)
from services.marketplace.domain.order import OPEN, KnownClient
from services.marketplace.domain.purchase import CANCELLABLE as OPEN_PURCHASE
from shared.infra import timers
from shared.kernel.envelope import EventEnvelope

MIGRATIONS = Path(__file__).parent / "migrations"
Db: TypeAlias = asyncpg.Pool | asyncpg.Connection


async def claim_y_tunnus(conn: asyncpg.Connection, y_tunnus: str, provider_id: UUID) -> UUID:
    """Bind the Y-tunnus to ``provider_id`` unless bound already; returns the provider it is bound to."""
    won = await conn.fetchval("INSERT INTO provider_lookup VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING true",
                              y_tunnus, provider_id)
    if won:
        return provider_id
    existing: UUID = await conn.fetchval("SELECT provider_id FROM provider_lookup WHERE y_tunnus = $1", y_tunnus)
    return existing


async def add_provider_user(conn: asyncpg.Connection, user_id: str, provider_id: UUID) -> None:
    await conn.execute("INSERT INTO provider_users VALUES ($1, $2) ON CONFLICT (user_id) DO NOTHING",
                       user_id, provider_id)


async def provider_of_user(db: Db, user_id: str) -> UUID | None:
    value: UUID | None = await db.fetchval("SELECT provider_id FROM provider_users WHERE user_id = $1", user_id)
    return value


async def remember_client(conn: asyncpg.Connection, client_id: UUID, municipality: str, coordinator_id: str) -> None:
    await conn.execute(
        "INSERT INTO clients VALUES ($1, $2, $3) ON CONFLICT (client_id) DO UPDATE"
        " SET municipality = EXCLUDED.municipality, coordinator_id = EXCLUDED.coordinator_id",
        client_id, municipality, coordinator_id,
    )


async def change_coordinator(conn: asyncpg.Connection, client_id: UUID, coordinator_id: str) -> None:
    await conn.execute("UPDATE clients SET coordinator_id = $2 WHERE client_id = $1", client_id, coordinator_id)


async def client(db: Db, client_id: UUID) -> asyncpg.Record | None:
    return await db.fetchrow("SELECT * FROM clients WHERE client_id = $1", client_id)


# --- projections, in the transaction of the events ---------------------------------------------------------


async def project(conn: asyncpg.Connection, _state: object, envelopes: Sequence[EventEnvelope]) -> None:
    for envelope in envelopes:
        event = registry.load(envelope.type, envelope.schema_version, envelope.data)
        await _project_event(conn, event, envelope)


async def _project_event(conn: asyncpg.Connection, e: object, envelope: EventEnvelope) -> None:
    match e:
        case ProviderRegistered():
            await conn.execute(
                "INSERT INTO providers_view (provider_id, y_tunnus, name, kind, service_areas, languages,"
                " accessibility, evening, weekend, status, vendor_kind)"
                " VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,'unverified',$10)",
                e.provider_id, e.y_tunnus, e.name, e.kind.value, e.service_areas, list(e.languages),
                e.accessibility, e.evening_availability, e.weekend_availability, e.vendor_kind,
            )
        case ProviderVerified() | ProviderSuspended():
            status = "verified" if isinstance(e, ProviderVerified) else "suspended"
            await conn.execute("UPDATE providers_view SET status = $2 WHERE provider_id = $1", e.provider_id, status)
        case OfferingPublished():
            await conn.execute(
                "INSERT INTO offerings_view (offering_id, provider_id, category, title, description,"
                " unit_price_cents, vat_rate_bp, unit, availability) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)",
                e.offering_id, e.provider_id, e.category, e.title, e.description, e.unit_price_cents,
                e.vat_rate_bp, e.unit, e.availability,
            )
            await _price(conn, e.offering_id, e.unit_price_cents, envelope)
        case OfferingPriceChanged():
            await conn.execute("UPDATE offerings_view SET unit_price_cents = $2 WHERE offering_id = $1",
                               e.offering_id, e.unit_price_cents)
            await _price(conn, e.offering_id, e.unit_price_cents, envelope)
        case OfferingWithdrawn():
            await conn.execute("UPDATE offerings_view SET withdrawn = true WHERE offering_id = $1", e.offering_id)
        case OrderPlaced():
            await conn.execute(
                "INSERT INTO orders_view (order_id, client_id, provider_id, offering_id, status, amount_cents, version,"
                " updated_at, placed_at) VALUES ($1, $2, $3, $4, 'awaiting_funds', $5, $6, $7, $7)",
                e.order_id, e.client_id, e.provider_id, e.offering_id, e.amount_cents, envelope.stream_version,
                envelope.time,
            )
        case PurchaseRequested():
            await conn.execute(
                "INSERT INTO purchases_view VALUES ($1, $2, $3, $4, $5, 'awaiting_funds', $6, $7, $8, $8)",
                e.purchase_id, e.client_id, e.vendor_id, e.vendor_name, e.category, e.amount_cents,
                envelope.stream_version, envelope.time,
            )
        case ProviderRated():
            await conn.execute("UPDATE providers_view SET rating_sum = rating_sum + $2, rating_count = rating_count + 1"
                               " WHERE provider_id = $1", e.provider_id, e.stars)
            await conn.execute("UPDATE orders_view SET stars = $2 WHERE order_id = $1", e.order_id, e.stars)
        case PaymentScheduled():
            await conn.execute("UPDATE orders_view SET pay_on = $2 WHERE order_id = $1", e.order_id, e.pay_on)
        case PurchasePaymentScheduled():
            await conn.execute("UPDATE purchases_view SET pay_on = $2 WHERE purchase_id = $1", e.purchase_id, e.pay_on)


async def _price(conn: asyncpg.Connection, offering_id: UUID, cents: int, envelope: EventEnvelope) -> None:
    await conn.execute("INSERT INTO price_history VALUES ($1, $2, $3, $4)", offering_id, cents, envelope.time,
                       envelope.id)


async def project_order_status(conn: asyncpg.Connection, state: Any, envelopes: Sequence[EventEnvelope]) -> None:
    await project(conn, state, envelopes)
    last = envelopes[-1]
    await conn.execute("UPDATE orders_view SET status = $2, version = $3, updated_at = $4, held = $5"
                       " WHERE order_id = $1", state.order_id, state.status, last.stream_version, last.time,
                       state.held)


async def project_purchase(conn: asyncpg.Connection, state: Any, envelopes: Sequence[EventEnvelope]) -> None:
    await project(conn, state, envelopes)
    last = envelopes[-1]
    await conn.execute("UPDATE purchases_view SET status = $2, version = $3, updated_at = $4, held = $5"
                       " WHERE purchase_id = $1", state.purchase_id, state.status, last.stream_version, last.time,
                       state.held)


# --- search and price comparison ------------------------------------------------------------------------

# Ordering never looks at a provider's size. "fair" (the default) rotates daily, so no offering is always
# first; ties in price or rating are broken the same way. Ratings use a Bayesian average (prior 3.5 ★ worth
# three ratings), so a small provider with two fives is not buried under, nor lifted over, an established one.
SORTS = {
    "fair": "md5(o.offering_id::text || $7)",
    "price": "o.unit_price_cents, md5(o.offering_id::text || $7)",
    "rating": "(p.rating_sum + 10.5) / (p.rating_count + 3.0) DESC, md5(o.offering_id::text || $7)",
}


async def search(db: Db, *, category: str | None, municipality: str | None, language: str | None,
                 evening: bool | None, weekend: bool | None, text: str | None, sort: str, seed: str,
                 limit: int, offset: int) -> list[dict[str, Any]]:
    pattern = None if not text else "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    rows = await db.fetch(
        f"""
        SELECT o.offering_id, o.provider_id, o.category, o.title, o.description, o.unit_price_cents, o.vat_rate_bp,
               o.unit, o.availability, p.name AS provider_name, p.kind AS provider_kind, p.service_areas,
               p.languages, p.accessibility, p.evening, p.weekend, p.rating_count,
               CASE WHEN p.rating_count > 0 THEN round(p.rating_sum::numeric / p.rating_count, 2) END AS rating
        FROM offerings_view o JOIN providers_view p USING (provider_id)
        WHERE NOT o.withdrawn AND p.status = 'verified'
          AND ($1::text IS NULL OR o.category = $1)
          AND ($2::text IS NULL OR $2 = ANY (p.service_areas))
          AND ($3::text IS NULL OR $3 = ANY (p.languages))
          AND ($4::boolean IS NULL OR p.evening = $4)
          AND ($5::boolean IS NULL OR p.weekend = $5)
          AND ($6::text IS NULL OR o.title ILIKE $6 OR o.description ILIKE $6 OR p.name ILIKE $6)
        ORDER BY {SORTS[sort]}
        LIMIT $8 OFFSET $9
        """,
        category, municipality, language, evening, weekend, pattern, seed, limit, offset,
    )
    results = [dict(r) for r in rows]
    history = await price_histories(db, [r["offering_id"] for r in results])
    for r in results:
        r["rating"] = float(r["rating"]) if r["rating"] is not None else None
        r["price_history"] = history.get(r["offering_id"], [])
    return results


async def price_histories(db: Db, offering_ids: list[UUID]) -> dict[UUID, list[dict[str, Any]]]:
    rows = await db.fetch("SELECT offering_id, unit_price_cents, valid_from FROM price_history"
                          " WHERE offering_id = ANY($1::uuid[]) ORDER BY valid_from", offering_ids)
    history: dict[UUID, list[dict[str, Any]]] = {}
    for r in rows:
        history.setdefault(r["offering_id"], []).append(
            {"unit_price_cents": r["unit_price_cents"], "valid_from": r["valid_from"].isoformat()})
    return history


async def offering(db: Db, offering_id: UUID) -> dict[str, Any] | None:
    row = await db.fetchrow("SELECT o.*, p.status AS provider_status, p.service_areas FROM offerings_view o"
                            " JOIN providers_view p USING (provider_id) WHERE offering_id = $1", offering_id)
    return dict(row) if row else None


async def provider(db: Db, provider_id: UUID) -> dict[str, Any] | None:
    row = await db.fetchrow("SELECT * FROM providers_view WHERE provider_id = $1", provider_id)
    return dict(row) if row else None


# What never became a purchase from the vendor: refused by budgeting or in approval, cancelled, declined by the
# provider.
NOT_BOUGHT = ["rejected", "refused", "cancelled", "declined"]


async def bought_from(db: Db, vendor_id: UUID, since: date) -> int:
    total: int = await db.fetchval(
        "SELECT coalesce((SELECT sum(amount_cents) FROM orders_view WHERE provider_id = $1 AND placed_at >= $2"
        "                 AND status <> ALL($3::text[])), 0)"
        "     + coalesce((SELECT sum(amount_cents) FROM purchases_view WHERE vendor_id = $1 AND requested_at >= $2"
        "                 AND status <> ALL($3::text[])), 0)",
        vendor_id, datetime(since.year, since.month, since.day, tzinfo=UTC), NOT_BOUGHT)
    return total


async def list_purchases(db: Db, *, client_id: UUID | None, vendor_id: UUID | None, limit: int,
                         offset: int) -> list[dict[str, Any]]:
    rows = await db.fetch(
        "SELECT * FROM purchases_view WHERE ($1::uuid IS NULL OR client_id = $1) AND ($2::uuid IS NULL OR vendor_id = $2)"
        " ORDER BY updated_at DESC LIMIT $3 OFFSET $4", client_id, vendor_id, limit, offset)
    return [dict(r) for r in rows]


async def list_orders(db: Db, *, client_id: UUID | None, provider_id: UUID | None, limit: int,
                      offset: int, statuses: list[str] | None = None) -> list[dict[str, Any]]:
    # With the offering's title and the provider's name: a person reads words, not ids.
    rows = await db.fetch(
        "SELECT o.*, f.title AS offering_title, f.category, p.name AS provider_name FROM orders_view o"
        " LEFT JOIN offerings_view f USING (offering_id) LEFT JOIN providers_view p ON p.provider_id = o.provider_id"
        " WHERE ($1::uuid IS NULL OR o.client_id = $1) AND ($2::uuid IS NULL OR o.provider_id = $2)"
        " AND ($5::text[] IS NULL OR o.status = ANY($5::text[]))"
        " ORDER BY o.updated_at DESC LIMIT $3 OFFSET $4", client_id, provider_id, limit, offset, statuses)
    return [dict(r) for r in rows]


async def ratings(db: Db, provider_id: UUID) -> dict[str, Any]:
    """The provider's ratings: the average and count over all its orders, and per service (offering), the best
    rated first. Counts and averages only: no order, client, day or comment, so a rating names no one."""
    rows = await db.fetch(
        "SELECT o.offering_id, f.title, f.category, count(*) AS count, round(avg(o.stars), 2) AS average"
        " FROM orders_view o LEFT JOIN offerings_view f USING (offering_id)"
        " WHERE o.provider_id = $1 AND o.stars IS NOT NULL"
        " GROUP BY o.offering_id, f.title, f.category ORDER BY average DESC, f.title, o.offering_id", provider_id)
    total = await db.fetchrow("SELECT count(*) AS count, round(avg(stars), 2) AS average FROM orders_view"
                              " WHERE provider_id = $1 AND stars IS NOT NULL", provider_id)
    return {"provider_id": str(provider_id), "count": total["count"], "average": _number(total["average"]),
            "services": [{"offering_id": str(r["offering_id"]), "title": r["title"], "category": r["category"],
                          "count": r["count"], "average": _number(r["average"])} for r in rows]}


def _number(value: Any) -> float | None:
    return float(value) if value is not None else None


async def list_offerings(db: Db, provider_id: UUID) -> list[dict[str, Any]]:
    rows = await db.fetch("SELECT * FROM offerings_view WHERE provider_id = $1 ORDER BY withdrawn, title, offering_id",
                          provider_id)
    found = [dict(r) for r in rows]
    histories = await price_histories(db, [r["offering_id"] for r in found])
    return [r | {"price_history": histories.get(r["offering_id"], [])} for r in found]


async def list_providers(db: Db, *, status: str | None, limit: int, offset: int) -> list[dict[str, Any]]:
    rows = await db.fetch(
        "SELECT provider_id, y_tunnus, name, kind, vendor_kind, service_areas, languages, status FROM providers_view"
        " WHERE ($1::text IS NULL OR status = $1) ORDER BY name, provider_id LIMIT $2 OFFSET $3", status, limit, offset)
    return [dict(r) for r in rows]


async def open_orders(conn: asyncpg.Connection, provider_id: UUID) -> list[UUID]:
    """The provider's orders not yet delivered nor ended, oldest first."""
    rows = await conn.fetch("SELECT order_id FROM orders_view WHERE provider_id = $1 AND status = ANY($2::text[])"
                            " ORDER BY placed_at", provider_id, sorted(OPEN))
    return [r["order_id"] for r in rows]


async def open_purchases(conn: asyncpg.Connection, vendor_id: UUID) -> list[UUID]:
    """The vendor's purchases not yet delivered nor ended, oldest first."""
    rows = await conn.fetch("SELECT purchase_id FROM purchases_view WHERE vendor_id = $1"
                            " AND status = ANY($2::text[]) ORDER BY requested_at", vendor_id, sorted(OPEN_PURCHASE))
    return [r["purchase_id"] for r in rows]


class PostgresTables:
    """The application's ``Tables`` (application/ports.py) on the marketplace's database."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def claim_y_tunnus(self, session: asyncpg.Connection, y_tunnus: str, provider_id: UUID) -> UUID:
        return await claim_y_tunnus(session, y_tunnus, provider_id)

    async def add_provider_user(self, session: asyncpg.Connection, user_id: str, provider_id: UUID) -> None:
        await add_provider_user(session, user_id, provider_id)

    async def provider_of_user(self, user_id: str) -> UUID | None:
        return await provider_of_user(self.pool, user_id)

    async def client(self, client_id: UUID) -> KnownClient | None:
        row = await client(self.pool, client_id)
        return None if row is None else KnownClient(row["municipality"], row["coordinator_id"])

    async def remember_client(self, session: asyncpg.Connection, client_id: UUID, municipality: str,
                              coordinator_id: str) -> None:
        await remember_client(session, client_id, municipality, coordinator_id)

    async def change_coordinator(self, session: asyncpg.Connection, client_id: UUID, coordinator_id: str) -> None:
        await change_coordinator(session, client_id, coordinator_id)

    async def schedule(self, session: asyncpg.Connection, kind: str, key: str, due_at: datetime,
                       payload: dict[str, Any]) -> bool:
        return await timers.schedule(session, kind, key, due_at, payload)

    async def provider_view(self, provider_id: UUID) -> dict[str, Any] | None:
        return await provider(self.pool, provider_id)

    async def offering_view(self, offering_id: UUID) -> dict[str, Any] | None:
        found = await offering(self.pool, offering_id)
        if found is not None:
            found["price_history"] = (await price_histories(self.pool, [offering_id])).get(offering_id, [])
        return found

    async def search(self, **filters: Any) -> list[dict[str, Any]]:
        return await search(self.pool, **filters)

    async def list_orders(self, *, client_id: UUID | None, provider_id: UUID | None, limit: int,
                          offset: int, statuses: list[str] | None = None) -> list[dict[str, Any]]:
        return await list_orders(self.pool, client_id=client_id, provider_id=provider_id, limit=limit, offset=offset,
                                 statuses=statuses)

    async def list_providers(self, *, status: str | None, limit: int, offset: int) -> list[dict[str, Any]]:
        return await list_providers(self.pool, status=status, limit=limit, offset=offset)

    async def list_offerings(self, provider_id: UUID) -> list[dict[str, Any]]:
        return await list_offerings(self.pool, provider_id)

    async def list_purchases(self, *, client_id: UUID | None, vendor_id: UUID | None, limit: int,
                             offset: int) -> list[dict[str, Any]]:
        return await list_purchases(self.pool, client_id=client_id, vendor_id=vendor_id, limit=limit, offset=offset)

    async def bought_from(self, vendor_id: UUID, since: date) -> int:
        return await bought_from(self.pool, vendor_id, since)

    async def ratings(self, provider_id: UUID) -> dict[str, Any]:
        return await ratings(self.pool, provider_id)

    async def open_orders(self, session: asyncpg.Connection, provider_id: UUID) -> list[UUID]:
        return await open_orders(session, provider_id)

    async def open_purchases(self, session: asyncpg.Connection, vendor_id: UUID) -> list[UUID]:
        return await open_purchases(session, vendor_id)
