"""A provider's suspension and an order, as given events → when command → then events: an order not yet accepted is
cancelled (its funds go back through the cancellation), an accepted one is held for the coordinating worker, who
continues it or cancels it; a suspension told twice acts once; a suspended provider accepts nothing. The same for
a vendor's one-off purchases (not yet confirmed: cancelled; confirmed: held). And what the client shares for
delivery, while the order is open."""

from __future__ import annotations

from datetime import date

import pytest

from contracts.marketplace import (
    ApprovalWithdrawn,
    DeliveryDetailsShared,
    OrderCancelled,
    OrderContinued,
    OrderFlaggedForReview,
    PurchaseCancelled,
    PurchaseContinued,
    PurchaseFlaggedForReview,
)
from services.marketplace.domain import order as d
from services.marketplace.domain import purchase as p
from shared.kernel.errors import RuleViolation
from tests.unit.test_marketplace_order import HISTORY, IDS, PID, SEALED, given_events, when
from tests.unit.test_marketplace_purchase import HISTORY as PURCHASE_HISTORY
from tests.unit.test_marketplace_purchase import IDS as PURCHASE_IDS
from tests.unit.test_marketplace_purchase import TODAY, VID
from tests.unit.test_marketplace_purchase import when as when_purchase

SUSPENDED = d.ActOnSuspension(coordinator_id="worker-w")
FLAGGED = OrderFlaggedForReview(**IDS, provider_id=PID, coordinator_id="worker-w")


@pytest.mark.parametrize("status", ["awaiting_funds", "confirmed"])
def test_an_order_not_yet_accepted_is_cancelled_once_whatever_how_often_the_suspension_is_told(status: str) -> None:
    [cancelled] = when(SUSPENDED, *HISTORY[status])
    assert cancelled == OrderCancelled(**IDS, reason="provider_suspended")
    assert when(SUSPENDED, *HISTORY[status], cancelled) == []  # told again: nothing more


def test_an_accepted_order_is_held_for_the_coordinator_once_and_records_no_delivery_until_continued() -> None:
    assert when(SUSPENDED, *HISTORY["accepted"]) == [FLAGGED]
    held = (*HISTORY["accepted"], FLAGGED)
    assert given_events(*held).held and given_events(*held).status == "accepted"
    assert when(SUSPENDED, *held) == []
    with pytest.raises(RuleViolation, match="coordinating worker decides"):
        when(d.RecordDelivery(delivered_on=date(2025, 3, 1), today=date(2025, 3, 1)), *held)
    [continued] = when(d.ContinueOrder(decided_by="worker-w"), *held)
    assert continued == OrderContinued(**IDS, provider_id=PID, decided_by="worker-w")
    assert not given_events(*held, continued).held
    assert when(d.RecordDelivery(delivered_on=date(2025, 3, 1), today=date(2025, 3, 1)), *held, continued)
    # Or the coordinator cancels it instead: the funds go back as for any cancellation.
    assert when(d.CancelOrder(reason="cancelled_by_worker"), *held) == [
        OrderCancelled(**IDS, reason="cancelled_by_worker")]


@pytest.mark.parametrize("status", ["rejected", "declined", "cancelled", "delivered", "invoiced", "payment_scheduled"])
def test_a_suspension_leaves_an_order_that_is_over_or_delivered_as_it_is(status: str) -> None:
    assert when(SUSPENDED, *HISTORY[status]) == []


def test_only_a_held_order_is_continued() -> None:
    for status in ("confirmed", "accepted", "delivered"):
        with pytest.raises(RuleViolation, match="held"):
            when(d.ContinueOrder(decided_by="worker-w"), *HISTORY[status])


@pytest.mark.parametrize("status", ["suspended", "unverified"])
def test_a_provider_that_is_not_verified_accepts_no_new_work(status: str) -> None:
    with pytest.raises(RuleViolation, match=f"the provider is {status}"):
        when(d.AcceptOrder(provider_status=status), *HISTORY["confirmed"])  # type: ignore[arg-type]


def test_delivery_details_are_shared_while_the_order_is_open_and_only_the_parts_given() -> None:
    share = d.ShareDeliveryDetails(address=SEALED, instructions=SEALED, shared_by="client")
    for status in ("awaiting_funds", "confirmed", "accepted"):
        assert when(share, *HISTORY[status]) == [DeliveryDetailsShared(
            **IDS, provider_id=PID, address=SEALED, contact=None, instructions=SEALED, shared_by="client")]
    for status in ("delivered", "declined", "cancelled"):
        with pytest.raises(RuleViolation, match="needs no delivery details"):
            when(share, *HISTORY[status])


# --- a vendor's suspension and a one-off purchase ---------------------------------------------------------------

PURCHASE_SUSPENDED = p.ActOnSuspension(coordinator_id="worker-w")


@pytest.mark.parametrize("status", ["awaiting_funds", "awaiting_approval"])
def test_a_purchase_not_yet_confirmed_is_cancelled_once_and_its_approval_request_withdrawn(status: str) -> None:
    events = when_purchase(PURCHASE_SUSPENDED, *PURCHASE_HISTORY[status])
    assert events[0] == PurchaseCancelled(**PURCHASE_IDS, reason="vendor_suspended")
    assert [type(e) for e in events[1:]] == ([ApprovalWithdrawn] if status == "awaiting_approval" else [])
    assert when_purchase(PURCHASE_SUSPENDED, *PURCHASE_HISTORY[status], *events) == []


def test_a_confirmed_purchase_is_held_confirms_no_receipt_until_continued() -> None:
    flagged = PurchaseFlaggedForReview(**PURCHASE_IDS, vendor_id=VID, coordinator_id="worker-w")
    assert when_purchase(PURCHASE_SUSPENDED, *PURCHASE_HISTORY["confirmed"]) == [flagged]
    held = (*PURCHASE_HISTORY["confirmed"], flagged)
    assert when_purchase(PURCHASE_SUSPENDED, *held) == []
    receipt = p.ConfirmReceipt(received_on=TODAY, today=TODAY, confirmed_by="worker")
    with pytest.raises(RuleViolation, match="coordinating worker decides"):
        when_purchase(receipt, *held)
    [continued] = when_purchase(p.ContinuePurchase(decided_by="worker-w"), *held)
    assert continued == PurchaseContinued(**PURCHASE_IDS, vendor_id=VID, decided_by="worker-w")
    assert when_purchase(receipt, *held, continued)
    with pytest.raises(RuleViolation, match="held"):
        when_purchase(p.ContinuePurchase(decided_by="worker-w"), *PURCHASE_HISTORY["confirmed"])


@pytest.mark.parametrize("status", ["rejected", "cancelled", "refused", "delivered", "invoiced"])
def test_a_suspension_leaves_a_purchase_that_is_over_or_delivered_as_it_is(status: str) -> None:
    assert when_purchase(PURCHASE_SUSPENDED, *PURCHASE_HISTORY[status]) == []
