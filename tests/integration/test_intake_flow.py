"""Intake against the real broker and database: HTTP command → event in PostgreSQL → the same event on
Kafka with the client id as key, CloudEvents headers and per-client order."""

from __future__ import annotations

import asyncio
import json
from datetime import date

import asyncpg
import pytest

from shared.kernel.envelope import EventEnvelope
from shared.kernel.identifiers import make_hetu
from tests.journeys import MANAGER, OTHER_WORKER, SCORES, WORKER, person, walk_to_completion
from tests.support import read_topic

pytestmark = pytest.mark.integration

async def test_command_reaches_postgres_and_kafka_with_key_headers_and_order(intake, tokens, settings):
    cid = await walk_to_completion(intake, tokens)
    expected_types = ["ClientRegistered", "ConsentGiven", "CoordinatorAssigned", "SelfAssessmentRecorded",
                      "NeedsAssessed", "IntakeCompleted"]

    pool: asyncpg.Pool = intake.app.state.runtime.pool
    rows = await pool.fetch("SELECT * FROM events WHERE stream_id = $1 ORDER BY stream_version", cid)
    assert [r["event_type"].rsplit(".", 1)[1] for r in rows] == expected_types

    records = await read_topic(f"{settings.topic_prefix}avain.intake.events.v1", len(expected_types))
    mine = [r for r in records if r.key == cid.encode()]
    assert [dict(r.headers)["ce_type"].decode().rsplit(".", 1)[1] for r in mine] == expected_types
    assert len({r.partition for r in mine}) == 1  # one key, one partition: the client's order holds
    for record, row in zip(mine, rows, strict=True):
        headers = {k: v.decode() for k, v in record.headers}
        assert headers["ce_specversion"] == "1.0"
        assert headers["ce_id"] == str(row["event_id"])
        assert headers["ce_subject"] == cid
        assert headers["ce_source"] == "/avain/intake"
        assert headers["ce_actorid"] == WORKER[0] and headers["ce_actorrole"] == "worker"
        assert headers["content-type"] == "application/json"
        assert json.loads(record.value) == json.loads(row["data"])
        envelope = EventEnvelope.from_kafka(record.headers, record.value)
        assert envelope.content_hash() == envelope.hash  # the chain verifies from Kafka alone
    # No personal data on the wire in clear.
    wire = b"".join(r.value for r in mine)
    assert b"Maija" not in wire and b"Meik" not in wire and b"siivous" not in wire.lower()


async def test_reading_a_case_opens_personal_data_for_its_worker_only(intake, tokens):
    cid = await walk_to_completion(intake, tokens)
    r = await intake.get(f"/clients/{cid}", headers=tokens(*WORKER))
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "completed" and body["person"]["first_name"] == "Maija"
    assert body["self_assessment"]["wishes"] == "Siivousapua ja lastenrattaat"
    assert r.headers["ETag"] == '"6"'

    assert (await intake.get(f"/clients/{cid}", headers=tokens(*OTHER_WORKER))).status_code == 403
    assert (await intake.get(f"/clients/{cid}", headers=tokens(cid, "client"))).status_code == 200
    assert (await intake.get(f"/clients/{cid}", headers=tokens("someone-else", "client"))).status_code == 403
    assert (await intake.get(f"/clients/{cid}", headers=tokens("prov-1", "provider"))).status_code == 403
    auditor = tokens("auditor-otso", "auditor")
    assert (await intake.get(f"/clients/{cid}", headers=auditor | {"X-Access-Purpose": "audit"})).status_code == 200
    no_purpose = await intake.get(f"/clients/{cid}", headers=auditor)
    assert no_purpose.status_code == 422 and "purpose" in no_purpose.json()["detail"]
    assert (await intake.post(f"/clients/{cid}/consent", json={}, headers=auditor)).status_code == 403
    assert (await intake.get(f"/clients/{cid}")).status_code == 401
    bad = {"Authorization": "Bearer not-a-token"}
    assert (await intake.get(f"/clients/{cid}", headers=bad)).status_code == 401


async def test_same_hetu_twice_returns_the_existing_client(intake, tokens):
    hetu = make_hetu(date(1990, 1, 10), 999, "-")
    first = await intake.post("/clients", json=person(hetu), headers=tokens(*WORKER))
    again = await intake.post("/clients", json=person(hetu, first_name="Other"), headers=tokens(*WORKER))
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["client_id"] == first.json()["client_id"]
    # The century sign is part of the identity: 100190Y999P is another person.
    other = await intake.post("/clients", json=person(hetu.replace("-", "Y")), headers=tokens(*WORKER))
    assert other.status_code == 201 and other.json()["client_id"] != first.json()["client_id"]


async def test_concurrent_registrations_of_one_hetu_make_one_client(intake, tokens):
    hetu = make_hetu(date(2005, 6, 1), 123, "A")
    replies = await asyncio.gather(*(intake.post("/clients", json=person(hetu), headers=tokens(*WORKER))
                                     for _ in range(5)))
    assert {r.json()["client_id"] for r in replies} != set() and len({r.json()["client_id"] for r in replies}) == 1
    assert sorted(r.status_code for r in replies) == [200, 200, 200, 200, 201]
    pool: asyncpg.Pool = intake.app.state.runtime.pool
    assert await pool.fetchval("SELECT count(*) FROM events WHERE event_type LIKE '%ClientRegistered'") == 1


