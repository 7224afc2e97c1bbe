"""Intake's life changes and representation on the memory store: given events → when a command (a worker's, a
client's, a representative's) or a birthday's timer → then events, or the refusal and nothing recorded. The law's
rules are tested in test_representation_rules.py; the domain's in test_intake_life_domain.py."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from contracts.intake import (
    AgeStageNoted,
    CaseHandedOver,
    ClientRegistered,
    ConsentGiven,
    ContactDetailsChanged,
    DataProhibitionLifted,
    DataProhibitionRecorded,
    MovedOutOfCounty,
    MunicipalityChanged,
    PreferredLanguageChanged,
    RepresentationConfirmed,
    RepresentationEnded,
    RepresentationStarted,
    RepresentativeRegistered,
    SelfAssessmentRecorded,
    SelfAssessmentScores,
)
from services.intake.application import commands as c
from services.intake.application import views
from services.intake.application.aggregates import AGE_TIMER, person_stream
from services.intake.application.handlers import HANDLERS, Ports, Registration
from services.intake.application.queries import ExportCase, ReadCase, ReadRepresentative
from services.intake.application.representation import TIMERS
from shared.infra.eventstore import Session
from shared.kernel.errors import Forbidden, InvalidCommand, NotFound, RuleViolation
from shared.kernel.identifiers import make_hetu
from shared.kernel.principal import Principal
from shared.kernel.representation import ACTS, Mandate, anniversary
from tests.application import AUDITOR, MANAGER, OTHER_WORKER, WORKER, Harness, covers, refused

SERVICE = "intake"
# The children's form: the same six areas, each on five faces (docs/self-assessment.md).
FACES = SelfAssessmentScores(general_ability=4, mental_wellbeing=3, social_participation=5, physical_functioning=4,
                             competence=2, everyday_life=3)
SCORES = SelfAssessmentScores(general_ability=5, mental_wellbeing=4, social_participation=3, physical_functioning=7,
                              competence=6, everyday_life=4)
TODAY = date.today()


class People:
    """The hetu lookups (clients', representatives') and the representatives' registered data, in memory."""

    def __init__(self) -> None:
        self.clients: dict[str, UUID] = {}
        self.persons: dict[str, UUID] = {}
        self.data: dict[UUID, dict[str, Any]] = {}
        self.births: dict[UUID, date] = {}

    async def find_client(self, hetu_hash: str) -> UUID | None:
        return self.clients.get(hetu_hash)

    async def claim_client(self, _: Session, hetu_hash: str, client_id: UUID) -> UUID:
        return self.clients.setdefault(hetu_hash, client_id)

    async def find_person(self, hetu_hash: str) -> UUID | None:
        return self.persons.get(hetu_hash)

    async def claim_person(self, _: Session, hetu_hash: str, person_id: UUID) -> UUID:
        return self.persons.setdefault(hetu_hash, person_id)

    async def person_of(self, person_id: UUID) -> dict[str, Any] | None:
        return self.data.get(person_id)

    async def born(self, client_id: UUID) -> date | None:
        return self.births.get(client_id)

    async def forget(self, _: Session, client_id: UUID) -> None:
        pass

    async def list_cases(self, **filters: Any) -> list[dict[str, Any]]:
        return []


@pytest.fixture
def people() -> People:
    return People()


@pytest.fixture
def h(people: People) -> Harness:
    ports = Ports(b"pepper", people.find_client, people.claim_client, people.forget, people.list_cases,
                  find_person=people.find_person, claim_person=people.claim_person, person_of=people.person_of,
                  born=people.born)
    return Harness.of(SERVICE, HANDLERS, ports, timers=TIMERS)


def client(cid: UUID, *, alone: bool = True) -> Principal:
    return Principal(user_id=str(cid), role="client", acts_alone=alone)


def years_ago(years: int, days: int = 0) -> date:
    return anniversary(TODAY, -years) - timedelta(days=days)


async def register_client(h: Harness, born: date, municipality: str = "Pori") -> UUID:
    done: Registration = await h.run(c.RegisterClient(
        hetu=make_hetu(born, 200 + born.day), first_name="Aino", last_name="Lapsi", municipality=municipality,
        preferred_language="fi"), WORKER)
    return done.client_id


