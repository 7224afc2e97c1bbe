"""What readers ask of intake (the policy decides who may, as for commands); answered by views.py."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from shared.kernel.commands import Query


class ReadCase(Query):
    client_id: UUID
    language: str | None = None  # the reader's: a decision's law is written in it (None: Finnish)


class ListCases(Query):
    scope: Literal["mine", "unassigned", "all"] = "mine"
    coordinator: str | None = None  # one named worker's cases (a manager moving a caseload); overrides scope
    status: Literal["open", "completed", "declined"] | None = None
    limit: int = 100
    offset: int = 0


class ReadPersonForIntegration(Query):
    client_id: UUID
    purpose: str  # as stated in X-Access-Purpose


class ReadStaff(Query):
    staff_id: str


class ListStaff(Query):
    active: bool | None = True
    limit: int = 100
    offset: int = 0


class ReadRepresentative(Query):
    person_id: UUID


class ExportCase(Query):
    """The case as handed over to the county now responsible."""

    client_id: UUID
