"""What an authorised reader sees of the case history: a client's case as of any instant (the timeline, the
state derived from it, the hash chains checked), the access log, and the retention report. Each read goes
through the policy, as commands do. People are named from the history's own copy of the staff directory, and the
access log is said in words in the reader's language."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from contracts.client_copy import ClientCopy
from services.history.application.copy import assemble, staff_ids, to_open
from services.history.application.handlers import NO_HISTORY, RIGHTS, stream_of
from services.history.application.policy import (
    may_read_access_log,
    may_read_case,
    may_read_retention,
    may_receive_copy,
    may_see_copy_requests,
)
from services.history.application.ports import Ports
from services.history.application.queries import ListRetentionDue, ReadAccessLog, ReadCase
from services.history.domain.case import as_of, derive_state, in_words, timeline, verify_chains
from services.history.domain.retention import past_retention, retention_ends
from services.history.domain.rights import CopyRequest
from shared.i18n import Translator, catalogue
from shared.infra.crypto import ERASED, Keyring
from shared.infra.people import name_of
from shared.infra.pipeline import Application
from shared.kernel.envelope import EventEnvelope
from shared.kernel.errors import Forbidden, NotFound, RuleViolation
from shared.kernel.principal import Principal
from shared.kernel.sealed import Sealed


async def case(app: Application[Ports], query: ReadCase, principal: Principal) -> dict[str, Any]:
    events = await app.deps.tables.case_events(query.client_id)
    if not events:
        raise NotFound(NO_HISTORY)
    may_read_case(principal, query.client_id, derive_state(events)["intake"].get("coordinator_id"))
    restriction = (await app.runners[RIGHTS].current(stream_of(query.client_id))).state.restriction
    if restriction is not None and query.purpose != restriction.purpose and principal.role != "client":
        # GDPR art. 18: read only for the recorded purpose (the subject always sees their own, art. 15).
        raise Forbidden(f"processing of this client's data is restricted: it is read only for the purpose "
                        f"{restriction.purpose}", code="processing-restricted", purpose=restriction.purpose)
    view = await case_view(app.keyring, query.client_id, as_of(events, query.as_of), query.as_of, query.reveal,
                           query.language)
    known = await app.deps.people.people(entry["actor"]["id"] for entry in view["timeline"])
    for entry in view["timeline"]:  # who did it, by name (the staff directory's); a client or the system: None
        entry["actor"]["name"] = name_of(known, entry["actor"]["id"])
    return view


async def case_view(keyring: Keyring, client_id: UUID, events: list[EventEnvelope], instant: datetime | None,
                    reveal: bool, language: str = "fi") -> dict[str, Any]:
    entries = timeline(events)
    money = catalogue().translator("history", language).money
    for entry, e in zip(entries, events, strict=True):
        if reveal:  # the client's own words, opened with their key (erased once the key is destroyed)
            entry["texts"] = await _open(keyring, client_id, e.data)
        entry["said"] = in_words(e, money, entry.get("texts", {}))  # in words, where the event carries them
    return {"client_id": str(client_id), "as_of": instant.isoformat() if instant else None,
            "state": derive_state(events), "timeline": entries,
            "chain": [b.__dict__ for b in verify_chains(
                (str(e.id), e) for e in sorted(events, key=lambda e: (e.stream_id, e.stream_version)))]}


async def _open(keyring: Keyring, client_id: UUID, data: dict[str, Any]) -> dict[str, str | None]:
    """The client's words only: a value sealed with another person's key (a support person's name, ADR 0028) is
    theirs, not the client's, and stays closed here (GDPR art. 15(4))."""
    sealed = {k: Sealed.model_validate(v) for k, v in data.items()
              if isinstance(v, dict) and "ct" in v and v.get("kid") == str(client_id)}
    if not sealed:
        return {}
    try:
        opened = await keyring.open(str(client_id), *sealed.values())
    except LookupError:
        opened = [ERASED] * len(sealed)
    return dict(zip(sealed, opened, strict=True))


async def access(app: Application[Ports], query: ReadAccessLog,
                 principal: Principal) -> tuple[list[dict[str, Any]], int]:
    """Who read whose data, newest first, and how many entries in all: per client (also the client themself:
    who processed my data) or per user."""
    may_read_access_log(principal, query.client_id)
    if query.client_id is None and query.user_id is None:
        raise RuleViolation("name a client (client_id) or a user (user_id)")
    tables = app.deps.tables
    entries = await tables.access_log(client_id=query.client_id, user_id=query.user_id, limit=query.limit,
                                      offset=query.offset)
    known = await app.deps.people.people(e["user_id"] for e in entries)
    t = catalogue().translator("history", query.language)
    for entry in entries:  # the access log in words: who (by name), in what role, when, why, and if refused
        entry["user_name"] = name_of(known, entry["user_id"])
        entry["words"] = access_in_words(t, entry, entry["user_name"])
    return entries, await tables.count_access(client_id=query.client_id, user_id=query.user_id)


def access_in_words(t: Translator, entry: dict[str, Any], name: str | None) -> str:
    """One read of a client's data as a sentence in the reader's language: who (a name when the staff directory
    knows them), in what role, when and why; a refused read says so."""
    who = t("access.words.you") if entry["role"] == "client" else (name or entry["user_id"])
    key = "access.words.refused" if int(entry["status"]) >= 400 else "access.words"
    return t(key, when=t.datetime(entry["accessed_at"]), who=who, role=t.of("kernel", f"role.{entry['role']}"),
             purpose=t.of("kernel", f"purpose.{entry['purpose']}"))


async def retention_due(app: Application[Ports], _query: ListRetentionDue, principal: Principal,
                        today: date | None = None) -> list[dict[str, Any]]:
    may_read_retention(principal)
    tables = app.deps.tables
    table = await tables.retention_table()
    day = today or datetime.now(UTC).date()
    return [{"client_id": str(c.client_id), "service_task": c.service_task, "closed_on": c.closed_on.isoformat(),
             "retention_ended": retention_ends(c.closed_on, c.service_task, table).isoformat()}
            for c in await tables.closed_cases()
            if c.closed_on is not None and past_retention(c.closed_on, c.service_task, table, day)]


# --- the client's own copy (GDPR art. 15) ---------------------------------------------------------------------


def copy_status(request: CopyRequest) -> dict[str, Any]:
    """A request as staff and the requester see it: when asked, by whom (a role), when due, whether delivered."""
    return {"request_id": str(request.request_id), "requested_by": request.requested_by,
            "requested_at": request.requested_at.isoformat(), "due_on": request.due_on.isoformat(),
            "language": request.language, "status": "pending" if request.delivered_on is None else "delivered",
            "delivered_on": request.delivered_on.isoformat() if request.delivered_on else None}


async def _copies(app: Application[Ports], client_id: UUID) -> tuple[list[EventEnvelope], dict[UUID, CopyRequest]]:
    events = await app.deps.tables.case_events(client_id)
    if not events:
        raise NotFound(NO_HISTORY)
    state = (await app.runners[RIGHTS].current(stream_of(client_id))).state
    return events, dict(state.copies)


async def copy_requests(app: Application[Ports], client_id: UUID, principal: Principal) -> list[dict[str, Any]]:
    """The client's requests for a copy, oldest first: pending ones with their due day (the case's readers and
    the requester see them)."""
    events, copies = await _copies(app, client_id)
    may_see_copy_requests(principal, client_id, derive_state(events)["intake"].get("coordinator_id"))
    return [copy_status(r) for r in sorted(copies.values(), key=lambda r: r.requested_at)]


async def copy_request(app: Application[Ports], client_id: UUID, request_id: UUID,
                       principal: Principal) -> dict[str, Any]:
    for request in await copy_requests(app, client_id, principal):
        if request["request_id"] == str(request_id):
            return request
    raise NotFound("no such request for a copy")


async def client_copy(app: Application[Ports], client_id: UUID, request_id: UUID,
                      principal: Principal) -> ClientCopy:
    """The copy itself, for the client or their representative: the case as of the request, in its language."""
    may_receive_copy(principal, client_id)
    events, copies = await _copies(app, client_id)
    request = copies.get(request_id)
    if request is None:
        raise NotFound("no such request for a copy")
    cut = as_of(events, request.requested_at)
    access_log = await app.deps.tables.access_log(client_id=client_id, user_id=None, limit=1_000_000, offset=0)
    wanted = to_open(cut)
    opened = await _open_many(app.keyring, client_id, [Sealed.model_validate(v) for _, _, v in wanted])
    texts = {(event_id, name): text for (event_id, name, _), text in zip(wanted, opened, strict=True)}
    known = await app.deps.people.people(staff_ids(cut, access_log))
    names = {staff_id: person.name for staff_id, person in known.items()}
    t = catalogue().translator("history", request.language)
    return assemble(t, str(client_id), request, cut, access_log, texts, names, access_in_words)


async def _open_many(keyring: Keyring, client_id: UUID, sealed: list[Sealed]) -> list[str | None]:
    if not sealed:
        return []
    try:
        return list(await keyring.open(str(client_id), *sealed))
    except LookupError:  # erased: the key is gone, so are the client's words
        return [None] * len(sealed)