async def register_person(h: Harness, people: People, born: date = date(1980, 1, 1), n: int = 300) -> UUID:
    done: Registration = await h.run(c.RegisterRepresentative(
        hetu=make_hetu(born, n), first_name="Pekka", last_name="Huoltaja", preferred_language="fi"), WORKER)
    people.data[done.client_id] = {"first_name": "Pekka", "last_name": f"Huoltaja{n}"}
    return done.client_id


async def with_consent(h: Harness, cid: UUID) -> None:
    await h.when(c.GiveConsent(client_id=cid, given_by="client"), WORKER)


async def guardian_of(h: Harness, cid: UUID, person: UUID) -> RepresentationStarted:
    [started] = await h.when(c.LinkRepresentative(client_id=cid, representative_id=person, kind="guardian",
                                                  basis="Väestötietojärjestelmän huoltajuustieto"), WORKER)
    assert isinstance(started, RepresentationStarted)
    return started


def acting(person: UUID, link: RepresentationStarted, *, reads: bool = True) -> Principal:
    """The representative as authentication makes them: their mandate in force, from the representation records."""
    mandate = Mandate(link_id=link.link_id, client_id=link.client_id, kind=link.kind, scope=frozenset(link.scope),
                      reads=reads)
    return Principal(user_id=str(person), role="representative", mandates=(mandate,))


# --- registration notes a minor's age ---------------------------------------------------------------------------

async def test_a_minor_is_registered_with_the_birthdays_that_change_their_stage_an_adult_without(h: Harness) -> None:
    born = years_ago(7)
    child = await register_client(h, born)
    registered, age = await h.recorded(str(child))
    assert isinstance(registered, ClientRegistered) and isinstance(age, AgeStageNoted)
    assert (age.stage, age.acts_alone_from, age.adult_from) == ("child", anniversary(born, 15), anniversary(born, 18))
    adult = await register_client(h, years_ago(40))
    assert [type(e) for e in await h.recorded(str(adult))] == [ClientRegistered]  # an adult's birth date stays theirs


# --- representatives: a person of their own ----------------------------------------------------------------------

@covers(SERVICE, c.RegisterRepresentative, c.OpenPersonRecord)
async def test_a_worker_registers_a_representative_once_with_their_own_key(h: Harness, people: People) -> None:
    hetu = make_hetu(date(1982, 4, 3), 412)
    ask = c.RegisterRepresentative(hetu=hetu, first_name="Pekka", last_name="Huoltaja", phone="040 1",
                                   preferred_language="sv")
    first: Registration = await h.run(ask, WORKER)
    again: Registration = await h.run(ask, WORKER)
    assert first.created and not again.created and again.client_id == first.client_id
    [registered] = await h.recorded(person_stream(first.client_id))
    assert isinstance(registered, RepresentativeRegistered) and registered.preferred_language == "sv"
    [opened] = await h.open(first.client_id, registered.personal_data)  # the person's own key, not a client's
    assert json.loads(opened or "{}")["hetu"] == hetu
    for nobody in (client(uuid4()), MANAGER, Principal(user_id=str(uuid4()), role="representative")):
        with pytest.raises(Forbidden):
            await h.run(ask, nobody)
    with pytest.raises(InvalidCommand):
        await h.run(ask.model_copy(update={"hetu": "010101-0000"}), WORKER)


async def test_a_representative_reads_their_own_record_and_whom_they_represent(h: Harness, people: People) -> None:
    person = await register_person(h, people)
    cid = await register_client(h, years_ago(9))
    link = await guardian_of(h, cid, person)
    _, view = await views.representative(h.app, ReadRepresentative(person_id=person), acting(person, link))
    assert view["represents"] == [{"client_id": str(cid), "link_id": str(link.link_id), "kind": "guardian",
                                   "scope": sorted(ACTS), "reads": True}]
    await views.representative(h.app, ReadRepresentative(person_id=person), WORKER)
    with pytest.raises(Forbidden):
        await views.representative(h.app, ReadRepresentative(person_id=person),
                                   Principal(user_id=str(uuid4()), role="representative"))
    with pytest.raises(NotFound):
        await views.representative(h.app, ReadRepresentative(person_id=uuid4()), WORKER)


# --- links ---------------------------------------------------------------------------------------------------------

