"""The marketplace's application on the memory store: given events → when a command, another service's event
or a deadline → then events, or the refusal (404, 403, 409, 422) and nothing recorded. The rules themselves are
tested in test_marketplace_catalogue.py and test_marketplace_order.py; here, that each door reaches them:
handlers, policy, reactions, the clients listener, the saga's timers."""

from __future__ import annotations

import ast
import inspect
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from contracts import budgeting, intake
from contracts.intake import SelfAssessmentScores, ServiceTask
from contracts.marketplace import (
    QUALITY_CRITERIA,
    InvoiceApproved,
    InvoiceSubmitted,
    OfferingPriceChanged,
    OfferingPublished,
    OfferingWithdrawn,
    OrderAccepted,
    OrderCancelled,
    OrderConfirmed,
    OrderDeclined,
    OrderPlaced,
    OrderRejected,
    PaymentBlocked,
    PaymentScheduled,
    ProviderRated,
    ProviderRegistered,
    ProviderSuspended,
    ProviderVerified,
    ReservationRetryRequested,
    ServiceDelivered,
)
from services.marketplace.application import commands as c
from services.marketplace.application import policy, views
from services.marketplace.application.handlers import HANDLERS, PROVIDER_TIMER, RESERVATION_TIMER
from services.marketplace.application.ports import (
    KnownClient,
    offering_stream,
    order_stream,
    provider_stream,
)
from services.marketplace.application.queries import (
    ListOrders,
    ListProviders,
    ReadOffering,
    ReadOrder,
    ReadOwnRatings,
    ReadProvider,
    SearchOfferings,
)
from services.marketplace.application.reactions import CLIENTS
from shared.infra.eventstore import ConcurrencyError
from shared.infra.timers import Timer
from shared.kernel.errors import Forbidden, InvalidCommand, NotFound, RuleViolation
from shared.kernel.events import DomainEvent
from shared.kernel.principal import Principal
from tests.application import AUDITOR, OTHER_WORKER, WORKER, Harness, covers, refused
from tests.marketplace_tables import MemoryTables
from tests.marketplace_world import (
    OTHER_SELLER,
    REGION,
    SAGA,
    SELLER,
    SERVICE,
    Y_TUNNUS,
    client,
    harness,
    known,
    offering,
    order,
    provider,
)


@pytest.fixture
def tables() -> MemoryTables:
    return MemoryTables()


@pytest.fixture
def h(tables: MemoryTables) -> Harness:
    return harness(tables)


# --- providers --------------------------------------------------------------------------------------------------

def registration(**changes: Any) -> c.RegisterProvider:
    fields: dict[str, Any] = {
        "y_tunnus": Y_TUNNUS, "name": "Siisti Koti Oy", "kind": "firm", "service_areas": ["Tampere"],
        "languages": ["fi"], "accessibility": "Esteetön", "contact_email": "info@example.fi"}
    return c.RegisterProvider(**(fields | changes))


@covers(SERVICE, c.RegisterProvider, c.OpenProvider)
async def test_a_provider_user_registers_their_organisation_and_acts_for_it(h: Harness, tables: MemoryTables) -> None:
    command = registration()
    done = await h.run(command, SELLER)
    [event] = h.decoded(done.new_events)
    assert isinstance(event, ProviderRegistered) and event.provider_id == command.provider_id
    assert done.new_events[0].subject == str(command.provider_id)  # a catalogue event is about the provider
    assert tables.provider_users == {SELLER.user_id: command.provider_id}
    assert tables.y_tunnus == {Y_TUNNUS: command.provider_id}


@covers(SERVICE, refused(Forbidden, c.RegisterProvider), refused(InvalidCommand, c.RegisterProvider))
async def test_one_provider_per_y_tunnus_one_per_user_and_only_provider_accounts_register(
        h: Harness, tables: MemoryTables) -> None:
    with pytest.raises(Forbidden):
        await h.run(registration(), WORKER)
    with pytest.raises(InvalidCommand, match="Y-tunnus"):
        await h.run(registration(y_tunnus="0112038-8"), SELLER)
    await h.run(registration(), SELLER)
    with pytest.raises(InvalidCommand, match="already acts for a provider"):
        await h.run(registration(y_tunnus="1234567-1"), SELLER)
    copy = registration(name="Kopio Oy")
    with pytest.raises(InvalidCommand, match="already registered"):
        await h.run(copy, OTHER_SELLER)
    assert await h.recorded(provider_stream(copy.provider_id)) == []
    assert OTHER_SELLER.user_id not in tables.provider_users


