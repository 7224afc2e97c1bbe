"""Case history and audit against the real broker and database, with the services running: replay from
Kafka alone equals the live view, as-of queries, tamper evidence, the access log, retention and erasure."""

from __future__ import annotations

import asyncio
import base64
import json
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from contracts.followup import CaseClosed
from services.history.adapters.log import export_header, read_export
from services.history.replay import LogRecord, Record, position, read_log, rebuild, view
from shared.infra.settings import ServiceSettings
from tests.journeys import GOAL, MANAGER, WORKER, decided_budget, offering, person, verified_provider
from tests.support import envelope_of, eventually, publish

pytestmark = pytest.mark.integration
AUDITOR = {"X-Access-Purpose": "audit"}
ROOT = Path(__file__).resolve().parents[2]


async def live(history: Any, tokens: Any, cid: str, **params: Any) -> dict[str, Any]:
    r = await history.get(f"/history/clients/{cid}", params=params, headers=tokens("auditor-otso", "auditor") | AUDITOR)
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


async def caught_up(history: Any, tokens: Any, settings: ServiceSettings, cids: list[str]) -> dict[UUID, Any]:
    """Wait until the live history holds every case event that is on Kafka now; return the replay."""
    async def equal_counts() -> Any:
        replay = rebuild(await read_log(settings))
        for cid in cids:
            r = await history.get(f"/history/clients/{cid}", headers=tokens("auditor-otso", "auditor") | AUDITOR)
            if r.status_code != 200 or len(r.json()["timeline"]) != len(replay.by_client.get(UUID(cid), [])):
                return None
        return replay

    return await eventually(equal_counts, timeout=40, interval=0.3)  # type: ignore[no-any-return]


async def scenario(intake: Any, budgeting: Any, marketplace: Any, tokens: Any) -> list[str]:
    """Two clients through intake to decided budgets, a plan goal, and an order confirmed by budgeting."""
    first = await decided_budget(intake, budgeting, tokens, 60_000, breakdown={"cleaning": 60_000})
    second = await decided_budget(intake, budgeting, tokens, 30_000, hetu="010203A9987",
                                  breakdown={"cleaning": 30_000})
    await budgeting.post(f"/budgets/{first}/goals", headers=tokens(*WORKER), json=GOAL)
    provider = await verified_provider(marketplace, tokens, "prov-h", body=7654321)
    offer = await offering(marketplace, tokens, "prov-h", provider, price=9_000)

    async def ordered() -> Any:
        r = await marketplace.post("/orders", headers=tokens(first, "client"),
                                   json={"client_id": first, "offering_id": offer, "quantity": 2})
        return r if r.status_code == 202 else None

    order_id = (await eventually(ordered, timeout=30)).json()["order_id"]

    async def confirmed() -> bool:  # the saga is at rest: nothing more is on its way to the log
        r = await marketplace.get(f"/orders/{order_id}", headers=tokens(*WORKER))
        return r.json()["status"] == "confirmed"

    await eventually(confirmed, timeout=30)
    return [first, second]


async def test_replay_from_kafka_alone_equals_the_live_view_and_as_of_hides_later_decisions(
        intake, budgeting, marketplace, history, tokens, settings):
    cids = await scenario(intake, budgeting, marketplace, tokens)
    replay = await caught_up(history, tokens, settings, cids)
    assert not replay.broken and not replay.malformed
    for cid in cids:
        live_view = await live(history, tokens, cid)
        replayed = view(UUID(cid), replay.by_client[UUID(cid)], None, replay.staff)
        assert live_view["state"] == replayed["state"]
        assert [t["event_id"] for t in live_view["timeline"]] == [t["event_id"] for t in replayed["timeline"]]
        assert live_view["chain"] == []
    state = (await live(history, tokens, cids[0]))["state"]
    assert state["intake"]["status"] == "completed" and state["budget"]["decided_cents"] == 60_000
    assert state["budget"]["reserved_cents"] == 18_000
    assert list(state["orders"].values()) == ["confirmed"]
    timeline = (await live(history, tokens, cids[0]))["timeline"]
    decided = next(t for t in timeline if t["type"] == "BudgetDecided")
    # the worker is not in this test's staff directory: no name to show, the id and role still say who
    assert decided["actor"] == {"id": WORKER[0], "role": "worker", "name": None} and decided["amount_cents"] == 60_000
    assert decided["why"] is None or "legal_basis" in decided["why"]

    before = datetime.fromisoformat(decided["time"]) - timedelta(microseconds=1)
    earlier = await live(history, tokens, cids[0], as_of=before.isoformat())
    assert "BudgetDecided" not in [t["type"] for t in earlier["timeline"]]
    assert earlier["state"]["budget"]["status"] == "draft" and earlier["state"]["budget"]["decided_cents"] == 0

    # The command-line replay, a process of its own reading Kafka alone, tells the same case as of then.
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "services.history.replay", "--client", cids[0], "--as-of", before.isoformat(),
        cwd=ROOT, env=_env(settings), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out = (await proc.communicate())[0].decode()
    assert proc.returncode == 0, out
    assert "hash chains verified" in out and "BudgetProposed" in out and "BudgetDecided" not in out


