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
    ApprovalGranted,
    ApprovalRefused,
    ApprovalRequested,
    ApprovalWithdrawn,
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
from shared.kernel.approvals import Authority
from shared.kernel.errors import Forbidden, InvalidCommand, RuleViolation
from shared.kernel.events import DomainEvent
from shared.kernel.sealed import Sealed

CID, PID, VID, INVOICE = uuid4(), uuid4(), uuid4(), uuid4()
IDS = {"client_id": CID, "purchase_id": PID}
STROLLER = Sealed(kid=str(CID), nonce="bm9uY2U=", ct="Y3Q=")
TODAY = date(2026, 5, 4)
APPROVAL = uuid4()
LIMIT = 200_000  # the worker's row for purchases: 2 000 €


def authority(limit: int | None = LIMIT, holder: str = "role:worker") -> Authority:
    return Authority(table_version="2025-01", rule_id=f"{holder}-purchase", kind="purchase", holder=holder,
                     limit_cents=limit)


WORKERS, MANAGERS = authority(), authority(2_000_000, "role:manager")


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
        "kind_may_deliver": True, "requested_by": "worker-aino", "authority": WORKERS, "municipality": "Pori",
        "approval_id": APPROVAL}
    return d.RequestPurchase(**(fields | changes))


REQUESTED = PurchaseRequested(**IDS, vendor_id=VID, vendor_name="Lastentarvike Oy", vendor_kind="goods_and_tickets",
                              category="equipment", description=STROLLER, quantity=1, unit_price_cents=119_000,
                              amount_cents=119_000, quote_reference="TARJ-2026-118", requested_on=TODAY)
WAITS = REQUESTED.model_copy(update={"needs_approval": True})
ASKED = ApprovalRequested(approval_id=APPROVAL, kind="purchase", matter_id=PID, client_id=CID, municipality="Pori",
                          amount_cents=119_000, requested_by="worker-aino", authority=authority(100_000))
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
    "awaiting_approval": (WAITS, ASKED, HELD),
    "confirmed": (REQUESTED, HELD, CONFIRMED),
    "rejected": (REQUESTED, REJECTED),
    "cancelled": (REQUESTED, PurchaseCancelled(**IDS, reason="cancelled_by_client")),
    "refused": (WAITS, ASKED, HELD, PurchaseCancelled(**IDS, reason="approval_refused")),
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


# --- the delegation: at the worker's limit a purchase is bought directly, one cent above it waits ---------------

@pytest.mark.parametrize("price", [LIMIT - 1, LIMIT])
def test_a_purchase_up_to_exactly_the_requesters_limit_is_bought_directly(price: int) -> None:
    [requested] = when(request(unit_price_cents=price))
    assert isinstance(requested, PurchaseRequested) and not requested.needs_approval
    assert given_events(requested).approval == "none"


