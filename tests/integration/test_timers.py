"""Durable timers against real PostgreSQL: fired once per key, also with two schedulers racing and
across a restart; a failing timer is postponed without starving the ones due behind it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from shared.infra.timers import Timer, TimerScheduler, schedule

pytestmark = pytest.mark.integration


@pytest.fixture
async def pool(kernel_pool: asyncpg.Pool) -> asyncpg.Pool:
    await kernel_pool.execute("CREATE TABLE effects (key TEXT)")
    return kernel_pool


async def record(conn: asyncpg.Connection, timer: Timer) -> None:
    await conn.execute("INSERT INTO effects VALUES ($1)", timer.key)


async def test_each_due_timer_fires_exactly_once_with_two_schedulers(pool: asyncpg.Pool) -> None:
    past = datetime.now(UTC) - timedelta(seconds=1)
    async with pool.acquire() as conn:
        for i in range(40):
            assert await schedule(conn, "reminder", f"k{i}", past)
        assert not await schedule(conn, "reminder", "k0", past)  # the same deadline twice: one timer
        await schedule(conn, "reminder", "later", datetime.now(UTC) + timedelta(hours=1))
    a, b = TimerScheduler(pool, {"reminder": record}), TimerScheduler(pool, {"reminder": record})
    fired = await asyncio.gather(a.fire_due(), b.fire_due())
    assert sum(fired) == 40
    assert await pool.fetchval("SELECT count(*) FROM effects") == 40
    assert await pool.fetchval("SELECT count(DISTINCT key) FROM effects") == 40
    # "restarted": a new scheduler finds nothing more due, and the future timer waits
    assert await TimerScheduler(pool, {"reminder": record}).fire_due() == 0


async def test_a_crash_while_firing_fires_again_later_and_a_failing_timer_does_not_block_others(pool) -> None:
    past = datetime.now(UTC) - timedelta(seconds=5)
    async with pool.acquire() as conn:
        await schedule(conn, "reminder", "poison", past - timedelta(seconds=1))
        await schedule(conn, "reminder", "fine", past)

    async def flaky(conn: asyncpg.Connection, timer: Timer) -> None:
        await record(conn, timer)
        if timer.key == "poison":
            raise RuntimeError("handler broke after writing")  # its write must roll back

    tried = datetime.now(UTC)
    assert await TimerScheduler(pool, {"reminder": flaky}).fire_due() == 1
    assert [r["key"] for r in await pool.fetch("SELECT key FROM effects")] == ["fine"]
    row = await pool.fetchrow("SELECT attempts, last_error, fired_at, due_at FROM timers WHERE key = 'poison'")
    assert row["attempts"] == 1 and row["last_error"] == "RuntimeError" and row["fired_at"] is None
    # postponed with backoff: past the attempt by a second at least (measured from the attempt, not from now,
    # which a paused test may reach after the postponed time)
    assert row["due_at"] >= tried + timedelta(seconds=1)
    await pool.execute("UPDATE timers SET due_at = now() - interval '1 second' WHERE key = 'poison'")
    assert await TimerScheduler(pool, {"reminder": record}).fire_due() == 1
    assert sorted(r["key"] for r in await pool.fetch("SELECT key FROM effects")) == ["fine", "poison"]
