"""Intake's tables: the hetu lookup and the work-list projection."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg

from services.intake.domain.client import IntakeCase
from services.intake.domain.staff import StaffMember
from shared.infra.people import write_language, write_staff
from shared.kernel.envelope import EventEnvelope
from shared.kernel.sealed import Sealed

MIGRATIONS = Path(__file__).parent / "migrations"


async def find_client_by_hetu_hash(conn: asyncpg.Pool | asyncpg.Connection, hetu_hash: str) -> UUID | None:
    value: UUID | None = await conn.fetchval("SELECT client_id FROM client_lookup WHERE hetu_hash = $1", hetu_hash)
    return value


async def claim_hetu(conn: asyncpg.Connection, hetu_hash: str, client_id: UUID) -> UUID:
    """Bind the hetu to ``client_id`` unless it is bound already; returns the client it is bound to.

    A concurrent registration of the same hetu waits on the primary key and then sees the winner.
    """
    won = await conn.fetchval(
        "INSERT INTO client_lookup (hetu_hash, client_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING client_id",
        hetu_hash,
        client_id,
    )
    if won is not None:
        return client_id
    existing = await find_client_by_hetu_hash(conn, hetu_hash)
    assert existing is not None
    return existing


async def find_person_by_hetu_hash(conn: asyncpg.Pool | asyncpg.Connection, hetu_hash: str) -> UUID | None:
    value: UUID | None = await conn.fetchval("SELECT person_id FROM person_lookup WHERE hetu_hash = $1", hetu_hash)
    return value


async def claim_person_hetu(conn: asyncpg.Connection, hetu_hash: str, person_id: UUID) -> UUID:
    """As ``claim_hetu``, for a representative: bind unless bound; returns the person it is bound to."""
    won = await conn.fetchval("INSERT INTO person_lookup (hetu_hash, person_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"
                              " RETURNING person_id", hetu_hash, person_id)
    if won is not None:
        return person_id
    existing = await find_person_by_hetu_hash(conn, hetu_hash)
    assert existing is not None
    return existing


async def registration_data(pool: asyncpg.Pool, stream_id: str) -> Sealed | None:
    """The sealed personal data of a record's registration (a client's or a representative's first event)."""
    raw = await pool.fetchval("SELECT data->'personal_data' FROM events WHERE stream_id = $1 AND stream_version = 1",
                              stream_id)
    return None if raw is None else Sealed.model_validate_json(raw)


async def forget_hetu(conn: asyncpg.Connection, client_id: UUID) -> None:
    """An erased client can no longer be found by their hetu or name: the keyed hashes go with the key."""
    await conn.execute("DELETE FROM client_lookup WHERE client_id = $1", client_id)
    await forget_name(conn, client_id)


async def project_case(conn: asyncpg.Connection, case: IntakeCase, events: Sequence[EventEnvelope]) -> None:
    last = events[-1]
    await conn.execute(
        """
        INSERT INTO intake_cases (client_id, status, consent, coordinator_id, service_task, municipality,
                                  version, registered_at, updated_at, preferred_language)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9)
        ON CONFLICT (client_id) DO UPDATE SET
            status = EXCLUDED.status, consent = EXCLUDED.consent, coordinator_id = EXCLUDED.coordinator_id,
            service_task = EXCLUDED.service_task, municipality = EXCLUDED.municipality,
            version = EXCLUDED.version, updated_at = EXCLUDED.updated_at,
            preferred_language = EXCLUDED.preferred_language
        """,
        case.client_id,
        case.status,
        case.consent,
        case.coordinator_id,
        case.service_task.value if case.service_task else None,
        case.municipality,
        last.stream_version,
        last.time,
        case.preferred_language,
    )
    if case.preferred_language is not None:  # the language to answer the client in (shared/infra/people.py)
        await write_language(conn, str(case.client_id), case.preferred_language)


async def project_staff(conn: asyncpg.Connection, member: StaffMember, events: Sequence[EventEnvelope]) -> None:
    """The staff directory in intake's own copy of people, in the command's transaction."""
    if member.profile is not None:
        await write_staff(conn, member.profile, events[-1].time)


async def next_decision_number(pool: asyncpg.Pool, year: int) -> str:
    """Intake's decisions (declined intakes) are numbered HBI-<year>-<n>; gaps are harmless."""
    n = await pool.fetchval("SELECT nextval('decision_number_seq')")
    return f"HBI-{year}-{n:06d}"


