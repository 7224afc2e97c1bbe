"""Budgeting advice: figures and risk flags for a budget built by folding its events through evolve()."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID, uuid4

import pytest

from contracts.budgeting import (
    BudgetDecided,
    BudgetFrozen,
    BudgetOpened,
    BudgetProposed,
    FundsReleased,
    FundsReserved,
    Period,
    SpendingRecorded,
)
from contracts.intake import ServiceTask
from services.budgeting.domain import budget as d
from services.budgeting.domain.advice import CategoryStanding, advise, elapsed_share
from shared.kernel.events import DomainEvent
from shared.kernel.sealed import Sealed

CID = uuid4()
SEALED = Sealed(kid=str(CID), nonce="bm9uY2U=", ct="Y3Q=")
START = date(2025, 1, 1)
END = START + timedelta(days=100)  # a 100-day period: each day is 1 % of it
PERIOD = Period(start=START, end=END)
AMOUNT = 100_000  # 1000.00 €
BREAKDOWN = {"assistance": 60_000, "hobbies": 40_000}
PROPOSAL_ID = uuid4()

OPENED = BudgetOpened(client_id=CID, coordinator_id="w-1", service_task=ServiceTask.OLDER_PEOPLE,
                      municipality="Pori", intake_event_id=uuid4())
PROPOSED = BudgetProposed(client_id=CID, proposal_id=PROPOSAL_ID, amount_cents=AMOUNT, period=PERIOD,
                          breakdown=BREAKDOWN)
DECIDED = BudgetDecided(client_id=CID, decision_number="HB-7", proposal_id=PROPOSAL_ID, amount_cents=AMOUNT,
                        period=PERIOD, breakdown=BREAKDOWN, decided_by="w-1", reasoning=SEALED, legal_basis="laki",
                        appeal_instructions="oikaisuvaatimus")
LIVE = (OPENED, PROPOSED, DECIDED)


def day(n: int) -> date:
    return START + timedelta(days=n)


def fold(*events: DomainEvent) -> d.Budget:
    budget = d.INITIAL
    for event in events:
        budget = d.evolve(budget, event)
    return budget


def live(*events: DomainEvent) -> d.Budget:
    return fold(*LIVE, *events)


def reserve(amount: int, category: str, order_id: UUID | None = None) -> FundsReserved:
    # remaining_cents is informational for the marketplace; evolve() does not read it
    return FundsReserved(client_id=CID, order_id=order_id or uuid4(), amount_cents=amount, category=category,
                         remaining_cents=0)


def spend(order_id: UUID, amount: int, category: str) -> SpendingRecorded:
    return SpendingRecorded(client_id=CID, order_id=order_id, invoice_id=uuid4(), amount_cents=amount,
                            category=category)


def flags(budget: d.Budget, today: date) -> list[str]:
    return [r.flag for r in advise(budget, today).risks]


def test_elapsed_share_is_clamped_to_the_period() -> None:
    assert elapsed_share(START, END, day(-5)) == 0.0
    assert elapsed_share(START, END, day(0)) == 0.0
    assert elapsed_share(START, END, day(25)) == 0.25
    assert elapsed_share(START, END, day(100)) == 1.0
    assert elapsed_share(START, END, day(250)) == 1.0


def test_worked_example_figures_and_categories() -> None:
    hobby_order, transport_order = uuid4(), uuid4()
    budget = live(
        reserve(20_000, "assistance"),
        reserve(10_000, "hobbies", hobby_order),
        spend(hobby_order, 8_000, "hobbies"),
        FundsReleased(client_id=CID, order_id=hobby_order, amount_cents=2_000, reason="invoice_below_reservation"),
        reserve(5_000, "transport", transport_order),
        spend(transport_order, 5_000, "transport"),
    )
    advice = advise(budget, day(40))
    assert (advice.decided_cents, advice.reserved_cents, advice.spent_cents, advice.remaining_cents) == (
        100_000, 20_000, 13_000, 67_000)
    assert (advice.used_share, advice.elapsed_share) == (0.33, 0.4)
    # planned breakdown, reservations and spending merged by category, sorted by name
    assert advice.categories == [
        CategoryStanding("assistance", planned_cents=60_000, reserved_cents=20_000, spent_cents=0),
        CategoryStanding("hobbies", planned_cents=40_000, reserved_cents=0, spent_cents=8_000),
        CategoryStanding("transport", planned_cents=0, reserved_cents=0, spent_cents=5_000),
    ]
    assert [c.used_cents for c in advice.categories] == [20_000, 8_000, 5_000]
    # on pace overall and within plan; only the unplanned category is flagged
    [risk] = advice.risks
    assert (risk.flag, risk.category) == ("category_overspend_pace", "transport")
    assert "50.00 €" in risk.message and "nothing planned" in risk.message


def test_shares_are_rounded_to_three_decimals() -> None:
    advice = advise(live(reserve(33_333, "assistance")), day(33))
    assert (advice.used_share, advice.elapsed_share) == (0.333, 0.33)


def test_budget_on_pace_has_no_flags() -> None:
    budget = live(reserve(30_000, "assistance"), reserve(20_000, "hobbies"))
    assert flags(budget, day(50)) == []
    assert flags(live(), day(10)) == []  # early in the period nothing needs to be used yet
    assert flags(live(reserve(10_000, "assistance")), day(40)) == []  # low use before mid period is fine


def test_nothing_used_at_mid_period() -> None:
    assert flags(live(), day(49)) == []
    assert flags(live(), day(50)) == ["nothing_used_at_mid_period"]
    # reserved then released again counts as nothing used
    order = uuid4()
    budget = live(reserve(10_000, "assistance", order),
                  FundsReleased(client_id=CID, order_id=order, amount_cents=10_000, reason="order_cancelled"))
    assert flags(budget, day(60)) == ["nothing_used_at_mid_period"]


def test_low_use_at_mid_period() -> None:
    budget = live(reserve(20_000, "assistance"))
    [risk] = advise(budget, day(60)).risks
    assert risk.flag == "low_use_at_mid_period" and "20%" in risk.message
    # 25 % in use is not low
    assert flags(live(reserve(15_000, "assistance"), reserve(10_000, "hobbies")), day(60)) == []


def test_overall_overspend_pace() -> None:
    budget = live(reserve(24_000, "assistance"), reserve(16_000, "hobbies"))  # 40 % used after 10 %
    advice = advise(budget, day(10))
    assert advice.risks[0].flag == "overall_overspend_pace"
    assert "40%" in advice.risks[0].message and "10%" in advice.risks[0].message
    # every category is equally ahead of pace, so each is flagged too
    assert [(r.flag, r.category) for r in advice.risks[1:]] == [
        ("category_overspend_pace", "assistance"), ("category_overspend_pace", "hobbies")]


def test_exactly_the_pace_tolerance_ahead_is_not_flagged() -> None:
    budget = live(reserve(45_000, "assistance"), reserve(30_000, "hobbies"))  # 75 % used after 50 %
    assert flags(budget, day(50)) == []
    assert "overall_overspend_pace" in flags(live(reserve(45_000, "assistance"), reserve(30_001, "hobbies")), day(50))


def test_category_overspend_pace_names_the_category() -> None:
    order = uuid4()
    budget = live(reserve(10_000, "assistance"), reserve(30_000, "hobbies", order), spend(order, 30_000, "hobbies"))
    advice = advise(budget, day(20))  # hobbies at 75 % of plan after 20 %; overall 40 % < 45 %
    [risk] = advice.risks
    assert (risk.flag, risk.category) == ("category_overspend_pace", "hobbies")
    assert "400.00 €" in risk.message and "75%" in risk.message


def test_spending_in_an_unplanned_category_is_flagged() -> None:
    order = uuid4()
    budget = live(reserve(1_000, "transport", order), spend(order, 1_000, "transport"))
    assert [(r.flag, r.category) for r in advise(budget, day(20)).risks] == [("category_overspend_pace", "transport")]
    # a reservation alone counts as use too
    assert [(r.flag, r.category) for r in advise(live(reserve(1_000, "therapy")), day(20)).risks] == [
        ("category_overspend_pace", "therapy")]


def test_frozen_is_flagged_first() -> None:
    frozen = BudgetFrozen(client_id=CID, reason="consent_withdrawn")
    assert flags(live(frozen), day(10)) == ["frozen"]
    assert flags(live(frozen), day(60)) == ["frozen", "nothing_used_at_mid_period"]
    # also for a budget not yet decided, where no other flag applies
    assert flags(fold(OPENED, PROPOSED, frozen), day(60)) == ["frozen"]


@pytest.mark.parametrize("today", [day(100), day(130)])
def test_period_ended_with_funds_left(today: date) -> None:
    budget = live(reserve(60_000, "assistance"), reserve(15_000, "hobbies"))
    [risk] = advise(budget, today).risks
    assert risk.flag == "period_ended_with_funds_left" and "250.00 €" in risk.message
    # it replaces the mid-period hints: nothing used at the end is reported once, as funds left
    assert flags(live(), today) == ["period_ended_with_funds_left"]


def test_period_ended_fully_used_has_no_flags() -> None:
    assert flags(live(reserve(60_000, "assistance"), reserve(40_000, "hobbies")), day(100)) == []


def test_undecided_budget_has_zero_figures_and_no_flags() -> None:
    advice = advise(fold(OPENED, PROPOSED), day(60))
    assert (advice.decided_cents, advice.remaining_cents, advice.used_share, advice.elapsed_share) == (0, 0, 0.0, 0.0)
    assert advice.categories == [] and advice.risks == []


def test_a_requested_plan_review_is_flagged() -> None:
    from contracts.budgeting import PlanReviewOpened

    review = PlanReviewOpened(client_id=CID, review_id=uuid4(), requested_by="client", reason=SEALED)
    assert flags(live(review), day(10)) == ["plan_review_requested"]
