"""Follow-up's command handlers: each turns an application command into the domain's, after the pipeline has
found the case (404), asked the policy (403) and checked the version the caller saw (409). Rules live in
domain/followup.py, access rules in application/policy.py.

Every deadline is a durable timer (shared/infra/timers.py) written in the same transaction as the event that
starts the wait (``recorded``): a follow-up's due time (FollowUpOverdue when it passes undone) and mid-period
(the rules' look at the plan). The timer fires in one transaction with the events it appends (``TIMERS``), so a
reminder is raised once per due time, also when the service restarts around it. Commands on a case queue
behind the case's lock (``serialize=True``): a check-in and a timer firing at once are decided one after another.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from uuid import UUID, uuid4

from contracts.followup import BudgetPlanNoted, FollowUpScheduled, registry
from services.followup.adapters import postgres
from services.followup.application import commands as c
from services.followup.application.policy import policy
from services.followup.domain import followup as domain
from services.followup.domain.effectiveness import ClientFigures
from shared.infra import timers
from shared.infra.aggregate import Aggregate
from shared.infra.eventstore import Session
from shared.infra.pipeline import AggregateSpec, Given, Handlers, Route, TimerCommand
from shared.kernel.calendar import county_day
from shared.kernel.envelope import EventEnvelope

AGGREGATE = Aggregate(domain.INITIAL, domain.evolve, domain.decide, registry)
OVERDUE_TIMER = "followup-overdue"
PLAN_RULES_TIMER = "plan-review-rules"


def stream_of(client_id: UUID) -> str:
    return f"followup-{client_id}"


async def recorded(session: Session, case: domain.FollowUp, envelopes: Sequence[EventEnvelope]) -> None:
    """In the command's transaction: the projection, and a durable timer for each deadline it started."""
    await postgres.project_followup(session, case, envelopes)
    for envelope in envelopes:
        event = registry.load(envelope.type, envelope.schema_version, envelope.data)
        payload = {"client_id": envelope.subject, "correlation_id": envelope.correlation_id}
        if isinstance(event, FollowUpScheduled):
            await timers.schedule(session, OVERDUE_TIMER, f"{envelope.subject}:{event.due_at.isoformat()}",
                                  event.due_at, {**payload, "number": event.number})
        elif isinstance(event, BudgetPlanNoted) and event.revision_number == 0:
            mid = domain.mid_period(event.period)
            await timers.schedule(session, PLAN_RULES_TIMER, f"{envelope.subject}:{mid.isoformat()}", mid, payload)


CASE = AggregateSpec(
    AGGREGATE, stream_of=lambda cmd: stream_of(cmd.client_id), subject_of=lambda cmd: str(cmd.client_id),
    exists=lambda case: case.status != "none", not_found="the client has no follow-up case", policy=policy,
    projector=recorded, serialize=True,
)


@dataclass(frozen=True)
class Ports:
    """What follow-up's handlers and views need beyond the store and the keyring."""

    rhythm: Callable[[str | None], domain.Rhythm]  # when follow-ups fall due, by municipality
    list_followups: Callable[..., Awaitable[list[dict[str, Any]]]]  # the work list (projection)
    count_followups: Callable[..., Awaitable[int]]  # how long the whole work list is
    region_figures: Callable[[], Awaitable[list[ClientFigures]]]  # every client's figures (projection)


Given_ = Given[domain.FollowUp, Ports]
# Who filled in a re-assessment: the client, their representative for them, or the worker with the client.
FILLED_IN_BY: dict[str, Literal["client", "representative"]] = {"client": "client", "representative": "representative"}


# --- from people ---------------------------------------------------------------------------------------------

async def check_in(cmd: c.RecordCheckIn, given: Given_) -> domain.RecordCheckIn:
    account, notes = await given.keyring.seal(str(cmd.client_id), cmd.client_account, cmd.worker_notes)
    return domain.RecordCheckIn(contact_type=cmd.contact_type, client_account=account, worker_notes=notes,
                                recorded_by=given.principal.user_id, now=given.context.now,
                                rhythm=_rhythm(given, given.context.now))


