"""What budgeting does when intake, the marketplace and follow-up publish: each event type the command it
becomes. The consumer subscribes to exactly these types' topics (shared/infra/reactions.py).

Orders and one-off purchases draw on the same budget in the same way (a reservation, released or spent); what
the funds are for travels with them as the matter."""

from __future__ import annotations

from uuid import UUID

from contracts import decisions, followup, intake, marketplace, support_persons
from services.budgeting.application import commands as c
from shared.infra.reactions import Reactions
from shared.kernel.envelope import EventEnvelope


def _client(envelope: EventEnvelope) -> UUID:
    return UUID(envelope.subject)  # the budget is the subject's: the client the event is about


def _reserve(e: marketplace.OrderPlaced | marketplace.ReservationRetryRequested, env: EventEnvelope) -> c.ReserveFunds:
    return c.ReserveFunds(client_id=_client(env), order_id=e.order_id, amount_cents=e.amount_cents,
                          category=e.category, ordered_on=e.ordered_on or env.time.date())


def _amended(e: decisions.RectificationDecided, env: EventEnvelope) -> c.AmendByRectification | None:
    if e.outcome != "amended" or e.amended_amount_cents is None:
        return None  # upheld, dismissed, or an amended decision that was no budget's
    return c.AmendByRectification(client_id=_client(env), amount_cents=e.amended_amount_cents,
                                  breakdown=e.amended_breakdown, reason=e.reasoning,
                                  decision_number=e.outcome_decision_number, decided_by=e.recorded_by)


def _reserve_purchase(e: marketplace.PurchaseRequested | marketplace.PurchaseReservationRetryRequested,
                      env: EventEnvelope) -> c.ReserveFunds:
    return c.ReserveFunds(client_id=_client(env), order_id=e.purchase_id, amount_cents=e.amount_cents,
                          category=e.category, ordered_on=e.requested_on, matter="purchase")


def _reserve_agreement(e: support_persons.SupportAgreementMade | support_persons.AgreementReservationRetryRequested,
                       env: EventEnvelope) -> c.ReserveFunds:
    return c.ReserveFunds(client_id=_client(env), order_id=e.agreement_id, amount_cents=e.amount_cents,
                          category=e.category, ordered_on=e.made_on, matter="agreement")


def _release_agreement(e: support_persons.AgreementEnded, env: EventEnvelope) -> c.ReleaseFunds | None:
    if e.reason == "budget_closed":
        return None  # budgeting released it itself
    return c.ReleaseFunds(client_id=_client(env), order_id=e.agreement_id, reason="agreement_ended")


REACTIONS = Reactions("process-manager", {
    intake.IntakeCompleted: lambda e, env: c.OpenBudget(
        client_id=_client(env), coordinator_id=e.coordinator_id, service_task=e.service_task,
        municipality=e.municipality, intake_event_id=env.id, preferred_language=e.preferred_language),
    intake.ConsentWithdrawn: lambda e, env: c.FreezeBudget(client_id=_client(env)),
    intake.ConsentGiven: lambda e, env: c.UnfreezeBudget(client_id=_client(env)),
    intake.CoordinatorAssigned: lambda e, env: c.ChangeCoordinator(client_id=_client(env), coordinator_id=e.worker_id),
    marketplace.OrderPlaced: _reserve,
    marketplace.ReservationRetryRequested: _reserve,
    marketplace.OrderCancelled: lambda e, env: c.ReleaseFunds(client_id=_client(env), order_id=e.order_id,
                                                              reason="order_cancelled"),
    marketplace.OrderDeclined: lambda e, env: c.ReleaseFunds(client_id=_client(env), order_id=e.order_id,
                                                             reason="order_declined"),
    marketplace.InvoiceApproved: lambda e, env: c.RecordSpending(
        client_id=_client(env), order_id=e.order_id, invoice_id=e.invoice_id, amount_cents=e.amount_cents),
    marketplace.PurchaseRequested: _reserve_purchase,
    marketplace.PurchaseReservationRetryRequested: _reserve_purchase,
    marketplace.PurchaseCancelled: lambda e, env: c.ReleaseFunds(client_id=_client(env), order_id=e.purchase_id,
                                                                 reason="purchase_cancelled"),
    marketplace.PurchaseInvoiceApproved: lambda e, env: c.RecordSpending(
        client_id=_client(env), order_id=e.purchase_id, invoice_id=e.invoice_id, amount_cents=e.amount_cents,
        matter="purchase"),
    # A support-person agreement reserves its most at once; each approved claim spends part of it (invoice_id is
    # the claim's id, so an approval delivered twice is spent once); what is left is released when it ends.
    support_persons.SupportAgreementMade: _reserve_agreement,
    support_persons.AgreementReservationRetryRequested: _reserve_agreement,
    support_persons.AgreementEnded: _release_agreement,
    support_persons.SupportClaimApproved: lambda e, env: c.RecordSpending(
        client_id=_client(env), order_id=e.agreement_id, invoice_id=e.claim_id, amount_cents=e.amount_cents,
        matter="agreement"),
    followup.CaseClosed: lambda e, env: c.CloseBudgetWithCase(
        client_id=_client(env), closed_by=e.closed_by,
        closed_by_role=env.actor.role if env.actor.id == e.closed_by else None, reason_code=e.reason, note=e.note),
    followup.PlanReviewRequested: lambda e, env: c.OpenPlanReview(
        client_id=_client(env), review_id=e.review_id, requested_by=e.requested_by, rule=e.rule, reason=e.reason,
        finding=e.finding),
    decisions.RectificationDecided: _amended,
})
