"""Who represents whom, kept by every service from intake's events, and read into the caller's principal.

Intake owns the representation records (its events: RepresentationStarted, ...Confirmed, ...Ended, AgeStageNoted,
DataProhibitionRecorded, ...Lifted). Every service keeps the same small projection of them (shared/migrations/
0004_representation.sql) through one consumer of its own, ``representation``, which every service's runtime runs
(shared/infra/app.py). On every request, authentication reads from it (``standing``):
- for a representative, their mandates in force today (a link confirmed, started, not past its end, not ended),
  each saying whether they may read (a guardian the client forbade reads nothing);
- for a client, whether they act alone (a child under 15 acts through their guardian).
So a link that ends, a prohibition recorded or a birthday passing holds at the next request in every service,
without a new sign-in (docs/decisions/0026-representatives-and-life-changes.md). The rules themselves are
shared.kernel.representation.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import asyncpg

from contracts.intake import (
    AgeStageNoted,
    DataProhibitionLifted,
    DataProhibitionRecorded,
    RepresentationConfirmed,
    RepresentationEnded,
    RepresentationStarted,
    registry,
)
from shared.infra.eventstore import Position
from shared.kernel.calendar import county_day
from shared.kernel.envelope import EventEnvelope
from shared.kernel.principal import Principal
from shared.kernel.representation import Mandate

CONSUMER = "representation"  # the consumer group's name: never rename it (it keys the inbox and the offsets)
EVENTS = (AgeStageNoted, RepresentationStarted, RepresentationConfirmed, RepresentationEnded, DataProhibitionRecorded,
          DataProhibitionLifted)
TYPES = frozenset(e.event_type for e in EVENTS)
ALL_GUARDIANS = UUID(int=0)


def today() -> date:
    return county_day(datetime.now(UTC))  # a birthday and a link's last day are the county's days


async def project(conn: asyncpg.Connection, envelope: EventEnvelope, _: Position | None = None) -> None:
    """One of intake's representation events into the projection, in the consumer's inbox transaction."""
    event = registry.load(envelope.type, envelope.schema_version, envelope.data)
    at = envelope.time
    match event:
        case RepresentationStarted():
            await conn.execute(
                "INSERT INTO mandates (link_id, client_id, representative_id, kind, scope, starts_on, ends_on, confirmed,"
                " updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (link_id) DO NOTHING",
                event.link_id, event.client_id, event.representative_id, event.kind, sorted(event.scope),
                event.starts_on, event.ends_on, event.confirmed, at)
        case RepresentationConfirmed():
            await conn.execute("UPDATE mandates SET confirmed = true, updated_at = $2 WHERE link_id = $1",
                               event.link_id, at)
        case RepresentationEnded():
            await conn.execute("UPDATE mandates SET ended_on = $2, updated_at = $3 WHERE link_id = $1",
                               event.link_id, event.ended_on, at)
        case AgeStageNoted():
            await conn.execute(
                "INSERT INTO client_stages (client_id, acts_alone_from, adult_from, updated_at) VALUES ($1, $2, $3, $4)"
                " ON CONFLICT (client_id) DO UPDATE SET acts_alone_from = EXCLUDED.acts_alone_from,"
                " adult_from = EXCLUDED.adult_from, updated_at = EXCLUDED.updated_at",
                event.client_id, event.acts_alone_from, event.adult_from, at)
        case DataProhibitionRecorded():
            named = [ALL_GUARDIANS] if event.all_guardians else event.guardian_ids
            await conn.executemany(
                "INSERT INTO data_prohibitions (prohibition_id, client_id, representative_id) VALUES ($1, $2, $3)"
                " ON CONFLICT DO NOTHING", [(event.prohibition_id, event.client_id, g) for g in named])
        case DataProhibitionLifted():
            await conn.execute("DELETE FROM data_prohibitions WHERE prohibition_id = $1", event.prohibition_id)


_MANDATES = """
SELECT m.link_id, m.client_id, m.kind, m.scope,
       NOT EXISTS (SELECT 1 FROM data_prohibitions p
                   WHERE p.client_id = m.client_id AND m.kind = 'guardian'
                     AND p.representative_id IN (m.representative_id, $3)) AS reads
