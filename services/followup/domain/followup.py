"""A client's follow-up case: decide(command, state) -> events and evolve(state, event) -> state.

The rules of HB follow-up live here:
- the case opens once, on intake's IntakeCompleted or budgeting's BudgetOpened, whichever is heard first
  (two topics keep no order between them), and keeps intake's self-assessment to measure change against;
- when the budget is decided, the first check-in is due after the municipality's first interval; each
  check-in does the oldest open follow-up and schedules the next one a rhythm later, within the budget
  period. One follow-up is open at a time;
- a follow-up not done by its due time is overdue once (the reminder); a done one never is;
- a plan review may be asked by the client or the worker while there is a decided, open budget; from
  mid-period on, rules ask for one (little of the budget in use, goals not progressing), each rule once;
  a revision of the budget answers every review asked before it (one that keeps every figure too);
- the case does not close while a review the client or the worker asked for is open: that person is owed
  an answer first (a rule's finding is advice to the worker, and closing the case answers it);
- a closed case takes nothing more from people; facts from budgeting (spending on support already
  delivered) are still noted, since effectiveness counts them;
- while the client's consent is withdrawn no check-in is recorded, the worker's nor the client's own;
- the client (or their representative) may record how things are going in their own words, and ask to end the
  case: one request waits for the worker's answer at a time; closing the case answers it, and closing stays the
  worker's decision;
- a move to another county ends this county's responsibility: the case closes (moved away), also with a review
  open, since nobody here can answer it any more;
- the rhythm of follow-ups is the municipality's in force on the day they are scheduled.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import singledispatch
from typing import Literal
from uuid import UUID, uuid5

from pydantic import BaseModel, ConfigDict, Field

from contracts.budgeting import Period
from contracts.followup import (
    BaselineNoted,
    BudgetClosureNoted,
    BudgetPlanNoted,
    BudgetUseNoted,
    CaseClosed,
    CaseEndRequestAnswered,
    CaseEndRequested,
    CheckInRecorded,
    ClosureReason,
    ConsentNoted,
    ContactType,
    CoordinatorChanged,
    FollowUpOpened,
    FollowUpOverdue,
    FollowUpScheduled,
    GoalAttainmentRecorded,
    GoalTracked,
    MunicipalityNoted,
    OwnCheckInRecorded,
    PlanReviewRequested,
    ReassessmentRecorded,
    ReviewRule,
)
from contracts.intake import CHILD_SCALE, AssessmentForm, SelfAssessmentScores, ServiceTask
from shared.kernel.errors import InvalidCommand, RuleViolation
from shared.kernel.events import DomainEvent
from shared.kernel.sealed import Sealed

Status = Literal["none", "open", "closed"]

# From mid-period on, a budget less than this share in use asks for a plan review.
LOW_USE_SHARE = 0.25
MID_PERIOD = 0.5


@dataclass(frozen=True)
class Due:
    number: int
    kind: Literal["first_check_in", "check_in"]
    due_at: datetime
    done: bool = False
    overdue: bool = False


@dataclass(frozen=True)
class Goal:
    weight: int
    baseline_level: int
    level: int | None = None  # the latest recorded attainment


@dataclass(frozen=True)
class Plan:
    decision_number: str
    decided_at: datetime
    period: Period
    amount_cents: int
    breakdown: dict[str, int]


@dataclass(frozen=True)
class OrderUse:
    category: str
    reserved_cents: int
    spent_cents: int


@dataclass(frozen=True)
class FollowUp:
    client_id: UUID | None = None
    status: Status = "none"
    coordinator_id: str | None = None
    municipality: str | None = None
    service_task: ServiceTask | None = None
    baseline: SelfAssessmentScores | None = None
    latest: SelfAssessmentScores | None = None
    baseline_form: AssessmentForm = "adult"  # the children's form (faces 1–5) or the adult one (0–10)
    latest_form: AssessmentForm = "adult"
    goals: dict[UUID, Goal] = field(default_factory=dict)
    plan: Plan | None = None
    orders: dict[UUID, OrderUse] = field(default_factory=dict)
    budget_closed: bool = False
    dues: tuple[Due, ...] = ()
    rules_raised: frozenset[ReviewRule] = frozenset()
    reviews_requested: int = 0
    review_open: bool = False  # a person asked for a review and no revision of the budget has answered it yet
    closure_reason: ClosureReason | None = None
    consent_withdrawn: bool = False
    moves: tuple[tuple[date, str], ...] = ()  # (effective from, municipality), as intake told
    end_request: UUID | None = None  # the client's request to end the case, waiting for the worker's answer

    def municipality_on(self, day: date) -> str | None:
        current = self.municipality
        for since, municipality in self.moves:
            if since <= day:
                current = municipality
        return current

    @property
    def reserved_cents(self) -> int:
        return sum(o.reserved_cents for o in self.orders.values())

    @property
    def spent_cents(self) -> int:
        return sum(o.spent_cents for o in self.orders.values())

    @property
    def used_cents(self) -> int:
        return self.reserved_cents + self.spent_cents

    def used_by_category(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for o in self.orders.values():
            totals[o.category] = totals.get(o.category, 0) + o.reserved_cents + o.spent_cents
        return totals

    @property
    def pending(self) -> Due | None:
        """The open follow-up: the oldest not done yet."""
        return next((d for d in self.dues if not d.done), None)


INITIAL = FollowUp()


def period_bounds(period: Period) -> tuple[datetime, datetime]:
    """The budget period as instants: from the start day's first moment to the end day's last (UTC)."""
    return datetime.combine(period.start, time(), UTC), datetime.combine(period.end + timedelta(days=1), time(), UTC)


def mid_period(period: Period) -> datetime:
    start, end = period_bounds(period)
    return start + (end - start) / 2


def elapsed_share(period: Period, now: datetime) -> float:
    start, end = period_bounds(period)
    return min(1.0, max(0.0, (now - start) / (end - start)))


# --- commands ----------------------------------------------------------------------------------------


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Rhythm(Command):
    """When follow-ups fall due: the first check-in after the decision, then one this often."""

    first_check_in: timedelta = Field(gt=timedelta(0))
    every: timedelta = Field(gt=timedelta(0))


class OpenFollowUp(Command):
    client_id: UUID
    coordinator_id: str
    municipality: str
    service_task: ServiceTask
    intake_event_id: UUID
    baseline_scores: SelfAssessmentScores | None = None  # None when opened from budgeting's BudgetOpened
    baseline_form: AssessmentForm = "adult"


class ChangeCoordinator(Command):
    coordinator_id: str


class TrackGoal(Command):
    goal_id: UUID
    weight: int = Field(ge=1, le=10)
    baseline_level: int = Field(ge=-2, le=2)


class NotePlan(Command):
    decision_number: str
    decided_at: datetime
    period: Period
    amount_cents: int = Field(gt=0)
    breakdown: dict[str, int]
    rhythm: Rhythm


class NotePlanRevision(Command):
    revision_number: int = Field(ge=1)
    amount_cents: int = Field(gt=0)
    breakdown: dict[str, int]


class NoteBudgetUse(Command):
    order_id: UUID
    change: Literal["reserved", "released", "spent"]
    amount_cents: int = Field(ge=0)
    category: str | None = None  # the released amount names no category: the order's reservation does
    draws_down: bool = False  # a support-person agreement's claim: its reservation shrinks by what it spent


class NoteBudgetClosed(Command):
    reason: Literal["period_ended", "case_closed", "intake_declined"]


class RecordCheckIn(Command):
    contact_type: ContactType
    client_account: Sealed
    worker_notes: Sealed
    recorded_by: str
    now: datetime
    rhythm: Rhythm


class RecordGoalAttainment(Command):
    goal_id: UUID
    level: int = Field(ge=-2, le=2)
    recorded_by: str


class RecordReassessment(Command):
    assessment_id: UUID
    scores: SelfAssessmentScores
    own_words: Sealed | None = None
    filled_in_by: Literal["client", "worker_with_client", "representative"]
    form: AssessmentForm | None = None  # None: the baseline's form (a child is re-assessed on the children's)


class MarkOverdue(Command):
    number: int


class RequestPlanReview(Command):
    review_id: UUID
    requested_by: Literal["client", "worker"]
    reason: Sealed | None = None


class EvaluatePlan(Command):
    """The rules' look at the plan, at mid-period: does it need a review?"""

    now: datetime


