"""Who may do what with an intake case: by role, and by relationship to the case.

- a client sees and acts on only their own case (consent, their own self-assessment);
- a worker registers clients, works on cases still without a coordinator (the one door), and once a
  coordinator is assigned, only that worker acts on the case;
- a manager reads cases and assigns coordinators;
- an auditor reads, never writes (the access log of issue 6 will record each read and its purpose);
- a provider has no access to intake.
"""

from __future__ import annotations

from typing import Any, Literal

from services.intake.application import commands as c
from services.intake.application.queries import ListCases, ReadCase
from services.intake.domain.client import IntakeCase
from shared.kernel.errors import Forbidden
from shared.kernel.principal import Principal

Action = Literal[
    "read", "register", "consent", "self_assess", "assign_coordinator", "assess_needs", "complete", "decline",
    "language",
]

# What each command or query asks to do: one line per command.
ACTIONS: dict[type, Action] = {
    ReadCase: "read",
    c.OpenCase: "register",
    c.GiveConsent: "consent",
    c.WithdrawConsent: "consent",
    c.RecordSelfAssessment: "self_assess",
    c.AssignCoordinator: "assign_coordinator",
    c.AssessNeeds: "assess_needs",
    c.ChangePreferredLanguage: "language",
    c.CompleteIntake: "complete",
    c.DeclineIntake: "decline",
}

CLIENT_ACTIONS: frozenset[Action] = frozenset({"read", "consent", "self_assess", "language"})
CASEWORK: frozenset[Action] = frozenset(
    {"read", "consent", "self_assess", "assign_coordinator", "assess_needs", "complete", "decline", "language"}
)


def authorize(principal: Principal, action: Action, case: IntakeCase | None = None) -> None:
    """Raises Forbidden unless ``principal`` may take ``action`` on ``case`` (None: no case yet)."""
    role = principal.role
    if action == "register":
        if role != "worker":
            raise Forbidden("only a worker registers clients")
        return
    assert case is not None
    if role == "client":
        if str(case.client_id) != principal.user_id:
            raise Forbidden("a client can only see their own case")
        if action not in CLIENT_ACTIONS:
            raise Forbidden("this step is taken by the coordinating worker")
        return
    if role == "worker":
        if case.coordinator_id not in (None, principal.user_id):
            raise Forbidden("the case has another coordinating worker")
        if action == "assign_coordinator" and case.coordinator_id is None:
            return  # at the one door a worker may take the case on
        if action not in CASEWORK:
            raise Forbidden("not allowed")
        return
    if role == "manager" and action in ("read", "assign_coordinator"):
        return
    if role == "auditor" and action == "read":
        return
    raise Forbidden(f"a {role} may not {action.replace('_', ' ')} here")


def may_assign_to(principal: Principal, worker_id: str) -> None:
    """A worker may take a case on themselves; only a manager assigns it to someone else."""
    if principal.role == "worker" and worker_id != principal.user_id:
        raise Forbidden("a worker can assign only themselves; a manager assigns others")


def policy(principal: Principal, request: Any, case: IntakeCase) -> None:
    """The pipeline's question: may ``principal`` send ``request`` (a command or a query) about ``case``?"""
    action = ACTIONS[type(request)]
    if isinstance(request, c.AssignCoordinator):
        may_assign_to(principal, request.worker_id)
    authorize(principal, action, None if action == "register" else case)


def list_scope(principal: Principal, query: ListCases) -> str | None:
    """Whose cases a work list shows: the coordinator's id, "" for the unassigned ones, None for all."""
    if principal.role not in ("worker", "manager", "auditor"):
        raise Forbidden("work lists are for workers, managers and auditors")
    if query.scope == "all" and principal.role == "worker":
        raise Forbidden("a worker lists their own cases or the unassigned ones")
    return principal.user_id if query.scope == "mine" else ("" if query.scope == "unassigned" else None)


def authorize_integration(principal: Principal, purpose: str, granted: dict[str, list[str]]) -> None:
    """An integration client reads a client's personal data only for a purpose it was granted (ADR 0016)."""
    if principal.role != "integration":
        raise Forbidden("this interface is for integration clients")
    if purpose not in granted.get(principal.user_id, []):
        raise Forbidden(f"integration client {principal.user_id} is not granted the purpose {purpose}")


# --- the staff directory --------------------------------------------------------------------------------------
# Staff entries are work data: every staff member and every client may read them (a client sees who their worker
# is and how to reach them); an administrator (a manager) records anyone's, a staff member their own from the
# claims of their sign-in. Providers and integration clients have no use for it.
STAFF_ROLES = ("worker", "manager", "auditor")
STAFF_READERS = (*STAFF_ROLES, "client")


def staff_policy(principal: Principal, request: Any, member: Any) -> None:
    if isinstance(request, c.RecordStaffProfile):
        if principal.role != "manager":
            raise Forbidden("the staff directory is kept by administrators (managers) and by each person's sign-in")
        return
    if isinstance(request, c.SyncStaffProfile):
        if principal.role not in STAFF_ROLES or principal.user_id != request.staff_id:
            raise Forbidden("a staff member's sign-in records only their own entry")
        return
    may_read_staff(principal)


def may_read_staff(principal: Principal) -> None:
    if principal.role not in STAFF_READERS:
        raise Forbidden("the staff directory is for staff and clients")
