"""Changes in a client's life against the real broker and database (issue 17): a move within the county reaches
follow-up from its day; a move to another county is a decision that closes the HB case and the budget, and the
hand-over export is a disclosure in the access log; the client changes their own contact details, sealed; no
check-in is accepted while consent is withdrawn, and the refusal writes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest

from shared.kernel.calendar import county_day
from tests.journeys import WORKER, decided_budget
from tests.support import eventually, problem_of

pytestmark = pytest.mark.integration

PIRKANMAA = "Pirkanmaan hyvinvointialue"


async def events_of(service: Any, stream_id: str) -> list[asyncpg.Record]:
    pool: asyncpg.Pool = service.app.state.runtime.pool
    return await pool.fetch("SELECT event_type, actor_id, actor_role, data FROM events WHERE stream_id = $1"
                            " ORDER BY stream_version", stream_id)


def short(rows: list[asyncpg.Record]) -> list[str]:
    return [r["event_type"].rsplit(".", 1)[1] for r in rows]


async def access_log(service: Any, cid: str) -> list[dict[str, Any]]:
    """The service's access log for one client: who read, with what purpose and answer (and to whom it went)."""
    import json

    pool: asyncpg.Pool = service.app.state.runtime.pool
    rows = await pool.fetch("SELECT data FROM events WHERE stream_id LIKE 'access-%' AND subject = $1"
                            " ORDER BY global_position", cid)
    return [json.loads(r["data"]) for r in rows]


async def followup_case(followup: Any, tokens: Any, cid: str, until: Any) -> dict[str, Any]:
    async def seen() -> Any:
        r = await followup.get(f"/followups/{cid}", headers=tokens(*WORKER))
        return r.json() if r.status_code == 200 and until(r.json()) else None

    return await eventually(seen, timeout=30)  # type: ignore[no-any-return]


def rules_have_looked(case: dict[str, Any]) -> bool:
    """The plan is noted and, once mid-period has passed, the plan rules' timer has fired (the journeys' period is
    past its middle: the rule asks for a review of a budget not in use, on a timer of its own, at any moment)."""
    if case["plan"] is None:
        return False
    period = case["plan"]["period"]
    start, end = datetime.fromisoformat(period["start"]), datetime.fromisoformat(period["end"]) + timedelta(days=1)
    mid = (start + (end - start) / 2).replace(tzinfo=UTC)
    return datetime.now(UTC) < mid or any(r["requested_by"] == "rule" for r in case["plan_reviews"])


async def test_a_youth_moves_from_pori_to_tampere_and_follow_up_uses_the_new_municipality(intake, budgeting, followup,
                                                                                          tokens):
    cid = await decided_budget(intake, budgeting, tokens, 200_000, municipality="Pori")
    await followup_case(followup, tokens, cid, lambda case: case["plan"] is not None)
    w = tokens(*WORKER)
    today = county_day(datetime.now(UTC))  # a move's day is the county's
    r = await intake.put(f"/clients/{cid}/municipality", headers=w,
                         json={"municipality": "Tampere", "effective_from": today.isoformat()})
    assert r.status_code == 200, r.text
    case = (await intake.get(f"/clients/{cid}", headers=w)).json()
    assert case["municipality"] == "Tampere"
    assert case["municipalities"] == [{"municipality": "Pori", "from": None},
                                      {"municipality": "Tampere", "from": today.isoformat()}]
    [moved] = [r for r in await events_of(intake, cid) if r["event_type"].endswith("MunicipalityChanged")]
    assert (moved["actor_id"], moved["actor_role"]) == WORKER  # who moved it, and when, are the event's
    seen = await followup_case(followup, tokens, cid, lambda case: case["municipality"] == "Tampere")
    assert seen["municipalities"] == [{"municipality": "Tampere", "from": today.isoformat()}]
    # A move announced ahead takes effect on its day, not before.
    r = await intake.put(f"/clients/{cid}/municipality", headers=w,
                         json={"municipality": "Nokia", "effective_from": (today + timedelta(days=30)).isoformat()})
    assert r.status_code == 200, r.text
    assert (await intake.get(f"/clients/{cid}", headers=w)).json()["municipality"] == "Tampere"
    # Only the case's worker moves the client: not the client, not another worker.
    r = await intake.put(f"/clients/{cid}/municipality", headers=tokens(cid, "client"),
                         json={"municipality": "Ylöjärvi", "effective_from": today.isoformat()})
    assert r.status_code == 403


