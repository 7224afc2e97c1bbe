"""Fault-injection fixtures: a PRIVATE Kafka broker and PostgreSQL for this session.

The shared broker (9092) and database (5433) serve everyone's tests and are never stopped or restarted here.
These tests stop, restart and kill their own infrastructure, started with the project's scripts on free ports
in a private temporary folder (mode 0700, as a home directory is: postgres.sh keeps the cluster where the
postgres user can reach it), and removed at the end.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from uuid import uuid4

import pytest

from deploy.local.infra import start_private_infra
from shared.infra.auth import TokenIssuer
from shared.infra.settings import DEV_SECRET
from tests.fault.stack import PrivateInfra, Stack


@pytest.fixture(scope="session")
async def private_infra() -> AsyncIterator[PrivateInfra]:
    data = Path(tempfile.mkdtemp(prefix="avain-fault-", dir="/tmp"))
    try:
        # On reserved ports (other engineers' suites start theirs at the same time), tried again on others
        # should a start fail.
        infra = await start_private_infra(data, {"AVAIN_PG_FAST": "1", "AVAIN_KAFKA_HEAP": "512m"})
    except BaseException:
        shutil.rmtree(data, ignore_errors=True)
        raise
    try:
        yield infra
    finally:
        await infra.stop_kafka(check=False)
        await infra.destroy_postgres(check=False)
        shutil.rmtree(data, ignore_errors=True)


@pytest.fixture
def tokens() -> Callable[..., dict[str, str]]:
    issuer = TokenIssuer(DEV_SECRET)

    def headers(user_id: str, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {issuer.issue(user_id, role)}"}  # type: ignore[arg-type]

    return headers


@pytest.fixture
async def stack(private_infra: PrivateInfra, tmp_path: Path) -> AsyncIterator[Stack]:
    """Services as real processes against the private infrastructure; own topics and databases per test."""
    s = Stack(private_infra, run=uuid4().hex[:8], log_dir=tmp_path)
    try:
        yield s
    finally:
        await s.close()