@covers(SERVICE, c.LinkRepresentative)
async def test_a_child_has_two_guardians_each_linked_until_the_18th_birthday(h: Harness, people: People) -> None:
    born = years_ago(7)
    cid = await register_client(h, born)
    mother, father = await register_person(h, people, n=301), await register_person(h, people, n=302)
    one, two = await guardian_of(h, cid, mother), await guardian_of(h, cid, father)
    for link in (one, two):
        assert (link.ends_on, link.confirmed, sorted(link.scope)) == (anniversary(born, 18), True, sorted(ACTS))
    assert await h.open(cid, one.representative_name) == ["Pekka Huoltaja301"]  # the client's key: they see who
    _, view = await views.case(h.app, ReadCase(client_id=cid), client(cid, alone=False))
    assert [(r["name"], r["kind"], r["in_force"]) for r in view["representatives"]] == [
        ("Pekka Huoltaja301", "guardian", True), ("Pekka Huoltaja302", "guardian", True)]


@covers(SERVICE, c.LinkRepresentative)
async def test_links_that_the_law_does_not_allow_are_refused_and_nothing_is_recorded(h: Harness,
                                                                                    people: People) -> None:
    adult, child = await register_client(h, years_ago(30)), await register_client(h, years_ago(10))
    person = await register_person(h, people)
    people.births[adult] = years_ago(30)
    with pytest.raises(RuleViolation, match="of age"):
        await guardian_of(h, adult, person)
    with pytest.raises(InvalidCommand, match="scope"):
        await h.when(c.LinkRepresentative(client_id=adult, representative_id=person, kind="court_appointed",
                                          basis="Käräjäoikeuden päätös"), WORKER)
    with pytest.raises(InvalidCommand, match="register them first"):
        await h.when(c.LinkRepresentative(client_id=child, representative_id=uuid4(), kind="guardian", basis="b"),
                     WORKER)
    await guardian_of(h, child, person)
    with pytest.raises(RuleViolation, match="already represents"):
        await guardian_of(h, child, person)
    assert [type(e) for e in await h.recorded(str(adult))] == [ClientRegistered]


async def test_a_record_from_before_ages_were_noted_learns_the_age_from_the_hetu(h: Harness, people: People) -> None:
    cid, born = uuid4(), years_ago(12)
    await h.given(str(cid), cid)
    (sealed,) = await h.keyring.seal(str(cid), "{}")
    await h.given(str(cid), cid, ClientRegistered(client_id=cid, personal_data=sealed, municipality="Pori",
                                                  preferred_language="fi"))
    people.births[cid] = born
    person = await register_person(h, people)
    age, started = await h.when(c.LinkRepresentative(client_id=cid, representative_id=person, kind="guardian",
                                                     basis="b"), WORKER)
    assert isinstance(age, AgeStageNoted) and age.stage == "child"
    assert isinstance(started, RepresentationStarted) and started.ends_on == anniversary(born, 18)


@covers(SERVICE, c.ConfirmRepresentation)
async def test_a_continuing_power_of_attorney_acts_once_confirmed(h: Harness, people: People) -> None:
    cid, person = await register_client(h, years_ago(80)), await register_person(h, people)
    [started] = await h.when(c.LinkRepresentative(client_id=cid, representative_id=person,
                                                  kind="continuing_power_of_attorney", basis="Valtakirja"), WORKER)
    assert isinstance(started, RepresentationStarted) and not started.confirmed
    [confirmed] = await h.when(c.ConfirmRepresentation(client_id=cid, link_id=started.link_id), WORKER)
    assert isinstance(confirmed, RepresentationConfirmed) and confirmed.confirmed_on == TODAY
    assert await h.when(c.ConfirmRepresentation(client_id=cid, link_id=started.link_id), WORKER) == []
    with pytest.raises(InvalidCommand):
        await h.when(c.ConfirmRepresentation(client_id=cid, link_id=uuid4()), WORKER)


@covers(SERVICE, c.EndRepresentation)
async def test_a_guardians_link_ends_when_custody_ends_once(h: Harness, people: People) -> None:
    cid, person = await register_client(h, years_ago(6)), await register_person(h, people)
    link = await guardian_of(h, cid, person)
    [ended] = await h.when(c.EndRepresentation(client_id=cid, link_id=link.link_id, reason="custody_ended"), WORKER)
    assert isinstance(ended, RepresentationEnded) and (ended.reason, ended.ended_on) == ("custody_ended", TODAY)
    assert await h.when(c.EndRepresentation(client_id=cid, link_id=link.link_id, reason="revoked"), WORKER) == []


