"""PostgreSQL's store passes the store suite that the memory store passes (tests/unit/test_memory_store.py)."""

from __future__ import annotations

import asyncpg
import pytest

from shared.infra.postgres_store import PostgresEventStore
from tests.store_suite import StoreSuite

pytestmark = pytest.mark.integration


@pytest.fixture
def store(kernel_pool: asyncpg.Pool) -> PostgresEventStore:
    return PostgresEventStore(kernel_pool, source="/avain/test", topic="avain.test.events.v1")


class TestPostgresStore(StoreSuite):
    pass
