"""The approvals module end to end, on the real broker and database: a worker's decision and revision above her
delegated authority wait in the one approvals queue (the decisions service's) until someone whose own delegation
covers them answers on the matter itself."""

from __future__ import annotations

from typing import Any

import pytest

from tests.journeys import MANAGER, PERIOD, WORKER, budget_opened, plan, walk_to_completion
from tests.support import eventually

pytestmark = pytest.mark.integration


async def queue(decisions: Any, tokens: Any, who: tuple[str, str], cid: str, status: str = "pending") -> list[Any]:
    rows = (await decisions.get("/approvals", params={"status": status}, headers=tokens(*who))).json()
    return [r for r in rows if r["client_id"] == cid]


async def test_decisions_and_revisions_above_the_limit_wait_in_the_queue(intake, budgeting, decisions, tokens):
    cid = await walk_to_completion(intake, tokens)
    await budget_opened(budgeting, tokens, cid)
    w, m = tokens(*WORKER), tokens(*MANAGER)
    await plan(budgeting, tokens, cid, ["cleaning"])
    assert (await budgeting.post(f"/budgets/{cid}/proposal", headers=w, json={
        "amount_cents": 600_000, "period": PERIOD, "breakdown": {"cleaning": 600_000}})).status_code == 200
    assert (await budgeting.post(f"/budgets/{cid}/decision", headers=w,
                                 json={"reasoning": "Perheen tarpeet"})).status_code == 202

    [waiting] = await eventually(lambda: queue(decisions, tokens, MANAGER, cid), timeout=30)
    assert (waiting["service"], waiting["kind"], waiting["amount_cents"], waiting["limit_cents"]) == (
        "budgeting", "budget_decision", 600_000, 500_000)
    assert waiting["requested_by"] == WORKER[0] and waiting["may_answer"] is True
    [own] = await queue(decisions, tokens, WORKER, cid)  # the worker sees her own request, but may not answer it
    assert own["may_answer"] is False
    assert (await decisions.get("/approvals", headers=tokens(cid, "client"))).status_code == 403

    assert (await budgeting.post(f"/budgets/{cid}/approval", headers=m, json={"reason": "Perusteltu"})).status_code == 200
    [granted] = await eventually(lambda: queue(decisions, tokens, MANAGER, cid, "granted"), timeout=30)
    assert granted["answered_by"] == MANAGER[0] and await queue(decisions, tokens, MANAGER, cid) == []

    # A revision above her authority is no refusal either: it waits in the same queue.
    r = await budgeting.post(f"/budgets/{cid}/revision", headers=w, json={
        "amount_cents": 700_000, "breakdown": {"cleaning": 700_000}, "reason": "Toinen lapsi syntyi"})
    assert r.status_code == 202
    [revision] = await eventually(lambda: queue(decisions, tokens, MANAGER, cid), timeout=30)
    assert (revision["kind"], revision["amount_cents"]) == ("budget_revision", 700_000)
    assert (await budgeting.post(f"/budgets/{cid}/rejection", headers=m,
                                 json={"reason": "Odotetaan palvelutarpeen arviota"})).status_code == 200
    [refused] = await eventually(lambda: queue(decisions, tokens, MANAGER, cid, "refused"), timeout=30)
    assert refused["approval_id"] == revision["approval_id"]
    view = (await budgeting.get(f"/budgets/{cid}", headers=tokens(cid, "client"))).json()
    assert view["funds"]["decided_cents"] == 600_000
    assert view["approval_refused"]["reasoning"] == "Odotetaan palvelutarpeen arviota"
