"""Who may do what in the marketplace.

- a provider user acts only for their own provider (offerings, answering orders, delivery, invoices);
- the region (a manager) verifies and suspends providers;
- a client orders, cancels, approves invoices and rates for themself; their coordinating worker may do
  the same on the client's behalf;
- everyone signed in may search; managers and auditors read orders.
"""

from __future__ import annotations

from uuid import UUID

from services.marketplace.domain.order import Order
from shared.kernel.errors import Forbidden
from shared.kernel.principal import Principal


def require_region(principal: Principal) -> None:
    if principal.role != "manager":
        raise Forbidden("the region's staff (managers) verify and suspend providers")


def require_provider_user(principal: Principal, own_provider: UUID | None, provider_id: UUID | None) -> None:
    if principal.role != "provider" or own_provider is None or own_provider != provider_id:
        raise Forbidden("only the provider's own users act for it")


def require_client_side(principal: Principal, client_id: UUID, coordinator_id: str | None) -> None:
    """The client themself, or the worker who coordinates their case."""
    if principal.role == "client" and principal.user_id == str(client_id):
        return
    if principal.role == "worker" and coordinator_id is not None and principal.user_id == coordinator_id:
        return
    raise Forbidden("only the client or their coordinating worker acts on the client's orders")


def may_read_order(principal: Principal, order: Order, coordinator_id: str | None, own_provider: UUID | None) -> None:
    if principal.role in ("manager", "auditor"):
        return
    if principal.role == "provider":
        require_provider_user(principal, own_provider, order.provider_id)
        return
    assert order.client_id is not None
    require_client_side(principal, order.client_id, coordinator_id)
