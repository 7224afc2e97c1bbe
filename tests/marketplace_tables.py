"""The marketplace's tables in memory, for its application tests: the lookups as PostgreSQL keeps them (the first
claim of a Y-tunnus stands), what intake told of clients, and the deadlines scheduled (a list to look at)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from services.marketplace.application.ports import KnownClient
from shared.infra.eventstore import Session


@dataclass(frozen=True)
class Scheduled:
    kind: str
    key: str
    due_at: datetime
    payload: dict[str, Any]


@dataclass
class MemoryTables:
    y_tunnus: dict[str, UUID] = field(default_factory=dict)
    provider_users: dict[str, UUID] = field(default_factory=dict)
    clients: dict[UUID, KnownClient] = field(default_factory=dict)
    timers: list[Scheduled] = field(default_factory=list)
    asked: list[dict[str, Any]] = field(default_factory=list)  # what the read models were asked
    bought: dict[UUID, int] = field(default_factory=dict)  # what the county bought from each vendor in 12 months
    open_by_provider: dict[UUID, list[UUID]] = field(default_factory=dict)  # each provider's open orders
    open_by_vendor: dict[UUID, list[UUID]] = field(default_factory=dict)  # each vendor's open purchases

    async def claim_y_tunnus(self, session: Session, y_tunnus: str, provider_id: UUID) -> UUID:
        return self.y_tunnus.setdefault(y_tunnus, provider_id)

    async def add_provider_user(self, session: Session, user_id: str, provider_id: UUID) -> None:
        self.provider_users.setdefault(user_id, provider_id)

    async def provider_of_user(self, user_id: str) -> UUID | None:
        return self.provider_users.get(user_id)

    async def client(self, client_id: UUID) -> KnownClient | None:
        return self.clients.get(client_id)

    async def remember_client(self, session: Session, client_id: UUID, municipality: str,
                              coordinator_id: str) -> None:
        self.clients[client_id] = KnownClient(municipality, coordinator_id)

    async def change_coordinator(self, session: Session, client_id: UUID, coordinator_id: str) -> None:
        known = self.clients.get(client_id)
        if known is not None:
            self.clients[client_id] = KnownClient(known.municipality, coordinator_id)

    async def schedule(self, session: Session, kind: str, key: str, due_at: datetime, payload: dict[str, Any]) -> bool:
        if any((t.kind, t.key) == (kind, key) for t in self.timers):
            return False
        self.timers.append(Scheduled(kind, key, due_at, payload))
        return True

    async def provider_view(self, provider_id: UUID) -> dict[str, Any] | None:
        self.asked.append({"provider_id": provider_id})
        return None

    async def offering_view(self, offering_id: UUID) -> dict[str, Any] | None:
        self.asked.append({"offering_id": offering_id})
        return None

    async def search(self, **filters: Any) -> list[dict[str, Any]]:
        self.asked.append(filters)
        return []

    async def list_orders(self, *, client_id: UUID | None, provider_id: UUID | None, limit: int,
                          offset: int, statuses: list[str] | None = None) -> list[dict[str, Any]]:
        self.asked.append({"client_id": client_id, "provider_id": provider_id, "limit": limit, "offset": offset}
                          | ({"statuses": statuses} if statuses else {}))
        return [{"client_id": client_id or UUID(int=1)}] if provider_id else []

    async def list_providers(self, *, status: str | None, limit: int, offset: int) -> list[dict[str, Any]]:
        self.asked.append({"providers": status, "limit": limit, "offset": offset})
        return []

    async def list_offerings(self, provider_id: UUID) -> list[dict[str, Any]]:
        self.asked.append({"offerings_of": provider_id})
        return []

    async def list_purchases(self, *, client_id: UUID | None, vendor_id: UUID | None, limit: int,
                             offset: int) -> list[dict[str, Any]]:
        self.asked.append({"client_id": client_id, "vendor_id": vendor_id, "limit": limit, "offset": offset})
        return [{"client_id": client_id or UUID(int=1)}] if vendor_id else []

    async def bought_from(self, vendor_id: UUID, since: date) -> int:
        return self.bought.get(vendor_id, 0)

    async def ratings(self, provider_id: UUID) -> dict[str, Any]:
        return {"provider_id": str(provider_id), "count": 0, "average": None, "services": []}

    async def open_orders(self, session: Session, provider_id: UUID) -> list[UUID]:
        return list(self.open_by_provider.get(provider_id, []))

    async def open_purchases(self, session: Session, vendor_id: UUID) -> list[UUID]:
        return list(self.open_by_vendor.get(vendor_id, []))
