"""The marketplace's world for its application tests: the application on the memory store with the region's
vendor table as shipped, the people who act in it, and the cases as given events (providers and vendors,
offerings, known clients, orders and purchases along their way)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid4

from contracts.marketplace import (
    QUALITY_CRITERIA,
    ApprovalRequested,
    InvoiceApproved,
    InvoiceSubmitted,
    OfferingPublished,
    OrderAccepted,
    OrderConfirmed,
    OrderPlaced,
    ProviderKind,
    ProviderRegistered,
    ProviderVerified,
    PurchaseConfirmed,
    PurchaseDelivered,
    PurchaseFundsReserved,
    PurchaseInvoiceApproved,
    PurchaseInvoiced,
    PurchaseRequested,
    ServiceDelivered,
)
from services.marketplace.application.handlers import HANDLERS, TIMERS
from services.marketplace.application.ports import (
    KnownClient,
    Ports,
    SagaSettings,
    offering_stream,
    order_stream,
    provider_stream,
    purchase_stream,
)
from services.marketplace.application.reactions import REACTIONS
from services.marketplace.bootstrap import MarketplaceSettings
from shared.infra.crypto import MemoryKeyring
from shared.infra.memory_store import InMemoryEventStore
from shared.infra.pipeline import Application
from shared.kernel.approvals import Authority
from shared.kernel.events import DomainEvent
from shared.kernel.principal import Principal
from tests.application import WORKER, Harness
from tests.marketplace_tables import MemoryTables

SERVICE = "marketplace"
# The county's staff (WORKER, OTHER_WORKER, AUDITOR) are tests/application.py's; these act in the marketplace only.
REGION = Principal(user_id="region-ritva", role="manager")
SELLER = Principal(user_id="prov-siisti", role="provider")
OTHER_SELLER = Principal(user_id="prov-muu", role="provider")
SAGA = SagaSettings()
# A worker's delegation for purchases smaller than the stroller's price, as a request above it records it.
WORKERS_SMALL = Authority(table_version="2025-01", rule_id="worker-purchase", kind="purchase", holder="role:worker",
                          limit_cents=100_000)
VENDORS = MarketplaceSettings().vendors()  # the region's table as shipped (config/data/vendor_criteria.toml)
Y_TUNNUS = "0112038-9"


def client(cid: UUID) -> Principal:
    return Principal(user_id=str(cid), role="client")


def harness(tables: MemoryTables) -> Harness:
    """The marketplace's application on the memory store, its tables in ``tables`` (each test module's fixture)."""
    store = InMemoryEventStore(source="/avain/marketplace", topic="avain.marketplace.events.v1")
    return Harness(Application(SERVICE, HANDLERS, store, MemoryKeyring(), Ports(SAGA, tables, store, VENDORS),
                               reactions=REACTIONS, timers=TIMERS, project=False))


# --- the world as given -----------------------------------------------------------------------------------------

def registered(pid: UUID, **changes: Any) -> ProviderRegistered:
    fields: dict[str, Any] = {
        "provider_id": pid, "y_tunnus": Y_TUNNUS, "name": "Siisti Koti Oy", "kind": ProviderKind.FIRM,
        "service_areas": ["Tampere"], "languages": ["fi", "sv"], "accessibility": "Esteetön",
        "evening_availability": True, "weekend_availability": False, "contact_email": "info@example.fi"}
    return ProviderRegistered(**(fields | changes))


async def provider(h: Harness, tables: MemoryTables, user: Principal = SELLER, *, verified: bool = True,
                   kind: str = "social_care", met: tuple[str, ...] = QUALITY_CRITERIA,
                   name: str = "Siisti Koti Oy") -> UUID:
    """A provider of ``kind`` acting through ``user``, verified on the criteria ``met`` unless ``verified`` is
    False."""
    pid = uuid4()
    events: list[DomainEvent] = [registered(pid, vendor_kind=kind, name=name)]
    if verified:
        events.append(ProviderVerified(provider_id=pid, checklist=dict.fromkeys(met, True), vendor_kind=kind))
    await h.given(provider_stream(pid), pid, *events)
    tables.provider_users[user.user_id] = pid
    return pid


async def offering(h: Harness, pid: UUID, price: int = 6_000) -> UUID:
    oid = uuid4()
    await h.given(offering_stream(oid), pid, OfferingPublished(
        offering_id=oid, provider_id=pid, category="cleaning", title="Kotisiivous", description="Siivous kotiin",
        unit_price_cents=price, vat_rate_bp=2550, unit="visit", availability="ma-pe"))
    return oid


def known(tables: MemoryTables, municipality: str = "Tampere") -> UUID:
    cid = uuid4()
    tables.clients[cid] = KnownClient(municipality, WORKER.user_id)
    return cid


async def order(h: Harness, tables: MemoryTables, *steps: str) -> tuple[UUID, UUID, UUID]:
    """An order of a known client from a verified provider, taken through ``steps`` ("confirmed", "accepted",
    "delivered", "invoiced", "approved"): (client, provider, order)."""
    pid = await provider(h, tables)
    cid, oid = known(tables), uuid4()
    ids = {"client_id": cid, "order_id": oid}
    invoice_id = uuid4()
    story: dict[str, DomainEvent] = {
        "confirmed": OrderConfirmed(**ids, provider_id=pid), "accepted": OrderAccepted(**ids, provider_id=pid),
        "delivered": ServiceDelivered(**ids, delivered_on=date.today()),
        "invoiced": InvoiceSubmitted(**ids, invoice_id=invoice_id, amount_cents=12_000, vat_cents=2_400,
                                     reference="RF18539007547034"),
        "approved": InvoiceApproved(**ids, invoice_id=invoice_id, amount_cents=12_000),
    }
    placed = OrderPlaced(**ids, provider_id=pid, offering_id=uuid4(), category="cleaning", quantity=2,
                         unit_price_cents=6_000, amount_cents=12_000, ordered_on=date.today())
    await h.given(order_stream(oid), cid, placed, *(story[s] for s in steps))
    return cid, pid, oid




GOODS = ("y_tunnus_valid", "payment_details")  # what a shop or an amusement park is verified on


async def vendor(h: Harness, tables: MemoryTables, user: Principal = SELLER, *, name: str = "Lastentarvike Oy",
                 kind: str = "goods_and_tickets", met: tuple[str, ...] = GOODS, verified: bool = True) -> UUID:
    return await provider(h, tables, user, verified=verified, kind=kind, met=met, name=name)


async def purchase(h: Harness, tables: MemoryTables, *steps: str,
                   needs_approval: bool = False) -> tuple[UUID, UUID, UUID]:
    """A purchase of a stroller (1 190,00 €) for a known client from a verified shop, taken through ``steps``
    ("held", "confirmed", "delivered", "invoiced", "approved"): (client, vendor, purchase)."""
    vid = await vendor(h, tables)
    cid, pid = known(tables), uuid4()
    await h.given(purchase_stream(pid), cid)  # the client's key, to seal the description
    (description,) = await h.keyring.seal(str(cid), "Lastenrattaat")
    ids = {"client_id": cid, "purchase_id": pid}
    invoice_id = uuid4()
    story: dict[str, DomainEvent] = {
        "held": PurchaseFundsReserved(**ids, amount_cents=119_000),
        "confirmed": PurchaseConfirmed(**ids, vendor_id=vid),
        "delivered": PurchaseDelivered(**ids, received_on=date.today(), confirmed_by="worker"),
        "invoiced": PurchaseInvoiced(**ids, invoice_id=invoice_id, amount_cents=119_000, vat_cents=23_713,
                                     reference="RF18539007547034"),
        "approved": PurchaseInvoiceApproved(**ids, invoice_id=invoice_id, amount_cents=119_000),
    }
    requested = PurchaseRequested(**ids, vendor_id=vid, vendor_name="Lastentarvike Oy", vendor_kind="goods_and_tickets",
                                  category="equipment", description=description, quantity=1, unit_price_cents=119_000,
                                  amount_cents=119_000, quote_reference="TARJ-2026-118", requested_on=date.today(),
                                  needs_approval=needs_approval)
    asked = [ApprovalRequested(approval_id=uuid4(), kind="purchase", matter_id=pid, client_id=cid,
                               municipality=tables.clients[cid].municipality, amount_cents=119_000,
                               requested_by=WORKER.user_id, authority=WORKERS_SMALL)] if needs_approval else []
    await h.given(purchase_stream(pid), cid, requested, *asked, *(story[s] for s in steps))
    return cid, vid, pid