async def list_staff(pool: asyncpg.Pool, *, active: bool | None, limit: int, offset: int) -> list[dict[str, Any]]:
    rows = await pool.fetch(
        "SELECT staff_id, name, title, unit, work_email, work_phone, languages, active, role FROM staff_directory"
        " WHERE ($1::boolean IS NULL OR active = $1) ORDER BY name, staff_id LIMIT $2 OFFSET $3", active, limit, offset)
    return [{**dict(r), "languages": json.loads(r["languages"])} for r in rows]


async def list_cases(
    pool: asyncpg.Pool, *, coordinator_id: str | None, status: str | None, limit: int, offset: int
) -> list[dict[str, Any]]:
    rows = await pool.fetch(
        """
        SELECT client_id, status, consent, coordinator_id, service_task, municipality, version,
               registered_at, updated_at
        FROM intake_cases
        WHERE ($1::text IS NULL OR coordinator_id IS NOT DISTINCT FROM NULLIF($1, '')) AND ($2::text IS NULL OR status = $2)
        ORDER BY updated_at DESC, client_id
        LIMIT $3 OFFSET $4
        """,
        coordinator_id,
        status,
        limit,
        offset,
    )
    return [dict(r) for r in rows]


async def count_cases(pool: asyncpg.Pool, *, coordinator_id: str | None, status: str | None) -> int:
    value = await pool.fetchval(
        "SELECT count(*) FROM intake_cases WHERE ($1::text IS NULL OR coordinator_id IS NOT DISTINCT FROM NULLIF($1, ''))"
        " AND ($2::text IS NULL OR status = $2)", coordinator_id, status)
    return int(value or 0)


# --- the client directory: sealed names and the blind index ------------------------------------------------


async def record_name(conn: asyncpg.Connection, client_id: UUID, sealed_name: str, token_hashes: Sequence[str]) -> None:
    await conn.execute("INSERT INTO client_names (client_id, sealed_name) VALUES ($1, $2::jsonb)"
                       " ON CONFLICT (client_id) DO NOTHING", client_id, sealed_name)
    await conn.executemany("INSERT INTO client_name_index (token_hash, client_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                           [(h, client_id) for h in token_hashes])


async def forget_name(conn: asyncpg.Connection, client_id: UUID) -> None:
    await conn.execute("DELETE FROM client_name_index WHERE client_id = $1", client_id)
    await conn.execute("DELETE FROM client_names WHERE client_id = $1", client_id)


_VISIBLE = "($2::text IS NULL OR c.coordinator_id IS NULL OR c.coordinator_id = $2)"


async def directory_rows(pool: asyncpg.Pool, client_ids: Sequence[UUID], visible_to: str | None) -> list[dict[str, Any]]:
    """The named clients the reader may see (``visible_to``: a worker's id; None: everyone), with sealed names."""
    rows = await pool.fetch(
        "SELECT c.client_id, c.status, c.coordinator_id, c.preferred_language, n.sealed_name"
        " FROM intake_cases c LEFT JOIN client_names n USING (client_id)"
        f" WHERE c.client_id = ANY($1::uuid[]) AND {_VISIBLE}", list(client_ids), visible_to)
    return [dict(r) for r in rows]


async def search_by_name(pool: asyncpg.Pool, token_hashes: Sequence[str], visible_to: str | None, *,
                         after: UUID | None, limit: int) -> tuple[list[dict[str, Any]], int]:
    """Clients whose name has every searched token (as a token or a prefix of one), in client id order after
    ``after`` (the cursor), with the total: only clients the reader may see."""
    hits = ("WITH hits AS (SELECT client_id FROM client_name_index WHERE token_hash = ANY($1::text[])"
            " GROUP BY client_id HAVING count(*) = cardinality($1::text[]))")
    rows = await pool.fetch(
        f"{hits} SELECT c.client_id, c.status, c.coordinator_id, c.preferred_language, n.sealed_name"
        " FROM hits JOIN intake_cases c USING (client_id) LEFT JOIN client_names n USING (client_id)"
        f" WHERE {_VISIBLE} AND ($3::uuid IS NULL OR c.client_id > $3) ORDER BY c.client_id LIMIT $4",
        list(token_hashes), visible_to, after, limit)
    total = await pool.fetchval(f"{hits} SELECT count(*) FROM hits JOIN intake_cases c USING (client_id) WHERE {_VISIBLE}",
                                list(token_hashes), visible_to)
    return [dict(r) for r in rows], int(total or 0)
