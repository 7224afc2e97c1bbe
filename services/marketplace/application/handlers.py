"""The marketplace's command handlers: each turns an application command into the domain's, after the pipeline
has found the case (404), asked the policy (403) and checked the version the caller saw (409). The catalogue's
rules live in domain/catalogue.py and domain/vendors.py, the order saga's in domain/order.py, a purchase's in
domain/purchase.py, access rules in policy.py.

The saga's deadlines are durable timers, scheduled in the transaction of the events that start each wait
(a route's ``then``): budgeting's answer to a reservation (asked again with a growing pause, the order or
purchase stays pending and is never lost) and the provider's answer to a confirmed order (cancelled when it does
not come). Orders and purchases queue behind their stream's lock (``serialize``): budgeting's answer and a
person's step on one of them are decided one after the other.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

from services.marketplace.adapters import postgres
from services.marketplace.application import commands as c
from services.marketplace.application.policy import Seen, authorize
from services.marketplace.application.ports import (
    OFFERING_AGGREGATE,
    ORDER_AGGREGATE,
    PROVIDER_AGGREGATE,
    PURCHASE_AGGREGATE,
    Ports,
    offering_stream,
    order_stream,
    provider_stream,
    purchase_stream,
)
from services.marketplace.application.support import SUPPORT_HANDLERS, SUPPORT_TIMERS
from services.marketplace.domain import catalogue, vendors
from services.marketplace.domain import order as orders
from services.marketplace.domain import purchase as purchases
from shared.infra.aggregate import Executed
from shared.infra.eventstore import CommandContext, Session
from shared.infra.pipeline import AggregateSpec, Application, Given, Handlers, Route, Workflow
from shared.infra.timers import Timer
from shared.kernel.calendar import county_day
from shared.kernel.commands import Command
from shared.kernel.errors import InvalidCommand, NotFound
from shared.kernel.principal import Principal

RESERVATION_TIMER = "reservation_answer"
PROVIDER_TIMER = "provider_answer"
PURCHASE_RESERVATION_TIMER = "purchase_reservation_answer"
UNKNOWN_CLIENT = "no such client here yet (their intake has not completed)"
YEAR = timedelta(days=365)  # "in 12 months", for the criteria's value conditions


# --- what the policy decides on, per aggregate ----------------------------------------------------------------

async def provider_facts(request: Any, state: catalogue.Provider, principal: Principal, deps: Ports) -> Seen:
    return Seen(state, own_provider=await deps.own_provider(principal), provider_id=state.provider_id)


async def offering_facts(request: Any, state: catalogue.Offering, principal: Principal, deps: Ports) -> Seen:
    """A new offering names its provider, which must exist (404) and be the caller's own (403)."""
    provider: catalogue.Provider | None = None
    provider_id = state.provider_id
    if isinstance(request, c.PublishOffering):
        provider, provider_id = await deps.provider(request.provider_id), request.provider_id
        if provider.status == "none":
            raise NotFound("no such provider")
    return Seen(state, own_provider=await deps.own_provider(principal), provider_id=provider_id, provider=provider)


async def order_facts(request: Any, state: orders.Order | purchases.Purchase, principal: Principal,
                      deps: Ports) -> Seen:
    """The client's coordinator (for the client's side) and the caller's provider (for the provider's side). A new
    order's or purchase's client must be known from intake (404)."""
    client_id = state.client_id or getattr(request, "client_id", None)
    creates = isinstance(request, c.PlaceOrder | c.RequestPurchase)
    client = None
    if client_id is not None and (creates or principal.role in ("client", "worker")):
        client = await deps.tables.client(client_id)
        if client is None and creates:
            raise NotFound(UNKNOWN_CLIENT)
    provider_id = state.provider_id if isinstance(state, orders.Order) else state.vendor_id
    return Seen(state, own_provider=await deps.own_provider(principal), provider_id=provider_id,
                client_id=client_id, client=client)


PROVIDER = AggregateSpec(
    PROVIDER_AGGREGATE, stream_of=lambda cmd: provider_stream(cmd.provider_id),
    subject_of=lambda cmd: str(cmd.provider_id), exists=lambda p: p.status != "none", not_found="no such provider",
    policy=authorize, projector=postgres.project, facts=provider_facts,
)
def _str(value: UUID | None) -> str | None:
    return None if value is None else str(value)