class CloseCase(Command):
    reason: ClosureReason
    note: Sealed | None = None
    closed_by: str


class NoteConsent(Command):
    consent: Literal["given", "withdrawn"]


class NoteMunicipality(Command):
    municipality: str
    effective_from: date


class RecordOwnCheckIn(Command):
    check_in_id: UUID
    account: Sealed
    by: Literal["client", "representative"]


class RequestCaseEnd(Command):
    request_id: UUID
    reason: Sealed | None = None
    by: Literal["client", "representative"]


class AnswerCaseEndRequest(Command):
    request_id: UUID
    answer: Literal["agreed", "declined"]
    note: Sealed | None = None
    answered_by: str


class EndResponsibility(Command):
    """The client moved to another county (intake's decision, by ``decided_by``): the case closes."""

    decided_by: str


# --- decide ------------------------------------------------------------------------------------------


def _client(case: FollowUp) -> UUID:
    if case.client_id is None:
        raise RuleViolation("the client has no follow-up case")
    return case.client_id


def _require_open(case: FollowUp) -> UUID:
    client_id = _client(case)
    if case.status == "closed":
        raise RuleViolation("the case is closed", code="case-closed")
    return client_id


def decide(command: Command, case: FollowUp) -> list[DomainEvent]:
    match command:
        case OpenFollowUp():
            return _open(command, case)
    if case.status == "none":
        return _facts_before_opening(command)
    client_id = _client(case)
    match command:
        case ChangeCoordinator():
            same = case.coordinator_id == command.coordinator_id
            return [] if same else [CoordinatorChanged(client_id=client_id, coordinator_id=command.coordinator_id)]
        case TrackGoal():
            return [] if command.goal_id in case.goals else [GoalTracked(client_id=client_id, **command.model_dump())]
        case NotePlan():
            return _note_plan(command, case, client_id)
        case NotePlanRevision():
            return _note_revision(command, case, client_id)
        case NoteBudgetUse():
            return _note_use(command, case, client_id)
        case NoteBudgetClosed():
            return [] if case.budget_closed else [BudgetClosureNoted(client_id=client_id, reason=command.reason)]
        case MarkOverdue():
            return _overdue(command, case, client_id)
        case EvaluatePlan():
            return _evaluate(command, case, client_id)
        case NoteConsent():
            same = case.consent_withdrawn == (command.consent == "withdrawn")
            return [] if same else [ConsentNoted(client_id=client_id, consent=command.consent)]
        case NoteMunicipality():
            return [MunicipalityNoted(client_id=client_id, **command.model_dump())]
        case EndResponsibility():
            return [] if case.status == "closed" else _close(case, client_id, "moved_away", None, command.decided_by)
    _require_open(case)
    match command:
        case RecordCheckIn():
            _require_consent(case)
            return _check_in(command, case, client_id)
        case RecordOwnCheckIn():
            _require_consent(case)
            return [OwnCheckInRecorded(client_id=client_id, **command.model_dump())]
        case RequestCaseEnd():
            if case.end_request is not None:
                raise RuleViolation("an earlier request to end the case is waiting for the worker's answer",
                                    code="end-request-waiting")
            return [CaseEndRequested(client_id=client_id, **command.model_dump())]
        case AnswerCaseEndRequest():
            if case.end_request != command.request_id:
                raise InvalidCommand("no such request waits for an answer", field="request_id")
            return [CaseEndRequestAnswered(client_id=client_id, **command.model_dump())]
        case RecordGoalAttainment():
            if command.goal_id not in case.goals:
                raise InvalidCommand("the plan has no such goal", field="goal_id")
            return [GoalAttainmentRecorded(client_id=client_id, **command.model_dump())]
        case RecordReassessment():
            form = command.form or case.baseline_form
            if form == "child" and any(v not in CHILD_SCALE for v in command.scores.model_dump().values()):
                raise InvalidCommand("the children's form is answered on five faces, 1–5", field="scores")
            return [ReassessmentRecorded(client_id=client_id, **command.model_dump(exclude={"form"}), form=form)]
        case RequestPlanReview():
            _require_reviewable(case)
            return [PlanReviewRequested(client_id=client_id, **command.model_dump())]
        case CloseCase():
            if case.review_open:
                raise RuleViolation("a plan review is open: answer it with a revision of the budget, then close",
                                    code="plan-review-open")
            return _close(case, client_id, command.reason, command.note, command.closed_by)
    raise TypeError(f"unknown command {type(command).__name__}")


