"""Guardians and representatives against the real broker and database (issue 17): two guardians each read their
child's budget with their own tokens, one gives consent and records a check-in for the child, each is refused
another child (and the refusal is in the access log); a child under 15 acts through the guardian, a 15-year-old
alone; a recorded prohibition stops the guardian's reads in every service; a guardian's link ends at 18. And the
canary: no hetu, name or address in any log line or Kafka key of these journeys."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import asyncpg
import pytest

from shared.kernel.calendar import county_day
from shared.kernel.identifiers import make_hetu
from shared.kernel.representation import anniversary
from tests.journeys import PERIOD, SCORES, WORKER, budget_opened, person, plan
from tests.support import eventually, problem_of, read_to_end

pytestmark = pytest.mark.integration


def born_years_ago(years: int, days_later: int = 0) -> date:
    """A birth date: ``years`` ago today (on the county's clock), ``days_later`` days after that."""
    from datetime import timedelta

    return anniversary(county_day(datetime.now(UTC)), -years) + timedelta(days=days_later)


# The children's form: the six areas on five faces (docs/self-assessment.md).
FACES = {"general_ability": 4, "mental_wellbeing": 3, "social_participation": 5, "physical_functioning": 4,
         "competence": 2, "everyday_life": 3}
GUARDIANS = [
    {"hetu": make_hetu(date(1984, 5, 2), 345), "first_name": "Leena", "last_name": "Virtanen",
     "address": "Satakunnankatu 12, 28100 Pori", "phone": "+358407771111"},
    {"hetu": make_hetu(date(1982, 9, 20), 567), "first_name": "Jussi", "last_name": "Korhonen",
     "address": "Itsenäisyydenkatu 3, 28100 Pori", "phone": "+358407772222"},
]


async def register_child(intake: Any, tokens: Any, born: date, individual: int = 456, **overrides: Any) -> str:
    r = await intake.post("/clients", headers=tokens(*WORKER),
                          json=person(make_hetu(born, individual), **({"first_name": "Aada", "last_name": "Virtanen",
                                                                       "municipality": "Pori"} | overrides)))
    assert r.status_code == 201, r.text
    return str(r.json()["client_id"])


async def register_guardian(intake: Any, tokens: Any, who: dict[str, Any]) -> str:
    r = await intake.post("/representatives", headers=tokens(*WORKER), json=who)
    assert r.status_code == 201, r.text
    return str(r.json()["person_id"])


async def link_guardian(intake: Any, tokens: Any, cid: str, person_id: str) -> str:
    r = await intake.post(f"/clients/{cid}/representatives", headers=tokens(*WORKER), json={
        "representative_id": person_id, "kind": "guardian", "basis": "Huoltajuus väestötietojärjestelmän mukaan"})
    assert r.status_code == 200, r.text
    links = (await intake.get(f"/clients/{cid}", headers=tokens(*WORKER))).json()["representatives"]
    return str(next(link["link_id"] for link in links if link["representative_id"] == person_id))


async def decide_budget(intake: Any, budgeting: Any, tokens: Any, cid: str) -> None:
    """The worker completes intake (consent and a self-assessment given already) and decides a budget."""
    w = tokens(*WORKER)
    for method, path, body in (
            ("PUT", f"/clients/{cid}/coordinator", {"worker_id": WORKER[0]}),
            ("POST", f"/clients/{cid}/needs-assessment", {"service_task": "families_with_children",
                                                            "support_needs": ["everyday_life"], "summary": "Apua"}),
            ("POST", f"/clients/{cid}/completion", None)):
        r = await intake.request(method, path, headers=w, json=body)
        assert r.status_code == 200, (path, r.text)
    await budget_opened(budgeting, tokens, cid)
    await plan(budgeting, tokens, cid, ["everyday_life"])  # a budget rests on a plan (main's decisions train)
    r = await budgeting.post(f"/budgets/{cid}/proposal", headers=w,
                             json={"amount_cents": 150_000, "period": PERIOD, "breakdown": {"everyday_life": 150_000}})
    assert r.status_code == 200, r.text
    r = await budgeting.post(f"/budgets/{cid}/decision", headers=w, json={"reasoning": "Arjen tuki"})
    assert r.status_code == 200, r.text


async def status_of(service: Any, path: str, headers: dict[str, str]) -> int:
    return int((await service.get(path, headers=headers)).status_code)


async def until_status(service: Any, path: str, headers: dict[str, str], status: int) -> None:
    """Wait until the service answers ``status`` (its copy of who represents whom has caught up)."""

    async def answered() -> bool:
        return await status_of(service, path, headers) == status

    await eventually(answered, timeout=30)


async def access_log(service: Any, cid: str) -> list[dict[str, Any]]:
    pool: asyncpg.Pool = service.app.state.runtime.pool
    rows = await pool.fetch("SELECT data FROM events WHERE stream_id LIKE 'access-%' AND subject = $1"
                            " ORDER BY global_position", cid)
    return [json.loads(r["data"]) for r in rows]


async def test_two_guardians_read_their_childs_budget_one_consents_and_checks_in_and_neither_reads_another_child(
        intake, budgeting, followup, tokens, capfd):
    w = tokens(*WORKER)
    child = await register_child(intake, tokens, born_years_ago(7))
    other_child = await register_child(intake, tokens, born_years_ago(9), individual=458, first_name="Eino")
    mother, father = [await register_guardian(intake, tokens, g) for g in GUARDIANS]
    for guardian in (mother, father):
        await link_guardian(intake, tokens, child, guardian)
    as_mother, as_father = tokens(mother, "representative"), tokens(father, "representative")
    # The child reads their case, but acts through their guardian.
    r = await intake.post(f"/clients/{child}/consent", headers=tokens(child, "client"), json={"given_by": "client"})
    assert r.status_code == 403 and problem_of(r)["code"] == "acts-through-guardian"
    await until_status(intake, f"/clients/{child}", as_mother, 200)
    r = await intake.post(f"/clients/{child}/consent", headers=as_mother, json={"given_by": "client"})
    assert r.status_code == 200, r.text
    r = await intake.post(f"/clients/{child}/self-assessments", headers=as_mother, json={"scores": SCORES})
    assert r.status_code == 422  # a seven-year-old is not scored on the adult form
    r = await intake.post(f"/clients/{child}/self-assessments", headers=as_mother,
                          json={"scores": FACES, "own_words": "Koulussa on kivaa"})
    assert r.status_code == 200, r.text
    await decide_budget(intake, budgeting, tokens, child)
    case = (await intake.get(f"/clients/{child}", headers=w)).json()
    assert case["age_stage"] == "child"
    assert sorted(link["name"] for link in case["representatives"]) == ["Jussi Korhonen", "Leena Virtanen"]
    rows = await (intake.app.state.runtime.pool).fetch(
        "SELECT event_type, actor_id, data FROM events WHERE stream_id = $1 ORDER BY stream_version", child)
    consent = next(r for r in rows if r["event_type"].endswith("ConsentGiven"))
    assert json.loads(consent["data"])["given_by"] == "guardian" and consent["actor_id"] == mother
    assessed = next(r for r in rows if r["event_type"].endswith("SelfAssessmentRecorded"))
    assert (json.loads(assessed["data"])["filled_in_by"], json.loads(assessed["data"])["form"]) == ("representative",
                                                                                                   "child")
    for guardian in (as_mother, as_father):  # each with their own token
        await until_status(budgeting, f"/budgets/{child}", guardian, 200)
        r = await intake.get(f"/clients/{other_child}", headers=guardian)
        assert r.status_code == 403 and problem_of(r)["code"] == "representation-refused"

    async def case_open() -> bool:
        return await status_of(followup, f"/followups/{child}", as_mother) == 200

    await eventually(case_open, timeout=30)
    r = await followup.post(f"/followups/{child}/own-check-ins", headers=as_mother, json={"text": "Aada nukkuu hyvin"})
    assert r.status_code == 200, r.text
    own = (await followup.get(f"/followups/{child}", headers=w)).json()["own_check_ins"]
    assert [(x["account"], x["by"], x["recorded_by"]) for x in own] == [("Aada nukkuu hyvin", "representative", mother)]

    # Every read is in the access log under the representative's own id, the refused ones too.
    logged = {(a["user_id"], a["role"], a["purpose"], a["status"]) for a in await access_log(budgeting, child)}
    assert {(mother, "representative", "representation", 200), (father, "representative", "representation", 200)} <= logged
    refused = {(a["user_id"], a["status"]) for a in await access_log(intake, other_child)}
    assert {(mother, 403), (father, 403)} <= refused

    # The canary: none of the people's hetus, names or addresses in a log line or a Kafka key.
    out, err = capfd.readouterr()
    secrets = [value for g in GUARDIANS for value in (g["hetu"], g["last_name"], g["address"], g["phone"])]
    secrets += [make_hetu(born_years_ago(7), 456), "Aada"]
    keys = [record.key or b"" for topic in ("intake", "budgeting", "followup")
            for record in await read_to_end(f"{intake.app.state.runtime.settings.topic_prefix}avain.{topic}.events.v1")]
    for secret in secrets:
        assert secret not in out and secret not in err, f"a log line carries {secret!r}"
        assert all(secret.encode() not in key for key in keys), f"a Kafka key carries {secret!r}"


async def test_a_15_year_old_acts_alone_and_a_prohibition_stops_the_guardians_reads_everywhere(intake, budgeting,
                                                                                               tokens):
    youth = await register_child(intake, tokens, born_years_ago(16))
    guardian = await register_guardian(intake, tokens, GUARDIANS[0])
    await link_guardian(intake, tokens, youth, guardian)
    as_youth, as_guardian = tokens(youth, "client"), tokens(guardian, "representative")
    r = await intake.post(f"/clients/{youth}/consent", headers=as_youth, json={"given_by": "client"})
    assert r.status_code == 200, r.text  # a minor of 15 acts alone in their own matters
    r = await intake.post(f"/clients/{youth}/self-assessments", headers=as_youth, json={"scores": SCORES})
    assert r.status_code == 200, r.text
    await until_status(intake, f"/clients/{youth}", as_guardian, 200)  # and the guardian alongside
    assert (await intake.get(f"/clients/{youth}", headers=tokens(*WORKER))).json()["age_stage"] == "minor_15"
    await decide_budget(intake, budgeting, tokens, youth)
    await until_status(budgeting, f"/budgets/{youth}", as_guardian, 200)
    r = await intake.post(f"/clients/{youth}/data-prohibitions", headers=tokens(*WORKER), json={})
    assert r.status_code == 200, r.text
    await until_status(intake, f"/clients/{youth}", as_guardian, 403)
    r = await intake.get(f"/clients/{youth}", headers=as_guardian)
    assert problem_of(r)["code"] == "data-prohibited"
    await until_status(budgeting, f"/budgets/{youth}", as_guardian, 403)
    assert any(a["user_id"] == guardian and a["status"] == 403 for a in await access_log(intake, youth))


async def test_a_guardians_link_ends_when_the_child_turns_18(intake, tokens):
    turns_18_tomorrow = born_years_ago(18, days_later=1)
    cid = await register_child(intake, tokens, turns_18_tomorrow)
    guardian = await register_guardian(intake, tokens, GUARDIANS[1])
    link_id = await link_guardian(intake, tokens, cid, guardian)
    case = (await intake.get(f"/clients/{cid}", headers=tokens(*WORKER))).json()
    [link] = case["representatives"]
    assert link["ends_on"] == anniversary(turns_18_tomorrow, 18).isoformat()  # set by the law, not by hand
    as_guardian = tokens(guardian, "representative")
    await until_status(intake, f"/clients/{cid}", as_guardian, 200)
    # The birthday comes: the durable timer set at registration fires (brought forward to now).
    pool: asyncpg.Pool = intake.app.state.runtime.pool
    moved = await pool.execute("UPDATE timers SET due_at = now() WHERE kind = 'age-stage' AND key = $1",
                               f"{cid}:{anniversary(turns_18_tomorrow, 18).isoformat()}")
    assert moved == "UPDATE 1"

    async def ended() -> Any:
        rows = await pool.fetch("SELECT event_type, data FROM events WHERE stream_id = $1 ORDER BY stream_version", cid)
        return [json.loads(r["data"]) for r in rows if r["event_type"].endswith("RepresentationEnded")]

    [end] = await eventually(ended, timeout=30)
    assert (end["link_id"], end["reason"]) == (link_id, "came_of_age")
    assert end["ended_on"] == anniversary(turns_18_tomorrow, 18).isoformat()
    await until_status(intake, f"/clients/{cid}", as_guardian, 403)
    r = await intake.get(f"/clients/{cid}", headers=as_guardian)
    assert problem_of(r)["code"] == "representation-refused"


async def test_a_representative_sees_the_names_of_the_clients_they_act_for_and_of_no_one_else(intake, tokens):
    """What the console's "whom are you acting for?" shows: the clients of the representative's links in force by
    name, no other client's name, and none of one who has forbidden them their data."""
    youth = await register_child(intake, tokens, born_years_ago(16), individual=460, first_name="Ilona")
    other = await register_child(intake, tokens, born_years_ago(9), individual=462, first_name="Onni")
    guardian = await register_guardian(intake, tokens, GUARDIANS[0])
    await link_guardian(intake, tokens, youth, guardian)
    as_guardian = tokens(guardian, "representative")
    await until_status(intake, f"/clients/{youth}", as_guardian, 200)
    me = (await intake.get("/representatives/me", headers=as_guardian)).json()
    assert [(m["client_id"], m["kind"], m["reads"]) for m in me["represents"]] == [(youth, "guardian", True)]

    async def names() -> list[tuple[str, str]]:
        r = await intake.get("/clients/names", headers=as_guardian, params=[("id", youth), ("id", other)])
        assert r.status_code == 200, r.text
        return [(i["client_id"], i["name"]) for i in r.json()["items"]]

    assert await names() == [(youth, "Ilona Virtanen")]
    r = await intake.post(f"/clients/{youth}/data-prohibitions", headers=tokens(*WORKER), json={})
    assert r.status_code == 200, r.text

    async def left_out() -> bool:
        return await names() == []

    await eventually(left_out, timeout=30)