async def test_stale_version_gets_409_and_writes_nothing(intake, tokens):
    w = tokens(*WORKER)
    cid = (await intake.post("/clients", json=person(), headers=w)).json()["client_id"]
    assert (await intake.post(f"/clients/{cid}/consent", json={}, headers=w | {"If-Match": '"1"'})).status_code == 200
    pool: asyncpg.Pool = intake.app.state.runtime.pool
    before = await pool.fetchval("SELECT count(*) FROM events")
    stale = await intake.put(f"/clients/{cid}/coordinator", json={"worker_id": WORKER[0]},
                             headers=w | {"If-Match": '"1"'})
    assert stale.status_code == 409
    assert stale.json()["actual_version"] == 2
    assert await pool.fetchval("SELECT count(*) FROM events") == before
    assert await pool.fetchval("SELECT count(*) FROM outbox") == before


async def test_concurrent_appends_at_the_same_version_one_wins(intake, tokens):
    """Two workers act on the same case at once, both from version 2: exactly one append succeeds."""
    w = tokens(*WORKER)
    cid = (await intake.post("/clients", json=person(), headers=w)).json()["client_id"]
    await intake.post(f"/clients/{cid}/consent", json={}, headers=w)
    bodies = [{"scores": SCORES | {"general_ability": n}} for n in range(8)]
    replies = await asyncio.gather(*(intake.post(f"/clients/{cid}/self-assessments", json=b,
                                                 headers=w | {"If-Match": '"2"'}) for b in bodies))
    assert sorted(r.status_code for r in replies) == [200] + [409] * 7
    pool: asyncpg.Pool = intake.app.state.runtime.pool
    assert await pool.fetchval("SELECT count(*) FROM events WHERE stream_id = $1", cid) == 3


async def test_steps_out_of_order_are_refused_and_write_nothing(intake, tokens):
    w = tokens(*WORKER)
    cid = (await intake.post("/clients", json=person(), headers=w)).json()["client_id"]
    no_consent = await intake.post(f"/clients/{cid}/completion", headers=w)
    assert no_consent.status_code == 409 and no_consent.json()["code"] == "no-consent"
    assert "suostumusta" in no_consent.json()["detail"]  # the rule's reason, in Finnish when nothing else is asked
    await intake.post(f"/clients/{cid}/consent", json={}, headers=w)
    incomplete = await intake.post(f"/clients/{cid}/completion", headers=w | {"Accept-Language": "en"})
    assert incomplete.status_code == 409 and incomplete.json()["code"] == "intake-incomplete"
    assert "coordinating worker" in incomplete.json()["detail"]
    assert incomplete.json()["missing"] == ["coordinator", "self_assessment", "needs_assessment"]
    await intake.post(f"/clients/{cid}/consent/withdrawal", json={"reason": "ei halua"}, headers=w)
    blocked = await intake.post(f"/clients/{cid}/self-assessments", json={"scores": SCORES}, headers=w)
    assert blocked.status_code == 409
    case = (await intake.get(f"/clients/{cid}", headers=w)).json()
    assert case["version"] == 3 and case["consent"] == "withdrawn"


async def test_bad_input_gets_422_with_field_errors_and_writes_nothing(intake, tokens):
    w = tokens(*WORKER)
    pool: asyncpg.Pool = intake.app.state.runtime.pool
    bad_hetu = await intake.post("/clients", json=person("131052-308A"), headers=w)
    assert bad_hetu.status_code == 422 and bad_hetu.json()["errors"][0]["field"] == "hetu"
    assert bad_hetu.json()["code"] == "invalid-hetu"
    assert "131052" not in bad_hetu.text  # the reason never echoes the identifier
    missing = await intake.post("/clients", json={"hetu": "131052-308T"}, headers=w)
    assert missing.status_code == 422
    assert {e["field"] for e in missing.json()["errors"]} >= {"first_name", "last_name", "municipality"}
    cid = (await intake.post("/clients", json=person(), headers=w)).json()["client_id"]
    await intake.post(f"/clients/{cid}/consent", json={}, headers=w)
    out_of_range = await intake.post(f"/clients/{cid}/self-assessments",
                                     json={"scores": SCORES | {"competence": 11}}, headers=w)
    assert out_of_range.status_code == 422
    assert out_of_range.json()["errors"][0]["field"] == "scores.competence"
    assert (await intake.get("/clients/not-a-uuid", headers=w)).status_code == 422
    unknown = "/clients/00000000-0000-4000-8000-000000000000"
    assert (await intake.get(unknown, headers=w)).status_code == 404
    # regression: sealing the reason used to come first and failed with a 500 for an unknown client
    assert (await intake.post(f"{unknown}/consent/withdrawal", json={"reason": "x"}, headers=w)).status_code == 404
    # registration and consent only; the refused read of an unknown client is in the access log
    assert await pool.fetchval("SELECT count(*) FROM events WHERE event_type NOT LIKE 'fi.avain.access.%'") == 2
    assert await pool.fetchval("SELECT data->>'status' FROM events WHERE event_type LIKE 'fi.avain.access.%'") == "404"


