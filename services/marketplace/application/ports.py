"""What the marketplace's handlers, policy and views reach beyond their own stream: the catalogue's streams (a
provider's status, an offering's price, read when an order is placed), the lookup tables (one provider per
Y-tunnus, which provider a user acts for, what intake told of each client), the saga's deadlines, the read
models, and the region's vendor criteria. ``Tables`` is implemented on PostgreSQL (adapters/postgres.py) and in
memory by the application tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol
from uuid import UUID

from contracts.marketplace import registry
from services.marketplace.domain import agreement as agreements
from services.marketplace.domain import catalogue
from services.marketplace.domain import order as orders
from services.marketplace.domain import purchase as purchases
from services.marketplace.domain import support_person as persons
from services.marketplace.domain.order import KnownClient
from services.marketplace.domain.vendors import VendorTable
from shared.infra import tables as county_tables
from shared.infra.aggregate import Aggregate
from shared.infra.eventstore import EventStore, Session
from shared.kernel.approvals import Authority, DelegationTable
from shared.kernel.principal import Principal

PROVIDER_AGGREGATE = Aggregate(catalogue.NO_PROVIDER, catalogue.evolve_provider, catalogue.decide_provider, registry)
OFFERING_AGGREGATE = Aggregate(catalogue.NO_OFFERING, catalogue.evolve_offering, catalogue.decide_offering, registry)
ORDER_AGGREGATE = Aggregate(orders.NO_ORDER, orders.evolve, orders.decide, registry)
PURCHASE_AGGREGATE = Aggregate(purchases.NO_PURCHASE, purchases.evolve, purchases.decide, registry)
PERSON_AGGREGATE = Aggregate(persons.NO_PERSON, persons.evolve, persons.decide, registry)
AGREEMENT_AGGREGATE = Aggregate(agreements.NO_AGREEMENT, agreements.evolve, agreements.decide, registry)


def provider_stream(provider_id: UUID) -> str:
    return f"provider-{provider_id}"


def offering_stream(offering_id: UUID) -> str:
    return f"offering-{offering_id}"


def order_stream(order_id: UUID) -> str:
    return f"order-{order_id}"


def purchase_stream(purchase_id: UUID) -> str:
    return f"purchase-{purchase_id}"


def person_stream(person_id: UUID) -> str:
    return f"support-person-{person_id}"


@dataclass(frozen=True)
class SagaSettings:
    reservation_timeout: timedelta = timedelta(seconds=30)
    provider_response_timeout: timedelta = timedelta(days=5)
    payment_terms: timedelta = timedelta(days=14)


class Tables(Protocol):
    # --- lookups, written in the command's (or the inbox's) session -------------------------------------------
    async def claim_y_tunnus(self, session: Session, y_tunnus: str, provider_id: UUID) -> UUID:
        """Bind the Y-tunnus to ``provider_id`` unless bound already; returns the provider it is bound to."""

    async def add_provider_user(self, session: Session, user_id: str, provider_id: UUID) -> None: ...

    async def provider_of_user(self, user_id: str) -> UUID | None: ...

    async def client(self, client_id: UUID) -> KnownClient | None: ...

    async def remember_client(self, session: Session, client_id: UUID, municipality: str,
                              coordinator_id: str) -> None: ...

    async def change_coordinator(self, session: Session, client_id: UUID, coordinator_id: str) -> None: ...

    async def schedule(self, session: Session, kind: str, key: str, due_at: datetime,
                       payload: dict[str, Any]) -> bool:
        """A durable deadline, in ``session`` (shared/infra/timers.py); False when it was scheduled before."""

    # --- read models ------------------------------------------------------------------------------------------
    async def provider_view(self, provider_id: UUID) -> dict[str, Any] | None: ...

    async def offering_view(self, offering_id: UUID) -> dict[str, Any] | None: ...

    async def search(self, **filters: Any) -> list[dict[str, Any]]: ...

    async def list_orders(self, *, client_id: UUID | None, provider_id: UUID | None, limit: int,
                          offset: int, statuses: list[str] | None = None) -> list[dict[str, Any]]: ...

    async def list_providers(self, *, status: str | None, limit: int, offset: int) -> list[dict[str, Any]]: ...

    async def list_offerings(self, provider_id: UUID) -> list[dict[str, Any]]:
        """The provider's offerings, withdrawn ones too, each with its price history."""

    async def list_purchases(self, *, client_id: UUID | None, vendor_id: UUID | None, limit: int,
                             offset: int) -> list[dict[str, Any]]: ...

    async def open_orders(self, session: Session, provider_id: UUID) -> list[UUID]:
        """The provider's orders not yet delivered nor ended (awaiting funds, confirmed, accepted), in ``session``."""

    async def open_purchases(self, session: Session, vendor_id: UUID) -> list[UUID]:
        """The vendor's purchases not yet delivered nor ended (awaiting funds or approval, confirmed)."""

    async def ratings(self, provider_id: UUID) -> dict[str, Any]:
        """The provider's average rating and count, overall and per offering: aggregates only."""

    async def bought_from(self, vendor_id: UUID, since: date) -> int:
        """What the county has bought from the vendor since ``since`` (orders and purchases not refused,
        cancelled or declined), in cents, VAT included: the value conditions of its criteria are decided on it."""


@dataclass(frozen=True)
class Ports:
    saga: SagaSettings
    tables: Tables
    store: EventStore  # the catalogue's streams, read when an order or an offering needs them
    vendors: VendorTable  # the region's criteria per kind of vendor, and who may deliver which category
    # who buys alone up to what amount, and who approves above it (config/data/delegations.toml, kind "purchase")
    delegations: DelegationTable = field(default_factory=county_tables.delegations)
    support: Any = None  # support persons' and agreements' tables (adapters/support.py); None in memory tests
    payroll_key: Any = None  # payroll's public key (adapters/payroll.PayrollKey): payee registrations go to it

    def agreement_authority(self, person: str, role: str, municipality: str | None, on: date) -> Authority | None:
        return self.delegations.authority(person, role, agreements.KIND, municipality, on)

    async def person(self, person_id: UUID) -> persons.SupportPerson:
        return PERSON_AGGREGATE.fold(await self.store.read_stream(person_stream(person_id)))

    def purchase_authority(self, person: str, role: str, municipality: str | None, on: date) -> Authority | None:
        return self.delegations.authority(person, role, purchases.KIND, municipality, on)

    async def provider(self, provider_id: UUID) -> catalogue.Provider:
        return PROVIDER_AGGREGATE.fold(await self.store.read_stream(provider_stream(provider_id)))

    async def offering(self, offering_id: UUID) -> catalogue.Offering:
        return OFFERING_AGGREGATE.fold(await self.store.read_stream(offering_stream(offering_id)))

    async def own_provider(self, principal: Principal) -> UUID | None:
        """The provider a provider user acts for (None for everyone else)."""
        return await self.tables.provider_of_user(principal.user_id) if principal.role == "provider" else None
