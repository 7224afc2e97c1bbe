"""Who may see what in the decisions service, and who may record what.

- the approvals queue: managers and auditors see every request; a worker sees the requests they made; nobody
  else (clients see a refusal's reasoning on the matter itself, e.g. their budget);
- the register: a client reads their own decisions, and so does their representative within their mandate (a
  guardian the client forbade reads nothing: shared.kernel.representation); workers, managers and auditors read
  any (the register is the county's; every read is access-logged); workers and managers record dispatches and receipts (the
  notifications service will too, as the system), and read who is entitled to be served; only the service itself
  registers a decision;
- requests for rectification: the client files their own, or their representative for them if the mandate covers
  it (a child under 15 through their guardian); a worker may record one on anyone's behalf; workers
  and managers prepare them and record the body's decision (the domain keeps out whoever took part in the
  decision); only the service's own timer marks one overdue;
- letters: only the service writes them (on a recorded dispatch); whoever reads the register reads them.
"""

from __future__ import annotations

from typing import Any

from services.decisions.application import commands as c
from services.decisions.application.queries import ListDecisions, ReadDecision, ReadLetters, ReadRecipients
from services.decisions.domain.register import RegisteredDecision
from shared.kernel.errors import Forbidden, NotFound
from shared.kernel.principal import Principal

STAFF_READERS = frozenset({"worker", "manager", "auditor"})
SERVERS = frozenset({"worker", "manager", "system"})  # who records how a decision was served
CASEWORK = frozenset({"worker", "manager"})


def queue_scope(principal: Principal) -> str | None:
    """Whose approval requests a reader sees: None for all (managers, auditors), or the worker's own."""
    if principal.role in ("manager", "auditor"):
        return None
    if principal.role == "worker":
        return principal.user_id
    raise Forbidden("the approvals queue is for managers, auditors and the workers who asked")


def may_read_register(principal: Principal, client_id: Any) -> None:
    if principal.role in ("client", "representative"):
        principal.as_client(client_id, "read")  # their own, or the client's they represent and may read for
        return
    if principal.role not in STAFF_READERS:
        raise Forbidden("the register is for the client, their representatives and the county's staff")


def policy(principal: Principal, request: Any, decision: RegisteredDecision) -> None:
    """The register's policy for a command or a query on one decision (the pipeline calls it with the state)."""
    record = decision.registered
    if record is not None and record.client_id != request.client_id:
        raise NotFound("no such decision")  # another client's decision does not exist under this client
    match request:
        case ReadDecision() | ListDecisions() | ReadLetters():
            may_read_register(principal, request.client_id)
        case c.RegisterDecision():
            if principal.role != "system":
                raise Forbidden("decisions are registered from the deciding services' records")
        case c.DispatchDecision() | c.RecordReceipt() | ReadRecipients():
            if principal.role not in SERVERS:
                raise Forbidden("dispatches and receipts are recorded by the county's staff")
        case c.FileRectification():
            if principal.role in ("client", "representative"):
                principal.as_client(request.client_id, "rectification")
            elif principal.role not in CASEWORK:
                raise Forbidden("a request for rectification is filed by the client or recorded by a worker")
        case c.PrepareRectification() | c.DecideRectification():
            if principal.role not in CASEWORK:
                raise Forbidden("requests for rectification are prepared and recorded by the county's staff")
        case c.MarkRectificationOverdue():
            if principal.role != "system":
                raise Forbidden("a request becomes overdue by the clock")
        case c.IssueLetter():
            if principal.role != "system":
                raise Forbidden("a letter is written when its dispatch is recorded")
        case _:
            raise Forbidden(f"no rule lets anyone {type(request).__name__}")