# Catalogue events are about a provider (their subject and Kafka key), an order's about its client.
OFFERING = AggregateSpec(
    OFFERING_AGGREGATE, stream_of=lambda cmd: offering_stream(cmd.offering_id),
    subject_of=lambda cmd: str(cmd.provider_id), case_subject=lambda o: _str(o.provider_id),
    exists=lambda o: o.exists, not_found="no such offering", policy=authorize, projector=postgres.project,
    facts=offering_facts,
)
ORDER = AggregateSpec(
    ORDER_AGGREGATE, stream_of=lambda cmd: order_stream(cmd.order_id),
    subject_of=lambda cmd: str(cmd.client_id), case_subject=lambda o: _str(o.client_id),
    exists=lambda o: o.status != "none", not_found="no such order", policy=authorize,
    projector=postgres.project_order_status, serialize=True, facts=order_facts,
)
PURCHASE = AggregateSpec(
    PURCHASE_AGGREGATE, stream_of=lambda cmd: purchase_stream(cmd.purchase_id),
    subject_of=lambda cmd: str(cmd.client_id), case_subject=lambda p: _str(p.client_id),
    exists=lambda p: p.status != "none", not_found="no such purchase", policy=authorize,
    projector=postgres.project_purchase, serialize=True, facts=order_facts,
)

Given_ = Given[Any, Ports]


# --- providers ---------------------------------------------------------------------------------------------------

async def register(cmd: c.RegisterProvider, principal: Principal, context: CommandContext,
                   app: Application[Ports]) -> Executed[catalogue.Provider]:
    """A provider user registers their organisation and becomes its user: one provider per Y-tunnus, one provider
    per user. The Y-tunnus is claimed and the provider opened in one transaction, so of two registrations of one
    business exactly one wins."""
    authorize(principal, cmd, Seen(None))
    tables = app.deps.tables
    if await tables.provider_of_user(principal.user_id) is not None:
        raise InvalidCommand("this user already acts for a provider", field="y_tunnus")
    app.deps.vendors.criteria(cmd.vendor_kind)  # a kind the region's table knows (422)
    opening = c.OpenProvider(**cmd.model_dump())
    [registered] = catalogue.decide_provider(await open_provider(opening, None), catalogue.NO_PROVIDER)
    y_tunnus = registered.y_tunnus  # type: ignore[attr-defined]  # validated by its check digit, normalised
    async with app.store.transaction() as session:
        if await tables.claim_y_tunnus(session, y_tunnus, cmd.provider_id) != cmd.provider_id:
            raise InvalidCommand("a provider with this Y-tunnus is already registered", field="y_tunnus",
                                 code="y-tunnus-registered")
        done: Executed[catalogue.Provider] = await app.handle(opening, principal, context, session=session)
        await tables.add_provider_user(session, principal.user_id, cmd.provider_id)
    return done


async def open_provider(cmd: c.OpenProvider, given: Given_ | None) -> catalogue.RegisterProvider:
    return catalogue.RegisterProvider(**cmd.model_dump(exclude={"expected_version"}))


async def verify(cmd: c.VerifyProvider, given: Given_) -> catalogue.VerifyProvider:
    """On the criteria of the provider's kind, with the facts their conditions need: what the county bought from
    it in the last 12 months, and whether its people work on the county's premises (the region says)."""
    bought = await given.deps.tables.bought_from(cmd.provider_id, county_day(given.context.now) - YEAR)
    facts = vendors.VendorFacts(purchases_12m_cents=bought, on_county_premises=cmd.on_county_premises)
    return catalogue.VerifyProvider(checklist=cmd.checklist, notes=cmd.notes,
                                    criteria=given.deps.vendors.criteria(given.state.vendor_kind), facts=facts)


async def suspend(cmd: c.SuspendProvider, given: Given_) -> catalogue.SuspendProvider:
    return catalogue.SuspendProvider(reason=cmd.reason)


# --- offerings ---------------------------------------------------------------------------------------------------

async def publish(cmd: c.PublishOffering, given: Given_) -> catalogue.PublishOffering:
    provider: catalogue.Provider = given.facts.provider
    return catalogue.PublishOffering(provider_status=provider.status,
                                     kind_may_deliver=given.deps.vendors.may_deliver(provider.vendor_kind, cmd.category),
                                     **cmd.model_dump(exclude={"expected_version"}))