@covers(SERVICE, c.RecordDataProhibition, c.LiftDataProhibition)
async def test_a_mature_minor_forbids_giving_their_data_to_a_guardian_and_may_lift_it(h: Harness,
                                                                                    people: People) -> None:
    cid = await register_client(h, years_ago(14))
    mother, father = await register_person(h, people, n=303), await register_person(h, people, n=304)
    await guardian_of(h, cid, mother)
    await guardian_of(h, cid, father)
    [forbidden] = await h.when(c.RecordDataProhibition(client_id=cid, guardian_ids=[father]), WORKER)
    assert isinstance(forbidden, DataProhibitionRecorded) and forbidden.guardian_ids == [father]
    with pytest.raises(InvalidCommand):  # only guardians of the client can be named
        await h.when(c.RecordDataProhibition(client_id=cid, guardian_ids=[uuid4()]), WORKER)
    [every] = await h.when(c.RecordDataProhibition(client_id=cid), WORKER)
    assert isinstance(every, DataProhibitionRecorded) and every.all_guardians
    [lifted] = await h.when(c.LiftDataProhibition(client_id=cid, prohibition_id=every.prohibition_id), WORKER)
    assert isinstance(lifted, DataProhibitionLifted)
    adult = await register_client(h, years_ago(19))
    with pytest.raises(RuleViolation, match="adult"):
        await h.when(c.RecordDataProhibition(client_id=adult), WORKER)


# --- the birthdays that change a minor's stage ---------------------------------------------------------------------

@covers(SERVICE, AGE_TIMER, c.PassBirthday)
async def test_at_15_a_minor_acts_alone_and_at_18_every_guardians_link_ends_by_itself(h: Harness,
                                                                                      people: People) -> None:
    born = years_ago(14, days=-20)  # turns 15 in 20 days
    cid = await register_client(h, born)
    person = await register_person(h, people)
    link = await guardian_of(h, cid, person)
    fifteen, eighteen = anniversary(born, 15), anniversary(born, 18)
    [stage] = await h.when_fired(AGE_TIMER, {"client_id": str(cid), "on": fifteen.isoformat(), "correlation_id": "c"})
    assert isinstance(stage, AgeStageNoted) and (stage.stage, stage.adult_from) == ("minor_15", eighteen)
    adult, ended = await h.when_fired(AGE_TIMER, {"client_id": str(cid), "on": eighteen.isoformat(),
                                                  "correlation_id": "c"})
    assert isinstance(adult, AgeStageNoted) and adult.stage == "adult"
    assert isinstance(ended, RepresentationEnded) and (ended.link_id, ended.reason) == (link.link_id, "came_of_age")
    assert await h.when_fired(AGE_TIMER, {"client_id": str(cid), "on": eighteen.isoformat(),
                                          "correlation_id": "c"}) == []  # fired again after a restart: nothing
    assert await h.when_fired(AGE_TIMER, {"client_id": str(uuid4()), "on": eighteen.isoformat(),
                                          "correlation_id": "c"}) == []


# --- a representative acts for the client, within the mandate ------------------------------------------------------

async def test_a_guardian_reads_the_childs_case_gives_consent_and_fills_in_the_self_assessment(h: Harness,
                                                                                             people: People) -> None:
    cid, person = await register_client(h, years_ago(7)), await register_person(h, people)
    guardian = acting(person, await guardian_of(h, cid, person))
    _, view = await views.case(h.app, ReadCase(client_id=cid), guardian)
    assert view["age_stage"] == "child" and view["person"]["first_name"] == "Aino"
    [consent] = await h.when(c.GiveConsent(client_id=cid, given_by="client"), guardian)
    assert isinstance(consent, ConsentGiven) and consent.given_by == "guardian"
    assert view["self_assessment_form"] == "child"
    with pytest.raises(InvalidCommand, match="children's form"):  # a seven-year-old is not scored on adult scales
        await h.when(c.RecordSelfAssessment(client_id=cid, scores=SCORES), guardian)
    [assessed] = await h.when(c.RecordSelfAssessment(client_id=cid, scores=FACES), guardian)
    assert isinstance(assessed, SelfAssessmentRecorded) and assessed.filled_in_by == "representative"
    assert assessed.form == "child"
    envelope = (await h.store.read_stream(str(cid)))[-1]
    assert (envelope.actor.id, envelope.actor.role, envelope.subject) == (str(person), "representative", str(cid))


