"""What the marketplace does when budgeting and intake publish.

Budgeting's answers move the order saga and a purchase's: each event type the command it becomes (the "saga" consumer subscribes
to exactly these types' topics, shared/infra/reactions.py). Intake's facts about a client (where they live, who
coordinates them) are kept in a table by the "clients" listener: they are no command on any case here.
"""

from __future__ import annotations

from contracts import budgeting, intake, marketplace
from services.marketplace.application import commands as c
from services.marketplace.application.ports import Ports
from shared.infra.eventstore import CommandContext, Position, Session
from shared.infra.pipeline import Application
from shared.infra.reactions import Listener, Reactions
from shared.kernel.commands import Command
from shared.kernel.envelope import EventEnvelope


def _reserved(e: budgeting.FundsReserved, env: EventEnvelope) -> Command:
    if e.matter == "agreement":
        return c.HoldAgreementFunds(agreement_id=e.order_id)
    if e.matter == "purchase":
        return c.HoldPurchaseFunds(purchase_id=e.order_id)
    return c.ConfirmOrder(order_id=e.order_id)


def _refused(e: budgeting.FundsReservationRejected, env: EventEnvelope) -> Command:
    if e.matter == "agreement":
        return c.RejectAgreement(agreement_id=e.order_id, reason_code=e.reason_code, reason=e.reason)
    if e.matter == "purchase":
        return c.RejectPurchase(purchase_id=e.order_id, reason_code=e.reason_code, reason=e.reason)
    return c.RejectOrder(order_id=e.order_id, reason_code=e.reason_code, reason=e.reason)


def _released(e: budgeting.FundsReleased, env: EventEnvelope) -> Command | None:
    if e.reason != "budget_closed":
        return None  # released because of what happened here: nothing to move on
    if e.matter == "agreement":
        return c.EndAgreementWithBudget(agreement_id=e.order_id)
    if e.matter == "purchase":
        return c.CancelPurchaseWithBudget(purchase_id=e.order_id)
    return c.CancelOrderWithBudget(order_id=e.order_id)


def _spent(e: budgeting.SpendingRecorded, env: EventEnvelope) -> Command:
    if e.matter == "agreement":  # a claim: its id travels as the invoice's
        return c.ScheduleClaimPayment(agreement_id=e.order_id, claim_id=e.invoice_id)
    if e.matter == "purchase":
        return c.SchedulePurchasePayment(purchase_id=e.order_id, invoice_id=e.invoice_id)
    return c.SchedulePayment(order_id=e.order_id, invoice_id=e.invoice_id)


def _not_spent(e: budgeting.SpendingRejected, env: EventEnvelope) -> Command | None:
    if e.matter == "agreement":
        return None  # the agreement refused such a claim before it was approved: nothing to schedule
    if e.matter == "purchase":
        return c.BlockPurchasePayment(purchase_id=e.order_id, invoice_id=e.invoice_id, reason=e.reason,
                                      reason_code=e.reason_code)
    return c.BlockPayment(order_id=e.order_id, invoice_id=e.invoice_id, reason=e.reason, reason_code=e.reason_code)


# Budgeting names what its answer is about by the matter: an order, a one-off purchase or a support-person agreement
# (its id in order_id).
REACTIONS = Reactions("saga", {
    budgeting.FundsReserved: _reserved,
    budgeting.FundsReservationRejected: _refused,
    budgeting.FundsReleased: _released,
    budgeting.SpendingRecorded: _spent,
    budgeting.SpendingRejected: _not_spent,
})


async def know_client(app: Application[Ports], session: Session, envelope: EventEnvelope, _: Position) -> None:
    """Where a client lives and who coordinates them: orders need both (the provider's service area, the
    worker who may act for the client)."""
    tables = app.deps.tables
    event = intake.registry.load(envelope.type, envelope.schema_version, envelope.data)
    if isinstance(event, intake.IntakeCompleted):
        await tables.remember_client(session, event.client_id, event.municipality, event.coordinator_id)
    elif isinstance(event, intake.CoordinatorAssigned):
        await tables.change_coordinator(session, event.client_id, event.worker_id)


CLIENTS = Listener.of("clients", [intake.IntakeCompleted, intake.CoordinatorAssigned], know_client)


async def cascade_suspension(app: Application[Ports], session: Session, envelope: EventEnvelope,
                             position: Position) -> None:
    """A suspended provider's (vendor's) open orders and purchases, each acted on in the inbox's transaction: those
    not yet accepted (a purchase: not yet confirmed) are cancelled (budgeting releases their funds on the
    cancellation, as for any), the others are held for the coordinating worker. The inbox takes each suspension
    once; an order or purchase acted on before is left as it is, so a suspension told twice cancels once."""
    event = marketplace.registry.load(envelope.type, envelope.schema_version, envelope.data)
    if not isinstance(event, marketplace.ProviderSuspended):
        return
    context = CommandContext(actor=app.system.actor, correlation_id=envelope.correlation_id,
                             causation_id=str(envelope.id), now=app.clock(), position=position)
    tables = app.deps.tables
    for order_id in await tables.open_orders(session, event.provider_id):
        await app.handle(c.ActOnSuspension(order_id=order_id), app.system, context, session=session)
    for purchase_id in await tables.open_purchases(session, event.provider_id):
        await app.handle(c.ActOnPurchaseSuspension(purchase_id=purchase_id), app.system, context, session=session)


# The marketplace listens to its own catalogue topic: a suspension is recorded on the provider's stream, and what
# it means for each order is decided on that order's stream, after the suspension has committed.
SUSPENSIONS = Listener.of("suspensions", [marketplace.ProviderSuspended], cascade_suspension)
