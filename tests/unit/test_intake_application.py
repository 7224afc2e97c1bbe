"""Intake's application on the memory store: given events → when a command → then events, or the refusal
(404, 403, 409, 422) and nothing recorded; registration's hetu lookup and its race; the erasure listener.
The rules themselves are tested in test_intake_domain.py and the role table in test_intake_policy.py."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import UUID, uuid4

import pytest

from contracts.history import ClientErased
from contracts.intake import (
    ClientRegistered,
    ConsentGiven,
    ConsentWithdrawn,
    CoordinatorAssigned,
    DecisionRecorded,
    IntakeCompleted,
    IntakeDeclined,
    NeedsAssessed,
    PreferredLanguageChanged,
    SelfAssessmentRecorded,
    SelfAssessmentScores,
    ServiceTask,
    StaffProfileRecorded,
)
from services.intake.application import commands as c
from services.intake.application import views
from services.intake.application.handlers import HANDLERS, Ports, Registration
from services.intake.application.queries import ListCases, ListStaff, ReadCase, ReadStaff
from services.intake.bootstrap import SPEC
from shared.infra.eventstore import ConcurrencyError, Session
from shared.infra.people import MemoryPeople, Person
from shared.kernel.errors import Forbidden, InvalidCommand, NotFound
from shared.kernel.identifiers import make_hetu
from shared.kernel.principal import Principal
from tests.application import AUDITOR, MANAGER, OTHER_WORKER, PROVIDER, WORKER, Harness, covers, refused

SERVICE = "intake"
SCORES = SelfAssessmentScores(general_ability=5, mental_wellbeing=4, social_participation=3, physical_functioning=7,
                              competence=6, everyday_life=4)


def client(cid: UUID) -> Principal:
    return Principal(user_id=str(cid), role="client")


class Lookup:
    """The hetu lookup table in memory; ``both_looked`` (when set) holds each lookup until two were made."""

    def __init__(self, both_looked: asyncio.Barrier | None = None) -> None:
        self.bound: dict[str, UUID] = {}
        self.asked: list[dict[str, Any]] = []
        self._both_looked = both_looked

    async def find(self, hetu_hash: str) -> UUID | None:
        found = self.bound.get(hetu_hash)
        if self._both_looked is not None:
            await self._both_looked.wait()
        return found

    async def claim(self, _: Session, hetu_hash: str, client_id: UUID) -> UUID:
        return self.bound.setdefault(hetu_hash, client_id)  # the first claim stands (PostgreSQL: the primary key)

    async def forget(self, _: Session, client_id: UUID) -> None:
        self.bound = {h: cid for h, cid in self.bound.items() if cid != client_id}

    async def list_cases(self, **filters: Any) -> list[dict[str, Any]]:
        self.asked.append(filters)
        return []


AINO = Person("worker-aino", "Aino Virtanen", "sosiaalityöntekijä", "Porin aikuissosiaalityö", "aino.virtanen@hyvaks.fi",
              "+358 44 123 4567", ("fi", "sv"))


def harness(lookup: Lookup | None = None) -> tuple[Harness, Lookup]:
    lookup = lookup or Lookup()
    ports = Ports(b"pepper", lookup.find, lookup.claim, lookup.forget, lookup.list_cases, people=MemoryPeople(AINO))
    return Harness.of(SERVICE, HANDLERS, ports), lookup


@pytest.fixture
def h() -> Harness:
    return harness()[0]


def registration(hetu: str | None = None) -> c.RegisterClient:
    return c.RegisterClient(hetu=hetu or make_hetu(date(1980, 5, 17), 123), first_name="Testi",
                            last_name="Henkilö", phone="040 123 4567", email=None, address=None,
                            municipality="Pori", preferred_language="fi")


async def register(h: Harness, hetu: str | None = None) -> Registration:
    done: Registration = await h.run(registration(hetu), WORKER)
    return done


async def consented(h: Harness, coordinator: Principal | None = None) -> UUID:
    cid = (await register(h)).client_id
    await h.when(c.GiveConsent(client_id=cid, given_by="client"), client(cid))
    if coordinator is not None:
        await h.when(c.AssignCoordinator(client_id=cid, worker_id=coordinator.user_id), coordinator)
    return cid


# --- registration ---------------------------------------------------------------------------------------------

@covers(SERVICE, c.RegisterClient, c.OpenCase)
async def test_a_worker_registers_a_client_with_the_personal_data_sealed_and_the_same_hetu_finds_them_again(
        h: Harness) -> None:
    first = await register(h)
    assert first.created and first.version == 1
    [registered] = await h.recorded(str(first.client_id))
    assert isinstance(registered, ClientRegistered) and registered.municipality == "Pori"
    [person] = await h.open(first.client_id, registered.personal_data)
    assert json.loads(person or "") == {"hetu": make_hetu(date(1980, 5, 17), 123), "first_name": "Testi",
                                        "last_name": "Henkilö", "phone": "040 123 4567", "email": None,
                                        "address": None}
    again = await register(h)
    assert again == Registration(first.client_id, False, 1)


@covers(SERVICE, refused(Forbidden, c.RegisterClient), refused(InvalidCommand, c.RegisterClient))
async def test_only_a_worker_registers_and_an_invalid_hetu_is_refused_for_its_field(h: Harness) -> None:
    for who in (MANAGER, AUDITOR, PROVIDER, client(uuid4())):
        with pytest.raises(Forbidden):
            await h.run(registration(), who)
    with pytest.raises(InvalidCommand) as refusal:
        await h.run(registration("311399-123A"), WORKER)
    assert refusal.value.field == "hetu" and "311399" not in str(refusal.value)  # never echoes the hetu
    assert refusal.value.code == "invalid-hetu"  # its own code: the console says it is the hetu, no other 422
    assert await h.store.unpublished() == []


@covers(SERVICE, c.RegisterClient)
async def test_two_registrations_of_one_person_at_once_yield_one_client_and_the_losers_key_is_destroyed() -> None:
    h, _ = harness(Lookup(asyncio.Barrier(2)))
    one, two = await asyncio.gather(register(h), register(h))
    assert one.client_id == two.client_id and sorted([one.created, two.created]) == [False, True]
    assert len(await h.store.unpublished()) == 1  # one ClientRegistered
    keys = h.keyring._keys  # the loser's key was created, then destroyed: nothing of theirs can be opened
    assert sorted(k is None for k in keys.values()) == [False, True]


# --- the steps of intake --------------------------------------------------------------------------------------

@covers(SERVICE, c.GiveConsent, c.WithdrawConsent)
async def test_the_client_gives_and_withdraws_consent_with_their_reason_sealed(h: Harness) -> None:
    cid = (await register(h)).client_id
    [given] = await h.when(c.GiveConsent(client_id=cid, given_by="client"), client(cid))
    assert await h.when(c.GiveConsent(client_id=cid, given_by="client"), client(cid)) == []  # already in force
    [withdrawn] = await h.when(c.WithdrawConsent(client_id=cid, reason="En halua jatkaa"), client(cid))
    assert isinstance(given, ConsentGiven) and isinstance(withdrawn, ConsentWithdrawn)
    assert await h.open(cid, withdrawn.reason) == ["En halua jatkaa"]


@covers(SERVICE, c.RecordSelfAssessment)
async def test_a_self_assessment_keeps_the_clients_words_and_who_filled_it_in(h: Harness) -> None:
    cid = await consented(h)
    [own] = await h.when(c.RecordSelfAssessment(client_id=cid, scores=SCORES, wishes="Uimaan"), client(cid))
    [helped] = await h.when(c.RecordSelfAssessment(client_id=cid, scores=SCORES, own_words="Arki on raskasta"),
                            WORKER)
    assert isinstance(own, SelfAssessmentRecorded) and own.filled_in_by == "client" and own.own_words is None
    assert isinstance(helped, SelfAssessmentRecorded) and helped.filled_in_by == "worker_with_client"
    assert await h.open(cid, own.wishes, helped.own_words) == ["Uimaan", "Arki on raskasta"]


@covers(SERVICE, c.AssignCoordinator, c.AssessNeeds, c.CompleteIntake)
async def test_the_coordinator_assesses_needs_and_completes_intake(h: Harness) -> None:
    cid = await consented(h)
    [assigned] = await h.when(c.AssignCoordinator(client_id=cid, worker_id=WORKER.user_id), WORKER)
    await h.when(c.RecordSelfAssessment(client_id=cid, scores=SCORES), client(cid))
    [needs] = await h.when(c.AssessNeeds(client_id=cid, service_task=ServiceTask.OLDER_PEOPLE,
                                         support_needs=["everyday_life"], summary="Tarvitsee apua arkeen"), WORKER)
    [completed] = await h.when(c.CompleteIntake(client_id=cid), WORKER)
    assert isinstance(assigned, CoordinatorAssigned) and assigned.worker_id == WORKER.user_id
    assert isinstance(needs, NeedsAssessed) and await h.open(cid, needs.summary) == ["Tarvitsee apua arkeen"]
    assert isinstance(completed, IntakeCompleted) and completed.coordinator_id == WORKER.user_id


@covers(SERVICE, c.DeclineIntake)
async def test_the_coordinator_declines_with_a_reason_and_appeal_instructions(h: Harness) -> None:
    cid = await consented(h, WORKER)
    declined, record = await h.when(c.DeclineIntake(client_id=cid, reason="Ei täytä ehtoja"), WORKER)
    assert isinstance(declined, IntakeDeclined) and declined.appeal_instructions.startswith("Oikaisuvaatimusohje.")
    assert await h.open(cid, declined.reason) == ["Ei täytä ehtoja"]
    assert isinstance(record, DecisionRecorded) and record.kind == "intake_decline"
    assert record.decided_by == WORKER.user_id and record.authority is not None
    assert record.decision_number.startswith("HBI-") and {b.act for b in record.legal_bases} >= {"1301/2014", "434/2003"}
    # The client sees the reason and the instructions, in the language they read in
    _, case = await views.case(h.app, ReadCase(client_id=cid, language="sv"), client(cid))
    assert case["status"] == "declined" and case["decision"]["reasoning"] == "Ei täytä ehtoja"
    assert case["decision"]["instructions"].startswith("Anvisning om begäran om omprövning.")
    assert case["decision"]["decided_by_name"] == "Aino Virtanen"


@covers(SERVICE, c.ChangePreferredLanguage)
async def test_the_client_or_their_worker_changes_the_language_they_are_served_in(h: Harness) -> None:
    cid = await consented(h, WORKER)
    [changed] = await h.when(c.ChangePreferredLanguage(client_id=cid, preferred_language="sv"), client(cid))
    assert isinstance(changed, PreferredLanguageChanged) and changed.preferred_language == "sv"
    assert await h.when(c.ChangePreferredLanguage(client_id=cid, preferred_language="sv"), client(cid)) == []
    [back] = await h.when(c.ChangePreferredLanguage(client_id=cid, preferred_language="fi"), WORKER)
    assert isinstance(back, PreferredLanguageChanged) and back.preferred_language == "fi"
    _, view = await views.case(h.app, ReadCase(client_id=cid), client(cid))
    assert view["preferred_language"] == "fi"


# --- refusals: 404, then 403, then 409 ----------------------------------------------------------------------

CASEWORK: dict[type[c.CaseCommand], Callable[[UUID], c.CaseCommand]] = {
    c.GiveConsent: lambda cid: c.GiveConsent(client_id=cid, given_by="client"),
    c.WithdrawConsent: lambda cid: c.WithdrawConsent(client_id=cid, reason="r"),
    c.RecordSelfAssessment: lambda cid: c.RecordSelfAssessment(client_id=cid, scores=SCORES),
    c.AssignCoordinator: lambda cid: c.AssignCoordinator(client_id=cid, worker_id=WORKER.user_id),
    c.AssessNeeds: lambda cid: c.AssessNeeds(client_id=cid, service_task=ServiceTask.OLDER_PEOPLE,
                                             support_needs=["x"], summary="s"),
    c.CompleteIntake: lambda cid: c.CompleteIntake(client_id=cid),
    c.ChangePreferredLanguage: lambda cid: c.ChangePreferredLanguage(client_id=cid, preferred_language="sv"),
    c.DeclineIntake: lambda cid: c.DeclineIntake(client_id=cid, reason="r"),
}


@covers(SERVICE, *(refused(NotFound, kind) for kind in CASEWORK))
@pytest.mark.parametrize("kind", list(CASEWORK), ids=lambda k: k.__name__)
async def test_a_command_on_an_unknown_client_is_not_found(h: Harness, kind: type[c.CaseCommand]) -> None:
    cid = uuid4()
    with pytest.raises(NotFound):
        await h.when(CASEWORK[kind](cid), WORKER)
    assert await h.recorded(str(cid)) == []


@covers(SERVICE, *(refused(Forbidden, kind) for kind in CASEWORK))
@pytest.mark.parametrize("kind", list(CASEWORK), ids=lambda k: k.__name__)
async def test_a_command_from_someone_the_policy_refuses_records_nothing(h: Harness, kind: type[c.CaseCommand]) -> None:
    cid = await consented(h, WORKER)
    before = await h.recorded(str(cid))
    for outsider in (OTHER_WORKER, PROVIDER, AUDITOR, client(uuid4())):
        with pytest.raises(Forbidden):
            await h.when(CASEWORK[kind](cid), outsider)
    assert await h.recorded(str(cid)) == before


@covers(SERVICE, refused(Forbidden, c.AssignCoordinator))
async def test_a_worker_takes_a_case_on_themselves_only_a_manager_assigns_others(h: Harness) -> None:
    cid = await consented(h)
    with pytest.raises(Forbidden):
        await h.when(c.AssignCoordinator(client_id=cid, worker_id=OTHER_WORKER.user_id), WORKER)
    [assigned] = await h.when(c.AssignCoordinator(client_id=cid, worker_id=OTHER_WORKER.user_id), MANAGER)
    assert isinstance(assigned, CoordinatorAssigned)


@covers(SERVICE, refused(ConcurrencyError, c.GiveConsent))
async def test_a_command_made_on_a_stale_version_is_a_conflict(h: Harness) -> None:
    cid = (await register(h)).client_id
    await h.when(c.GiveConsent(client_id=cid, given_by="client", expected_version=1), client(cid))
    with pytest.raises(ConcurrencyError):
        await h.when(c.WithdrawConsent(client_id=cid, expected_version=1), client(cid))
    assert len(await h.recorded(str(cid))) == 2


@covers(SERVICE, refused(NotFound, ReadCase), refused(Forbidden, ReadCase), refused(Forbidden, ListCases))
async def test_reads_and_work_lists_follow_the_policy() -> None:
    h, lookup = harness()
    cid = await consented(h, WORKER)
    with pytest.raises(NotFound):
        await views.case(h.app, ReadCase(client_id=uuid4()), WORKER)
    for outsider in (OTHER_WORKER, PROVIDER, client(uuid4())):
        with pytest.raises(Forbidden):
            await views.case(h.app, ReadCase(client_id=cid), outsider)
    version, view = await views.case(h.app, ReadCase(client_id=cid), client(cid))
    assert version == 3 and view["person"]["first_name"] == "Testi"
    for reader, scope in ((client(cid), "mine"), (PROVIDER, "mine"), (WORKER, "all")):
        with pytest.raises(Forbidden):
            await views.work_list(h.app, ListCases(scope=scope), reader)
    await views.work_list(h.app, ListCases(scope="unassigned"), WORKER)
    await views.work_list(h.app, ListCases(scope="all", status="open"), AUDITOR)
    # One named worker's caseload: a manager's (to move it), a worker only their own.
    with pytest.raises(Forbidden):
        await views.work_list(h.app, ListCases(coordinator=WORKER.user_id), OTHER_WORKER)
    await views.work_list(h.app, ListCases(coordinator=WORKER.user_id), MANAGER)
    await views.work_list(h.app, ListCases(coordinator=WORKER.user_id), WORKER)
    assert [(a["coordinator_id"], a["status"]) for a in lookup.asked] == [
        ("", None), (None, "open"), (WORKER.user_id, None), (WORKER.user_id, None)]


# --- what intake hears ----------------------------------------------------------------------------------------

@covers(SERVICE, ClientErased)
async def test_an_erased_client_can_no_longer_be_found_by_their_hetu() -> None:
    h, lookup = harness()
    first = await register(h)
    [listener] = SPEC.listeners
    erased = ClientErased(client_id=first.client_id, basis="retention_period_ended", legal_basis="Arkistolaki")
    await h.when_heard(listener, erased, first.client_id)
    assert lookup.bound == {}
    assert (await register(h)).created  # the same hetu registers anew


# --- the staff directory ---------------------------------------------------------------------------------------

PROFILE = {"name": "Eero Mäkinen", "title": "palveluohjaaja", "unit": "Rauman palveluohjaus",
           "work_email": "eero.makinen@hyvaks.fi", "work_phone": "+358 44 765 4321", "languages": ["fi"]}


@covers(SERVICE, c.RecordStaffProfile)
async def test_an_administrator_records_a_staff_members_entry_and_the_same_entry_again_records_nothing(
        h: Harness) -> None:
    record = c.RecordStaffProfile(staff_id="worker-eero", **PROFILE)
    [entry] = await h.when(record, MANAGER)
    assert isinstance(entry, StaffProfileRecorded) and entry.source == "admin"
    assert (entry.name, entry.title, entry.unit, entry.languages) == (
        "Eero Mäkinen", "palveluohjaaja", "Rauman palveluohjaus", ["fi"])
    assert await h.when(record, MANAGER) == []
    [moved] = await h.when(record.model_copy(update={"unit": "Porin palveluohjaus"}), MANAGER)
    assert isinstance(moved, StaffProfileRecorded) and moved.unit == "Porin palveluohjaus"
    for not_admin in (WORKER, OTHER_WORKER, AUDITOR, PROVIDER, client(uuid4())):
        with pytest.raises(Forbidden):
            await h.when(record, not_admin)


@covers(SERVICE, c.SyncStaffProfile)
async def test_a_staff_members_sign_in_records_their_own_entry_from_the_identity_providers_claims(
        h: Harness) -> None:
    claims = {"sub": "worker-eero", "given_name": "Eero", "family_name": "Mäkinen", "email": "eero.makinen@hyvaks.fi",
              "title": "palveluohjaaja", "department": "Rauman palveluohjaus", "locale": "sv-FI", "role": "worker"}
    [entry] = await h.when(c.SyncStaffProfile(staff_id="worker-eero", claims=claims), OTHER_WORKER)
    assert isinstance(entry, StaffProfileRecorded) and entry.source == "identity_provider"
    assert (entry.name, entry.unit, entry.work_email, entry.languages) == (
        "Eero Mäkinen", "Rauman palveluohjaus", "eero.makinen@hyvaks.fi", ["sv"])
    assert await h.when(c.SyncStaffProfile(staff_id="worker-eero", claims=claims), OTHER_WORKER) == []
    with pytest.raises(Forbidden):  # only one's own entry
        await h.when(c.SyncStaffProfile(staff_id="worker-aino", claims=claims), OTHER_WORKER)
    with pytest.raises(Forbidden):
        await h.when(c.SyncStaffProfile(staff_id=str(uuid4()), claims=claims), client(uuid4()))
    with pytest.raises(InvalidCommand):  # a token without a name makes no entry
        await h.when(c.SyncStaffProfile(staff_id="worker-eero", claims={"sub": "worker-eero"}), OTHER_WORKER)


async def test_a_client_lists_only_the_staff_serving_today_and_staff_may_list_former_colleagues(h: Harness) -> None:
    asked: list[bool | None] = []

    async def list_staff(**filters: Any) -> list[dict[str, Any]]:
        asked.append(filters["active"])
        return []

    h.app.deps = dataclasses.replace(h.app.deps, list_staff=list_staff)
    await views.staff_list(h.app, ListStaff(active=False), client(uuid4()))
    await views.staff_list(h.app, ListStaff(active=False), MANAGER)
    assert asked == [True, False]  # former staff and their contacts are not a client's to browse


@covers(SERVICE, refused(NotFound, ReadStaff), refused(Forbidden, ReadStaff), refused(Forbidden, ListStaff))
async def test_staff_and_clients_read_the_directory_and_a_client_sees_their_worker_by_name(h: Harness) -> None:
    await h.when(c.RecordStaffProfile(staff_id="worker-eero", **PROFILE), MANAGER)
    for reader in (WORKER, MANAGER, AUDITOR, client(uuid4())):
        _, entry = await views.staff_member(h.app, ReadStaff(staff_id="worker-eero"), reader)
        assert entry["name"] == "Eero Mäkinen" and entry["work_email"] == "eero.makinen@hyvaks.fi"
    with pytest.raises(NotFound):
        await views.staff_member(h.app, ReadStaff(staff_id="nobody"), WORKER)
    with pytest.raises(Forbidden):
        await views.staff_member(h.app, ReadStaff(staff_id="worker-eero"), PROVIDER)
    with pytest.raises(Forbidden):
        await views.staff_list(h.app, ListStaff(), PROVIDER)
    cid = await consented(h, WORKER)
    _, case = await views.case(h.app, ReadCase(client_id=cid), client(cid))
    assert case["coordinator"]["name"] == "Aino Virtanen" and case["coordinator"]["work_phone"] == "+358 44 123 4567"
