"""The memory store passes the store suite that PostgreSQL's passes (tests/integration/test_postgres_store.py)."""

from __future__ import annotations

import pytest

from shared.infra.memory_store import InMemoryEventStore
from tests.store_suite import StoreSuite


@pytest.fixture
def store() -> InMemoryEventStore:
    return InMemoryEventStore(source="/avain/test", topic="avain.test.events.v1")


class TestInMemoryStore(StoreSuite):
    pass