async def change_price(cmd: c.ChangePrice, given: Given_) -> catalogue.ChangePrice:
    return catalogue.ChangePrice(unit_price_cents=cmd.unit_price_cents)


async def withdraw(cmd: c.WithdrawOffering, given: Given_) -> catalogue.WithdrawOffering:
    return catalogue.WithdrawOffering(reason=cmd.reason)


# --- orders ------------------------------------------------------------------------------------------------------

async def place_order(cmd: c.PlaceOrder, given: Given_) -> orders.PlaceOrder:
    """The order's price, category and provider are the offering's as they stand now; later changes keep off it."""
    offering = await given.deps.offering(cmd.offering_id)
    if not offering.exists:
        raise NotFound("no such offering")
    assert offering.provider_id is not None
    provider = await given.deps.provider(offering.provider_id)
    client = given.facts.client
    return orders.PlaceOrder(
        order_id=cmd.order_id, client_id=cmd.client_id, provider_id=offering.provider_id,
        offering_id=cmd.offering_id, quantity=cmd.quantity, provider_status=provider.status,
        provider_serves_client=client.municipality in provider.service_areas, offering_withdrawn=offering.withdrawn,
        category=offering.category, unit_price_cents=offering.unit_price_cents, today=county_day(given.context.now),
    )


async def cancel(cmd: c.CancelOrder, given: Given_) -> orders.CancelOrder:
    reason = "cancelled_by_client" if given.principal.role == "client" else "cancelled_by_worker"
    return orders.CancelOrder(reason=reason)


async def approve_invoice(cmd: c.ApproveInvoice, given: Given_) -> orders.ApproveInvoice:
    return orders.ApproveInvoice()


async def rate(cmd: c.RateProvider, given: Given_) -> orders.RateProvider:
    sealed = (await given.keyring.seal(given.principal.user_id, cmd.comment))[0] if cmd.comment else None
    return orders.RateProvider(stars=cmd.stars, comment=sealed)


async def accept(cmd: c.AcceptOrder, given: Given_) -> orders.AcceptOrder:
    """A suspended provider accepts no new work: its status as it stands now."""
    assert given.state.provider_id is not None
    provider = await given.deps.provider(given.state.provider_id)
    return orders.AcceptOrder(provider_status=provider.status)


async def continue_order(cmd: c.ContinueOrder, given: Given_) -> orders.ContinueOrder:
    return orders.ContinueOrder(decided_by=given.principal.user_id)


async def share_details(cmd: c.ShareDeliveryDetails, given: Given_) -> orders.ShareDeliveryDetails:
    """Sealed with the client's key: an address and a phone number are personal data, kept as the client's."""
    parts = (cmd.address, cmd.contact, cmd.instructions)
    given_parts = [p for p in parts if p is not None]
    sealed = iter(await given.keyring.seal(str(given.state.client_id), *given_parts) if given_parts else ())
    address, contact, instructions = (next(sealed) if p is not None else None for p in parts)
    return orders.ShareDeliveryDetails(address=address, contact=contact, instructions=instructions,
                                       shared_by=given.principal.user_id)


async def decline(cmd: c.DeclineOrder, given: Given_) -> orders.DeclineOrder:
    (reason,) = await given.keyring.seal(str(given.state.client_id), cmd.reason)  # may be about the client
    return orders.DeclineOrder(reason=reason)


async def record_delivery(cmd: c.RecordDelivery, given: Given_) -> orders.RecordDelivery:
    return orders.RecordDelivery(delivered_on=cmd.delivered_on, today=county_day(given.context.now))


async def submit_invoice(cmd: c.SubmitInvoice, given: Given_) -> orders.SubmitInvoice:
    return orders.SubmitInvoice(invoice_id=uuid4(), amount_cents=cmd.amount_cents,
                                vat_cents=cmd.vat_cents, reference=cmd.reference)


# --- the saga: budgeting's answers and the deadlines ---------------------------------------------------------------

async def confirm(cmd: c.ConfirmOrder, given: Given_) -> orders.ConfirmOrder:
    return orders.ConfirmOrder()


async def reject(cmd: c.RejectOrder, given: Given_) -> orders.RejectOrder:
    return orders.RejectOrder(reason_code=cmd.reason_code, reason=cmd.reason)


