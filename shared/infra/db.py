"""PostgreSQL plumbing: one database per service, created on first start, and its migrations."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import asyncpg

# The SQL stays in shared/migrations: an applied migration is recorded by its folder's path ("shared/migrations/…"),
# so moving the folder would run it again on every existing database.
KERNEL_MIGRATIONS = Path(__file__).parents[1] / "migrations"

# The database going away or restarting: the server says so (AdminShutdown, CrashShutdown, CannotConnectNow,
# TooManyConnections) or the socket breaks (OSError covers refused connections and timeouts). A consumer retries
# the record in place; an HTTP request answers 503 with Retry-After.
CONNECTION_ERRORS = (OSError, asyncpg.InterfaceError, asyncpg.PostgresConnectionError, asyncpg.CannotConnectNowError,
                     asyncpg.AdminShutdownError, asyncpg.CrashShutdownError, asyncpg.TooManyConnectionsError,
                     # a connection that broke in the middle of an operation ("cannot switch to state 12; another
                     # operation is in progress"), seen when the server stops under load
                     asyncpg.InternalClientError)


def _quote_ident(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise ValueError("database names are letters, digits and underscores")
    return f'"{name}"'


async def ensure_database(server_dsn: str, database: str) -> None:
    """Create ``database`` on the server unless it exists (CREATE DATABASE cannot run in a transaction)."""
    conn = await asyncpg.connect(server_dsn, database="postgres")
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database)
        if not exists:
            try:
                await conn.execute(f"CREATE DATABASE {_quote_ident(database)}")
            except (asyncpg.DuplicateDatabaseError, asyncpg.UniqueViolationError):
                pass  # another service (or instance) created it at the same moment: the catalog's index says so
    finally:
        await conn.close()


async def migrate(pool: asyncpg.Pool, folders: Sequence[Path]) -> list[str]:
    """Apply every ``*.sql`` file of ``folders`` not applied yet, in name order, each in a transaction.

    An advisory lock makes concurrent starts of several instances apply each migration once.
    """
    applied: list[str] = []
    async with pool.acquire() as conn:
        await conn.execute("SELECT pg_advisory_lock(hashtext('avain.migrations'))")
        try:
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
            )
            done = {r["name"] for r in await conn.fetch("SELECT name FROM schema_migrations")}
            for folder in folders:
                for path in sorted(folder.glob("*.sql")):
                    name = f"{folder.parent.name}/{folder.name}/{path.name}"
                    if name in done:
                        continue
                    async with conn.transaction():
                        await conn.execute(path.read_text())
                        await conn.execute("INSERT INTO schema_migrations(name) VALUES ($1)", name)
                    applied.append(name)
        finally:
            try:
                await conn.execute("SELECT pg_advisory_unlock(hashtext('avain.migrations'))")
            except BaseException:
                conn.terminate()  # the pool does not reset sessions: a lock must not outlive its holder
                raise
    return applied


async def _keep_session(_: asyncpg.Connection) -> None:
    """Released connections skip asyncpg's server-side reset (``RESET ALL; UNLISTEN *; …``): a round trip on
    every release, a sixth of a command's time in the profile. asyncpg still rolls back an open transaction.
    Our code leaves no session state behind: transactions use transaction-scoped advisory locks, and the two
    holders of session state (the migrations' lock, the relay's lock and LISTEN) undo it, or end the session."""


async def create_pool(dsn: str, database: str, *, min_size: int = 2, max_size: int = 10) -> asyncpg.Pool:
    pool = await asyncpg.create_pool(dsn, database=database, min_size=min_size, max_size=max_size,
                                     reset=_keep_session)
    assert pool is not None
    return pool