def _require_consent(case: FollowUp) -> None:
    if case.consent_withdrawn:
        raise RuleViolation("the client has withdrawn their consent: no check-in is recorded",
                            code="consent-withdrawn")


def _close(case: FollowUp, client_id: UUID, reason: ClosureReason, note: Sealed | None,
           closed_by: str) -> list[DomainEvent]:
    """Closing answers the client's request to end the case, if one waits."""
    answered: list[DomainEvent] = [] if case.end_request is None else [CaseEndRequestAnswered(
        client_id=client_id, request_id=case.end_request, answer="closed", answered_by=closed_by)]
    return [*answered, CaseClosed(client_id=client_id, reason=reason, note=note, closed_by=closed_by)]


def _open(command: OpenFollowUp, case: FollowUp) -> list[DomainEvent]:
    if case.status == "none":
        return [FollowUpOpened(**command.model_dump())]
    if case.baseline is None and command.baseline_scores is not None:
        return [BaselineNoted(client_id=_client(case), baseline_scores=command.baseline_scores,
                              baseline_form=command.baseline_form)]
    return []


def _facts_before_opening(command: Command) -> list[DomainEvent]:
    if isinstance(command, (ChangeCoordinator, TrackGoal, NotePlan, NotePlanRevision, NoteBudgetUse,
                            NoteBudgetClosed, MarkOverdue, EvaluatePlan, NoteConsent, NoteMunicipality,
                            EndResponsibility)):
        return []  # heard before intake completed (or for a client never through intake): nothing to follow
    raise RuleViolation("the client has no follow-up case")