def _env(settings: ServiceSettings) -> dict[str, str]:
    import os

    return {**os.environ, "PYTHONPATH": str(ROOT), "AVAIN_TOPIC_PREFIX": settings.topic_prefix,
            "AVAIN_KAFKA_BOOTSTRAP": settings.kafka_bootstrap, "AVAIN_PG_DSN": settings.pg_dsn}


async def test_an_altered_event_in_a_copy_of_the_log_is_found_with_its_position(
        intake, budgeting, history, tokens, settings, tmp_path):
    cid = await decided_budget(intake, budgeting, tokens, 40_000)
    records = await eventually(lambda: _with_decision(settings), timeout=30)
    copy = tmp_path / "log.jsonl"
    lines = [LogRecord.to_json(r) for r in records]
    target = next(i for i, r in enumerate(records) if dict(r.headers)["ce_type"].endswith(b"BudgetDecided"))
    altered = json.loads(lines[target])
    value = json.loads(base64.b64decode(altered["value"]))
    value["amount_cents"] = 4_000_000  # someone "fixes" the decided amount in the copy
    altered["value"] = base64.b64encode(json.dumps(value).encode()).decode()
    lines[target] = json.dumps(altered)
    copy.write_text("\n".join([export_header([]), *lines]) + "\n")

    replay = rebuild([r for r in read_export(copy) if isinstance(r, LogRecord)])
    assert replay.broken and replay.broken[0].position == position(records[target])
    assert replay.broken[0].kind == "altered"
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "services.history.replay", "--from-log", str(copy), "--all", "--quiet", cwd=ROOT,
        env=_env(settings), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out = (await proc.communicate())[0].decode()
    assert proc.returncode == 1 and f"TAMPERING FOUND (altered) at {position(records[target])}" in out
    assert cid  # the untouched original still verifies
    assert not rebuild(records).broken


async def _with_decision(settings: ServiceSettings) -> list[Record] | None:
    records = await read_log(settings)
    return records if any(dict(r.headers)["ce_type"].endswith(b"BudgetDecided") for r in records) else None


async def test_every_api_read_appears_in_the_access_log(intake, budgeting, history, tokens, settings):
    cid = await decided_budget(intake, budgeting, tokens, 10_000)
    reads = [  # (service, path, reader, stated purpose, the purpose logged)
        (intake, f"/clients/{cid}", WORKER, {}, "care"),
        (budgeting, f"/budgets/{cid}", (cid, "client"), {}, "own_data"),
        (budgeting, f"/budgets/{cid}/advice", MANAGER, {"X-Access-Purpose": "decision"}, "decision"),
        (intake, f"/clients/{cid}", ("worker-eero", "worker"), {}, "care"),  # refused: logged with 403
        (history, f"/history/clients/{cid}", ("auditor-otso", "auditor"), AUDITOR, "audit"),
    ]
    for service, path, who, stated, _purpose in reads:
        await service.get(path, headers=tokens(*who) | stated)

    async def logged() -> Any:  # each read above by its reader: two readers read the same with the same purpose
        r = await history.get("/history/access", params={"client_id": cid}, headers=tokens(cid, "client"))
        entries = r.json() if r.status_code == 200 else []
        wanted = {(who[0], p.split("/")[1], purpose) for _, p, who, _, purpose in reads}
        found = {(e["user_id"], e["resource"].split("/")[1], e["purpose"]) for e in entries}
        return entries if found >= wanted else None

    entries = await eventually(logged, timeout=30)
    # A work list is a read of every client on it; finding an existing client by their hetu is a read too.
    await intake.get("/clients", headers=tokens(*WORKER))
    await intake.post("/clients", headers=tokens("worker-eero", "worker"), json=person())

    async def list_and_lookup_logged() -> Any:
        r = await history.get("/history/access", params={"client_id": cid}, headers=tokens(cid, "client"))
        resources = {(e["user_id"], e["resource"]) for e in r.json()}
        return {(WORKER[0], "GET /clients"), ("worker-eero", "POST /clients")} <= resources

    assert await eventually(list_and_lookup_logged, timeout=30)
    refused = [e for e in entries if e["user_id"] == "worker-eero"]
    assert refused and refused[0]["status"] == 403 and refused[0]["service"] == "intake"
    by_user = await history.get("/history/access", params={"user_id": "auditor-otso"},
                                headers=tokens("auditor-otso", "auditor") | AUDITOR)
    assert {e["client_id"] for e in by_user.json()} == {cid}
    # An auditor reads everything, writes nothing, and always says why.
    assert (await history.get(f"/history/clients/{cid}", headers=tokens("auditor-otso", "auditor"))).status_code == 422
    assert (await history.post(f"/history/clients/{cid}/erasure-requests",
                               headers=tokens("auditor-otso", "auditor") | AUDITOR,
                               json={"ground": "processing_unlawful", "reference": "x"})).status_code == 403


