"""Who may do what with a budget: by role, and by relationship to the case.

- the client reads their own budget and shapes their plan (goals, supports, wishes): the client is in charge; a
  representative does so for them within their mandate, a child under 15 reads and their guardian acts
  (shared.kernel.representation);
- the coordinating worker of the case plans, proposes, decides up to their authority limit, revises, closes;
- a manager reads budgets, approves or rejects decisions above the limit, and may revise or close;
- an auditor reads; a provider has no access to budgets;
- the service itself ("system") only reacts to other services' events.
"""

from __future__ import annotations

from typing import Any, Literal

from services.budgeting.application import commands as c
from services.budgeting.application.queries import AdviseOnBudget, ReadBudget
from services.budgeting.domain.budget import Budget
from shared.kernel.errors import Forbidden
from shared.kernel.principal import Principal
from shared.kernel.representation import Act

Action = Literal["read", "plan", "propose", "decide", "approve", "revise", "close"]

# What each command or query asks to do: one line per command.
ACTIONS: dict[type, Action] = {
    ReadBudget: "read",
    AdviseOnBudget: "read",
    c.SetGoal: "plan",
    c.PlanSupport: "plan",
    c.RecordWish: "plan",
    c.ProposeBudget: "propose",
    c.DecideBudget: "decide",
    c.ApproveBudget: "approve",
    c.RejectBudget: "approve",
    c.ReviseBudget: "revise",
    c.CloseBudget: "close",
}

# What the service does of itself, on another service's event (reactions.py): nobody else may.
REACTIONS: frozenset[type] = frozenset({
    c.OpenBudget, c.FreezeBudget, c.UnfreezeBudget, c.ChangeCoordinator, c.ReserveFunds, c.ReleaseFunds,
    c.RecordSpending, c.CloseBudgetWithCase, c.OpenPlanReview, c.AmendByRectification,
})

CLIENT: frozenset[Action] = frozenset({"read", "plan"})
ACT_OF: dict[Action, Act] = {"read": "read", "plan": "wishes"}  # what the client's steps are, for a representative
COORDINATOR: frozenset[Action] = frozenset({"read", "plan", "propose", "decide", "revise", "close"})
MANAGER: frozenset[Action] = frozenset({"read", "approve", "revise", "close"})
LISTS = ("worker", "manager", "auditor")


def authorize(principal: Principal, request: Any, budget: Budget) -> None:
    """Raises Forbidden unless ``principal`` may send ``request`` (a command or a query) about ``budget``."""
    reaction, system = type(request) in REACTIONS, principal.role == "system"
    if reaction or system:
        if not (reaction and system):
            raise Forbidden("only budgeting itself does this, on another service's event")
        return
    role, action = principal.role, ACTIONS[type(request)]
    if role in ("client", "representative"):
        if role == "client" and str(budget.client_id) != principal.user_id:
            raise Forbidden("a client can only see their own budget")
        if action in CLIENT:
            principal.as_client(budget.client_id, ACT_OF[action])
        allowed = CLIENT
    elif role == "worker":
        if budget.coordinator_id != principal.user_id:
            raise Forbidden("only the client's coordinating worker works on this budget")
        allowed = COORDINATOR
    elif role == "manager":
        allowed = MANAGER
    elif role == "auditor":
        allowed = frozenset({"read"})
    else:
        allowed = frozenset()
    if action not in allowed:
        raise Forbidden(f"a {role} may not {action} here")


def list_scope(principal: Principal) -> str | None:
    """Whose budgets a work list shows: a worker's own clients'; all for managers and auditors (None)."""
    if principal.role not in LISTS:
        raise Forbidden("budget lists are for workers, managers and auditors")
    return principal.user_id if principal.role == "worker" else None