def test_one_cent_above_the_requesters_limit_the_purchase_asks_for_approval_and_waits() -> None:
    [requested, asked] = when(request(quantity=2, unit_price_cents=LIMIT // 2 + 1))  # 2 × 1 000,01 € = 2 000,02 €
    assert isinstance(requested, PurchaseRequested) and requested.needs_approval
    assert asked == ApprovalRequested(approval_id=APPROVAL, kind="purchase", matter_id=PID, client_id=CID,
                                      municipality="Pori", amount_cents=LIMIT + 2, requested_by="worker-aino",
                                      authority=WORKERS)
    waiting = given_events(requested, asked)
    assert (waiting.status, waiting.approval, waiting.requested_by) == ("awaiting_funds", "pending", "worker-aino")
    [_, just_above] = when(request(unit_price_cents=LIMIT + 1))
    assert isinstance(just_above, ApprovalRequested) and just_above.amount_cents == LIMIT + 1


def test_without_a_delegation_for_purchases_nobody_buys() -> None:
    with pytest.raises(Forbidden) as caught:
        when(request(authority=None))
    assert caught.value.code == "no-delegated-authority"


def approve(approver: str = "manager-maija", authority: Authority | None = MANAGERS) -> d.ApprovePurchase:
    return d.ApprovePurchase(approver=approver, authority=authority)


def refuse(approver: str = "manager-maija", authority: Authority | None = MANAGERS) -> d.RefusePurchase:
    return d.RefusePurchase(approver=approver, authority=authority, reasoning=STROLLER)


def test_a_manager_approves_a_waiting_purchase_and_it_is_confirmed_once_its_funds_are_held() -> None:
    granted, confirmed = when(approve(), *HISTORY["awaiting_approval"])
    assert isinstance(granted, ApprovalGranted) and granted.granted_by == "manager-maija"
    assert granted.authority == MANAGERS and confirmed == CONFIRMED
    [early] = when(approve(), WAITS, ASKED)  # approved before budgeting answered: confirmed with the funds
    assert isinstance(early, ApprovalGranted)
    assert when(d.HoldFunds(), WAITS, ASKED, early) == [HELD, CONFIRMED]


def test_a_manager_refuses_and_the_purchase_ends_so_budgeting_releases_its_funds() -> None:
    refused, cancelled = when(refuse(), *HISTORY["awaiting_approval"])
    assert isinstance(refused, ApprovalRefused) and refused.refused_by == "manager-maija"
    assert cancelled == PurchaseCancelled(**IDS, reason="approval_refused")
    after = given_events(*HISTORY["awaiting_approval"], refused, cancelled)
    assert (after.status, after.approval) == ("refused", "refused")
    assert when(d.HoldFunds(), WAITS, ASKED, refused, cancelled) == []  # a late reservation confirms nothing


@pytest.mark.parametrize("answer", [approve, refuse])
def test_only_someone_else_whose_own_delegation_covers_the_amount_answers(answer: Any) -> None:
    waiting = HISTORY["awaiting_approval"]
    with pytest.raises(RuleViolation) as took_part:
        when(answer("worker-aino", MANAGERS), *waiting)
    assert took_part.value.code == "approver-took-part"
    with pytest.raises(Forbidden) as too_small:
        when(answer("worker-eero", authority(100_000)), *waiting)
    assert too_small.value.code == "above-own-authority"
    with pytest.raises(Forbidden):
        when(answer("auditor-1", None), *waiting)
    for status in ("confirmed", "awaiting_funds", "refused"):
        with pytest.raises(RuleViolation) as nothing:
            when(answer(), *HISTORY[status])
        assert nothing.value.code == "purchase-not-awaiting-approval"


def test_a_purchase_that_ends_while_it_waits_withdraws_its_request() -> None:
    withdrawn = ApprovalWithdrawn(approval_id=APPROVAL, kind="purchase", matter_id=PID, client_id=CID,
                                  reason="cancelled_by_client")
    assert when(d.Cancel(reason="cancelled_by_client"), *HISTORY["awaiting_approval"]) == [
        PurchaseCancelled(**IDS, reason="cancelled_by_client"), withdrawn]
    assert when(d.Reject(reason_code="exceeds_remaining", reason="the purchase exceeds it"), WAITS, ASKED) == [
        REJECTED, withdrawn.model_copy(update={"reason": "funds_refused"})]
    assert given_events(WAITS, ASKED, REJECTED, withdrawn).approval == "withdrawn"


# --- budgeting's answer, and approval -----------------------------------------------------------------------------

def test_reserved_funds_confirm_a_purchase_that_needs_no_approval() -> None:
    assert when(d.HoldFunds(), REQUESTED) == [HELD, CONFIRMED]
    assert when(d.HoldFunds(), *HISTORY["confirmed"]) == []  # an answer repeated


def test_a_purchase_above_the_authority_waits_for_approval_with_its_funds_held() -> None:
    assert given_events(WAITS).approval == "pending"
    assert when(d.HoldFunds(), WAITS, ASKED) == [HELD]
    waiting = given_events(WAITS, ASKED, HELD)
    assert (waiting.status, waiting.funds_reserved) == ("awaiting_approval", True)
    assert when(d.RetryReservation(), WAITS, ASKED, HELD) == []  # the funds are there: nothing to ask again


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
    event, *withdrawn = when(d.Cancel(reason="cancelled_by_worker"), *HISTORY[status])
    assert event == PurchaseCancelled(**IDS, reason="cancelled_by_worker")
    assert [type(e) for e in withdrawn] == ([ApprovalWithdrawn] if status == "awaiting_approval" else [])


@pytest.mark.parametrize("status", ["delivered", "invoiced", "invoice_approved", "payment_scheduled", "rejected",
                                    "cancelled", "refused"])
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
    ("awaiting_approval", "confirmed"),
    ("confirmed", "delivered"), ("delivered", "invoiced"), ("invoiced", "invoice_approved"),
    ("invoice_approved", "payment_scheduled"), ("invoice_approved", "payment_blocked"),
    *((status, "cancelled") for status in ("awaiting_funds", "awaiting_approval", "confirmed")),
    *((status, "refused") for status in ("awaiting_funds", "awaiting_approval")),
})
_invoice_id = st.sampled_from([INVOICE, uuid4()])
_command = st.one_of(
    st.just(d.RetryReservation()), st.just(d.HoldFunds()), st.just(d.Reject(reason_code="x", reason="y")),
    st.builds(d.Cancel, reason=st.sampled_from(["cancelled_by_client", "cancelled_by_worker", "budget_closed"])),
    st.just(approve()), st.just(refuse()),
    st.builds(d.ConfirmReceipt, received_on=st.just(TODAY), today=st.just(TODAY),
              confirmed_by=st.sampled_from(["client", "worker"])),
    st.builds(d.SubmitInvoice, invoice_id=_invoice_id, amount_cents=st.integers(min_value=0, max_value=119_000),
              vat_cents=st.just(0), reference=st.just("RF18 5390 0754 7034")),
    st.just(d.ApproveInvoice()),
    st.builds(d.SchedulePayment, invoice_id=_invoice_id, pay_on=st.just(TODAY)),
    st.builds(d.BlockPayment, invoice_id=_invoice_id, reason=st.just("r")),
    st.just(request()),
    st.just(d.ActOnSuspension(coordinator_id="worker-w")), st.just(d.ContinuePurchase(decided_by="worker-w")),
)