@covers(SERVICE, c.VerifyProvider, c.SuspendProvider)
async def test_the_region_verifies_a_provider_on_every_criterion_and_may_suspend_it(
        h: Harness, tables: MemoryTables) -> None:
    pid = await provider(h, tables, verified=False)
    with pytest.raises(InvalidCommand, match="self_monitoring_plan"):
        await h.when(c.VerifyProvider(provider_id=pid, checklist={"soteri_register": True}), REGION)
    [verified] = await h.when(c.VerifyProvider(provider_id=pid, checklist=dict.fromkeys(QUALITY_CRITERIA, True)),
                              REGION)
    [suspended] = await h.when(c.SuspendProvider(provider_id=pid, reason="Vanha omavalvontasuunnitelma"), REGION)
    assert isinstance(verified, ProviderVerified) and isinstance(suspended, ProviderSuspended)


# --- offerings --------------------------------------------------------------------------------------------------

def publishing(pid: UUID) -> c.PublishOffering:
    return c.PublishOffering(provider_id=pid, category="cleaning", title="Kotisiivous", description="Siivous",
                             unit_price_cents=6_000, vat_rate_bp=2550, unit="visit")


@covers(SERVICE, c.PublishOffering, c.ChangePrice, c.WithdrawOffering)
async def test_a_verified_provider_publishes_reprices_and_withdraws_its_offerings(
        h: Harness, tables: MemoryTables) -> None:
    pid = await provider(h, tables)
    command = publishing(pid)
    [published] = await h.when(command, SELLER)
    [repriced] = await h.when(c.ChangePrice(offering_id=command.offering_id, unit_price_cents=7_500), SELLER)
    [withdrawn] = await h.when(c.WithdrawOffering(offering_id=command.offering_id, reason="Ei enää"), SELLER)
    assert isinstance(published, OfferingPublished) and published.offering_id == command.offering_id
    assert isinstance(repriced, OfferingPriceChanged) and repriced.previous_price_cents == 6_000
    assert isinstance(withdrawn, OfferingWithdrawn)
    assert {e.subject for e in await h.store.read_stream(offering_stream(command.offering_id))} == {str(pid)}


@covers(SERVICE, refused(NotFound, c.PublishOffering), refused(Forbidden, c.PublishOffering))
async def test_an_offering_is_published_for_an_existing_verified_provider_by_its_own_users(
        h: Harness, tables: MemoryTables) -> None:
    with pytest.raises(NotFound, match="no such provider"):
        await h.when(publishing(uuid4()), SELLER)
    pid = await provider(h, tables)
    await provider(h, tables, OTHER_SELLER)
    for outsider in (OTHER_SELLER, REGION, WORKER):
        with pytest.raises(Forbidden):
            await h.when(publishing(pid), outsider)
    unverified = await provider(h, tables, Principal(user_id="prov-new", role="provider"), verified=False)
    with pytest.raises(RuleViolation, match="unverified"):
        await h.when(publishing(unverified), Principal(user_id="prov-new", role="provider"))


# --- refusals of people's commands: 404, then 403, then 409 -----------------------------------------------------

async def case_for(h: Harness, tables: MemoryTables, kind: type[Any]) -> UUID:
    """An existing case of the stream ``kind`` lands on: its id."""
    if issubclass(kind, c.ProviderCommand):
        return await provider(h, tables, verified=False)
    if issubclass(kind, c.OfferingCommand):
        return await offering(h, await provider(h, tables))
    _, _, oid = await order(h, tables, "confirmed")
    return oid


