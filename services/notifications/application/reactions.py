"""What the notifications service tells, and whom, when another service publishes: each event type the ``Tell``
it becomes. The consumer subscribes to exactly these types' topics (shared/infra/reactions.py).

| event                        | kind                 | told                                                          |
|------------------------------|----------------------|---------------------------------------------------------------|
| intake CoordinatorAssigned   | coordinator_assigned | the client side, the new worker (first assignment)            |
|                              | coordinator_changed  | the client side, the new worker, the previous worker          |
| intake IntakeDeclined        | intake_declined      | the client side (a decision they may contest)                 |
| budgeting BudgetDecided      | budget_decided       | the client side, the coordinator                              |
| budgeting BudgetRevised      | budget_revised       | the client side, the coordinator                              |
| budgeting BudgetRejected     | approval_refused     | the coordinator, the client side (the reasoning is theirs)    |
| marketplace OrderRejected    | order_rejected       | the client side, the coordinator                              |
| marketplace ApprovalRefused  | purchase_refused     | the coordinator, the client side (the reasoning is theirs)    |
| marketplace ProviderSuspended| provider_suspended   | the provider's people, each open order's client side and worker|
| followup FollowUpOverdue     | followup_overdue     | the coordinator named in the event                            |
| marketplace OrderDeclined    | order_declined       | the client side, the coordinator                              |
| marketplace OrderCancelled   | order_cancelled      | the client side, the coordinator (but who cancelled it)       |
| followup CaseClosed          | case_closed          | the client side (not after a death), the coordinator          |
| budgeting PlanReviewOpened   | plan_review_opened   | the coordinator                                               |
| decisions LetterIssued       | letter_issued        | its recipient alone: the client, or the representative served |
| decisions RectificationDecided| rectification_decided | the client side, the coordinator (outcome in words)         |
| budgeting ApprovalRequested  | approval_waiting     | each person whose delegation covers the matter (not the asker) |
| marketplace ApprovalRequested| approval_waiting     | the same: a purchase (or other matter) above its preparer's limit |

"The client side" is the client and whoever represents them. Whoever's act the event records is not told of it.

A decision letter is issued once per recipient served (the register's dispatches: the client, each guardian or
other representative entitled to be served), each its own copy with its own time limit. So each LetterIssued tells
its recipient only, and only while the directory names them on the client's side (a representative whose link
ended, or a guardian the client forbade, is told nothing): a decision served to the client and two guardians
tells each of the three once, of their own letter, never thrice. The register names a representative by their
person id, as the directory does. The coordinator is not told: a letter is its recipient's own copy.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from contracts import approvals, budgeting, decisions, followup, intake, marketplace
from contracts.notifications import Param
from services.notifications.application import commands as c
from shared.infra.reactions import Reactions
from shared.kernel.envelope import EventEnvelope


def tell(env: EventEnvelope, kind: str, parties: Sequence[c.Party], **params: Param) -> c.Tell:
    return c.Tell(source_event_id=env.id, source_event_type=env.type, subject=env.subject, kind=kind,
                  parties=tuple(parties), params=params, actor_id=env.actor.id)


def client_side(client_id: UUID, variant: str | None = None, *, only: str | None = None) -> c.Party:
    return c.Party(role="client_side", id=str(client_id), variant=variant, only=only)


def coordinator(client_id: UUID) -> c.Party:
    return c.Party(role="coordinator", id=str(client_id))


def worker(staff_id: str, variant: str | None = None) -> c.Party:
    return c.Party(role="staff", id=staff_id, variant=variant)


def _assigned(e: intake.CoordinatorAssigned, env: EventEnvelope) -> c.Tell:
    if e.previous_worker_id is None or e.previous_worker_id == e.worker_id:
        return tell(env, "coordinator_assigned", [client_side(e.client_id), worker(e.worker_id)])
    return tell(env, "coordinator_changed", [client_side(e.client_id), worker(e.worker_id),
                                             worker(e.previous_worker_id, "previous")])


def _purchase_refused(e: marketplace.ApprovalRefused, env: EventEnvelope) -> c.Tell:
    # A purchase always concerns its client (the family's client_id is optional for matters that do not).
    client_id = e.client_id or UUID(env.subject)
    return tell(env, "purchase_refused", [coordinator(client_id), client_side(client_id)],
                purchase_id=str(e.matter_id))


def _closed(e: followup.CaseClosed, env: EventEnvelope) -> c.Tell:
    # After a death nobody writes to the client: their coordinator is told (unless they closed it themselves).
    parties = [coordinator(e.client_id)] if e.reason == "deceased" else [client_side(e.client_id),
                                                                         coordinator(e.client_id)]
    return tell(env, "case_closed", parties, closure_code=e.reason)


def _waiting(e: approvals.ApprovalRequested, env: EventEnvelope) -> c.Tell:
    # Who may answer is the delegation table's and the directory's (the approvers' roles): the handler finds them.
    # The requester's own act: they are not told (they are the envelope's actor, and the table's rule excludes them).
    return tell(env, "approval_waiting", [c.Party(role="approvers", id=str(e.approval_id))], matter_kind=e.kind,
                amount_cents=e.amount_cents, municipality=e.municipality,
                client_id=str(e.client_id) if e.client_id else None)


def _letter(e: decisions.LetterIssued, env: EventEnvelope) -> c.Tell:
    # The register names the client as 'client' and a representative by their person id (decisions' dispatch).
    served = str(e.client_id) if e.recipient == "client" else e.recipient
    return tell(env, "letter_issued", [client_side(e.client_id, only=served)], decision_number=e.decision_number)


REACTIONS = Reactions("notices", {
    intake.CoordinatorAssigned: _assigned,
    intake.IntakeDeclined: lambda e, env: tell(env, "intake_declined", [client_side(e.client_id)]),
    budgeting.BudgetDecided: lambda e, env: tell(
        env, "budget_decided", [client_side(e.client_id), coordinator(e.client_id)],
        decision_number=e.decision_number, amount_cents=e.amount_cents),
    budgeting.BudgetRevised: lambda e, env: tell(
        env, "budget_revised", [client_side(e.client_id), coordinator(e.client_id)],
        amount_cents=e.amount_cents, previous_amount_cents=e.previous_amount_cents),
    budgeting.BudgetRejected: lambda e, env: tell(
        env, "approval_refused", [coordinator(e.client_id), client_side(e.client_id)], matter="budget_decision"),
    marketplace.OrderRejected: lambda e, env: tell(
        env, "order_rejected", [client_side(e.client_id), coordinator(e.client_id)],
        order_id=str(e.order_id), reason_code=e.reason_code),
    marketplace.ApprovalRefused: _purchase_refused,
    marketplace.ProviderSuspended: lambda e, env: tell(
        env, "provider_suspended", [c.Party(role="suspension", id=str(e.provider_id))],
        provider_id=str(e.provider_id)),
    followup.FollowUpOverdue: lambda e, env: tell(
        env, "followup_overdue", [worker(e.coordinator_id)], number=e.number, due_on=e.due_at.date().isoformat()),
    marketplace.OrderDeclined: lambda e, env: tell(  # the provider's reason is free text: it stays with the order
        env, "order_declined", [client_side(e.client_id), coordinator(e.client_id)], order_id=str(e.order_id)),
    marketplace.OrderCancelled: lambda e, env: tell(
        env, "order_cancelled", [client_side(e.client_id), coordinator(e.client_id)], order_id=str(e.order_id),
        reason_code=e.reason),
    followup.CaseClosed: _closed,
    budgeting.PlanReviewOpened: lambda e, env: tell(
        env, "plan_review_opened", [coordinator(e.client_id)], requester=e.requested_by),
    decisions.LetterIssued: _letter,
    budgeting.ApprovalRequested: _waiting,
    marketplace.ApprovalRequested: _waiting,
    decisions.RectificationDecided: lambda e, env: tell(  # the body's reasoning is sealed: it stays with the decision
        env, "rectification_decided", [client_side(e.client_id), coordinator(e.client_id)],
        decision_number=e.outcome_decision_number, outcome_code=e.outcome),
})
