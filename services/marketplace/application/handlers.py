"""The marketplace's command handlers, its side of the order saga, and the saga's timers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import asyncpg

from contracts import budgeting as budget_events
from contracts import intake as intake_events
from contracts.marketplace import registry
from services.marketplace.adapters import postgres
from services.marketplace.application import policy
from services.marketplace.domain import catalogue
from services.marketplace.domain import order as orders
from shared.infra.aggregate import Aggregate, CommandRunner, Executed, Loaded
from shared.infra.crypto import Keyring
from shared.infra.eventstore import CommandContext
from shared.infra.postgres_store import PostgresEventStore
from shared.infra.timers import Timer, schedule
from shared.kernel.envelope import Actor, EventEnvelope
from shared.kernel.errors import Forbidden, InvalidCommand, NotFound
from shared.kernel.events import DomainEvent
from shared.kernel.principal import Principal

SYSTEM = Actor(id="marketplace", role="system")
RESERVATION_TIMER = "reservation_answer"
PROVIDER_TIMER = "provider_answer"


@dataclass(frozen=True)
class SagaSettings:
    reservation_timeout: timedelta = timedelta(seconds=30)
    provider_response_timeout: timedelta = timedelta(days=5)
    payment_terms: timedelta = timedelta(days=14)


def provider_stream(provider_id: UUID) -> str:
    return f"provider-{provider_id}"


def offering_stream(offering_id: UUID) -> str:
    return f"offering-{offering_id}"


def order_stream(order_id: UUID) -> str:
    return f"order-{order_id}"


class MarketplaceApplication:
    def __init__(self, store: PostgresEventStore, keyring: Keyring, saga: SagaSettings,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.store = store
        self.keyring = keyring
        self.saga = saga
        self._clock = clock
        self.providers = CommandRunner(store, Aggregate(catalogue.NO_PROVIDER, catalogue.evolve_provider,
                                                        catalogue.decide_provider, registry), postgres.project)
        self.offerings = CommandRunner(store, Aggregate(catalogue.NO_OFFERING, catalogue.evolve_offering,
                                                        catalogue.decide_offering, registry), postgres.project)
        self.orders = CommandRunner(store, Aggregate(orders.NO_ORDER, orders.evolve, orders.decide, registry),
                                    postgres.project_order_status, serialize=True)

    # --- providers -------------------------------------------------------------------------------------------

    async def register_provider(self, command: catalogue.RegisterProvider, principal: Principal,
                                ctx: CommandContext) -> tuple[UUID, bool]:
        """A provider user registers their organisation and becomes its user. One provider per Y-tunnus."""
        if principal.role != "provider":
            raise Forbidden("providers register themselves with a provider account")
        if await postgres.provider_of_user(self.store.pool, principal.user_id) is not None:
            raise InvalidCommand("this user already acts for a provider", field="y_tunnus")
        events = catalogue.decide_provider(command, catalogue.NO_PROVIDER)  # validates the Y-tunnus first
        y_tunnus = events[0].y_tunnus  # type: ignore[attr-defined]
        async with self.store.pool.acquire() as conn, conn.transaction():
            owner = await postgres.claim_y_tunnus(conn, y_tunnus, command.provider_id)
            if owner != command.provider_id:
                raise InvalidCommand("a provider with this Y-tunnus is already registered", field="y_tunnus")
            await self.providers.execute(provider_stream(command.provider_id), command, ctx,
                                         subject=str(command.provider_id), conn=conn)
            await postgres.add_provider_user(conn, principal.user_id, command.provider_id)
        return command.provider_id, True

    async def verify_provider(self, provider_id: UUID, checklist: dict[str, bool], notes: str, principal: Principal,
                              ctx: CommandContext) -> Executed[catalogue.Provider]:
        policy.require_region(principal)
        return await self._provider(provider_id, catalogue.VerifyProvider(checklist=checklist, notes=notes), ctx)

    async def suspend_provider(self, provider_id: UUID, reason: str, principal: Principal,
                               ctx: CommandContext) -> Executed[catalogue.Provider]:
        policy.require_region(principal)
        return await self._provider(provider_id, catalogue.SuspendProvider(reason=reason), ctx)

    async def _provider(self, provider_id: UUID, command: catalogue.Command,
                        ctx: CommandContext) -> Executed[catalogue.Provider]:
        await self.load_provider(provider_id)
        return await self.providers.execute(provider_stream(provider_id), command, ctx, subject=str(provider_id))

    async def load_provider(self, provider_id: UUID) -> Loaded[catalogue.Provider]:
        loaded = await self.providers.load(provider_stream(provider_id))
        if loaded.state.status == "none":
            raise NotFound("no such provider")
        return loaded

    # --- offerings ------------------------------------------------------------------------------------------

    async def publish_offering(self, provider_id: UUID, fields: dict[str, Any], principal: Principal,
                               ctx: CommandContext) -> tuple[UUID, Executed[catalogue.Offering]]:
        provider = await self.load_provider(provider_id)
        await self._require_own_provider(principal, provider_id)
        offering_id = uuid4()
        command = catalogue.PublishOffering(offering_id=offering_id, provider_id=provider_id,
                                            provider_status=provider.state.status, **fields)
        done = await self.offerings.execute(offering_stream(offering_id), command, ctx, subject=str(provider_id))
        return offering_id, done

    async def change_offering(self, offering_id: UUID, command: catalogue.Command, principal: Principal,
                              ctx: CommandContext) -> Executed[catalogue.Offering]:
        loaded = await self.offerings.load(offering_stream(offering_id))
        if not loaded.state.exists:
            raise NotFound("no such offering")
        await self._require_own_provider(principal, loaded.state.provider_id)
        return await self.offerings.execute(offering_stream(offering_id), command, ctx,
                                            subject=str(loaded.state.provider_id))

    async def _require_own_provider(self, principal: Principal, provider_id: UUID | None) -> None:
        own = await postgres.provider_of_user(self.store.pool, principal.user_id)
        policy.require_provider_user(principal, own, provider_id)

    # --- orders: the client's side and the provider's side ----------------------------------------------------

    async def place_order(self, client_id: UUID, offering_id: UUID, quantity: int, principal: Principal,
                          ctx: CommandContext) -> tuple[UUID, Executed[orders.Order]]:
        known = await postgres.client(self.store.pool, client_id)
        if known is None:
            raise NotFound("no such client here yet (their intake has not completed)")
        policy.require_client_side(principal, client_id, known["coordinator_id"])
        offering = await self.offerings.load(offering_stream(offering_id))
        if not offering.state.exists:
            raise NotFound("no such offering")
        assert offering.state.provider_id is not None
        provider = await self.providers.load(provider_stream(offering.state.provider_id))
        order_id = uuid4()
        command = orders.PlaceOrder(
            order_id=order_id, client_id=client_id, provider_id=offering.state.provider_id, offering_id=offering_id,
            quantity=quantity, provider_status=provider.state.status,
            provider_serves_client=known["municipality"] in provider.state.service_areas,
            offering_withdrawn=offering.state.withdrawn, category=offering.state.category,
            unit_price_cents=offering.state.unit_price_cents, today=ctx.now.date(),
        )
        async with self.store.pool.acquire() as conn, conn.transaction():
            done = await self.orders.execute(order_stream(order_id), command, ctx, subject=str(client_id), conn=conn)
            # The wait for budgeting's answer has a deadline, durable from the same transaction.
            await schedule(conn, RESERVATION_TIMER, f"{order_id}:1", ctx.now + self.saga.reservation_timeout,
                           {"order_id": str(order_id)})
        return order_id, done

    async def load_order(self, order_id: UUID) -> Loaded[orders.Order]:
        loaded = await self.orders.load(order_stream(order_id))
        if loaded.state.status == "none":
            raise NotFound("no such order")
        return loaded

    async def may_read(self, principal: Principal, order: orders.Order) -> None:
        assert order.client_id is not None
        known = await postgres.client(self.store.pool, order.client_id)
        own = await postgres.provider_of_user(self.store.pool, principal.user_id)
        policy.may_read_order(principal, order, known["coordinator_id"] if known else None, own)

    async def client_side(self, order_id: UUID, command: orders.Command, principal: Principal,
                          ctx: CommandContext, expected_version: int | None = None) -> Executed[orders.Order]:
        loaded = await self.load_order(order_id)
        assert loaded.state.client_id is not None
        known = await postgres.client(self.store.pool, loaded.state.client_id)
        policy.require_client_side(principal, loaded.state.client_id, known["coordinator_id"] if known else None)
        return await self._order(loaded.state, command, ctx, expected_version)

    async def provider_side(self, order_id: UUID, command: orders.Command, principal: Principal,
                            ctx: CommandContext, expected_version: int | None = None) -> Executed[orders.Order]:
        loaded = await self.load_order(order_id)
        await self._require_own_provider(principal, loaded.state.provider_id)
        return await self._order(loaded.state, command, ctx, expected_version)

    async def decline(self, order_id: UUID, reason: str, principal: Principal, ctx: CommandContext,
                      expected_version: int | None = None) -> Executed[orders.Order]:
        loaded = await self.load_order(order_id)
        await self._require_own_provider(principal, loaded.state.provider_id)
        (sealed,) = await self.keyring.seal(str(loaded.state.client_id), reason)
        return await self._order(loaded.state, orders.DeclineOrder(reason=sealed), ctx, expected_version)

    async def rate(self, order_id: UUID, stars: int, comment: str | None, principal: Principal,
                   ctx: CommandContext) -> Executed[orders.Order]:
        loaded = await self.load_order(order_id)
        if principal.role != "client" or principal.user_id != str(loaded.state.client_id):
            raise Forbidden("the client rates the providers they used")
        sealed = (await self.keyring.seal(principal.user_id, comment))[0] if comment else None
        return await self._order(loaded.state, orders.RateProvider(stars=stars, comment=sealed), ctx, None)

    async def _order(self, order: orders.Order, command: orders.Command, ctx: CommandContext,
                     expected_version: int | None, conn: asyncpg.Connection | None = None) -> Executed[orders.Order]:
        assert order.order_id is not None
        return await self.orders.execute(order_stream(order.order_id), command, ctx, subject=str(order.client_id),
                                         expected_version=expected_version, conn=conn)

    # --- the saga: budgeting's answers and intake's facts, in the consumer's inbox transaction ----------------

    async def on_event(self, conn: asyncpg.Connection, envelope: EventEnvelope) -> None:
        source = intake_events.registry if envelope.type in intake_events.registry else budget_events.registry
        event = source.load(envelope.type, envelope.schema_version, envelope.data)
        ctx = CommandContext(actor=SYSTEM, correlation_id=envelope.correlation_id, causation_id=str(envelope.id),
                             now=self._clock())
        match event:
            case intake_events.IntakeCompleted():
                await postgres.remember_client(conn, event.client_id, event.municipality, event.coordinator_id)
            case intake_events.CoordinatorAssigned():
                await postgres.change_coordinator(conn, event.client_id, event.worker_id)
            case budget_events.FundsReserved():
                done = await self._saga(conn, event.order_id, orders.ConfirmOrder(), ctx)
                if done and done.new_events:
                    await schedule(conn, PROVIDER_TIMER, str(event.order_id),
                                   ctx.now + self.saga.provider_response_timeout, {"order_id": str(event.order_id)})
            case budget_events.FundsReservationRejected():
                await self._saga(conn, event.order_id, orders.RejectOrder(reason_code=event.reason_code,
                                                                          reason=event.reason), ctx)
            case budget_events.FundsReleased() if event.reason == "budget_closed":
                await self._saga(conn, event.order_id, orders.CancelOrder(reason="budget_closed"), ctx)
            case budget_events.SpendingRecorded():
                pay_on = (ctx.now + self.saga.payment_terms).date()
                await self._saga(conn, event.order_id, orders.SchedulePayment(invoice_id=event.invoice_id,
                                                                              pay_on=pay_on), ctx)
            case budget_events.SpendingRejected():
                await self._saga(conn, event.order_id, orders.BlockPayment(invoice_id=event.invoice_id,
                                                                           reason=event.reason), ctx)

    async def _saga(self, conn: asyncpg.Connection, order_id: UUID, command: orders.Command,
                    ctx: CommandContext) -> Executed[orders.Order] | None:
        loaded = await self.orders.load(order_stream(order_id), conn)
        if loaded.state.status == "none":
            return None  # budgeting answers about an order this marketplace never placed: nothing to move on
        return await self._order(loaded.state, command, ctx, None, conn)

    # --- the saga's timers ---------------------------------------------------------------------------------------

    async def on_reservation_timeout(self, conn: asyncpg.Connection, timer: Timer) -> None:
        """No answer from budgeting in time: the order stays pending and the reservation is asked again."""
        order_id = UUID(timer.payload["order_id"])
        ctx = CommandContext(actor=SYSTEM, correlation_id=f"timer-{timer.id}", now=self._clock())
        done = await self._saga(conn, order_id, orders.RetryReservation(), ctx)
        if done and done.new_events:
            attempt = done.state.reservation_attempts
            backoff = self.saga.reservation_timeout * min(2 ** (attempt - 1), 32)
            await schedule(conn, RESERVATION_TIMER, f"{order_id}:{attempt}", ctx.now + backoff,
                           {"order_id": str(order_id)})

    async def on_provider_timeout(self, conn: asyncpg.Connection, timer: Timer) -> None:
        """The provider did not answer in time: the order is cancelled and the funds released."""
        ctx = CommandContext(actor=SYSTEM, correlation_id=f"timer-{timer.id}", now=self._clock())
        await self._saga(conn, UUID(timer.payload["order_id"]), orders.CancelOrder(reason="provider_no_response"),
                         ctx)


CONSUMED: list[type[DomainEvent]] = [
    intake_events.IntakeCompleted, intake_events.CoordinatorAssigned, budget_events.FundsReserved,
    budget_events.FundsReservationRejected, budget_events.FundsReleased, budget_events.SpendingRecorded,
    budget_events.SpendingRejected,
]
CONSUMED_TYPES = frozenset(e.event_type for e in CONSUMED)

