"""What readers ask of follow-up (the policy decides who may, as for commands); answered by views.py."""

from __future__ import annotations

from uuid import UUID

from shared.kernel.commands import Query


class ReadFollowUp(Query):
    client_id: UUID


class ReadClientEffectiveness(Query):
    client_id: UUID


class ListFollowUps(Query):
    overdue: bool = False
    limit: int = 100
    offset: int = 0


class ReadRegionEffectiveness(Query):
    pass
