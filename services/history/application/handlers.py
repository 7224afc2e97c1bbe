"""The case history: keeps every client's timeline from the log, answers as of any instant, keeps the
access log, reports retention, and serves the data subject's rights (erasure by crypto-shredding as the law
allows, restriction, correction) on each client's rights stream."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

import asyncpg

from contracts.history import ClientErased, ErasureRefused
from contracts.history import registry as history_events
from contracts.intake import ClientRegistered, PreferredLanguageChanged, StaffProfileRecorded
from services.history.adapters import postgres
from services.history.domain import rights
from services.history.domain.case import (
    ACCESS_EVENT,
    as_of,
    derive_state,
    in_words,
    is_case_event,
    short_type,
    timeline,
    verify_chains,
)
from services.history.domain.retention import past_retention, retention_ends
from shared.i18n import Translator, catalogue
from shared.infra import people
from shared.infra.aggregate import Aggregate, CommandRunner, Executed
from shared.infra.crypto import ERASED, Keyring
from shared.infra.eventstore import CommandContext
from shared.infra.people import name_of
from shared.infra.postgres_store import PostgresEventStore
from shared.kernel.envelope import EventEnvelope
from shared.kernel.errors import Forbidden, NotFound, RuleViolation
from shared.kernel.principal import Principal
from shared.kernel.sealed import Sealed

READERS = ("auditor", "manager")
RIGHTS = Aggregate(rights.INITIAL, rights.evolve, rights.decide, history_events)


def access_in_words(t: Translator, entry: dict[str, Any], name: str | None) -> str:
    """One read of a client's data as a sentence in the reader's language: who (a name when the staff directory
    knows them), in what role, when and why; a refused read says so."""
    who = t("access.words.you") if entry["role"] == "client" else (name or entry["user_id"])
    key = "access.words.refused" if int(entry["status"]) >= 400 else "access.words"
    return t(key, when=t.datetime(entry["accessed_at"]), who=who, role=t.of("kernel", f"role.{entry['role']}"),
             purpose=t.of("kernel", f"purpose.{entry['purpose']}"))


class HistoryApplication:
    def __init__(self, store: PostgresEventStore, keyring: Keyring) -> None:
        self.store = store
        self.keyring = keyring
        self.rights = CommandRunner(store, RIGHTS, serialize=True)
        self.people = people.PostgresPeople(store.pool)

    # --- from the log (the consumer of every topic) -------------------------------------------------------

    async def on_record(self, conn: asyncpg.Connection, e: EventEnvelope, topic: str, partition: int,
                        offset: int) -> None:
        if e.type == ACCESS_EVENT:
            await postgres.record_access(conn, e)
            return
        if e.type == StaffProfileRecorded.event_type:  # the timeline and the access log name people, not ids
            await people.write_staff(conn, StaffProfileRecorded.model_validate(e.data), e.time)
            return
        if e.type in (ClientRegistered.event_type, PreferredLanguageChanged.event_type):  # chosen, or changed later
            await people.write_language(conn, e.data["client_id"], e.data["preferred_language"])
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
                   reveal: bool = False, purpose: str = "audit", language: str = "fi") -> dict[str, Any]:
        events = await postgres.case_events(self.store.pool, client_id)
        if not events:
            raise NotFound("no history for this client")
        self._may_read(principal, client_id, derive_state(events)["intake"].get("coordinator_id"))
        restriction = (await self.rights.current(_stream(client_id))).state.restriction
        if restriction is not None and purpose != restriction.purpose and principal.role != "client":
            # GDPR art. 18: read only for the recorded purpose (the subject always sees their own, art. 15).
            raise Forbidden(f"processing of this client's data is restricted: it is read only for the purpose "
                            f"{restriction.purpose}", code="processing-restricted", purpose=restriction.purpose)
        view = await self.view(client_id, as_of(events, instant), instant, reveal, language)
        known = await self.people.people(entry["actor"]["id"] for entry in view["timeline"])
        for entry in view["timeline"]:  # who did it, by name (the staff directory's); a client or the system: None
            entry["actor"]["name"] = name_of(known, entry["actor"]["id"])
        return view

    async def view(self, client_id: UUID, events: list[EventEnvelope], instant: datetime | None,
                   reveal: bool, language: str = "fi") -> dict[str, Any]:
        entries = timeline(events)
        money = catalogue().translator("history", language).money
        for entry, e in zip(entries, events, strict=True):
            if reveal:  # the client's own words, opened with their key (erased once the key is destroyed)
                entry["texts"] = await self._open(client_id, e.data)
            entry["said"] = in_words(e, money, entry.get("texts", {}))  # in words, where the event carries them
        return {"client_id": str(client_id), "as_of": instant.isoformat() if instant else None,
                "state": derive_state(events), "timeline": entries,
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
                     offset: int = 0, language: str = "fi") -> tuple[list[dict[str, Any]], int]:
        """Who read whose data, newest first, and how many entries in all: per client (also the client
        themself: who processed my data) or per user."""
        own = principal.role == "client" and client_id is not None and principal.user_id == str(client_id)
        if principal.role not in READERS and not own:
            raise Forbidden("the access log is read by auditors, managers, and each client for their own data")
        if client_id is None and user_id is None:
            raise RuleViolation("name a client (client_id) or a user (user_id)")
        entries = await postgres.access_log(self.store.pool, client_id=client_id, user_id=user_id, limit=limit,
                                            offset=offset)
        known = await self.people.people(e["user_id"] for e in entries)
        t = catalogue().translator("history", language)
        for entry in entries:  # the access log in words: who (by name), in what role, when, why, and if refused
            entry["user_name"] = name_of(known, entry["user_id"])
            entry["words"] = access_in_words(t, entry, entry["user_name"])
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

    # --- the data subject's rights: erasure, holds, archiving, restriction, correction ----------------------------
    # The rules are in domain/rights.py; here: who may ask, the facts the rules need, and the key vault.

    async def request_erasure(self, client_id: UUID, ground: str | None, reference: str, principal: Principal,
                              ctx: CommandContext) -> Executed[rights.Rights]:
        _may_manage(principal)
        command = rights.RequestErasure(client_id, uuid4(), ground, reference, principal.user_id,
                                        await self._facts(client_id), ctx.now.date(), await self._retention())
        done = await self.rights.execute(_stream(client_id), command, ctx, subject=str(client_id))
        _raise_if_refused(done)
        return done

    async def approve_erasure(self, client_id: UUID, request_id: UUID, principal: Principal,
                              ctx: CommandContext) -> Executed[rights.Rights]:
        """The second person's approval: the rules are checked again, then the key is destroyed in the same
        transaction that records it, so a vault outage leaves nothing half done (the request stays pending)."""
        _may_manage(principal)
        command = rights.ApproveErasure(client_id, request_id, principal.user_id, await self._facts(client_id),
                                        ctx.now.date(), await self._retention())
        async with self.store.pool.acquire() as conn, conn.transaction():
            done = await self.rights.execute(_stream(client_id), command, ctx, subject=str(client_id), conn=conn)
            erased = [e for e in done.new_events if e.type == ClientErased.event_type]
            if erased:
                await self.keyring.destroy(str(client_id), f"erasure {request_id}: {erased[0].data['legal_basis']}")
        _raise_if_refused(done)
        return done

    async def change_rights(self, client_id: UUID, command: object, principal: Principal, ctx: CommandContext,
                            *, writers: tuple[str, ...] = ("manager",)) -> Executed[rights.Rights]:
        """Holds, archiving designations, restriction and correction: recorded on the client's rights stream."""
        if principal.role not in writers:
            raise Forbidden("the case's rights are managed by " + " and ".join(f"{w}s" for w in writers))
        await self._known(client_id)
        return await self.rights.execute(_stream(client_id), command, ctx, subject=str(client_id))

    async def seal(self, client_id: UUID, *texts: str) -> list[Sealed]:
        return await self.keyring.seal(str(client_id), *texts)

    async def entry_exists(self, client_id: UUID, event_id: UUID) -> bool:
        return any(e.id == event_id for e in await postgres.case_events(self.store.pool, client_id))

    async def _facts(self, client_id: UUID) -> rights.CaseFacts:
        events = await self._known(client_id)
        case = await postgres.case_of(self.store.pool, client_id)
        return rights.case_facts(events, case["closed_on"] if case else None, case["service_task"] if case else None)

    async def _known(self, client_id: UUID) -> list[EventEnvelope]:
        events = await postgres.case_events(self.store.pool, client_id)
        if not events:
            raise NotFound("no history for this client")
        return events

    async def _retention(self) -> dict[str, int]:
        return await postgres.retention_table(self.store.pool)


def _stream(client_id: UUID) -> str:
    return f"rights-{client_id}"


def _may_manage(principal: Principal) -> None:
    if principal.role != "manager":
        raise Forbidden("erasure is asked and approved by the region's managers, two different ones")


def _raise_if_refused(done: Executed[rights.Rights]) -> None:
    refused = [e for e in done.new_events if e.type == ErasureRefused.event_type]
    if refused:
        reasons = refused[0].data["reasons"]
        raise RuleViolation("erasure refused: " + "; ".join(r["reason"] for r in reasons), code="erasure-refused",
                            reasons=reasons, refusal_event_id=str(refused[0].id))