def _note_plan(command: NotePlan, case: FollowUp, client_id: UUID) -> list[DomainEvent]:
    if case.plan is not None:
        return []  # a budget is decided once; later changes arrive as revisions
    events: list[DomainEvent] = [BudgetPlanNoted(client_id=client_id, **command.model_dump(exclude={"rhythm"}))]
    if case.status == "open" and case.coordinator_id is not None:
        events.append(FollowUpScheduled(client_id=client_id, number=len(case.dues) + 1, kind="first_check_in",
                                        due_at=command.decided_at + command.rhythm.first_check_in,
                                        coordinator_id=case.coordinator_id))
    return events


def _note_revision(command: NotePlanRevision, case: FollowUp, client_id: UUID) -> list[DomainEvent]:
    plan = case.plan
    if plan is None:
        return []
    return [BudgetPlanNoted(client_id=client_id, decision_number=plan.decision_number, decided_at=plan.decided_at,
                            period=plan.period, amount_cents=command.amount_cents, breakdown=command.breakdown,
                            revision_number=command.revision_number)]


def _note_use(command: NoteBudgetUse, case: FollowUp, client_id: UUID) -> list[DomainEvent]:
    """Mirrors budgeting: a reservation is held per order until it is released or settled by an invoice (or, for a
    support-person agreement, drawn down by each claim and released at its end)."""
    before = case.orders.get(command.order_id)
    match command.change:
        case "reserved":
            if before is not None and before.reserved_cents:
                return []  # the same reservation heard again
            after = OrderUse(command.category or "", command.amount_cents, before.spent_cents if before else 0)
        case "released":
            if before is None or not before.reserved_cents:
                return []
            after = replace(before, reserved_cents=0)
        case "spent":
            category = command.category or (before.category if before else "")
            # an invoice settles its order's whole reservation; a claim spends part of its agreement's
            left = max(0, before.reserved_cents - command.amount_cents) if before and command.draws_down else 0
            after = OrderUse(category, left, (before.spent_cents if before else 0) + command.amount_cents)
    return [BudgetUseNoted(client_id=client_id, order_id=command.order_id, category=after.category,
                           reserved_cents=after.reserved_cents, spent_cents=after.spent_cents)]


