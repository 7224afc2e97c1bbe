"""Follow-up's events, version 1. Topic ``avain.followup.events.v1``, key = client id.

One follow-up case per client (stream ``followup-<client id>``), opened when intake completes. When the
budget is decided, follow-ups are scheduled (a first check-in, then a rhythm set per municipality); each
is numbered, and a follow-up not done by its due time raises one ``FollowUpOverdue``. Facts heard from
intake and budgeting (the baseline self-assessment, goals and their weights, the decided plan, the use of
the budget) are recorded here as follow-up's own events, so the case folds from its own stream alone.
Budgeting consumes ``PlanReviewRequested`` and ``CaseClosed``. Free text about the client (their own
account, the worker's notes, reasons) is sealed with the client's key; scores, levels and money in clear.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import Field

from contracts.budgeting import Period
from contracts.intake import AssessmentForm, SelfAssessmentScores, ServiceTask
from shared.kernel.events import DomainEvent, EventRegistry
from shared.kernel.sealed import Sealed

ContactType = Literal["meeting", "phone", "video", "home_visit", "message"]
ReviewRule = Literal["low_use_at_mid_period", "goals_not_progressing"]
ClosureReason = Literal["goals_achieved", "client_request", "needs_changed", "moved_away", "period_ended",
                        "deceased", "other"]


class FollowUpOpened(DomainEvent):
    """Intake completed: the client's follow-up case, with the self-assessment to measure change against.

    Opened by whichever is heard first, intake's IntakeCompleted or budgeting's BudgetOpened (two topics
    keep no order between them); the baseline then arrives as BaselineNoted."""

    event_type = "fi.avain.followup.FollowUpOpened"

    client_id: UUID
    coordinator_id: str
    municipality: str
    service_task: ServiceTask
    baseline_scores: SelfAssessmentScores | None = None
    baseline_form: AssessmentForm = Field("adult", description="The form of the baseline: adult or children's")
    intake_event_id: UUID


class BaselineNoted(DomainEvent):
    """The self-assessment at intake completion, when the case was opened from budgeting's event first."""

    event_type = "fi.avain.followup.BaselineNoted"

    client_id: UUID
    baseline_scores: SelfAssessmentScores
    baseline_form: AssessmentForm = Field("adult", description="The form of the baseline: adult or children's")


class CoordinatorChanged(DomainEvent):
    event_type = "fi.avain.followup.CoordinatorChanged"

    client_id: UUID
    coordinator_id: str


class GoalTracked(DomainEvent):
    """A goal set in the plan (budgeting's GoalSet): its GAS weight and where the client started."""

    event_type = "fi.avain.followup.GoalTracked"

    client_id: UUID
    goal_id: UUID
    weight: int = Field(ge=1, le=10)
    baseline_level: int = Field(ge=-2, le=2)


class BudgetPlanNoted(DomainEvent):
    """The decided budget (or a revision of it): what the budget use is measured against."""

    event_type = "fi.avain.followup.BudgetPlanNoted"

    client_id: UUID
    decision_number: str
    decided_at: datetime
    period: Period
    amount_cents: int = Field(gt=0)
    breakdown: dict[str, int]
    revision_number: int = Field(0, ge=0)


class BudgetUseNoted(DomainEvent):
    """Budgeting reserved, released or spent funds for an order: where that order now stands."""

    event_type = "fi.avain.followup.BudgetUseNoted"

    client_id: UUID
    order_id: UUID
    category: str
    reserved_cents: int = Field(ge=0, description="Still reserved for this order")
    spent_cents: int = Field(ge=0, description="Spent on this order so far")


class BudgetClosureNoted(DomainEvent):
    event_type = "fi.avain.followup.BudgetClosureNoted"

    client_id: UUID
    reason: Literal["period_ended", "case_closed", "intake_declined"]


class FollowUpScheduled(DomainEvent):
    """A follow-up is due: the first check-in after the decision, then one after each check-in."""

    event_type = "fi.avain.followup.FollowUpScheduled"

    client_id: UUID
    number: int = Field(ge=1)
    kind: Literal["first_check_in", "check_in"]
    due_at: datetime
    coordinator_id: str


class CheckInRecorded(DomainEvent):
    """A contact with the client: how things are going in their own words, and the worker's notes."""

    event_type = "fi.avain.followup.CheckInRecorded"

    client_id: UUID
    follow_up_number: int | None = Field(None, description="The scheduled follow-up this check-in did, if any")
    contact_type: ContactType
    client_account: Sealed
    worker_notes: Sealed
    recorded_by: str


