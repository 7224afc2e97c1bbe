"""The client's own copy (GDPR art. 15), its pure parts: the due day one month later on a working day, the request
and its delivery on the rights stream, a pending request stopping erasure, and what the copy opens and leaves out
(art. 15(4): a representative's name, a link's basis, a worker's notes are never opened; people other than the
county's staff are never named nor identified)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import jsonschema
import pytest

from contracts import client_copy
from contracts.history import CopyDelivered, CopyRequested
from services.history.application.copy import OWN_WORDS, assemble, content_hash, staff_ids, to_open
from services.history.application.views import access_in_words
from services.history.domain import rights
from shared.i18n import catalogue
from shared.kernel.envelope import Actor, EventEnvelope
from shared.kernel.errors import NotFound, RuleViolation

CID = uuid4()
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("asked", "due"), [
    (date(2026, 11, 30), date(2026, 12, 30)),  # a Wednesday
    (date(2026, 1, 31), date(2026, 3, 2)),  # no 31 February: its last day, the 28th, a Saturday: Monday 2 March
    (date(2028, 1, 31), date(2028, 2, 29)),  # a leap year's last day of February (a Tuesday)
    (date(2026, 11, 6), date(2026, 12, 7)),  # 6 December, Independence Day, is a Sunday anyway: Monday
    (date(2027, 11, 24), date(2027, 12, 27)),  # Christmas Eve Friday, Christmas, Sunday, St Stephen's: Monday the 27th
    (date(2026, 12, 15), date(2027, 1, 15)),  # over the year's end
])
def test_a_copy_is_due_one_month_later_on_a_working_day(asked: date, due: date) -> None:
    assert rights.copy_due_on(asked) == due


def _request(state: rights.Rights = rights.INITIAL, by: str = "client") -> CopyRequested:
    now = datetime(2026, 11, 30, 10, tzinfo=UTC)
    [asked] = rights.decide(rights.RequestCopy(CID, uuid4(), by, now, now.date(), "sv"), state)  # type: ignore[arg-type]
    assert isinstance(asked, CopyRequested)
    return asked


def test_a_request_is_recorded_with_its_due_day_pending_until_delivered_once() -> None:
    asked = _request(by="representative")
    assert (asked.requested_by, asked.requested_on, asked.due_on, asked.language) == (
        "representative", date(2026, 11, 30), date(2026, 12, 30), "sv")
    state = rights.evolve(rights.INITIAL, asked)
    assert [r.request_id for r in state.copies_pending] == [asked.request_id]

    deliver = rights.DeliverCopy(CID, asked.request_id, date(2027, 1, 4), "ab" * 32, 12)
    [delivered] = rights.decide(deliver, state)
    assert isinstance(delivered, CopyDelivered) and delivered.late is True  # after the 30th of December
    state = rights.evolve(state, delivered)
    assert state.copies_pending == [] and state.copies[asked.request_id].delivered_on == date(2027, 1, 4)
    assert rights.decide(deliver, state) == []  # a second download is a read, not a second delivery
    with pytest.raises(NotFound):
        rights.decide(rights.DeliverCopy(CID, uuid4(), date(2027, 1, 4), "ab" * 32, 1), state)


def test_a_pending_copy_stops_erasure_and_an_erased_client_gets_none() -> None:
    long_closed = rights.CaseFacts(closed_on=date(1990, 3, 1), service_task="families_with_children")
    state = rights.evolve(rights.INITIAL, _request())
    refusals = rights.may_erase(long_closed, state, "retention_period_ended", date(2026, 11, 30), {},
                                requested_by="manager-helmi")
    assert [r.code for r in refusals] == ["request_pending"]
    assert rights.may_erase(long_closed, rights.INITIAL, "retention_period_ended", date(2026, 11, 30), {},
                            requested_by="manager-helmi") == ()
    with pytest.raises(RuleViolation):
        _request(rights.Rights(erased=True))


# --- what a copy holds ----------------------------------------------------------------------------------------

CANARY = "Kanarialintu Edustaja 010101-999X FI2112345600000785"
SEALED = {"kid": "k1", "nonce": "bm9uY2U=", "ct": "Y3Q="}


def envelope(type_: str, data: dict[str, object], *, role: str = "worker", actor: str = "worker-aino",
             minutes: int = 0) -> EventEnvelope:
    service = type_.split(".")[2]
    return EventEnvelope(
        id=uuid4(), source=f"/avain/{service}", type=type_, schema_version=1,
        time=datetime(2026, 11, 1, 9, tzinfo=UTC) + timedelta(minutes=minutes), subject=str(CID),
        stream_id=f"{service}-{CID}", stream_version=minutes + 2, correlation_id=str(uuid4()),
        actor=Actor(id=actor, role=role), data={"client_id": str(CID), **data}).sealed()  # type: ignore[arg-type]


REPRESENTATIVE = str(uuid4())
EVENTS = [
    envelope("fi.avain.intake.ClientRegistered", {"personal_data": SEALED, "municipality": "Tampere",
                                                  "preferred_language": "fi"}, minutes=-1),
    envelope("fi.avain.intake.RepresentationStarted", {
        "link_id": str(uuid4()), "representative_id": REPRESENTATIVE, "kind": "authorised", "scope": ["read"],
        "starts_on": "2026-11-01", "confirmed": True, "source": "worker", "basis": SEALED,
        "representative_name": SEALED}),
    envelope("fi.avain.budgeting.GoalSet", {"goal_id": str(uuid4()), "title": SEALED, "baseline_level": -1}, minutes=1),
    envelope("fi.avain.followup.CheckInRecorded", {"client_account": SEALED, "worker_notes": SEALED}, minutes=2),
    envelope("fi.avain.budgeting.DecisionRecorded", {
        "decision_id": str(uuid4()), "decision_number": "HB-2026-000042", "kind": "budget", "decided_on": "2026-11-01",
        "decided_by": "manager-helmi", "amount_cents": 1_190_000, "reasoning": SEALED, "legal_bases": [
            {"act": "675/2023", "section": "9"}], "language": "fi"}, minutes=3),
    envelope("fi.avain.decisions.DecisionDispatched", {
        "decision_id": str(uuid4()), "recipient": REPRESENTATIVE, "method": "letter", "sent_on": "2026-11-02",
        "deadline": "2026-12-09"}, role="system", actor="decisions", minutes=4),
    envelope("fi.avain.marketplace.OrderPlaced", {"order_id": str(uuid4()), "amount_cents": 9_000},
             role="representative", actor=REPRESENTATIVE, minutes=5),
]


def test_only_the_clients_own_words_and_the_reasoning_are_opened() -> None:
    wanted = {(e.type.rsplit(".", 1)[-1], field) for e in EVENTS for event_id, field, _ in to_open(EVENTS)
              if event_id == str(e.id)}
    assert wanted == {("GoalSet", "title"), ("CheckInRecorded", "client_account"), ("DecisionRecorded", "reasoning"),
                      ("ClientRegistered", "personal_data")}
    assert "RepresentationStarted" not in OWN_WORDS  # the representative's name and the basis stay sealed
    assert REPRESENTATIVE not in staff_ids(EVENTS, [{"user_id": REPRESENTATIVE, "role": "representative"}])


def test_the_copy_names_staff_by_name_and_anyone_else_only_by_role_and_validates_against_its_schema() -> None:
    request = rights.evolve(rights.INITIAL, _request()).copies_pending[0]
    opened: dict[tuple[str, str], str | None] = {(event_id, field): f"omin sanoin {field}"
                                                 for event_id, field, _ in to_open(EVENTS)}
    # The client's own details, as intake sealed them; a key the copy does not know is not copied.
    opened[(str(EVENTS[0].id), "personal_data")] = json.dumps({
        "hetu": "140385-234K", "first_name": "Maija", "last_name": "Meikäläinen", "phone": None,
        "spouse": CANARY})
    reads = [{"event_id": str(uuid4()), "event_hash": "c" * 64, "user_id": REPRESENTATIVE, "role": "representative",
              "purpose": "representation", "service": "budgeting", "status": 200,
              "accessed_at": "2026-11-20T10:00:00+00:00"},
             {"event_id": str(uuid4()), "event_hash": None, "user_id": "worker-aino", "role": "worker",
              "purpose": "care", "service": "history", "status": 200, "accessed_at": "2026-12-20T10:00:00+00:00"}]
    names = {"worker-aino": "Aino Virtanen", "manager-helmi": "Helmi Hakala", REPRESENTATIVE: CANARY}
    t = catalogue().translator("history", "sv")
    copy = assemble(t, str(CID), request, EVENTS, reads, opened, names, access_in_words)

    text = copy.model_dump_json()
    assert CANARY not in text and REPRESENTATIVE not in text  # no third party's name, hetu, IBAN or id
    [mine] = copy.personal
    assert (mine.hetu, mine.first_name, mine.last_name, mine.phone) == ("140385-234K", "Maija", "Meikäläinen", None)
    [decision] = copy.decisions
    assert (decision.decision_number, decision.amount_cents, decision.reasoning, decision.decided_by) == (
        "HB-2026-000042", 1_190_000, "omin sanoin reasoning", "Helmi Hakala")
    assert decision.legal_bases == ["675/2023 9 §"]
    assert [d.to for d in copy.dispatches] == ["representative"]
    assert {(w.what, w.text) for w in copy.plan} == {("goal", "omin sanoin title"),
                                                    ("check_in", "omin sanoin client_account")}
    assert [e.who.name for e in copy.timeline][4:6] == ["Aino Virtanen", None]  # the decisions service: no name
    assert copy.timeline[-1].who.role == "representative" and copy.timeline[-1].who.name is None
    assert [a.who.role for a in copy.access_log] == ["representative"]  # reads after the request are not in it
    assert copy.access_log[0].said.startswith(t.datetime("2026-11-20T10:00:00+00:00"))
    assert all(e.source.hash == src.hash for e, src in zip(copy.timeline, EVENTS, strict=True))
    assert copy.sources == len(EVENTS) + 1 and len(content_hash(copy)) == 64

    schema = json.loads((ROOT / "contracts" / "documents" / "ClientCopy.v1.json").read_text())
    assert schema == client_copy.schema()  # the published schema is the model's
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(
        copy.model_dump(mode="json"))
    with pytest.raises(jsonschema.ValidationError):  # and it can fail: a part without its source
        broken = copy.model_dump(mode="json")
        del broken["timeline"][0]["source"]
        jsonschema.Draft202012Validator(schema).validate(broken)


def test_a_dispatch_recorded_by_reference_names_whom_it_served_by_role() -> None:
    # DecisionDispatched v2 names the recipient as {role, person_id, link_id}; v1 as 'client' or a person id.
    from services.history.application.copy import _to

    assert _to({"role": "client", "person_id": None, "link_id": None}) == "client"
    assert _to({"role": "representative", "person_id": REPRESENTATIVE, "link_id": str(uuid4())}) == "representative"
    assert (_to("client"), _to(REPRESENTATIVE)) == ("client", "representative")