async def test_after_erasure_no_personal_data_is_readable_while_the_history_still_verifies(
        intake, budgeting, history, tokens, settings, monkeypatch):
    cid = await decided_budget(intake, budgeting, tokens, 20_000)
    goal = await budgeting.post(f"/budgets/{cid}/goals", headers=tokens(*WORKER), json=GOAL)
    assert goal.status_code == 200, goal.text

    async def goal_shown() -> bool:  # caught_up compares with what is on Kafka *now*: the goal must be there
        timeline = (await live(history, tokens, cid))["timeline"]
        return goal.json()["events"][0]["id"] in {t["event_id"] for t in timeline}

    await eventually(goal_shown, timeout=30)
    await caught_up(history, tokens, settings, [cid])
    revealed = await live(history, tokens, cid, reveal="true")
    assert any("Jaksan" in (v or "") for t in revealed["timeline"] for v in t.get("texts", {}).values())

    m = tokens(*MANAGER)
    early = await history.post(f"/history/clients/{cid}/erasure-requests", headers=m,
                               json={"ground": "retention_period_ended", "reference": "Arkistolaitoksen ohje"})
    assert early.status_code == 409 and early.json()["code"] == "erasure-refused"  # the detail: the catalogue's
    assert {r["code"] for r in early.json()["reasons"]} == {"retention_not_ended", "rectification_period_open"}
    # A year later the processing is found unlawful: one manager asks, another approves.
    a_year_later(monkeypatch)
    await erase(history, tokens, cid, "processing_unlawful", "Tietosuojavaltuutettu 12/2026")

    person = (await intake.get(f"/clients/{cid}", headers=tokens(*WORKER))).json()["person"]
    assert person == {"erased": True}
    budget = (await budgeting.get(f"/budgets/{cid}", headers=tokens(*WORKER))).json()
    assert budget["goals"][0]["title"] == "[erased]" and budget["funds"]["decided_cents"] == 20_000
    revealed = await live(history, tokens, cid, reveal="true")
    texts = [v for t in revealed["timeline"] for v in t.get("texts", {}).values()]
    assert texts and set(texts) == {"[erased]"}
    # The hetu can no longer find the client (intake forgot its keyed hash when it heard of the erasure).
    pool = intake.app.state.runtime.pool
    await eventually(lambda: pool.fetchval("SELECT count(*) = 0 FROM client_lookup WHERE client_id = $1::uuid", cid),
                     timeout=30)
    # Amounts, decisions and timings still replay and verify.
    replay = await caught_up(history, tokens, settings, [cid])
    assert not replay.broken
    state = view(UUID(cid), replay.by_client[UUID(cid)], None, replay.staff)["state"]
    assert state["budget"]["decided_cents"] == 20_000 and state["erased"] is True
    wire = json.dumps([e.data for e in replay.by_client[UUID(cid)]])
    assert "Maija" not in wire and "Jaksan" not in wire