def _check_in(command: RecordCheckIn, case: FollowUp, client_id: UUID) -> list[DomainEvent]:
    pending = case.pending
    events: list[DomainEvent] = [CheckInRecorded(
        client_id=client_id, follow_up_number=pending.number if pending else None, contact_type=command.contact_type,
        client_account=command.client_account, worker_notes=command.worker_notes, recorded_by=command.recorded_by,
    )]
    plan = case.plan
    if pending is None or plan is None or case.budget_closed or case.coordinator_id is None:
        return events  # no follow-up was due: the rhythm is not started by a check-in of its own
    due_at = command.now + command.rhythm.every
    if due_at < period_bounds(plan.period)[1]:
        events.append(FollowUpScheduled(client_id=client_id, number=len(case.dues) + 1, kind="check_in",
                                        due_at=due_at, coordinator_id=case.coordinator_id))
    return events


def _overdue(command: MarkOverdue, case: FollowUp, client_id: UUID) -> list[DomainEvent]:
    due = next((d for d in case.dues if d.number == command.number), None)
    if case.status == "closed" or due is None or due.done or due.overdue or case.coordinator_id is None:
        return []
    return [FollowUpOverdue(client_id=client_id, number=due.number, due_at=due.due_at,
                            coordinator_id=case.coordinator_id)]


def _require_reviewable(case: FollowUp) -> Plan:
    if case.plan is None:
        raise RuleViolation("there is no decided budget to review")
    if case.budget_closed:
        raise RuleViolation("the budget is closed")
    return case.plan


def _evaluate(command: EvaluatePlan, case: FollowUp, client_id: UUID) -> list[DomainEvent]:
    if case.status == "closed" or case.plan is None or case.budget_closed:
        return []
    elapsed = elapsed_share(case.plan.period, command.now)
    if elapsed < MID_PERIOD:
        return []
    findings: dict[ReviewRule, str] = {}
    used = case.used_cents / case.plan.amount_cents
    if used < LOW_USE_SHARE:
        findings["low_use_at_mid_period"] = f"{elapsed:.0%} of the period has passed and {used:.0%} of the budget is in use"
    scored = [g for g in case.goals.values() if g.level is not None]
    if scored and all(g.level is not None and g.level <= g.baseline_level for g in scored):
        findings["goals_not_progressing"] = (f"{elapsed:.0%} of the period has passed and none of the "
                                             f"{len(scored)} scored goals is above where it started")
    return [PlanReviewRequested(client_id=client_id, review_id=uuid5(client_id, rule), requested_by="rule", rule=rule,
                                finding=finding)
            for rule, finding in findings.items() if rule not in case.rules_raised]


# --- evolve ------------------------------------------------------------------------------------------


def evolve(case: FollowUp, event: DomainEvent) -> FollowUp:
    return _apply(event, case)


