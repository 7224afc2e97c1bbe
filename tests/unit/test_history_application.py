"""The case history's application on the memory store: its timeline listener (every service's records into its
tables, with where they sat on Kafka), the data subject's rights as commands (given the client's history → when a
command → then the rights stream's events, or the refusal, 403/404/409, and nothing recorded), and its views
(the case as of an instant, a restricted case, the access log, the retention report). The rules themselves are
tested in test_history_rights.py and test_history_domain.py; here, that each door reaches them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from contracts.access import DataAccessed
from contracts.budgeting import BudgetDecided, Period
from contracts.followup import CaseClosed
from contracts.history import (
    ClientErased,
    EntryCorrected,
    ErasureApproved,
    ErasureRefused,
    ErasureRequested,
    ErasureRequestWithdrawn,
    LegalHoldLifted,
    LegalHoldPlaced,
    PermanentArchivingDesignated,
    ProcessingRestricted,
    RestrictionLifted,
)
from contracts.intake import CoordinatorAssigned, NeedsAssessed, PreferredLanguageChanged, StaffProfileRecorded
from contracts.marketplace import ProviderVerified
from services.history.application import commands as c
from services.history.application import views
from services.history.application.handlers import HANDLERS, refusal_of, stream_of
from services.history.application.ports import Ports
from services.history.application.queries import ListRetentionDue, ReadAccessLog, ReadCase
from services.history.application.timeline import TIMELINE
from services.history.bootstrap import SPEC
from services.history.domain.retention import CaseRecord
from shared.infra.crypto import ERASED
from shared.infra.eventstore import ConcurrencyError, Position
from shared.kernel.envelope import Actor
from shared.kernel.errors import Forbidden, InvalidCommand, NotFound, RuleViolation
from shared.kernel.events import DomainEvent
from shared.kernel.principal import Principal
from shared.kernel.representation import Mandate
from tests.application import AUDITOR, OTHER_WORKER, WORKER, Harness, covers, published, refused
from tests.history_tables import MemoryTables

SERVICE = "history"
# Erasure is asked by one manager and approved by another: the history's tests need two.
MANAGER = Principal(user_id="manager-helmi", role="manager")
OTHER_MANAGER = Principal(user_id="manager-ilkka", role="manager")
NOW = datetime.now(UTC)
LONG_AGO = NOW - timedelta(days=365 * 12)  # a disability services case closed then is past its 10 years


def client(cid: UUID) -> Principal:
    return Principal(user_id=str(cid), role="client")


@pytest.fixture
def tables() -> MemoryTables:
    return MemoryTables()


@pytest.fixture
def h(tables: MemoryTables) -> Harness:
    return Harness.of(SERVICE, HANDLERS, Ports(tables))


_OFFSETS = iter(range(1, 1_000_000))


async def heard(h: Harness, event: DomainEvent, cid: UUID, *, at: datetime | None = None,
                by: Principal | None = None) -> Any:
    """Another service's record reaches the timeline listener (at its own offset), in the inbox's transaction;
    ``by``: the person who acted (the publishing service by default)."""
    envelope = published(event, cid, time=at)
    if by is not None:
        envelope = envelope.model_copy(update={"actor": Actor(id=by.user_id, role=by.role)}).sealed()
    position = Position(f"avain.{event.event_type.split('.')[2]}.events.v1", 0, next(_OFFSETS))
    async with h.store.transaction() as session:
        if envelope.id in await h.store.claim_inbox(session, TIMELINE.consumer, [envelope]):
            await TIMELINE.effect(h.app, session, envelope, position)
    return envelope


async def decided(h: Harness, cid: UUID, *, on: datetime = NOW) -> Any:
    """A budget decided on ``on``: an administrative decision, so a rectification period runs from it."""
    [reasoning] = await h.keyring.seal(str(cid), "Perustelut")
    return await heard(h, BudgetDecided(
        client_id=cid, decision_number="HB-2026-1", proposal_id=uuid4(), amount_cents=100_000,
        period=Period(start=on.date(), end=on.date() + timedelta(days=364)), breakdown={"recreation": 100_000},
        decided_by="manager-maija", reasoning=reasoning, legal_basis="SHL 1301/2014",
        appeal_instructions="Oikaisuvaatimus 30 päivän kuluessa"), cid, at=on)


async def case_with_history(h: Harness, *, closed: datetime | None = None, decision: datetime | None = None) -> UUID:
    """A client whose case the history holds: coordinated by WORKER, in disability services; decided and closed
    on the given days."""
    cid = uuid4()
    await h.keyring.create(str(cid))
    start = min(d for d in (closed, decision, NOW) if d is not None) - timedelta(days=30)
    await heard(h, CoordinatorAssigned(client_id=cid, worker_id=WORKER.user_id), cid, at=start)
    [summary] = await h.keyring.seal(str(cid), "Tarvitsee tukea arjessa")
    await heard(h, NeedsAssessed(client_id=cid, service_task="disability_services", support_needs=["everyday_life"],
                                 summary=summary), cid, at=start)
    if decision is not None:
        await decided(h, cid, on=decision)
    if closed is not None:
        await heard(h, CaseClosed(client_id=cid, reason="goals_achieved", closed_by=WORKER.user_id), cid, at=closed)
    return cid


async def past_retention(h: Harness) -> UUID:
    return await case_with_history(h, closed=LONG_AGO, decision=LONG_AGO - timedelta(days=100))


async def rights(h: Harness, cid: UUID) -> list[DomainEvent]:
    return await h.recorded(stream_of(cid))


# --- the timeline listener ---------------------------------------------------------------------------------------


async def test_every_record_about_a_client_lands_in_the_timeline_once_with_where_it_sat_on_kafka(
        h: Harness, tables: MemoryTables) -> None:
    cid = await case_with_history(h)
    envelope = await heard(h, CoordinatorAssigned(client_id=cid, worker_id=OTHER_WORKER.user_id), cid)
    async with h.store.transaction() as session:  # the same record again: the inbox lets it through once
        if envelope.id in await h.store.claim_inbox(session, TIMELINE.consumer, [envelope]):
            await TIMELINE.effect(h.app, session, envelope, Position("avain.intake.events.v1", 0, 999))
    assert [e.type.rsplit(".", 1)[-1] for e in await tables.case_events(cid)] == [
        "CoordinatorAssigned", "NeedsAssessed", "CoordinatorAssigned"]
    stored, position = tables.timeline[envelope.id]
    assert stored == envelope and position.topic == "avain.intake.events.v1" and position.offset != 999
    assert tables.cases[cid] == CaseRecord(cid, service_task="disability_services")


async def test_a_closing_and_a_declined_intake_start_the_retention_period_an_erasure_is_noted(
        h: Harness, tables: MemoryTables) -> None:
    cid = await case_with_history(h, closed=LONG_AGO)
    assert tables.cases[cid].closed_on == LONG_AGO.date()
    await heard(h, ClientErased(client_id=cid, basis="retention_period_ended", legal_basis="703/2023"), cid)
    assert tables.cases[cid].erased_at is not None
    assert await tables.closed_cases() == []  # an erased case is no longer due


async def test_reads_go_to_the_access_log_and_records_about_no_client_are_not_kept(
        h: Harness, tables: MemoryTables) -> None:
    cid = uuid4()
    read = await heard(h, DataAccessed(client_id=cid, user_id=WORKER.user_id, role="worker", purpose="care",
                                       service="budgeting", resource="GET /budgets/{client_id}", status=200), cid)
    provider = uuid4()
    await heard(h, ProviderVerified(provider_id=provider, checklist={"registered": True}), provider)
    assert list(tables.access) == [read.id] and tables.timeline == {} and await tables.case_events(cid) == []
    assert TIMELINE.accepts("fi.avain.anything.Published.after.this") and set(TIMELINE.sources) >= {
        "intake", "budgeting", "marketplace", "followup", "history", "decisions", "access"}


async def test_staff_profiles_and_languages_reach_the_historys_copy_of_people_in_the_listeners_session(
        h: Harness, tables: MemoryTables) -> None:
    await heard(h, StaffProfileRecorded(staff_id=WORKER.user_id, name="Aino Virtanen", title="sosiaalityöntekijä",
                                        languages=["sv", "fi"], source="admin"), uuid4())
    cid = await case_with_history(h)
    await heard(h, PreferredLanguageChanged(client_id=cid, preferred_language="en"), cid)
    known = await h.app.deps.people.people([WORKER.user_id])
    assert known[WORKER.user_id].name == "Aino Virtanen" and await h.app.deps.people.language(WORKER.user_id) == "sv"
    assert await h.app.deps.people.language(str(cid)) == "en"  # a client's copy entry: only their language
    # a staff profile is about no client: not in any timeline; the change of language is part of the case
    assert [e.type.rsplit(".", 1)[-1] for e in await tables.case_events(cid)][-1] == "PreferredLanguageChanged"
    assert all(e.type != StaffProfileRecorded.event_type for e, _ in tables.timeline.values())


# --- the case as of any instant ---------------------------------------------------------------------------------


async def test_the_case_as_of_an_instant_for_its_readers_with_texts_opened_on_request(h: Harness) -> None:
    cid = await case_with_history(h, decision=NOW - timedelta(days=3))
    for reader in (AUDITOR, MANAGER, WORKER, client(cid)):
        seen = await views.case(h.app, ReadCase(client_id=cid), reader)
        assert [t["type"] for t in seen["timeline"]] == ["CoordinatorAssigned", "NeedsAssessed", "BudgetDecided"]
        assert seen["state"]["budget"]["status"] == "decided" and seen["client_id"] == str(cid)
    before = await views.case(h.app, ReadCase(client_id=cid, as_of=NOW - timedelta(days=10)), AUDITOR)
    assert [t["type"] for t in before["timeline"]] == ["CoordinatorAssigned", "NeedsAssessed"]
    revealed = await views.case(h.app, ReadCase(client_id=cid, reveal=True), MANAGER)
    assert revealed["timeline"][1]["texts"] == {"summary": "Tarvitsee tukea arjessa"}


async def test_the_timeline_names_each_actor_the_staff_directory_knows(h: Harness) -> None:
    cid = await case_with_history(h)
    await heard(h, StaffProfileRecorded(staff_id=OTHER_WORKER.user_id, name="Eero Laine", source="admin"), uuid4())
    await heard(h, CoordinatorAssigned(client_id=cid, worker_id=OTHER_WORKER.user_id), cid, by=OTHER_WORKER)
    await heard(h, CoordinatorAssigned(client_id=cid, worker_id=WORKER.user_id), cid, by=WORKER)
    actors = [t["actor"] for t in (await views.case(h.app, ReadCase(client_id=cid), AUDITOR))["timeline"]]
    assert actors[-2] == {"id": OTHER_WORKER.user_id, "role": "worker", "name": "Eero Laine"}
    assert actors[-1]["name"] is None and actors[0]["name"] is None  # not in the directory; a service: no name


async def test_the_case_is_refused_to_others_and_unknown_without_history(h: Harness) -> None:
    cid = await case_with_history(h)
    for stranger in (OTHER_WORKER, client(uuid4()), Principal(user_id="p", role="provider", provider_id="x")):
        with pytest.raises(Forbidden):
            await views.case(h.app, ReadCase(client_id=cid), stranger)
    with pytest.raises(NotFound):
        await views.case(h.app, ReadCase(client_id=uuid4()), AUDITOR)


# --- the access log and the retention report ----------------------------------------------------------------------


async def test_the_access_log_for_its_readers_and_each_client_for_their_own(h: Harness) -> None:
    cid = uuid4()
    for n, user in enumerate(("worker-aino", "worker-eero", "worker-aino")):
        await heard(h, DataAccessed(client_id=cid, user_id=user, role="worker", purpose="care", service="intake",
                                    resource="GET /cases/{client_id}", status=200), cid,
                    at=NOW - timedelta(minutes=10 - n))
    entries, total = await views.access(h.app, ReadAccessLog(client_id=cid, limit=2), client(cid))
    assert total == 3 and [e["user_id"] for e in entries] == ["worker-aino", "worker-eero"]  # newest first
    entries, total = await views.access(h.app, ReadAccessLog(user_id="worker-eero"), AUDITOR)
    assert total == 1 and entries[0]["client_id"] == str(cid)
    for refused_reader in (WORKER, client(uuid4())):
        with pytest.raises(Forbidden):
            await views.access(h.app, ReadAccessLog(client_id=cid), refused_reader)
    with pytest.raises(RuleViolation):
        await views.access(h.app, ReadAccessLog(), MANAGER)


async def test_a_representative_reads_who_processed_the_data_of_the_client_they_act_for_and_of_no_one_else(
        h: Harness) -> None:
    cid = uuid4()
    await heard(h, DataAccessed(client_id=cid, user_id="worker-aino", role="worker", purpose="care", service="intake",
                                resource="GET /cases/{client_id}", status=200), cid)
    guardian = Principal(user_id="p-1", role="representative", mandates=(
        Mandate(link_id=uuid4(), client_id=cid, kind="guardian", scope=frozenset({"read"})),))
    entries, total = await views.access(h.app, ReadAccessLog(client_id=cid), guardian)
    assert total == 1 and entries[0]["user_id"] == "worker-aino"
    with pytest.raises(Forbidden):
        await views.access(h.app, ReadAccessLog(client_id=uuid4()), guardian)  # a child they do not represent
    forbidden = guardian.model_copy(update={"mandates": (guardian.mandates[0].model_copy(update={"reads": False}),)})
    with pytest.raises(Forbidden):
        await views.access(h.app, ReadAccessLog(client_id=cid), forbidden)  # the child forbade them their data
    with pytest.raises(Forbidden):
        await views.access(h.app, ReadAccessLog(user_id="worker-aino"), guardian)  # not a reader of the whole log


async def test_the_access_log_names_the_reader_and_says_each_read_in_the_readers_language(h: Harness) -> None:
    cid = uuid4()
    await heard(h, StaffProfileRecorded(staff_id=WORKER.user_id, name="Aino Virtanen", source="identity_provider"), uuid4())
    await heard(h, DataAccessed(client_id=cid, user_id=WORKER.user_id, role="worker", purpose="care",
                                service="intake", resource="GET /cases/{client_id}", status=200), cid,
                at=NOW - timedelta(minutes=2))
    await heard(h, DataAccessed(client_id=cid, user_id=str(cid), role="client", purpose="own_data",
                                service="intake", resource="GET /cases/{client_id}", status=403), cid)
    entries, _ = await views.access(h.app, ReadAccessLog(client_id=cid, language="en"), client(cid))
    assert [e["user_name"] for e in entries] == [None, "Aino Virtanen"]
    assert " You (client) tried to read the data and was refused." in entries[0]["words"]
    assert "Aino Virtanen (coordinating worker) read the data. Purpose: client work." in entries[1]["words"]
    finnish, _ = await views.access(h.app, ReadAccessLog(client_id=cid), AUDITOR)
    assert "Aino Virtanen" in finnish[1]["words"] and "luki tietoja" in finnish[1]["words"]


async def test_the_retention_report_lists_closed_cases_past_their_period(h: Harness) -> None:
    due = await case_with_history(h, closed=LONG_AGO)
    await case_with_history(h, closed=NOW - timedelta(days=40))  # closed, but kept for years yet
    report = await views.retention_due(h.app, ListRetentionDue(), AUDITOR)
    assert [r["client_id"] for r in report] == [str(due)] and report[0]["service_task"] == "disability_services"
    with pytest.raises(Forbidden):
        await views.retention_due(h.app, ListRetentionDue(), WORKER)


# --- erasure: asked by one manager, approved by another -----------------------------------------------------------


@covers(SERVICE, c.RequestErasure, c.ApproveErasure)
async def test_erasure_asked_and_approved_by_two_managers_destroys_the_clients_key(h: Harness) -> None:
    cid = await past_retention(h)
    [summary] = await h.keyring.seal(str(cid), "Sanat")
    [asked] = await h.when(c.RequestErasure(client_id=cid, ground="retention_period_ended",
                                            reference="Dnro 1/2026"), MANAGER)
    assert isinstance(asked, ErasureRequested) and asked.requested_by == MANAGER.user_id
    approved, erased = await h.when(c.ApproveErasure(client_id=cid, request_id=asked.request_id), OTHER_MANAGER)
    assert isinstance(approved, ErasureApproved) and isinstance(erased, ClientErased)
    assert erased.basis == "retention_period_ended"
    assert await h.open(cid, summary) == [ERASED]


async def test_an_erasure_the_law_refuses_is_recorded_with_its_reasons_and_answered_409(h: Harness) -> None:
    cid = await case_with_history(h, decision=NOW - timedelta(days=3))
    done = await h.run(c.RequestErasure(client_id=cid, ground=None, reference="Dnro 1/2026"), MANAGER)
    [refusal] = h.decoded(done.new_events)
    assert isinstance(refusal, ErasureRefused)
    assert {r.code for r in refusal.reasons} == {"no_legal_ground", "rectification_period_open"}
    with pytest.raises(RuleViolation) as answer:
        refusal_of(done)
    assert answer.value.code == "erasure-refused" and answer.value.params["refusal_event_id"] == str(
        done.new_events[0].id)


async def test_the_manager_who_asked_cannot_approve_and_the_refusal_is_recorded(h: Harness) -> None:
    cid = await past_retention(h)
    [asked] = await h.when(c.RequestErasure(client_id=cid, ground="retention_period_ended", reference="D 1"), MANAGER)
    [refusal] = await h.when(c.ApproveErasure(client_id=cid, request_id=asked.request_id), MANAGER)
    assert isinstance(refusal, ErasureRefused) and [r.code for r in refusal.reasons] == ["same_person"]
    with pytest.raises(NotFound):
        await h.when(c.ApproveErasure(client_id=cid, request_id=uuid4()), OTHER_MANAGER)


async def test_a_key_vault_outage_at_approval_records_nothing_and_the_request_stays_pending(
        h: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    cid = await past_retention(h)
    [summary] = await h.keyring.seal(str(cid), "Sanat")
    [asked] = await h.when(c.RequestErasure(client_id=cid, ground="retention_period_ended", reference="D 1"), MANAGER)

    async def away(*_: Any) -> None:
        raise ConnectionRefusedError("key vault")

    monkeypatch.setattr(h.keyring, "destroy", away)
    with pytest.raises(ConnectionRefusedError):
        await h.when(c.ApproveErasure(client_id=cid, request_id=asked.request_id), OTHER_MANAGER)
    assert await rights(h, cid) == [asked] and await h.open(cid, summary) == ["Sanat"]
    monkeypatch.undo()
    assert len(await h.when(c.ApproveErasure(client_id=cid, request_id=asked.request_id), OTHER_MANAGER)) == 2


@covers(SERVICE, c.WithdrawErasure)
async def test_a_request_is_withdrawn_or_turned_down(h: Harness) -> None:
    cid = await past_retention(h)
    [asked] = await h.when(c.RequestErasure(client_id=cid, ground="retention_period_ended", reference="D 1"), MANAGER)
    [withdrawn] = await h.when(c.WithdrawErasure(client_id=cid, request_id=asked.request_id), OTHER_MANAGER)
    assert withdrawn == ErasureRequestWithdrawn(client_id=cid, request_id=asked.request_id)
    with pytest.raises(NotFound):  # nothing waits any more
        await h.when(c.WithdrawErasure(client_id=cid, request_id=asked.request_id), OTHER_MANAGER)


# --- holds, archiving, restriction, correction ------------------------------------------------------------------


@covers(SERVICE, c.PlaceHold, c.LiftHold)
async def test_a_legal_hold_stops_erasure_until_it_is_lifted(h: Harness) -> None:
    cid = await past_retention(h)
    [hold] = await h.when(c.PlaceHold(client_id=cid, kind="court_appeal", reference="HAO 12/2026"), MANAGER)
    assert isinstance(hold, LegalHoldPlaced) and hold.kind == "court_appeal"
    [refusal] = await h.when(c.RequestErasure(client_id=cid, ground="processing_unlawful", reference="D 2"), MANAGER)
    assert isinstance(refusal, ErasureRefused) and [r.code for r in refusal.reasons] == ["legal_hold"]
    assert await h.when(c.LiftHold(client_id=cid, hold_id=hold.hold_id), MANAGER) == [
        LegalHoldLifted(client_id=cid, hold_id=hold.hold_id)]
    with pytest.raises(NotFound):
        await h.when(c.LiftHold(client_id=cid, hold_id=hold.hold_id), MANAGER)


@covers(SERVICE, c.DesignateForArchiving)
async def test_documents_designated_for_permanent_archiving_are_never_erased(h: Harness) -> None:
    cid = await past_retention(h)
    [designated] = await h.when(c.DesignateForArchiving(client_id=cid, reference="AMS 2026"), MANAGER)
    assert isinstance(designated, PermanentArchivingDesignated)
    assert await h.when(c.DesignateForArchiving(client_id=cid, reference="AMS 2026"), MANAGER) == []  # once
    [refusal] = await h.when(c.RequestErasure(client_id=cid, ground="order_of_court_or_authority",
                                              reference="D 3"), MANAGER)
    assert isinstance(refusal, ErasureRefused) and [r.code for r in refusal.reasons] == ["permanent_archiving"]


@covers(SERVICE, c.RestrictProcessing, c.LiftRestriction)
async def test_a_restricted_case_is_read_only_for_its_purpose_but_always_by_the_client(h: Harness) -> None:
    cid = await case_with_history(h)
    [restricted] = await h.when(c.RestrictProcessing(client_id=cid, ground="accuracy_contested", purpose="decision",
                                                     reference="Dnro 5/2026"), MANAGER)
    assert isinstance(restricted, ProcessingRestricted)
    with pytest.raises(Forbidden) as refused_read:
        await views.case(h.app, ReadCase(client_id=cid, purpose="audit"), AUDITOR)
    assert refused_read.value.code == "processing-restricted" and refused_read.value.params["purpose"] == "decision"
    assert (await views.case(h.app, ReadCase(client_id=cid, purpose="decision"), AUDITOR))["client_id"] == str(cid)
    assert (await views.case(h.app, ReadCase(client_id=cid, purpose="own_data"), client(cid)))["timeline"]
    with pytest.raises(RuleViolation):
        await h.when(c.RestrictProcessing(client_id=cid, ground="objection_pending", purpose="care", reference="x"),
                     MANAGER)
    assert await h.when(c.LiftRestriction(client_id=cid), MANAGER) == [RestrictionLifted(client_id=cid)]
    assert (await views.case(h.app, ReadCase(client_id=cid, purpose="audit"), AUDITOR))["client_id"] == str(cid)


@covers(SERVICE, c.CorrectEntry)
async def test_a_worker_corrects_an_entry_with_the_text_sealed_and_no_entry_is_refused(h: Harness) -> None:
    cid = await case_with_history(h)
    [entry, *_] = await h.app.deps.tables.case_events(cid)
    [corrected] = await h.when(c.CorrectEntry(client_id=cid, entry_event_id=entry.id, reason="inaccurate",
                                              correction="Oikea tieto", explanation="Puhelu"), WORKER)
    assert isinstance(corrected, EntryCorrected) and corrected.entry_event_id == entry.id
    assert await h.open(cid, corrected.correction, corrected.explanation) == ["Oikea tieto", "Puhelu"]
    before = len(await rights(h, cid))
    with pytest.raises(InvalidCommand):
        await h.when(c.CorrectEntry(client_id=cid, entry_event_id=uuid4(), reason="incomplete", correction="x"),
                     MANAGER)
    assert len(await rights(h, cid)) == before


async def test_an_erased_clients_rights_change_no_more(h: Harness) -> None:
    cid = await past_retention(h)
    [asked] = await h.when(c.RequestErasure(client_id=cid, ground="retention_period_ended", reference="D 1"), MANAGER)
    await h.when(c.ApproveErasure(client_id=cid, request_id=asked.request_id), OTHER_MANAGER)
    with pytest.raises(RuleViolation):
        await h.when(c.PlaceHold(client_id=cid, kind="claim", reference="x"), MANAGER)


# --- refusals: who may (403, before anything is read), whose history (404), which version (409) -------------------

A_REQUEST = UUID(int=7)
EVERY_COMMAND = [
    c.RequestErasure(client_id=UUID(int=1), ground="retention_period_ended", reference="D 1"),
    c.ApproveErasure(client_id=UUID(int=1), request_id=A_REQUEST),
    c.WithdrawErasure(client_id=UUID(int=1), request_id=A_REQUEST),
    c.PlaceHold(client_id=UUID(int=1), kind="claim", reference="x"),
    c.LiftHold(client_id=UUID(int=1), hold_id=A_REQUEST),
    c.DesignateForArchiving(client_id=UUID(int=1), reference="x"),
    c.RestrictProcessing(client_id=UUID(int=1), ground="objection_pending", purpose="care", reference="x"),
    c.LiftRestriction(client_id=UUID(int=1)),
    c.CorrectEntry(client_id=UUID(int=1), entry_event_id=A_REQUEST, reason="inaccurate", correction="x"),
]


def _about(command: c.RightsCommand, cid: UUID) -> c.RightsCommand:
    return command.model_copy(update={"client_id": cid})


@covers(SERVICE, *(refused(Forbidden, type(command)) for command in EVERY_COMMAND))
@pytest.mark.parametrize("command", EVERY_COMMAND, ids=lambda cmd: type(cmd).__name__)
async def test_only_managers_manage_rights_and_workers_only_correct(h: Harness, command: c.RightsCommand) -> None:
    cid = await case_with_history(h)
    refused_roles = [AUDITOR, client(cid), Principal(user_id="p", role="provider", provider_id="x")]
    if not isinstance(command, c.CorrectEntry):
        refused_roles.append(WORKER)
    for principal in refused_roles:
        with pytest.raises(Forbidden):
            await h.when(_about(command, cid), principal)
    assert await rights(h, cid) == []


@covers(SERVICE, *(refused(NotFound, type(command)) for command in EVERY_COMMAND))
@pytest.mark.parametrize("command", EVERY_COMMAND, ids=lambda cmd: type(cmd).__name__)
async def test_a_client_without_history_is_unknown(h: Harness, command: c.RightsCommand) -> None:
    cid = uuid4()
    with pytest.raises(NotFound):
        await h.when(_about(command, cid), MANAGER)
    assert await rights(h, cid) == []


@covers(SERVICE, refused(ConcurrencyError, c.PlaceHold))
async def test_a_command_on_a_stale_version_of_the_rights_is_refused(h: Harness) -> None:
    cid = await case_with_history(h)
    await h.when(c.PlaceHold(client_id=cid, kind="claim", reference="x", expected_version=0), MANAGER)
    with pytest.raises(ConcurrencyError):
        await h.when(c.PlaceHold(client_id=cid, kind="complaint", reference="y", expected_version=0), MANAGER)
    assert len(await rights(h, cid)) == 1


def test_the_spec_declares_every_command_and_the_one_listener() -> None:
    # The copy's commands are the data subject's own, not a manager's: test_history_copy_application.py.
    assert set(SPEC.handlers) == {type(command) for command in EVERY_COMMAND} | {c.RequestCopy, c.DeliverCopy}
    assert list(SPEC.listeners) == [TIMELINE] and SPEC.reactions is None
    assert date.today() >= LONG_AGO.date()
