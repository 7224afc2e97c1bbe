"""What the marketplace does when budgeting and intake publish.

Budgeting's answers move the order saga: each event type the command it becomes (the "saga" consumer subscribes
to exactly these types' topics, shared/infra/reactions.py). Intake's facts about a client (where they live, who
coordinates them) are kept in a table by the "clients" listener: they are no command on any case here.
"""

from __future__ import annotations

from contracts import budgeting, intake
from services.marketplace.application import commands as c
from services.marketplace.application.ports import Ports
from shared.infra.eventstore import Position, Session
from shared.infra.pipeline import Application
from shared.infra.reactions import Listener, Reactions
from shared.kernel.envelope import EventEnvelope

REACTIONS = Reactions("saga", {
    budgeting.FundsReserved: lambda e, env: c.ConfirmOrder(order_id=e.order_id),
    budgeting.FundsReservationRejected: lambda e, env: c.RejectOrder(order_id=e.order_id, reason_code=e.reason_code,
                                                                     reason=e.reason),
    budgeting.FundsReleased: lambda e, env: (c.CancelOrderWithBudget(order_id=e.order_id)
                                             if e.reason == "budget_closed" else None),
    budgeting.SpendingRecorded: lambda e, env: c.SchedulePayment(order_id=e.order_id, invoice_id=e.invoice_id),
    budgeting.SpendingRejected: lambda e, env: c.BlockPayment(order_id=e.order_id, invoice_id=e.invoice_id,
                                                              reason=e.reason),
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