async def test_a_15_year_old_fills_in_the_adult_form_and_intake_hands_on_the_baselines_form(h: Harness) -> None:
    youth, child = await register_client(h, years_ago(16)), await register_client(h, years_ago(7))
    for cid in (youth, child):
        await h.when(c.GiveConsent(client_id=cid, given_by="client"), WORKER)
    [adult] = await h.when(c.RecordSelfAssessment(client_id=youth, scores=SCORES), WORKER)
    assert isinstance(adult, SelfAssessmentRecorded) and adult.form == "adult"
    [faces] = await h.when(c.RecordSelfAssessment(client_id=child, scores=FACES), WORKER)
    assert isinstance(faces, SelfAssessmentRecorded) and faces.form == "child"
    _, view = await views.case(h.app, ReadCase(client_id=child), WORKER)
    assert view["self_assessment"]["form"] == "child"


async def test_a_representative_is_refused_another_client_a_forbidden_read_and_a_step_outside_the_mandate(
        h: Harness, people: People) -> None:
    cid, other = await register_client(h, years_ago(7)), await register_client(h, years_ago(8))
    person = await register_person(h, people)
    link = await guardian_of(h, cid, person)
    with pytest.raises(Forbidden, match="do not represent"):
        await views.case(h.app, ReadCase(client_id=other), acting(person, link))
    with pytest.raises(Forbidden) as forbidden:
        await views.case(h.app, ReadCase(client_id=cid), acting(person, link, reads=False))
    assert forbidden.value.code == "data-prohibited"
    narrow = Principal(user_id=str(person), role="representative", mandates=(Mandate(
        link_id=link.link_id, client_id=cid, kind="authorised", scope=frozenset({"read"})),))
    with pytest.raises(Forbidden, match="outside the scope"):
        await h.when(c.GiveConsent(client_id=cid, given_by="client"), narrow)
    with pytest.raises(Forbidden):  # a representative's own contact details are their own, not the client's
        await h.when(c.ChangeContactDetails(client_id=cid, phone="040 2"), acting(person, link))


async def test_a_child_reads_their_own_case_and_their_guardian_acts_a_15_year_old_acts_alone(h: Harness) -> None:
    child, youth = await register_client(h, years_ago(10)), await register_client(h, years_ago(15))
    await views.case(h.app, ReadCase(client_id=child), client(child, alone=False))
    with pytest.raises(Forbidden) as refused_:
        await h.when(c.GiveConsent(client_id=child, given_by="client"), client(child, alone=False))
    assert refused_.value.code == "acts-through-guardian"
    [consent] = await h.when(c.GiveConsent(client_id=youth, given_by="client"), client(youth))
    assert isinstance(consent, ConsentGiven) and consent.given_by == "client"


# --- changes in the client's life ----------------------------------------------------------------------------------

@covers(SERVICE, c.ChangeMunicipality)
async def test_a_move_within_the_county_takes_effect_on_its_day(h: Harness) -> None:
    cid = await register_client(h, years_ago(19), municipality="Pori")
    soon = TODAY + timedelta(days=10)
    [moved] = await h.when(c.ChangeMunicipality(client_id=cid, municipality="Tampere", effective_from=soon), WORKER)
    assert isinstance(moved, MunicipalityChanged) and (moved.previous_municipality, moved.effective_from) == ("Pori", soon)
    _, view = await views.case(h.app, ReadCase(client_id=cid), WORKER)
    assert view["municipality"] == "Pori"  # until the day it takes effect
    assert view["municipalities"] == [{"municipality": "Pori", "from": None},
                                      {"municipality": "Tampere", "from": soon.isoformat()}]
    with pytest.raises(RuleViolation, match="later move"):
        await h.when(c.ChangeMunicipality(client_id=cid, municipality="Nokia", effective_from=TODAY), WORKER)
    assert await h.when(c.ChangeMunicipality(client_id=cid, municipality="Tampere",
                                             effective_from=soon + timedelta(days=1)), WORKER) == []