async def test_a_move_to_another_county_closes_the_case_with_a_decision_and_the_hand_over_is_a_logged_disclosure(
        intake, budgeting, followup, tokens):
    cid = await decided_budget(intake, budgeting, tokens, 200_000)
    await followup_case(followup, tokens, cid, lambda case: case["plan"] is not None)
    w = tokens(*WORKER)
    r = await intake.post(f"/clients/{cid}/move-out-of-county", headers=w, json={
        "moved_on": county_day(datetime.now(UTC)).isoformat(), "new_county": PIRKANMAA,
        "reasoning": "Asiakas on muuttanut Pirkanmaalle; vastuu siirtyy sinne."})
    assert r.status_code == 200, r.text
    moved_out = (await intake.get(f"/clients/{cid}", headers=w)).json()["moved_out"]
    assert moved_out["new_county"] == PIRKANMAA and moved_out["decided_by"] == WORKER[0]
    assert moved_out["reasoning"].startswith("Asiakas on muuttanut") and moved_out["appeal_instructions"]
    closed = await followup_case(followup, tokens, cid, lambda case: case["status"] == "closed")
    assert (closed["closure"]["reason"], closed["closure"]["closed_by"]) == ("moved_away", WORKER[0])

    async def budget_closed() -> Any:
        r = await budgeting.get(f"/budgets/{cid}", headers=w)
        return r.json()["status"] == "closed"

    await eventually(budget_closed, timeout=30)
    # Nothing proceeds here after the move: this county's responsibility has ended.
    r = await intake.post(f"/clients/{cid}/consent/withdrawal", headers=tokens(cid, "client"), json={})
    assert r.status_code == 409 and problem_of(r)["code"] == "moved-out-of-county"

    r = await intake.post(f"/clients/{cid}/hand-over", headers=w, json={"to_county": PIRKANMAA})
    assert r.status_code == 200, r.text
    export = r.json()
    assert export["to_county"] == PIRKANMAA and export["case"]["client_id"] == cid
    assert export["case"]["person"]["last_name"] == "Meikäläinen"  # the data itself goes to the new county
    assert "CaseHandedOver" in short(await events_of(intake, cid))
    [disclosure] = [a for a in await access_log(intake, cid) if a["purpose"] == "disclosure"]
    assert (disclosure["user_id"], disclosure["recipient"], disclosure["status"]) == (WORKER[0], PIRKANMAA, 200)


async def test_the_client_changes_their_own_contact_details_sealed_with_who_and_when(intake, tokens):
    from tests.journeys import person

    w = tokens(*WORKER)
    r = await intake.post("/clients", json=person(), headers=w)
    cid = r.json()["client_id"]
    for path, body in ((f"/clients/{cid}/consent", {"given_by": "client"}),
                       (f"/clients/{cid}/coordinator", {"worker_id": WORKER[0]})):
        r = await intake.request("PUT" if path.endswith("coordinator") else "POST", path, headers=w, json=body)
        assert r.status_code == 200, r.text
    r = await intake.post(f"/clients/{cid}/contact-details", headers=tokens(cid, "client"),
                          json={"phone": "+358409998877", "address": "Hämeenkatu 1 A 5, 33100 Tampere"})
    assert r.status_code == 200, r.text
    r = await intake.put(f"/clients/{cid}/preferred-language", headers=tokens(cid, "client"),
                         json={"preferred_language": "sv"})
    assert r.status_code == 200, r.text
    case = (await intake.get(f"/clients/{cid}", headers=w)).json()
    assert case["person"]["phone"] == "+358409998877" and case["person"]["address"].startswith("Hämeenkatu 1")
    assert case["person"]["email"] == "maija@example.fi" and case["preferred_language"] == "sv"
    [changed] = [r for r in await events_of(intake, cid) if r["event_type"].endswith("ContactDetailsChanged")]
    assert (changed["actor_id"], changed["actor_role"]) == (cid, "client")
    assert "+358409998877" not in changed["data"] and "Hämeenkatu" not in changed["data"]  # sealed
    # Another client, and a worker not on the case, change nothing of the client's.
    from uuid import uuid4

    for outsider in (tokens(str(uuid4()), "client"), tokens("worker-eero", "worker")):
        r = await intake.post(f"/clients/{cid}/contact-details", headers=outsider, json={"phone": "+358401111111"})
        assert r.status_code == 403
    r = await intake.post(f"/clients/{cid}/contact-details", headers=tokens(cid, "client"), json={})
    assert r.status_code == 422  # nothing changed is no change


async def test_a_check_in_while_consent_is_withdrawn_is_refused_and_writes_nothing(intake, budgeting, followup, tokens):
    cid = await decided_budget(intake, budgeting, tokens, 200_000)
    # The rules' own review request must be in before the snapshot below, or it is counted as written by a refusal.
    await followup_case(followup, tokens, cid, rules_have_looked)
    client = tokens(cid, "client")
    r = await followup.post(f"/followups/{cid}/own-check-ins", headers=client, json={"text": "Arki sujuu jo"})
    assert r.status_code == 200, r.text
    r = await intake.post(f"/clients/{cid}/consent/withdrawal", headers=client, json={"reason": "Mietin vielä"})
    assert r.status_code == 200, r.text

    async def noted() -> Any:
        return "ConsentNoted" in short(await events_of(followup, f"followup-{cid}"))

    await eventually(noted, timeout=30)
    before = await events_of(followup, f"followup-{cid}")
    r = await followup.post(f"/followups/{cid}/own-check-ins", headers=client, json={"text": "Hyvin menee"})
    assert r.status_code == 409 and problem_of(r)["code"] == "consent-withdrawn"
    r = await followup.post(f"/followups/{cid}/check-ins", headers=tokens(*WORKER), json={
        "contact_type": "phone", "client_account": "Hyvin menee", "worker_notes": "Soitto"})
    assert r.status_code == 409 and problem_of(r)["code"] == "consent-withdrawn"
    assert await events_of(followup, f"followup-{cid}") == before  # nothing written
    r = await intake.post(f"/clients/{cid}/consent", headers=client, json={"given_by": "client"})
    assert r.status_code == 200, r.text

    async def accepted_again() -> Any:
        r = await followup.post(f"/followups/{cid}/own-check-ins", headers=client, json={"text": "Taas mukana"})
        return r.status_code == 200

    await eventually(accepted_again, timeout=30)
