"""The approvals queue (the manager's): one read model of every service's approval family (contracts/approvals.py).

The aggregates that own the matters decide (their streams hold the requests and the answers); this queue only
shows what waits, for how much, since when, and whether the reader's own delegation lets them answer it. Which
events it reads is found, not listed: every class of the family that a service's contract module publishes. A
service that adds a kind of matter (purchases, support-person agreements, orders above a price ceiling) declares
the four classes in its contract module and lists them in its EVENTS; the queue then reads its topic too.
"""

from __future__ import annotations

from typing import Any

from contracts import approvals, budgeting, followup, intake, marketplace
from services.decisions.application.ports import ApprovalNote, ApprovalStatus, Ports
from shared.infra.eventstore import Position, Session
from shared.infra.pipeline import Application
from shared.infra.reactions import Listener, publisher_of
from shared.kernel.envelope import EventEnvelope
from shared.kernel.events import DomainEvent

FAMILY: dict[type[DomainEvent], ApprovalStatus] = {
    approvals.ApprovalRequested: "pending", approvals.ApprovalGranted: "granted",
    approvals.ApprovalRefused: "refused", approvals.ApprovalWithdrawn: "withdrawn",
}
PUBLISHERS = (intake, budgeting, marketplace, followup)  # the contract modules whose EVENTS may hold the family


def approval_events() -> list[type[DomainEvent]]:
    return [e for module in PUBLISHERS for e in module.EVENTS if issubclass(e, tuple(FAMILY))]


EVENTS = approval_events()
_REGISTRIES = {e.event_type: module.registry for module in PUBLISHERS for e in module.EVENTS}


def note_of(event: DomainEvent, envelope: EventEnvelope) -> ApprovalNote:
    status = next(s for family, s in FAMILY.items() if isinstance(event, family))
    common: dict[str, Any] = {
        "approval_id": event.approval_id, "service": publisher_of(type(event)), "kind": event.kind,  # type: ignore[attr-defined]
        "matter_id": event.matter_id, "client_id": event.client_id, "status": status,  # type: ignore[attr-defined]
        "at": envelope.time, "event_id": envelope.id}
    match event:
        case approvals.ApprovalRequested():
            return ApprovalNote(**common, by=event.requested_by, municipality=event.municipality,
                                amount_cents=event.amount_cents, limit_cents=event.authority.limit_cents)
        case approvals.ApprovalGranted():
            return ApprovalNote(**common, by=event.granted_by)
        case approvals.ApprovalRefused():
            return ApprovalNote(**common, by=event.refused_by)
    return ApprovalNote(**common, by=envelope.actor.id)


async def note(app: Application[Ports], session: Session, envelope: EventEnvelope, _: Position) -> None:
    event = _REGISTRIES[envelope.type].load(envelope.type, envelope.schema_version, envelope.data)
    await app.deps.approvals.note(session, note_of(event, envelope))


LISTENER = Listener.of("approvals", EVENTS, note)
