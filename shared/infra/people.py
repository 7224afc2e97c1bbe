"""People as a service shows them: each service's own copy of staff names, titles, units and work contacts from the
staff directory (intake's ``StaffProfileRecorded``), and every person's preferred language (a client's from
``ClientRegistered``, then ``PreferredLanguageChanged``; a staff member's first language), so a service shows "Aino
Virtanen", not "worker-aino", and answers a person in the language they chose when their request names none.

A service declared by a ServiceSpec gets the copy by three things: the migrations folder ``MIGRATIONS`` in its
spec, a ``people`` field in its ports (``PostgresPeople(pool)``; ``MemoryPeople()`` in application tests), and
``LISTENER`` among its listeners. Intake, which owns the staff directory, writes the same tables from its commands.
Names of clients are never kept here: only the language they chose.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

import asyncpg

from contracts.intake import ClientRegistered, PreferredLanguageChanged, StaffProfileRecorded
from contracts.intake import registry as intake_registry
from shared.i18n import catalogue
from shared.infra.eventstore import Position, Session
from shared.infra.reactions import Listener
from shared.kernel.envelope import EventEnvelope

# Not moved with the folder: applied migrations are recorded by their folder's path (see shared/infra/db.py).
MIGRATIONS = Path(__file__).parents[1] / "people_migrations"


@dataclass(frozen=True)
class Person:
    """A staff member as the services show them."""

    staff_id: str
    name: str
    title: str | None = None
    unit: str | None = None
    work_email: str | None = None
    work_phone: str | None = None
    languages: tuple[str, ...] = ()
    active: bool = True

    def card(self) -> dict[str, Any]:
        """What a reader sees of a staff member: their name and how to reach them at work."""
        return {"staff_id": self.staff_id, "name": self.name, "title": self.title, "unit": self.unit,
                "work_email": self.work_email, "work_phone": self.work_phone, "languages": list(self.languages)}


def person_of(profile: StaffProfileRecorded) -> Person:
    return Person(profile.staff_id, profile.name, profile.title, profile.unit, profile.work_email,
                  profile.work_phone, tuple(profile.languages), profile.active)


class People(Protocol):
    async def note_staff(self, session: Session, profile: StaffProfileRecorded, at: datetime) -> None: ...

    async def note_language(self, session: Session, person_id: str, language: str) -> None: ...

    async def people(self, ids: Iterable[str | None]) -> dict[str, Person]: ...

    async def language(self, person_id: str) -> str | None: ...


async def write_staff(conn: asyncpg.Connection, profile: StaffProfileRecorded, at: datetime) -> None:
    """A staff member's entry as it now stands (a later entry is never overwritten by a redelivered older one)."""
    await conn.execute(
        "INSERT INTO staff_directory (staff_id, name, title, unit, work_email, work_phone, languages, active,"
        " updated_at, role) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (staff_id) DO UPDATE SET"
        " name = EXCLUDED.name, title = EXCLUDED.title, unit = EXCLUDED.unit, work_email = EXCLUDED.work_email,"
        " work_phone = EXCLUDED.work_phone, languages = EXCLUDED.languages, active = EXCLUDED.active,"
        " updated_at = EXCLUDED.updated_at, role = EXCLUDED.role WHERE staff_directory.updated_at <= EXCLUDED.updated_at",
        profile.staff_id, profile.name, profile.title, profile.unit, profile.work_email, profile.work_phone,
        json.dumps(profile.languages), profile.active, at, profile.role)
    if profile.languages:
        await write_language(conn, profile.staff_id, profile.languages[0])


async def write_language(conn: asyncpg.Connection, person_id: str, language: str) -> None:
    await conn.execute("INSERT INTO person_languages (person_id, language) VALUES ($1, $2)"
                       " ON CONFLICT (person_id) DO UPDATE SET language = EXCLUDED.language", person_id, language)


class PostgresPeople:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def note_staff(self, session: Session, profile: StaffProfileRecorded, at: datetime) -> None:
        await write_staff(session, profile, at)

    async def note_language(self, session: Session, person_id: str, language: str) -> None:
        await write_language(session, person_id, language)

    async def people(self, ids: Iterable[str | None]) -> dict[str, Person]:
        wanted = sorted({i for i in ids if i})
        if not wanted:
            return {}
        rows = await self._pool.fetch(
            "SELECT staff_id, name, title, unit, work_email, work_phone, languages, active FROM staff_directory"
            " WHERE staff_id = ANY($1::text[])", wanted)
        return {r["staff_id"]: Person(r["staff_id"], r["name"], r["title"], r["unit"], r["work_email"],
                                      r["work_phone"], tuple(json.loads(r["languages"])), r["active"]) for r in rows}

    async def language(self, person_id: str) -> str | None:
        value: str | None = await self._pool.fetchval(
            "SELECT language FROM person_languages WHERE person_id = $1", person_id)
        return value


class MemoryPeople:
    """The same in memory, for application tests."""

    def __init__(self, *people: Person) -> None:
        self.staff: dict[str, Person] = {p.staff_id: p for p in people}
        self.languages: dict[str, str] = {p.staff_id: p.languages[0] for p in people if p.languages}

    async def note_staff(self, session: Session, profile: StaffProfileRecorded, at: datetime) -> None:
        self.staff[profile.staff_id] = person_of(profile)
        if profile.languages:
            self.languages[profile.staff_id] = profile.languages[0]

    async def note_language(self, session: Session, person_id: str, language: str) -> None:
        self.languages[person_id] = language

    async def people(self, ids: Iterable[str | None]) -> dict[str, Person]:
        return {i: self.staff[i] for i in ids if i and i in self.staff}

    async def language(self, person_id: str) -> str | None:
        return self.languages.get(person_id)


async def note(app: Any, session: Session, envelope: EventEnvelope, _: Position) -> None:
    """The listener's effect: a staff profile or a client's language, into the service's copy."""
    event = intake_registry.load(envelope.type, envelope.schema_version, envelope.data)
    people: People = app.deps.people
    if isinstance(event, StaffProfileRecorded):
        await people.note_staff(session, event, envelope.time)
    elif isinstance(event, ClientRegistered | PreferredLanguageChanged):  # chosen at registration, changed later
        await people.note_language(session, str(event.client_id), event.preferred_language)


LISTENER = Listener.of("people", [StaffProfileRecorded, ClientRegistered, PreferredLanguageChanged], note)


def name_of(people: dict[str, Person], person_id: str | None) -> str | None:
    """A person's name for a reader, or None when the directory does not know them (yet)."""
    found = people.get(person_id or "")
    return found.name if found else None


async def reader_language(people: People | None, person_id: str, accept_language: str | None) -> str:
    """The language to answer a reader in: Accept-Language, then their stored preference, then Finnish."""
    stored = None if accept_language or people is None else await people.language(person_id)
    return catalogue().negotiate(None, accept_language, stored)