def _rhythm(given: Given_, at: datetime) -> domain.Rhythm:
    """The rhythm of the municipality the client lives in on that day."""
    return given.deps.rhythm(given.state.municipality_on(county_day(at)))


async def score_goal(cmd: c.ScoreGoal, given: Given_) -> domain.RecordGoalAttainment:
    return domain.RecordGoalAttainment(goal_id=cmd.goal_id, level=cmd.level, recorded_by=given.principal.user_id)


async def reassess(cmd: c.Reassess, given: Given_) -> domain.RecordReassessment:
    (sealed,) = await given.keyring.seal(str(cmd.client_id), cmd.own_words) if cmd.own_words else (None,)
    return domain.RecordReassessment(
        assessment_id=uuid4(), scores=cmd.scores, own_words=sealed,
        filled_in_by=FILLED_IN_BY.get(given.principal.role, "worker_with_client"), form=cmd.form)


async def request_review(cmd: c.RequestPlanReview, given: Given_) -> domain.RequestPlanReview:
    (sealed,) = await given.keyring.seal(str(cmd.client_id), cmd.reason) if cmd.reason else (None,)
    # A representative asks on the client's side (the event's actor says who asked).
    requested_by: Literal["client", "worker"] = "worker" if given.principal.role == "worker" else "client"
    return domain.RequestPlanReview(review_id=uuid4(), requested_by=requested_by, reason=sealed)


async def close(cmd: c.CloseCase, given: Given_) -> domain.CloseCase:
    (sealed,) = await given.keyring.seal(str(cmd.client_id), cmd.note) if cmd.note else (None,)
    return domain.CloseCase(reason=cmd.reason, note=sealed, closed_by=given.principal.user_id)


async def own_check_in(cmd: c.RecordOwnCheckIn, given: Given_) -> domain.RecordOwnCheckIn:
    (account,) = await given.keyring.seal(str(cmd.client_id), cmd.text)
    return domain.RecordOwnCheckIn(check_in_id=uuid4(), account=account, by=_by(given))


async def request_end(cmd: c.RequestCaseEnd, given: Given_) -> domain.RequestCaseEnd:
    (reason,) = await given.keyring.seal(str(cmd.client_id), cmd.reason) if cmd.reason else (None,)
    return domain.RequestCaseEnd(request_id=uuid4(), reason=reason, by=_by(given))


async def answer_end(cmd: c.AnswerCaseEndRequest, given: Given_) -> domain.AnswerCaseEndRequest:
    (note,) = await given.keyring.seal(str(cmd.client_id), cmd.note) if cmd.note else (None,)
    return domain.AnswerCaseEndRequest(request_id=cmd.request_id, answer=cmd.answer, note=note,
                                       answered_by=given.principal.user_id)


def _by(given: Given_) -> Literal["client", "representative"]:
    """The client in their own words, or their representative for them (the event's actor names which one)."""
    return "representative" if given.principal.role == "representative" else "client"


# --- from other services' events -----------------------------------------------------------------------------

async def open_followup(cmd: c.OpenFollowUp, given: Given_) -> domain.OpenFollowUp:
    return domain.OpenFollowUp(**cmd.model_dump(exclude={"expected_version"}))


async def change_coordinator(cmd: c.ChangeCoordinator, given: Given_) -> domain.ChangeCoordinator:
    return domain.ChangeCoordinator(coordinator_id=cmd.coordinator_id)


async def track_goal(cmd: c.TrackGoal, given: Given_) -> domain.TrackGoal:
    return domain.TrackGoal(goal_id=cmd.goal_id, weight=cmd.weight, baseline_level=cmd.baseline_level)


async def note_plan(cmd: c.NotePlan, given: Given_) -> domain.NotePlan:
    return domain.NotePlan(decision_number=cmd.decision_number, decided_at=cmd.decided_at, period=cmd.period,
                           amount_cents=cmd.amount_cents, breakdown=cmd.breakdown,
                           rhythm=_rhythm(given, cmd.decided_at))


async def note_revision(cmd: c.NotePlanRevision, given: Given_) -> domain.NotePlanRevision:
    return domain.NotePlanRevision(revision_number=cmd.revision_number, amount_cents=cmd.amount_cents,
                                   breakdown=cmd.breakdown)