PEOPLE: dict[type[Any], tuple[Callable[[UUID], Any], Principal]] = {
    c.VerifyProvider: (lambda i: c.VerifyProvider(provider_id=i, checklist=dict.fromkeys(QUALITY_CRITERIA, True)),
                       REGION),
    c.SuspendProvider: (lambda i: c.SuspendProvider(provider_id=i, reason="r"), REGION),
    c.ChangePrice: (lambda i: c.ChangePrice(offering_id=i, unit_price_cents=1), SELLER),
    c.WithdrawOffering: (lambda i: c.WithdrawOffering(offering_id=i, reason="r"), SELLER),
    c.CancelOrder: (lambda i: c.CancelOrder(order_id=i), WORKER),
    c.ApproveInvoice: (lambda i: c.ApproveInvoice(order_id=i), WORKER),
    c.RateProvider: (lambda i: c.RateProvider(order_id=i, stars=5), WORKER),
    c.AcceptOrder: (lambda i: c.AcceptOrder(order_id=i), SELLER),
    c.DeclineOrder: (lambda i: c.DeclineOrder(order_id=i, reason="r"), SELLER),
    c.RecordDelivery: (lambda i: c.RecordDelivery(order_id=i, delivered_on=date.today()), SELLER),
    c.SubmitInvoice: (lambda i: c.SubmitInvoice(order_id=i, amount_cents=1, vat_cents=0, reference="RF18539007547034"),
                      SELLER),
    c.ContinueOrder: (lambda i: c.ContinueOrder(order_id=i), WORKER),
    c.ShareDeliveryDetails: (lambda i: c.ShareDeliveryDetails(order_id=i, address="Hämeenkatu 1"), WORKER),
}


@covers(SERVICE, *(refused(NotFound, kind) for kind in PEOPLE))
@pytest.mark.parametrize("kind", list(PEOPLE), ids=lambda k: k.__name__)
async def test_a_command_on_a_case_that_does_not_exist_is_not_found(h: Harness, kind: type[Any]) -> None:
    make, principal = PEOPLE[kind]
    with pytest.raises(NotFound):
        await h.when(make(uuid4()), principal)


@covers(SERVICE, *(refused(Forbidden, kind) for kind in PEOPLE))
@pytest.mark.parametrize("kind", list(PEOPLE), ids=lambda k: k.__name__)
async def test_a_command_from_someone_the_policy_refuses_records_nothing(h: Harness, tables: MemoryTables,
                                                                         kind: type[Any]) -> None:
    make, _ = PEOPLE[kind]
    case_id = await case_for(h, tables, kind)
    await provider(h, tables, OTHER_SELLER)
    before = len(await h.store.unpublished(100_000))  # every event ever recorded: nothing may be added
    for outsider in (OTHER_WORKER, OTHER_SELLER, AUDITOR, client(uuid4()), h.app.system):
        with pytest.raises(Forbidden):
            await h.when(make(case_id), outsider)
    assert len(await h.store.unpublished(100_000)) == before


@covers(SERVICE, refused(Forbidden, c.ConfirmOrder), refused(ConcurrencyError, c.CancelOrder))
async def test_budgetings_answers_are_the_services_own_and_a_stale_version_is_a_conflict(
        h: Harness, tables: MemoryTables) -> None:
    cid, _, oid = await order(h, tables)
    with pytest.raises(Forbidden):
        await h.when(c.ConfirmOrder(order_id=oid), WORKER)
    with pytest.raises(ConcurrencyError):
        await h.when(c.CancelOrder(order_id=oid, expected_version=5), client(cid))
    [cancelled] = await h.when(c.CancelOrder(order_id=oid, expected_version=1), client(cid))
    assert isinstance(cancelled, OrderCancelled) and cancelled.reason == "cancelled_by_client"


def test_each_command_is_the_services_own_reaction_or_someones_action_and_each_reaction_is_named_once() -> None:
    """The policy's two tables account for every command handled here, each in one only; and the reactions'
    set names each command once (a frozenset hides a name listed twice: the copy that was meant to be another)."""
    assert policy.REACTIONS.isdisjoint(policy.ACTIONS)
    assert set(HANDLERS) <= policy.REACTIONS | set(policy.ACTIONS)
    [table] = [node.value for node in ast.walk(ast.parse(inspect.getsource(policy)))
               if isinstance(node, ast.AnnAssign) and ast.unparse(node.target) == "REACTIONS"]
    named = [ast.unparse(node) for node in ast.walk(table) if isinstance(node, ast.Attribute)]
    assert len(named) == len(policy.REACTIONS), sorted(n for n in named if named.count(n) > 1)


