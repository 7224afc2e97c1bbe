"""A provider's suspension through the marketplace's doors, on the memory store: the suspension's listener acts on
each open order of the provider (cancels those not yet accepted, holds the accepted for the coordinator), once;
the coordinator continues a held order; a suspended provider accepts nothing. And the delivery details the client
shares: sealed with the client's key, read by the order's provider while it is accepted, by nobody else's."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

import pytest

from contracts.marketplace import (
    ApprovalWithdrawn,
    DeliveryDetailsShared,
    OrderCancelled,
    OrderContinued,
    OrderFlaggedForReview,
    ProviderSuspended,
    PurchaseCancelled,
    PurchaseContinued,
    PurchaseDelivered,
    PurchaseFlaggedForReview,
)
from services.marketplace.application import commands as c
from services.marketplace.application import views
from services.marketplace.application.ports import order_stream, purchase_stream
from services.marketplace.application.queries import ReadDeliveryDetails
from services.marketplace.application.reactions import SUSPENSIONS
from shared.kernel.errors import Forbidden, NotFound, RuleViolation
from tests.application import OTHER_WORKER, WORKER, Harness, covers, refused
from tests.marketplace_tables import MemoryTables
from tests.marketplace_world import (
    OTHER_SELLER,
    REGION,
    SELLER,
    SERVICE,
    client,
    harness,
    order,
    provider,
    purchase,
)


@pytest.fixture
def tables() -> MemoryTables:
    return MemoryTables()


@pytest.fixture
def h(tables: MemoryTables) -> Harness:
    return harness(tables)


async def _suspended(h: Harness, tables: MemoryTables, pid: UUID, orders: list[UUID]) -> None:
    tables.open_by_provider[pid] = orders
    await h.when(c.SuspendProvider(provider_id=pid, reason="Omavalvonta puutteellinen"), REGION)


@covers(SERVICE, ProviderSuspended, c.ActOnSuspension)
async def test_a_suspension_cancels_the_unaccepted_orders_and_holds_the_accepted_once(
        h: Harness, tables: MemoryTables) -> None:
    _, pid, placed = await order(h, tables)
    _, _, confirmed = await order(h, tables, "confirmed")
    _, _, accepted = await order(h, tables, "confirmed", "accepted")
    # (each order's own provider, as the world makes them; the listener is told which orders are open)
    tables.open_by_provider[pid] = [placed, confirmed, accepted]
    suspension = ProviderSuspended(provider_id=pid, reason="Omavalvonta puutteellinen")
    for _ in range(2):  # told twice: the inbox and the orders' own state each keep it to once
        await h.when_heard(SUSPENSIONS, suspension, pid)
    for oid in (placed, confirmed):
        [*_, last] = await h.recorded(order_stream(oid))
        assert last == OrderCancelled(client_id=last.client_id, order_id=oid, reason="provider_suspended")
    [*_, flagged] = await h.recorded(order_stream(accepted))
    assert isinstance(flagged, OrderFlaggedForReview) and flagged.coordinator_id == WORKER.user_id
    # The same suspension again, as a new delivery the inbox has not seen: nothing more is recorded.
    before = len(await h.store.unpublished(100_000))
    await h.when_heard(SUSPENSIONS, ProviderSuspended(provider_id=pid, reason="Omavalvonta puutteellinen"), pid)
    assert len(await h.store.unpublished(100_000)) == before
    with pytest.raises(Forbidden):  # the service's own step: nobody else's
        await h.when(c.ActOnSuspension(order_id=placed), WORKER)


@covers(SERVICE, c.ContinueOrder)
async def test_the_coordinator_continues_a_held_order_and_nobody_else_may(h: Harness, tables: MemoryTables) -> None:
    cid, _, oid = await order(h, tables, "confirmed", "accepted")
    await h.when(c.ActOnSuspension(order_id=oid), h.app.system)
    for outsider in (OTHER_WORKER, client(cid), SELLER, REGION):
        with pytest.raises(Forbidden):
            await h.when(c.ContinueOrder(order_id=oid), outsider)
    [continued] = await h.when(c.ContinueOrder(order_id=oid), WORKER)
    assert continued == OrderContinued(client_id=cid, order_id=oid, provider_id=continued.provider_id,
                                       decided_by=WORKER.user_id)


async def test_a_suspended_provider_accepts_no_new_work(h: Harness, tables: MemoryTables) -> None:
    _, pid, oid = await order(h, tables, "confirmed")
    await _suspended(h, tables, pid, [])
    with pytest.raises(RuleViolation, match="suspended"):
        await h.when(c.AcceptOrder(order_id=oid), SELLER)


@covers(SERVICE, c.ShareDeliveryDetails, refused(NotFound, ReadDeliveryDetails),
        refused(Forbidden, ReadDeliveryDetails))
async def test_the_provider_reads_what_the_client_shared_for_its_accepted_order_and_nobody_elses(
        h: Harness, tables: MemoryTables) -> None:
    noted: list[list[UUID]] = []
    with pytest.raises(NotFound):
        await views.delivery_details(h.app, ReadDeliveryDetails(order_id=uuid4()), SELLER, noted.append)
    cid, _, oid = await order(h, tables, "confirmed")
    [shared] = await h.when(c.ShareDeliveryDetails(order_id=oid, address="Hämeenkatu 1 A 2, Tampere",
                                                   instructions="Ovikoodi 1234"), client(cid))
    assert isinstance(shared, DeliveryDetailsShared) and shared.contact is None
    assert "Hämeenkatu" not in shared.model_dump_json()  # sealed with the client's key
    query = ReadDeliveryDetails(order_id=oid)
    with pytest.raises(Forbidden, match="accepted"):  # not yet accepted: not for the provider
        await views.delivery_details(h.app, query, SELLER, noted.append)
    await h.when(c.AcceptOrder(order_id=oid), SELLER)
    await provider(h, tables, OTHER_SELLER)
    for outsider in (OTHER_SELLER, OTHER_WORKER, client(uuid4())):
        with pytest.raises(Forbidden):
            await views.delivery_details(h.app, query, outsider, noted.append)
    for reader in (SELLER, client(cid), WORKER):
        seen = await views.delivery_details(h.app, query, reader, noted.append)
        assert (seen["address"], seen["contact"], seen["instructions"]) == (
            "Hämeenkatu 1 A 2, Tampere", None, "Ovikoodi 1234")
    assert noted == [[cid]] * 7  # every read names the client, the refused ones too
    await h.when(c.ActOnSuspension(order_id=oid), h.app.system)  # its provider suspended: the order is held
    with pytest.raises(Forbidden):  # and the suspended provider no longer reads where the client lives
        await views.delivery_details(h.app, query, SELLER, noted.append)
    assert (await views.delivery_details(h.app, query, WORKER, noted.append))["address"] == "Hämeenkatu 1 A 2, Tampere"


@covers(SERVICE, c.ActOnPurchaseSuspension, c.ContinuePurchase)
async def test_a_vendors_suspension_cancels_its_waiting_purchases_and_holds_the_confirmed_for_the_coordinator(
        h: Harness, tables: MemoryTables) -> None:
    _, vid, waiting = await purchase(h, tables, "held", needs_approval=True)
    cid, _, confirmed = await purchase(h, tables, "held", "confirmed")
    tables.open_by_vendor[vid] = [waiting, confirmed]  # (the listener is told which purchases are open)
    for _ in range(2):
        await h.when_heard(SUSPENSIONS, ProviderSuspended(provider_id=vid, reason="Maksutiedot virheelliset"), vid)
    cancelled, withdrawn = (await h.recorded(purchase_stream(waiting)))[-2:]
    assert isinstance(cancelled, PurchaseCancelled) and cancelled.reason == "vendor_suspended"
    assert isinstance(withdrawn, ApprovalWithdrawn)  # nobody is left to answer it
    [*_, flagged] = await h.recorded(purchase_stream(confirmed))
    assert isinstance(flagged, PurchaseFlaggedForReview) and flagged.coordinator_id == WORKER.user_id
    with pytest.raises(RuleViolation, match="coordinating worker decides"):
        await h.when(c.ConfirmReceipt(purchase_id=confirmed, received_on=date.today()), client(cid))
    for outsider in (OTHER_WORKER, client(cid), SELLER, REGION):
        with pytest.raises(Forbidden):
            await h.when(c.ContinuePurchase(purchase_id=confirmed), outsider)
    [continued] = await h.when(c.ContinuePurchase(purchase_id=confirmed), WORKER)
    assert isinstance(continued, PurchaseContinued) and continued.decided_by == WORKER.user_id
    [received] = await h.when(c.ConfirmReceipt(purchase_id=confirmed, received_on=date.today()), client(cid))
    assert isinstance(received, PurchaseDelivered)
