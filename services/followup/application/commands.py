"""What callers ask of follow-up, one command each: people over HTTP (and the console), the service itself when
intake's or budgeting's events call for it (reactions.py) or a deadline passes (the timer table in handlers.py).
Each carries what the caller knows; texts are in clear until the handler seals them with the client's key.
Handlers: handlers.py; who may send which: policy.py."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import Field

from contracts.budgeting import Period
from contracts.followup import ClosureReason, ContactType
from contracts.intake import AssessmentForm, SelfAssessmentScores, ServiceTask
from shared.kernel.commands import Command


class CaseCommand(Command):
    client_id: UUID  # whose follow-up: the stream is followup-<client_id>


# --- from people ---------------------------------------------------------------------------------------------

class RecordCheckIn(CaseCommand):
    contact_type: ContactType
    client_account: str
    worker_notes: str


class ScoreGoal(CaseCommand):
    goal_id: UUID
    level: int = Field(ge=-2, le=2)


class Reassess(CaseCommand):
    scores: SelfAssessmentScores
    own_words: str | None = None
    form: AssessmentForm | None = None  # None: the baseline's (a child is re-assessed on the children's form)


class RequestPlanReview(CaseCommand):
    reason: str | None = None


class CloseCase(CaseCommand):
    reason: ClosureReason
    note: str | None = None


class RecordOwnCheckIn(CaseCommand):
    """How things are going, in the client's own words (the client, or their representative for them)."""

    text: str


class RequestCaseEnd(CaseCommand):
    """The client asks to end the HB case; the worker answers."""

    reason: str | None = None


class AnswerCaseEndRequest(CaseCommand):
    request_id: UUID
    answer: Literal["agreed", "declined"]
    note: str | None = None


# --- from other services' events (reactions.py) -------------------------------------------------------------

class OpenFollowUp(CaseCommand):
    coordinator_id: str
    municipality: str
    service_task: ServiceTask
    intake_event_id: UUID
    baseline_scores: SelfAssessmentScores | None = None  # None when opened from budgeting's BudgetOpened
    baseline_form: AssessmentForm = "adult"


class ChangeCoordinator(CaseCommand):
    coordinator_id: str


class TrackGoal(CaseCommand):
    goal_id: UUID
    weight: int
    baseline_level: int


class NotePlan(CaseCommand):
    decision_number: str
    decided_at: datetime
    period: Period
    amount_cents: int
    breakdown: dict[str, int]


class NotePlanRevision(CaseCommand):
    revision_number: int
    amount_cents: int
    breakdown: dict[str, int]


class NoteBudgetUse(CaseCommand):
    order_id: UUID
    change: Literal["reserved", "released", "spent"]
    amount_cents: int
    category: str | None = None
    draws_down: bool = False  # a support-person agreement's claim: spends part of the reservation, not all of it


class NoteBudgetClosed(CaseCommand):
    reason: Literal["period_ended", "case_closed", "intake_declined"]


class NoteConsent(CaseCommand):
    consent: Literal["given", "withdrawn"]


class NoteMunicipality(CaseCommand):
    municipality: str
    effective_from: date


class EndResponsibility(CaseCommand):
    """The client moved to another county: intake's decision (by ``decided_by``) ends the case here."""

    decided_by: str


# --- from the service's own deadlines (timers) ---------------------------------------------------------------

class MarkOverdue(CaseCommand):
    number: int


class EvaluatePlan(CaseCommand):
    """Mid-period: the rules look at the plan and may ask for a review."""