async def test_roles_and_relationships_limit_who_acts(intake, tokens):
    w = tokens(*WORKER)
    r = await intake.post("/clients", json=person(), headers=tokens(*MANAGER))
    assert r.status_code == 403
    cid = (await intake.post("/clients", json=person(), headers=w)).json()["client_id"]
    # The client gives their own consent and fills in their own self-assessment.
    me = tokens(cid, "client")
    assert (await intake.post(f"/clients/{cid}/consent", json={}, headers=me)).status_code == 200
    assert (await intake.post(f"/clients/{cid}/self-assessments", json={"scores": SCORES}, headers=me)).status_code == 200
    assert (await intake.post(f"/clients/{cid}/completion", headers=me)).status_code == 403
    # A worker takes the case on; a worker cannot hand it to someone else, a manager can.
    other = tokens(*OTHER_WORKER)
    assert (await intake.put(f"/clients/{cid}/coordinator", json={"worker_id": "w-x"}, headers=w)).status_code == 403
    assert (await intake.put(f"/clients/{cid}/coordinator", json={"worker_id": WORKER[0]}, headers=w)).status_code == 200
    assert (await intake.post(f"/clients/{cid}/needs-assessment", headers=other, json={
        "service_task": "older_people", "support_needs": ["x"], "summary": "s"})).status_code == 403
    moved = await intake.put(f"/clients/{cid}/coordinator", json={"worker_id": OTHER_WORKER[0]},
                             headers=tokens(*MANAGER))
    assert moved.status_code == 200
    assert (await intake.get(f"/clients/{cid}", headers=w)).status_code == 403
    mine = await intake.get("/clients", headers=other)
    assert [c["client_id"] for c in mine.json()] == [cid]
    assert (await intake.get("/clients", headers=me)).status_code == 403


async def test_decline_records_reason_and_appeal_instructions(intake, tokens):
    w = tokens(*WORKER)
    cid = (await intake.post("/clients", json=person(), headers=w)).json()["client_id"]
    r = await intake.post(f"/clients/{cid}/decline", json={"reason": "Ei HB-tarvetta"}, headers=w)
    assert r.status_code == 200
    assert r.json()["events"][0]["type"] == "fi.avain.intake.IntakeDeclined"
    # The client reads why, by whom, on what law, and how to seek rectification, in the language asked for.
    me = tokens(cid, "client")
    fi = (await intake.get(f"/clients/{cid}", headers=me | {"Accept-Language": "fi"})).json()["decision"]
    sv = (await intake.get(f"/clients/{cid}", headers=me | {"Accept-Language": "sv"})).json()["decision"]
    assert fi["kind"] == "intake_decline" and fi["reasoning"] == "Ei HB-tarvetta"
    assert fi["decision_number"] == sv["decision_number"] and fi["decided_by"] == WORKER[0]
    assert fi["instructions"].startswith("Oikaisuvaatimusohje.") and "30" in fi["instructions"]
    assert sv["instructions"] and sv["instructions"] != fi["instructions"]
    assert fi["legal_basis"] and sv["legal_basis"]
    again = await intake.post(f"/clients/{cid}/consent", json={}, headers=w)
    assert again.status_code == 200  # consent can still be recorded; intake itself is final
    assert (await intake.post(f"/clients/{cid}/completion", headers=w)).status_code == 409


async def test_the_work_list_comes_in_pages_with_a_cursor_and_the_total(intake, tokens):
    w = tokens(*WORKER)
    for n in range(3):
        registered = await intake.post("/clients", json=person(make_hetu(date(1971, 2, 1 + n), 500 + n)), headers=w)
        cid = registered.json()["client_id"]
        assert (await intake.post(f"/clients/{cid}/consent", json={}, headers=w)).status_code == 200
        assert (await intake.put(f"/clients/{cid}/coordinator", json={"worker_id": WORKER[0]},
                                 headers=w)).status_code == 200
    first = await intake.get("/clients", params={"limit": 2}, headers=w)
    total = int(first.headers["X-Total-Count"])
    assert total >= 3 and len(first.json()) == 2
    seen = [c["client_id"] for c in first.json()]
    cursor = first.headers["X-Next-Cursor"]
    while cursor:
        page = await intake.get("/clients", params={"limit": 2, "cursor": cursor}, headers=w)
        assert int(page.headers["X-Total-Count"]) == total
        seen += [c["client_id"] for c in page.json()]
        cursor = page.headers.get("X-Next-Cursor")
    assert len(seen) == len(set(seen)) == total
    assert (await intake.get("/clients", params={"cursor": "bm90LWEtY3Vyc29y"}, headers=w)).status_code == 422
