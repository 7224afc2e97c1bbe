"""What readers ask of budgeting (the policy decides who may, as for commands); answered by views.py."""

from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import UUID

from shared.kernel.commands import Query


class ReadBudget(Query):
    client_id: UUID
    language: str | None = None  # the reader's: a decision's law is written in it (None: Finnish)


class AdviseOnBudget(Query):
    client_id: UUID
    today: date | None = None  # None: today (UTC)


class ListBudgets(Query):
    status: Literal["draft", "awaiting_approval", "decided", "closed"] | None = None
    limit: int = 100
    offset: int = 0