@covers(SERVICE, c.ChangeContactDetails, c.ChangePreferredLanguage)
async def test_the_client_changes_their_own_contact_details_and_language_sealed_with_who_and_when(h: Harness) -> None:
    cid = await register_client(h, years_ago(30))
    [changed] = await h.when(c.ChangeContactDetails(client_id=cid, phone="050 765 4321", address="Hämeenkatu 1"),
                             client(cid))
    assert isinstance(changed, ContactDetailsChanged) and changed.changed == ["address", "phone"]
    assert "765" not in changed.model_dump_json()  # sealed
    envelope = (await h.store.read_stream(str(cid)))[-1]
    assert (envelope.actor.id, envelope.actor.role) == (str(cid), "client") and envelope.time is not None
    [language] = await h.when(c.ChangePreferredLanguage(client_id=cid, preferred_language="sv"), client(cid))
    assert isinstance(language, PreferredLanguageChanged)
    _, view = await views.case(h.app, ReadCase(client_id=cid), WORKER)
    assert (view["person"]["phone"], view["person"]["address"], view["preferred_language"]) == (
        "050 765 4321", "Hämeenkatu 1", "sv")
    with pytest.raises(InvalidCommand):
        await h.when(c.ChangeContactDetails(client_id=cid), client(cid))


@covers(SERVICE, c.RecordMoveOutOfCounty, c.HandOverCase)
async def test_a_move_to_another_county_ends_responsibility_by_a_decision_then_the_case_is_handed_over(
        h: Harness) -> None:
    cid = await register_client(h, years_ago(40))
    await with_consent(h, cid)
    with pytest.raises(RuleViolation):
        await h.when(c.HandOverCase(client_id=cid, to_county="Pirkanmaan hyvinvointialue"), WORKER)
    with pytest.raises(InvalidCommand):
        await h.when(c.RecordMoveOutOfCounty(client_id=cid, moved_on=TODAY + timedelta(days=1), new_county="x",
                                             reasoning="r"), WORKER)
    [moved] = await h.when(c.RecordMoveOutOfCounty(
        client_id=cid, moved_on=TODAY, new_county="Pirkanmaan hyvinvointialue", reasoning="Muutti Tampereelle"),
        WORKER)
    assert isinstance(moved, MovedOutOfCounty) and moved.decided_by == WORKER.user_id
    # The law is the county's table's for ending support, in the client's language, not words typed by the worker.
    assert "sosiaalihuoltolaki (1301/2014), 45 §" in moved.legal_basis and "30" in moved.appeal_instructions
    assert await h.open(cid, moved.reasoning) == ["Muutti Tampereelle"]
    with pytest.raises(RuleViolation, match="another county"):
        await h.when(c.WithdrawConsent(client_id=cid), client(cid))
    with pytest.raises(InvalidCommand):
        await h.when(c.HandOverCase(client_id=cid, to_county="Lapin hyvinvointialue"), WORKER)
    [handed] = await h.when(c.HandOverCase(client_id=cid, to_county="Pirkanmaan hyvinvointialue"), WORKER)
    assert isinstance(handed, CaseHandedOver) and "personal_data" in handed.contents
    exported = await views.export(h.app, ExportCase(client_id=cid), WORKER)
    assert exported["moved_out"]["new_county"] == "Pirkanmaan hyvinvointialue"
    assert exported["person"]["first_name"] == "Aino" and exported["consent"] == "given"


# --- refusals: 404, then 403 -------------------------------------------------------------------------------------