@singledispatch
def _apply(event: DomainEvent, case: FollowUp) -> FollowUp:
    raise TypeError(f"follow-up cannot apply {type(event).__name__}")


@_apply.register
def _(e: FollowUpOpened, c: FollowUp) -> FollowUp:
    return replace(c, client_id=e.client_id, status="open", coordinator_id=e.coordinator_id,
                   municipality=e.municipality, service_task=e.service_task, baseline=e.baseline_scores,
                   baseline_form=e.baseline_form)


@_apply.register
def _(e: BaselineNoted, c: FollowUp) -> FollowUp:
    return replace(c, baseline=e.baseline_scores, baseline_form=e.baseline_form)


@_apply.register
def _(e: CoordinatorChanged, c: FollowUp) -> FollowUp:
    return replace(c, coordinator_id=e.coordinator_id)


@_apply.register
def _(e: GoalTracked, c: FollowUp) -> FollowUp:
    return replace(c, goals={**c.goals, e.goal_id: Goal(e.weight, e.baseline_level)})


@_apply.register
def _(e: BudgetPlanNoted, c: FollowUp) -> FollowUp:
    answered = c.review_open and e.revision_number > 0
    return replace(c, plan=Plan(e.decision_number, e.decided_at, e.period, e.amount_cents, dict(e.breakdown)),
                   review_open=c.review_open and not answered)


@_apply.register
def _(e: BudgetUseNoted, c: FollowUp) -> FollowUp:
    return replace(c, orders={**c.orders, e.order_id: OrderUse(e.category, e.reserved_cents, e.spent_cents)})


@_apply.register
def _(e: BudgetClosureNoted, c: FollowUp) -> FollowUp:
    return replace(c, budget_closed=True)


@_apply.register
def _(e: FollowUpScheduled, c: FollowUp) -> FollowUp:
    return replace(c, dues=(*c.dues, Due(e.number, e.kind, e.due_at)))


@_apply.register
def _(e: CheckInRecorded, c: FollowUp) -> FollowUp:
    if e.follow_up_number is None:
        return c
    return replace(c, dues=tuple(replace(d, done=True) if d.number == e.follow_up_number else d for d in c.dues))


@_apply.register
def _(e: GoalAttainmentRecorded, c: FollowUp) -> FollowUp:
    return replace(c, goals={**c.goals, e.goal_id: replace(c.goals[e.goal_id], level=e.level)})


@_apply.register
def _(e: ReassessmentRecorded, c: FollowUp) -> FollowUp:
    return replace(c, latest=e.scores, latest_form=e.form)


@_apply.register
def _(e: FollowUpOverdue, c: FollowUp) -> FollowUp:
    return replace(c, dues=tuple(replace(d, overdue=True) if d.number == e.number else d for d in c.dues))


@_apply.register
def _(e: PlanReviewRequested, c: FollowUp) -> FollowUp:
    raised = c.rules_raised | {e.rule} if e.rule is not None else c.rules_raised
    return replace(c, rules_raised=raised, reviews_requested=c.reviews_requested + 1,
                   review_open=c.review_open or e.requested_by != "rule")


@_apply.register
def _(e: CaseClosed, c: FollowUp) -> FollowUp:
    return replace(c, status="closed", closure_reason=e.reason)


@_apply.register
def _(e: ConsentNoted, c: FollowUp) -> FollowUp:
    return replace(c, consent_withdrawn=e.consent == "withdrawn")


@_apply.register
def _(e: MunicipalityNoted, c: FollowUp) -> FollowUp:
    return replace(c, moves=(*c.moves, (e.effective_from, e.municipality)))


@_apply.register
def _(e: OwnCheckInRecorded, c: FollowUp) -> FollowUp:
    return c


@_apply.register
def _(e: CaseEndRequested, c: FollowUp) -> FollowUp:
    return replace(c, end_request=e.request_id)


@_apply.register
def _(e: CaseEndRequestAnswered, c: FollowUp) -> FollowUp:
    return replace(c, end_request=None)