async def note_use(cmd: c.NoteBudgetUse, given: Given_) -> domain.NoteBudgetUse:
    return domain.NoteBudgetUse(order_id=cmd.order_id, change=cmd.change, amount_cents=cmd.amount_cents,
                                category=cmd.category, draws_down=cmd.draws_down)


async def note_budget_closed(cmd: c.NoteBudgetClosed, given: Given_) -> domain.NoteBudgetClosed:
    return domain.NoteBudgetClosed(reason=cmd.reason)


async def note_consent(cmd: c.NoteConsent, given: Given_) -> domain.NoteConsent:
    return domain.NoteConsent(consent=cmd.consent)


async def note_municipality(cmd: c.NoteMunicipality, given: Given_) -> domain.NoteMunicipality:
    return domain.NoteMunicipality(municipality=cmd.municipality, effective_from=cmd.effective_from)


async def end_responsibility(cmd: c.EndResponsibility, given: Given_) -> domain.EndResponsibility:
    return domain.EndResponsibility(decided_by=cmd.decided_by)


# --- from the service's own deadlines ------------------------------------------------------------------------

async def mark_overdue(cmd: c.MarkOverdue, given: Given_) -> domain.MarkOverdue:
    """The follow-up's due time passed: a reminder, unless it was done (or the case closed) meanwhile."""
    return domain.MarkOverdue(number=cmd.number)


async def evaluate(cmd: c.EvaluatePlan, given: Given_) -> domain.EvaluatePlan:
    return domain.EvaluatePlan(now=given.context.now)


# A reaction or a timer acts on a case only once there is one ("skip"), except opening it ("decide").
HANDLERS: Handlers = {
    c.RecordCheckIn: Route(CASE, check_in),
    c.ScoreGoal: Route(CASE, score_goal),
    c.Reassess: Route(CASE, reassess),
    c.RequestPlanReview: Route(CASE, request_review),
    c.CloseCase: Route(CASE, close),
    c.RecordOwnCheckIn: Route(CASE, own_check_in),
    c.RequestCaseEnd: Route(CASE, request_end),
    c.AnswerCaseEndRequest: Route(CASE, answer_end),
    c.OpenFollowUp: Route(CASE, open_followup, missing="decide"),
    c.ChangeCoordinator: Route(CASE, change_coordinator, missing="skip"),
    c.TrackGoal: Route(CASE, track_goal, missing="skip"),
    c.NotePlan: Route(CASE, note_plan, missing="skip"),
    c.NotePlanRevision: Route(CASE, note_revision, missing="skip"),
    c.NoteBudgetUse: Route(CASE, note_use, missing="skip"),
    c.NoteBudgetClosed: Route(CASE, note_budget_closed, missing="skip"),
    c.NoteConsent: Route(CASE, note_consent, missing="skip"),
    c.NoteMunicipality: Route(CASE, note_municipality, missing="skip"),
    c.EndResponsibility: Route(CASE, end_responsibility, missing="skip"),
    c.MarkOverdue: Route(CASE, mark_overdue, missing="skip"),
    c.EvaluatePlan: Route(CASE, evaluate, missing="skip"),
}

# Each due timer → the command it becomes (the timer's payload names the client).
TIMERS: dict[str, TimerCommand] = {
    OVERDUE_TIMER: lambda t: c.MarkOverdue(client_id=UUID(t.payload["client_id"]), number=t.payload["number"]),
    PLAN_RULES_TIMER: lambda t: c.EvaluatePlan(client_id=UUID(t.payload["client_id"])),
}


def ports(pool: Any, rhythm: Callable[[str | None], domain.Rhythm]) -> Ports:
    """The ports on PostgreSQL (the bootstrap's; tests build their own)."""

    async def list_followups(**filters: Any) -> list[dict[str, Any]]:
        return await postgres.list_followups(pool, **filters)

    async def count_followups(**filters: Any) -> int:
        return await postgres.count_followups(pool, **filters)

    async def region_figures() -> list[ClientFigures]:
        return await postgres.region_figures(pool)

    return Ports(rhythm, list_followups, count_followups, region_figures)
