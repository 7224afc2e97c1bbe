"""Who may do what with a follow-up case: by role, and by relationship to the case.

- the client reads their own case and effectiveness, fills in their own re-assessment and may ask for a
  plan review at any time: the client is in charge; a representative does so for them within their mandate, a
  child under 15 reads and their guardian acts (shared.kernel.representation);
- the client (or their representative) records how things are going in their own words and may ask to end the
  case;
- the coordinating worker of the case records check-ins, goal attainment and re-assessments, asks for a
  plan review, answers a request to end the case and closes the case;
- a manager and an auditor read cases and effectiveness, also the region's; a provider has no access;
- the region's planner reads only the region's figures, in which no group under 5 clients is shown;
- the service itself ("system") only reacts to other services' events and to its own deadlines.
"""

from __future__ import annotations

from typing import Any, Literal

from services.followup.application import commands as c
from services.followup.application.queries import ReadClientEffectiveness, ReadFollowUp
from services.followup.domain.followup import FollowUp
from shared.kernel.errors import Forbidden
from shared.kernel.principal import Principal
from shared.kernel.representation import Act

Action = Literal["read", "check_in", "score_goal", "reassess", "request_review", "close", "own_check_in",
                 "request_end", "answer_end"]

# What each command or query asks to do: one line per command.
ACTIONS: dict[type, Action] = {
    ReadFollowUp: "read",
    ReadClientEffectiveness: "read",
    c.RecordCheckIn: "check_in",
    c.ScoreGoal: "score_goal",
    c.Reassess: "reassess",
    c.RequestPlanReview: "request_review",
    c.CloseCase: "close",
    c.RecordOwnCheckIn: "own_check_in",
    c.RequestCaseEnd: "request_end",
    c.AnswerCaseEndRequest: "answer_end",
}

# What the service does of itself, on another service's event or its own deadline: nobody else may.
REACTIONS: frozenset[type] = frozenset({
    c.OpenFollowUp, c.ChangeCoordinator, c.TrackGoal, c.NotePlan, c.NotePlanRevision, c.NoteBudgetUse,
    c.NoteBudgetClosed, c.MarkOverdue, c.EvaluatePlan, c.NoteConsent, c.NoteMunicipality, c.EndResponsibility,
})

CLIENT: frozenset[Action] = frozenset({"read", "reassess", "request_review", "own_check_in", "request_end"})
# What the client's steps are, for a representative acting for them and for a child's own.
ACT_OF: dict[Action, Act] = {"read": "read", "reassess": "self_assessment", "request_review": "requests",
                             "own_check_in": "check_ins", "request_end": "requests"}
COORDINATOR: frozenset[Action] = frozenset({"read", "check_in", "score_goal", "reassess", "request_review", "close",
                                            "answer_end"})
READER: frozenset[Action] = frozenset({"read"})
LISTS = ("worker", "manager", "auditor")


def authorize(principal: Principal, action: Action, case: FollowUp) -> None:
    role = principal.role
    if role in ("client", "representative"):
        if role == "client" and str(case.client_id) != principal.user_id:
            raise Forbidden("a client can only see their own follow-up")
        if action in CLIENT:
            principal.as_client(case.client_id, ACT_OF[action])
        allowed = CLIENT
    elif role == "worker":
        if case.coordinator_id != principal.user_id:
            raise Forbidden("only the client's coordinating worker follows this case")
        allowed = COORDINATOR
    elif role in ("manager", "auditor"):
        allowed = READER
    else:
        allowed = frozenset()
    if action not in allowed:
        raise Forbidden(f"a {role} may not {action.replace('_', ' ')} here")


def policy(principal: Principal, request: Any, case: FollowUp) -> None:
    """The pipeline's question: may ``principal`` send ``request`` (a command or a query) about ``case``?"""
    reaction, system = type(request) in REACTIONS, principal.role == "system"
    if reaction or system:
        if not (reaction and system):
            raise Forbidden("only follow-up itself does this, on another service's event or its own deadline")
        return
    authorize(principal, ACTIONS[type(request)], case)


def list_scope(principal: Principal) -> str | None:
    """Whose follow-ups a work list shows: a worker's own clients'; all for managers and auditors (None)."""
    if principal.role not in LISTS:
        raise Forbidden("follow-up lists are for workers, managers and auditors")
    return principal.user_id if principal.role == "worker" else None


def authorize_region(principal: Principal) -> None:
    if principal.role not in ("manager", "auditor", "planner"):
        raise Forbidden("the region's effectiveness figures are for managers, auditors and the region's planners")
