"""Follow-up's rules as given events → when command → then events (or the error), and the effectiveness
figures worked out by hand: the GAS T-score by the standard formula, changes, budget use, and suppression
of every group under 5 clients."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from uuid import uuid4, uuid5

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts.budgeting import Period
from contracts.followup import (
    BaselineNoted,
    BudgetClosureNoted,
    BudgetPlanNoted,
    BudgetUseNoted,
    CaseClosed,
    CheckInRecorded,
    CoordinatorChanged,
    FollowUpOpened,
    FollowUpOverdue,
    FollowUpScheduled,
    GoalAttainmentRecorded,
    GoalTracked,
    PlanReviewRequested,
    ReassessmentRecorded,
)
from contracts.intake import SelfAssessmentScores, ServiceTask
from services.followup.domain import followup as d
from services.followup.domain.effectiveness import (
    ClientFigures,
    GoalFigure,
    figures_of,
    gas_t_score,
    quarter_of,
    region,
)
from shared.kernel.errors import InvalidCommand, RuleViolation
from shared.kernel.events import DomainEvent
from shared.kernel.sealed import Sealed

CID = uuid4()
SEALED = Sealed(kid=str(CID), nonce="bm9uY2U=", ct="Y3Q=")
DECIDED_AT = datetime(2026, 2, 10, 9, 30, tzinfo=UTC)
PERIOD = Period(start=date(2026, 1, 1), end=date(2026, 12, 31))
RHYTHM = d.Rhythm(first_check_in=timedelta(days=14), every=timedelta(days=30))
BASELINE = SelfAssessmentScores(general_ability=5, mental_wellbeing=4, social_participation=3,
                                physical_functioning=7, competence=6, everyday_life=4)
GOAL_A, GOAL_B = uuid4(), uuid4()

OPENED = FollowUpOpened(client_id=CID, coordinator_id="w-1", municipality="Pori",
                        service_task=ServiceTask.FAMILIES_WITH_CHILDREN, baseline_scores=BASELINE,
                        intake_event_id=uuid4())
GOALS = (GoalTracked(client_id=CID, goal_id=GOAL_A, weight=2, baseline_level=-1),
         GoalTracked(client_id=CID, goal_id=GOAL_B, weight=1, baseline_level=-2))
PLAN = BudgetPlanNoted(client_id=CID, decision_number="HB-2026-000001", decided_at=DECIDED_AT, period=PERIOD,
                       amount_cents=400_000, breakdown={"cleaning": 300_000, "coaching": 100_000})
FIRST = FollowUpScheduled(client_id=CID, number=1, kind="first_check_in", due_at=DECIDED_AT + timedelta(days=14),
                          coordinator_id="w-1")
LIVE = (OPENED, *GOALS, PLAN, FIRST)


def given_events(*events: DomainEvent) -> d.FollowUp:
    case = d.INITIAL
    for event in events:
        case = d.evolve(case, event)
    return case


def when(command: d.Command, *history: DomainEvent) -> list[DomainEvent]:
    return d.decide(command, given_events(*history))


def check_in(now: datetime) -> d.RecordCheckIn:
    return d.RecordCheckIn(contact_type="meeting", client_account=SEALED, worker_notes=SEALED, recorded_by="w-1",
                           now=now, rhythm=RHYTHM)


def open_command(baseline: SelfAssessmentScores | None = BASELINE) -> d.OpenFollowUp:
    return d.OpenFollowUp(client_id=CID, coordinator_id="w-1", municipality="Pori",
                          service_task=ServiceTask.FAMILIES_WITH_CHILDREN, intake_event_id=OPENED.intake_event_id,
                          baseline_scores=baseline)


# --- opening, from either topic ------------------------------------------------------------------------


def test_the_case_opens_once_from_intake_with_the_baseline() -> None:
    assert when(open_command()) == [OPENED]
    assert when(open_command(), OPENED) == []
    assert when(open_command(None), OPENED) == []


def test_opened_from_budgeting_first_the_baseline_follows_from_intake() -> None:
    [opened] = when(open_command(None))
    assert isinstance(opened, FollowUpOpened) and opened.baseline_scores is None
    assert when(open_command(), opened) == [BaselineNoted(client_id=CID, baseline_scores=BASELINE)]
    assert given_events(opened, *when(open_command(), opened)).baseline == BASELINE


def test_facts_heard_before_the_case_opens_change_nothing_and_people_get_a_refusal() -> None:
    assert when(d.TrackGoal(goal_id=GOAL_A, weight=1, baseline_level=0)) == []
    assert when(d.MarkOverdue(number=1)) == []
    with pytest.raises(RuleViolation, match="no follow-up case"):
        when(check_in(DECIDED_AT))


# --- the decided budget schedules the first check-in ---------------------------------------------------


def test_a_decided_budget_schedules_the_first_check_in_after_the_rhythm() -> None:
    command = d.NotePlan(decision_number=PLAN.decision_number, decided_at=DECIDED_AT, period=PERIOD,
                         amount_cents=400_000, breakdown=PLAN.breakdown, rhythm=RHYTHM)
    assert when(command, OPENED, *GOALS) == [PLAN, FIRST]
    assert when(command, *LIVE) == []  # heard again: nothing new
    case = given_events(*LIVE)
    assert case.pending == d.Due(1, "first_check_in", DECIDED_AT + timedelta(days=14))


def test_a_check_in_does_the_open_follow_up_and_schedules_the_next_within_the_period() -> None:
    now = DECIDED_AT + timedelta(days=12)
    events = when(check_in(now), *LIVE)
    assert [type(e) for e in events] == [CheckInRecorded, FollowUpScheduled]
    done, scheduled = events
    assert isinstance(done, CheckInRecorded) and done.follow_up_number == 1
    assert scheduled == FollowUpScheduled(client_id=CID, number=2, kind="check_in", due_at=now + timedelta(days=30),
                                          coordinator_id="w-1")
    case = given_events(*LIVE, *events)
    assert [(x.number, x.done) for x in case.dues] == [(1, True), (2, False)]
    # near the end of the period no follow-up is scheduled beyond it
    late = datetime(2026, 12, 15, tzinfo=UTC)
    assert [type(e) for e in when(check_in(late), *LIVE)] == [CheckInRecorded]


def test_a_check_in_with_nothing_due_is_recorded_without_starting_a_rhythm() -> None:
    [event] = when(check_in(DECIDED_AT), OPENED)
    assert isinstance(event, CheckInRecorded) and event.follow_up_number is None


# --- overdue: once per due time, never for one done or a closed case -----------------------------------


def test_an_undone_follow_up_is_overdue_once() -> None:
    overdue = FollowUpOverdue(client_id=CID, number=1, due_at=FIRST.due_at, coordinator_id="w-1")
    assert when(d.MarkOverdue(number=1), *LIVE) == [overdue]
    assert when(d.MarkOverdue(number=1), *LIVE, overdue) == []
    assert given_events(*LIVE, overdue).pending == d.Due(1, "first_check_in", FIRST.due_at, overdue=True)


def test_the_reminder_goes_to_the_current_coordinator() -> None:
    changed = CoordinatorChanged(client_id=CID, coordinator_id="w-2")
    [overdue] = when(d.MarkOverdue(number=1), *LIVE, changed)
    assert isinstance(overdue, FollowUpOverdue) and overdue.coordinator_id == "w-2"


def test_a_follow_up_done_in_time_or_a_closed_case_raises_no_reminder() -> None:
    done = when(check_in(DECIDED_AT + timedelta(days=3)), *LIVE)
    assert when(d.MarkOverdue(number=1), *LIVE, *done) == []
    closed = CaseClosed(client_id=CID, reason="goals_achieved", closed_by="w-1")
    assert when(d.MarkOverdue(number=1), *LIVE, closed) == []
    assert when(d.MarkOverdue(number=9), *LIVE) == []


# --- goals, re-assessment, review, closure --------------------------------------------------------------


def test_goal_attainment_is_recorded_for_the_plans_goals_only() -> None:
    command = d.RecordGoalAttainment(goal_id=GOAL_A, level=1, recorded_by="w-1")
    assert when(command, *LIVE) == [GoalAttainmentRecorded(client_id=CID, goal_id=GOAL_A, level=1, recorded_by="w-1")]
    with pytest.raises(InvalidCommand, match="no such goal") as refused:
        when(d.RecordGoalAttainment(goal_id=uuid4(), level=0, recorded_by="w-1"), *LIVE)
    assert refused.value.field == "goal_id"


def test_a_plan_review_needs_a_decided_open_budget() -> None:
    command = d.RequestPlanReview(review_id=uuid4(), requested_by="client", reason=SEALED)
    [review] = when(command, *LIVE)
    assert isinstance(review, PlanReviewRequested) and review.requested_by == "client" and review.rule is None
    with pytest.raises(RuleViolation, match="no decided budget"):
        when(command, OPENED)
    with pytest.raises(RuleViolation, match="budget is closed"):
        when(command, *LIVE, BudgetClosureNoted(client_id=CID, reason="period_ended"))


def test_a_case_with_a_plan_review_a_person_asked_for_closes_only_after_a_revision_answers_it() -> None:
    close = d.CloseCase(reason="goals_achieved", closed_by="w-1")
    asked = PlanReviewRequested(client_id=CID, review_id=uuid4(), requested_by="client", reason=SEALED)
    raised = PlanReviewRequested(client_id=CID, review_id=uuid5(CID, "low_use_at_mid_period"), requested_by="rule",
                                 rule="low_use_at_mid_period", finding="50% of the period has passed")
    revised = PLAN.model_copy(update={"revision_number": 1, "breakdown": {"cleaning": 250_000, "coaching": 150_000}})
    with pytest.raises(RuleViolation, match="plan review is open"):
        when(close, *LIVE, asked)
    assert given_events(*LIVE, asked).review_open
    [closed] = when(close, *LIVE, asked, revised)
    assert isinstance(closed, CaseClosed)
    # a rule's finding is advice to the worker: closing the case answers it
    [closed] = when(close, *LIVE, raised)
    assert isinstance(closed, CaseClosed)
    with pytest.raises(RuleViolation, match="plan review is open"):
        when(close, *LIVE, raised, asked)
    # a revision made before the review was asked does not answer it
    with pytest.raises(RuleViolation, match="plan review is open"):
        when(close, *LIVE, revised, asked)


def test_a_closed_case_takes_nothing_more_from_people_but_still_notes_spending() -> None:
    closed = CaseClosed(client_id=CID, reason="client_request", note=SEALED, closed_by="w-1")
    assert when(d.CloseCase(reason="client_request", note=SEALED, closed_by="w-1"), *LIVE) == [closed]
    for command in (check_in(DECIDED_AT), d.CloseCase(reason="other", closed_by="w-1"),
                    d.RecordReassessment(assessment_id=uuid4(), scores=BASELINE, filled_in_by="client")):
        with pytest.raises(RuleViolation, match="closed"):
            when(command, *LIVE, closed)
    order = uuid4()
    noted = when(d.NoteBudgetUse(order_id=order, change="spent", amount_cents=5_000, category="cleaning"), *LIVE, closed)
    assert noted == [BudgetUseNoted(client_id=CID, order_id=order, category="cleaning", reserved_cents=0,
                                    spent_cents=5_000)]


# --- budget use mirrors budgeting ----------------------------------------------------------------------


def test_budget_use_follows_reservations_releases_and_invoices() -> None:
    a, b = uuid4(), uuid4()
    history: list[DomainEvent] = list(LIVE)
    for command in (d.NoteBudgetUse(order_id=a, change="reserved", amount_cents=60_000, category="cleaning"),
                    d.NoteBudgetUse(order_id=a, change="reserved", amount_cents=60_000, category="cleaning"),  # again
                    d.NoteBudgetUse(order_id=b, change="reserved", amount_cents=20_000, category="coaching"),
                    d.NoteBudgetUse(order_id=a, change="spent", amount_cents=55_000, category="cleaning"),
                    d.NoteBudgetUse(order_id=b, change="released", amount_cents=20_000),
                    d.NoteBudgetUse(order_id=b, change="released", amount_cents=20_000)):  # again
        history += d.decide(command, given_events(*history))
    case = given_events(*history)
    assert sum(isinstance(e, BudgetUseNoted) for e in history) == 4
    assert (case.reserved_cents, case.spent_cents, case.used_by_category()) == (0, 55_000, {"cleaning": 55_000,
                                                                                            "coaching": 0})


# --- the rules' look at mid-period ---------------------------------------------------------------------


def test_mid_period_is_the_middle_of_the_period_in_utc() -> None:
    period = Period(start=date(2026, 1, 1), end=date(2026, 1, 10))  # ten whole days
    assert d.mid_period(period) == datetime(2026, 1, 6, tzinfo=UTC)
    assert d.elapsed_share(period, d.mid_period(period)) == 0.5


def test_little_use_at_mid_period_asks_for_a_review_once() -> None:
    mid = d.mid_period(PERIOD)
    assert when(d.EvaluatePlan(now=mid - timedelta(days=1)), *LIVE) == []  # not mid-period yet
    [review] = when(d.EvaluatePlan(now=mid), *LIVE)
    assert isinstance(review, PlanReviewRequested)
    assert (review.requested_by, review.rule, review.review_id) == ("rule", "low_use_at_mid_period",
                                                                    uuid5(CID, "low_use_at_mid_period"))
    assert review.finding == "50% of the period has passed and 0% of the budget is in use"
    assert when(d.EvaluatePlan(now=mid), *LIVE, review) == []


def test_enough_use_and_progressing_goals_ask_for_nothing_but_stalled_goals_do() -> None:
    used = BudgetUseNoted(client_id=CID, order_id=uuid4(), category="cleaning", reserved_cents=0, spent_cents=100_000)
    mid = d.mid_period(PERIOD)
    progressing = GoalAttainmentRecorded(client_id=CID, goal_id=GOAL_A, level=0, recorded_by="w-1")
    assert when(d.EvaluatePlan(now=mid), *LIVE, used, progressing) == []
    stalled = GoalAttainmentRecorded(client_id=CID, goal_id=GOAL_A, level=-1, recorded_by="w-1")
    [review] = when(d.EvaluatePlan(now=mid), *LIVE, used, stalled)
    assert isinstance(review, PlanReviewRequested) and review.rule == "goals_not_progressing"


# --- effectiveness: the GAS T-score by hand ------------------------------------------------------------


def test_gas_t_score_is_50_when_goals_balance_out() -> None:
    assert gas_t_score([(1, 1), (1, 0), (1, -1)]) == 50


def test_gas_t_score_worked_examples() -> None:
    # weights 2, 1, 1 and levels +1, +2, 0: Σwx = 4, Σw² = 6, (Σw)² = 16,
    # √(0.7·6 + 0.3·16) = √9 = 3, so T = 50 + 10·4/3 = 63.33
    assert round(gas_t_score([(2, 1), (1, 2), (1, 0)]) or 0, 2) == 63.33
    # two goals, weight 1, both +1: T = 50 + 20/√(0.7·2 + 0.3·4) = 50 + 20/√2.6 = 62.40
    assert round(gas_t_score([(1, 1), (1, 1)]) or 0, 2) == 62.40
    # one goal of any weight: the denominator is the weight itself, so T = 50 + 10·x
    assert gas_t_score([(3, -2)]) == 30
    assert gas_t_score([]) is None


@given(st.lists(st.tuples(st.integers(1, 10), st.integers(-2, 2)), min_size=1, max_size=12))
def test_gas_t_score_is_50_at_the_expected_outcome_and_symmetric(goals: list[tuple[int, int]]) -> None:
    t = gas_t_score(goals)
    mirrored = gas_t_score([(w, -x) for w, x in goals])
    assert t is not None and mirrored is not None
    assert math.isclose(t - 50, 50 - mirrored, abs_tol=1e-9)
    assert gas_t_score([(w, 0) for w, _ in goals]) == 50


def test_client_figures_from_the_case() -> None:
    later = BASELINE.model_copy(update={"mental_wellbeing": 7, "everyday_life": 6, "competence": 5})
    history = (*LIVE,
               GoalAttainmentRecorded(client_id=CID, goal_id=GOAL_A, level=1, recorded_by="w-1"),
               GoalAttainmentRecorded(client_id=CID, goal_id=GOAL_B, level=-1, recorded_by="w-1"),
               GoalAttainmentRecorded(client_id=CID, goal_id=GOAL_B, level=2, recorded_by="w-1"),  # the latest counts
               ReassessmentRecorded(client_id=CID, assessment_id=uuid4(), scores=later, filled_in_by="client"),
               BudgetUseNoted(client_id=CID, order_id=uuid4(), category="cleaning", reserved_cents=20_000,
                              spent_cents=80_000))
    f = figures_of(given_events(*history))
    assert f.period == "2026-Q1"
    assert f.change == {"general_ability": 0, "mental_wellbeing": 3, "social_participation": 0,
                        "physical_functioning": 0, "competence": -1, "everyday_life": 2}
    # weights 2, 1 and levels +1, +2: Σwx = 4, Σw² = 5, (Σw)² = 9, √(3.5 + 2.7) = √6.2, T = 50 + 40/√6.2
    assert round(f.t_score or 0, 2) == 66.06
    assert (f.decided_cents, f.used_cents, f.used_share) == (400_000, 100_000, 0.25)
    assert f.categories() == ["cleaning", "coaching"]


def test_no_change_without_a_reassessment_and_no_score_without_attainment() -> None:
    f = figures_of(given_events(*LIVE))
    assert f.change is None and f.t_score is None and f.used_share == 0


def test_quarters() -> None:
    assert [quarter_of(datetime(2026, m, 1, tzinfo=UTC)) for m in (1, 3, 4, 7, 12)] == [
        "2026-Q1", "2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]


# --- effectiveness per region: no group under 5 --------------------------------------------------------


def client(period: str, planned: dict[str, int], used: dict[str, int], level: int | None = None,
           change: int | None = None) -> ClientFigures:
    baseline = dict.fromkeys(BASELINE.model_dump(), 4)
    latest = None if change is None else {k: v + change for k, v in baseline.items()}
    goals = () if level is None else (GoalFigure(uuid4(), 1, -1, level),)
    return ClientFigures(client_id=uuid4(), period=period, baseline=baseline, latest=latest, goals=goals,
                         decided_cents=sum(planned.values()), reserved_cents=0, spent_cents=sum(used.values()),
                         planned_by_category=planned, used_by_category=used)


def test_region_groups_by_period_and_category_and_suppresses_groups_under_5() -> None:
    # five clients with cleaning in 2026-Q1: one goal each (weight 1, so T = 50 + 10·level) and a re-assessment
    cleaning = [client("2026-Q1", {"cleaning": 100_000}, {"cleaning": used}, level, change)
                for used, level, change in [(50_000, 1, 2), (20_000, 1, 1), (0, 0, 0), (80_000, 0, 1), (100_000, -1, 1)]]
    # two of them also had coaching: a group of two, never shown
    coaching = [client("2026-Q1", {"cleaning": 100_000, "coaching": 10_000}, {"coaching": 5_000}) for _ in range(2)]
    # four in 2026-Q2: suppressed; one without a decided budget: in no period
    q2 = [client("2026-Q2", {"cleaning": 100_000}, {}) for _ in range(4)]
    undecided = ClientFigures(uuid4(), None, None, None, (), 0, 0, 0, {}, {})
    report = region([*cleaning, *coaching, *q2, undecided])
    assert report.suppressed_groups == 2  # 2026-Q1 coaching (2 clients), 2026-Q2 cleaning (4 clients)
    [group] = report.groups
    assert (group.period, group.support_category, group.clients) == ("2026-Q1", "cleaning", 7)
    assert (group.planned_cents, group.used_cents, group.used_share) == (700_000, 250_000, 0.357)
    # T-scores 60, 60, 50, 50, 40 → 52.0; changes +2, +1, 0, +1, +1 in every area → 1.0
    assert (group.clients_scored, group.mean_t_score) == (5, 52.0)
    assert group.clients_reassessed == 5 and group.mean_change == dict.fromkeys(BASELINE.model_dump(), 1.0)


def test_a_mean_over_fewer_than_5_clients_within_a_shown_group_is_left_out() -> None:
    group = [client("2026-Q3", {"cleaning": 1_000}, {}, level=1 if i < 4 else None, change=1 if i < 2 else None)
             for i in range(6)]
    [shown] = region(group).groups
    assert (shown.clients, shown.clients_scored, shown.mean_t_score) == (6, 4, None)
    assert (shown.clients_reassessed, shown.mean_change) == (2, None)


def test_exactly_5_is_shown_and_4_is_not() -> None:
    assert len(region([client("2026-Q1", {"x": 1}, {}) for _ in range(5)]).groups) == 1
    four = region([client("2026-Q1", {"x": 1}, {}) for _ in range(4)])
    assert (four.groups, four.suppressed_groups) == ([], 1)
