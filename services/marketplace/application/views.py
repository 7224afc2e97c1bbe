"""What a reader sees of the marketplace: providers, offerings with their price history, search and price
comparison, and orders. An order is a client's data: each read goes through the policy, as commands do, and
tells its door whose data was asked for (``seen``) before the policy decides, so refused reads are logged too."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from services.marketplace.application.handlers import ORDER
from services.marketplace.application.policy import list_scope
from services.marketplace.application.ports import Ports
from services.marketplace.application.queries import (
    ListOrders,
    ReadOffering,
    ReadOrder,
    ReadProvider,
    SearchOfferings,
)
from shared.infra.pipeline import Application
from shared.kernel.errors import NotFound
from shared.kernel.principal import Principal

Seen = Callable[[list[UUID]], None]  # told the clients whose data a read asks for


async def provider(app: Application[Ports], query: ReadProvider, principal: Principal) -> dict[str, Any]:
    found = await app.deps.tables.provider_view(query.provider_id)
    if found is None:
        raise NotFound("no such provider")
    return found


async def offering(app: Application[Ports], query: ReadOffering, principal: Principal) -> dict[str, Any]:
    """The offering with its price history (the view carries it)."""
    found = await app.deps.tables.offering_view(query.offering_id)
    if found is None:
        raise NotFound("no such offering")
    return found


async def search(app: Application[Ports], query: SearchOfferings, principal: Principal, seed: str) -> list[dict[str, Any]]:
    """Verified providers' live offerings; ``seed`` rotates the fair order (one a day)."""
    return await app.deps.tables.search(seed=seed, **query.model_dump())


async def order(app: Application[Ports], query: ReadOrder, principal: Principal,
                seen: Seen) -> tuple[int, dict[str, Any]]:
    """The order's version (its ETag) and what the reader sees of it: price and amounts, status, its history."""
    loaded = await app.read(ORDER, query, principal, seen=lambda o: seen([o.client_id] if o.client_id else []))
    o = loaded.state
    history = [{"type": e.type.rsplit(".", 1)[1], "time": e.time.isoformat(), "actor_role": e.actor.role}
               for e in loaded.events]
    placed = loaded.events[0].data
    return loaded.version, {
        "order_id": str(o.order_id), "client_id": str(o.client_id), "provider_id": str(o.provider_id),
        "offering_id": placed["offering_id"], "status": o.status, "quantity": placed["quantity"],
        "unit_price_cents": placed["unit_price_cents"], "amount_cents": o.amount_cents,
        "invoice_cents": o.invoice_cents or None, "version": loaded.version, "history": history,
    }


async def orders(app: Application[Ports], query: ListOrders, principal: Principal, seen: Seen) -> list[dict[str, Any]]:
    """A provider user's provider's orders; a client's own; a named client's for their worker, managers, auditors."""
    tables = app.deps.tables
    own = await app.deps.own_provider(principal)
    client_id = UUID(principal.user_id) if principal.role == "client" else query.client_id
    if principal.role != "provider" and client_id is not None:
        seen([client_id])  # one client's orders: logged, also if refused
    known = await tables.client(client_id) if client_id is not None and principal.role == "worker" else None
    client_id, provider_id = list_scope(principal, client_id, own, known)
    rows = await tables.list_orders(client_id=client_id, provider_id=provider_id, limit=query.limit,
                                    offset=query.offset)
    if provider_id is not None:
        seen([r["client_id"] for r in rows])  # each order names its client
    return rows
