"""What the case history's listener, handlers and views reach beyond the rights streams: its tables (the
timeline of every client's events, the access log, the cases' service task, closing and erasure, the retention
table), and its copy of people (staff names for the timeline and the access log, each person's language).
``Tables`` is implemented on PostgreSQL (adapters/postgres.py) and in memory by the application tests; ``People``
in shared/infra/people.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol
from uuid import UUID

from services.history.domain.retention import CaseRecord
from shared.infra.eventstore import Position, Session
from shared.infra.people import MemoryPeople, People
from shared.kernel.envelope import EventEnvelope


class Tables(Protocol):
    # --- written by the timeline listener, in the inbox's session ---------------------------------------------
    async def record_case_event(self, session: Session, envelope: EventEnvelope, position: Position) -> None: ...

    async def record_access(self, session: Session, envelope: EventEnvelope) -> None: ...

    async def note_service_task(self, session: Session, client_id: UUID, task: str) -> None: ...

    async def note_closed(self, session: Session, client_id: UUID, closed_on: date) -> None: ...

    async def note_erased(self, session: Session, client_id: UUID, at: datetime) -> None: ...

    # --- read ---------------------------------------------------------------------------------------------------
    async def case_events(self, client_id: UUID) -> list[EventEnvelope]:
        """The client's events in case order (time, stream, version)."""

    async def case_of(self, client_id: UUID) -> CaseRecord | None: ...

    async def closed_cases(self) -> list[CaseRecord]:
        """Closed and not erased, earliest closing first."""

    async def retention_table(self) -> dict[str, int]: ...

    async def access_log(self, *, client_id: UUID | None, user_id: str | None, limit: int,
                         offset: int) -> list[dict[str, Any]]: ...

    async def count_access(self, *, client_id: UUID | None, user_id: str | None) -> int: ...


@dataclass(frozen=True)
class Ports:
    tables: Tables
    people: People = field(default_factory=MemoryPeople)  # written by the timeline listener, read by the views