# --- orders: the client's side ----------------------------------------------------------------------------------

@covers(SERVICE, c.PlaceOrder)
async def test_an_order_takes_the_offerings_price_now_and_waits_for_budgetings_answer_by_a_deadline(
        h: Harness, tables: MemoryTables) -> None:
    pid = await provider(h, tables)
    oid, cid = await offering(h, pid), known(tables)
    command = c.PlaceOrder(client_id=cid, offering_id=oid, quantity=3)
    done = await h.run(command, WORKER)
    [placed] = h.decoded(done.new_events)
    assert isinstance(placed, OrderPlaced) and (placed.unit_price_cents, placed.amount_cents) == (6_000, 18_000)
    assert placed.order_id == command.order_id and done.new_events[0].subject == str(cid)  # keyed by the client
    [deadline] = tables.timers
    assert (deadline.kind, deadline.key) == (RESERVATION_TIMER, f"{command.order_id}:1")
    assert deadline.due_at == done.new_events[0].time + SAGA.reservation_timeout


@covers(SERVICE, refused(NotFound, c.PlaceOrder), refused(Forbidden, c.PlaceOrder))
async def test_an_order_needs_a_known_client_their_side_and_an_offering_in_their_area(
        h: Harness, tables: MemoryTables) -> None:
    pid = await provider(h, tables)
    oid = await offering(h, pid)
    with pytest.raises(NotFound, match="intake has not completed"):
        await h.when(c.PlaceOrder(client_id=uuid4(), offering_id=oid), WORKER)
    cid = known(tables)
    for outsider in (OTHER_WORKER, client(uuid4()), SELLER, REGION):
        with pytest.raises(Forbidden):
            await h.when(c.PlaceOrder(client_id=cid, offering_id=oid), outsider)
    with pytest.raises(NotFound, match="no such offering"):
        await h.when(c.PlaceOrder(client_id=cid, offering_id=uuid4()), client(cid))
    elsewhere = known(tables, "Pori")
    with pytest.raises(RuleViolation, match="does not serve"):
        await h.when(c.PlaceOrder(client_id=elsewhere, offering_id=oid), client(elsewhere))
    assert tables.timers == []


@covers(SERVICE, c.CancelOrder, c.ApproveInvoice, c.RateProvider)
async def test_the_client_or_their_worker_cancels_and_approves_and_the_client_rates(
        h: Harness, tables: MemoryTables) -> None:
    _, _, confirmed = await order(h, tables, "confirmed")
    [cancelled] = await h.when(c.CancelOrder(order_id=confirmed), WORKER)
    assert isinstance(cancelled, OrderCancelled) and cancelled.reason == "cancelled_by_worker"
    cid, _, invoiced = await order(h, tables, "confirmed", "accepted", "delivered", "invoiced")
    [approved] = await h.when(c.ApproveInvoice(order_id=invoiced), client(cid))
    [rated] = await h.when(c.RateProvider(order_id=invoiced, stars=5, comment="Ihana siivooja"), client(cid))
    assert isinstance(approved, InvoiceApproved) and approved.amount_cents == 12_000
    assert isinstance(rated, ProviderRated) and await h.open(cid, rated.comment) == ["Ihana siivooja"]


# --- orders: the provider's side --------------------------------------------------------------------------------