async def test_cases_past_retention_are_reported_and_may_then_be_erased(intake, budgeting, history, tokens, settings,
                                                                        monkeypatch):
    cid = await decided_budget(intake, budgeting, tokens, 10_000)
    long_ago = datetime(1990, 3, 1, tzinfo=UTC)
    closed = CaseClosed(client_id=UUID(cid), reason="goals_achieved", closed_by=WORKER[0])
    await publish(f"{settings.topic_prefix}avain.followup.events.v1",
                  [envelope_of(closed, subject=cid, source="/avain/followup", actor_role="worker", time=long_ago)])
    m = tokens(*MANAGER)

    async def due() -> Any:
        r = await history.get("/history/retention/due", headers=m)
        return [c for c in r.json() if c["client_id"] == cid]

    [case] = await eventually(due, timeout=30)
    # families with children (the service task intake recorded): 30 years after the case closed
    assert case["closed_on"] == "1990-03-01" and case["retention_ended"] == "2020-03-01"
    assert (await history.get("/history/retention/due", headers=tokens(*WORKER))).status_code == 403
    a_year_later(monkeypatch)  # the budget decision's rectification period has run
    await erase(history, tokens, cid, "retention_period_ended", "Kansallisarkisto KA/2026")
    assert await eventually(lambda: _not_due(history, m, cid), timeout=30)


def a_year_later(monkeypatch: Any) -> None:
    """The history's commands from here on run a year and a half later (their events are dated so)."""
    import services.history.entrypoints.http as routes

    now = routes.command_context

    def later(request: Any, principal: Any) -> Any:
        ctx = now(request, principal)
        return replace(ctx, now=ctx.now + timedelta(days=550))

    monkeypatch.setattr(routes, "command_context", later)


async def erase(history: Any, tokens: Any, cid: str, ground: str, reference: str) -> dict[str, Any]:
    """Erasure as the law allows it: asked by one manager, approved by a second (the first alone is refused)."""
    asked = await history.post(f"/history/clients/{cid}/erasure-requests", headers=tokens(*MANAGER),
                               json={"ground": ground, "reference": reference})
    assert asked.status_code == 201, asked.text
    approval = f"/history/clients/{cid}/erasure-requests/{asked.json()['request_id']}/approval"
    alone = await history.post(approval, headers=tokens(*MANAGER))
    assert alone.status_code == 409 and [r["code"] for r in alone.json()["reasons"]] == ["same_person"]
    done = await history.post(approval, headers=tokens("manager-ilkka", "manager"))
    assert done.status_code == 200, done.text
    return done.json()  # type: ignore[no-any-return]


async def _not_due(history: Any, headers: dict[str, str], cid: str) -> bool:
    r = await history.get("/history/retention/due", headers=headers)
    return all(c["client_id"] != cid for c in r.json())


async def test_reads_are_logged_on_the_access_topic_and_old_access_events_on_domain_topics_still_count(
        intake, budgeting, history, tokens, settings):
    from contracts.access import DataAccessed
    from tests.support import read_to_end

    cid = await decided_budget(intake, budgeting, tokens, 10_000)
    assert (await budgeting.get(f"/budgets/{cid}", headers=tokens(*WORKER))).status_code == 200
    # An access event as services published them before the access topic existed: on a domain topic.
    old = DataAccessed(client_id=UUID(cid), user_id="worker-vanha", role="worker", purpose="care", service="intake",
                       resource="GET /clients/{client_id}", status=200)
    await publish(f"{settings.topic_prefix}avain.intake.events.v1",
                  [envelope_of(old, subject=cid, source="/avain/intake", actor_role="worker")])

    async def both_logged() -> Any:
        r = await history.get("/history/access", params={"client_id": cid}, headers=tokens(cid, "client"))
        users = {e["user_id"] for e in r.json()}
        return users if {"worker-aino", "worker-vanha"} <= users else None

    await eventually(both_logged, timeout=30)
    access = await read_to_end(f"{settings.topic_prefix}avain.access.events.v1")
    assert access and {dict(r.headers)["ce_type"] for r in access} == {b"fi.avain.access.DataAccessed"}
    assert b"/avain/budgeting" in {dict(r.headers)["ce_source"] for r in access}
    for service in ("intake", "budgeting"):
        on_domain = [r for r in await read_to_end(f"{settings.topic_prefix}avain.{service}.events.v1")
                     if dict(r.headers)["ce_type"] == b"fi.avain.access.DataAccessed"]
        assert on_domain == ([] if service == "budgeting" else on_domain[:1])  # only the old one, on intake's
    # The replay reads both places, and neither makes a read part of the case.
    replay = rebuild(await read_log(settings))
    assert not replay.broken and not replay.malformed
    assert all(e.type != "fi.avain.access.DataAccessed" for e in replay.by_client[UUID(cid)])
    accessed = [e for _, e in replay.envelopes if e.type == "fi.avain.access.DataAccessed"]
    assert {e.data["user_id"] for e in accessed} >= {"worker-aino", "worker-vanha"}
