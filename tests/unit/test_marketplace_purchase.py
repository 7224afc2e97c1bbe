"""A one-off purchase as given events → when command → then events (or the error), plus a property test: whatever
the order of commands, a purchase moves only along its path, and the only payment it ever schedules goes to its
vendor, never to the client."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.marketplace import (
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
from services.marketplace.domain import purchase as d
from shared.kernel.errors import InvalidCommand, RuleViolation
from shared.kernel.events import DomainEvent
from shared.kernel.sealed import Sealed

CID, PID, VID, INVOICE = uuid4(), uuid4(), uuid4(), uuid4()
IDS = {"client_id": CID, "purchase_id": PID}
STROLLER = Sealed(kid=str(CID), nonce="bm9uY2U=", ct="Y3Q=")
TODAY = date(2026, 5, 4)


def given_events(*events: DomainEvent) -> d.Purchase:
    purchase = d.NO_PURCHASE
    for event in events:
        purchase = d.evolve(purchase, event)
    return purchase


def when(command: d.Command, *history: DomainEvent) -> list[DomainEvent]:
    return d.decide(command, given_events(*history))


def request(**changes: Any) -> d.RequestPurchase:
    fields: dict[str, Any] = {
        "purchase_id": PID, "client_id": CID, "vendor_id": VID, "category": "equipment", "description": STROLLER,
        "quantity": 1, "unit_price_cents": 119_000, "quote_reference": "TARJ-2026-118", "today": TODAY,
        "vendor_name": "Lastentarvike Oy", "vendor_kind": "goods_and_tickets", "vendor_status": "verified",
        "kind_may_deliver": True}
    return d.RequestPurchase(**(fields | changes))


REQUESTED = PurchaseRequested(**IDS, vendor_id=VID, vendor_name="Lastentarvike Oy", vendor_kind="goods_and_tickets",
                              category="equipment", description=STROLLER, quantity=1, unit_price_cents=119_000,
                              amount_cents=119_000, quote_reference="TARJ-2026-118", requested_on=TODAY)
WAITS = REQUESTED.model_copy(update={"needs_approval": True})
HELD = PurchaseFundsReserved(**IDS, amount_cents=119_000)
CONFIRMED = PurchaseConfirmed(**IDS, vendor_id=VID)
REJECTED = PurchaseRejected(**IDS, reason_code="exceeds_remaining", reason="the purchase exceeds it")
DELIVERED = PurchaseDelivered(**IDS, received_on=TODAY, confirmed_by="worker")
INVOICED = PurchaseInvoiced(**IDS, invoice_id=INVOICE, amount_cents=119_000, vat_cents=23_713,
                            reference="RF18539007547034")
APPROVED = PurchaseInvoiceApproved(**IDS, invoice_id=INVOICE, amount_cents=119_000)
SCHEDULED = PurchasePaymentScheduled(**IDS, invoice_id=INVOICE, vendor_id=VID, amount_cents=119_000,
                                     pay_on=date(2026, 5, 18))
HISTORY: dict[str, tuple[DomainEvent, ...]] = {
    "awaiting_funds": (REQUESTED,),
    "awaiting_approval": (WAITS, HELD),
    "confirmed": (REQUESTED, HELD, CONFIRMED),
    "rejected": (REQUESTED, REJECTED),
    "cancelled": (REQUESTED, PurchaseCancelled(**IDS, reason="cancelled_by_client")),
    "delivered": (REQUESTED, HELD, CONFIRMED, DELIVERED),
    "invoiced": (REQUESTED, HELD, CONFIRMED, DELIVERED, INVOICED),
    "invoice_approved": (REQUESTED, HELD, CONFIRMED, DELIVERED, INVOICED, APPROVED),
    "payment_scheduled": (REQUESTED, HELD, CONFIRMED, DELIVERED, INVOICED, APPROVED, SCHEDULED),
}


def test_every_history_leaves_the_purchase_in_its_status() -> None:
    for status, history in HISTORY.items():
        assert given_events(*history).status == status


# --- requesting -------------------------------------------------------------------------------------------------

def test_a_purchase_on_a_quote_is_requested_for_its_whole_amount() -> None:
    assert when(request()) == [REQUESTED]
    tickets = request(quantity=4, unit_price_cents=4_490, category="leisure", vendor_name="Särkänniemi Oy")
    [event] = when(tickets)
    assert isinstance(event, PurchaseRequested) and event.amount_cents == 17_960
    assert given_events(event).status == "awaiting_funds"


@pytest.mark.parametrize(("changes", "code"), [
    ({"vendor_status": "unverified"}, "vendor-not-verified"),
    ({"vendor_status": "suspended"}, "vendor-not-verified"),
    ({"kind_may_deliver": False}, "category-not-for-vendor-kind"),
    ({"checks_due": ["tax_debt_certificate"]}, "vendor-checks-due"),
])
def test_a_purchase_is_refused_before_any_money_moves_with_its_reason(changes: dict[str, Any], code: str) -> None:
    with pytest.raises(RuleViolation) as caught:
        when(request(**changes))
    assert caught.value.code == code


def test_a_purchase_is_requested_once_and_not_above_a_million() -> None:
    with pytest.raises(RuleViolation, match="already exists"):
        when(request(), REQUESTED)
    with pytest.raises(InvalidCommand, match="1 000 000"):
        when(request(quantity=1000, unit_price_cents=100_001))


# --- budgeting's answer, and approval -----------------------------------------------------------------------------

def test_reserved_funds_confirm_a_purchase_that_needs_no_approval() -> None:
    assert when(d.HoldFunds(), REQUESTED) == [HELD, CONFIRMED]
    assert when(d.HoldFunds(), *HISTORY["confirmed"]) == []  # an answer repeated


def test_a_purchase_above_the_authority_waits_for_approval_with_its_funds_held() -> None:
    assert given_events(WAITS).approval == "pending"
    assert when(d.HoldFunds(), WAITS) == [HELD]
    waiting = given_events(WAITS, HELD)
    assert (waiting.status, waiting.funds_reserved) == ("awaiting_approval", True)
    assert when(d.RetryReservation(), WAITS, HELD) == []  # the funds are there: nothing to ask again


def test_a_refused_reservation_rejects_the_purchase_with_budgetings_reason() -> None:
    assert when(d.Reject(reason_code="exceeds_remaining", reason="the purchase exceeds it"), REQUESTED) == [REJECTED]
    for status in ("confirmed", "rejected", "cancelled", "awaiting_approval"):
        assert when(d.Reject(reason_code="x", reason="y"), *HISTORY[status]) == [], status


def test_no_answer_asks_again_counting_the_attempts_and_the_day_of_the_request() -> None:
    [retry] = when(d.RetryReservation(), REQUESTED)
    assert retry == PurchaseReservationRetryRequested(**IDS, amount_cents=119_000, category="equipment", attempt=2,
                                                      requested_on=TODAY)
    assert given_events(REQUESTED, retry).reservation_attempts == 2
    assert when(d.RetryReservation(), *HISTORY["confirmed"]) == []


# --- cancelling ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("status", ["awaiting_funds", "awaiting_approval", "confirmed"])
def test_a_purchase_is_cancelled_before_the_item_arrives(status: str) -> None:
    [event] = when(d.Cancel(reason="cancelled_by_worker"), *HISTORY[status])
    assert event == PurchaseCancelled(**IDS, reason="cancelled_by_worker")


@pytest.mark.parametrize("status", ["delivered", "invoiced", "invoice_approved", "payment_scheduled", "rejected",
                                    "cancelled"])
def test_after_the_item_arrived_a_person_cannot_cancel_and_the_budgets_closure_changes_nothing(status: str) -> None:
    with pytest.raises(RuleViolation) as caught:
        when(d.Cancel(reason="cancelled_by_client"), *HISTORY[status])
    assert caught.value.code == "purchase-not-cancellable"
    assert when(d.Cancel(reason="budget_closed"), *HISTORY[status]) == []


# --- receipt, invoice, payment ----------------------------------------------------------------------------------

def test_the_client_or_worker_confirms_receipt_of_a_confirmed_purchase_not_in_advance() -> None:
    [event] = when(d.ConfirmReceipt(received_on=TODAY, today=TODAY, confirmed_by="worker"), *HISTORY["confirmed"])
    assert event == DELIVERED
    with pytest.raises(RuleViolation) as caught:
        when(d.ConfirmReceipt(received_on=date(2026, 5, 5), today=TODAY, confirmed_by="client"), *HISTORY["confirmed"])
    assert caught.value.code == "purchase-received-in-the-future"
    with pytest.raises(RuleViolation) as caught:
        when(d.ConfirmReceipt(received_on=TODAY, today=TODAY, confirmed_by="client"), *HISTORY["awaiting_approval"])
    assert caught.value.code == "purchase-state"


def test_the_vendor_invoices_after_delivery_at_most_the_quoted_amount() -> None:
    invoice = d.SubmitInvoice(invoice_id=INVOICE, amount_cents=119_000, vat_cents=23_713, reference="RF18 5390 0754 7034")
    assert when(invoice, *HISTORY["delivered"]) == [INVOICED]
    with pytest.raises(InvalidCommand, match="quoted amount"):
        when(invoice.model_copy(update={"amount_cents": 119_001}), *HISTORY["delivered"])
    with pytest.raises(InvalidCommand, match="VAT"):
        when(invoice.model_copy(update={"vat_cents": 200_000}), *HISTORY["delivered"])
    with pytest.raises(RuleViolation, match="confirmed"):
        when(invoice, *HISTORY["confirmed"])


def test_the_approved_invoice_is_paid_to_the_vendor_when_budgeting_records_it() -> None:
    assert when(d.ApproveInvoice(), *HISTORY["invoiced"]) == [APPROVED]
    [scheduled] = when(d.SchedulePayment(invoice_id=INVOICE, pay_on=date(2026, 5, 18)), *HISTORY["invoice_approved"])
    assert scheduled == SCHEDULED and scheduled.vendor_id == VID  # type: ignore[attr-defined]
    [blocked] = when(d.BlockPayment(invoice_id=INVOICE, reason="no"), *HISTORY["invoice_approved"])
    assert isinstance(blocked, PurchasePaymentBlocked)
    assert when(d.SchedulePayment(invoice_id=uuid4(), pay_on=TODAY), *HISTORY["invoice_approved"]) == []


# --- property: a purchase only moves along its path ------------------------------------------------------------------

EDGES: frozenset[tuple[str, str]] = frozenset({
    ("awaiting_funds", "confirmed"), ("awaiting_funds", "awaiting_approval"), ("awaiting_funds", "rejected"),
    ("confirmed", "delivered"), ("delivered", "invoiced"), ("invoiced", "invoice_approved"),
    ("invoice_approved", "payment_scheduled"), ("invoice_approved", "payment_blocked"),
    *((status, "cancelled") for status in ("awaiting_funds", "awaiting_approval", "confirmed")),
})
_invoice_id = st.sampled_from([INVOICE, uuid4()])
_command = st.one_of(
    st.just(d.RetryReservation()), st.just(d.HoldFunds()), st.just(d.Reject(reason_code="x", reason="y")),
    st.builds(d.Cancel, reason=st.sampled_from(["cancelled_by_client", "cancelled_by_worker", "budget_closed",
                                                "approval_refused"])),
    st.builds(d.ConfirmReceipt, received_on=st.just(TODAY), today=st.just(TODAY),
              confirmed_by=st.sampled_from(["client", "worker"])),
    st.builds(d.SubmitInvoice, invoice_id=_invoice_id, amount_cents=st.integers(min_value=0, max_value=119_000),
              vat_cents=st.just(0), reference=st.just("RF18 5390 0754 7034")),
    st.just(d.ApproveInvoice()),
    st.builds(d.SchedulePayment, invoice_id=_invoice_id, pay_on=st.just(TODAY)),
    st.builds(d.BlockPayment, invoice_id=_invoice_id, reason=st.just("r")),
    st.just(request()),
)


@settings(max_examples=150, deadline=None, database=None)
@given(st.sampled_from([(REQUESTED,), (WAITS,)]), st.lists(_command, max_size=30))
def test_a_purchase_moves_only_along_its_path_and_pays_only_its_vendor(start: tuple[DomainEvent, ...],
                                                                      commands: list[d.Command]) -> None:
    purchase = given_events(*start)
    seen = [purchase.status]
    for command in commands:
        try:
            events = d.decide(command, purchase)
        except RuleViolation:
            continue
        for event in events:
            assert (event.client_id, event.purchase_id) == (CID, PID)  # type: ignore[attr-defined]
            if isinstance(event, PurchasePaymentScheduled):
                assert event.vendor_id == VID and event.amount_cents == purchase.invoice_cents
            after = d.evolve(purchase, event)
            if after.status != purchase.status:
                assert (purchase.status, after.status) in EDGES, (purchase.status, after.status, command)
            if isinstance(event, PurchaseConfirmed):
                assert after.funds_reserved and purchase.approval != "pending"
            purchase = after
        assert purchase.amount_cents == 119_000
        if purchase.status != seen[-1]:
            seen.append(purchase.status)
    assert len(seen) == len(set(seen)), seen
