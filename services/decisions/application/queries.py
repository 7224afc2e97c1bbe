"""What readers ask of the decisions service (the policy decides who may); answered by views.py."""

from __future__ import annotations

from typing import Literal

from shared.kernel.commands import Query


class ListApprovals(Query):
    """The approvals queue: a manager's (everything, by default what waits), a worker's own requests."""

    status: Literal["pending", "granted", "refused", "withdrawn"] | None = "pending"
    kind: str | None = None
    limit: int = 100
    offset: int = 0