@covers(SERVICE, c.AcceptOrder, c.RecordDelivery, c.SubmitInvoice, c.DeclineOrder)
async def test_the_provider_accepts_delivers_and_invoices_or_declines_in_words_sealed_for_the_client(
        h: Harness, tables: MemoryTables) -> None:
    _, _, oid = await order(h, tables, "confirmed")
    [accepted] = await h.when(c.AcceptOrder(order_id=oid), SELLER)
    [delivered] = await h.when(c.RecordDelivery(order_id=oid, delivered_on=date.today()), SELLER)
    [invoiced] = await h.when(c.SubmitInvoice(order_id=oid, amount_cents=11_000, vat_cents=2_191,
                                              reference="RF18 5390 0754 7034"), SELLER)
    assert isinstance(accepted, OrderAccepted) and isinstance(delivered, ServiceDelivered)
    assert isinstance(invoiced, InvoiceSubmitted) and invoiced.reference == "RF18539007547034"
    _, _, another = await order(h, tables, "confirmed", "accepted")  # (the seller now acts for its provider)
    with pytest.raises(RuleViolation, match="before it has happened"):
        await h.when(c.RecordDelivery(order_id=another, delivered_on=date.today() + timedelta(days=1)), SELLER)
    cid, _, declined = await order(h, tables, "confirmed")
    [no] = await h.when(c.DeclineOrder(order_id=declined, reason="Ei vapaita aikoja"), SELLER)
    assert isinstance(no, OrderDeclined) and await h.open(cid, no.reason) == ["Ei vapaita aikoja"]


# --- the saga: budgeting's answers ------------------------------------------------------------------------------

def reserved(cid: UUID, oid: UUID) -> budgeting.FundsReserved:
    return budgeting.FundsReserved(client_id=cid, order_id=oid, amount_cents=12_000, category="cleaning",
                                   remaining_cents=88_000)


@covers(SERVICE, budgeting.FundsReserved, c.ConfirmOrder)
async def test_reserved_funds_confirm_the_order_which_then_waits_for_the_provider_by_a_deadline(
        h: Harness, tables: MemoryTables) -> None:
    cid, _, oid = await order(h, tables)
    [confirmed] = await h.when_published(reserved(cid, oid), cid, consumer="saga")
    assert isinstance(confirmed, OrderConfirmed)
    [deadline] = tables.timers
    assert (deadline.kind, deadline.key, deadline.payload) == (PROVIDER_TIMER, str(oid), {"order_id": str(oid)})
    assert await h.when_published(reserved(cid, oid), cid, consumer="saga") == []  # an answer repeated
    assert len(tables.timers) == 1


@covers(SERVICE, budgeting.FundsReservationRejected, c.RejectOrder)
async def test_a_refused_reservation_rejects_the_order_with_budgetings_reason(h: Harness, tables: MemoryTables) -> None:
    cid, _, oid = await order(h, tables)
    refusal = budgeting.FundsReservationRejected(client_id=cid, order_id=oid, amount_cents=12_000,
                                                 reason_code="exceeds_remaining", reason="the order exceeds it")
    [rejected] = await h.when_published(refusal, cid, consumer="saga")
    assert isinstance(rejected, OrderRejected) and rejected.reason_code == "exceeds_remaining"


@covers(SERVICE, budgeting.FundsReleased, c.CancelOrderWithBudget)
async def test_funds_released_by_a_closing_budget_cancel_the_order_other_releases_do_not(
        h: Harness, tables: MemoryTables) -> None:
    cid, _, oid = await order(h, tables, "confirmed")
    declined = budgeting.FundsReleased(client_id=cid, order_id=oid, amount_cents=12_000, reason="order_declined")
    assert await h.when_published(declined, cid, consumer="saga") == []
    closing = budgeting.FundsReleased(client_id=cid, order_id=oid, amount_cents=12_000, reason="budget_closed")
    [cancelled] = await h.when_published(closing, cid, consumer="saga")
    assert isinstance(cancelled, OrderCancelled) and cancelled.reason == "budget_closed"


@covers(SERVICE, budgeting.SpendingRecorded, c.SchedulePayment, budgeting.SpendingRejected, c.BlockPayment)
async def test_recorded_spending_schedules_the_payment_to_the_provider_refused_spending_blocks_it(
        h: Harness, tables: MemoryTables) -> None:
    cid, pid, oid = await order(h, tables, "confirmed", "accepted", "delivered", "invoiced", "approved")
    [approved] = [e for e in await h.recorded(order_stream(oid)) if isinstance(e, InvoiceApproved)]
    spent = budgeting.SpendingRecorded(client_id=cid, order_id=oid, invoice_id=approved.invoice_id,
                                       amount_cents=12_000, category="cleaning")
    [scheduled] = await h.when_published(spent, cid, consumer="saga")
    assert isinstance(scheduled, PaymentScheduled) and scheduled.provider_id == pid
    assert scheduled.pay_on == (datetime.now(UTC) + SAGA.payment_terms).date()
    cid, _, oid = await order(h, tables, "confirmed", "accepted", "delivered", "invoiced", "approved")
    [approved] = [e for e in await h.recorded(order_stream(oid)) if isinstance(e, InvoiceApproved)]
    refused_ = budgeting.SpendingRejected(client_id=cid, order_id=oid, invoice_id=approved.invoice_id,
                                          amount_cents=12_000, reason="over the budget")
    [blocked] = await h.when_published(refused_, cid, consumer="saga")
    assert isinstance(blocked, PaymentBlocked)


