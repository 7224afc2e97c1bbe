"""Budgeting's command handlers (HTTP) and its process manager (events from intake and the marketplace).

Every command on a budget queues behind the budget's lock (CommandRunner(serialize=True)), so 50 orders
arriving at once are decided one after another on fresh state: reserved + spent cannot pass the decided
amount, and each refusal carries its reason.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Literal
from uuid import UUID, uuid4

import asyncpg

from contracts import followup as followup_events
from contracts import intake as intake_events
from contracts import marketplace as market_events
from contracts.budgeting import GasLevels, Period, ProviderType, registry
from services.budgeting.adapters import postgres
from services.budgeting.application.policy import Action, authorize
from services.budgeting.domain import budget as domain
from services.budgeting.domain.advice import Advice, advise
from shared.infra.aggregate import Aggregate, CommandRunner, Executed, Loaded
from shared.infra.crypto import Keyring
from shared.infra.eventstore import CommandContext, EventStore
from shared.kernel.envelope import Actor, EventEnvelope
from shared.kernel.errors import NotFound
from shared.kernel.events import DomainEvent
from shared.kernel.principal import Principal

AGGREGATE = Aggregate(domain.INITIAL, domain.evolve, domain.decide, registry)
SYSTEM = Actor(id="budgeting", role="system")

LEGAL_BASIS = ("Sosiaalihuoltolaki (1301/2014); laki sosiaali- ja terveydenhuollon palvelusetelistä (569/2009)")
APPEAL_INSTRUCTIONS = (
    "Oikaisuvaatimus: tähän päätökseen tyytymätön voi hakea oikaisua 30 päivän kuluessa päätöksen "
    "tiedoksisaannista. Rättelseyrkande inom 30 dagar. Request for rectification within 30 days."
)


ClosureReason = Literal["period_ended", "case_closed", "intake_declined"]


def stream_of(client_id: UUID) -> str:
    return f"budget-{client_id}"


class BudgetingApplication:
    def __init__(self, store: EventStore, keyring: Keyring, authority_limit: Callable[[str | None], int]) -> None:
        self.store = store
        self.keyring = keyring
        self._authority_limit = authority_limit
        self.runner = CommandRunner(store, AGGREGATE, postgres.project_budget, serialize=True)

    # --- reading -------------------------------------------------------------------------------------------

    async def load(self, client_id: UUID, conn: asyncpg.Connection | None = None) -> Loaded[domain.Budget]:
        loaded = await self.runner.load(stream_of(client_id), conn)
        self._exists(loaded.state)
        return loaded

    @staticmethod
    def _exists(state: domain.Budget) -> None:
        if state.status == "none":
            raise NotFound("the client has no budget")

    async def read(self, client_id: UUID, principal: Principal) -> Loaded[domain.Budget]:
        loaded = await self.load(client_id)
        authorize(principal, "read", loaded.state)
        return loaded

    async def advice(self, client_id: UUID, principal: Principal, today: date | None = None) -> Advice:
        loaded = await self.read(client_id, principal)
        return advise(loaded.state, today or datetime.now(UTC).date())

    # --- commands from people ------------------------------------------------------------------------------

    async def _run(self, client_id: UUID, action: Action, command: domain.Command, principal: Principal,
                   ctx: CommandContext, expected_version: int | None) -> Executed[domain.Budget]:
        def allowed(budget: domain.Budget) -> None:  # 404, then 403, on the state the command decides on
            self._exists(budget)
            authorize(principal, action, budget)

        return await self.runner.execute(
            stream_of(client_id), command, ctx, subject=str(client_id), expected_version=expected_version,
            authorize=allowed,
        )

    async def _precheck(self, client_id: UUID, action: Action, principal: Principal) -> domain.Budget:
        """404, then 403, before any work such as sealing text with the client's key."""
        state = (await self.runner.current(stream_of(client_id))).state
        self._exists(state)
        authorize(principal, action, state)
        return state

    async def set_goal(self, client_id: UUID, title: str, levels: dict[str, str], baseline_level: int, weight: int,
                       principal: Principal, ctx: CommandContext, expected_version: int | None = None
                       ) -> Executed[domain.Budget]:
        await self._precheck(client_id, "plan", principal)
        names = list(GasLevels.model_fields)
        sealed = await self.keyring.seal(str(client_id), title, *(levels[n] for n in names))
        command = domain.SetGoal(goal_id=uuid4(), title=sealed[0], levels=GasLevels(**dict(zip(names, sealed[1:],
                                 strict=True))), baseline_level=baseline_level, weight=weight)
        return await self._run(client_id, "plan", command, principal, ctx, expected_version)

    async def plan_support(self, client_id: UUID, category: str, description: str, estimated_cost_cents: int,
                           provider_type: ProviderType, goal_ids: list[UUID], principal: Principal,
                           ctx: CommandContext, expected_version: int | None = None) -> Executed[domain.Budget]:
        await self._precheck(client_id, "plan", principal)
        (sealed,) = await self.keyring.seal(str(client_id), description)
        command = domain.PlanSupport(support_id=uuid4(), category=category, description=sealed,
                                     estimated_cost_cents=estimated_cost_cents, provider_type=provider_type,
                                     goal_ids=goal_ids)
        return await self._run(client_id, "plan", command, principal, ctx, expected_version)

    async def record_wish(self, client_id: UUID, text: str, principal: Principal, ctx: CommandContext,
                          expected_version: int | None = None) -> Executed[domain.Budget]:
        await self._precheck(client_id, "plan", principal)
        (sealed,) = await self.keyring.seal(str(client_id), text)
        command = domain.RecordWish(wish_id=uuid4(), text=sealed)
        return await self._run(client_id, "plan", command, principal, ctx, expected_version)

    async def propose(self, client_id: UUID, amount_cents: int, period: Period, breakdown: dict[str, int],
                      principal: Principal, ctx: CommandContext, expected_version: int | None = None
                      ) -> Executed[domain.Budget]:
        command = domain.ProposeBudget(proposal_id=uuid4(), amount_cents=amount_cents, period=period,
                                       breakdown=breakdown)
        return await self._run(client_id, "propose", command, principal, ctx, expected_version)

    async def decide(self, client_id: UUID, reasoning: str, legal_basis: str, appeal_instructions: str,
                     principal: Principal, ctx: CommandContext, expected_version: int | None = None
                     ) -> Executed[domain.Budget]:
        state = await self._precheck(client_id, "decide", principal)
        (sealed,) = await self.keyring.seal(str(client_id), reasoning)
        command = domain.DecideBudget(
            decision_number=await postgres.next_decision_number(self.store.pool, ctx.now.year),
            decided_by=principal.user_id, authority_limit_cents=self._authority_limit(state.municipality),
            reasoning=sealed, legal_basis=legal_basis, appeal_instructions=appeal_instructions,
        )
        return await self._run(client_id, "decide", command, principal, ctx, expected_version)

    async def answer_approval(self, client_id: UUID, approve: bool, reason: str, principal: Principal,
                              ctx: CommandContext, expected_version: int | None = None) -> Executed[domain.Budget]:
        await self._precheck(client_id, "approve", principal)
        (sealed,) = await self.keyring.seal(str(client_id), reason)  # the manager's words may be about the client
        kind = domain.ApproveBudget if approve else domain.RejectBudget
        command = kind(manager_id=principal.user_id, reason=sealed)
        return await self._run(client_id, "approve", command, principal, ctx, expected_version)

    async def revise(self, client_id: UUID, amount_cents: int, breakdown: dict[str, int], reason: str,
                     principal: Principal, ctx: CommandContext, expected_version: int | None = None
                     ) -> Executed[domain.Budget]:
        state = await self._precheck(client_id, "revise", principal)
        (sealed,) = await self.keyring.seal(str(client_id), reason)
        limit = None if principal.role == "manager" else self._authority_limit(state.municipality)
        command = domain.ReviseBudget(amount_cents=amount_cents, breakdown=breakdown, reason=sealed,
                                      authority_limit_cents=limit)
        return await self._run(client_id, "revise", command, principal, ctx, expected_version)

    async def close(self, client_id: UUID, reason: ClosureReason, principal: Principal, ctx: CommandContext,
                    expected_version: int | None = None) -> Executed[domain.Budget]:
        command = domain.CloseBudget(reason=reason)
        return await self._run(client_id, "close", command, principal, ctx, expected_version)

    # --- the process manager: events from other services ---------------------------------------------------

    async def on_event(self, conn: asyncpg.Connection, envelope: EventEnvelope) -> None:
        """Turns another service's event into a budget command, inside the consumer's inbox transaction."""
        command = self._command_for(envelope)
        if command is None:
            return
        client_id = UUID(envelope.subject)
        if not isinstance(command, domain.OpenBudget):
            exists = await conn.fetchval("SELECT 1 FROM events WHERE stream_id = $1 LIMIT 1", stream_of(client_id))
            if not exists and not isinstance(command, domain.ReserveFunds | domain.CloseBudget):
                return  # e.g. consent withdrawn before intake completed: there is no budget to act on
        ctx = CommandContext(actor=SYSTEM, correlation_id=envelope.correlation_id, causation_id=str(envelope.id),
                             now=datetime.now(UTC))
        await self.runner.execute(stream_of(client_id), command, ctx, subject=str(client_id), conn=conn)

    @staticmethod
    def _command_for(envelope: EventEnvelope) -> domain.Command | None:
        sources = (intake_events.registry, market_events.registry, followup_events.registry)
        source = next((r for r in sources if envelope.type in r), None)
        if source is None:
            return None
        event = source.load(envelope.type, envelope.schema_version, envelope.data)
        match event:
            case intake_events.IntakeCompleted():
                return domain.OpenBudget(client_id=event.client_id, coordinator_id=event.coordinator_id,
                                         service_task=event.service_task, municipality=event.municipality,
                                         intake_event_id=envelope.id)
            case intake_events.ConsentWithdrawn():
                return domain.FreezeBudget()
            case intake_events.ConsentGiven():
                return domain.UnfreezeBudget()
            case intake_events.CoordinatorAssigned():
                return domain.ChangeCoordinator(coordinator_id=event.worker_id)
            case market_events.OrderPlaced() | market_events.ReservationRetryRequested():
                return domain.ReserveFunds(client_id=event.client_id, order_id=event.order_id,
                                           amount_cents=event.amount_cents, category=event.category,
                                           ordered_on=event.ordered_on or envelope.time.date())
            case market_events.OrderCancelled():
                return domain.ReleaseFunds(order_id=event.order_id, reason="order_cancelled")
            case market_events.OrderDeclined():
                return domain.ReleaseFunds(order_id=event.order_id, reason="order_declined")
            case market_events.InvoiceApproved():
                return domain.RecordSpending(order_id=event.order_id, invoice_id=event.invoice_id,
                                             amount_cents=event.amount_cents)
            case followup_events.CaseClosed():
                return domain.CloseBudget(reason="case_closed", client_id=event.client_id)
            case followup_events.PlanReviewRequested():
                return domain.OpenPlanReview(review_id=event.review_id, requested_by=event.requested_by, rule=event.rule,
                                             reason=event.reason, finding=event.finding)
        return None


CONSUMED: list[type[DomainEvent]] = [
    intake_events.IntakeCompleted, intake_events.ConsentWithdrawn, intake_events.ConsentGiven,
    intake_events.CoordinatorAssigned, market_events.OrderPlaced, market_events.ReservationRetryRequested,
    market_events.OrderCancelled, market_events.OrderDeclined, market_events.InvoiceApproved,
    followup_events.CaseClosed, followup_events.PlanReviewRequested,
]
CONSUMED_TYPES = frozenset(e.event_type for e in CONSUMED)
