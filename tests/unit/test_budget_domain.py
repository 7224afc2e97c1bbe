"""Budgeting's HB rules as given events → when command → then events (or the error), plus a property test
of the money invariant: reserved + spent never exceeds the decided amount."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from uuid import UUID, uuid4

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts.budgeting import (
    ApprovalGranted,
    ApprovalRefused,
    ApprovalRequested,
    ApprovalWithdrawn,
    BudgetApprovalRequested,
    BudgetClosed,
    BudgetDecided,
    BudgetFrozen,
    BudgetOpened,
    BudgetProposed,
    BudgetRevised,
    BudgetUnfrozen,
    ClientWishRecorded,
    DecisionRecorded,
    FundsReleased,
    FundsReservationRejected,
    FundsReserved,
    GasLevels,
    GoalSet,
    Period,
    PlanReviewOpened,
    ProviderType,
    SpendingRecorded,
    SpendingRejected,
    SupportPlanned,
)
from contracts.intake import ServiceTask
from services.budgeting.domain import budget as d
from shared.kernel.approvals import Authority
from shared.kernel.errors import Forbidden, InvalidCommand, RuleViolation
from shared.kernel.events import DomainEvent
from shared.kernel.law import Instructions, LegalBasis
from shared.kernel.sealed import Sealed

CID = uuid4()
SEALED = Sealed(kid=str(CID), nonce="bm9uY2U=", ct="Y3Q=")
PERIOD = Period(start=date(2025, 1, 1), end=date(2025, 12, 31))
ORDERED_ON = date(2025, 6, 1)
PROPOSAL_ID = uuid4()
AMOUNT = 500_000  # 5000.00 €
BREAKDOWN = {"assistance": 300_000, "hobbies": 200_000}
LEGAL = "Laki vammaisten henkilöiden palveluista 380/1987"
APPEAL = "Oikaisuvaatimus 30 päivän kuluessa"


def given_events(*events: DomainEvent) -> d.Budget:
    budget = d.INITIAL
    for event in events:
        budget = d.evolve(budget, event)
    return budget


def when(command: d.Command, *history: DomainEvent) -> list[DomainEvent]:
    return d.decide(command, given_events(*history))


OPENED = BudgetOpened(client_id=CID, coordinator_id="w-1", service_task=ServiceTask.DISABILITY_SERVICES,
                      municipality="Pori", intake_event_id=uuid4(), preferred_language="sv")
GOAL_ID = uuid4()
GOAL = GoalSet(client_id=CID, goal_id=GOAL_ID, title=SEALED, levels=GasLevels(
    much_less_than_expected=SEALED, less_than_expected=SEALED, expected=SEALED, more_than_expected=SEALED,
    much_more_than_expected=SEALED), baseline_level=-1)
SUPPORTS = tuple(SupportPlanned(client_id=CID, support_id=uuid4(), category=category, description=SEALED,
                                estimated_cost_cents=cents, provider_type=provider, goal_ids=[GOAL_ID])
                 for category, cents, provider in (("assistance", 300_000, ProviderType.FIRM),
                                                   ("hobbies", 200_000, ProviderType.NGO)))
PLANNED = (OPENED, GOAL, *SUPPORTS)  # a plan a budget can rest on: a goal, supports tied to it
PROPOSED = BudgetProposed(client_id=CID, proposal_id=PROPOSAL_ID, amount_cents=AMOUNT, period=PERIOD,
                          breakdown=BREAKDOWN)
APPROVAL_ID = uuid4()


def authority(limit: int | None, kind: str = "budget_decision", role: str = "worker") -> Authority:
    return Authority(table_version="t", rule_id=f"{role}-{kind}", kind=kind, holder=f"role:{role}", limit_cents=limit)


LAW = d.Law(table_version="t", bases=(LegalBasis(act="1301/2014", section="45"), LegalBasis(act="675/2023")),
            instructions=Instructions(kind="rectification", body="individual_matters_section", days=30,
                                      act="434/2003", table_version="t"),
            bases_text=LEGAL, instructions_text=APPEAL)
DECISION_ID = uuid4()


def decided_by(by: str, limit: int | None, number: str = "HB-1", kind: str = "budget_decision",
               role: str = "worker") -> d.Decided:
    return d.Decided(decision_id=DECISION_ID, decision_number=number, decided_on=date(2025, 1, 2), decided_by=by,
                     authority=authority(limit, kind, role), law=LAW)


DECIDED = BudgetDecided(client_id=CID, decision_number="HB-1", proposal_id=PROPOSAL_ID, amount_cents=AMOUNT,
                        period=PERIOD, breakdown=BREAKDOWN, decided_by="w-1", reasoning=SEALED, legal_basis=LEGAL,
                        appeal_instructions=APPEAL, authority=authority(AMOUNT))
APPROVAL_REQUESTED = ApprovalRequested(
    approval_id=APPROVAL_ID, kind="budget_decision", matter_id=PROPOSAL_ID, client_id=CID, municipality="Pori",
    amount_cents=AMOUNT, requested_by="w-1", authority=authority(100_000), reasoning=SEALED)
# Recorded before issue 14, still read: the budget waits for a manager the same way.
LEGACY_APPROVAL_REQUESTED = BudgetApprovalRequested(
    client_id=CID, proposal_id=PROPOSAL_ID, amount_cents=AMOUNT, authority_limit_cents=100_000, requested_by="w-1",
    decision_number="HB-1", reasoning=SEALED, legal_basis=LEGAL, appeal_instructions=APPEAL,
)
FROZEN = BudgetFrozen(client_id=CID, reason="consent_withdrawn")
CLOSED = BudgetClosed(client_id=CID, reason="case_closed", spent_cents=0, released_cents=0)
LIVE = (*PLANNED, PROPOSED, DECIDED)


def decide_budget(limit: int | None, by: str = "w-1") -> d.DecideBudget:
    return d.DecideBudget(decision=decided_by(by, limit), approval_id=APPROVAL_ID, reasoning=SEALED)


def approve(by: str = "m-1", limit: int | None = 5_000_000, kind: str = "budget_decision") -> d.ApproveBudget:
    return d.ApproveBudget(decision=decided_by(by, limit, "HB-2", kind, "manager"), reason=SEALED)


def reserve(order_id: UUID, amount: int, category: str = "assistance") -> d.ReserveFunds:
    return d.ReserveFunds(client_id=CID, order_id=order_id, amount_cents=amount, category=category, ordered_on=ORDERED_ON)


def reserved(order_id: UUID, amount: int, remaining: int, category: str = "assistance") -> FundsReserved:
    return FundsReserved(client_id=CID, order_id=order_id, amount_cents=amount, category=category,
                         remaining_cents=remaining)


def spent(order_id: UUID, amount: int, category: str = "assistance") -> SpendingRecorded:
    return SpendingRecorded(client_id=CID, order_id=order_id, invoice_id=uuid4(), amount_cents=amount,
                            category=category)


def revise(amount: int, limit: int | None, by: str = "w-1") -> d.ReviseBudget:
    return d.ReviseBudget(amount_cents=amount, breakdown={"assistance": amount}, reason=SEALED,
                          decision=decided_by(by, limit, "HB-9", "budget_revision"), approval_id=APPROVAL_ID)


def levels() -> GasLevels:
    return GasLevels(much_less_than_expected=SEALED, less_than_expected=SEALED, expected=SEALED,
                     more_than_expected=SEALED, much_more_than_expected=SEALED)


PLANNING = [
    d.SetGoal(goal_id=uuid4(), title=SEALED, levels=levels(), baseline_level=-1, weight=2),
    d.PlanSupport(support_id=uuid4(), category="assistance", description=SEALED, estimated_cost_cents=120_000,
                  provider_type=ProviderType.FIRM),
    d.RecordWish(wish_id=uuid4(), text=SEALED),
]


# --- opening -----------------------------------------------------------------------------------------


def test_opening_records_the_intake_and_is_idempotent() -> None:
    command = d.OpenBudget(client_id=CID, coordinator_id="w-1", service_task=ServiceTask.DISABILITY_SERVICES,
                           municipality="Pori", intake_event_id=OPENED.intake_event_id, preferred_language="sv")
    assert when(command) == [OPENED]
    budget = given_events(OPENED)
    assert (budget.status, budget.client_id, budget.coordinator_id) == ("draft", CID, "w-1")
    assert when(command, OPENED) == []
    assert when(command, *LIVE) == []
    assert when(command, *LIVE, CLOSED) == []


# --- planning ----------------------------------------------------------------------------------------


def test_planning_in_draft_records_goals_supports_and_wishes() -> None:
    goal, support, wish = PLANNING
    [goal_set] = when(goal, OPENED)
    assert isinstance(goal_set, GoalSet) and goal_set.client_id == CID and goal_set.weight == 2
    [planned] = when(support, OPENED)
    assert isinstance(planned, SupportPlanned) and planned.estimated_cost_cents == 120_000
    [wished] = when(wish, OPENED)
    assert isinstance(wished, ClientWishRecorded) and wished.wish_id == wish.wish_id
    budget = given_events(OPENED, goal_set, planned, wished)
    assert [(g.goal_id, g.weight) for g in budget.goals.values()] == [(goal.goal_id, 2)]
    assert [(s.category, s.estimated_cost_cents) for s in budget.supports.values()] == [("assistance", 120_000)]


@pytest.mark.parametrize("command", PLANNING, ids=["goal", "support", "wish"])
@pytest.mark.parametrize(("history", "message"), [
    ((), "no budget"),
    ((*LIVE, CLOSED), "closed"),
    ((OPENED, FROZEN), "frozen"),
    ((*LIVE, FROZEN), "frozen"),
], ids=["no-budget", "closed", "frozen-draft", "frozen-decided"])
def test_planning_is_refused_without_an_open_active_budget(
    command: d.Command, history: tuple[DomainEvent, ...], message: str,
) -> None:
    with pytest.raises(RuleViolation, match=message):
        when(command, *history)


# --- proposing and deciding --------------------------------------------------------------------------


def test_proposal_in_draft_is_recorded() -> None:
    command = d.ProposeBudget(proposal_id=PROPOSAL_ID, amount_cents=AMOUNT, period=PERIOD, breakdown=BREAKDOWN)
    assert when(command, *PLANNED) == [PROPOSED]
    assert given_events(*PLANNED, PROPOSED).proposal == d.Proposal(PROPOSAL_ID, AMOUNT, PERIOD, BREAKDOWN)


@pytest.mark.parametrize("history", [
    (*PLANNED, PROPOSED, APPROVAL_REQUESTED),
    LIVE,
], ids=["awaiting_approval", "decided"])
def test_proposal_only_in_draft(history: tuple[DomainEvent, ...]) -> None:
    command = d.ProposeBudget(proposal_id=uuid4(), amount_cents=AMOUNT, period=PERIOD, breakdown=BREAKDOWN)
    with pytest.raises(RuleViolation, match="only in draft"):
        when(command, *history)


@pytest.mark.parametrize("breakdown", [
    {"assistance": 300_000, "hobbies": 100_000},  # sums below
    {"assistance": 400_000, "hobbies": 200_000},  # sums above
    {"assistance": 600_000, "hobbies": -100_000},  # sums, but a negative category
    {},
])
def test_breakdown_must_be_non_negative_and_sum_to_the_amount(breakdown: dict[str, int]) -> None:
    for command, history in ((d.ProposeBudget(proposal_id=uuid4(), amount_cents=AMOUNT, period=PERIOD,
                                              breakdown=breakdown), PLANNED),
                             (revise(AMOUNT, None).model_copy(update={"breakdown": breakdown}), LIVE)):
        with pytest.raises(InvalidCommand) as refused:
            when(command, *history)
        assert refused.value.code == "breakdown-sum" and refused.value.status_code == 422


@pytest.mark.parametrize(("history", "breakdown", "code"), [
    ((OPENED,), BREAKDOWN, "plan-without-goals"),
    ((OPENED, GOAL), BREAKDOWN, "plan-without-supports"),
    ((OPENED, GOAL, SUPPORTS[0].model_copy(update={"goal_ids": []})), {"assistance": AMOUNT}, "support-without-goal"),
    ((OPENED, GOAL, SUPPORTS[0].model_copy(update={"goal_ids": [uuid4()]})), {"assistance": AMOUNT},
     "support-without-goal"),
    ((OPENED, GOAL, SUPPORTS[0]), BREAKDOWN, "breakdown-without-support"),  # money for hobbies, no hobby planned
], ids=["no-goal", "no-support", "untied-support", "tied-to-no-goal-of-the-plan", "money-without-support"])
def test_a_budget_is_proposed_decided_and_revised_only_on_a_consistent_plan(
        history: tuple[DomainEvent, ...], breakdown: dict[str, int], code: str) -> None:
    """Each refusal is coded and records nothing (decide raises before any event)."""
    propose = d.ProposeBudget(proposal_id=uuid4(), amount_cents=AMOUNT, period=PERIOD, breakdown=breakdown)
    for command, before in ((propose, history), (decide_budget(AMOUNT), (*history, PROPOSED)),
                            (revise(AMOUNT, None).model_copy(update={"breakdown": breakdown}),
                             (*history, PROPOSED, DECIDED))):
        with pytest.raises(RuleViolation) as refused:
            when(command, *before)
        assert refused.value.code == code and refused.value.status_code == 409


def test_a_category_with_no_money_may_go_without_support_and_support_without_money_is_planned_help() -> None:
    breakdown = {"assistance": AMOUNT, "hobbies": 0, "transport": 0}
    [proposed] = when(d.ProposeBudget(proposal_id=uuid4(), amount_cents=AMOUNT, period=PERIOD, breakdown=breakdown),
                      *PLANNED)
    assert isinstance(proposed, BudgetProposed)


def test_deciding_needs_a_proposal() -> None:
    with pytest.raises(RuleViolation, match="no proposal"):
        when(decide_budget(AMOUNT), OPENED)


@pytest.mark.parametrize("limit", [AMOUNT, AMOUNT + 1, 10_000_000, None])
def test_decision_within_the_deciders_authority_is_the_decision(limit: int | None) -> None:
    event, record = when(decide_budget(limit), *PLANNED, PROPOSED)
    assert event == DECIDED.model_copy(update={"authority": authority(limit)})
    assert isinstance(event, BudgetDecided) and isinstance(record, DecisionRecorded)
    # The record: number, date, decider under her authority, the plan as decided, money, period, law, in Swedish
    assert (record.decision_number, record.kind, record.decided_by, record.authority, record.prepared_by) == (
        "HB-1", "budget", "w-1", authority(limit), None)
    assert (record.amount_cents, record.breakdown, record.language, record.service_task) == (
        AMOUNT, BREAKDOWN, "sv", "disability_services")
    assert record.period is not None and (record.period.start, record.period.end) == (PERIOD.start, PERIOD.end)
    assert record.plan is not None and [g.goal_id for g in record.plan.goals] == [GOAL_ID]
    assert [s.category for s in record.plan.supports] == ["assistance", "hobbies"]
    assert (record.legal_bases, record.instructions, record.reasoning) == (list(LAW.bases), LAW.instructions, SEALED)
    assert (event.amount_cents, event.period, event.breakdown) == (AMOUNT, PERIOD, BREAKDOWN)
    assert (event.decided_by, event.approved_by, event.prepared_by) == ("w-1", None, None)
    assert (event.legal_basis, event.appeal_instructions) == (LEGAL, APPEAL)
    budget = given_events(*PLANNED, PROPOSED, event)
    assert (budget.status, budget.amount_cents, budget.remaining_cents, budget.decision_number) == (
        "decided", AMOUNT, AMOUNT, "HB-1")


def test_without_any_delegated_authority_a_person_cannot_even_ask_for_approval() -> None:
    command = decide_budget(None).model_copy(update={"decision": replace(decided_by("w-1", None), authority=None)})
    with pytest.raises(Forbidden) as refused:
        when(command, *PLANNED, PROPOSED)
    assert refused.value.code == "no-delegated-authority"


def test_decision_above_the_deciders_authority_waits_for_approval_and_decides_nothing() -> None:
    [event] = when(decide_budget(100_000), *PLANNED, PROPOSED)
    assert event == APPROVAL_REQUESTED
    budget = given_events(*PLANNED, PROPOSED, event)
    assert budget.status == "awaiting_approval" and budget.pending is not None
    assert (budget.amount_cents, budget.decision_number, budget.period) == (0, None, None)
    order = uuid4()
    [rejected] = d.decide(reserve(order, 1_000), budget)
    assert isinstance(rejected, FundsReservationRejected)
    assert (rejected.reason_code, rejected.order_id, rejected.amount_cents) == ("no_decided_budget", order, 1_000)
    with pytest.raises(RuleViolation, match="awaiting approval"):
        d.decide(decide_budget(10_000_000), budget)


@pytest.mark.parametrize("requested", [APPROVAL_REQUESTED, LEGACY_APPROVAL_REQUESTED], ids=["approvals", "legacy"])
def test_on_approval_the_approver_decides_and_the_worker_is_named_as_preparer(requested: DomainEvent) -> None:
    events = when(approve(), *PLANNED, PROPOSED, requested)
    approval_id = APPROVAL_ID if requested is APPROVAL_REQUESTED else PROPOSAL_ID
    manager = authority(5_000_000, role="manager")
    assert events[:2] == [
        ApprovalGranted(approval_id=approval_id, kind="budget_decision", matter_id=PROPOSAL_ID, client_id=CID,
                        granted_by="m-1", authority=manager, reasoning=SEALED),
        DECIDED.model_copy(update={"decision_number": "HB-2", "decided_by": "m-1", "approved_by": "m-1",
                                   "prepared_by": "w-1", "authority": manager}),
    ]
    record = events[2]
    assert isinstance(record, DecisionRecorded) and (record.decided_by, record.prepared_by, record.authority) == (
        "m-1", "w-1", manager)
    budget = given_events(*PLANNED, PROPOSED, requested, *events)
    assert (budget.status, budget.amount_cents, budget.pending, budget.decision_number) == (
        "decided", AMOUNT, None, "HB-2")


@pytest.mark.parametrize("command", [approve(by="w-1"), d.RejectBudget(manager_id="w-1", reason=SEALED)],
                         ids=["approve", "reject"])
def test_requester_cannot_answer_their_own_request(command: d.Command) -> None:
    with pytest.raises(RuleViolation, match="another person"):
        when(command, *PLANNED, PROPOSED, APPROVAL_REQUESTED)


@pytest.mark.parametrize("limit", [AMOUNT - 1, None], ids=["below", "no-delegation"])
def test_an_approver_whose_own_authority_does_not_cover_the_amount_is_refused(limit: int | None) -> None:
    command = approve(limit=limit) if limit is not None else approve().model_copy(
        update={"decision": replace(approve().decision, authority=None)})
    with pytest.raises(Forbidden) as refused:
        when(command, *PLANNED, PROPOSED, APPROVAL_REQUESTED)
    assert refused.value.code == ("above-own-authority" if limit else "no-delegated-authority")


@pytest.mark.parametrize("history", [(*PLANNED, PROPOSED), LIVE], ids=["draft", "decided"])
def test_approval_needs_a_pending_request(history: tuple[DomainEvent, ...]) -> None:
    with pytest.raises(RuleViolation, match="no decision is waiting"):
        when(approve(), *history)


def test_a_refusal_returns_the_proposal_to_the_plan_with_its_reasoning() -> None:
    events = when(d.RejectBudget(manager_id="m-1", reason=SEALED), *PLANNED, PROPOSED, APPROVAL_REQUESTED)
    assert events == [ApprovalRefused(approval_id=APPROVAL_ID, kind="budget_decision", matter_id=PROPOSAL_ID,
                                      client_id=CID, refused_by="m-1", reasoning=SEALED)]
    budget = given_events(*PLANNED, PROPOSED, APPROVAL_REQUESTED, *events)
    assert (budget.status, budget.pending, budget.amount_cents) == ("draft", None, 0)
    # a new proposal can now be made
    [proposed] = d.decide(d.ProposeBudget(proposal_id=uuid4(), amount_cents=90_000, period=PERIOD,
                                          breakdown={"assistance": 90_000}), budget)
    assert isinstance(proposed, BudgetProposed)


def test_closing_a_budget_withdraws_what_waits_for_approval() -> None:
    events = when(d.CloseBudget(reason="case_closed", client_id=CID), *PLANNED, PROPOSED, APPROVAL_REQUESTED)
    assert [type(e) for e in events] == [ApprovalWithdrawn, BudgetClosed]
    assert given_events(*PLANNED, PROPOSED, APPROVAL_REQUESTED, *events).pending is None


# --- reserving ---------------------------------------------------------------------------------------


def test_reservation_that_fits_reports_what_remains() -> None:
    order = uuid4()
    assert when(reserve(order, 120_000), *LIVE) == [reserved(order, 120_000, remaining=380_000)]
    budget = given_events(*LIVE, reserved(order, 120_000, remaining=380_000))
    assert (budget.reserved_cents, budget.remaining_cents) == (120_000, 380_000)
    # exactly the remainder still fits
    other = uuid4()
    assert d.decide(reserve(other, 380_000), budget) == [reserved(other, 380_000, remaining=0)]


def test_reservation_exceeding_the_remainder_is_rejected_with_both_amounts() -> None:
    first, order = uuid4(), uuid4()
    [event] = when(reserve(order, 150_000), *LIVE, reserved(first, 400_000, remaining=100_000))
    assert isinstance(event, FundsReservationRejected)
    assert (event.client_id, event.order_id, event.amount_cents, event.reason_code) == (
        CID, order, 150_000, "exceeds_remaining")
    assert "1500.00 €" in event.reason and "1000.00 €" in event.reason


def test_reserving_the_same_order_twice_changes_nothing() -> None:
    order = uuid4()
    history = (*LIVE, reserved(order, 100_000, remaining=400_000))
    assert when(reserve(order, 100_000), *history) == []
    assert when(reserve(order, 999_999), *history) == []
    # nor once it has been invoiced
    assert when(reserve(order, 100_000), *history, spent(order, 100_000)) == []


@pytest.mark.parametrize(("history", "code"), [
    ((*LIVE, FROZEN), "budget_frozen"),
    ((*LIVE, CLOSED), "budget_closed"),
    ((OPENED,), "no_decided_budget"),
    ((*PLANNED, PROPOSED), "no_decided_budget"),
], ids=["frozen", "closed", "draft", "proposed"])
def test_reservation_refused_by_budget_state(history: tuple[DomainEvent, ...], code: str) -> None:
    order = uuid4()
    [event] = when(reserve(order, 1_000), *history)
    assert isinstance(event, FundsReservationRejected)
    assert (event.client_id, event.order_id, event.reason_code) == (CID, order, code)


def test_reservation_without_any_budget_is_rejected_to_the_orders_client() -> None:
    other_client, order = uuid4(), uuid4()
    [event] = d.decide(d.ReserveFunds(client_id=other_client, order_id=order, amount_cents=5_000, category="x",
                                    ordered_on=ORDERED_ON),
                       d.INITIAL)
    assert isinstance(event, FundsReservationRejected)
    assert (event.client_id, event.order_id, event.amount_cents, event.reason_code) == (
        other_client, order, 5_000, "no_decided_budget")


def test_unfrozen_budget_reserves_again() -> None:
    [unfrozen] = when(d.UnfreezeBudget(), *LIVE, FROZEN)
    assert unfrozen == BudgetUnfrozen(client_id=CID, reason="consent_given")
    order = uuid4()
    assert when(reserve(order, 1_000), *LIVE, FROZEN, unfrozen) == [reserved(order, 1_000, remaining=AMOUNT - 1_000)]


# --- releasing ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["order_declined", "order_cancelled"])
def test_release_frees_exactly_the_reserved_amount(reason: str) -> None:
    order = uuid4()
    history = (*LIVE, reserved(order, 70_000, remaining=430_000))
    events = when(d.ReleaseFunds(order_id=order, reason=reason), *history)  # type: ignore[arg-type]
    assert events == [FundsReleased(client_id=CID, order_id=order, amount_cents=70_000, reason=reason)]  # type: ignore[arg-type]
    budget = given_events(*history, *events)
    assert (budget.reserved_cents, budget.remaining_cents, budget.reservations) == (0, AMOUNT, {})
    # releasing again, or an order never reserved, changes nothing
    assert d.decide(d.ReleaseFunds(order_id=order, reason="order_cancelled"), budget) == []
    assert d.decide(d.ReleaseFunds(order_id=uuid4(), reason="order_cancelled"), budget) == []


# --- spending ----------------------------------------------------------------------------------------


def test_invoice_below_the_reservation_releases_the_difference() -> None:
    order, invoice = uuid4(), uuid4()
    history = (*LIVE, reserved(order, 100_000, remaining=400_000, category="hobbies"))
    events = when(d.RecordSpending(order_id=order, invoice_id=invoice, amount_cents=80_000), *history)
    assert events == [
        SpendingRecorded(client_id=CID, order_id=order, invoice_id=invoice, amount_cents=80_000, category="hobbies"),
        FundsReleased(client_id=CID, order_id=order, amount_cents=20_000, reason="invoice_below_reservation"),
    ]
    budget = given_events(*history, *events)
    assert (budget.reserved_cents, budget.spent_cents, budget.remaining_cents) == (0, 80_000, 420_000)
    assert budget.spent_by_category == {"hobbies": 80_000}


def test_invoice_of_exactly_the_reservation_releases_nothing() -> None:
    order, invoice = uuid4(), uuid4()
    events = when(d.RecordSpending(order_id=order, invoice_id=invoice, amount_cents=100_000),
                  *LIVE, reserved(order, 100_000, remaining=400_000))
    assert [type(e) for e in events] == [SpendingRecorded]


def test_invoice_above_the_reservation_within_the_remainder_is_recorded() -> None:
    order, invoice = uuid4(), uuid4()
    history = (*LIVE, reserved(order, 100_000, remaining=400_000))
    events = when(d.RecordSpending(order_id=order, invoice_id=invoice, amount_cents=150_000), *history)
    assert events == [SpendingRecorded(client_id=CID, order_id=order, invoice_id=invoice, amount_cents=150_000,
                                       category="assistance")]
    budget = given_events(*history, *events)
    assert (budget.reserved_cents, budget.spent_cents, budget.remaining_cents) == (0, 150_000, 350_000)


def test_invoice_exceeding_reservation_plus_remainder_is_rejected() -> None:
    order, invoice, other = uuid4(), uuid4(), uuid4()
    history = (*LIVE, reserved(order, 100_000, remaining=400_000), reserved(other, 350_000, remaining=50_000))
    # 50 000 over the reservation fits exactly
    assert [type(e) for e in when(d.RecordSpending(order_id=order, invoice_id=invoice, amount_cents=150_000),
                                  *history)] == [SpendingRecorded]
    [event] = when(d.RecordSpending(order_id=order, invoice_id=invoice, amount_cents=150_001), *history)
    assert isinstance(event, SpendingRejected)
    assert (event.client_id, event.order_id, event.invoice_id, event.amount_cents) == (CID, order, invoice, 150_001)
    assert "1500.01 €" in event.reason and "1000.00 €" in event.reason
    assert event.reason_code == "exceeds_reservation"  # the provider reads it in words by this code


def test_invoice_without_a_reservation_is_rejected() -> None:
    order, invoice = uuid4(), uuid4()
    [event] = when(d.RecordSpending(order_id=order, invoice_id=invoice, amount_cents=1_000), *LIVE)
    assert isinstance(event, SpendingRejected) and "no funds are reserved" in event.reason
    assert event.reason_code == "no_reservation"
    # nor after the reservation was released
    released = FundsReleased(client_id=CID, order_id=order, amount_cents=1_000, reason="order_cancelled")
    [event] = when(d.RecordSpending(order_id=order, invoice_id=invoice, amount_cents=1_000),
                   *LIVE, reserved(order, 1_000, remaining=AMOUNT - 1_000), released)
    assert isinstance(event, SpendingRejected)


def test_the_same_invoice_twice_is_recorded_once() -> None:
    order, invoice = uuid4(), uuid4()
    command = d.RecordSpending(order_id=order, invoice_id=invoice, amount_cents=80_000)
    history = (*LIVE, reserved(order, 100_000, remaining=400_000))
    events = when(command, *history)
    budget = given_events(*history, *events)
    assert d.decide(command, budget) == []
    assert budget.spent_cents == 80_000


def test_an_order_placed_after_the_budget_period_is_refused_with_the_reason() -> None:
    late = d.ReserveFunds(client_id=CID, order_id=uuid4(), amount_cents=1_000, category="x", ordered_on=date(2026, 1, 1))
    [event] = d.decide(late, given_events(*LIVE))
    assert isinstance(event, FundsReservationRejected) and event.reason_code == "budget_period_ended"
    assert "2025-12-31" in event.reason


def test_each_order_is_answered_once_so_a_late_retry_cannot_reserve_a_released_order_again() -> None:
    order = uuid4()
    history = (*LIVE, reserved(order, 100_000, remaining=400_000))
    released = when(d.ReleaseFunds(order_id=order, reason="order_cancelled"), *history)
    retry = d.ReserveFunds(client_id=CID, order_id=order, amount_cents=100_000, category="assistance",
                           ordered_on=ORDERED_ON)
    assert d.decide(retry, given_events(*history, *released)) == []


def test_a_second_invoice_for_a_settled_order_is_refused_out_loud() -> None:
    """Regression: it used to return [] (no event), so the provider never heard of it."""
    order = uuid4()
    history = (*LIVE, reserved(order, 100_000, remaining=400_000))
    first = when(d.RecordSpending(order_id=order, invoice_id=uuid4(), amount_cents=80_000), *history)
    second = d.RecordSpending(order_id=order, invoice_id=uuid4(), amount_cents=20_000)
    [event] = d.decide(second, given_events(*history, *first))
    assert isinstance(event, SpendingRejected) and "another invoice" in event.reason
    assert event.reason_code == "already_settled"


def test_spending_is_still_recorded_while_frozen() -> None:
    order, invoice = uuid4(), uuid4()
    events = when(d.RecordSpending(order_id=order, invoice_id=invoice, amount_cents=60_000),
                  *LIVE, reserved(order, 60_000, remaining=440_000), FROZEN)
    assert events == [SpendingRecorded(client_id=CID, order_id=order, invoice_id=invoice, amount_cents=60_000,
                                       category="assistance")]


# --- revising ----------------------------------------------------------------------------------------


def test_revision_cannot_go_below_reserved_plus_spent() -> None:
    a, b = uuid4(), uuid4()
    history = (*LIVE, reserved(a, 200_000, remaining=300_000), reserved(b, 100_000, remaining=200_000),
               spent(b, 100_000))
    with pytest.raises(RuleViolation, match=r"3000\.00 €"):
        when(revise(299_999, None), *history)
    event, record = when(revise(300_000, None), *history)
    assert event == BudgetRevised(client_id=CID, revision_number=1, previous_amount_cents=AMOUNT, amount_cents=300_000,
                                  breakdown={"assistance": 300_000}, reason=SEALED, decision_number="HB-9",
                                  decided_by="w-1", authority=authority(None, "budget_revision"))
    assert isinstance(record, DecisionRecorded) and (record.kind, record.decision_number, record.replaces) == (
        "revision", "HB-9", "HB-1")
    assert (record.amount_cents, record.previous_amount_cents) == (300_000, AMOUNT)
    budget = given_events(*history, event)
    assert (budget.amount_cents, budget.remaining_cents, budget.revision_number) == (300_000, 0, 1)
    assert budget.decision_number == "HB-9"  # a revision is a new decision with its own number
    second, _ = d.decide(revise(400_000, None), budget)
    assert isinstance(second, BudgetRevised) and (second.revision_number, second.previous_amount_cents) == (2, 300_000)


@pytest.mark.parametrize("amount", [600_001, AMOUNT + 1, AMOUNT, 200_000])
def test_a_revision_above_the_revisers_authority_waits_for_approval(amount: int) -> None:
    [event] = when(revise(amount, 100_000), *LIVE)
    assert isinstance(event, ApprovalRequested) and event.kind == "budget_revision" and event.amount_cents == amount
    budget = given_events(*LIVE, event)
    assert (budget.status, budget.amount_cents) == ("decided", AMOUNT)  # the decision in force stays in force
    with pytest.raises(RuleViolation, match="already waiting"):
        d.decide(revise(amount, 100_000), budget)
    granted, revised, record = d.decide(approve(kind="budget_revision"), budget)
    assert isinstance(granted, ApprovalGranted) and isinstance(revised, BudgetRevised)
    assert (revised.amount_cents, revised.decided_by, revised.prepared_by) == (amount, "m-1", "w-1")
    assert isinstance(record, DecisionRecorded) and (record.kind, record.decided_by) == ("revision", "m-1")
    assert given_events(*LIVE, event, granted, revised).amount_cents == amount


def test_a_revision_that_waited_while_orders_went_on_is_not_approved_below_what_they_committed() -> None:
    # Found by the money property: a revision to 1 cent waited, an order reserved 2, the approval came.
    [waiting] = when(revise(100_000, 50_000), *LIVE)
    order = uuid4()
    budget = given_events(*LIVE, waiting, reserved(order, 150_000, remaining=350_000))
    with pytest.raises(RuleViolation) as refused:
        d.decide(approve(kind="budget_revision"), budget)
    assert refused.value.code == "below-committed"
    [answer] = d.decide(d.RejectBudget(manager_id="m-1", reason=SEALED), budget)  # the approver refuses it instead
    assert isinstance(answer, ApprovalRefused)


def test_a_refused_revision_leaves_the_budget_as_decided() -> None:
    [waiting] = when(revise(900_000, 100_000), *LIVE)
    [refused] = d.decide(d.RejectBudget(manager_id="m-1", reason=SEALED), given_events(*LIVE, waiting))
    budget = given_events(*LIVE, waiting, refused)
    assert isinstance(refused, ApprovalRefused) and (budget.status, budget.amount_cents, budget.pending) == (
        "decided", AMOUNT, None)


def test_a_revision_within_the_revisers_authority_is_decided_at_once() -> None:
    event, record = when(revise(600_000, 600_000), *LIVE)
    assert isinstance(event, BudgetRevised) and event.amount_cents == 600_000
    assert isinstance(record, DecisionRecorded)


@pytest.mark.parametrize(("history", "message"), [
    ((*PLANNED, PROPOSED), "only a decided budget"),
    ((*LIVE, FROZEN), "frozen"),
    ((*LIVE, CLOSED), "closed"),
], ids=["draft", "frozen", "closed"])
def test_revision_needs_a_decided_active_budget(history: tuple[DomainEvent, ...], message: str) -> None:
    with pytest.raises(RuleViolation, match=message):
        when(revise(AMOUNT, None), *history)


# --- closing, freezing -------------------------------------------------------------------------------


def test_a_case_closed_in_follow_up_ends_a_decided_budgets_support_by_a_decision_of_its_own() -> None:
    closing = d.CloseBudget(reason="case_closed", client_id=CID, decision=decided_by("w-1", None, "HB-7"),
                            reason_code="goals_achieved", note=SEALED)
    closed, record = when(closing, *LIVE)
    assert isinstance(closed, BudgetClosed) and isinstance(record, DecisionRecorded)
    assert (record.kind, record.decision_number, record.replaces, record.reason_code, record.reasoning) == (
        "support_closure", "HB-7", "HB-1", "goals_achieved", SEALED)
    # A budget never decided gave no support: its closure is no decision.
    assert [type(e) for e in when(closing, *PLANNED, PROPOSED)] == [BudgetClosed]


def test_closing_releases_every_open_reservation_then_closes_with_totals() -> None:
    a, b, c = uuid4(), uuid4(), uuid4()
    history = (*LIVE, reserved(a, 100_000, remaining=400_000), reserved(b, 50_000, remaining=350_000, category="hobbies"),
               reserved(c, 30_000, remaining=320_000), spent(c, 30_000))
    events = when(d.CloseBudget(reason="period_ended"), *history)
    assert events == [
        FundsReleased(client_id=CID, order_id=a, amount_cents=100_000, reason="budget_closed"),
        FundsReleased(client_id=CID, order_id=b, amount_cents=50_000, reason="budget_closed"),
        BudgetClosed(client_id=CID, reason="period_ended", spent_cents=30_000, released_cents=150_000),
    ]
    budget = given_events(*history, *events)
    assert (budget.status, budget.reservations, budget.spent_cents) == ("closed", {}, 30_000)
    assert d.decide(d.CloseBudget(reason="case_closed"), budget) == []


def test_a_budget_does_not_end_with_its_period_while_a_plan_review_a_person_asked_for_is_open() -> None:
    review = PlanReviewOpened(client_id=CID, review_id=uuid4(), requested_by="client", reason=SEALED)
    revised = BudgetRevised(client_id=CID, revision_number=1, previous_amount_cents=AMOUNT, amount_cents=AMOUNT,
                            breakdown=BREAKDOWN, reason=SEALED)
    with pytest.raises(RuleViolation, match="plan review is open"):
        when(d.CloseBudget(reason="period_ended"), *LIVE, review)
    [closed] = when(d.CloseBudget(reason="period_ended"), *LIVE, review, revised)
    assert isinstance(closed, BudgetClosed)
    rule = PlanReviewOpened(client_id=CID, review_id=uuid4(), requested_by="rule", rule="low_use_at_mid_period")
    [closed] = when(d.CloseBudget(reason="period_ended"), *LIVE, rule)  # a rule's finding is advice, not owed
    assert isinstance(closed, BudgetClosed)
    # follow-up closed the case: a fact budgeting follows (follow-up refuses to close with a review open)
    [closed] = when(d.CloseBudget(reason="case_closed", client_id=CID), *LIVE, review)
    assert isinstance(closed, BudgetClosed)


def test_closing_a_draft_or_no_budget() -> None:
    assert when(d.CloseBudget(reason="intake_declined"), OPENED) == [
        BudgetClosed(client_id=CID, reason="intake_declined", spent_cents=0, released_cents=0)]
    assert when(d.CloseBudget(reason="intake_declined")) == []


def test_freeze_and_unfreeze_are_idempotent() -> None:
    assert when(d.FreezeBudget(), *LIVE) == [FROZEN]
    assert given_events(*LIVE, FROZEN).frozen
    assert when(d.FreezeBudget(), *LIVE, FROZEN) == []
    assert when(d.UnfreezeBudget(), *LIVE) == []
    assert when(d.UnfreezeBudget(), *LIVE, FROZEN) == [BudgetUnfrozen(client_id=CID, reason="consent_given")]
    # nothing to freeze without an open budget
    assert when(d.FreezeBudget()) == []
    assert when(d.FreezeBudget(), *LIVE, CLOSED) == []
    assert when(d.UnfreezeBudget(), *LIVE, FROZEN, CLOSED) == []


# --- property: the money invariant ------------------------------------------------------------------

ORDERS = [uuid4() for _ in range(6)]
CATEGORIES = ["assistance", "hobbies", "transport"]
MONEY_EVENTS = (FundsReserved, FundsReservationRejected, FundsReleased, SpendingRecorded, SpendingRejected,
                BudgetRevised, ApprovalRequested, ApprovalGranted, DecisionRecorded)

_order = st.sampled_from(ORDERS)
_cents = st.integers(min_value=1, max_value=AMOUNT + 100_000)
_reserve = st.builds(reserve, _order, _cents, st.sampled_from(CATEGORIES))
_release = st.builds(d.ReleaseFunds, order_id=_order, reason=st.sampled_from(["order_declined", "order_cancelled"]))
_spend = st.builds(d.RecordSpending, order_id=_order, invoice_id=st.uuids(),
                   amount_cents=st.integers(min_value=0, max_value=AMOUNT + 100_000))
_revise = st.builds(revise, st.integers(min_value=1, max_value=2 * AMOUNT),
                    st.one_of(st.none(), st.integers(min_value=0, max_value=2 * AMOUNT)))
_approve = st.builds(approve, st.just("m-1"), st.just(None), st.just("budget_revision"))
_commands = st.lists(st.one_of(_reserve, _release, _spend, _revise, _approve), max_size=60)


@settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(_commands)
def test_reserved_plus_spent_never_exceeds_the_decided_amount(commands: list[d.Command]) -> None:
    budget = given_events(*LIVE)
    for command in commands:
        before = budget
        try:
            events = d.decide(command, budget)
        except RuleViolation:
            assert isinstance(command, d.ReviseBudget | d.ApproveBudget)
            continue
        assert all(isinstance(e, MONEY_EVENTS) for e in events), events
        for event in events:
            budget = d.evolve(budget, event)
        assert budget.reserved_cents + budget.spent_cents <= budget.amount_cents
        assert budget.remaining_cents >= 0
        assert budget.spent_cents >= before.spent_cents
        for event in events:
            if isinstance(event, FundsReserved):
                assert event.remaining_cents == budget.remaining_cents
        if isinstance(command, d.ReserveFunds) and command.order_id not in before.answered_orders:
            fits = command.amount_cents <= before.remaining_cents
            assert [type(e) for e in events] == [FundsReserved if fits else FundsReservationRejected]


# --- a plan review asked for in follow-up ---------------------------------------------------------------


def test_a_plan_review_from_follow_up_flags_the_budget_until_a_revision_answers_it() -> None:
    review = d.OpenPlanReview(review_id=uuid4(), requested_by="rule", rule="low_use_at_mid_period",
                              finding="50% of the period has passed and 0% of the budget is in use")
    [opened] = when(review, *LIVE)
    assert opened == PlanReviewOpened(client_id=CID, **review.model_dump())
    assert given_events(*LIVE, opened).review_requested
    revised = BudgetRevised(client_id=CID, revision_number=1, previous_amount_cents=AMOUNT, amount_cents=AMOUNT - 1,
                            breakdown={"assistance": AMOUNT - 1}, reason=SEALED)
    assert not given_events(*LIVE, opened, revised).review_requested
    assert when(review) == [] and when(review, *LIVE, CLOSED) == []


def test_work_delivered_before_the_case_closed_is_still_paid_up_to_its_reservation() -> None:
    """Regression: closing released every reservation, and the invoice that came after was refused."""
    order = uuid4()
    history = (*LIVE, reserved(order, 40_000, remaining=460_000))
    closed = when(d.CloseBudget(reason="case_closed"), *history)
    invoice = d.RecordSpending(order_id=order, invoice_id=uuid4(), amount_cents=35_000)
    [paid] = when(invoice, *history, *closed)
    assert isinstance(paid, SpendingRecorded) and paid.amount_cents == 35_000
    budget = given_events(*history, *closed, paid)
    assert budget.spent_cents == 35_000 and budget.reserved_cents == 0
    assert d.decide(invoice, budget) == []  # settled once
    too_much = d.RecordSpending(order_id=order, invoice_id=uuid4(), amount_cents=40_001)
    [refused] = when(too_much, *history, *closed)
    assert isinstance(refused, SpendingRejected) and refused.reason_code == "closed_over_reserved"


def test_a_case_closed_before_its_budget_opened_keeps_the_budget_closed() -> None:
    """Kafka keeps no order between topics: follow-up's CaseClosed can come before intake's IntakeCompleted."""
    [closed] = d.decide(d.CloseBudget(reason="case_closed", client_id=CID), d.INITIAL)
    assert isinstance(closed, BudgetClosed) and closed.client_id == CID
    opened = d.OpenBudget(client_id=CID, coordinator_id="w-1", service_task=ServiceTask.DISABILITY_SERVICES,
                          municipality="Pori", intake_event_id=uuid4())
    assert d.decide(opened, given_events(closed)) == []
    assert d.decide(d.CloseBudget(reason="case_closed"), d.INITIAL) == []  # nothing to close, nothing said


# --- one-off purchases draw on the same budget as orders ----------------------------------------------------------


def purchase(purchase_id: UUID, amount: int, category: str = "hobbies") -> d.ReserveFunds:
    return d.ReserveFunds(client_id=CID, order_id=purchase_id, amount_cents=amount, category=category,
                          ordered_on=ORDERED_ON, matter="purchase")


def test_a_purchase_reserves_and_is_refused_as_an_order_is_and_says_what_it_is() -> None:
    pid = uuid4()
    [held] = when(purchase(pid, 119_000), *LIVE)
    assert held == FundsReserved(client_id=CID, order_id=pid, amount_cents=119_000, category="hobbies",
                                 remaining_cents=AMOUNT - 119_000, matter="purchase")
    [refused] = when(purchase(uuid4(), AMOUNT), *LIVE, held)
    assert isinstance(refused, FundsReservationRejected) and refused.matter == "purchase"
    assert refused.reason_code == "exceeds_remaining" and refused.reason.startswith("the purchase (5000.00 €)")


def test_orders_and_purchases_share_one_remainder_and_their_money_keeps_its_matter() -> None:
    order_id, purchase_id = uuid4(), uuid4()
    [ordered] = when(reserve(order_id, 300_000), *LIVE)
    [bought] = when(purchase(purchase_id, 150_000), *LIVE, ordered)
    assert isinstance(bought, FundsReserved) and bought.remaining_cents == 50_000
    [too_much] = when(purchase(uuid4(), 60_000), *LIVE, ordered, bought)
    assert isinstance(too_much, FundsReservationRejected)
    budget = given_events(*LIVE, ordered, bought)
    assert budget.reserved_by_category("purchase") == {"hobbies": 150_000}
    assert budget.reserved_by_category("order") == {"assistance": 300_000}
    invoiced = d.RecordSpending(order_id=purchase_id, invoice_id=uuid4(), amount_cents=140_000, matter="purchase")
    recorded, released = when(invoiced, *LIVE, ordered, bought)
    assert isinstance(recorded, SpendingRecorded) and recorded.matter == "purchase"
    assert isinstance(released, FundsReleased) and released.matter == "purchase"  # 10 € below the quote
    after = given_events(*LIVE, ordered, bought, recorded, released)
    assert after.purchases_spent_by_category == {"hobbies": 140_000} and after.spent_by_category == {"hobbies": 140_000}


def test_a_cancelled_purchase_releases_its_funds_and_closing_releases_purchases_too() -> None:
    pid = uuid4()
    [held] = when(purchase(pid, 20_000), *LIVE)
    [released] = when(d.ReleaseFunds(order_id=pid, reason="purchase_cancelled"), *LIVE, held)
    assert released == FundsReleased(client_id=CID, order_id=pid, amount_cents=20_000, reason="purchase_cancelled",
                                     matter="purchase")
    *releases, _closed = when(d.CloseBudget(reason="period_ended"), *LIVE, held)
    assert [(r.order_id, r.matter) for r in releases] == [(pid, "purchase")]  # type: ignore[attr-defined]


_matter = st.sampled_from(["order", "purchase", "agreement"])
_either = st.builds(lambda order_id, cents, category, matter: d.ReserveFunds(
    client_id=CID, order_id=order_id, amount_cents=cents, category=category, ordered_on=ORDERED_ON, matter=matter),
    _order, _cents, st.sampled_from(CATEGORIES), _matter)
_release_either = st.builds(d.ReleaseFunds, order_id=_order,
                            reason=st.sampled_from(["order_declined", "order_cancelled", "purchase_cancelled",
                                                               "agreement_ended"]))
_spend_either = st.builds(d.RecordSpending, order_id=_order, invoice_id=st.uuids(),
                          amount_cents=st.integers(min_value=0, max_value=AMOUNT + 100_000), matter=_matter)


@settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(_either, _release_either, _spend_either, _revise), max_size=60))
def test_orders_and_purchases_mixed_never_take_more_than_the_budget(commands: list[d.Command]) -> None:
    budget = given_events(*LIVE)
    for command in commands:
        try:
            events = d.decide(command, budget)
        except RuleViolation:
            continue
        for event in events:
            budget = d.evolve(budget, event)
        assert budget.reserved_cents + budget.spent_cents <= budget.amount_cents
        assert sum(budget.purchases_spent_by_category.values()) <= budget.spent_cents
        assert sum(budget.reserved_by_category("purchase").values()) <= budget.reserved_cents


# --- a support-person agreement: reserved once, each claim spends part of it, the rest released at its end -----

def test_an_agreements_claims_draw_on_its_reservation_each_once_and_the_rest_is_released_when_it_ends() -> None:
    agreement, hours, receipt = uuid4(), uuid4(), uuid4()
    [held] = when(d.ReserveFunds(client_id=CID, order_id=agreement, amount_cents=80_000, category="informal_support",
                                 ordered_on=ORDERED_ON, matter="agreement"), *LIVE)

    def claim(claim_id: UUID, cents: int) -> d.RecordSpending:
        return d.RecordSpending(order_id=agreement, invoice_id=claim_id, amount_cents=cents, matter="agreement")

    [first] = when(claim(hours, 45_000), *LIVE, held)
    assert isinstance(first, SpendingRecorded) and first.matter == "agreement"
    assert when(claim(hours, 45_000), *LIVE, held, first) == []  # the approval delivered twice: spent once
    [second] = when(claim(receipt, 3_500), *LIVE, held, first)
    budget = given_events(*LIVE, held, first, second)
    assert budget.spent_cents == 48_500 and budget.reservations[agreement].amount_cents == 31_500
    [beyond] = when(claim(uuid4(), 31_501), *LIVE, held, first, second)
    assert isinstance(beyond, SpendingRejected) and beyond.reason_code == "claim_exceeds_reservation"
    [released] = when(d.ReleaseFunds(order_id=agreement, reason="agreement_ended"), *LIVE, held, first, second)
    assert isinstance(released, FundsReleased) and released.amount_cents == 31_500
    after = given_events(*LIVE, held, first, second, released)
    assert agreement not in after.reservations and after.spent_cents == 48_500
