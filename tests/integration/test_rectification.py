"""Requests for rectification on the real broker and database: a declined intake is served, the client's request
goes filed → prepared → decided by the body, the outcome is registered as a decision of its own (appeal to the
administrative court), and a request nobody answers raises exactly one overdue event, also across restarts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest

from services.decisions.bootstrap import create_app
from shared.kernel.calendar import county_day
from tests.conftest import running_service
from tests.journeys import MANAGER, WORKER, decided_budget, person
from tests.support import eventually

pytestmark = pytest.mark.integration
PREPARER = ("worker-kalle", "worker")  # took no part in the decline


async def declined_and_served(intake: Any, decisions: Any, tokens: Any) -> tuple[str, str]:
    """A client whose intake Aino declined, the decline registered and its letter posted today."""
    w = tokens(*WORKER)
    cid = (await intake.post("/clients", json=person(), headers=w)).json()["client_id"]
    assert (await intake.post(f"/clients/{cid}/decline", json={"reason": "Ei HB-tarvetta"}, headers=w)).status_code == 200

    async def registered() -> Any:
        rows = (await decisions.get(f"/clients/{cid}/decisions", headers=w)).json()
        return rows[0]["decision_id"] if rows else None

    decision_id = await eventually(registered, timeout=30)
    sent = await decisions.post(f"/clients/{cid}/decisions/{decision_id}/dispatches", headers=w, json={
        "method": "letter", "sent_at": datetime.now(UTC).isoformat()})
    assert sent.status_code == 200, sent.text
    return cid, decision_id


async def test_a_request_is_filed_prepared_and_decided_and_the_outcome_is_a_decision_of_its_own(
        intake, decisions, tokens):
    cid, decision_id = await declined_and_served(intake, decisions, tokens)
    path = f"/clients/{cid}/decisions/{decision_id}/rectification-requests"
    today = county_day(datetime.now(UTC)).isoformat()
    filed = await decisions.post(path, headers=tokens(cid, "client"), json={
        "text": "Tarvitsen apua arkeen", "received_on": today})
    assert filed.status_code == 200, filed.text
    request_id = filed.json()["request_id"]

    took_part = await decisions.post(f"{path}/{request_id}/preparation", headers=tokens(*WORKER), json={
        "proposal": "amended", "memo": "Muistio"})
    assert took_part.status_code == 409 and took_part.json()["code"] == "preparer-took-part"
    assert (await decisions.post(f"{path}/{request_id}/preparation", headers=tokens(*PREPARER), json={
        "proposal": "dismissed", "memo": "Ei uutta selvitystä"})).status_code == 200
    decided = await decisions.post(f"{path}/{request_id}/decision", headers=tokens(*MANAGER), json={
        "outcome": "upheld", "body": "individual_matters_section", "meeting_date": today, "minutes_section": "12 §",
        "reasoning": "Hakija ei täytä HB:n edellytyksiä"})
    assert decided.status_code == 200, decided.text

    view = (await decisions.get(f"/clients/{cid}/decisions/{decision_id}", headers=tokens(cid, "client"))).json()
    [request] = view["rectification_requests"]
    assert (request["status"], request["outcome"], request["late"]) == ("decided", "upheld", False)

    async def outcome_registered() -> Any:
        rows = (await decisions.get(f"/clients/{cid}/decisions", headers=tokens(cid, "client"))).json()
        return [r for r in rows if r["kind"] == "rectification"]

    [outcome] = await eventually(outcome_registered, timeout=30)
    assert outcome["decision_number"] == request["outcome_decision_number"]
    shown = (await decisions.get(f"/clients/{cid}/decisions/{outcome['decision_id']}",
                                 headers=tokens(cid, "client") | {"Accept-Language": "fi"})).json()
    assert shown["instructions"].startswith("Valitusosoitus.") and shown["replaces"] == view["decision_number"]


async def overdue_events(pool: asyncpg.Pool, decision_id: str) -> int:
    return int(await pool.fetchval(
        "SELECT count(*) FROM events WHERE stream_id = $1 AND event_type = 'fi.avain.decisions.RectificationOverdue'",
        f"decision-{decision_id}"))


async def test_an_unanswered_request_raises_exactly_one_overdue_event_across_restarts(intake, tokens, settings):
    async with running_service(create_app, settings, "decisions") as decisions:
        cid, decision_id = await declined_and_served(intake, decisions, tokens)
        filed = await decisions.post(
            f"/clients/{cid}/decisions/{decision_id}/rectification-requests", headers=tokens(*WORKER),
            json={"text": "Pyydän oikaisua", "received_on": county_day(datetime.now(UTC)).isoformat()})
        assert filed.status_code == 200, filed.text
        assert await overdue_events(decisions.app.state.runtime.pool, decision_id) == 0  # due in 30 days
    # The service is down while the answer time passes (the timer row says when it is due).
    conn = await asyncpg.connect(settings.pg_dsn, database=settings.database("decisions"))
    try:
        moved = await conn.execute("UPDATE timers SET due_at = now() - interval '1 second'"
                                   " WHERE kind = 'rectification-overdue' AND key = $1", filed.json()["request_id"])
        assert moved == "UPDATE 1"
    finally:
        await conn.close()
    async with running_service(create_app, settings, "decisions") as restarted:
        pool = restarted.app.state.runtime.pool
        assert await eventually(lambda: overdue_events(pool, decision_id), timeout=30) == 1
        view = (await restarted.get(f"/clients/{cid}/decisions/{decision_id}", headers=tokens(*MANAGER))).json()
        assert view["rectification_requests"][0]["overdue"] is True
    async with running_service(create_app, settings, "decisions") as again:  # and it never fires twice
        assert await again.app.state.runtime.timers.fire_due() == 0
        assert await overdue_events(again.app.state.runtime.pool, decision_id) == 1


async def test_an_amended_budget_decision_changes_the_budget_through_the_bodys_decision(
        intake, budgeting, decisions, tokens):
    cid = await decided_budget(intake, budgeting, tokens, 300_000)
    w = tokens(*WORKER)

    async def registered() -> Any:
        rows = (await decisions.get(f"/clients/{cid}/decisions", headers=w)).json()
        return rows[0]["decision_id"] if rows else None

    decision_id = await eventually(registered, timeout=30)
    today = county_day(datetime.now(UTC)).isoformat()
    path = f"/clients/{cid}/decisions/{decision_id}/rectification-requests"
    request_id = (await decisions.post(path, headers=tokens(cid, "client"), json={
        "text": "Siivousta tarvitaan enemmän", "received_on": today})).json()["request_id"]
    assert (await decisions.post(f"{path}/{request_id}/preparation", headers=tokens(*PREPARER), json={
        "proposal": "amended", "memo": "Tarve on kasvanut"})).status_code == 200
    decided = await decisions.post(f"{path}/{request_id}/decision", headers=tokens(*MANAGER), json={
        "outcome": "amended", "body": "individual_matters_section", "meeting_date": today, "minutes_section": "7 §",
        "reasoning": "Tarve on kasvanut", "amended_amount_cents": 400_000,
        "amended_breakdown": {"everyday_life": 400_000}})
    assert decided.status_code == 200, decided.text

    async def amended() -> Any:
        view = (await budgeting.get(f"/budgets/{cid}", headers=tokens(cid, "client"))).json()
        return view if view["funds"]["decided_cents"] == 400_000 else None

    view = await eventually(amended, timeout=30)
    assert view["revision"]["decision_number"].startswith("HBO-")  # the body's decision is the one in force
