"""What readers see in the decisions service: the approvals queue and the register."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from services.decisions.application.handlers import DECISION
from services.decisions.application.policy import may_read_register, queue_scope
from services.decisions.application.ports import ApprovalRow, Ports
from services.decisions.application.queries import ListApprovals, ListDecisions, ReadDecision, ReadRecipients
from services.decisions.domain.recipients import entitled
from shared.i18n import DEFAULT_LANGUAGE
from shared.infra.law_texts import instructions_text
from shared.infra.people import name_of
from shared.infra.pipeline import Application
from shared.kernel.principal import Principal


async def approvals(app: Application[Ports], query: ListApprovals, principal: Principal,
                    today: Any) -> list[dict[str, Any]]:
    """The queue, oldest first, each row saying whether this reader's own delegation lets them answer it."""
    rows = await app.deps.approvals.list(status=query.status, kind=query.kind, requested_by=queue_scope(principal),
                                         limit=query.limit, offset=query.offset)
    known = await app.deps.people.people(i for r in rows for i in (r.requested_by, r.answered_by))
    return [_row(app.deps, row, principal, today) | {"requested_by_name": name_of(known, row.requested_by),
                                                      "answered_by_name": name_of(known, row.answered_by)}
            for row in rows]


def _row(deps: Ports, row: ApprovalRow, principal: Principal, today: Any) -> dict[str, Any]:
    body = asdict(row)
    may = False
    if row.status == "pending" and principal.user_id != row.requested_by and row.kind in deps.delegations.kinds:
        own = deps.delegations.authority(principal.user_id, principal.role, row.kind, row.municipality, today)
        may = own is not None and own.covers(row.amount_cents)
    body["may_answer"] = may
    return body


async def decision(app: Application[Ports], query: ReadDecision, principal: Principal) -> tuple[int, dict[str, Any]]:
    """A decision in the register, as its reader reads it: its number and kind, who decided, how it was served to
    each recipient, and the last day for a request for rectification that each service started."""
    loaded = await app.read(DECISION, query, principal)
    state = loaded.state
    record = state.registered
    assert record is not None
    known = await app.deps.people.people([record.decided_by, record.prepared_by])
    language = query.language or DEFAULT_LANGUAGE
    served = [{"recipient": recipient, "role": s.role, "method": s.method, "sent_on": s.sent_on.isoformat(),
               "deemed_received_on": s.deemed_received_on.isoformat() if s.deemed_received_on else None,
               "received_on": s.received_on.isoformat() if s.received_on else None,
               "deadline": s.deadline.isoformat() if s.deadline else None}
              for recipient, s in sorted(state.served.items())]
    return loaded.version, {
        "decision_id": str(record.decision_id), "decision_number": record.decision_number, "kind": record.kind,
        "client_id": str(record.client_id), "decided_on": record.decided_on.isoformat(),
        "decided_by": record.decided_by, "decided_by_name": name_of(known, record.decided_by),
        "prepared_by": record.prepared_by, "prepared_by_name": name_of(known, record.prepared_by),
        "language": record.language, "source_service": record.source_service, "replaces": record.replaces,
        "instructions": instructions_text(record.instructions, language), "served": served,
        "rectification_requests": [
            {"request_id": str(request_id), "party": q.party, "received_on": q.received_on.isoformat() if q.received_on
             else None, "late": q.late, "status": q.status, "prepared_by": q.prepared_by, "outcome": q.outcome,
             "outcome_decision_number": q.outcome_decision_number, "overdue": q.overdue}
            for request_id, q in state.requests.items()],
        "version": loaded.version}


async def decisions(app: Application[Ports], query: ListDecisions, principal: Principal) -> list[dict[str, Any]]:
    """A client's decisions, newest first, with the client's own last day for a request for rectification."""
    may_read_register(principal, query.client_id)
    if app.deps.list_decisions is None:
        return []
    rows = await app.deps.list_decisions(client_id=query.client_id, limit=query.limit, offset=query.offset)
    known = await app.deps.people.people(r["decided_by"] for r in rows)
    return [{**r, "decided_by_name": name_of(known, r["decided_by"])} for r in rows]


async def recipients(app: Application[Ports], query: ReadRecipients, principal: Principal,
                     on: date) -> dict[str, Any]:
    """Who is entitled to be served the decision on ``on`` (the client from 15, each representative whose link is
    in force and reads), by reference, and whether each has been served already: what a dispatch may name."""
    loaded = await app.read(DECISION, query, principal)
    standing = await app.deps.standing(query.client_id, on)
    served = loaded.state.served
    return {"decision_id": str(query.decision_id), "on": on.isoformat(), "recipients": [
        {"recipient": r.reference, "role": r.role, "person_id": str(r.person_id) if r.person_id else None,
         "link_id": str(r.link_id) if r.link_id else None, "served": r.reference in served}
        for r in entitled(query.client_id, standing)]}
