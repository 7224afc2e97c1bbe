"""Budgeting's application on the memory store: given events → when a command or another service's event →
then events, or the refusal (404, 403, 409) and nothing recorded. The rules themselves are tested in
test_budget_domain.py; here, that each door reaches them: handlers, policy, reactions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest

from contracts import decisions, followup, intake, marketplace, support_persons
from contracts.budgeting import (
    ApprovalGranted,
    ApprovalRefused,
    ApprovalRequested,
    BudgetClosed,
    BudgetDecided,
    BudgetFrozen,
    BudgetOpened,
    BudgetProposed,
    BudgetRevised,
    BudgetUnfrozen,
    ClientWishRecorded,
    CoordinatorChanged,
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
    SupportPlanned,
)
from contracts.intake import ServiceTask
from services.budgeting.application import commands as c
from services.budgeting.application import views
from services.budgeting.application.handlers import HANDLERS, Ports, stream_of
from services.budgeting.application.queries import AdviseOnBudget, ListBudgets, ReadBudget
from services.budgeting.application.reactions import REACTIONS
from shared.infra import people
from shared.infra.eventstore import ConcurrencyError
from shared.kernel.approvals import DelegationTable
from shared.kernel.errors import Forbidden, NotFound, RuleViolation
from shared.kernel.principal import Principal
from shared.kernel.representation import ACTS, Act, Mandate
from shared.kernel.sealed import Sealed
from tests.application import AUDITOR, MANAGER, OTHER_WORKER, PROVIDER, WORKER, Harness, covers, refused

SERVICE = "budgeting"
PERIOD = Period(start=date(2026, 1, 1), end=date(2026, 12, 31))
LIMIT = 500_000
LEVELS = {"much_less_than_expected": "ei lainkaan", "less_than_expected": "harvoin", "expected": "viikoittain",
          "more_than_expected": "usein", "much_more_than_expected": "päivittäin"}


def client(cid: UUID) -> Principal:
    return Principal(user_id=str(cid), role="client")


def delegations(worker: int = LIMIT, manager: int = 5_000_000) -> DelegationTable:
    """A worker decides up to ``worker`` cents, a manager up to ``manager``, budgets and revisions alike."""
    rows = [{"id": f"{role}-{kind}", "kind": kind, "role": role, "limit_cents": limit, "valid_from": date(2020, 1, 1)}
            for role, limit in (("worker", worker), ("manager", manager))
            for kind in ("budget_decision", "budget_revision")]
    rows += [{"id": f"{role}-closure", "kind": "support_closure", "role": role, "valid_from": date(2020, 1, 1)}
             for role in ("worker", "manager")]
    return DelegationTable.from_mapping({"version": "test", "delegation": rows,
                                         "kinds": ["budget_decision", "budget_revision", "support_closure"]})


def ports(asked: list[dict[str, Any]] | None = None) -> Ports:
    """Decision numbers from a counter, the delegation table, a work list that notes what it was asked."""
    numbers = iter(range(1, 1_000))

    async def decision_number(year: int) -> str:
        return f"HB-{year}-{next(numbers):06d}"

    async def list_budgets(**filters: Any) -> list[dict[str, Any]]:
        (asked if asked is not None else []).append(filters)
        return []

    return Ports(decision_number, delegations(), list_budgets)


@pytest.fixture
def h() -> Harness:
    return Harness.of(SERVICE, HANDLERS, ports(), reactions=REACTIONS)


def opened(cid: UUID) -> BudgetOpened:
    return BudgetOpened(client_id=cid, coordinator_id=WORKER.user_id, service_task=ServiceTask.DISABILITY_SERVICES,
                        municipality="Pori", intake_event_id=uuid4(), preferred_language="fi")


def planned(cid: UUID, sealed: Sealed | None = None) -> list[Any]:
    """A draft budget with a plan it can rest on: a goal, and assistance planned for it."""
    sealed = sealed or Sealed(kid=str(cid), nonce="bm9uY2U=", ct="Y3Q=")
    goal_id = uuid4()
    return [opened(cid), GoalSet(client_id=cid, goal_id=goal_id, title=sealed, levels=GasLevels(
        **dict.fromkeys(GasLevels.model_fields, sealed)), baseline_level=-1),
        SupportPlanned(client_id=cid, support_id=uuid4(), category="assistance", description=sealed,
                       estimated_cost_cents=300_000, provider_type=ProviderType.FIRM, goal_ids=[goal_id])]


def proposed(cid: UUID, amount: int = 300_000) -> BudgetProposed:
    return BudgetProposed(client_id=cid, proposal_id=uuid4(), amount_cents=amount, period=PERIOD,
                          breakdown={"assistance": amount})


def decided(cid: UUID, sealed: Sealed, amount: int = 300_000) -> BudgetDecided:
    return BudgetDecided(client_id=cid, decision_number="HB-2025-000001", proposal_id=uuid4(), amount_cents=amount,
                         period=PERIOD, breakdown={"assistance": amount}, decided_by=WORKER.user_id, reasoning=sealed,
                         legal_basis="sosiaalihuoltolaki (1301/2014)", appeal_instructions="Oikaisuvaatimusohje.")


async def given_draft(h: Harness, cid: UUID, *more: Any) -> None:
    await h.given(stream_of(cid), cid)
    (text,) = await h.keyring.seal(str(cid), "Käyn uimassa")
    await h.given(stream_of(cid), cid, *planned(cid, text), *more)


async def draft(h: Harness) -> UUID:
    cid = uuid4()
    await h.given(stream_of(cid), cid)
    (text,) = await h.keyring.seal(str(cid), "Käyn uimassa")
    await h.given(stream_of(cid), cid, *planned(cid, text))
    return cid


async def live(h: Harness, amount: int = 300_000) -> UUID:
    cid = uuid4()
    await h.given(stream_of(cid), cid)
    (reasoning,) = await h.keyring.seal(str(cid), "Tarve arvioitu")
    await h.given(stream_of(cid), cid, *planned(cid, reasoning), proposed(cid, amount), decided(cid, reasoning, amount))
    return cid


# --- commands from people ------------------------------------------------------------------------------------

@covers(SERVICE, c.SetGoal, c.PlanSupport, c.RecordWish)
async def test_the_client_shapes_the_plan_in_their_own_words_sealed_with_their_key(h: Harness) -> None:
    cid = await draft(h)
    [goal] = await h.when(c.SetGoal(client_id=cid, title="Käyn uimassa", levels=LEVELS, baseline_level=-1, weight=2),
                          client(cid))
    goal_id = goal.goal_id  # type: ignore[attr-defined]
    [support] = await h.when(c.PlanSupport(client_id=cid, category="hobbies", description="Uimahallin kortti",
                                           estimated_cost_cents=12_000, provider_type=ProviderType.PUBLIC,
                                           goal_ids=[goal_id]), client(cid))
    [wish] = await h.when(c.RecordWish(client_id=cid, text="Uimaan torstaisin"), client(cid))
    assert isinstance(goal, GoalSet) and isinstance(support, SupportPlanned) and isinstance(wish, ClientWishRecorded)
    assert await h.open(cid, goal.title, goal.levels.expected, support.description, wish.text) == [
        "Käyn uimassa", "viikoittain", "Uimahallin kortti", "Uimaan torstaisin"]
    assert support.goal_ids == [goal_id] and goal.weight == 2


@covers(SERVICE, c.ProposeBudget, c.DecideBudget)
async def test_the_coordinator_proposes_and_decides_within_the_authority_limit(h: Harness) -> None:
    cid = await draft(h)
    [proposal] = await h.when(c.ProposeBudget(client_id=cid, amount_cents=300_000, period=PERIOD,
                                              breakdown={"assistance": 300_000}), WORKER)
    decision, record = await h.when(c.DecideBudget(client_id=cid, reasoning="Tarve arvioitu"), WORKER)
    assert isinstance(proposal, BudgetProposed) and isinstance(decision, BudgetDecided)
    # The law from the county's table of the day: the client's service task and the firm's support, in Finnish
    assert isinstance(record, DecisionRecorded) and record.kind == "budget" and record.language == "fi"
    assert {b.act for b in record.legal_bases} >= {"434/2003", "1301/2014", "675/2023", "569/2009"}
    assert decision.legal_basis.startswith("sosiaalihuoltolaki (1301/2014), 45 §")
    assert "vammaispalvelulaki (675/2023)" in decision.legal_basis
    assert decision.appeal_instructions.startswith("Oikaisuvaatimusohje.")
    assert record.instructions.body == "individual_matters_section" and record.instructions.days == 30
    assert decision.decided_by == WORKER.user_id and decision.decision_number.startswith("HB-")
    assert decision.authority is not None and decision.authority.limit_cents == LIMIT
    assert await h.open(cid, decision.reasoning) == ["Tarve arvioitu"]


@covers(SERVICE, c.ApproveBudget, c.RejectBudget)
async def test_above_the_limit_the_decision_waits_and_the_approver_decides_or_refuses_with_reasoning(
        h: Harness) -> None:
    big = 600_000
    cid = uuid4()
    await given_draft(h, cid, proposed(cid, big))
    decide = c.DecideBudget(client_id=cid, reasoning="Iso tarve")
    [waiting] = await h.when(decide, WORKER)
    assert isinstance(waiting, ApprovalRequested) and waiting.kind == "budget_decision"
    assert waiting.authority.limit_cents == LIMIT and waiting.requested_by == WORKER.user_id
    [refused] = await h.when(c.RejectBudget(client_id=cid, reason="Perustelut puuttuvat"), MANAGER)
    assert isinstance(refused, ApprovalRefused) and await h.open(cid, refused.reasoning) == ["Perustelut puuttuvat"]
    _, view = await views.budget(h.app, ReadBudget(client_id=cid), client(cid))
    assert view["status"] == "draft" and view["approval_refused"]["reasoning"] == "Perustelut puuttuvat"
    await h.when(decide, WORKER)
    granted, decided_, _ = await h.when(c.ApproveBudget(client_id=cid, reason="Perusteltu"), MANAGER)
    assert isinstance(granted, ApprovalGranted) and isinstance(decided_, BudgetDecided)
    # On approval the manager is the one who decides, under her own delegation, with a number of her decision.
    assert decided_.decided_by == MANAGER.user_id and decided_.prepared_by == WORKER.user_id
    assert decided_.authority is not None and decided_.authority.rule_id == "manager-budget_decision"
    assert await h.open(cid, decided_.reasoning) == ["Iso tarve"]


async def test_an_approval_above_the_approvers_own_authority_is_refused_and_records_nothing() -> None:
    h = Harness.of(SERVICE, HANDLERS, Ports(ports().decision_number, delegations(manager=550_000), ports().list_budgets),
                   reactions=REACTIONS)
    cid = uuid4()
    await given_draft(h, cid, proposed(cid, 600_000))
    await h.when(c.DecideBudget(client_id=cid, reasoning="r"), WORKER)
    with pytest.raises(Forbidden, match="above your own delegated authority"):
        await h.when(c.ApproveBudget(client_id=cid, reason="ok"), MANAGER)
    assert type((await h.recorded(stream_of(cid)))[-1]) is ApprovalRequested


@covers(SERVICE, c.ReviseBudget)
async def test_a_worker_revises_within_her_authority_and_above_it_the_revision_waits_for_approval(h: Harness) -> None:
    cid = await live(h)
    within, _ = await h.when(c.ReviseBudget(client_id=cid, amount_cents=400_000, breakdown={"assistance": 400_000},
                                            reason="Vähemmän"), WORKER)
    assert isinstance(within, BudgetRevised) and within.decided_by == WORKER.user_id
    assert within.decision_number and within.decision_number != "HB-2025-000001"  # a revision is a new decision
    above = c.ReviseBudget(client_id=cid, amount_cents=900_000, breakdown={"assistance": 900_000}, reason="Lisää")
    [waiting] = await h.when(above, WORKER)
    assert isinstance(waiting, ApprovalRequested) and waiting.kind == "budget_revision"
    assert waiting.breakdown == {"assistance": 900_000}
    with pytest.raises(RuleViolation, match="already waiting"):
        await h.when(above, WORKER)
    _, view = await views.budget(h.app, ReadBudget(client_id=cid), WORKER)
    assert view["funds"]["decided_cents"] == 400_000 and view["awaiting_approval"]["kind"] == "budget_revision"
    granted, revised, _ = await h.when(c.ApproveBudget(client_id=cid, reason="Tarve kasvanut"), MANAGER)
    assert isinstance(granted, ApprovalGranted) and isinstance(revised, BudgetRevised)
    assert revised.amount_cents == 900_000 and revised.decided_by == MANAGER.user_id
    assert revised.prepared_by == WORKER.user_id and await h.open(cid, revised.reason) == ["Lisää"]


@covers(SERVICE, c.CloseBudget)
async def test_the_coordinator_closes_a_budget_at_the_end_of_its_period(h: Harness) -> None:
    cid = await live(h)
    [closed] = await h.when(c.CloseBudget(client_id=cid, reason="period_ended"), WORKER)
    assert isinstance(closed, BudgetClosed) and closed.reason == "period_ended"


# --- refusals: 404, then 403, then 409 ----------------------------------------------------------------------

PEOPLE: dict[type[c.BudgetCommand], tuple[Callable[[UUID], c.BudgetCommand], Principal]] = {
    c.SetGoal: (lambda cid: c.SetGoal(client_id=cid, title="t", levels=LEVELS, baseline_level=0, weight=1), WORKER),
    c.PlanSupport: (lambda cid: c.PlanSupport(client_id=cid, category="x", description="d", estimated_cost_cents=1,
                                              provider_type=ProviderType.NGO), WORKER),
    c.RecordWish: (lambda cid: c.RecordWish(client_id=cid, text="w"), WORKER),
    c.ProposeBudget: (lambda cid: c.ProposeBudget(client_id=cid, amount_cents=1, period=PERIOD,
                                                  breakdown={"x": 1}), WORKER),
    c.DecideBudget: (lambda cid: c.DecideBudget(client_id=cid, reasoning="r"), WORKER),
    c.ApproveBudget: (lambda cid: c.ApproveBudget(client_id=cid, reason="r"), MANAGER),
    c.RejectBudget: (lambda cid: c.RejectBudget(client_id=cid, reason="r"), MANAGER),
    c.ReviseBudget: (lambda cid: c.ReviseBudget(client_id=cid, amount_cents=1, breakdown={"x": 1}, reason="r"), WORKER),
    c.CloseBudget: (lambda cid: c.CloseBudget(client_id=cid, reason="period_ended"), WORKER),
}


@covers(SERVICE, *(refused(NotFound, kind) for kind in PEOPLE))
@pytest.mark.parametrize("kind", list(PEOPLE), ids=lambda k: k.__name__)
async def test_a_command_on_a_client_without_a_budget_is_not_found(h: Harness, kind: type[c.BudgetCommand]) -> None:
    make, principal = PEOPLE[kind]
    cid = uuid4()
    with pytest.raises(NotFound):
        await h.when(make(cid), principal)
    assert await h.recorded(stream_of(cid)) == []


@covers(SERVICE, *(refused(Forbidden, kind) for kind in PEOPLE))
@pytest.mark.parametrize("kind", list(PEOPLE), ids=lambda k: k.__name__)
async def test_a_command_from_someone_the_policy_refuses_records_nothing(h: Harness,
                                                                         kind: type[c.BudgetCommand]) -> None:
    make, _ = PEOPLE[kind]
    cid = await draft(h)
    for outsider in (OTHER_WORKER, PROVIDER, AUDITOR, client(uuid4())):
        with pytest.raises(Forbidden):
            await h.when(make(cid), outsider)
    assert [type(e) for e in await h.recorded(stream_of(cid))] == [BudgetOpened, GoalSet, SupportPlanned]


@covers(SERVICE, refused(Forbidden, c.ReserveFunds), refused(Forbidden, c.SetGoal))
async def test_reactions_are_the_services_own_and_people_commands_are_peoples(h: Harness) -> None:
    cid = await live(h)
    reserve = c.ReserveFunds(client_id=cid, order_id=uuid4(), amount_cents=1, category="x", ordered_on=date.today())
    with pytest.raises(Forbidden):
        await h.when(reserve, WORKER)
    with pytest.raises(Forbidden):
        await h.when(c.SetGoal(client_id=cid, title="t", levels=LEVELS, baseline_level=0, weight=1), h.app.system)


@covers(SERVICE, refused(ConcurrencyError, c.RecordWish))
async def test_a_command_made_on_a_stale_version_is_a_conflict(h: Harness) -> None:
    cid = await draft(h)
    await h.when(c.RecordWish(client_id=cid, text="eka", expected_version=3), client(cid))
    with pytest.raises(ConcurrencyError):
        await h.when(c.RecordWish(client_id=cid, text="toka", expected_version=3), client(cid))
    assert len(await h.recorded(stream_of(cid))) == 4


@covers(SERVICE, refused(Forbidden, ListBudgets))
async def test_work_lists_are_for_workers_managers_and_auditors() -> None:
    asked: list[dict[str, Any]] = []
    h = Harness.of(SERVICE, HANDLERS, ports(asked), reactions=REACTIONS)
    for reader in (client(uuid4()), PROVIDER):
        with pytest.raises(Forbidden):
            await views.work_list(h.app, ListBudgets(), reader)
    await views.work_list(h.app, ListBudgets(status="decided"), WORKER)
    await views.work_list(h.app, ListBudgets(), MANAGER)
    assert asked == [
        {"coordinator_id": WORKER.user_id, "status": "decided", "limit": 100, "offset": 0},
        {"coordinator_id": None, "status": None, "limit": 100, "offset": 0}]


@covers(SERVICE, refused(NotFound, ReadBudget), refused(Forbidden, ReadBudget))
async def test_a_budget_is_read_by_its_client_coordinator_managers_and_auditors_only(h: Harness) -> None:
    cid = await live(h)
    with pytest.raises(NotFound):
        await views.budget(h.app, ReadBudget(client_id=uuid4()), WORKER)
    for outsider in (OTHER_WORKER, PROVIDER, client(uuid4())):
        with pytest.raises(Forbidden):
            await views.budget(h.app, ReadBudget(client_id=cid), outsider)
    for reader in (client(cid), WORKER, MANAGER, AUDITOR):
        version, view = await views.budget(h.app, ReadBudget(client_id=cid), reader)
        assert version == 5 and view["funds"]["decided_cents"] == 300_000
        assert view["decision"]["reasoning"] == "Tarve arvioitu"


# --- reactions to other services' events ----------------------------------------------------------------------

def completed(cid: UUID) -> intake.IntakeCompleted:
    scores = {k: 5 for k in intake.SelfAssessmentScores.model_fields}
    return intake.IntakeCompleted(client_id=cid, coordinator_id=WORKER.user_id, service_task=ServiceTask.OLDER_PEOPLE,
                                  municipality="Pori", preferred_language="fi",
                                  baseline_scores=intake.SelfAssessmentScores(**scores))


@covers(SERVICE, intake.IntakeCompleted, c.OpenBudget)
async def test_intake_completed_opens_one_draft_budget(h: Harness) -> None:
    cid = uuid4()
    [budget_opened] = await h.when_published(completed(cid), cid)
    assert isinstance(budget_opened, BudgetOpened) and budget_opened.coordinator_id == WORKER.user_id
    assert await h.when_published(completed(cid), cid) == []  # a second completion (another event id) changes nothing


@covers(SERVICE, intake.ConsentWithdrawn, intake.ConsentGiven, c.FreezeBudget, c.UnfreezeBudget)
async def test_consent_withdrawn_freezes_the_budget_and_given_again_unfreezes_it(h: Harness) -> None:
    cid = await live(h)
    assert [type(e) for e in await h.when_published(intake.ConsentWithdrawn(client_id=cid), cid)] == [BudgetFrozen]
    assert [type(e) for e in await h.when_published(intake.ConsentGiven(client_id=cid, given_by="client"), cid)] == [
        BudgetUnfrozen]


@covers(SERVICE, intake.CoordinatorAssigned, c.ChangeCoordinator)
async def test_a_new_coordinator_in_intake_becomes_the_budgets(h: Harness) -> None:
    cid = await draft(h)
    [changed] = await h.when_published(intake.CoordinatorAssigned(client_id=cid, worker_id="worker-eero"), cid)
    assert isinstance(changed, CoordinatorChanged) and changed.coordinator_id == "worker-eero"


@covers(SERVICE, intake.ConsentWithdrawn, intake.CoordinatorAssigned, marketplace.OrderCancelled,
        marketplace.InvoiceApproved, followup.PlanReviewRequested)
async def test_events_about_a_client_without_a_budget_change_nothing(h: Harness) -> None:
    cid, order_id = uuid4(), uuid4()
    for event in (intake.ConsentWithdrawn(client_id=cid), intake.CoordinatorAssigned(client_id=cid, worker_id="w"),
                  marketplace.OrderCancelled(client_id=cid, order_id=order_id),
                  marketplace.InvoiceApproved(client_id=cid, order_id=order_id, invoice_id=uuid4(), amount_cents=1),
                  followup.PlanReviewRequested(client_id=cid, review_id=uuid4(), requested_by="rule",
                                               rule="low_use_at_mid_period")):
        assert await h.when_published(event, cid) == []
    assert await h.recorded(stream_of(cid)) == []


def order(cid: UUID, amount: int, ordered_on: date | None = None) -> marketplace.OrderPlaced:
    return marketplace.OrderPlaced(client_id=cid, order_id=uuid4(), provider_id=uuid4(), offering_id=uuid4(),
                                   category="assistance", quantity=1, unit_price_cents=amount, amount_cents=amount,
                                   ordered_on=ordered_on)


@covers(SERVICE, marketplace.OrderPlaced, marketplace.ReservationRetryRequested, c.ReserveFunds)
async def test_orders_reserve_funds_once_and_what_does_not_fit_is_refused_with_its_reason(h: Harness) -> None:
    cid = await live(h, 300_000)
    small, large = order(cid, 200_000, date(2026, 3, 1)), order(cid, 200_000)
    [reserved] = await h.when_published(small, cid)
    [refused_] = await h.when_published(large, cid, time=datetime(2026, 3, 2, tzinfo=UTC))
    assert isinstance(reserved, FundsReserved) and reserved.remaining_cents == 100_000
    assert isinstance(refused_, FundsReservationRejected) and refused_.reason_code == "exceeds_remaining"
    retry = marketplace.ReservationRetryRequested(client_id=cid, order_id=small.order_id, amount_cents=200_000,
                                                  category="assistance", attempt=2)
    assert await h.when_published(retry, cid) == []  # each order is answered once


@covers(SERVICE, marketplace.OrderPlaced)
async def test_an_order_for_a_client_without_a_budget_is_refused_so_the_marketplace_hears_it(h: Harness) -> None:
    cid = uuid4()
    [refusal] = await h.when_published(order(cid, 1_000), cid)
    assert isinstance(refusal, FundsReservationRejected) and refusal.reason_code == "no_decided_budget"


@covers(SERVICE, marketplace.OrderCancelled, marketplace.OrderDeclined, c.ReleaseFunds)
async def test_a_cancelled_or_declined_order_releases_its_reservation(h: Harness) -> None:
    cid = await live(h)
    cancelled, declined = order(cid, 10_000), order(cid, 20_000)
    await h.when_published(cancelled, cid)
    await h.when_published(declined, cid)
    [one] = await h.when_published(marketplace.OrderCancelled(client_id=cid, order_id=cancelled.order_id), cid)
    sealed = Sealed(kid=str(cid), nonce="bm9uY2U=", ct="Y3Q=")
    [two] = await h.when_published(marketplace.OrderDeclined(client_id=cid, order_id=declined.order_id,
                                                             reason=sealed), cid)
    assert isinstance(one, FundsReleased) and one.reason == "order_cancelled" and one.amount_cents == 10_000
    assert isinstance(two, FundsReleased) and two.reason == "order_declined" and two.amount_cents == 20_000


@covers(SERVICE, marketplace.InvoiceApproved, c.RecordSpending)
async def test_an_approved_invoice_is_recorded_as_spending(h: Harness) -> None:
    cid = await live(h)
    placed = order(cid, 50_000)
    await h.when_published(placed, cid)
    events = await h.when_published(marketplace.InvoiceApproved(client_id=cid, order_id=placed.order_id,
                                                                invoice_id=uuid4(), amount_cents=45_000), cid)
    assert [type(e) for e in events] == [SpendingRecorded, FundsReleased]


@covers(SERVICE, followup.CaseClosed, c.CloseBudgetWithCase)
async def test_a_case_closed_in_follow_up_closes_the_budget_and_leaves_a_record_even_without_one(h: Harness) -> None:
    cid = await live(h)
    closing = followup.CaseClosed(client_id=cid, reason="goals_achieved", closed_by=WORKER.user_id)
    closed, record = await h.when_published(closing, cid)
    assert isinstance(closed, BudgetClosed) and closed.reason == "case_closed"
    # The support a decided budget gave ends by a decision of the one who closed the case, with its record.
    assert isinstance(record, DecisionRecorded) and (record.kind, record.decided_by, record.reason_code) == (
        "support_closure", WORKER.user_id, "goals_achieved")
    assert record.replaces == "HB-2025-000001" and record.decision_number.startswith("HB-")
    nobody = uuid4()
    [record] = await h.when_published(closing.model_copy(update={"client_id": nobody}), nobody)
    assert isinstance(record, BudgetClosed) and record.client_id == nobody


@covers(SERVICE, followup.PlanReviewRequested, c.OpenPlanReview)
async def test_a_plan_review_requested_in_follow_up_is_opened_on_the_budget(h: Harness) -> None:
    cid = await live(h)
    request = followup.PlanReviewRequested(client_id=cid, review_id=uuid4(), requested_by="rule",
                                           rule="low_use_at_mid_period", finding="10 % used at mid-period")
    [review] = await h.when_published(request, cid)
    assert isinstance(review, PlanReviewOpened) and review.review_id == request.review_id


# --- people by name (the staff directory's copy) --------------------------------------------------------------

@covers(SERVICE, intake.StaffProfileRecorded, intake.ClientRegistered)
async def test_the_budget_shows_the_worker_and_the_decider_by_name_from_the_staff_directory(h: Harness) -> None:
    for staff_id, name in ((WORKER.user_id, "Aino Virtanen"), (MANAGER.user_id, "Maija Mäkelä")):
        await h.when_heard(people.LISTENER, intake.StaffProfileRecorded(
            staff_id=staff_id, name=name, title="sosiaalityöntekijä", languages=["sv"], source="admin"), uuid4())
    cid = uuid4()
    await h.when_heard(people.LISTENER, intake.ClientRegistered(
        client_id=cid, personal_data=Sealed(kid=str(cid), nonce="bm9uY2U=", ct="Y3Q="), municipality="Pori",
        preferred_language="sv"), cid)
    assert await h.app.deps.people.language(str(cid)) == "sv"  # to answer the client in the language they chose
    await given_draft(h, cid, proposed(cid, 600_000))
    await h.when(c.DecideBudget(client_id=cid, reasoning="r"), WORKER)
    await h.when(c.ApproveBudget(client_id=cid, reason="ok"), MANAGER)
    _, view = await views.budget(h.app, ReadBudget(client_id=cid), client(cid))
    assert view["coordinator"]["name"] == "Aino Virtanen" and view["coordinator"]["title"] == "sosiaalityöntekijä"
    assert (view["decision"]["decided_by_name"], view["decision"]["prepared_by_name"]) == (
        "Maija Mäkelä", "Aino Virtanen")


async def test_many_budgets_are_each_shown_as_alone_those_refused_left_out_and_the_people_asked_once(
        h: Harness) -> None:
    await h.when_heard(people.LISTENER, intake.StaffProfileRecorded(
        staff_id=WORKER.user_id, name="Aino Virtanen", title="sosiaalityöntekijä", languages=["fi"], source="admin"),
        uuid4())
    mine, again = await live(h), await live(h, 200_000)
    asked: list[list[str | None]] = []
    directory = h.app.deps.people
    original = directory.people

    async def counted(ids: Any) -> dict[str, people.Person]:
        asked.append(list(ids))
        return await original(asked[-1])

    directory.people = counted  # type: ignore[method-assign]
    shown = await views.budgets(h.app, [again, uuid4(), mine, again], "fi", WORKER)
    assert len(asked) == 1  # one look-up for the page, not one per budget
    directory.people = original  # type: ignore[method-assign]
    alone = [(await views.budget(h.app, ReadBudget(client_id=cid, language="fi"), WORKER))[1] for cid in (again, mine)]
    assert shown == alone  # in the order asked, once each; the unknown client left out
    assert await views.budgets(h.app, [mine, again], "fi", OTHER_WORKER) == []  # not theirs: left out, not refused
    assert shown[0]["coordinator"]["name"] == "Aino Virtanen"


@covers(SERVICE, intake.PreferredLanguageChanged)
async def test_a_client_who_changes_their_language_is_answered_in_the_new_one(h: Harness) -> None:
    cid = uuid4()
    await h.when_heard(people.LISTENER, intake.ClientRegistered(
        client_id=cid, personal_data=Sealed(kid=str(cid), nonce="bm9uY2U=", ct="Y3Q="), municipality="Pori",
        preferred_language="sv"), cid)
    await h.when_heard(people.LISTENER, intake.PreferredLanguageChanged(client_id=cid, preferred_language="fi"), cid)
    assert await h.app.deps.people.language(str(cid)) == "fi"


# --- decisions rest on a plan and are recorded ----------------------------------------------------------------

async def test_a_proposal_on_an_empty_or_inconsistent_plan_is_refused_with_its_code_and_nothing_is_written(
        h: Harness) -> None:
    cid = uuid4()
    await h.given(stream_of(cid), cid, opened(cid))
    propose = c.ProposeBudget(client_id=cid, amount_cents=300_000, period=PERIOD, breakdown={"assistance": 300_000})
    with pytest.raises(RuleViolation) as empty:
        await h.when(propose, WORKER)
    assert empty.value.code == "plan-without-goals"
    cid2 = await draft(h)  # assistance is planned, cleaning is not
    with pytest.raises(RuleViolation) as unplanned:
        await h.when(propose.model_copy(update={"client_id": cid2, "breakdown": {"cleaning": 300_000}}), WORKER)
    assert unplanned.value.code == "breakdown-without-support" and unplanned.value.params == {"categories": ["cleaning"]}
    assert [type(e) for e in await h.recorded(stream_of(cid))] == [BudgetOpened]
    assert len(await h.recorded(stream_of(cid2))) == 3


async def test_a_decision_made_just_after_midnight_in_finland_is_dated_and_numbered_on_the_countys_new_day(
        h: Harness) -> None:
    cid = await draft(h)
    year = Period(start=date(2027, 1, 1), end=date(2027, 12, 31))
    await h.when(c.ProposeBudget(client_id=cid, amount_cents=300_000, period=year,
                                 breakdown={"assistance": 300_000}), WORKER)
    half_past_midnight = datetime(2026, 12, 31, 22, 30, tzinfo=UTC)  # 00:30 on 1 January 2027 in Helsinki
    decision, record = await h.when(c.DecideBudget(client_id=cid, reasoning="Tarve arvioitu"), WORKER,
                                    at=half_past_midnight)
    assert isinstance(record, DecisionRecorded) and record.decided_on == date(2027, 1, 1)
    assert decision.decision_number.startswith("HB-2027-") and record.decision_number == decision.decision_number


async def test_a_decisions_law_is_read_in_the_readers_language(h: Harness) -> None:
    cid = await draft(h)
    await h.when(c.ProposeBudget(client_id=cid, amount_cents=300_000, period=PERIOD,
                                 breakdown={"assistance": 300_000}), WORKER)
    await h.when(c.DecideBudget(client_id=cid, reasoning="Tarve arvioitu"), WORKER)
    _, sv = await views.budget(h.app, ReadBudget(client_id=cid, language="sv"), client(cid))
    _, en = await views.budget(h.app, ReadBudget(client_id=cid, language="en"), client(cid))
    assert sv["decision"]["legal_basis"].startswith("socialvårdslagen (1301/2014), 45 §")
    assert "lagen om funktionshinderservice (675/2023)" in sv["decision"]["legal_basis"]
    assert sv["decision"]["appeal_instructions"].startswith("Anvisning om begäran om omprövning.")
    assert "välfärdsområdets sektion för individärenden" in sv["decision"]["appeal_instructions"]
    assert en["decision"]["legal_basis"].startswith("Social Welfare Act (1301/2014), section 45")
    assert sv["decision"]["language"] == "fi"  # made in Finnish, the client's choice; read in any language


def rectified(cid: UUID, outcome: str, amount: int | None, reasoning: Sealed) -> Any:
    return decisions.RectificationDecided(
        request_id=uuid4(), decision_id=uuid4(), client_id=cid, outcome=outcome, body="individual_matters_section",
        meeting_date=PERIOD.start, minutes_section="12 §", recorded_by=MANAGER.user_id, reasoning=reasoning,
        outcome_decision_id=uuid4(), outcome_decision_number="HBO-2026-000001", amended_amount_cents=amount,
        amended_breakdown={"assistance": amount} if amount else {})


@covers(SERVICE, decisions.RectificationDecided, c.AmendByRectification)
async def test_the_bodys_amended_decision_takes_effect_on_the_budget_and_an_upheld_one_changes_nothing(
        h: Harness) -> None:
    cid = await live(h)
    (reasoning,) = await h.keyring.seal(str(cid), "Avustajan tunteja lisätään")
    assert await h.when_published(rectified(cid, "upheld", None, reasoning), cid) == []
    [revised] = await h.when_published(rectified(cid, "amended", 400_000, reasoning), cid)
    assert isinstance(revised, BudgetRevised)
    assert (revised.amount_cents, revised.previous_amount_cents, revised.decision_number, revised.decided_by) == (
        400_000, 300_000, "HBO-2026-000001", MANAGER.user_id)  # the body's decision, its record is the register's
    with pytest.raises(Forbidden):
        await h.when(c.AmendByRectification(client_id=cid, amount_cents=1, breakdown={"assistance": 1},
                                            reason=reasoning, decision_number="x", decided_by="x"), MANAGER)


# --- one-off purchases from the marketplace ---------------------------------------------------------------------

def bought(cid: UUID, amount: int, category: str = "equipment") -> marketplace.PurchaseRequested:
    return marketplace.PurchaseRequested(
        client_id=cid, purchase_id=uuid4(), vendor_id=uuid4(), vendor_name="Lastentarvike Oy",
        vendor_kind="goods_and_tickets", category=category, description=Sealed(kid=str(cid), nonce="bm9uY2U=",
                                                                                 ct="Y3Q="),
        quantity=1, unit_price_cents=amount, amount_cents=amount, quote_reference="TARJ-118",
        requested_on=date.today())


@covers(SERVICE, marketplace.PurchaseRequested, marketplace.PurchaseReservationRetryRequested)
async def test_a_purchase_reserves_funds_once_as_a_purchase_and_what_does_not_fit_is_refused(h: Harness) -> None:
    cid = await live(h, 300_000)
    stroller, too_much = bought(cid, 119_000), bought(cid, 200_000)
    [held] = await h.when_published(stroller, cid)
    [refusal] = await h.when_published(too_much, cid)
    assert isinstance(held, FundsReserved) and (held.matter, held.order_id) == ("purchase", stroller.purchase_id)
    assert isinstance(refusal, FundsReservationRejected) and refusal.matter == "purchase"
    retry = marketplace.PurchaseReservationRetryRequested(client_id=cid, purchase_id=stroller.purchase_id,
                                                          amount_cents=119_000, category="equipment", attempt=2,
                                                          requested_on=date.today())
    assert await h.when_published(retry, cid) == []  # each purchase is answered once


@covers(SERVICE, marketplace.PurchaseCancelled, marketplace.PurchaseInvoiceApproved)
async def test_a_cancelled_purchase_releases_its_funds_and_an_approved_invoice_is_spending_on_a_purchase(
        h: Harness) -> None:
    cid = await live(h, 300_000)
    cancelled, stroller = bought(cid, 10_000), bought(cid, 119_000)
    await h.when_published(cancelled, cid)
    await h.when_published(stroller, cid)
    [released] = await h.when_published(marketplace.PurchaseCancelled(
        client_id=cid, purchase_id=cancelled.purchase_id, reason="cancelled_by_worker"), cid)
    assert isinstance(released, FundsReleased) and (released.reason, released.matter) == ("purchase_cancelled",
                                                                                           "purchase")
    [spent] = await h.when_published(marketplace.PurchaseInvoiceApproved(
        client_id=cid, purchase_id=stroller.purchase_id, invoice_id=uuid4(), amount_cents=119_000), cid)
    assert isinstance(spent, SpendingRecorded) and (spent.matter, spent.category) == ("purchase", "equipment")


async def test_the_budget_and_its_advice_show_purchases_beside_orders_by_category(h: Harness) -> None:
    cid = await live(h, 300_000)
    cleaning = order(cid, 40_000)
    cleaning = cleaning.model_copy(update={"category": "equipment"})
    stroller = bought(cid, 119_000)
    await h.when_published(cleaning, cid)
    await h.when_published(stroller, cid)
    await h.when_published(marketplace.PurchaseInvoiceApproved(
        client_id=cid, purchase_id=stroller.purchase_id, invoice_id=uuid4(), amount_cents=119_000), cid)
    _, view = await views.budget(h.app, ReadBudget(client_id=cid), WORKER)
    [equipment] = [c for c in view["funds"]["by_category"] if c["category"] == "equipment"]
    assert equipment["orders"] == {"reserved_cents": 40_000, "spent_cents": 0}
    assert equipment["purchases"] == {"reserved_cents": 0, "spent_cents": 119_000}
    assert {r["matter"] for r in view["funds"]["reservations"]} == {"order"}
    advice = await views.advice(h.app, AdviseOnBudget(client_id=cid), WORKER)
    [standing] = [c for c in advice["categories"] if c["category"] == "equipment"]
    assert (standing["used_cents"], standing["orders"], standing["purchases"]) == (
        159_000, {"reserved_cents": 40_000, "spent_cents": 0}, {"reserved_cents": 0, "spent_cents": 119_000})


# --- the client's representatives, and a child ---------------------------------------------------------------

def representative_of(cid: UUID, *, reads: bool = True, scope: frozenset[Act] = frozenset(ACTS)) -> Principal:
    """A guardian as authentication makes them: their link to the client in force, from the representation records."""
    mandate = Mandate(link_id=uuid4(), client_id=cid, kind="guardian", scope=scope, reads=reads)
    return Principal(user_id=str(uuid4()), role="representative", mandates=(mandate,))


@covers(SERVICE, refused(Forbidden, ReadBudget), refused(Forbidden, c.RecordWish))
async def test_a_guardian_reads_the_budget_and_records_a_wish_for_the_child_within_the_mandate(h: Harness) -> None:
    cid = await live(h)
    guardian = representative_of(cid)
    _, view = await views.budget(h.app, ReadBudget(client_id=cid), guardian)
    assert view["funds"]["decided_cents"] == 300_000
    [wish] = await h.when(c.RecordWish(client_id=cid, text="Uimakoulu"), guardian)
    assert isinstance(wish, ClientWishRecorded) and await h.open(cid, wish.text) == ["Uimakoulu"]
    envelope = (await h.store.read_stream(stream_of(cid)))[-1]
    assert (envelope.actor.id, envelope.actor.role) == (guardian.user_id, "representative")  # by X for client Y
    for refused_ in (representative_of(uuid4()), representative_of(cid, reads=False)):
        with pytest.raises(Forbidden):
            await views.budget(h.app, ReadBudget(client_id=cid), refused_)
    with pytest.raises(Forbidden, match="outside the scope"):
        await h.when(c.RecordWish(client_id=cid, text="x"), representative_of(cid, scope=frozenset({"read"})))
    with pytest.raises(Forbidden):  # the worker's steps are not the client's, whoever acts for them
        await h.when(c.ProposeBudget(client_id=cid, amount_cents=1, period=PERIOD, breakdown={"x": 1}), guardian)


async def test_a_child_under_15_reads_their_budget_and_their_guardian_shapes_the_plan(h: Harness) -> None:
    cid = await live(h)
    child = Principal(user_id=str(cid), role="client", acts_alone=False)
    await views.budget(h.app, ReadBudget(client_id=cid), child)
    with pytest.raises(Forbidden) as refused_:
        await h.when(c.RecordWish(client_id=cid, text="Pyörä"), child)
    assert refused_.value.code == "acts-through-guardian"


# --- support-person agreements from the marketplace ----------------------------------------------------------------

@covers(SERVICE, support_persons.SupportAgreementMade, support_persons.SupportClaimApproved,
        support_persons.AgreementEnded, support_persons.AgreementReservationRetryRequested)
async def test_an_agreement_reserves_once_each_approved_claim_spends_once_and_its_end_releases_the_rest(
        h: Harness) -> None:
    cid = await live(h, 300_000)
    made = support_persons.SupportAgreementMade(
        client_id=cid, agreement_id=uuid4(), person_id=uuid4(), category="informal_support", fee_basis="hour",
        fee_cents=1_500, max_hours=40, expenses_cap_cents=20_000, period_start=date.today(),
        period_end=date.today(), amount_cents=80_000, earnings_type="216", made_on=date.today(), made_by="w")
    [held] = await h.when_published(made, cid)
    assert isinstance(held, FundsReserved) and (held.matter, held.amount_cents) == ("agreement", 80_000)
    retry = support_persons.AgreementReservationRetryRequested(
        client_id=cid, agreement_id=made.agreement_id, amount_cents=80_000, category="informal_support", attempt=2,
        made_on=date.today())
    assert await h.when_published(retry, cid) == []  # each agreement is answered once
    approved = support_persons.SupportClaimApproved(client_id=cid, agreement_id=made.agreement_id, claim_id=uuid4(),
                                                    amount_cents=45_000, approved_by="w")
    [spent] = await h.when_published(approved, cid)
    assert isinstance(spent, SpendingRecorded) and (spent.invoice_id, spent.matter) == (approved.claim_id,
                                                                                        "agreement")
    assert await h.when_published(approved, cid) == []  # the approval delivered again (a new envelope): spent once
    [released] = await h.when_published(support_persons.AgreementEnded(
        client_id=cid, agreement_id=made.agreement_id, reason="ended_by_worker"), cid)
    assert isinstance(released, FundsReleased) and released.amount_cents == 35_000
    assert await h.when_published(support_persons.AgreementEnded(
        client_id=cid, agreement_id=made.agreement_id, reason="budget_closed"), cid) == []


async def test_the_budget_and_its_advice_show_an_agreement_beside_orders_and_purchases(h: Harness) -> None:
    cid = await live(h, 300_000)
    made = support_persons.SupportAgreementMade(
        client_id=cid, agreement_id=uuid4(), person_id=uuid4(), category="equipment", fee_basis="month",
        fee_cents=30_000, expenses_cap_cents=10_000, period_start=date.today(), period_end=date.today(),
        amount_cents=40_000, earnings_type="216", made_on=date.today(), made_by="w")
    await h.when_published(made, cid)
    await h.when_published(bought(cid, 119_000), cid)
    await h.when_published(support_persons.SupportClaimApproved(
        client_id=cid, agreement_id=made.agreement_id, claim_id=uuid4(), amount_cents=30_000, approved_by="w"), cid)
    _, view = await views.budget(h.app, ReadBudget(client_id=cid), WORKER)
    [equipment] = [c for c in view["funds"]["by_category"] if c["category"] == "equipment"]
    assert equipment["agreements"] == {"reserved_cents": 10_000, "spent_cents": 30_000}
    assert equipment["purchases"] == {"reserved_cents": 119_000, "spent_cents": 0}
    assert equipment["orders"] == {"reserved_cents": 0, "spent_cents": 0}
    advice = await views.advice(h.app, AdviseOnBudget(client_id=cid), WORKER)
    [standing] = [c for c in advice["categories"] if c["category"] == "equipment"]
    assert (standing["used_cents"], standing["agreements"]) == (159_000, {"reserved_cents": 10_000,
                                                                          "spent_cents": 30_000})