async def cancel_with_budget(cmd: c.CancelOrderWithBudget, given: Given_) -> orders.CancelOrder:
    return orders.CancelOrder(reason="budget_closed")


async def schedule_payment(cmd: c.SchedulePayment, given: Given_) -> orders.SchedulePayment:
    pay_on = (given.context.now + given.deps.saga.payment_terms).date()
    return orders.SchedulePayment(invoice_id=cmd.invoice_id, pay_on=pay_on)


async def block_payment(cmd: c.BlockPayment, given: Given_) -> orders.BlockPayment:
    return orders.BlockPayment(invoice_id=cmd.invoice_id, reason=cmd.reason, reason_code=cmd.reason_code)


async def retry_reservation(cmd: c.RetryReservation, given: Given_) -> orders.RetryReservation:
    return orders.RetryReservation()


async def expire(cmd: c.ExpireOrder, given: Given_) -> orders.CancelOrder:
    return orders.CancelOrder(reason="provider_no_response")


async def act_on_suspension(cmd: c.ActOnSuspension, given: Given_) -> orders.ActOnSuspension:
    """An accepted order is held for the client's coordinating worker, who is named (the notifications tell them)."""
    assert given.state.client_id is not None
    client = await given.deps.tables.client(given.state.client_id)
    return orders.ActOnSuspension(coordinator_id=client.coordinator_id if client else None)


# --- one-off purchases ------------------------------------------------------------------------------------------

async def request_purchase(cmd: c.RequestPurchase, given: Given_) -> purchases.RequestPurchase:
    """The vendor as it stands now (verified, its kind allowed for the category, and no check of its kind due that
    this purchase's value brings on); the item's description sealed with the client's key."""
    vendor = await given.deps.provider(cmd.vendor_id)
    if vendor.status == "none":
        raise NotFound("no such vendor")
    table, today = given.deps.vendors, county_day(given.context.now)
    bought = await given.deps.tables.bought_from(cmd.vendor_id, today - YEAR)
    with_this = vendors.VendorFacts(purchases_12m_cents=bought + cmd.quantity * cmd.unit_price_cents,
                                    on_county_premises=vendor.on_county_premises)
    due = vendors.now_needed(table.criteria(vendor.vendor_kind), vendor.met, with_this) \
        if vendor.status == "verified" else []
    (description,) = await given.keyring.seal(str(cmd.client_id), cmd.description)
    client, principal = given.facts.client, given.principal
    # A client buying for themself is held to their coordinating worker's delegation: the same purchase asks for
    # the same approval whoever of the two enters it.
    person, role = (client.coordinator_id, "worker") if principal.role == "client" else (principal.user_id,
                                                                                          principal.role)
    return purchases.RequestPurchase(
        purchase_id=cmd.purchase_id, client_id=cmd.client_id, vendor_id=cmd.vendor_id, category=cmd.category,
        description=description, quantity=cmd.quantity, unit_price_cents=cmd.unit_price_cents,
        quote_reference=cmd.quote_reference, link=cmd.link, today=today, vendor_name=vendor.name,
        vendor_kind=vendor.vendor_kind, vendor_status=vendor.status,
        kind_may_deliver=table.may_deliver(vendor.vendor_kind, cmd.category), checks_due=due,
        requested_by=principal.user_id, municipality=client.municipality, approval_id=uuid4(),
        authority=given.deps.purchase_authority(person, role, client.municipality, today),
    )


async def cancel_purchase(cmd: c.CancelPurchase, given: Given_) -> purchases.Cancel:
    return purchases.Cancel(reason="cancelled_by_client" if given.principal.role == "client" else "cancelled_by_worker")


async def confirm_receipt(cmd: c.ConfirmReceipt, given: Given_) -> purchases.ConfirmReceipt:
    by = "client" if given.principal.role == "client" else "worker"
    return purchases.ConfirmReceipt(received_on=cmd.received_on, today=county_day(given.context.now), confirmed_by=by)


async def continue_purchase(cmd: c.ContinuePurchase, given: Given_) -> purchases.ContinuePurchase:
    return purchases.ContinuePurchase(decided_by=given.principal.user_id)


async def act_on_purchase_suspension(cmd: c.ActOnPurchaseSuspension, given: Given_) -> purchases.ActOnSuspension:
    """A confirmed purchase is held for the client's coordinating worker, who is named (the notifications tell
    them)."""
    assert given.state.client_id is not None
    client = await given.deps.tables.client(given.state.client_id)
    return purchases.ActOnSuspension(coordinator_id=client.coordinator_id if client else None)