class GoalAttainmentRecorded(DomainEvent):
    """Where the client stands on a goal, on the GAS scale −2…+2 (0 = the expected outcome)."""

    event_type = "fi.avain.followup.GoalAttainmentRecorded"

    client_id: UUID
    goal_id: UUID
    level: int = Field(ge=-2, le=2)
    recorded_by: str


class ReassessmentRecorded(DomainEvent):
    """The Kykyviisari-style self-assessment again, on the same scales as at intake."""

    event_type = "fi.avain.followup.ReassessmentRecorded"

    client_id: UUID
    assessment_id: UUID
    scores: SelfAssessmentScores
    own_words: Sealed | None = Field(None, description="The client's own account, in their words")
    filled_in_by: Literal["client", "worker_with_client", "representative"]
    form: AssessmentForm = Field("adult", description="The form filled in: adult (0–10) or children's (faces 1–5)")


class FollowUpOverdue(DomainEvent):
    """A reminder for the coordinating worker: the follow-up was not done by its due time. Once per due time."""

    event_type = "fi.avain.followup.FollowUpOverdue"

    client_id: UUID
    number: int = Field(ge=1)
    due_at: datetime
    coordinator_id: str


class PlanReviewRequested(DomainEvent):
    """The client, the worker or a rule asks to review the HB plan; budgeting records it on the budget."""

    event_type = "fi.avain.followup.PlanReviewRequested"

    client_id: UUID
    review_id: UUID
    requested_by: Literal["client", "worker", "rule"]
    rule: ReviewRule | None = None
    reason: Sealed | None = Field(None, description="A person's reason, in their words")
    finding: str | None = Field(None, description="What the rule found (figures only, no personal data)")


class CaseClosed(DomainEvent):
    """The HB case ends; budgeting closes the budget and releases what is still reserved."""

    event_type = "fi.avain.followup.CaseClosed"

    client_id: UUID
    reason: ClosureReason
    note: Sealed | None = None
    closed_by: str


class ConsentNoted(DomainEvent):
    """Intake told that the client withdrew their consent to personal budgeting, or gave it again: while it is
    withdrawn no check-in is accepted."""

    event_type = "fi.avain.followup.ConsentNoted"

    client_id: UUID
    consent: Literal["given", "withdrawn"]


class MunicipalityNoted(DomainEvent):
    """Intake told of a move within the county: the rhythm of follow-ups, and the region's figures, use the
    municipality in force on the day that matters."""

    event_type = "fi.avain.followup.MunicipalityNoted"

    client_id: UUID
    municipality: str
    effective_from: date


class OwnCheckInRecorded(DomainEvent):
    """How things are going, in the client's own words: recorded by the client, or by their representative for
    them (the event's actor says who). The worker's contact (CheckInRecorded) is another thing: this one does not
    do a scheduled follow-up."""

    event_type = "fi.avain.followup.OwnCheckInRecorded"

    client_id: UUID
    check_in_id: UUID
    account: Sealed
    by: Literal["client", "representative"]


class CaseEndRequested(DomainEvent):
    """The client (or their representative) asks to end the HB case. The worker answers; closing the case stays
    the worker's decision."""

    event_type = "fi.avain.followup.CaseEndRequested"

    client_id: UUID
    request_id: UUID
    reason: Sealed | None = Field(None, description="Why, in the asker's words")
    by: Literal["client", "representative"]


class CaseEndRequestAnswered(DomainEvent):
    event_type = "fi.avain.followup.CaseEndRequestAnswered"

    client_id: UUID
    request_id: UUID
    answer: Literal["agreed", "declined", "closed"]
    note: Sealed | None = Field(None, description="The worker's answer in words")
    answered_by: str


EVENTS: list[type[DomainEvent]] = [
    FollowUpOpened, BaselineNoted, CoordinatorChanged, GoalTracked, BudgetPlanNoted, BudgetUseNoted, BudgetClosureNoted,
    FollowUpScheduled, CheckInRecorded, GoalAttainmentRecorded, ReassessmentRecorded, FollowUpOverdue,
    PlanReviewRequested, CaseClosed, ConsentNoted, MunicipalityNoted, OwnCheckInRecorded, CaseEndRequested,
    CaseEndRequestAnswered,
]

registry = EventRegistry(EVENTS)
