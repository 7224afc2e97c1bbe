"""Who may act on an intake case (role and relationship)."""

from __future__ import annotations

from uuid import uuid4

import pytest

from services.intake.application.policy import authorize, may_assign_to
from services.intake.domain.client import IntakeCase
from shared.kernel.errors import Forbidden
from shared.kernel.principal import Principal

CID = uuid4()
UNASSIGNED = IntakeCase(client_id=CID, status="open")
ASSIGNED = IntakeCase(client_id=CID, status="open", coordinator_id="w-1")


def who(user: str, role: str) -> Principal:
    return Principal(user_id=user, role=role)  # type: ignore[arg-type]


@pytest.mark.parametrize(("principal", "action", "case", "allowed"), [
    (who("w-9", "worker"), "register", None, True),
    (who("m", "manager"), "register", None, False),
    (who(str(CID), "client"), "register", None, False),
    (who("w-9", "worker"), "assess_needs", UNASSIGNED, True),   # the one door: any worker before assignment
    (who("w-9", "worker"), "assess_needs", ASSIGNED, False),    # another worker's case
    (who("w-1", "worker"), "complete", ASSIGNED, True),
    (who(str(CID), "client"), "read", ASSIGNED, True),
    (who(str(CID), "client"), "self_assess", ASSIGNED, True),
    (who(str(CID), "client"), "complete", ASSIGNED, False),
    (who(str(uuid4()), "client"), "read", ASSIGNED, False),
    (who("m", "manager"), "assign_coordinator", ASSIGNED, True),
    (who("m", "manager"), "complete", ASSIGNED, False),
    (who("a", "auditor"), "read", ASSIGNED, True),
    (who("a", "auditor"), "consent", ASSIGNED, False),
    (who("p", "provider"), "read", ASSIGNED, False),
])
def test_authorize(principal: Principal, action: str, case: IntakeCase | None, allowed: bool) -> None:
    if allowed:
        authorize(principal, action, case)  # type: ignore[arg-type]
    else:
        with pytest.raises(Forbidden):
            authorize(principal, action, case)  # type: ignore[arg-type]


def test_a_worker_assigns_only_themselves() -> None:
    may_assign_to(who("w-1", "worker"), "w-1")
    may_assign_to(who("m", "manager"), "w-2")
    with pytest.raises(Forbidden):
        may_assign_to(who("w-1", "worker"), "w-2")
