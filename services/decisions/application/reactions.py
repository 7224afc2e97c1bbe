"""What the decisions service does when a deciding service (itself included) publishes a decision record: it
registers it. The
consumer subscribes to exactly these types' topics (shared/infra/reactions.py); a service that starts deciding
(follow-up's closures, the marketplace's purchases) adds its record type here."""

from __future__ import annotations

from contracts import budgeting, decisions, intake, records
from contracts.decisions import DecisionDispatched, DecisionRegistered, PublishedRecord
from services.decisions.application import commands as c
from shared.infra.reactions import Reactions, publisher_of
from shared.kernel.envelope import EventEnvelope


def register(record: records.DecisionRecorded, envelope: EventEnvelope) -> c.RegisterDecision:
    registered = DecisionRegistered(
        decision_id=record.decision_id, decision_number=record.decision_number, kind=record.kind,
        client_id=record.client_id, decided_on=record.decided_on, decided_by=record.decided_by,
        prepared_by=record.prepared_by, language=record.language, instructions=record.instructions,
        source_service=publisher_of(type(record)), source_event_id=envelope.id, replaces=record.replaces,
        record=PublishedRecord.model_validate(record.model_dump()))
    return c.RegisterDecision(client_id=record.client_id, decision_id=record.decision_id, record=registered)


def issue_letter(dispatched: DecisionDispatched, envelope: EventEnvelope) -> c.IssueLetter:
    return c.IssueLetter(client_id=dispatched.client_id, decision_id=dispatched.decision_id, dispatch_id=envelope.id,
                         recipient=dispatched.recipient.reference, method=dispatched.method, sent_at=dispatched.sent_at,
                         deemed_received_on=dispatched.deemed_received_on, deadline=dispatched.deadline)


REACTIONS = Reactions("register", {
    budgeting.DecisionRecorded: register,
    intake.DecisionRecorded: register,
    decisions.DecisionRecorded: register,  # the register's own decisions on requests for rectification
    DecisionDispatched: issue_letter,  # the letter a dispatch serves, written once (application/letters.py)
})
