"""The case history: keeps every client's timeline from the log, answers as of any instant, keeps the
access log, reports retention and erases by crypto-shredding."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, Literal
from uuid import UUID, uuid4

import asyncpg

from contracts.history import ClientErased
from services.history.adapters import postgres
from services.history.domain.case import (
    ACCESS_EVENT,
    as_of,
    derive_state,
    is_case_event,
    short_type,
    timeline_entry,
    verify_chains,
)
from services.history.domain.retention import past_retention, retention_ends
from shared.infra.crypto import ERASED, Keyring
from shared.infra.eventstore import CommandContext
from shared.infra.postgres_store import PostgresEventStore
from shared.kernel.envelope import EventEnvelope
from shared.kernel.errors import Forbidden, NotFound, RuleViolation
from shared.kernel.principal import Principal
from shared.kernel.sealed import Sealed

READERS = ("auditor", "manager")


class HistoryApplication:
    def __init__(self, store: PostgresEventStore, keyring: Keyring) -> None:
        self.store = store
        self.keyring = keyring

    # --- from the log (the consumer of every topic) -------------------------------------------------------

    async def on_record(self, conn: asyncpg.Connection, e: EventEnvelope, topic: str, partition: int,
                        offset: int) -> None:
        if e.type == ACCESS_EVENT:
            await postgres.record_access(conn, e)
            return
        if not is_case_event(e):
            return  # the provider catalogue: not about a client
        await postgres.record_case_event(conn, e, topic, partition, offset)
        client_id, kind = UUID(e.data["client_id"]), short_type(e)
        if kind in ("IntakeCompleted", "NeedsAssessed"):
            await postgres.note_service_task(conn, client_id, e.data["service_task"])
        elif (kind == "CaseClosed" and e.source == "/avain/followup") or kind == "IntakeDeclined":
            # Either ends the case: its retention period runs from here (a declined intake is kept too).
            await postgres.note_closed(conn, client_id, e.time.date())
        elif kind == "ClientErased":
            await postgres.note_erased(conn, client_id, e.time)

    # --- the case as of any instant ------------------------------------------------------------------------

    async def case(self, client_id: UUID, principal: Principal, instant: datetime | None,
                   reveal: bool = False) -> dict[str, Any]:
        events = await postgres.case_events(self.store.pool, client_id)
        if not events:
            raise NotFound("no history for this client")
        self._may_read(principal, client_id, derive_state(events)["intake"].get("coordinator_id"))
        return await self.view(client_id, as_of(events, instant), instant, reveal)

    async def view(self, client_id: UUID, events: list[EventEnvelope], instant: datetime | None,
                   reveal: bool) -> dict[str, Any]:
        timeline = [timeline_entry(e) for e in events]
        if reveal:  # the client's own words, opened with their key (erased once the key is destroyed)
            for entry, e in zip(timeline, events, strict=True):
                entry["texts"] = await self._open(client_id, e.data)
        return {"client_id": str(client_id), "as_of": instant.isoformat() if instant else None,
                "state": derive_state(events), "timeline": timeline,
                "chain": [b.__dict__ for b in verify_chains(
                    (str(e.id), e) for e in sorted(events, key=lambda e: (e.stream_id, e.stream_version)))]}

    async def _open(self, client_id: UUID, data: dict[str, Any]) -> dict[str, str | None]:
        sealed = {k: Sealed.model_validate(v) for k, v in data.items() if isinstance(v, dict) and "ct" in v}
        if not sealed:
            return {}
        try:
            opened = await self.keyring.open(str(client_id), *sealed.values())
        except LookupError:
            opened = [ERASED] * len(sealed)
        return dict(zip(sealed, opened, strict=True))

    @staticmethod
    def _may_read(principal: Principal, client_id: UUID, coordinator_id: str | None = None) -> None:
        if principal.role in READERS:
            return
        if principal.role == "client" and principal.user_id == str(client_id):
            return  # a client may see their own history
        if principal.role == "worker" and coordinator_id is not None and principal.user_id == coordinator_id:
            return  # the coordinating worker follows the whole case (the one door)
        raise Forbidden("case histories are read by auditors, managers, the coordinating worker and the client")

    # --- the access log ------------------------------------------------------------------------------------

    async def access(self, principal: Principal, client_id: UUID | None, user_id: str | None, *, limit: int = 1000,
                     offset: int = 0) -> tuple[list[dict[str, Any]], int]:
        """Who read whose data, newest first, and how many entries in all: per client (also the client
        themself: who processed my data) or per user."""
        own = principal.role == "client" and client_id is not None and principal.user_id == str(client_id)
        if principal.role not in READERS and not own:
            raise Forbidden("the access log is read by auditors, managers, and each client for their own data")
        if client_id is None and user_id is None:
            raise RuleViolation("name a client (client_id) or a user (user_id)")
        entries = await postgres.access_log(self.store.pool, client_id=client_id, user_id=user_id, limit=limit,
                                            offset=offset)
        return entries, await postgres.count_access(self.store.pool, client_id=client_id, user_id=user_id)

    # --- retention and erasure -----------------------------------------------------------------------------

    async def retention_due(self, principal: Principal, today: date | None = None) -> list[dict[str, Any]]:
        if principal.role not in READERS:
            raise Forbidden("the retention report is for managers and auditors")
        table = await postgres.retention_table(self.store.pool)
        today = today or datetime.now(UTC).date()
        return [{"client_id": str(c["client_id"]), "service_task": c["service_task"],
                 "closed_on": c["closed_on"].isoformat(),
                 "retention_ended": retention_ends(c["closed_on"], c["service_task"], table).isoformat()}
                for c in await postgres.closed_cases(self.store.pool)
                if past_retention(c["closed_on"], c["service_task"], table, today)]

    async def erase(self, client_id: UUID, basis: Literal["retention_period_ended", "other_legal_basis"],
                    legal_basis: str, principal: Principal, ctx: CommandContext) -> EventEnvelope:
        """Destroy the client's key: their personal data becomes unreadable everywhere at once."""
        if principal.role != "manager":
            raise Forbidden("erasure is decided by the region's manager (auditors write nothing)")
        case = await postgres.case_of(self.store.pool, client_id)
        if case is None and not await postgres.case_events(self.store.pool, client_id):
            raise NotFound("no history for this client")
        if case is not None and case["erased_at"] is not None:
            raise RuleViolation("the client's data has already been erased")
        if basis == "retention_period_ended":
            table = await postgres.retention_table(self.store.pool)
            closed_on = case["closed_on"] if case else None
            if not past_retention(closed_on, case["service_task"] if case else None, table, ctx.now.date()):
                raise RuleViolation("the retention period has not ended: erasure needs another recorded legal basis")
        await self.keyring.destroy(str(client_id), f"{basis}: {legal_basis}")
        event = ClientErased(client_id=client_id, basis=basis, legal_basis=legal_basis)
        async with self.store.pool.acquire() as conn, conn.transaction():
            [envelope] = await self.store.append(conn, f"erasure-{uuid4()}", 0, [event], ctx, subject=str(client_id))
        return envelope

