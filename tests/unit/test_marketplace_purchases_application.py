"""Vendors by what they sell and one-off purchases, through the marketplace's application on the memory store:
given events → when a command, budgeting's answer or a deadline → then events, or the refusal and nothing
recorded. The rules themselves: test_marketplace_vendors.py and test_marketplace_purchase.py."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from contracts import budgeting
from contracts.marketplace import (
    ApprovalGranted,
    ApprovalRefused,
    ApprovalRequested,
    OfferingPublished,
    ProviderRegistered,
    ProviderVerified,
    PurchaseCancelled,
    PurchaseConfirmed,
    PurchaseDelivered,
    PurchaseFundsReserved,
    PurchaseInvoiceApproved,
    PurchaseInvoiced,
    PurchasePaymentBlocked,
    PurchasePaymentScheduled,
    PurchaseRejected,
    PurchaseRequested,
    PurchaseReservationRetryRequested,
)
from services.marketplace.application import commands as c
from services.marketplace.application import views
from services.marketplace.application.handlers import PURCHASE_RESERVATION_TIMER
from services.marketplace.application.ports import purchase_stream
from services.marketplace.application.queries import ListPurchases, ReadPurchase, ReadVerification
from shared.infra.eventstore import ConcurrencyError
from shared.infra.timers import Timer
from shared.kernel.errors import Forbidden, InvalidCommand, NotFound, RuleViolation
from shared.kernel.events import DomainEvent
from shared.kernel.principal import Principal
from tests.application import AUDITOR, MANAGER, OTHER_WORKER, WORKER, Harness, covers, refused
from tests.marketplace_tables import MemoryTables
from tests.marketplace_world import (
    OTHER_SELLER,
    REGION,
    SAGA,
    SELLER,
    SERVICE,
    client,
    harness,
    known,
    provider,
    purchase,
    vendor,
)


@pytest.fixture
def tables() -> MemoryTables:
    return MemoryTables()


@pytest.fixture
def h(tables: MemoryTables) -> Harness:
    return harness(tables)


def buying(cid: UUID, vid: UUID, **changes: Any) -> c.RequestPurchase:
    fields: dict[str, Any] = {"client_id": cid, "vendor_id": vid, "category": "equipment",
                              "description": "Lastenrattaat", "unit_price_cents": 119_000,
                              "quote_reference": "TARJ-2026-118", "link": "https://example.fi/rattaat"}
    return c.RequestPurchase(**(fields | changes))


# --- vendors by what they sell ------------------------------------------------------------------------------------

@covers(SERVICE, c.RegisterProvider)
async def test_a_vendor_registers_as_what_it_sells_and_an_unknown_kind_is_refused(
        h: Harness, tables: MemoryTables) -> None:
    fields = {"y_tunnus": "0112038-9", "name": "Särkänniemi Oy", "kind": "firm", "service_areas": ["Tampere"],
              "languages": ["fi"], "accessibility": "Esteetön", "contact_email": "info@example.fi"}
    with pytest.raises(InvalidCommand, match="unknown vendor kind") as caught:
        await h.run(c.RegisterProvider(**fields, vendor_kind="funfair"), SELLER)
    assert caught.value.field == "vendor_kind" and tables.y_tunnus == {}
    done = await h.run(c.RegisterProvider(**fields, vendor_kind="goods_and_tickets"), SELLER)
    [registered] = h.decoded(done.new_events)
    assert isinstance(registered, ProviderRegistered) and registered.vendor_kind == "goods_and_tickets"


@covers(SERVICE, c.VerifyProvider)
async def test_an_amusement_park_is_verified_on_its_kinds_criteria_and_reads_the_answer_per_criterion(
        h: Harness, tables: MemoryTables) -> None:
    park = await vendor(h, tables, name="Särkänniemi Oy", verified=False)
    before = await views.verification(h.app, ReadVerification(provider_id=park), SELLER, "en")
    assert [(a["code"], a["result"]) for a in before["criteria"]] == [
        ("y_tunnus_valid", "missing"), ("payment_details", "missing")]  # what the vendor still lacks
    checklist = {"y_tunnus_valid": True, "payment_details": True}
    [verified] = await h.when(c.VerifyProvider(provider_id=park, checklist=checklist), REGION)
    assert isinstance(verified, ProviderVerified) and verified.vendor_kind == "goods_and_tickets"
    answer = await views.verification(h.app, ReadVerification(provider_id=park), SELLER, "fi")
    assert [(a["code"], a["result"]) for a in answer["criteria"]] == [
        ("y_tunnus_valid", "met"), ("payment_details", "met")]
    assert answer["missing"] == [] and "leisure" in answer["categories"] and "assistance" not in answer["categories"]


async def test_a_cleaning_firm_lacks_the_contractors_liability_checks_only_once_the_countys_purchases_pass_9000(
        h: Harness, tables: MemoryTables) -> None:
    basics = ("y_tunnus_valid", "prepayment_register")
    firm = await vendor(h, tables, name="Siivous Oy", kind="other_service", met=basics)
    answer = await views.verification(h.app, ReadVerification(provider_id=firm), REGION, "sv")
    results = {a["code"]: a["result"] for a in answer["criteria"]}
    assert results["tax_debt_certificate"] == "not_applicable" and answer["missing"] == []
    [condition] = [a["condition_text"] for a in answer["criteria"] if a["code"] == "tax_debt_certificate"]
    assert "9" in condition and "000" in condition  # its condition in words, with the amount in euros
    tables.bought[firm] = 950_000
    busy = await views.verification(h.app, ReadVerification(provider_id=firm), REGION, "fi")
    assert busy["missing"] == ["tax_debt_certificate", "pension_insurance", "trade_register_extract"]


@covers(SERVICE, refused(Forbidden, ReadVerification), refused(NotFound, ReadVerification))
async def test_a_verification_answer_is_read_by_the_vendor_itself_and_the_countys_staff(
        h: Harness, tables: MemoryTables) -> None:
    with pytest.raises(NotFound):
        await views.verification(h.app, ReadVerification(provider_id=uuid4()), REGION, "fi")
    park = await vendor(h, tables)
    await provider(h, tables, OTHER_SELLER)
    for outsider in (OTHER_SELLER, client(uuid4())):
        with pytest.raises(Forbidden):
            await views.verification(h.app, ReadVerification(provider_id=park), outsider, "fi")
    for reader in (SELLER, REGION, WORKER, AUDITOR):
        assert (await views.verification(h.app, ReadVerification(provider_id=park), reader, "fi"))["status"] == \
            "verified"


@covers(SERVICE, c.PublishOffering)
async def test_a_shop_cannot_offer_personal_assistance_but_may_offer_equipment(h: Harness, tables: MemoryTables) -> None:
    shop = await vendor(h, tables)
    offer = {"provider_id": shop, "title": "Rattaat", "description": "Lastenrattaat", "unit_price_cents": 119_000,
             "vat_rate_bp": 2550, "unit": "item"}
    with pytest.raises(RuleViolation) as caught:
        await h.when(c.PublishOffering(category="assistance", **offer), SELLER)
    assert caught.value.code == "category-not-for-vendor-kind"
    [published] = await h.when(c.PublishOffering(category="equipment", **offer), SELLER)
    assert isinstance(published, OfferingPublished)


# --- purchases: the client's side --------------------------------------------------------------------------------

@covers(SERVICE, c.RequestPurchase)
async def test_a_stroller_is_bought_from_a_verified_shop_on_its_quote_and_waits_for_budgetings_answer(
        h: Harness, tables: MemoryTables) -> None:
    shop, cid = await vendor(h, tables), known(tables)
    await h.given(purchase_stream(uuid4()), cid)  # the client's key exists (intake made it)
    command = buying(cid, shop)
    done = await h.run(command, WORKER)
    [requested] = h.decoded(done.new_events)
    assert isinstance(requested, PurchaseRequested) and requested.purchase_id == command.purchase_id
    assert (requested.vendor_name, requested.amount_cents, requested.category) == ("Lastentarvike Oy", 119_000,
                                                                                   "equipment")
    assert await h.open(cid, requested.description) == ["Lastenrattaat"]  # the item in words, sealed
    assert done.new_events[0].subject == str(cid)
    [deadline] = tables.timers
    assert (deadline.kind, deadline.key) == (PURCHASE_RESERVATION_TIMER, f"{command.purchase_id}:1")


@covers(SERVICE, refused(NotFound, c.RequestPurchase), refused(Forbidden, c.RequestPurchase))
async def test_a_purchase_needs_a_known_client_their_side_and_a_verified_vendor_of_a_kind_that_may_deliver_it(
        h: Harness, tables: MemoryTables) -> None:
    shop = await vendor(h, tables)
    with pytest.raises(NotFound, match="intake has not completed"):
        await h.when(buying(uuid4(), shop), WORKER)
    cid = known(tables)
    await h.given(purchase_stream(uuid4()), cid)
    for outsider in (OTHER_WORKER, client(uuid4()), SELLER, REGION):
        with pytest.raises(Forbidden):
            await h.when(buying(cid, shop), outsider)
    with pytest.raises(NotFound, match="no such vendor"):
        await h.when(buying(cid, uuid4()), client(cid))
    with pytest.raises(RuleViolation) as caught:
        await h.when(buying(cid, shop, category="assistance"), client(cid))
    assert caught.value.code == "category-not-for-vendor-kind"
    unverified = await vendor(h, tables, Principal(user_id="prov-new", role="provider"), verified=False)
    with pytest.raises(RuleViolation) as caught:
        await h.when(buying(cid, unverified), client(cid))
    assert caught.value.code == "vendor-not-verified"
    assert tables.timers == []


async def test_a_purchase_that_takes_a_vendor_past_its_kinds_value_threshold_waits_for_the_regions_checks(
        h: Harness, tables: MemoryTables) -> None:
    firm = await vendor(h, tables, name="Siivous Oy", kind="other_service",
                        met=("y_tunnus_valid", "prepayment_register"))
    cid = known(tables)
    await h.given(purchase_stream(uuid4()), cid)
    tables.bought[firm] = 850_000
    cleaning = buying(cid, firm, category="cleaning", description="Suursiivous", unit_price_cents=40_000)
    assert len(await h.when(cleaning, WORKER)) == 1  # 8 900 € in 12 months: no check due yet
    tables.bought[firm] += 40_000  # (the read model counts it)
    with pytest.raises(RuleViolation) as caught:
        await h.when(buying(cid, firm, category="cleaning", description="Ikkunat", unit_price_cents=10_001), WORKER)
    assert caught.value.code == "vendor-checks-due" and "tax_debt_certificate" in str(caught.value)


@covers(SERVICE, c.CancelPurchase, c.ConfirmReceipt, c.ApprovePurchaseInvoice)
async def test_the_client_or_their_worker_cancels_confirms_receipt_and_approves_the_invoice(
        h: Harness, tables: MemoryTables) -> None:
    _, _, pending = await purchase(h, tables)
    [cancelled] = await h.when(c.CancelPurchase(purchase_id=pending), WORKER)
    assert isinstance(cancelled, PurchaseCancelled) and cancelled.reason == "cancelled_by_worker"
    cid, _, confirmed = await purchase(h, tables, "held", "confirmed")
    [received] = await h.when(c.ConfirmReceipt(purchase_id=confirmed, received_on=date.today()), client(cid))
    assert isinstance(received, PurchaseDelivered) and received.confirmed_by == "client"
    cid, _, invoiced = await purchase(h, tables, "held", "confirmed", "delivered", "invoiced")
    [approved] = await h.when(c.ApprovePurchaseInvoice(purchase_id=invoiced), WORKER)
    assert isinstance(approved, PurchaseInvoiceApproved) and approved.amount_cents == 119_000


@covers(SERVICE, c.InvoicePurchase)
async def test_the_vendor_invoices_a_received_purchase(h: Harness, tables: MemoryTables) -> None:
    _, _, pid = await purchase(h, tables, "held", "confirmed", "delivered")
    [invoiced] = await h.when(c.InvoicePurchase(purchase_id=pid, amount_cents=119_000, vat_cents=23_713,
                                                reference="RF18 5390 0754 7034"), SELLER)
    assert isinstance(invoiced, PurchaseInvoiced) and invoiced.reference == "RF18539007547034"


# --- above the requester's delegated authority: the approvals module -----------------------------------------------

async def test_a_worker_buys_up_to_their_limit_directly_and_one_cent_above_it_asks_a_managers_approval(
        h: Harness, tables: MemoryTables) -> None:
    shop, cid = await vendor(h, tables), known(tables, "Pori")
    await h.given(purchase_stream(uuid4()), cid)
    [direct] = await h.when(buying(cid, shop, unit_price_cents=200_000), WORKER)  # the worker's row: 2 000 €
    assert isinstance(direct, PurchaseRequested) and not direct.needs_approval
    command = buying(cid, shop, unit_price_cents=200_001)
    requested, asked = await h.when(command, WORKER)
    assert isinstance(requested, PurchaseRequested) and requested.needs_approval
    assert isinstance(asked, ApprovalRequested) and (asked.kind, asked.matter_id, asked.amount_cents) == (
        "purchase", command.purchase_id, 200_001)
    assert (asked.requested_by, asked.municipality, asked.authority.rule_id) == ("worker-aino", "Pori",
                                                                                "worker-purchase")
    assert len(tables.timers) == 2  # its funds are asked for at once, as for any purchase


async def test_a_clients_own_purchase_is_held_to_their_coordinating_workers_delegation(
        h: Harness, tables: MemoryTables) -> None:
    shop, cid = await vendor(h, tables), known(tables)
    await h.given(purchase_stream(uuid4()), cid)
    [_, asked] = await h.when(buying(cid, shop, unit_price_cents=250_000), client(cid))
    assert isinstance(asked, ApprovalRequested) and asked.requested_by == str(cid)
    assert asked.authority.rule_id == "worker-purchase"


@covers(SERVICE, c.ApprovePurchase)
async def test_a_manager_approves_a_waiting_purchase_and_it_proceeds_as_one_below_the_limit(
        h: Harness, tables: MemoryTables) -> None:
    cid, vid, pid = await purchase(h, tables, "held", needs_approval=True)
    granted, confirmed = await h.when(c.ApprovePurchase(purchase_id=pid, reason="Tarpeellinen"), MANAGER)
    assert isinstance(granted, ApprovalGranted) and granted.granted_by == MANAGER.user_id
    assert granted.authority.rule_id == "manager-purchase" and await h.open(cid, granted.reasoning) == ["Tarpeellinen"]
    assert isinstance(confirmed, PurchaseConfirmed) and confirmed.vendor_id == vid
    [received] = await h.when(c.ConfirmReceipt(purchase_id=pid, received_on=date.today()), client(cid))
    assert isinstance(received, PurchaseDelivered)


@covers(SERVICE, c.RefusePurchase)
async def test_a_refused_purchase_ends_and_its_reason_reads_in_the_workers_and_the_clients_language(
        h: Harness, tables: MemoryTables) -> None:
    cid, _, pid = await purchase(h, tables, "held", needs_approval=True)
    refused_, cancelled = await h.when(c.RefusePurchase(purchase_id=pid, reason="Halvempi malli riittää"), MANAGER)
    assert isinstance(refused_, ApprovalRefused) and refused_.refused_by == MANAGER.user_id
    assert isinstance(cancelled, PurchaseCancelled) and cancelled.reason == "approval_refused"  # budgeting releases
    for reader, language in ((WORKER, "fi"), (client(cid), "sv")):
        _, view = await views.purchase(h.app, ReadPurchase(purchase_id=pid), reader, lambda _: None, language)
        assert view["status"] == "refused" and not view["waiting_for_approval"]
        assert view["refusal"]["code"] == "approval_refused" and view["refusal"]["language"] == language
        assert view["refusal"]["recorded_reason"] == "Halvempi malli riittää"
    _, fi = await views.purchase(h.app, ReadPurchase(purchase_id=pid), WORKER, lambda _: None, "fi")
    _, sv = await views.purchase(h.app, ReadPurchase(purchase_id=pid), WORKER, lambda _: None, "sv")
    assert fi["refusal"]["reason"] != sv["refusal"]["reason"]
    # The vendor learns that the purchase was refused, in the catalogue's words; the manager's words about the
    # client are for the client side and the county's staff.
    _, seller = await views.purchase(h.app, ReadPurchase(purchase_id=pid), SELLER, lambda _: None, "fi")
    assert seller["refusal"] == {"code": "approval_refused", "reason": fi["refusal"]["reason"], "language": "fi"}


async def test_a_child_under_15_reads_their_purchase_but_buys_and_cancels_only_through_a_guardian(
        h: Harness, tables: MemoryTables) -> None:
    cid, _, pid = await purchase(h, tables)
    child = Principal(user_id=str(cid), role="client", acts_alone=False)
    before = len(await h.recorded(purchase_stream(pid)))
    with pytest.raises(Forbidden) as alone:
        await h.when(c.CancelPurchase(purchase_id=pid), child)
    assert alone.value.code == "acts-through-guardian"
    assert len(await h.recorded(purchase_stream(pid))) == before
    _, view = await views.purchase(h.app, ReadPurchase(purchase_id=pid), child, lambda _: None, "fi")
    assert view["purchase_id"] == str(pid)


async def test_the_one_who_asked_cannot_answer_and_nobody_answers_a_purchase_that_no_longer_waits(
        h: Harness, tables: MemoryTables) -> None:
    _, _, pid = await purchase(h, tables, needs_approval=True)
    before = len(await h.recorded(purchase_stream(pid)))
    with pytest.raises(RuleViolation) as took_part:  # a manager who asked for it may not answer it
        await h.when(c.ApprovePurchase(purchase_id=pid), Principal(user_id=WORKER.user_id, role="manager"))
    assert took_part.value.code == "approver-took-part"
    assert len(await h.recorded(purchase_stream(pid))) == before
    _, _, confirmed = await purchase(h, tables, "held", "confirmed")
    with pytest.raises(RuleViolation) as nothing:
        await h.when(c.RefusePurchase(purchase_id=confirmed, reason="ei"), MANAGER)
    assert nothing.value.code == "purchase-not-awaiting-approval"


PEOPLE: dict[type[Any], tuple[Callable[[UUID], Any], Principal]] = {
    c.CancelPurchase: (lambda i: c.CancelPurchase(purchase_id=i), WORKER),
    c.ConfirmReceipt: (lambda i: c.ConfirmReceipt(purchase_id=i, received_on=date.today()), WORKER),
    c.ApprovePurchaseInvoice: (lambda i: c.ApprovePurchaseInvoice(purchase_id=i), WORKER),
    c.InvoicePurchase: (lambda i: c.InvoicePurchase(purchase_id=i, amount_cents=1, vat_cents=0,
                                                    reference="RF18539007547034"), SELLER),
    c.ApprovePurchase: (lambda i: c.ApprovePurchase(purchase_id=i), MANAGER),
    c.RefusePurchase: (lambda i: c.RefusePurchase(purchase_id=i, reason="ei"), MANAGER),
    c.ContinuePurchase: (lambda i: c.ContinuePurchase(purchase_id=i), WORKER),
}


@covers(SERVICE, *(refused(NotFound, kind) for kind in PEOPLE))
@pytest.mark.parametrize("kind", list(PEOPLE), ids=lambda k: k.__name__)
async def test_a_step_on_a_purchase_that_does_not_exist_is_not_found(h: Harness, kind: type[Any]) -> None:
    make, principal = PEOPLE[kind]
    with pytest.raises(NotFound, match="no such purchase"):
        await h.when(make(uuid4()), principal)


@covers(SERVICE, *(refused(Forbidden, kind) for kind in PEOPLE))
@pytest.mark.parametrize("kind", list(PEOPLE), ids=lambda k: k.__name__)
async def test_a_step_on_a_purchase_by_someone_the_policy_refuses_records_nothing(
        h: Harness, tables: MemoryTables, kind: type[Any]) -> None:
    make, _ = PEOPLE[kind]
    _, _, pid = await purchase(h, tables, "held", "confirmed", "delivered", "invoiced")
    await provider(h, tables, OTHER_SELLER)
    before = len(await h.recorded(purchase_stream(pid)))
    for outsider in (OTHER_WORKER, OTHER_SELLER, AUDITOR, client(uuid4()), h.app.system):
        with pytest.raises(Forbidden):
            await h.when(make(pid), outsider)
    assert len(await h.recorded(purchase_stream(pid))) == before


@covers(SERVICE, refused(Forbidden, c.HoldPurchaseFunds), refused(ConcurrencyError, c.CancelPurchase))
async def test_budgetings_answers_on_purchases_are_the_services_own_and_a_stale_version_is_a_conflict(
        h: Harness, tables: MemoryTables) -> None:
    cid, _, pid = await purchase(h, tables)
    with pytest.raises(Forbidden):
        await h.when(c.HoldPurchaseFunds(purchase_id=pid), WORKER)
    with pytest.raises(ConcurrencyError):
        await h.when(c.CancelPurchase(purchase_id=pid, expected_version=3), client(cid))


# --- budgeting's answers about purchases -------------------------------------------------------------------------

def held(cid: UUID, pid: UUID) -> budgeting.FundsReserved:
    return budgeting.FundsReserved(client_id=cid, order_id=pid, amount_cents=119_000, category="equipment",
                                   remaining_cents=1_000, matter="purchase")


@covers(SERVICE, budgeting.FundsReserved, c.HoldPurchaseFunds)
async def test_reserved_funds_confirm_the_purchase_or_leave_it_waiting_for_approval(
        h: Harness, tables: MemoryTables) -> None:
    cid, _, pid = await purchase(h, tables)
    events = await h.when_published(held(cid, pid), cid, consumer="saga")
    assert [type(e) for e in events] == [PurchaseFundsReserved, PurchaseConfirmed]
    cid, _, waiting = await purchase(h, tables, needs_approval=True)
    assert [type(e) for e in await h.when_published(held(cid, waiting), cid, consumer="saga")] == [
        PurchaseFundsReserved]
    assert tables.timers == []  # no deadline for a vendor's answer: the quote is its answer


@covers(SERVICE, budgeting.FundsReservationRejected, c.RejectPurchase)
async def test_a_refused_reservation_rejects_the_purchase_and_its_reason_reads_in_the_readers_language(
        h: Harness, tables: MemoryTables) -> None:
    cid, _, pid = await purchase(h, tables)
    refusal = budgeting.FundsReservationRejected(
        client_id=cid, order_id=pid, amount_cents=119_000, reason_code="exceeds_remaining", matter="purchase",
        reason="the purchase (1190.00 €) exceeds the remaining budget (1000.00 €)")
    [rejected] = await h.when_published(refusal, cid, consumer="saga")
    assert isinstance(rejected, PurchaseRejected) and rejected.reason_code == "exceeds_remaining"
    _, view = await views.purchase(h.app, ReadPurchase(purchase_id=pid), WORKER, lambda _: None, "sv")
    assert view["status"] == "rejected" and view["refusal"]["code"] == "exceeds_remaining"
    assert view["refusal"]["language"] == "sv" and view["refusal"]["reason"] != refusal.reason
    assert view["refusal"]["recorded_reason"] == refusal.reason


@covers(SERVICE, budgeting.FundsReleased, c.CancelPurchaseWithBudget)
async def test_a_closing_budget_cancels_a_purchase_not_yet_received(h: Harness, tables: MemoryTables) -> None:
    cid, _, pid = await purchase(h, tables, "held", "confirmed")
    closing = budgeting.FundsReleased(client_id=cid, order_id=pid, amount_cents=119_000, reason="budget_closed",
                                      matter="purchase")
    [cancelled] = await h.when_published(closing, cid, consumer="saga")
    assert isinstance(cancelled, PurchaseCancelled) and cancelled.reason == "budget_closed"


@covers(SERVICE, budgeting.SpendingRecorded, c.SchedulePurchasePayment, budgeting.SpendingRejected,
        c.BlockPurchasePayment)
async def test_recorded_spending_pays_the_vendor_never_the_client_refused_spending_blocks_it(
        h: Harness, tables: MemoryTables) -> None:
    for answer, expected in ((budgeting.SpendingRecorded, PurchasePaymentScheduled),
                             (budgeting.SpendingRejected, PurchasePaymentBlocked)):
        cid, vid, pid = await purchase(h, tables, "held", "confirmed", "delivered", "invoiced", "approved")
        [approved] = [e for e in await h.recorded(purchase_stream(pid)) if isinstance(e, PurchaseInvoiceApproved)]
        fields: dict[str, Any] = {"client_id": cid, "order_id": pid, "invoice_id": approved.invoice_id,
                                  "amount_cents": 119_000, "matter": "purchase"}
        fields |= {"category": "equipment"} if answer is budgeting.SpendingRecorded else {"reason": "no"}
        [event] = await h.when_published(answer(**fields), cid, consumer="saga")
        assert isinstance(event, expected)
        if isinstance(event, PurchasePaymentScheduled):
            assert event.vendor_id == vid and event.pay_on == (datetime.now(UTC) + SAGA.payment_terms).date()


@covers(SERVICE, PURCHASE_RESERVATION_TIMER, c.RetryPurchaseReservation)
async def test_no_answer_from_budgeting_asks_again_for_a_purchase_too(h: Harness, tables: MemoryTables) -> None:
    cid, _, pid = await purchase(h, tables)

    async def fire() -> list[DomainEvent]:
        before = len(await h.store.read_stream(purchase_stream(pid)))
        async with h.store.transaction() as session:
            await h.app.fire(session, Timer(1, PURCHASE_RESERVATION_TIMER, f"{pid}:1", datetime.now(UTC),
                                            {"purchase_id": str(pid)}))
        return h.decoded((await h.store.read_stream(purchase_stream(pid)))[before:])

    [retry] = await fire()
    assert isinstance(retry, PurchaseReservationRetryRequested) and retry.attempt == 2
    assert [t.key for t in tables.timers] == [f"{pid}:2"]
    assert tables.timers[0].due_at - datetime.now(UTC) > SAGA.reservation_timeout * 2 - timedelta(seconds=5)
    await h.when_published(held(cid, pid), cid, consumer="saga")
    assert await fire() == []


# --- reads ------------------------------------------------------------------------------------------------------

@covers(SERVICE, refused(NotFound, ReadPurchase), refused(Forbidden, ReadPurchase))
async def test_a_purchase_is_read_in_words_by_its_client_their_worker_its_vendor_managers_and_auditors(
        h: Harness, tables: MemoryTables) -> None:
    noted: list[list[UUID]] = []
    with pytest.raises(NotFound):
        await views.purchase(h.app, ReadPurchase(purchase_id=uuid4()), WORKER, noted.append, "fi")
    cid, _, pid = await purchase(h, tables, "held", "confirmed")
    await provider(h, tables, OTHER_SELLER)
    for outsider in (OTHER_WORKER, OTHER_SELLER, client(uuid4())):
        with pytest.raises(Forbidden):
            await views.purchase(h.app, ReadPurchase(purchase_id=pid), outsider, noted.append, "fi")
    for reader in (client(cid), WORKER, SELLER, REGION, AUDITOR):
        version, view = await views.purchase(h.app, ReadPurchase(purchase_id=pid), reader, noted.append, "fi")
        assert (version, view["status"], view["description"], view["vendor_name"]) == (
            3, "confirmed", "Lastenrattaat", "Lastentarvike Oy")
        assert view["refusal"] is None and not view["waiting_for_approval"]
    assert noted == [[cid]] * 8


@covers(SERVICE, refused(Forbidden, ListPurchases))
async def test_purchase_lists_by_role(h: Harness, tables: MemoryTables) -> None:
    noted: list[list[UUID]] = []
    cid = known(tables)
    for reader, query in ((WORKER, ListPurchases()), (OTHER_WORKER, ListPurchases(client_id=cid))):
        with pytest.raises(Forbidden):
            await views.purchases(h.app, query, reader, noted.append)
    shop = await vendor(h, tables)
    await views.purchases(h.app, ListPurchases(client_id=cid, limit=10), WORKER, noted.append)
    await views.purchases(h.app, ListPurchases(), SELLER, noted.append)
    assert tables.asked == [{"client_id": cid, "vendor_id": None, "limit": 10, "offset": 0},
                            {"client_id": None, "vendor_id": shop, "limit": 100, "offset": 0}]