LINK = uuid4()
PEOPLE: dict[type[c.CaseCommand], Callable[[UUID], c.CaseCommand]] = {
    c.ChangeMunicipality: lambda cid: c.ChangeMunicipality(client_id=cid, municipality="Nokia", effective_from=TODAY),
    c.ChangeContactDetails: lambda cid: c.ChangeContactDetails(client_id=cid, phone="1"),
    c.ChangePreferredLanguage: lambda cid: c.ChangePreferredLanguage(client_id=cid, preferred_language="en"),
    c.RecordMoveOutOfCounty: lambda cid: c.RecordMoveOutOfCounty(client_id=cid, moved_on=TODAY, new_county="x",
                                                                 reasoning="r"),
    c.HandOverCase: lambda cid: c.HandOverCase(client_id=cid, to_county="x"),
    c.LinkRepresentative: lambda cid: c.LinkRepresentative(client_id=cid, representative_id=uuid4(), kind="guardian",
                                                           basis="b"),
    c.ConfirmRepresentation: lambda cid: c.ConfirmRepresentation(client_id=cid, link_id=LINK),
    c.EndRepresentation: lambda cid: c.EndRepresentation(client_id=cid, link_id=LINK, reason="revoked"),
    c.RecordDataProhibition: lambda cid: c.RecordDataProhibition(client_id=cid),
    c.LiftDataProhibition: lambda cid: c.LiftDataProhibition(client_id=cid, prohibition_id=uuid4()),
}


@covers(SERVICE, *(refused(NotFound, kind) for kind in PEOPLE))
@pytest.mark.parametrize("kind", list(PEOPLE), ids=lambda k: k.__name__)
async def test_a_command_on_an_unknown_client_is_not_found(h: Harness, kind: type[c.CaseCommand]) -> None:
    cid = uuid4()
    with pytest.raises(NotFound):
        await h.when(PEOPLE[kind](cid), WORKER)
    assert await h.recorded(str(cid)) == []


@covers(SERVICE, *(refused(Forbidden, kind) for kind in PEOPLE))
@pytest.mark.parametrize("kind", list(PEOPLE), ids=lambda k: k.__name__)
async def test_a_command_from_someone_the_policy_refuses_records_nothing(h: Harness, people: People,
                                                                         kind: type[c.CaseCommand]) -> None:
    cid = await register_client(h, years_ago(12))
    await with_consent(h, cid)
    await h.when(c.AssignCoordinator(client_id=cid, worker_id=WORKER.user_id), WORKER)
    stranger = Principal(user_id=str(uuid4()), role="representative")
    refused_by = [OTHER_WORKER, AUDITOR, MANAGER, client(uuid4()), stranger, h.app.system]
    if kind is not c.ChangeContactDetails and kind is not c.ChangePreferredLanguage:
        refused_by.append(client(cid))  # the worker's steps; the client's own contact details are theirs
    before = len(await h.recorded(str(cid)))
    for outsider in refused_by:
        with pytest.raises(Forbidden):
            await h.when(PEOPLE[kind](cid), outsider)
    assert len(await h.recorded(str(cid))) == before


@covers(SERVICE, refused(Forbidden, c.PassBirthday))
async def test_only_intake_notes_a_birthday(h: Harness) -> None:
    cid = await register_client(h, years_ago(10))
    with pytest.raises(Forbidden):
        await h.when(c.PassBirthday(client_id=cid, on=TODAY), WORKER)


async def test_intake_holds_a_caller_to_its_own_record_before_its_projection_catches_up(h: Harness,
                                                                                      people: People) -> None:
    """Authentication reads who represents whom from intake's projection, a moment behind the record: a child
    registered just now, a link just ended and a prohibition just recorded hold at once in intake all the same."""
    cid, person = await register_client(h, years_ago(7)), await register_person(h, people)
    lagging_child = Principal(user_id=str(cid), role="client")  # the projection has no stage for them yet
    with pytest.raises(Forbidden) as refusal:
        await h.when(c.GiveConsent(client_id=cid, given_by="client"), lagging_child)
    assert refusal.value.code == "acts-through-guardian"
    link = await guardian_of(h, cid, person)
    guardian = acting(person, link)  # as the projection still has it after each step below
    await views.case(h.app, ReadCase(client_id=cid), guardian)
    await h.when(c.RecordDataProhibition(client_id=cid), WORKER)
    with pytest.raises(Forbidden) as prohibited:
        await views.case(h.app, ReadCase(client_id=cid), guardian)
    assert prohibited.value.code == "data-prohibited"
    await h.when(c.EndRepresentation(client_id=cid, link_id=link.link_id, reason="custody_ended"), WORKER)
    with pytest.raises(Forbidden) as ended:
        await h.when(c.GiveConsent(client_id=cid, given_by="client"), guardian)
    assert ended.value.code == "representation-refused"