@settings(max_examples=150, deadline=None, database=None)
@given(st.sampled_from([(REQUESTED,), (WAITS, ASKED)]), st.lists(_command, max_size=30))
def test_a_purchase_moves_only_along_its_path_and_pays_only_its_vendor(start: tuple[DomainEvent, ...],
                                                                      commands: list[d.Command]) -> None:
    purchase = given_events(*start)
    seen = [purchase.status]
    for command in commands:
        try:
            events = d.decide(command, purchase)
        except (RuleViolation, Forbidden):
            continue
        for event in events:
            assert event.client_id == CID  # type: ignore[attr-defined]
            if isinstance(event, PurchasePaymentScheduled):
                assert event.vendor_id == VID and event.amount_cents == purchase.invoice_cents
            after = d.evolve(purchase, event)
            if after.status != purchase.status:
                assert (purchase.status, after.status) in EDGES, (purchase.status, after.status, command)
            if isinstance(event, PurchaseConfirmed):
                assert after.funds_reserved and purchase.approval != "pending"
            if isinstance(event, PurchaseDelivered):
                assert not purchase.held  # a held purchase arrives only once the coordinator continued it
            purchase = after
        assert purchase.amount_cents == 119_000
        if purchase.status != seen[-1]:
            seen.append(purchase.status)
    assert len(seen) == len(set(seen)), seen
