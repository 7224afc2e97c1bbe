"""Who may do what with a budget: by role, and by relationship to the case.

- the client reads their own budget and shapes their plan (goals, supports, wishes): the client is in charge;
- the coordinating worker of the case plans, proposes, decides up to their authority limit, revises, closes;
- a manager reads budgets, approves or rejects decisions above the limit, and may revise or close;
- an auditor reads; a provider has no access to budgets.
"""

from __future__ import annotations

from typing import Literal

from services.budgeting.domain.budget import Budget
from shared.kernel.errors import Forbidden
from shared.kernel.principal import Principal

Action = Literal["read", "plan", "propose", "decide", "approve", "revise", "close"]

CLIENT: frozenset[Action] = frozenset({"read", "plan"})
COORDINATOR: frozenset[Action] = frozenset({"read", "plan", "propose", "decide", "revise", "close"})
MANAGER: frozenset[Action] = frozenset({"read", "approve", "revise", "close"})


def authorize(principal: Principal, action: Action, budget: Budget) -> None:
    role = principal.role
    if role == "client":
        if str(budget.client_id) != principal.user_id:
            raise Forbidden("a client can only see their own budget")
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
