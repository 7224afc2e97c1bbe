"""Fixtures for the integration suite: the real Kafka broker and PostgreSQL started by ./avain.

They fail, never skip, when the broker or database is missing: a green run must mean the real parts ran.
Each test gets its own databases (name prefix) and topics (topic prefix), so tests never see each other.
"""

from __future__ import annotations

import importlib
import os
import socket
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlparse
from uuid import uuid4

import asyncpg
import httpx
import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError
from hypothesis import settings as hypothesis_settings

from shared.infra.auth import TokenIssuer
from shared.infra.db import KERNEL_MIGRATIONS, create_pool, ensure_database, migrate
from shared.infra.settings import ServiceSettings
from tests.support import CHECKED_PREFIXES, ERROR_ANSWERS, KAFKA, PG_DSN, check_error_answer

# No timed tests: several engineers' suites share two cores, and a property test that takes 400 ms instead
# of 200 ms under that load is not wrong (hypothesis's default deadline failed them at random).
hypothesis_settings.register_profile("avain", deadline=None)
hypothesis_settings.load_profile("avain")

_created_databases: list[str] = []
_topic_prefixes: list[str] = []


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
async def _drop_test_databases_and_topics() -> AsyncIterator[None]:
    """At the end of the session, what its tests made on the shared broker and database goes. Every session
    left some 20 topics of 3 partitions behind, and a broker holding thousands answers everyone more slowly."""
    yield
    if _created_databases:
        conn = await asyncpg.connect(PG_DSN)
        try:
            for name in _created_databases:
                await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()
    if _topic_prefixes:
        admin = AIOKafkaAdminClient(bootstrap_servers=KAFKA, client_id="test-cleanup")
        await admin.start()
        try:
            prefixes = tuple(_topic_prefixes)
            ours = [t for t in await admin.list_topics() if t.startswith(prefixes)]
            for i in range(0, len(ours), 100):
                await admin.delete_topics(ours[i:i + 100], timeout_ms=120_000)
        except KafkaError as exc:  # tidying up after a run that passed does not make it fail
            print(f"\nleft the session's topics on the broker: {exc!r}", file=sys.stderr)
        finally:
            await admin.close()


@pytest.fixture
def settings(infrastructure: None, request: pytest.FixtureRequest) -> ServiceSettings:
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
    _topic_prefixes.append(s.topic_prefix)
    if request.node.get_closest_marker("poison") is None:  # its topics are checked against the schemas at the end
        CHECKED_PREFIXES.append(s.topic_prefix)
    _created_databases.extend([s.keys_database, *(s.database(x) for x in ("intake", "budgeting", "marketplace",
                                                                           "followup", "history", "decisions",
                                                                           "notifications", "kernel"))])
    return s


@pytest.fixture
async def kernel_pool(settings: ServiceSettings) -> AsyncIterator[asyncpg.Pool]:
    """A database with only the kernel's tables (event store, outbox, inbox, timers), for kernel tests."""
    database = settings.database("kernel")
    await ensure_database(settings.pg_dsn, database)
    pool = await create_pool(settings.pg_dsn, database)
    await migrate(pool, [KERNEL_MIGRATIONS])
    yield pool
    await pool.close()


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
        async with httpx.AsyncClient(transport=transport, base_url=f"http://{name}",
                                     event_hooks={"response": [check_error_answer]}) as client:
            client.app = app  # type: ignore[attr-defined]
            yield client


def _service(name: str) -> Any:
    """A fixture running services.<name> in this process for one test (see running_service)."""

    async def fixture(settings: ServiceSettings) -> AsyncIterator[httpx.AsyncClient]:
        bootstrap = importlib.import_module(f"services.{name}.bootstrap")
        async with running_service(bootstrap.create_app, settings, name) as client:
            yield client

    fixture.__name__ = name
    return pytest.fixture(fixture)


intake = _service("intake")
budgeting = _service("budgeting")
marketplace = _service("marketplace")
followup = _service("followup")
history = _service("history")
decisions = _service("decisions")


@pytest.fixture
async def smtp_server(tmp_path: Any) -> AsyncIterator[Any]:
    """A real SMTP server (aiosmtpd in its own process, deploy/local/mail.py) keeping what it accepts in a Maildir."""
    from deploy.local.infra import free_port
    from deploy.local.mail import MailSink

    sink = MailSink(free_port(), tmp_path / "mail", tmp_path / "smtp.log")
    await sink.start()
    try:
        yield sink
    finally:
        await sink.stop()


@pytest.fixture(scope="session")
async def identity_providers(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[dict[str, str]]:
    """The local OpenID Connect provider (node, a real oidc-provider) playing the county's staff IdP and the
    citizens' e-identification broker; redirect URIs of a console at CONSOLE_PLACEHOLDER."""
    from deploy.local.infra import free_port
    from deploy.local.stack import OIDC_DIR, Process, ensure_oidc_installed

    ensure_oidc_installed()
    staff, citizen = free_port(), free_port()
    process = Process("oidc", ["node", str(OIDC_DIR / "server.mjs"), "--staff-port", str(staff), "--citizen-port",
                               str(citizen), "--console", CONSOLE_PLACEHOLDER], dict(os.environ),
                      tmp_path_factory.mktemp("oidc") / "oidc.log",
                      f"http://127.0.0.1:{citizen}/.well-known/openid-configuration")
    await process.start()
    try:
        await process.wait_ready()
        yield {"staff": f"http://127.0.0.1:{staff}", "citizen": f"http://127.0.0.1:{citizen}",
               "redirect_uri": f"{CONSOLE_PLACEHOLDER}/auth/callback"}
    finally:
        await process.stop()


CONSOLE_PLACEHOLDER = "http://127.0.0.1:9"  # never called: the flow stops at the redirect with the code


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """How many error answers the suite checked to be problem+json (the hook on every service client)."""
    if ERROR_ANSWERS:
        statuses = sorted({status for _, _, status in ERROR_ANSWERS})
        terminalreporter.write_line(f"problem+json: {len(ERROR_ANSWERS)} error answers checked (statuses {statuses})")
