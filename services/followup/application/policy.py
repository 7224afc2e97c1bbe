"""Who may do what with a follow-up case: by role, and by relationship to the case.

- the client reads their own case and effectiveness, fills in their own re-assessment and may ask for a
  plan review at any time: the client is in charge;
- the coordinating worker of the case records check-ins, goal attainment and re-assessments, asks for a
  plan review and closes the case;
- a manager and an auditor read cases and effectiveness, also the region's; a provider has no access;
- the region's planner reads only the region's figures, in which no group under 5 clients is shown.
"""

from __future__ import annotations

from typing import Literal

from services.followup.domain.followup import FollowUp
from shared.kernel.errors import Forbidden
from shared.kernel.principal import Principal

Action = Literal["read", "check_in", "score_goal", "reassess", "request_review", "close"]

CLIENT: frozenset[Action] = frozenset({"read", "reassess", "request_review"})
COORDINATOR: frozenset[Action] = frozenset({"read", "check_in", "score_goal", "reassess", "request_review", "close"})
READER: frozenset[Action] = frozenset({"read"})


def authorize(principal: Principal, action: Action, case: FollowUp) -> None:
    role = principal.role
    if role == "client":
        if str(case.client_id) != principal.user_id:
            raise Forbidden("a client can only see their own follow-up")
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


def authorize_lists(principal: Principal) -> None:
    if principal.role not in ("worker", "manager", "auditor"):
        raise Forbidden("follow-up lists are for workers, managers and auditors")


def authorize_region(principal: Principal) -> None:
    if principal.role not in ("manager", "auditor", "planner"):
        raise Forbidden("the region's effectiveness figures are for managers, auditors and the region's planners")
