"""Follow-up's command handlers (HTTP), its process manager (events from intake and budgeting) and its timers.

Every deadline is a durable timer (shared.timers) written in the same transaction as the event that
starts the wait: a follow-up's due time (FollowUpOverdue when it passes undone) and mid-period (the rules'
look at the plan). The timer fires in one transaction with the events it appends, so a reminder is raised
once per due time, also when the service restarts around it. Commands on a case queue behind the case's
lock (CommandRunner(serialize=True)): a check-in and a timer firing at once are decided one after another.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Literal
from uuid import UUID, uuid4

import asyncpg

from contracts import budgeting as budgeting_events
from contracts import intake as intake_events
from contracts.followup import BudgetPlanNoted, ClosureReason, ContactType, FollowUpScheduled, registry
from contracts.intake import SelfAssessmentScores
from services.followup.adapters import postgres
from services.followup.application.policy import Action, authorize, authorize_region
from services.followup.domain import followup as domain
from services.followup.domain.effectiveness import ClientFigures, RegionFigures, figures_of, region
from shared.infra import timers
from shared.infra.aggregate import Aggregate, CommandRunner, Executed, Loaded
from shared.infra.crypto import Keyring
from shared.infra.eventstore import CommandContext
from shared.infra.postgres_store import PostgresEventStore
from shared.kernel.envelope import Actor, EventEnvelope
from shared.kernel.errors import NotFound
from shared.kernel.events import DomainEvent
from shared.kernel.principal import Principal

AGGREGATE = Aggregate(domain.INITIAL, domain.evolve, domain.decide, registry)
SYSTEM = Actor(id="followup", role="system")
OVERDUE_TIMER = "followup-overdue"
PLAN_RULES_TIMER = "plan-review-rules"


def stream_of(client_id: UUID) -> str:
    return f"followup-{client_id}"


class FollowUpApplication:
    def __init__(self, store: PostgresEventStore, keyring: Keyring, rhythm: Callable[[str | None], domain.Rhythm]) -> None:
        self.store = store
        self.keyring = keyring
        self._rhythm = rhythm
        self.runner = CommandRunner(store, AGGREGATE, self._recorded, serialize=True)

    async def _recorded(self, conn: asyncpg.Connection, case: domain.FollowUp, envelopes: Sequence[EventEnvelope]) -> None:
        """In the command's transaction: the projection, and a durable timer for each deadline it started."""
        await postgres.project_followup(conn, case, envelopes)
        for envelope in envelopes:
            event = registry.load(envelope.type, envelope.schema_version, envelope.data)
            payload = {"client_id": envelope.subject, "correlation_id": envelope.correlation_id}
            if isinstance(event, FollowUpScheduled):
                await timers.schedule(conn, OVERDUE_TIMER, f"{envelope.subject}:{event.due_at.isoformat()}",
                                      event.due_at, {**payload, "number": event.number})
            elif isinstance(event, BudgetPlanNoted) and event.revision_number == 0:
                mid = domain.mid_period(event.period)
                await timers.schedule(conn, PLAN_RULES_TIMER, f"{envelope.subject}:{mid.isoformat()}", mid, payload)

    # --- reading -------------------------------------------------------------------------------------------

    async def load(self, client_id: UUID, conn: asyncpg.Connection | None = None) -> Loaded[domain.FollowUp]:
        loaded = await self.runner.load(stream_of(client_id), conn)
        self._exists(loaded.state)
        return loaded

    @staticmethod
    def _exists(state: domain.FollowUp) -> None:
        if state.status == "none":
            raise NotFound("the client has no follow-up case")

    async def read(self, client_id: UUID, principal: Principal) -> Loaded[domain.FollowUp]:
        loaded = await self.load(client_id)
        authorize(principal, "read", loaded.state)
        return loaded

    async def client_effectiveness(self, client_id: UUID, principal: Principal) -> ClientFigures:
        return figures_of((await self.read(client_id, principal)).state)

    async def region_effectiveness(self, principal: Principal) -> RegionFigures:
        authorize_region(principal)
        return region(await postgres.region_figures(self.store.pool))

    # --- commands from people ------------------------------------------------------------------------------

    async def _precheck(self, client_id: UUID, action: Action, principal: Principal) -> domain.FollowUp:
        """404, then 403, before any work such as sealing text with the client's key."""
        state = (await self.runner.current(stream_of(client_id))).state
        self._exists(state)
        authorize(principal, action, state)
        return state

    async def _run(self, client_id: UUID, action: Action, command: domain.Command, principal: Principal,
                   ctx: CommandContext, expected_version: int | None) -> Executed[domain.FollowUp]:
        return await self.runner.execute(
            stream_of(client_id), command, ctx, subject=str(client_id), expected_version=expected_version,
            authorize=lambda case: authorize(principal, action, case),
        )

    async def check_in(self, client_id: UUID, contact_type: ContactType, client_account: str, worker_notes: str,
                       principal: Principal, ctx: CommandContext, expected_version: int | None = None
                       ) -> Executed[domain.FollowUp]:
        state = await self._precheck(client_id, "check_in", principal)
        account, notes = await self.keyring.seal(str(client_id), client_account, worker_notes)
        command = domain.RecordCheckIn(contact_type=contact_type, client_account=account, worker_notes=notes,
                                       recorded_by=principal.user_id, now=ctx.now, rhythm=self._rhythm(state.municipality))
        return await self._run(client_id, "check_in", command, principal, ctx, expected_version)

    async def score_goal(self, client_id: UUID, goal_id: UUID, level: int, principal: Principal, ctx: CommandContext,
                         expected_version: int | None = None) -> Executed[domain.FollowUp]:
        await self._precheck(client_id, "score_goal", principal)
        command = domain.RecordGoalAttainment(goal_id=goal_id, level=level, recorded_by=principal.user_id)
        return await self._run(client_id, "score_goal", command, principal, ctx, expected_version)

    async def reassess(self, client_id: UUID, scores: SelfAssessmentScores, own_words: str | None, principal: Principal,
                       ctx: CommandContext, expected_version: int | None = None) -> Executed[domain.FollowUp]:
        await self._precheck(client_id, "reassess", principal)
        (sealed,) = await self.keyring.seal(str(client_id), own_words) if own_words else (None,)
        command = domain.RecordReassessment(
            assessment_id=uuid4(), scores=scores, own_words=sealed,
            filled_in_by="client" if principal.role == "client" else "worker_with_client")
        return await self._run(client_id, "reassess", command, principal, ctx, expected_version)

    async def request_review(self, client_id: UUID, reason: str | None, principal: Principal, ctx: CommandContext,
                             expected_version: int | None = None) -> Executed[domain.FollowUp]:
        await self._precheck(client_id, "request_review", principal)
        (sealed,) = await self.keyring.seal(str(client_id), reason) if reason else (None,)
        requested_by: Literal["client", "worker"] = "client" if principal.role == "client" else "worker"
        command = domain.RequestPlanReview(review_id=uuid4(), requested_by=requested_by, reason=sealed)
        return await self._run(client_id, "request_review", command, principal, ctx, expected_version)

    async def close(self, client_id: UUID, reason: ClosureReason, note: str | None, principal: Principal,
                    ctx: CommandContext, expected_version: int | None = None) -> Executed[domain.FollowUp]:
        await self._precheck(client_id, "close", principal)
        (sealed,) = await self.keyring.seal(str(client_id), note) if note else (None,)
        command = domain.CloseCase(reason=reason, note=sealed, closed_by=principal.user_id)
        return await self._run(client_id, "close", command, principal, ctx, expected_version)

    # --- the process manager: events from other services ---------------------------------------------------

    async def on_event(self, conn: asyncpg.Connection, envelope: EventEnvelope) -> None:
        """Turns another service's event into a command on the case, inside the consumer's inbox transaction."""
        client_id = UUID(envelope.subject)
        command = await self._command_for(conn, client_id, envelope)
        if command is not None:
            await self._as_system(conn, client_id, command, envelope.correlation_id, str(envelope.id))

    async def _as_system(self, conn: asyncpg.Connection, client_id: UUID, command: domain.Command, correlation_id: str,
                         causation_id: str | None) -> None:
        ctx = CommandContext(actor=SYSTEM, correlation_id=correlation_id, causation_id=causation_id, now=datetime.now(UTC))
        await self.runner.execute(stream_of(client_id), command, ctx, subject=str(client_id), conn=conn)

    async def _command_for(self, conn: asyncpg.Connection, client_id: UUID, envelope: EventEnvelope
                           ) -> domain.Command | None:
        source = intake_events.registry if envelope.type in intake_events.registry else budgeting_events.registry
        if envelope.type not in source:
            return None
        event = source.load(envelope.type, envelope.schema_version, envelope.data)
        match event:
            case intake_events.IntakeCompleted() | budgeting_events.BudgetOpened():
                baseline = event.baseline_scores if isinstance(event, intake_events.IntakeCompleted) else None
                intake_id = envelope.id if isinstance(event, intake_events.IntakeCompleted) else event.intake_event_id
                return domain.OpenFollowUp(client_id=event.client_id, coordinator_id=event.coordinator_id,
                                           municipality=event.municipality, service_task=event.service_task,
                                           intake_event_id=intake_id, baseline_scores=baseline)
            case intake_events.CoordinatorAssigned():
                return domain.ChangeCoordinator(coordinator_id=event.worker_id)
            case budgeting_events.GoalSet():
                return domain.TrackGoal(goal_id=event.goal_id, weight=event.weight, baseline_level=event.baseline_level)
            case budgeting_events.BudgetDecided():
                rhythm = self._rhythm(await postgres.municipality_of(conn, client_id))
                return domain.NotePlan(decision_number=event.decision_number, decided_at=envelope.time,
                                       period=event.period, amount_cents=event.amount_cents, breakdown=event.breakdown,
                                       rhythm=rhythm)
            case budgeting_events.BudgetRevised():
                return domain.NotePlanRevision(revision_number=event.revision_number, amount_cents=event.amount_cents,
                                               breakdown=event.breakdown)
            case budgeting_events.FundsReserved():
                return domain.NoteBudgetUse(order_id=event.order_id, change="reserved", amount_cents=event.amount_cents,
                                            category=event.category)
            case budgeting_events.FundsReleased():
                if event.reason == "invoice_below_reservation":
                    return None  # the invoice's SpendingRecorded already settled the whole reservation
                return domain.NoteBudgetUse(order_id=event.order_id, change="released", amount_cents=event.amount_cents)
            case budgeting_events.SpendingRecorded():
                return domain.NoteBudgetUse(order_id=event.order_id, change="spent", amount_cents=event.amount_cents,
                                            category=event.category)
            case budgeting_events.BudgetClosed():
                return domain.NoteBudgetClosed(reason=event.reason)
        return None

    # --- timers: each fires once, in a transaction with the events it appends --------------------------------

    async def on_overdue_timer(self, conn: asyncpg.Connection, timer: timers.Timer) -> None:
        """The follow-up's due time passed: a reminder, unless it was done (or the case closed) meanwhile."""
        command = domain.MarkOverdue(number=timer.payload["number"])
        await self._as_system(conn, UUID(timer.payload["client_id"]), command, timer.payload["correlation_id"], None)

    async def on_plan_rules_timer(self, conn: asyncpg.Connection, timer: timers.Timer) -> None:
        """Mid-period: the rules look at the plan and may ask for a review."""
        command = domain.EvaluatePlan(now=datetime.now(UTC))
        await self._as_system(conn, UUID(timer.payload["client_id"]), command, timer.payload["correlation_id"], None)

    def timer_handlers(self) -> dict[str, timers.TimerHandler]:
        return {OVERDUE_TIMER: self.on_overdue_timer, PLAN_RULES_TIMER: self.on_plan_rules_timer}


CONSUMED: list[type[DomainEvent]] = [
    intake_events.IntakeCompleted, intake_events.CoordinatorAssigned,
    budgeting_events.BudgetOpened, budgeting_events.GoalSet, budgeting_events.BudgetDecided,
    budgeting_events.BudgetRevised, budgeting_events.FundsReserved, budgeting_events.FundsReleased,
    budgeting_events.SpendingRecorded, budgeting_events.BudgetClosed,
]
CONSUMED_TYPES = frozenset(e.event_type for e in CONSUMED)