FROM mandates m
WHERE m.representative_id = $1 AND m.confirmed AND m.ended_on IS NULL
  AND m.starts_on <= $2 AND (m.ends_on IS NULL OR m.ends_on > $2)
ORDER BY m.client_id, m.link_id
"""


async def mandates_of(db: asyncpg.Pool | asyncpg.Connection, representative_id: UUID, on: date) -> tuple[Mandate, ...]:
    rows = await db.fetch(_MANDATES, representative_id, on, ALL_GUARDIANS)
    return tuple(Mandate(link_id=r["link_id"], client_id=r["client_id"], kind=r["kind"], scope=frozenset(r["scope"]),
                         reads=r["reads"]) for r in rows)


_TOLD = """
SELECT m.client_id, m.representative_id
FROM mandates m
WHERE m.client_id = ANY($1::uuid[]) AND m.confirmed AND m.ended_on IS NULL AND 'read' = ANY(m.scope)
  AND m.starts_on <= $2 AND (m.ends_on IS NULL OR m.ends_on > $2)
  AND NOT (m.kind = 'guardian' AND EXISTS (SELECT 1 FROM data_prohibitions p WHERE p.client_id = m.client_id
                                           AND p.representative_id IN (m.representative_id, $3)))
ORDER BY m.client_id, m.representative_id
"""


async def representatives_of(db: asyncpg.Pool | asyncpg.Connection, client_ids: list[UUID],
                             on: date) -> dict[UUID, tuple[str, ...]]:
    """Who may read for each client on ``on`` (a link in force whose scope reads, no prohibition against them): the
    representatives a service tells what it tells the client. Clients without any are left out."""
    found: dict[UUID, tuple[str, ...]] = {}
    for r in await db.fetch(_TOLD, client_ids, on, ALL_GUARDIANS):
        found[r["client_id"]] = (*found.get(r["client_id"], ()), str(r["representative_id"]))
    return found


_LINKS = """
SELECT m.link_id, m.representative_id, m.kind, m.scope,
       NOT (m.kind = 'guardian' AND EXISTS (SELECT 1 FROM data_prohibitions p WHERE p.client_id = m.client_id
                                            AND p.representative_id IN (m.representative_id, $3))) AS reads
FROM mandates m
WHERE m.client_id = $1 AND m.confirmed AND m.ended_on IS NULL
  AND m.starts_on <= $2 AND (m.ends_on IS NULL OR m.ends_on > $2)
ORDER BY m.representative_id, m.link_id
"""


async def links_of(db: asyncpg.Pool | asyncpg.Connection, client_id: UUID, on: date) -> list[dict[str, Any]]:
    """The client's representation links in force on ``on``: each link's id, the representative's person id, the
    kind, the scope, and whether they may read (False: a guardian the client forbade)."""
    return [{"link_id": r["link_id"], "representative_id": r["representative_id"], "kind": r["kind"],
             "scope": frozenset(r["scope"]), "reads": r["reads"]}
            for r in await db.fetch(_LINKS, client_id, on, ALL_GUARDIANS)]


async def acts_alone(db: asyncpg.Pool | asyncpg.Connection, client_id: UUID, on: date) -> bool:
    """A client acts alone unless they are a child under 15 on ``on``."""
    since: date | None = await db.fetchval("SELECT acts_alone_from FROM client_stages WHERE client_id = $1", client_id)
    return since is None or on >= since


async def standing(pool: Any, principal: Principal, on: date | None = None) -> Principal:
    """``principal`` with what the representation records say of them today: a representative's mandates, a
    client's acting alone. Others unchanged (and so is anyone whose id is not a person's or a client's)."""
    if principal.role not in ("representative", "client") or pool is None:
        return principal
    try:
        person = UUID(principal.user_id)
    except ValueError:
        return principal
    day = on or today()
    if principal.role == "representative":
        return principal.model_copy(update={"mandates": await mandates_of(pool, person, day)})
    return principal.model_copy(update={"acts_alone": await acts_alone(pool, person, day)})
