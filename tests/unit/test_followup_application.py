"""Follow-up's application on the memory store: given events → when a command, another service's event or a due
timer → then events, or the refusal (404, 403, 409) and nothing recorded. The rules themselves are tested in
test_followup_domain.py; here, that each door reaches them: handlers, policy, reactions, timers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from contracts import budgeting, intake
from contracts.budgeting import GasLevels, Period
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
from services.followup.application import commands as c
from services.followup.application import views
from services.followup.application.handlers import HANDLERS, OVERDUE_TIMER, PLAN_RULES_TIMER, TIMERS, Ports, stream_of
from services.followup.application.queries import (
    ListFollowUps,
    ReadClientEffectiveness,
    ReadFollowUp,
    ReadRegionEffectiveness,
)
from services.followup.application.reactions import REACTIONS
from services.followup.domain.effectiveness import ClientFigures
from services.followup.domain.followup import Rhythm
from shared.infra.eventstore import ConcurrencyError
from shared.kernel.errors import Forbidden, NotFound
from shared.kernel.principal import Principal
from shared.kernel.representation import ACTS, Mandate
from shared.kernel.sealed import Sealed
from tests.application import AUDITOR, MANAGER, OTHER_WORKER, PROVIDER, WORKER, Harness, covers, refused

SERVICE = "followup"
PERIOD = Period(start=date(2026, 1, 1), end=date(2026, 12, 31))
SCORES = SelfAssessmentScores(general_ability=5, mental_wellbeing=4, social_participation=3, physical_functioning=7,
                              competence=6, everyday_life=4)
# Pori follows up sooner than the rest of the region: the rhythm a case gets is its municipality's.
PORI = Rhythm(first_check_in=timedelta(days=7), every=timedelta(days=21))
DEFAULT = Rhythm(first_check_in=timedelta(days=14), every=timedelta(days=30))
FAKE = Sealed(kid="x", nonce="bm9uY2U=", ct="Y3Q=")  # budgeting's sealed text: follow-up never opens it


def client(cid: UUID) -> Principal:
    return Principal(user_id=str(cid), role="client")


def ports(asked: list[dict[str, Any]] | None = None, figures: list[ClientFigures] | None = None) -> Ports:
    async def list_followups(**filters: Any) -> list[dict[str, Any]]:
        (asked if asked is not None else []).append(filters)
        return []

    async def count_followups(**filters: Any) -> int:
        return 0

    async def region_figures() -> list[ClientFigures]:
        return figures or []

    return Ports(lambda municipality: PORI if municipality == "Pori" else DEFAULT, list_followups, count_followups,
                 region_figures)


@pytest.fixture
def h() -> Harness:
    return Harness.of(SERVICE, HANDLERS, ports(), reactions=REACTIONS, timers=TIMERS)


def opened(cid: UUID, municipality: str = "Pori") -> FollowUpOpened:
    return FollowUpOpened(client_id=cid, coordinator_id=WORKER.user_id, municipality=municipality,
                          service_task=ServiceTask.WORKING_AGE_ADULTS, baseline_scores=SCORES, intake_event_id=uuid4())


def plan(cid: UUID, amount: int = 400_000) -> BudgetPlanNoted:
    return BudgetPlanNoted(client_id=cid, decision_number="HB-2026-000001", decided_at=datetime(2026, 2, 1, tzinfo=UTC),
                           period=PERIOD, amount_cents=amount, breakdown={"cleaning": amount})


def first_due(cid: UUID) -> FollowUpScheduled:
    return FollowUpScheduled(client_id=cid, number=1, kind="first_check_in", due_at=datetime(2026, 2, 8, tzinfo=UTC),
                             coordinator_id=WORKER.user_id)


async def open_case(h: Harness) -> UUID:
    cid = uuid4()
    await h.given(stream_of(cid), cid, opened(cid))
    return cid


async def live(h: Harness) -> UUID:
    """An open case with a decided plan and its first follow-up due."""
    cid = uuid4()
    await h.given(stream_of(cid), cid, opened(cid), plan(cid), first_due(cid))
    return cid


# --- commands from people ------------------------------------------------------------------------------------

@covers(SERVICE, c.RecordCheckIn)
async def test_a_check_in_does_the_follow_up_and_schedules_the_next_in_the_municipalitys_rhythm(h: Harness) -> None:
    cid = await live(h)
    before = datetime.now(UTC)
    check_in, scheduled = await h.when(c.RecordCheckIn(client_id=cid, contact_type="home_visit",
                                                       client_account="Siivousapu auttaa", worker_notes="Jaksaa"),
                                       WORKER)
    assert isinstance(check_in, CheckInRecorded) and isinstance(scheduled, FollowUpScheduled)
    assert check_in.follow_up_number == 1 and check_in.recorded_by == WORKER.user_id
    assert await h.open(cid, check_in.client_account, check_in.worker_notes) == ["Siivousapu auttaa", "Jaksaa"]
    assert scheduled.number == 2 and before + PORI.every <= scheduled.due_at <= datetime.now(UTC) + PORI.every


@covers(SERVICE, c.ScoreGoal)
async def test_the_coordinator_scores_a_goal_of_the_plan(h: Harness) -> None:
    cid, goal_id = uuid4(), uuid4()
    await h.given(stream_of(cid), cid, opened(cid),
                  GoalTracked(client_id=cid, goal_id=goal_id, weight=2, baseline_level=-1))
    [scored] = await h.when(c.ScoreGoal(client_id=cid, goal_id=goal_id, level=1), WORKER)
    assert isinstance(scored, GoalAttainmentRecorded) and (scored.level, scored.recorded_by) == (1, WORKER.user_id)


@covers(SERVICE, c.Reassess)
async def test_a_reassessment_says_who_filled_it_in_and_keeps_the_clients_words_sealed(h: Harness) -> None:
    cid = await open_case(h)
    [own] = await h.when(c.Reassess(client_id=cid, scores=SCORES, own_words="Jaksan paremmin"), client(cid))
    [together] = await h.when(c.Reassess(client_id=cid, scores=SCORES), WORKER)
    assert isinstance(own, ReassessmentRecorded) and isinstance(together, ReassessmentRecorded)
    assert (own.filled_in_by, together.filled_in_by) == ("client", "worker_with_client")
    assert await h.open(cid, own.own_words) == ["Jaksan paremmin"] and together.own_words is None


@covers(SERVICE, c.RequestPlanReview)
async def test_the_client_asks_for_a_plan_review_in_their_own_words(h: Harness) -> None:
    cid = await live(h)
    [review] = await h.when(c.RequestPlanReview(client_id=cid, reason="Haluan vaihtaa palvelua"), client(cid))
    assert isinstance(review, PlanReviewRequested) and review.requested_by == "client"
    assert await h.open(cid, review.reason) == ["Haluan vaihtaa palvelua"]
    [by_worker] = await h.when(c.RequestPlanReview(client_id=cid), WORKER)
    assert isinstance(by_worker, PlanReviewRequested) and by_worker.requested_by == "worker" and by_worker.reason is None


@covers(SERVICE, c.CloseCase)
async def test_the_coordinator_closes_the_case_with_a_reason(h: Harness) -> None:
    cid = await live(h)
    [closed] = await h.when(c.CloseCase(client_id=cid, reason="goals_achieved", note="Tavoitteet saavutettu"), WORKER)
    assert isinstance(closed, CaseClosed) and closed.closed_by == WORKER.user_id
    assert await h.open(cid, closed.note) == ["Tavoitteet saavutettu"]


# --- refusals: 404, then 403, then 409 ----------------------------------------------------------------------

PEOPLE: dict[type[c.CaseCommand], tuple[Callable[[UUID], c.CaseCommand], Principal]] = {
    c.RecordCheckIn: (lambda cid: c.RecordCheckIn(client_id=cid, contact_type="phone", client_account="a",
                                                  worker_notes="n"), WORKER),
    c.ScoreGoal: (lambda cid: c.ScoreGoal(client_id=cid, goal_id=uuid4(), level=0), WORKER),
    c.Reassess: (lambda cid: c.Reassess(client_id=cid, scores=SCORES), WORKER),
    c.RequestPlanReview: (lambda cid: c.RequestPlanReview(client_id=cid), WORKER),
    c.CloseCase: (lambda cid: c.CloseCase(client_id=cid, reason="other"), WORKER),
}


@covers(SERVICE, *(refused(NotFound, kind) for kind in PEOPLE))
@pytest.mark.parametrize("kind", list(PEOPLE), ids=lambda k: k.__name__)
async def test_a_command_on_a_client_without_a_case_is_not_found(h: Harness, kind: type[c.CaseCommand]) -> None:
    make, principal = PEOPLE[kind]
    cid = uuid4()
    with pytest.raises(NotFound):
        await h.when(make(cid), principal)
    assert await h.recorded(stream_of(cid)) == []


@covers(SERVICE, *(refused(Forbidden, kind) for kind in PEOPLE))
@pytest.mark.parametrize("kind", list(PEOPLE), ids=lambda k: k.__name__)
async def test_a_command_from_someone_the_policy_refuses_records_nothing(h: Harness, kind: type[c.CaseCommand]) -> None:
    make, _ = PEOPLE[kind]
    cid = await live(h)
    for outsider in (OTHER_WORKER, PROVIDER, AUDITOR, MANAGER, client(uuid4()), h.app.system):
        with pytest.raises(Forbidden):
            await h.when(make(cid), outsider)
    assert len(await h.recorded(stream_of(cid))) == 3


async def test_the_client_may_not_take_the_workers_steps(h: Harness) -> None:
    cid = await live(h)
    for kind in (c.RecordCheckIn, c.ScoreGoal, c.CloseCase):
        with pytest.raises(Forbidden):
            await h.when(PEOPLE[kind][0](cid), client(cid))


@covers(SERVICE, refused(Forbidden, c.MarkOverdue))
async def test_reactions_and_timers_are_the_services_own(h: Harness) -> None:
    cid = await live(h)
    for person in (WORKER, MANAGER, client(cid)):
        with pytest.raises(Forbidden):
            await h.when(c.MarkOverdue(client_id=cid, number=1), person)
    assert len(await h.recorded(stream_of(cid))) == 3


@covers(SERVICE, refused(ConcurrencyError, c.RecordCheckIn))
async def test_a_command_made_on_a_stale_version_is_a_conflict(h: Harness) -> None:
    cid = await live(h)
    with pytest.raises(ConcurrencyError):
        await h.when(c.RecordCheckIn(client_id=cid, contact_type="phone", client_account="a", worker_notes="n",
                                     expected_version=1), WORKER)
    assert len(await h.recorded(stream_of(cid))) == 3


# --- reads ---------------------------------------------------------------------------------------------------

@covers(SERVICE, refused(NotFound, ReadFollowUp), refused(Forbidden, ReadFollowUp))
async def test_a_case_is_read_by_its_client_coordinator_managers_and_auditors_only(h: Harness) -> None:
    cid = await live(h)
    (account,) = await h.keyring.seal(str(cid), "Ihan hyvin")
    await h.given(stream_of(cid), cid, CheckInRecorded(client_id=cid, follow_up_number=1, contact_type="phone",
                                                       client_account=account, worker_notes=account,
                                                       recorded_by=WORKER.user_id))
    with pytest.raises(NotFound):
        await views.followup(h.app, ReadFollowUp(client_id=uuid4()), WORKER)
    for outsider in (OTHER_WORKER, PROVIDER, client(uuid4())):
        with pytest.raises(Forbidden):
            await views.followup(h.app, ReadFollowUp(client_id=cid), outsider)
    for reader in (client(cid), WORKER, MANAGER, AUDITOR):
        version, view = await views.followup(h.app, ReadFollowUp(client_id=cid), reader)
        assert version == 4 and view["check_ins"][0]["client_account"] == "Ihan hyvin"


@covers(SERVICE, refused(NotFound, ReadClientEffectiveness), refused(Forbidden, ReadClientEffectiveness))
async def test_a_clients_effectiveness_is_read_as_the_case_is(h: Harness) -> None:
    cid = await live(h)
    with pytest.raises(NotFound):
        await views.client_effectiveness(h.app, ReadClientEffectiveness(client_id=uuid4()), MANAGER)
    with pytest.raises(Forbidden):
        await views.client_effectiveness(h.app, ReadClientEffectiveness(client_id=cid), OTHER_WORKER)
    figures = await views.client_effectiveness(h.app, ReadClientEffectiveness(client_id=cid), client(cid))
    assert figures.decided_cents == 400_000 and figures.baseline == SCORES.model_dump()


@covers(SERVICE, refused(Forbidden, ListFollowUps))
async def test_work_lists_are_for_workers_managers_and_auditors() -> None:
    asked: list[dict[str, Any]] = []
    h = Harness.of(SERVICE, HANDLERS, ports(asked), reactions=REACTIONS, timers=TIMERS)
    for reader in (client(uuid4()), PROVIDER):
        with pytest.raises(Forbidden):
            await views.work_list(h.app, ListFollowUps(), reader)
    assert await views.work_list(h.app, ListFollowUps(overdue=True), WORKER) == ([], 0)
    await views.work_list(h.app, ListFollowUps(), AUDITOR)
    assert asked == [{"coordinator_id": WORKER.user_id, "overdue_only": True, "limit": 100, "offset": 0},
                     {"coordinator_id": None, "overdue_only": False, "limit": 100, "offset": 0}]


@covers(SERVICE, refused(Forbidden, ReadRegionEffectiveness))
async def test_the_regions_figures_are_for_managers_and_auditors(h: Harness) -> None:
    for reader in (WORKER, client(uuid4()), PROVIDER):
        with pytest.raises(Forbidden):
            await views.region_effectiveness(h.app, ReadRegionEffectiveness(), reader)
    figures = await views.region_effectiveness(h.app, ReadRegionEffectiveness(), MANAGER)
    assert figures.groups == [] and figures.min_group_size == 5


# --- reactions to other services' events ----------------------------------------------------------------------

def completed(cid: UUID) -> intake.IntakeCompleted:
    return intake.IntakeCompleted(client_id=cid, coordinator_id=WORKER.user_id, service_task=ServiceTask.OLDER_PEOPLE,
                                  municipality="Pori", preferred_language="fi", baseline_scores=SCORES)


def budget_opened(cid: UUID) -> budgeting.BudgetOpened:
    return budgeting.BudgetOpened(client_id=cid, coordinator_id=WORKER.user_id, service_task=ServiceTask.OLDER_PEOPLE,
                                  municipality="Pori", intake_event_id=uuid4())


@covers(SERVICE, intake.IntakeCompleted, c.OpenFollowUp)
async def test_intake_completed_opens_the_case_once_with_the_baseline(h: Harness) -> None:
    cid = uuid4()
    [case] = await h.when_published(completed(cid), cid)
    assert isinstance(case, FollowUpOpened) and case.baseline_scores == SCORES and case.municipality == "Pori"
    assert await h.when_published(completed(cid), cid) == []


@covers(SERVICE, budgeting.BudgetOpened, c.OpenFollowUp)
async def test_opened_from_budgeting_first_the_baseline_follows_from_intake(h: Harness) -> None:
    cid = uuid4()
    [case] = await h.when_published(budget_opened(cid), cid)
    assert isinstance(case, FollowUpOpened) and case.baseline_scores is None
    [baseline] = await h.when_published(completed(cid), cid)
    assert isinstance(baseline, BaselineNoted) and baseline.baseline_scores == SCORES


@covers(SERVICE, intake.CoordinatorAssigned, c.ChangeCoordinator)
async def test_a_new_coordinator_in_intake_follows_the_case(h: Harness) -> None:
    cid = await open_case(h)
    [changed] = await h.when_published(intake.CoordinatorAssigned(client_id=cid, worker_id="worker-eero"), cid)
    assert isinstance(changed, CoordinatorChanged) and changed.coordinator_id == "worker-eero"


@covers(SERVICE, budgeting.GoalSet, c.TrackGoal)
async def test_a_goal_set_in_the_plan_is_tracked_once(h: Harness) -> None:
    cid = await open_case(h)
    levels = GasLevels(much_less_than_expected=FAKE, less_than_expected=FAKE, expected=FAKE, more_than_expected=FAKE,
                       much_more_than_expected=FAKE)
    goal = budgeting.GoalSet(client_id=cid, goal_id=uuid4(), title=FAKE, levels=levels, baseline_level=-1, weight=2)
    [tracked] = await h.when_published(goal, cid)
    assert isinstance(tracked, GoalTracked) and (tracked.weight, tracked.baseline_level) == (2, -1)
    assert await h.when_published(goal, cid) == []


def decision(cid: UUID, amount: int = 400_000) -> budgeting.BudgetDecided:
    return budgeting.BudgetDecided(client_id=cid, decision_number="HB-2026-000007", proposal_id=uuid4(),
                                   amount_cents=amount, period=PERIOD, breakdown={"cleaning": amount},
                                   decided_by=WORKER.user_id, reasoning=FAKE, legal_basis="l", appeal_instructions="a")


@covers(SERVICE, budgeting.BudgetDecided, c.NotePlan)
async def test_a_decided_budget_schedules_the_first_check_in_in_the_municipalitys_rhythm(h: Harness) -> None:
    cid = await open_case(h)
    decided_at = datetime(2026, 2, 10, 9, 30, tzinfo=UTC)
    noted, first = await h.when_published(decision(cid), cid, time=decided_at)
    assert isinstance(noted, BudgetPlanNoted) and noted.decided_at == decided_at and noted.amount_cents == 400_000
    assert isinstance(first, FollowUpScheduled) and first.due_at == decided_at + PORI.first_check_in


@covers(SERVICE, budgeting.BudgetRevised, c.NotePlanRevision)
async def test_a_revision_of_the_budget_is_noted_against_the_same_plan(h: Harness) -> None:
    cid = await live(h)
    revised = budgeting.BudgetRevised(client_id=cid, revision_number=1, previous_amount_cents=400_000,
                                      amount_cents=500_000, breakdown={"cleaning": 500_000}, reason=FAKE)
    [noted] = await h.when_published(revised, cid)
    assert isinstance(noted, BudgetPlanNoted) and (noted.revision_number, noted.amount_cents) == (1, 500_000)


@covers(SERVICE, budgeting.FundsReserved, budgeting.FundsReleased, budgeting.SpendingRecorded, c.NoteBudgetUse)
async def test_the_budgets_use_is_noted_per_order(h: Harness) -> None:
    cid = await live(h)
    one, two = uuid4(), uuid4()
    reserve = [budgeting.FundsReserved(client_id=cid, order_id=o, amount_cents=a, category="cleaning",
                                       remaining_cents=0) for o, a in ((one, 60_000), (two, 20_000))]
    for event in reserve:
        [noted] = await h.when_published(event, cid)
        assert isinstance(noted, BudgetUseNoted) and noted.reserved_cents == event.amount_cents
    [spent] = await h.when_published(budgeting.SpendingRecorded(client_id=cid, order_id=one, invoice_id=uuid4(),
                                                                amount_cents=50_000, category="cleaning"), cid)
    assert isinstance(spent, BudgetUseNoted) and (spent.reserved_cents, spent.spent_cents) == (0, 50_000)
    # the remainder of an invoiced order was settled by its spending: its release changes nothing here
    assert await h.when_published(budgeting.FundsReleased(client_id=cid, order_id=one, amount_cents=10_000,
                                                          reason="invoice_below_reservation"), cid) == []
    [released] = await h.when_published(budgeting.FundsReleased(client_id=cid, order_id=two, amount_cents=20_000,
                                                                reason="order_cancelled"), cid)
    assert isinstance(released, BudgetUseNoted) and released.reserved_cents == 0


async def test_a_support_agreements_claims_draw_its_reservation_down_in_the_budgets_use(h: Harness) -> None:
    cid, agreement = await live(h), uuid4()
    await h.when_published(budgeting.FundsReserved(client_id=cid, order_id=agreement, amount_cents=80_000,
                                                   category="informal_support", remaining_cents=0,
                                                   matter="agreement"), cid)
    for claim, (reserved, spent) in ((45_000, (35_000, 45_000)), (3_590, (31_410, 48_590))):
        [noted] = await h.when_published(budgeting.SpendingRecorded(
            client_id=cid, order_id=agreement, invoice_id=uuid4(), amount_cents=claim, category="informal_support",
            matter="agreement"), cid)
        assert isinstance(noted, BudgetUseNoted) and (noted.reserved_cents, noted.spent_cents) == (reserved, spent)
    [ended] = await h.when_published(budgeting.FundsReleased(client_id=cid, order_id=agreement, amount_cents=31_410,
                                                             reason="agreement_ended", matter="agreement"), cid)
    assert isinstance(ended, BudgetUseNoted) and (ended.reserved_cents, ended.spent_cents) == (0, 48_590)


@covers(SERVICE, budgeting.BudgetClosed, c.NoteBudgetClosed)
async def test_a_closed_budget_is_noted_once(h: Harness) -> None:
    cid = await live(h)
    closed = budgeting.BudgetClosed(client_id=cid, reason="case_closed", spent_cents=0, released_cents=0)
    [noted] = await h.when_published(closed, cid)
    assert isinstance(noted, BudgetClosureNoted) and noted.reason == "case_closed"
    assert await h.when_published(closed, cid) == []


@covers(SERVICE, intake.CoordinatorAssigned, budgeting.GoalSet, budgeting.BudgetDecided, budgeting.BudgetRevised,
        budgeting.FundsReserved, budgeting.SpendingRecorded, budgeting.BudgetClosed)
async def test_facts_about_a_client_without_a_case_change_nothing(h: Harness) -> None:
    cid = uuid4()
    for event in (intake.CoordinatorAssigned(client_id=cid, worker_id="w"), decision(cid),
                  budgeting.FundsReserved(client_id=cid, order_id=uuid4(), amount_cents=1, category="x",
                                          remaining_cents=0),
                  budgeting.BudgetClosed(client_id=cid, reason="intake_declined", spent_cents=0, released_cents=0)):
        assert await h.when_published(event, cid) == []
    assert await h.recorded(stream_of(cid)) == []


# --- the service's own deadlines -------------------------------------------------------------------------------

@covers(SERVICE, OVERDUE_TIMER, c.MarkOverdue)
async def test_a_follow_up_past_its_due_time_raises_one_reminder(h: Harness) -> None:
    cid = await live(h)
    payload = {"client_id": str(cid), "correlation_id": "c-1", "number": 1}
    [overdue] = await h.when_fired(OVERDUE_TIMER, payload)
    assert isinstance(overdue, FollowUpOverdue) and overdue.coordinator_id == WORKER.user_id
    assert await h.when_fired(OVERDUE_TIMER, payload) == []
    assert (await h.store.read_stream(stream_of(cid)))[-1].correlation_id == "c-1"


@covers(SERVICE, OVERDUE_TIMER)
async def test_a_follow_up_done_in_time_raises_no_reminder(h: Harness) -> None:
    cid = await live(h)
    await h.when(c.RecordCheckIn(client_id=cid, contact_type="phone", client_account="a", worker_notes="n"), WORKER)
    assert await h.when_fired(OVERDUE_TIMER, {"client_id": str(cid), "correlation_id": "c", "number": 1}) == []


@covers(SERVICE, PLAN_RULES_TIMER, c.EvaluatePlan)
async def test_at_mid_period_little_use_asks_for_a_plan_review_once(h: Harness) -> None:
    cid = uuid4()
    today = datetime.now(UTC).date()
    past_middle = Period(start=today - timedelta(days=200), end=today + timedelta(days=100))
    await h.given(stream_of(cid), cid, opened(cid), plan(cid).model_copy(update={"period": past_middle}))
    [review] = await h.when_fired(PLAN_RULES_TIMER, {"client_id": str(cid), "correlation_id": "c"})
    assert isinstance(review, PlanReviewRequested) and review.rule == "low_use_at_mid_period"
    assert await h.when_fired(PLAN_RULES_TIMER, {"client_id": str(cid), "correlation_id": "c"}) == []


@covers(SERVICE, OVERDUE_TIMER, PLAN_RULES_TIMER)
async def test_a_timer_for_a_client_without_a_case_does_nothing(h: Harness) -> None:
    cid = uuid4()
    assert await h.when_fired(OVERDUE_TIMER, {"client_id": str(cid), "correlation_id": "c", "number": 1}) == []
    assert await h.when_fired(PLAN_RULES_TIMER, {"client_id": str(cid), "correlation_id": "c"}) == []


# --- the client's representatives, and a child ---------------------------------------------------------------

def representative_of(cid: UUID, *, reads: bool = True) -> Principal:
    mandate = Mandate(link_id=uuid4(), client_id=cid, kind="guardian", scope=frozenset(ACTS), reads=reads)
    return Principal(user_id=str(uuid4()), role="representative", mandates=(mandate,))


@covers(SERVICE, refused(Forbidden, ReadFollowUp), refused(Forbidden, c.Reassess))
async def test_a_guardian_reads_the_case_and_fills_in_the_reassessment_for_the_child(h: Harness) -> None:
    cid = await live(h)
    guardian = representative_of(cid)
    await views.followup(h.app, ReadFollowUp(client_id=cid), guardian)
    [assessed] = await h.when(c.Reassess(client_id=cid, scores=SCORES), guardian)
    assert isinstance(assessed, ReassessmentRecorded) and assessed.filled_in_by == "representative"
    [review] = await h.when(c.RequestPlanReview(client_id=cid, reason="Toive"), guardian)
    assert isinstance(review, PlanReviewRequested) and review.requested_by == "client"  # on the client's side
    for refused_ in (representative_of(uuid4()), representative_of(cid, reads=False)):
        with pytest.raises(Forbidden):
            await views.followup(h.app, ReadFollowUp(client_id=cid), refused_)
    with pytest.raises(Forbidden):
        await h.when(c.Reassess(client_id=cid, scores=SCORES), Principal(user_id=str(cid), role="client",
                                                                        acts_alone=False))