@covers(SERVICE, budgeting.FundsReserved, budgeting.SpendingRecorded)
async def test_budgetings_answers_about_an_order_never_placed_here_change_nothing(h: Harness) -> None:
    cid, oid = uuid4(), uuid4()
    spent = budgeting.SpendingRecorded(client_id=cid, order_id=oid, invoice_id=uuid4(), amount_cents=1, category="x")
    for event in (reserved(cid, oid), spent):
        assert await h.when_published(event, cid, consumer="saga") == []
    assert await h.recorded(order_stream(oid)) == []


# --- the saga's deadlines -----------------------------------------------------------------------------------------

async def fire(h: Harness, kind: str, oid: UUID) -> list[DomainEvent]:
    before = len(await h.store.read_stream(order_stream(oid)))
    async with h.store.transaction() as session:
        await h.app.fire(session, Timer(1, kind, str(oid), datetime.now(UTC), {"order_id": str(oid)}))
    return h.decoded((await h.store.read_stream(order_stream(oid)))[before:])


@covers(SERVICE, RESERVATION_TIMER, c.RetryReservation)
async def test_no_answer_from_budgeting_asks_again_after_a_growing_pause_until_it_answers(
        h: Harness, tables: MemoryTables) -> None:
    cid, _, oid = await order(h, tables)
    [retry] = await fire(h, RESERVATION_TIMER, oid)
    [again] = await fire(h, RESERVATION_TIMER, oid)
    assert isinstance(retry, ReservationRetryRequested) and (retry.attempt, again.attempt) == (2, 3)  # type: ignore[attr-defined]
    assert [t.key for t in tables.timers] == [f"{oid}:2", f"{oid}:3"]
    pauses = [t.due_at - e.time for t, e in zip(tables.timers, (await h.store.read_stream(order_stream(oid)))[1:],
                                                 strict=True)]
    assert pauses == [SAGA.reservation_timeout * 2, SAGA.reservation_timeout * 4]
    await h.when_published(reserved(cid, oid), cid, consumer="saga")
    assert await fire(h, RESERVATION_TIMER, oid) == []  # budgeting answered meanwhile


@covers(SERVICE, PROVIDER_TIMER, c.ExpireOrder)
async def test_a_provider_who_does_not_answer_in_time_loses_the_order(h: Harness, tables: MemoryTables) -> None:
    _, _, oid = await order(h, tables, "confirmed")
    [cancelled] = await fire(h, PROVIDER_TIMER, oid)
    assert isinstance(cancelled, OrderCancelled) and cancelled.reason == "provider_no_response"
    _, _, answered = await order(h, tables, "confirmed", "accepted")
    assert await fire(h, PROVIDER_TIMER, answered) == []


# --- what intake tells of clients --------------------------------------------------------------------------------

@covers(SERVICE, intake.IntakeCompleted, intake.CoordinatorAssigned)
async def test_the_marketplace_keeps_where_a_client_lives_and_who_coordinates_them(
        h: Harness, tables: MemoryTables) -> None:
    cid = uuid4()
    scores = SelfAssessmentScores(**dict.fromkeys(SelfAssessmentScores.model_fields, 5))
    completed = intake.IntakeCompleted(client_id=cid, coordinator_id=WORKER.user_id,
                                       service_task=ServiceTask.FAMILIES_WITH_CHILDREN, municipality="Pori",
                                       preferred_language="fi", baseline_scores=scores)
    await h.when_heard(CLIENTS, completed, cid)
    await h.when_heard(CLIENTS, intake.CoordinatorAssigned(client_id=cid, worker_id="worker-eero"), cid)
    assert tables.clients[cid] == KnownClient("Pori", "worker-eero")