async def invoice_purchase(cmd: c.InvoicePurchase, given: Given_) -> purchases.SubmitInvoice:
    return purchases.SubmitInvoice(invoice_id=uuid4(), amount_cents=cmd.amount_cents, vat_cents=cmd.vat_cents,
                                   reference=cmd.reference)


async def approve_purchase_invoice(cmd: c.ApprovePurchaseInvoice, given: Given_) -> purchases.ApproveInvoice:
    return purchases.ApproveInvoice()


async def approve_purchase(cmd: c.ApprovePurchase, given: Given_) -> purchases.ApprovePurchase:
    """The approver's own delegation for purchases, where the client lived when the approval was asked, today."""
    p, principal = given.state, given.principal
    (reasoning,) = await given.keyring.seal(str(p.client_id), cmd.reason) if cmd.reason else (None,)
    authority = given.deps.purchase_authority(principal.user_id, principal.role, p.municipality,
                                              county_day(given.context.now))
    return purchases.ApprovePurchase(approver=principal.user_id, authority=authority, reasoning=reasoning)


async def refuse_purchase(cmd: c.RefusePurchase, given: Given_) -> purchases.RefusePurchase:
    p, principal = given.state, given.principal
    (reasoning,) = await given.keyring.seal(str(p.client_id), cmd.reason)  # the manager's words about the client
    authority = given.deps.purchase_authority(principal.user_id, principal.role, p.municipality,
                                              county_day(given.context.now))
    return purchases.RefusePurchase(approver=principal.user_id, authority=authority, reasoning=reasoning)


async def hold_funds(cmd: c.HoldPurchaseFunds, given: Given_) -> purchases.HoldFunds:
    return purchases.HoldFunds()


async def reject_purchase(cmd: c.RejectPurchase, given: Given_) -> purchases.Reject:
    return purchases.Reject(reason_code=cmd.reason_code, reason=cmd.reason)


async def cancel_purchase_with_budget(cmd: c.CancelPurchaseWithBudget, given: Given_) -> purchases.Cancel:
    return purchases.Cancel(reason="budget_closed")


async def schedule_purchase_payment(cmd: c.SchedulePurchasePayment, given: Given_) -> purchases.SchedulePayment:
    pay_on = (given.context.now + given.deps.saga.payment_terms).date()
    return purchases.SchedulePayment(invoice_id=cmd.invoice_id, pay_on=pay_on)


async def block_purchase_payment(cmd: c.BlockPurchasePayment, given: Given_) -> purchases.BlockPayment:
    return purchases.BlockPayment(invoice_id=cmd.invoice_id, reason=cmd.reason,
                                  reason_code=cmd.reason_code)


async def retry_purchase_reservation(cmd: c.RetryPurchaseReservation, given: Given_) -> purchases.RetryReservation:
    return purchases.RetryReservation()


# --- the waits' deadlines, in the transaction of the events that start them ------------------------------------

async def await_reservation(cmd: Command, done: Executed[orders.Order], given: Given_, session: Session) -> None:
    """Budgeting answers each reservation; until it does, ask again after a pause that doubles (at most 32×)."""
    order, saga = done.state, given.deps.saga
    attempt = order.reservation_attempts
    pause = saga.reservation_timeout * min(2 ** (attempt - 1), 32)
    await given.deps.tables.schedule(session, RESERVATION_TIMER, f"{order.order_id}:{attempt}",
                                     given.context.now + pause, {"order_id": str(order.order_id)})


async def await_purchase_reservation(cmd: Command, done: Executed[purchases.Purchase], given: Given_,
                                     session: Session) -> None:
    """As for an order: budgeting answers each reservation; until it does, ask again after a doubling pause."""
    purchase, saga = done.state, given.deps.saga
    attempt = purchase.reservation_attempts
    pause = saga.reservation_timeout * min(2 ** (attempt - 1), 32)
    await given.deps.tables.schedule(session, PURCHASE_RESERVATION_TIMER, f"{purchase.purchase_id}:{attempt}",
                                     given.context.now + pause, {"purchase_id": str(purchase.purchase_id)})


