"""The case history's tables in memory, for its application tests: as PostgreSQL keeps them (a redelivered event
lands once; a client's events in case order; the access log newest first)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any
from uuid import UUID

from services.history.domain.case import case_order
from services.history.domain.retention import DEFAULT_YEARS, CaseRecord
from shared.infra.eventstore import Position, Session
from shared.kernel.envelope import EventEnvelope


@dataclass
class MemoryTables:
    timeline: dict[UUID, tuple[EventEnvelope, Position]] = field(default_factory=dict)  # event id → where it sat
    access: dict[UUID, EventEnvelope] = field(default_factory=dict)
    cases: dict[UUID, CaseRecord] = field(default_factory=dict)
    retention: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_YEARS))

    async def record_case_event(self, session: Session, envelope: EventEnvelope, position: Position) -> None:
        self.timeline.setdefault(envelope.id, (envelope, position))

    async def record_access(self, session: Session, envelope: EventEnvelope) -> None:
        self.access.setdefault(envelope.id, envelope)

    def _note(self, client_id: UUID, **changes: Any) -> None:
        self.cases[client_id] = replace(self.cases.get(client_id, CaseRecord(client_id)), **changes)

    async def note_service_task(self, session: Session, client_id: UUID, task: str) -> None:
        self._note(client_id, service_task=task)

    async def note_closed(self, session: Session, client_id: UUID, closed_on: date) -> None:
        self._note(client_id, closed_on=closed_on)

    async def note_erased(self, session: Session, client_id: UUID, at: datetime) -> None:
        self._note(client_id, erased_at=at)

    async def case_events(self, client_id: UUID) -> list[EventEnvelope]:
        return case_order(e for e, _ in self.timeline.values() if UUID(e.data["client_id"]) == client_id)

    async def case_of(self, client_id: UUID) -> CaseRecord | None:
        return self.cases.get(client_id)

    async def closed_cases(self) -> list[CaseRecord]:
        return sorted((c for c in self.cases.values() if c.closed_on is not None and c.erased_at is None),
                      key=lambda c: c.closed_on or date.min)

    async def retention_table(self) -> dict[str, int]:
        return dict(self.retention)

    def _accesses(self, client_id: UUID | None, user_id: str | None) -> list[EventEnvelope]:
        return [e for e in self.access.values() if (client_id is None or e.data["client_id"] == str(client_id))
                and (user_id is None or e.data["user_id"] == user_id)]

    async def access_log(self, *, client_id: UUID | None, user_id: str | None, limit: int,
                         offset: int = 0) -> list[dict[str, Any]]:
        newest = sorted(self._accesses(client_id, user_id), key=lambda e: (-e.time.timestamp(), str(e.id)))
        return [{"event_id": str(e.id), **e.data, "accessed_at": e.time.isoformat(), "event_hash": e.hash}
                for e in newest[offset:offset + limit]]

    async def count_access(self, *, client_id: UUID | None, user_id: str | None) -> int:
        return len(self._accesses(client_id, user_id))