# --- reads ------------------------------------------------------------------------------------------------------

@covers(SERVICE, refused(NotFound, ReadOrder), refused(Forbidden, ReadOrder))
async def test_an_order_is_read_by_its_client_their_worker_its_provider_managers_and_auditors(
        h: Harness, tables: MemoryTables) -> None:
    noted: list[list[UUID]] = []
    with pytest.raises(NotFound):
        await views.order(h.app, ReadOrder(order_id=uuid4()), WORKER, noted.append)
    cid, _, oid = await order(h, tables, "confirmed")
    await provider(h, tables, OTHER_SELLER)
    for outsider in (OTHER_WORKER, OTHER_SELLER, client(uuid4())):
        with pytest.raises(Forbidden):
            await views.order(h.app, ReadOrder(order_id=oid), outsider, noted.append)
    for reader in (client(cid), WORKER, SELLER, REGION, AUDITOR):
        version, view = await views.order(h.app, ReadOrder(order_id=oid), reader, noted.append)
        assert (version, view["status"], view["amount_cents"]) == (2, "confirmed", 12_000)
    assert noted == [[cid]] * 8  # every read names the client, the refused ones too


@covers(SERVICE, refused(Forbidden, ListOrders))
async def test_order_lists_by_role(h: Harness, tables: MemoryTables) -> None:
    noted: list[list[UUID]] = []
    cid = known(tables)
    for reader, query in ((WORKER, ListOrders()), (OTHER_WORKER, ListOrders(client_id=cid)),
                          (Principal(user_id="prov-x", role="provider"), ListOrders())):
        with pytest.raises(Forbidden):
            await views.orders(h.app, query, reader, noted.append)
    pid = await provider(h, tables)
    await views.orders(h.app, ListOrders(client_id=cid), WORKER, noted.append)
    await views.orders(h.app, ListOrders(), client(cid), noted.append)
    await views.orders(h.app, ListOrders(limit=5), SELLER, noted.append)
    assert tables.asked == [{"client_id": cid, "provider_id": None, "limit": 100, "offset": 0}] * 2 + [
        {"client_id": None, "provider_id": pid, "limit": 5, "offset": 0}]
    assert noted == [[cid], [cid], [cid], [UUID(int=1)]]  # the refused worker's read of the client is logged


async def test_a_managers_view_of_what_a_suspension_would_touch_and_the_verification_queue(
        h: Harness, tables: MemoryTables) -> None:
    noted: list[list[UUID]] = []
    pid = uuid4()
    with pytest.raises(Forbidden):  # one provider's orders name many clients: managers and auditors only
        await views.orders(h.app, ListOrders(provider_id=pid, open=True), WORKER, noted.append)
    await views.orders(h.app, ListOrders(provider_id=pid, open=True), REGION, noted.append)
    assert tables.asked == [{"client_id": None, "provider_id": pid, "limit": 100, "offset": 0,
                             "statuses": ["accepted", "awaiting_funds", "confirmed"]}]
    assert noted == [[UUID(int=1)]]  # each client the list names is in the access log
    with pytest.raises(Forbidden):
        await views.providers(h.app, ListProviders(status="unverified"), SELLER)
    for reader in (REGION, WORKER, AUDITOR):
        assert await views.providers(h.app, ListProviders(status="unverified"), reader) == []


async def test_the_catalogue_is_read_by_anyone_signed_in(h: Harness, tables: MemoryTables) -> None:
    with pytest.raises(NotFound):
        await views.provider(h.app, ReadProvider(provider_id=uuid4()), WORKER)
    with pytest.raises(NotFound):
        await views.offering(h.app, ReadOffering(offering_id=uuid4()), WORKER)
    assert await views.search(h.app, SearchOfferings(category="cleaning"), client(uuid4()), seed="2026-11-30") == []
    assert tables.asked[-1]["category"] == "cleaning" and tables.asked[-1]["seed"] == "2026-11-30"


