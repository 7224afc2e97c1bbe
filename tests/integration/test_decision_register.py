"""The county's register of decisions on the real broker and database: a budget decision and a declined intake
reach the register from their services' records on Kafka, and a recorded dispatch gives the client the last day
for a request for rectification."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.decisions.domain.serving import time_limit_ends
from shared.kernel.calendar import county_day
from shared.kernel.envelope import EventEnvelope
from tests.journeys import MANAGER, WORKER, decided_budget, person
from tests.support import eventually, read_to_end, read_topic

pytestmark = pytest.mark.integration


async def register_of(decisions: Any, tokens: Any, cid: str) -> list[dict[str, Any]]:
    r = await decisions.get(f"/clients/{cid}/decisions", headers=tokens(*WORKER))
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


async def test_a_decided_budget_is_registered_and_a_letter_starts_the_clients_time_limit(
        intake, budgeting, decisions, tokens, settings):
    cid = await decided_budget(intake, budgeting, tokens, 300_000)
    [row] = await eventually(lambda: register_of(decisions, tokens, cid), timeout=30)
    assert (row["kind"], row["source_service"], row["decided_by"], row["served"], row["client_deadline"]) == (
        "budget", "budgeting", WORKER[0], False, None)
    path = f"/clients/{cid}/decisions/{row['decision_id']}"

    sent_at = datetime.now(UTC)
    w = tokens(*WORKER)
    refused = await decisions.post(f"{path}/dispatches", headers=w, json={
        "method": "electronic", "sent_at": sent_at.isoformat()})
    assert refused.status_code == 409 and refused.json()["code"] == "electronic-service-without-consent"
    sent = await decisions.post(f"{path}/dispatches", headers=w, json={
        "method": "letter", "sent_at": sent_at.isoformat()})
    assert sent.status_code == 200, sent.text

    expected = time_limit_ends(county_day(sent_at) + timedelta(days=7), 30)
    me = tokens(cid, "client")
    [mine] = (await decisions.get(f"/clients/{cid}/decisions", headers=me)).json()
    assert mine["served"] is True and mine["client_deadline"] == expected.isoformat()
    view = await decisions.get(path, headers=me | {"Accept-Language": "sv"})
    assert view.status_code == 200 and view.headers["Content-Language"] == "sv"
    assert view.json()["served"][0]["deadline"] == expected.isoformat()
    assert view.json()["instructions"].startswith("Anvisning")  # the instructions in the reader's language
    assert (await decisions.get(path, headers=tokens("someone-else", "client"))).status_code == 403
    assert (await decisions.get(f"/clients/{cid}/decisions", headers=tokens("someone-else", "client"))).status_code == 403

    future = await decisions.post(f"{path}/receipts", headers=tokens(*MANAGER), json={
        "received_on": (county_day(sent_at) + timedelta(days=7)).isoformat()})
    assert future.status_code == 422 and future.json()["code"] == "receipt-in-the-future"
    early = await decisions.post(f"{path}/receipts", headers=tokens(*MANAGER), json={
        "received_on": county_day(sent_at).isoformat()})  # handed over the same day: the letter's time still holds
    assert early.status_code == 200
    assert (await decisions.get(path, headers=me)).json()["served"][0]["deadline"] == expected.isoformat()

    records = await read_topic(f"{settings.topic_prefix}avain.decisions.events.v1", 2)
    mine_on_kafka = [dict(r.headers)["ce_type"].decode().rsplit(".", 1)[1] for r in records if r.key == cid.encode()]
    assert mine_on_kafka[:2] == ["DecisionRegistered", "DecisionDispatched"]


async def test_a_declined_intake_is_registered_too(intake, decisions, tokens):
    w = tokens(*WORKER)
    cid = (await intake.post("/clients", json=person(), headers=w)).json()["client_id"]
    assert (await intake.post(f"/clients/{cid}/decline", json={"reason": "Ei HB-tarvetta"}, headers=w)).status_code == 200
    [row] = await eventually(lambda: register_of(decisions, tokens, cid), timeout=30)
    assert (row["kind"], row["source_service"]) == ("intake_decline", "intake")
    unknown = await decisions.post(f"/clients/{cid}/decisions/{cid}/dispatches", headers=w, json={
        "method": "letter", "sent_at": datetime.now(UTC).isoformat()})
    assert unknown.status_code == 404


async def test_a_childs_decision_is_served_to_each_guardian_by_reference_and_the_child_and_strangers_are_refused(
        intake, budgeting, decisions, tokens, settings):
    from tests.integration.test_representation import (
        FACES,
        GUARDIANS,
        born_years_ago,
        decide_budget,
        link_guardian,
        register_child,
        register_guardian,
        until_status,
    )

    child = await register_child(intake, tokens, born_years_ago(10), individual=462)
    mother, father = [await register_guardian(intake, tokens, g) for g in GUARDIANS]
    links = {guardian: await link_guardian(intake, tokens, child, guardian) for guardian in (mother, father)}
    as_mother = tokens(mother, "representative")
    await until_status(intake, f"/clients/{child}", as_mother, 200)
    assert (await intake.post(f"/clients/{child}/consent", headers=as_mother, json={"given_by": "client"})
            ).status_code == 200
    assert (await intake.post(f"/clients/{child}/self-assessments", headers=as_mother, json={"scores": FACES})
            ).status_code == 200
    await decide_budget(intake, budgeting, tokens, child)
    [row] = await eventually(lambda: register_of(decisions, tokens, child), timeout=30)
    path = f"/clients/{child}/decisions/{row['decision_id']}"
    w = tokens(*WORKER)

    async def proposed() -> list[dict[str, Any]] | None:
        r = await decisions.get(f"{path}/recipients", headers=w)
        assert r.status_code == 200, r.text
        found: list[dict[str, Any]] = r.json()["recipients"]
        return found if len(found) == 2 else None  # the register's copy of the links has caught up

    proposal = await eventually(proposed, timeout=30)
    assert sorted((p["recipient"], p["role"], p["link_id"], p["served"]) for p in proposal) == sorted(
        (g, "guardian", links[g], False) for g in (mother, father))  # the child (10) is not among them

    sent_at = datetime.now(UTC).isoformat()
    for recipient, status, code in (("client", 409, "recipient-under-15"),
                                    ("00000000-0000-4000-8000-000000000001", 409, "recipient-not-entitled")):
        refused = await decisions.post(f"{path}/dispatches", headers=w, json={
            "method": "letter", "sent_at": sent_at, "recipient": recipient})
        assert (refused.status_code, refused.json()["code"]) == (status, code), refused.text
        assert refused.json()["detail"]  # the reason, from the catalogue
    sv = await decisions.post(f"{path}/dispatches", headers=w | {"Accept-Language": "sv"}, json={
        "method": "letter", "sent_at": sent_at, "recipient": "client"})
    assert "vårdnadshavare" in sv.json()["title"] + sv.json()["detail"]
    named = await decisions.post(f"{path}/dispatches", headers=w, json={
        "method": "letter", "sent_at": sent_at, "recipient": "Leena Virtanen"})
    assert named.status_code == 422  # a name is no reference: refused before anything is written

    for guardian in (mother, father):
        sent = await decisions.post(f"{path}/dispatches", headers=w, json={
            "method": "letter", "sent_at": sent_at, "recipient": guardian})
        assert sent.status_code == 200, sent.text
    view = (await decisions.get(path, headers=w)).json()
    assert sorted((s["recipient"], s["role"]) for s in view["served"]) == sorted(
        [(mother, "guardian"), (father, "guardian")])

    topic = f"{settings.topic_prefix}avain.decisions.events.v1"

    async def dispatched() -> list[Any] | None:
        found = [r for r in await read_to_end(topic)
                 if r.key == child.encode() and dict(r.headers)["ce_type"].endswith(b"DecisionDispatched")]
        return found if len(found) == 2 else None

    records = await eventually(dispatched, timeout=30)
    for record in records:
        envelope = EventEnvelope.from_kafka(record.headers, record.value)
        assert envelope.schema_version == 2
        assert envelope.data["recipient"]["role"] == "guardian"
        assert (envelope.data["recipient"]["person_id"], envelope.data["recipient"]["link_id"]) in {
            (g, links[g]) for g in (mother, father)}
        assert b"Virtanen" not in record.value and b"Korhonen" not in record.value  # a reference, never a name
