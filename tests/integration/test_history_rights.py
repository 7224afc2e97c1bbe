"""The data subject's rights through the case history's API, with the services running: erasure refused with its
reasons and every refusal recorded, legal holds and permanent archiving, restriction of processing as a state of
its own, correction as a new entry; all of it in the live history and in the replay from Kafka alone."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest

from services.history.replay import read_log, rebuild, view
from tests.integration.test_history import AUDITOR, a_year_later, caught_up, live
from tests.journeys import MANAGER, WORKER, decided_budget
from tests.support import eventually

pytestmark = pytest.mark.integration
OTHER_MANAGER = ("manager-ilkka", "manager")


async def in_history(history: Any, tokens: Any, cid: str, check: Any) -> dict[str, Any]:
    async def seen() -> Any:
        r = await history.get(f"/history/clients/{cid}", headers=tokens(*MANAGER) | {"X-Access-Purpose": "decision"})
        return r.json() if r.status_code == 200 and check(r.json()) else None

    return await eventually(seen, timeout=30)  # type: ignore[no-any-return]


def reasons(r: Any) -> set[str]:
    assert r.status_code == 409 and r.json()["code"] == "erasure-refused", r.text
    return {x["code"] for x in r.json()["reasons"]}


async def test_erasure_is_refused_with_reasons_under_a_hold_or_for_archived_documents_and_each_refusal_recorded(
        intake, budgeting, history, tokens, monkeypatch):
    cid = await decided_budget(intake, budgeting, tokens, 10_000)
    await in_history(history, tokens, cid, lambda v: v["state"]["budget"]["status"] == "decided")
    m, base = tokens(*MANAGER), f"/history/clients/{cid}"
    assert reasons(await history.post(f"{base}/erasure-requests", headers=m, json={"reference": "Dnro 1/2026"})) >= {
        "no_legal_ground", "rectification_period_open"}
    a_year_later(monkeypatch)
    hold = await history.post(f"{base}/legal-holds", headers=m, json={"kind": "court_appeal", "reference": "HAO 12/2026"})
    assert hold.status_code == 201, hold.text
    assert (await history.post(f"{base}/permanent-archiving", headers=m, json={"reference": "AMS 2026"})).status_code == 200
    ask = {"ground": "processing_unlawful", "reference": "Dnro 2/2026"}
    assert reasons(await history.post(f"{base}/erasure-requests", headers=m, json=ask)) == {
        "legal_hold", "permanent_archiving"}
    lifted = await history.post(f"{base}/legal-holds/{hold.json()['hold_id']}/lifting", headers=m)
    assert lifted.status_code == 200
    assert reasons(await history.post(f"{base}/erasure-requests", headers=m, json=ask)) == {"permanent_archiving"}
    assert (await history.post(f"{base}/legal-holds", headers=tokens(*WORKER),
                               json={"kind": "claim", "reference": "x"})).status_code == 403

    # Every refusal is part of the case: in the live history and in the replay from Kafka alone.
    case = await in_history(history, tokens, cid, lambda v: v["state"]["rights"]["erasure_refusals"] == 3)
    refusals = [t for t in case["timeline"] if t["type"] == "ErasureRefused"]
    assert [t["why"]["reasons"] for t in refusals][-1] == "permanent_archiving"
    assert case["state"]["rights"]["permanent_archiving"] is True and case["state"]["rights"]["holds"] == {}
    assert case["state"]["erased"] is False


async def test_restriction_and_correction_are_kept_in_the_history_and_the_replay(
        intake, budgeting, history, tokens, settings):
    cid = await decided_budget(intake, budgeting, tokens, 10_000)
    case = await in_history(history, tokens, cid, lambda v: v["state"]["budget"]["status"] == "decided")
    decided = next(t for t in case["timeline"] if t["type"] == "BudgetDecided")
    base, m = f"/history/clients/{cid}", tokens(*MANAGER)

    corrected = await history.post(f"{base}/corrections", headers=tokens(*WORKER), json={
        "entry_event_id": decided["event_id"], "reason": "inaccurate",
        "correction": "Päätös tehtiin asiakkaan kanssa puhelimessa", "explanation": "Tapaaminen oli puhelu"})
    assert corrected.status_code == 201, corrected.text
    wrong = await history.post(f"{base}/corrections", headers=m, json={
        "entry_event_id": str(UUID(int=1)), "reason": "inaccurate", "correction": "x"})
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "entry_event_id"

    restricted = await history.post(f"{base}/restriction", headers=m, json={
        "ground": "accuracy_contested", "purpose": "decision", "reference": "Dnro 5/2026"})
    assert restricted.status_code == 200, restricted.text
    view_now = await in_history(history, tokens, cid, lambda v: v["state"]["rights"]["restriction"] is not None)
    assert view_now["state"]["rights"]["restriction"] == {"ground": "accuracy_contested", "purpose": "decision"}
    # Read only for the recorded purpose (the client always reads their own); every read, refused or not, logged.
    audit = await history.get(base, headers=tokens("auditor-otso", "auditor") | AUDITOR)
    assert audit.status_code == 403 and audit.json()["code"] == "processing-restricted"
    assert audit.json()["purpose"] == "decision"
    assert (await history.get(base, headers=tokens(cid, "client"))).status_code == 200

    async def reads_logged() -> Any:
        r = await history.get("/history/access", params={"client_id": cid}, headers=tokens(cid, "client"))
        seen = {(e["user_id"], e["purpose"], e["status"]) for e in r.json()}
        return {("auditor-otso", "audit", 403), (MANAGER[0], "decision", 200)} <= seen

    assert await eventually(reads_logged, timeout=30)

    # The old entry stays as it was, marked with who corrected it, when and why; the correction opens with the key.
    entry = next(t for t in view_now["timeline"] if t["event_id"] == decided["event_id"])
    [mark] = entry["corrected_by"]
    assert mark["actor"] == {"id": WORKER[0], "role": "worker"} and mark["reason"] == "inaccurate"
    assert entry["amount_cents"] == decided["amount_cents"]
    revealed = await history.get(base, params={"reveal": "true"},
                                 headers=m | {"X-Access-Purpose": "decision"})
    correction = next(t for t in revealed.json()["timeline"] if t["type"] == "EntryCorrected")
    assert correction["texts"]["correction"] == "Päätös tehtiin asiakkaan kanssa puhelimessa"
    assert correction["why"]["corrects"] == decided["event_id"]

    # The replay, from Kafka alone, tells the same: the restriction, the correction, the mark on the old entry.
    lifted = await history.post(f"{base}/restriction/lifting", headers=m)
    assert lifted.status_code == 200
    replay = await caught_up(history, tokens, settings, [cid])
    replayed = view(UUID(cid), replay.by_client[UUID(cid)], None, replay.staff)
    live_view = await live(history, tokens, cid)
    assert replayed["state"] == live_view["state"] and replayed["state"]["rights"]["corrected_entries"] == [
        decided["event_id"]]
    assert replayed["timeline"] == live_view["timeline"]
    assert not rebuild(await read_log(settings)).broken
