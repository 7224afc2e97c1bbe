"""The auditors' view of the log's integrity, from the case history against the real broker and database: each
service's latest signed checkpoint verified, a service's dead letters with the operator's exact re-drive command
(and nothing that re-drives), the latest recorded audit replay; read by auditors and managers only."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import date
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest

from services.budgeting.bootstrap import create_app as budgeting_app
from services.history.bootstrap import create_app as history_app
from services.intake.bootstrap import create_app as intake_app
from shared.infra.settings import ServiceSettings
from shared.kernel.identifiers import make_hetu
from tests.conftest import running_service
from tests.journeys import decided_budget
from tests.support import eventually

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
AUDITOR = ("auditor-otso", "auditor")
PURPOSE = {"X-Access-Purpose": "audit"}


async def test_the_latest_signed_checkpoint_of_each_service_is_shown_verified(settings: ServiceSettings, tokens) -> None:
    s = settings.model_copy(update={"checkpoint_interval_seconds": 0.3})
    async with (running_service(intake_app, s, "intake") as intake, running_service(budgeting_app, s, "budgeting") as budgeting,
                running_service(history_app, s, "history") as history):
        def signed(beyond: dict[str, int]) -> Any:
            async def check() -> Any:
                r = await history.get("/history/checkpoints", headers=tokens(*AUDITOR) | PURPOSE)
                assert r.status_code == 200, r.text
                by_service = {c["service"]: c for c in r.json()}
                return by_service if all((by_service[x]["sequence"] or 0) > n for x, n in beyond.items()) else None
            return check

        # A checkpoint is made when something was published since the last one: a first case, its checkpoints,
        # then a second case, whose checkpoints name the ones before (the chain is verified over the two).
        await decided_budget(intake, budgeting, tokens, 30_000)
        first = await eventually(signed({"intake": 0, "budgeting": 0}), timeout=40, interval=0.5)
        await decided_budget(intake, budgeting, tokens, 20_000, hetu=make_hetu(date(1970, 5, 6), 456))
        shown = await eventually(signed({x: first[x]["sequence"] for x in ("intake", "budgeting")}),
                                 timeout=40, interval=0.5)
        for service in ("intake", "budgeting"):
            assert shown[service]["verified"] is True and shown[service]["problems"] == []
            assert shown[service]["key_id"].startswith("ed25519:") and len(shown[service]["root"]) == 64
        assert shown["marketplace"]["sequence"] is None  # not running here: nothing signed, nothing claimed

        refused = await history.get("/history/checkpoints", headers=tokens("worker-aino", "worker"))
        assert refused.status_code == 403
        assert (await history.get("/history/checkpoints", headers=tokens(*AUDITOR))).status_code == 422  # no purpose


@pytest.mark.poison
async def test_dead_letters_are_listed_with_the_operators_command_and_cannot_be_redriven_here(
        budgeting, history, tokens, settings: ServiceSettings) -> None:
    from shared.infra.kafka import make_producer

    producer = make_producer(settings.kafka_bootstrap, client_id="test-publisher")
    await producer.start()
    try:
        await producer.send_and_wait(budgeting.app.state.runtime.topic_of("intake"), value=b"{not json", key=b"k-1",
                                     headers=[("ce_specversion", b"1.0"), ("ce_id", str(uuid4()).encode()),
                                              ("content-type", b"application/json")])
    finally:
        await producer.stop()

    # Budgeting reads intake's topic with two consumers (its process manager and its copy of people): each sets
    # the malformed record aside, so it is listed once per consumer, from the same place in intake's topic.
    readers = {"process-manager", "people"}

    async def listed() -> Any:
        r = await history.get("/history/dead-letters/budgeting", headers=tokens(*AUDITOR) | PURPOSE)
        assert r.status_code == 200, r.text
        return r if len(r.json()) == len(readers) else None

    answer = await eventually(listed, timeout=40, interval=0.5)
    assert answer.headers["X-Total-Count"] == str(len(readers))
    assert {d["consumer"] for d in answer.json()} == readers and len({d["from"] for d in answer.json()}) == 1
    letter = answer.json()[0]
    assert letter["status"] == "pending" and letter["reason"]
    assert letter["redrive_command"] == ("python -m shared.infra.deadletters redrive --service budgeting --offset "
                                         f"{letter['id']} --prefix {settings.topic_prefix}")
    one = await history.get(f"/history/dead-letters/budgeting/{letter['id']}", headers=tokens(*AUDITOR) | PURPOSE)
    assert one.status_code == 200 and one.json()["value_bytes"] == len(b"{not json")
    assert "value" not in one.json() and {"name": "ce_specversion", "value": "1.0"} in one.json()["headers"]
    # Nothing here re-drives: the auditor only reads, and the API has no such route for anyone.
    for who in (tokens(*AUDITOR) | PURPOSE, tokens("manager-helmi", "manager")):
        r = await history.post(f"/history/dead-letters/budgeting/{letter['id']}", headers=who)
        assert r.status_code in (403, 405)
    assert (await history.get("/history/dead-letters/nosuch", headers=tokens(*AUDITOR) | PURPOSE)).status_code == 404
    assert (await history.get("/history/dead-letters/budgeting", headers=tokens("worker-aino", "worker"))).status_code == 403


async def test_the_latest_recorded_audit_replay_is_shown(intake, budgeting, history, tokens,
                                                         settings: ServiceSettings) -> None:
    before = await history.get("/history/replays/latest", headers=tokens("manager-helmi", "manager"))
    assert before.status_code == 200 and before.json() == {"run": None}
    cid = await decided_budget(intake, budgeting, tokens, 30_000)

    async def heard() -> bool:
        r = await history.get(f"/history/clients/{cid}", headers=tokens(*AUDITOR) | PURPOSE)
        return r.status_code == 200 and any(t["type"] == "BudgetDecided" for t in r.json()["timeline"])

    await eventually(heard, timeout=40)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "AVAIN_TOPIC_PREFIX": settings.topic_prefix,
           "AVAIN_KAFKA_BOOTSTRAP": settings.kafka_bootstrap, "AVAIN_PG_DSN": settings.pg_dsn,
           "AVAIN_DATABASE_PREFIX": settings.database_prefix}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "services.history.replay", "--client", cid, "--quiet", "--record", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out = (await proc.communicate())[0].decode()
    assert proc.returncode == 0, out
    run = (await history.get("/history/replays/latest", headers=tokens(*AUDITOR) | PURPOSE)).json()["run"]
    assert run["ok"] is True and run["findings"] == [] and run["clients"] == 1 and run["events"] >= 10
    assert run["compared"] is None  # not compared with the live view this time
    assert f"recorded as run {run['run_id']}" in out
    assert (await history.get("/history/replays/latest", headers=tokens(cid, "client"))).status_code == 403