async def await_provider(cmd: Command, done: Executed[orders.Order], given: Given_, session: Session) -> None:
    """A confirmed order waits for the provider's answer, until the deadline."""
    order_id = done.state.order_id
    await given.deps.tables.schedule(session, PROVIDER_TIMER, str(order_id),
                                     given.context.now + given.deps.saga.provider_response_timeout,
                                     {"order_id": str(order_id)})


def _order_of(timer: Timer) -> UUID:
    return UUID(timer.payload["order_id"])


TIMERS = {
    RESERVATION_TIMER: lambda timer: c.RetryReservation(order_id=_order_of(timer)),
    PROVIDER_TIMER: lambda timer: c.ExpireOrder(order_id=_order_of(timer)),
    PURCHASE_RESERVATION_TIMER: lambda timer: c.RetryPurchaseReservation(
        purchase_id=UUID(timer.payload["purchase_id"])),
    **SUPPORT_TIMERS,
}


# Budgeting's answers and the deadlines act on an order only once there is one ("skip"): budgeting may answer
# about an order this marketplace never placed.
HANDLERS: Handlers = {
    c.RegisterProvider: Workflow(register),
    c.OpenProvider: Route(PROVIDER, open_provider, missing="decide"),
    c.VerifyProvider: Route(PROVIDER, verify),
    c.SuspendProvider: Route(PROVIDER, suspend),
    c.PublishOffering: Route(OFFERING, publish, missing="decide"),
    c.ChangePrice: Route(OFFERING, change_price),
    c.WithdrawOffering: Route(OFFERING, withdraw),
    c.PlaceOrder: Route(ORDER, place_order, missing="decide", then=await_reservation),
    c.CancelOrder: Route(ORDER, cancel),
    c.ApproveInvoice: Route(ORDER, approve_invoice),
    c.RateProvider: Route(ORDER, rate),
    c.AcceptOrder: Route(ORDER, accept),
    c.DeclineOrder: Route(ORDER, decline),
    c.RecordDelivery: Route(ORDER, record_delivery),
    c.SubmitInvoice: Route(ORDER, submit_invoice),
    c.ContinueOrder: Route(ORDER, continue_order),
    c.ShareDeliveryDetails: Route(ORDER, share_details),
    c.ConfirmOrder: Route(ORDER, confirm, missing="skip", then=await_provider),
    c.RejectOrder: Route(ORDER, reject, missing="skip"),
    c.CancelOrderWithBudget: Route(ORDER, cancel_with_budget, missing="skip"),
    c.SchedulePayment: Route(ORDER, schedule_payment, missing="skip"),
    c.BlockPayment: Route(ORDER, block_payment, missing="skip"),
    c.RetryReservation: Route(ORDER, retry_reservation, missing="skip", then=await_reservation),
    c.ExpireOrder: Route(ORDER, expire, missing="skip"),
    c.ActOnSuspension: Route(ORDER, act_on_suspension, missing="skip"),
    c.RequestPurchase: Route(PURCHASE, request_purchase, missing="decide", then=await_purchase_reservation),
    c.CancelPurchase: Route(PURCHASE, cancel_purchase),
    c.ConfirmReceipt: Route(PURCHASE, confirm_receipt),
    c.ContinuePurchase: Route(PURCHASE, continue_purchase),
    c.ActOnPurchaseSuspension: Route(PURCHASE, act_on_purchase_suspension, missing="skip"),
    c.InvoicePurchase: Route(PURCHASE, invoice_purchase),
    c.ApprovePurchaseInvoice: Route(PURCHASE, approve_purchase_invoice),
    c.ApprovePurchase: Route(PURCHASE, approve_purchase),
    c.RefusePurchase: Route(PURCHASE, refuse_purchase),
    c.HoldPurchaseFunds: Route(PURCHASE, hold_funds, missing="skip"),
    c.RejectPurchase: Route(PURCHASE, reject_purchase, missing="skip"),
    c.CancelPurchaseWithBudget: Route(PURCHASE, cancel_purchase_with_budget, missing="skip"),
    c.SchedulePurchasePayment: Route(PURCHASE, schedule_purchase_payment, missing="skip"),
    c.BlockPurchasePayment: Route(PURCHASE, block_purchase_payment, missing="skip"),
    c.RetryPurchaseReservation: Route(PURCHASE, retry_purchase_reservation, missing="skip",
                                      then=await_purchase_reservation),
    **SUPPORT_HANDLERS,
}
