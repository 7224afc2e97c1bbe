"""What readers see in the decisions service: the approvals queue."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from services.decisions.application.policy import queue_scope
from services.decisions.application.ports import ApprovalRow, Ports
from services.decisions.application.queries import ListApprovals
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
