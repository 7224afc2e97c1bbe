"""Who may read and act on the case history.

- auditors and managers read every case, the access log and the retention report; auditors write nothing;
- the coordinating worker reads their client's case (the one door); the client reads their own case and who
  processed their data, and so does their representative within a mandate that reads;
- the data subject's rights are managed by the region's managers (erasure: one asks, another approves); a
  correction may also be recorded by a worker;
- a copy of the client's data (GDPR art. 15) is asked for and received by the client or their representative
  within a mandate that reads; the county's readers of the case see that it is pending and when it is due.
"""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

from services.history.application import commands as c
from shared.kernel.errors import Forbidden
from shared.kernel.principal import Principal

READERS = ("auditor", "manager")

Action = Literal["erase", "manage_rights", "correct", "copy"]

# What each command asks to do: one line per command.
ACTIONS: dict[type, Action] = {
    c.RequestErasure: "erase",
    c.ApproveErasure: "erase",
    c.WithdrawErasure: "manage_rights",
    c.PlaceHold: "manage_rights",
    c.LiftHold: "manage_rights",
    c.DesignateForArchiving: "manage_rights",
    c.RestrictProcessing: "manage_rights",
    c.LiftRestriction: "manage_rights",
    c.CorrectEntry: "correct",
    c.RequestCopy: "copy",
    c.DeliverCopy: "copy",
}

WRITERS: dict[Action, tuple[str, ...]] = {"erase": ("manager",), "manage_rights": ("manager",),
                                          "correct": ("manager", "worker"), "copy": ()}


def policy(principal: Principal, command: Any, _rights: Any) -> None:
    """The pipeline's question: may ``principal`` send ``command`` about a client's rights? By role only."""
    action = ACTIONS[type(command)]
    if action == "copy":
        may_receive_copy(principal, command.client_id)
        return
    writers = WRITERS[action]
    if principal.role in writers:
        return
    if action == "erase":
        raise Forbidden("erasure is asked and approved by the region's managers, two different ones")
    raise Forbidden("the case's rights are managed by " + " and ".join(f"{w}s" for w in writers))


def may_read_case(principal: Principal, client_id: UUID, coordinator_id: str | None) -> None:
    if principal.role in READERS:
        return
    if principal.role == "client" and principal.user_id == str(client_id):
        return  # a client may see their own history
    if principal.role == "worker" and coordinator_id is not None and principal.user_id == coordinator_id:
        return  # the coordinating worker follows the whole case (the one door)
    raise Forbidden("case histories are read by auditors, managers, the coordinating worker and the client")


def may_read_access_log(principal: Principal, client_id: UUID | None) -> None:
    """Auditors and managers; each client for their own data, and their representative within a mandate that reads
    (who read the child's data is the child's to know, and so their guardian's, as in the copy of art. 15)."""
    if principal.role in READERS:
        return
    if client_id is not None and principal.role in ("client", "representative"):
        principal.as_client(client_id, "read")  # Forbidden, with the reason, for another client or no mandate
        return
    raise Forbidden("the access log is read by auditors, managers, and each client for their own data")


def may_read_retention(principal: Principal) -> None:
    if principal.role not in READERS:
        raise Forbidden("the retention report is for managers and auditors")


def may_receive_copy(principal: Principal, client_id: UUID) -> None:
    """The data subject's own right (art. 15): the client, or their representative within a mandate that reads
    (a guardian the child has forbidden reads nothing). Staff see the request, not the copy."""
    if not principal.as_client(client_id, "read"):  # Forbidden with the reason for another client or no mandate
        raise Forbidden("a copy of a client's data is asked for and received by the client or their representative")


def may_see_copy_requests(principal: Principal, client_id: UUID, coordinator_id: str | None) -> None:
    if principal.role in ("client", "representative"):
        may_receive_copy(principal, client_id)
        return
    may_read_case(principal, client_id, coordinator_id)