async def test_a_rejected_order_shows_budgetings_reason_in_the_readers_language(
        h: Harness, tables: MemoryTables) -> None:
    cid, _, oid = await order(h, tables)
    refusal = budgeting.FundsReservationRejected(client_id=cid, order_id=oid, amount_cents=12_000,
                                                 reason_code="budget_frozen", reason="the budget is frozen")
    await h.when_published(refusal, cid, consumer="saga")
    readings = {lang: (await views.order(h.app, ReadOrder(order_id=oid), WORKER, lambda _: None, lang))[1]["refusal"]
                for lang in ("fi", "sv", "en")}
    assert {r["code"] for r in readings.values()} == {"budget_frozen"}
    assert readings["fi"]["reason"] == "Budjetti on jäädytetty, koska asiakas on perunut suostumuksensa."
    assert len({r["reason"] for r in readings.values()}) == 3 and readings["en"]["recorded_reason"] == refusal.reason
    _, confirmed = await views.order(h.app, ReadOrder(order_id=(await order(h, tables, "confirmed"))[2]), WORKER,
                                     lambda _: None, "fi")
    assert confirmed["refusal"] is None


async def test_after_the_invoice_the_order_says_what_became_of_the_payment_and_the_provider_never_sees_the_rating(
        h: Harness, tables: MemoryTables) -> None:
    cid, _, oid = await order(h, tables, "confirmed", "accepted", "delivered", "invoiced")

    async def payment(reader: Principal, language: str = "fi") -> dict[str, Any]:
        _, view = await views.order(h.app, ReadOrder(order_id=oid), reader, lambda _: None, language)
        return view

    invoiced = (await payment(SELLER))["payment"]
    assert (invoiced["status"], invoiced["approved_at"], invoiced["pay_on"]) == ("invoiced", None, None)
    await h.when(c.ApproveInvoice(order_id=oid), client(cid))
    assert (await payment(SELLER))["payment"]["approved_at"] is not None
    [approved] = [e for e in await h.recorded(order_stream(oid)) if isinstance(e, InvoiceApproved)]
    spent = budgeting.SpendingRecorded(client_id=cid, order_id=oid, invoice_id=approved.invoice_id,
                                       amount_cents=12_000, category="cleaning")
    await h.when_published(spent, cid, consumer="saga")
    scheduled = (await payment(SELLER))["payment"]
    assert scheduled["status"] == "payment_scheduled" and scheduled["amount_cents"] == 12_000
    assert scheduled["pay_on"] == (datetime.now(UTC) + SAGA.payment_terms).date().isoformat()

    await h.when(c.RateProvider(order_id=oid, stars=4), client(cid))
    assert (await payment(client(cid)))["rating"]["stars"] == 4
    assert (await payment(SELLER))["rating"] is None  # the order names its client: the stars would name the rater
    with pytest.raises(Forbidden):
        await views.own_ratings(h.app, ReadOwnRatings(), client(cid))

    cid, _, oid = await order(h, tables, "confirmed", "accepted", "delivered", "invoiced", "approved")
    [approved] = [e for e in await h.recorded(order_stream(oid)) if isinstance(e, InvoiceApproved)]
    refused_ = budgeting.SpendingRejected(client_id=cid, order_id=oid, invoice_id=approved.invoice_id,
                                          amount_cents=12_000, reason="...", reason_code="exceeds_reservation")
    [blocked] = await h.when_published(refused_, cid, consumer="saga")
    assert isinstance(blocked, PaymentBlocked) and blocked.reason_code == "exceeds_reservation"
    readings = {lang: (await payment(SELLER, lang))["payment"]["blocked"] for lang in ("fi", "sv", "en")}
    assert {r["code"] for r in readings.values()} == {"exceeds_reservation"}
    assert len({r["reason"] for r in readings.values()}) == 3
    assert readings["en"]["reason"] == "The invoice exceeds the reserved amount by more than is left of the budget."
    assert views.payment_refusal(None, "fi")["reason"] == views.payment_refusal("not-known-yet", "fi")["reason"]


# Vendors by what they sell and one-off purchases have their own module; its tests count for this service's tables.
import tests.unit.test_marketplace_purchases_application  # noqa: E402, F401
