"""The client's own copy (GDPR art. 15, issue 18) on the real stack: a representative asks for it for the client and
the client asks for one in Swedish; the coordinating worker sees both pending with their due day; the copy holds
every decision of the client's case (as the register has them) and the letter served, the plan in the client's words,
the timeline and the access log, each part naming its source event's id and hash as the log on Kafka holds them;
it validates against its published schema; the PDF is PDF/A-3a and PDF/UA-1 by veraPDF, in Swedish. And the
canary: no representative's hetu, name, address, phone or id, and nothing of another client, anywhere in it."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import jsonschema
import pytest
from pypdf import PdfReader

from services.history.replay import read_log, rebuild
from shared.i18n import catalogue
from shared.kernel.identifiers import make_hetu
from tests.integration.test_history import AUDITOR
from tests.journeys import GOAL, OTHER_WORKER, WORKER, decided_budget
from tests.letters import verapdf
from tests.support import eventually

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
NBSP = "\u00a0"
REPRESENTATIVE = {"hetu": make_hetu(date(1961, 4, 12), 377), "first_name": "Kanerva", "last_name": "Kanarialintu",
                  "address": "Kanarialinnuntie 9 B 17, 33100 Tampere", "phone": "+358409871234",
                  "email": "kanerva.kanarialintu@example.fi", "preferred_language": "fi"}
BASIS = "Valtakirja Kanarialintu FI4950009420028730"
OTHER_HETU = make_hetu(date(1979, 8, 23), 818)


async def represented(intake: Any, tokens: Any, cid: str) -> str:
    """A person authorised by the client to read and make requests for them; their details are the canary."""
    w = tokens(*WORKER)
    r = await intake.post("/representatives", headers=w, json=REPRESENTATIVE)
    assert r.status_code in (200, 201), r.text
    person = str(r.json()["person_id"])
    r = await intake.post(f"/clients/{cid}/representatives", headers=w, json={
        "representative_id": person, "kind": "authorised", "scope": ["read", "requests"], "basis": BASIS})
    assert r.status_code == 200, r.text
    return person


async def served_letter(decisions: Any, tokens: Any, cid: str) -> dict[str, Any]:
    w = tokens(*WORKER)

    async def registered() -> Any:
        return (await decisions.get(f"/clients/{cid}/decisions", headers=w)).json()

    [row] = await eventually(registered, timeout=30)
    path = f"/clients/{cid}/decisions/{row['decision_id']}"
    sent = await decisions.post(f"{path}/dispatches", headers=w, json={"method": "letter",
                                                                       "sent_at": datetime.now(UTC).isoformat()})
    assert sent.status_code == 200, sent.text

    async def letters() -> Any:
        return (await decisions.get(f"{path}/letters", headers=tokens(cid, "client"))).json()

    [letter] = await eventually(letters, timeout=60)
    return {"decision_number": row["decision_number"], **letter}


def canaries(other: str, other_number: str, person: str) -> list[str]:
    return [REPRESENTATIVE["hetu"], "Kanerva", "Kanarialintu", "Kanarialinnuntie", "+358409871234", "kanerva.",
            "FI4950009420028730", person, other, OTHER_HETU, other_number]


async def test_the_clients_own_copy_holds_every_decision_and_nothing_of_anyone_else(
        intake, budgeting, decisions, history, tokens, settings, tmp_path):
    cid = await decided_budget(intake, budgeting, tokens, 300_000)
    other = await decided_budget(intake, budgeting, tokens, 120_000, hetu=OTHER_HETU)
    person = await represented(intake, tokens, cid)
    letter = await served_letter(decisions, tokens, cid)
    other_number = (await served_letter(decisions, tokens, other))["decision_number"]
    register = (await decisions.get(f"/clients/{cid}/decisions", headers=tokens(*WORKER))).json()

    async def letter_in_history() -> Any:
        r = await history.get(f"/history/clients/{cid}", headers=tokens("auditor-otso", "auditor") | AUDITOR)
        return r.status_code == 200 and any(t["type"] == "LetterIssued" for t in r.json()["timeline"])

    await eventually(letter_in_history, timeout=60)
    base = f"/history/clients/{cid}/copy-requests"

    async def asked_by_representative() -> Any:  # once the history's projection holds the mandate
        r = await history.post(base, headers=tokens(person, "representative"))
        return r if r.status_code == 201 else None

    by_representative = (await eventually(asked_by_representative, timeout=30)).json()
    by_client = await history.post(base, headers=tokens(cid, "client"), json={"language": "sv"})
    assert by_client.status_code == 201, by_client.text
    assert (await history.post(base, headers=tokens(other, "client"))).status_code == 403
    assert (await history.post(base, headers=tokens(*WORKER))).status_code == 403

    pending = await history.get(base, headers=tokens(*WORKER))  # the coordinating worker: pending, due in a month
    assert pending.status_code == 200, pending.text
    assert [(r["requested_by"], r["status"], r["language"]) for r in pending.json()] == [
        ("representative", "pending", "fi"), ("client", "pending", "sv")]
    assert pending.json()[0]["due_on"] == by_representative["due_on"]
    assert (await history.get(base, headers=tokens(*OTHER_WORKER))).status_code == 403

    rid = by_representative["request_id"]
    assert (await history.get(f"{base}/{rid}/copy", headers=tokens(*WORKER))).status_code == 403
    assert (await history.get(f"{base}/{rid}/copy", headers=tokens(other, "client"))).status_code == 403
    got = await history.get(f"{base}/{rid}/copy", headers=tokens(person, "representative"))
    assert got.status_code == 200, got.text
    copy = got.json()

    schema = json.loads((ROOT / "contracts" / "documents" / "ClientCopy.v1.json").read_text())
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(copy)
    assert sorted(d["decision_number"] for d in copy["decisions"]) == sorted(r["decision_number"] for r in register)
    [decided] = copy["decisions"]
    assert (decided["amount_cents"], decided["reasoning"], decided["kind"]) == (
        300_000, "Kustannusneutraali budjetti", "budget")
    assert [(x["decision_number"], x["content_hash"]) for x in copy["letters"]] == [
        (letter["decision_number"], letter["content_hash"])]
    assert {"goal": GOAL["title"]}.items() <= {w["what"]: w["text"] for w in copy["plan"]}.items()
    assert any(a["who"]["role"] == "worker" for a in copy["access_log"])
    own = make_hetu(date(1985, 3, 14), 234)  # the client's own (tests/journeys.py): theirs to see
    assert [(p["hetu"], p["last_name"]) for p in copy["personal"]] == [(own, "Meikäläinen")]
    text = json.dumps(copy, ensure_ascii=False)
    assert [c for c in canaries(other, other_number, person) if c in text] == []

    # Checked against the log: every part's source is an event of this client's case on Kafka, with its hash.
    replay = rebuild(await read_log(settings))
    on_log = {(str(e.id), e.hash) for e in replay.by_client[UUID(cid)]}
    sources = [p["source"] for part in ("decisions", "letters", "dispatches", "plan", "timeline") for p in copy[part]]
    assert sources and {(s["event_id"], s["hash"]) for s in sources} <= on_log
    assert len(copy["timeline"]) <= len(on_log)

    status = (await history.get(f"{base}/{rid}", headers=tokens(*WORKER))).json()
    assert status["status"] == "delivered" and status["delivered_on"] is not None
    again = await history.get(f"{base}/{rid}/copy", headers=tokens(cid, "client"))
    assert again.json() == copy  # the case as of the request: the same copy on every download

    # The client's own request, in Swedish, as PDF/A: the decision, its amount, the letter's hash; no canary.
    pdf = await history.get(f"{base}/{by_client.json()['request_id']}/copy.pdf", headers=tokens(cid, "client"))
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-language"] == "sv"
    words = " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
                     .replace(NBSP, " ").split())
    t = catalogue().translator("history", "sv")
    assert t("copy.title") in words and decided["decision_number"] in words
    assert t.money(300_000).replace(NBSP, " ") in words and GOAL["title"] in words and own in words
    assert [c for c in canaries(other, other_number, person) if c in words] == []
    served = tmp_path / "copy-sv.pdf"
    served.write_bytes(pdf.content)
    for flavour in ("3a", "ua1"):
        assert verapdf([served], flavour) == {"copy-sv.pdf": "PASS"}, flavour

    async def asked_and_delivered_in_the_history() -> Any:
        r = await history.get(f"/history/clients/{cid}", headers=tokens("auditor-otso", "auditor") | AUDITOR)
        kinds = [t["type"] for t in r.json()["timeline"]]
        requests = r.json()["state"]["rights"]["copy_requests"]
        return kinds.count("CopyRequested") == 2 and kinds.count("CopyDelivered") == 2 and all(
            v["delivered_on"] for v in requests.values())

    await eventually(asked_and_delivered_in_the_history, timeout=30)

    async def request_logged() -> Any:
        r = await history.get("/history/access", params={"client_id": cid}, headers=tokens(cid, "client"))
        return {(e["role"], e["resource"]) for e in r.json()} >= {
            ("representative", "POST /history/clients/{client_id}/copy-requests"),
            ("client", "GET /history/clients/{client_id}/copy-requests/{request_id}/copy.pdf")}

    assert await eventually(request_logged, timeout=30)
