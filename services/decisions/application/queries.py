"""What readers ask of the decisions service (the policy decides who may); answered by views.py."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from shared.kernel.commands import Query


class ListApprovals(Query):
    """The approvals queue: a manager's (everything, by default what waits), a worker's own requests."""

    status: Literal["pending", "granted", "refused", "withdrawn"] | None = "pending"
    kind: str | None = None
    limit: int = 100
    offset: int = 0


class ReadDecision(Query):
    """One decision in the register: what it is, how it was served, and the time limits it started."""

    client_id: UUID
    decision_id: UUID
    language: str | None = None


class ReadRecipients(Query):
    """Who is entitled to be served a decision on a day: the register's proposal to whoever records a dispatch."""

    client_id: UUID
    decision_id: UUID


class ListDecisions(Query):
    """A client's decisions in the register, newest first."""

    client_id: UUID
    limit: int = 100
    offset: int = 0


class ReadLetters(Query):
    """A decision's letters as served (each one's hashes and metadata; the PDF or its HTML twin on request)."""

    client_id: UUID
    decision_id: UUID
