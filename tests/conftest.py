"""Fixtures for the integration suite: the real Kafka broker and PostgreSQL started by ./avain.

They fail, never skip, when the broker or database is missing: a green run must mean the real parts ran.
Each test gets its own databases (name prefix) and topics (topic prefix), so tests never see each other.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlparse
from uuid import uuid4

import asyncpg
import httpx
import pytest

from shared.auth import TokenIssuer
from shared.settings import ServiceSettings
from tests.support import KAFKA, PG_DSN

_created_databases: list[str] = []


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def infrastructure() -> None:
    kafka_host, kafka_port = KAFKA.split(",")[0].rsplit(":", 1)
    pg = urlparse(PG_DSN)
    missing = [
        name for name, up in (
            (f"Kafka at {KAFKA}", _reachable(kafka_host, int(kafka_port))),
            (f"PostgreSQL at {pg.hostname}:{pg.port}", _reachable(pg.hostname or "127.0.0.1", pg.port or 5432)),
        ) if not up
    ]
    if missing:
        pytest.fail("integration tests need " + " and ".join(missing) + ": run them with ./avain test")


@pytest.fixture(scope="session", autouse=True)
async def _drop_test_databases() -> AsyncIterator[None]:
    yield
    if not _created_databases:
        return
    conn = await asyncpg.connect(PG_DSN)
    try:
        for name in _created_databases:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.fixture
def settings(infrastructure: None) -> ServiceSettings:
    run = uuid4().hex[:10]
    s = ServiceSettings(
        env="test",
        kafka_bootstrap=KAFKA,
        pg_dsn=PG_DSN,
        topic_prefix=f"t{run}.",
        database_prefix=f"avaintest_{run}_",
        keys_database=f"avaintest_{run}_keys",
        log_level="DEBUG",
    )
    _created_databases.extend([s.keys_database, *(s.database(x) for x in ("intake", "budgeting", "marketplace",
                                                                           "followup", "history"))])
    return s


@pytest.fixture
def tokens(settings: ServiceSettings) -> Callable[..., dict[str, str]]:
    issuer = TokenIssuer(settings.jwt_secret.get_secret_value())

    def headers(user_id: str, role: str, **extra: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {issuer.issue(user_id, role, **extra)}"}  # type: ignore[arg-type]

    return headers


@asynccontextmanager
async def running_service(create_app: Callable[[ServiceSettings], Any], settings: ServiceSettings,
                          name: str) -> AsyncIterator[httpx.AsyncClient]:
    """A service in this process: its real lifespan (database, relay, Kafka consumers), HTTP over ASGI."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=f"http://{name}") as client:
            client.app = app  # type: ignore[attr-defined]
            yield client


@pytest.fixture
async def intake(settings: ServiceSettings) -> AsyncIterator[httpx.AsyncClient]:
    from services.intake.bootstrap import create_app

    async with running_service(create_app, settings, "intake") as client:
        yield client


@pytest.fixture
async def budgeting(settings: ServiceSettings) -> AsyncIterator[httpx.AsyncClient]:
    from services.budgeting.bootstrap import create_app

    async with running_service(create_app, settings, "budgeting") as client:
        yield client


@pytest.fixture
async def marketplace(settings: ServiceSettings) -> AsyncIterator[httpx.AsyncClient]:
    from services.marketplace.bootstrap import create_app

    async with running_service(create_app, settings, "marketplace") as client:
        yield client


@pytest.fixture
async def followup(settings: ServiceSettings) -> AsyncIterator[httpx.AsyncClient]:
    from services.followup.bootstrap import create_app

    async with running_service(create_app, settings, "followup") as client:
        yield client


@pytest.fixture
async def history(settings: ServiceSettings) -> AsyncIterator[httpx.AsyncClient]:
    from services.history.bootstrap import create_app

    async with running_service(create_app, settings, "history") as client:
        yield client
