"""Who may do what with an intake case: by role, and by relationship to the case.

- a client sees and acts on only their own case (consent, their own self-assessment);
- a worker registers clients, works on cases still without a coordinator (the one door), and once a
  coordinator is assigned, only that worker acts on the case;
- a manager reads cases and assigns coordinators;
- an auditor reads, never writes (the access log of issue 6 will record each read and its purpose);
- a provider has no access to intake;
- a representative reads the case and gives consent and the self-assessment for the client, within their mandate
  (shared.kernel.representation); a child under 15 reads their case, their guardian acts for them;
- the client changes their own contact details and preferred language; the worker the client's municipality,
  a move out of the county (a decision), the hand-over, and who represents the client (with its basis);
- a worker registers representatives; a representative reads their own record;
- the service itself ("system") notes the birthdays that change a minor's stage, and nobody else may.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from services.intake.application import commands as c
from services.intake.application.queries import ExportCase, ListCases, ReadCase, ReadRepresentative
from services.intake.domain.case import IntakeCase
from services.intake.domain.person import Person
from shared.kernel.calendar import county_day
from shared.kernel.errors import Forbidden
from shared.kernel.principal import Principal
from shared.kernel.representation import Act

Action = Literal[
    "read", "register", "consent", "self_assess", "assign_coordinator", "assess_needs", "complete", "decline",
    "contact", "life", "represent",
]

# What each command or query asks to do: one line per command.
ACTIONS: dict[type, Action] = {
    ReadCase: "read",
    ExportCase: "life",
    c.OpenCase: "register",
    c.GiveConsent: "consent",
    c.WithdrawConsent: "consent",
    c.RecordSelfAssessment: "self_assess",
    c.AssignCoordinator: "assign_coordinator",
    c.AssessNeeds: "assess_needs",
    c.CompleteIntake: "complete",
    c.DeclineIntake: "decline",
    c.ChangeContactDetails: "contact",
    c.ChangePreferredLanguage: "contact",
    c.ChangeMunicipality: "life",
    c.RecordMoveOutOfCounty: "life",
    c.HandOverCase: "life",
    c.LinkRepresentative: "represent",
    c.ConfirmRepresentation: "represent",
    c.EndRepresentation: "represent",
    c.RecordDataProhibition: "represent",
    c.LiftDataProhibition: "represent",
}

# What the service does of itself, on its own deadlines: nobody else may.
REACTIONS: frozenset[type] = frozenset({c.PassBirthday})

CLIENT_ACTIONS: frozenset[Action] = frozenset({"read", "consent", "self_assess", "contact"})
# What the client does as themself, or their representative for them: the act it is (their own contact details
# are the client's alone: a representative's contact details are their own).
ACT_OF: dict[Action, Act] = {"read": "read", "consent": "consent", "self_assess": "self_assessment"}
CASEWORK: frozenset[Action] = frozenset(
    {"read", "consent", "self_assess", "assign_coordinator", "assess_needs", "complete", "decline", "contact", "life",
     "represent"}
)


def authorize(principal: Principal, action: Action, case: IntakeCase | None = None) -> None:
    """Raises Forbidden unless ``principal`` may take ``action`` on ``case`` (None: no case yet)."""
    role = principal.role
    if action == "register":
        if role != "worker":
            raise Forbidden("only a worker registers clients")
        return
    assert case is not None
    if role in ("client", "representative"):
        if role == "client" and str(case.client_id) != principal.user_id:
            raise Forbidden("a client can only see their own case")
        if action not in CLIENT_ACTIONS or (role == "representative" and action not in ACT_OF):
            raise Forbidden("this step is taken by the coordinating worker")
        # a child acts through their guardian
        as_the_record_says(principal, case).as_client(case.client_id, ACT_OF.get(action, "consent"))
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


def as_the_record_says(principal: Principal, case: IntakeCase, day: Any = None) -> Principal:
    """``principal`` held to what the client's own record says today, not only to this service's projection of it:
    intake owns the record, and its projection catches up a moment later. So a child registered a moment ago does
    not act alone, and a link ended or a prohibition recorded holds at once here; never wider than the projection's
    (a link it does not have yet stays refused until it has)."""
    day = day or county_day(datetime.now(UTC))
    if principal.role == "client":
        return principal.model_copy(update={"acts_alone": principal.acts_alone and case.stage_on(day) != "child"})
    named = {g for guardians, _ in case.prohibitions.values() for g in guardians}
    every_guardian = any(every for _, every in case.prohibitions.values())
    mandates = []
    for mandate in principal.mandates:
        if mandate.client_id == case.client_id:
            link = case.links.get(mandate.link_id)
            if link is None or not link.in_force(day):
                continue  # ended, or past its last day, on the record
            if link.kind == "guardian" and (every_guardian or link.representative_id in named):
                mandate = mandate.model_copy(update={"reads": False})
        mandates.append(mandate)
    return principal.model_copy(update={"mandates": tuple(mandates)})


def may_assign_to(principal: Principal, worker_id: str) -> None:
    """A worker may take a case on themselves; only a manager assigns it to someone else."""
    if principal.role == "worker" and worker_id != principal.user_id:
        raise Forbidden("a worker can assign only themselves; a manager assigns others")


def policy(principal: Principal, request: Any, case: IntakeCase) -> None:
    """The pipeline's question: may ``principal`` send ``request`` (a command or a query) about ``case``?"""
    reaction, system = type(request) in REACTIONS, principal.role == "system"
    if reaction or system:
        if not (reaction and system):
            raise Forbidden("only intake itself does this, on its own deadline")
        return
    action = ACTIONS[type(request)]
    if isinstance(request, c.AssignCoordinator):
        may_assign_to(principal, request.worker_id)
    authorize(principal, action, None if action == "register" else case)


def person_policy(principal: Principal, request: Any, person: Person) -> None:
    """A worker registers representatives and reads their records; a representative reads their own."""
    if principal.role == "worker":
        return
    if principal.role == "representative" and principal.user_id == str(person.person_id) and isinstance(
            request, ReadRepresentative):
        return
    raise Forbidden("a representative's record is read by themself and by workers")


def list_scope(principal: Principal, query: ListCases) -> str | None:
    """Whose cases a work list shows: the coordinator's id, "" for the unassigned ones, None for all."""
    if principal.role not in ("worker", "manager", "auditor"):
        raise Forbidden("work lists are for workers, managers and auditors")
    if query.coordinator is not None:
        if principal.role == "worker" and query.coordinator != principal.user_id:
            raise Forbidden("a worker lists their own cases; a manager lists another worker's")
        return query.coordinator
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
