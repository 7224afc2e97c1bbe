"""What follow-up does when intake and budgeting publish: each event type the command it becomes. The consumer
subscribes to exactly these types' topics (shared/infra/reactions.py). A move to another county (intake's decision)
closes the case; budgeting then closes the budget on CaseClosed."""

from __future__ import annotations

from uuid import UUID

from contracts import budgeting, intake
from services.followup.application import commands as c
from shared.infra.reactions import Reactions
from shared.kernel.envelope import EventEnvelope


def _client(envelope: EventEnvelope) -> UUID:
    return UUID(envelope.subject)  # the case is the subject's: the client the event is about


def _released(e: budgeting.FundsReleased, env: EventEnvelope) -> c.NoteBudgetUse | None:
    if e.reason == "invoice_below_reservation":
        return None  # the invoice's SpendingRecorded already settled the whole reservation
    return c.NoteBudgetUse(client_id=_client(env), order_id=e.order_id, change="released", amount_cents=e.amount_cents)


# The case opens on whichever is heard first: intake's IntakeCompleted or budgeting's BudgetOpened (two topics
# keep no order between them); the baseline self-assessment comes only with intake's.
REACTIONS = Reactions("process-manager", {
    intake.IntakeCompleted: lambda e, env: c.OpenFollowUp(
        client_id=e.client_id, coordinator_id=e.coordinator_id, municipality=e.municipality,
        service_task=e.service_task, intake_event_id=env.id, baseline_scores=e.baseline_scores,
        baseline_form=e.baseline_form),
    budgeting.BudgetOpened: lambda e, env: c.OpenFollowUp(
        client_id=e.client_id, coordinator_id=e.coordinator_id, municipality=e.municipality,
        service_task=e.service_task, intake_event_id=e.intake_event_id),
    intake.CoordinatorAssigned: lambda e, env: c.ChangeCoordinator(client_id=_client(env), coordinator_id=e.worker_id),
    budgeting.GoalSet: lambda e, env: c.TrackGoal(client_id=_client(env), goal_id=e.goal_id, weight=e.weight,
                                                  baseline_level=e.baseline_level),
    budgeting.BudgetDecided: lambda e, env: c.NotePlan(
        client_id=_client(env), decision_number=e.decision_number, decided_at=env.time, period=e.period,
        amount_cents=e.amount_cents, breakdown=e.breakdown),
    budgeting.BudgetRevised: lambda e, env: c.NotePlanRevision(
        client_id=_client(env), revision_number=e.revision_number, amount_cents=e.amount_cents,
        breakdown=e.breakdown),
    budgeting.FundsReserved: lambda e, env: c.NoteBudgetUse(
        client_id=_client(env), order_id=e.order_id, change="reserved", amount_cents=e.amount_cents,
        category=e.category),
    budgeting.FundsReleased: _released,
    budgeting.SpendingRecorded: lambda e, env: c.NoteBudgetUse(
        client_id=_client(env), order_id=e.order_id, change="spent", amount_cents=e.amount_cents,
        category=e.category, draws_down=e.matter == "agreement"),
    budgeting.BudgetClosed: lambda e, env: c.NoteBudgetClosed(client_id=_client(env), reason=e.reason),
    intake.ConsentWithdrawn: lambda e, env: c.NoteConsent(client_id=_client(env), consent="withdrawn"),
    intake.ConsentGiven: lambda e, env: c.NoteConsent(client_id=_client(env), consent="given"),
    intake.MunicipalityChanged: lambda e, env: c.NoteMunicipality(client_id=_client(env), municipality=e.municipality,
                                                                  effective_from=e.effective_from),
    intake.MovedOutOfCounty: lambda e, env: c.EndResponsibility(client_id=_client(env), decided_by=e.decided_by),
})
