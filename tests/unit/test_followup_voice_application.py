"""The client's own voice in follow-up, and what intake's life changes mean here, on the memory store: a check-in
in the client's own words (or their representative's for them), a request to end the case and the worker's answer,
no check-in while consent is withdrawn, a move within the county and to another county."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from contracts import intake
from contracts.followup import (
    CaseClosed,
    CaseEndRequestAnswered,
    CaseEndRequested,
    CheckInRecorded,
    ConsentNoted,
    FollowUpScheduled,
    MunicipalityNoted,
    OwnCheckInRecorded,
    PlanReviewRequested,
    ReassessmentRecorded,
)
from contracts.intake import SelfAssessmentScores
from services.followup.application import commands as c
from services.followup.application import views
from services.followup.application.handlers import CASE, HANDLERS, TIMERS, stream_of
from services.followup.application.queries import ReadFollowUp
from services.followup.application.reactions import REACTIONS
from services.followup.domain.effectiveness import figures_of
from shared.kernel.errors import Forbidden, InvalidCommand, NotFound, RuleViolation
from shared.kernel.principal import Principal
from shared.kernel.representation import ACTS, Mandate
from shared.kernel.sealed import Sealed
from tests.application import Harness, covers, refused
from tests.unit.test_followup_application import (
    AUDITOR,
    MANAGER,
    OTHER_WORKER,
    PORI,
    SCORES,
    SERVICE,
    WORKER,
    client,
    first_due,
    live,
    opened,
    plan,
    ports,
)


@pytest.fixture
def h() -> Harness:
    return Harness.of(SERVICE, HANDLERS, ports(), reactions=REACTIONS, timers=TIMERS)


def guardian_of(cid: UUID) -> Principal:
    mandate = Mandate(link_id=uuid4(), client_id=cid, kind="guardian", scope=frozenset(ACTS))
    return Principal(user_id=str(uuid4()), role="representative", mandates=(mandate,))


@covers(SERVICE, c.RecordOwnCheckIn)
async def test_the_client_and_their_guardian_record_how_things_are_going_in_their_own_words(h: Harness) -> None:
    cid = await live(h)
    [own] = await h.when(c.RecordOwnCheckIn(client_id=cid, text="Koulu sujuu paremmin"), client(cid))
    guardian = guardian_of(cid)
    [for_them] = await h.when(c.RecordOwnCheckIn(client_id=cid, text="Nukkuu hyvin"), guardian)
    assert isinstance(own, OwnCheckInRecorded) and isinstance(for_them, OwnCheckInRecorded)
    assert (own.by, for_them.by) == ("client", "representative")
    assert await h.open(cid, own.account, for_them.account) == ["Koulu sujuu paremmin", "Nukkuu hyvin"]
    _, view = await views.followup(h.app, ReadFollowUp(client_id=cid), WORKER)
    assert [(x["account"], x["by"], x["recorded_by"]) for x in view["own_check_ins"]] == [
        ("Koulu sujuu paremmin", "client", str(cid)), ("Nukkuu hyvin", "representative", guardian.user_id)]
    assert [d["done"] for d in view["follow_ups"]] == [False]  # the worker's follow-up is still theirs to do
    with pytest.raises(Forbidden):  # the client's voice is the client's: the worker records their own contact
        await h.when(c.RecordOwnCheckIn(client_id=cid, text="x"), WORKER)


@covers(SERVICE, intake.ConsentWithdrawn, intake.ConsentGiven, c.NoteConsent)
async def test_no_check_in_is_recorded_while_consent_is_withdrawn(h: Harness) -> None:
    cid = await live(h)
    [withdrawn] = await h.when_published(intake.ConsentWithdrawn(client_id=cid), cid)
    assert isinstance(withdrawn, ConsentNoted) and withdrawn.consent == "withdrawn"
    before = await h.recorded(stream_of(cid))
    for command, who in ((c.RecordOwnCheckIn(client_id=cid, text="Hyvin menee"), client(cid)),
                         (c.RecordCheckIn(client_id=cid, contact_type="phone", client_account="a", worker_notes="n"),
                          WORKER)):
        with pytest.raises(RuleViolation) as refusal:
            await h.when(command, who)
        assert refusal.value.code == "consent-withdrawn"
    assert await h.recorded(stream_of(cid)) == before  # nothing written
    [given] = await h.when_published(intake.ConsentGiven(client_id=cid, given_by="client"), cid)
    assert isinstance(given, ConsentNoted) and given.consent == "given"
    [own] = await h.when(c.RecordOwnCheckIn(client_id=cid, text="Taas mukana"), client(cid))
    assert isinstance(own, OwnCheckInRecorded)
    assert await h.when_published(intake.ConsentGiven(client_id=cid, given_by="client"), cid) == []


@covers(SERVICE, c.RequestCaseEnd, c.AnswerCaseEndRequest)
async def test_the_client_asks_to_end_the_case_the_worker_answers_and_closing_stays_the_workers(h: Harness) -> None:
    cid = await live(h)
    [asked] = await h.when(c.RequestCaseEnd(client_id=cid, reason="Pärjään nyt itse"), client(cid))
    assert isinstance(asked, CaseEndRequested) and await h.open(cid, asked.reason) == ["Pärjään nyt itse"]
    with pytest.raises(RuleViolation, match="waiting"):
        await h.when(c.RequestCaseEnd(client_id=cid), client(cid))
    with pytest.raises(Forbidden):  # the client cannot answer their own request, nor close the case
        await h.when(c.AnswerCaseEndRequest(client_id=cid, request_id=asked.request_id, answer="agreed"), client(cid))
    with pytest.raises(InvalidCommand):
        await h.when(c.AnswerCaseEndRequest(client_id=cid, request_id=uuid4(), answer="agreed"), WORKER)
    [answered] = await h.when(c.AnswerCaseEndRequest(client_id=cid, request_id=asked.request_id, answer="agreed",
                                                     note="Sovitaan päättäminen"), WORKER)
    assert isinstance(answered, CaseEndRequestAnswered) and answered.answered_by == WORKER.user_id
    _, view = await views.followup(h.app, ReadFollowUp(client_id=cid), client(cid))
    assert view["status"] == "open" and view["end_requests"][0]["answer"]["answer"] == "agreed"
    [again] = await h.when(c.RequestCaseEnd(client_id=cid), guardian_of(cid))
    assert isinstance(again, CaseEndRequested) and again.by == "representative"
    closing, closed = await h.when(c.CloseCase(client_id=cid, reason="client_request"), WORKER)
    assert isinstance(closing, CaseEndRequestAnswered) and closing.answer == "closed"
    assert isinstance(closed, CaseClosed) and closed.reason == "client_request"


@covers(SERVICE, intake.MunicipalityChanged, c.NoteMunicipality)
async def test_a_move_within_the_county_sets_the_rhythm_from_its_day(h: Harness) -> None:
    cid = uuid4()
    await h.given(stream_of(cid), cid, opened(cid, municipality="Tampere"), plan(cid), first_due(cid))
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date()
    [noted] = await h.when_published(intake.MunicipalityChanged(client_id=cid, municipality="Pori",
                                                                effective_from=yesterday,
                                                                previous_municipality="Tampere"), cid)
    assert isinstance(noted, MunicipalityNoted) and noted.municipality == "Pori"
    before = datetime.now(UTC)
    _, scheduled = await h.when(c.RecordCheckIn(client_id=cid, contact_type="phone", client_account="a",
                                                worker_notes="n"), WORKER)
    assert isinstance(scheduled, FollowUpScheduled) and scheduled.due_at >= before + PORI.every
    assert scheduled.due_at <= datetime.now(UTC) + PORI.every  # Pori's rhythm, not the region's default


@covers(SERVICE, intake.MovedOutOfCounty, c.EndResponsibility)
async def test_a_move_to_another_county_closes_the_case_even_with_a_review_open(h: Harness) -> None:
    cid = await live(h)
    await h.when(c.RequestPlanReview(client_id=cid, reason="Muutetaan suunnitelmaa"), client(cid))
    await h.when(c.RequestCaseEnd(client_id=cid), client(cid))
    moved = intake.MovedOutOfCounty(client_id=cid, moved_on=date.today(), new_county="Pirkanmaan hyvinvointialue",
                                    decided_by=WORKER.user_id, reasoning=Sealed(kid="x", nonce="bm9uY2U=", ct="Y3Q="),
                                    legal_basis="612/2021", appeal_instructions="oikaisu")
    answered, closed = await h.when_published(moved, cid)
    assert isinstance(answered, CaseEndRequestAnswered) and answered.answer == "closed"
    assert isinstance(closed, CaseClosed) and (closed.reason, closed.closed_by) == ("moved_away", WORKER.user_id)
    assert await h.when_published(moved, cid) == []
    nobody = uuid4()
    assert await h.when_published(moved.model_copy(update={"client_id": nobody}), nobody) == []


PEOPLE = {
    c.RecordOwnCheckIn: lambda cid: (c.RecordOwnCheckIn(client_id=cid, text="t"), client(cid)),
    c.RequestCaseEnd: lambda cid: (c.RequestCaseEnd(client_id=cid), client(cid)),
    c.AnswerCaseEndRequest: lambda cid: (c.AnswerCaseEndRequest(client_id=cid, request_id=uuid4(), answer="declined"),
                                         WORKER),
}


@covers(SERVICE, *(refused(NotFound, kind) for kind in PEOPLE), *(refused(Forbidden, kind) for kind in PEOPLE))
@pytest.mark.parametrize("kind", list(PEOPLE), ids=lambda k: k.__name__)
async def test_the_new_steps_refuse_an_unknown_case_and_an_outsider(h: Harness, kind: type) -> None:
    missing = uuid4()
    command, who = PEOPLE[kind](missing)
    with pytest.raises(NotFound):
        await h.when(command, who if who.role != "client" else client(missing))
    cid = await live(h)
    command, _ = PEOPLE[kind](cid)
    for outsider in (OTHER_WORKER, MANAGER, AUDITOR, client(uuid4()), guardian_of(uuid4()), h.app.system):
        with pytest.raises(Forbidden):
            await h.when(command, outsider)
    assert len(await h.recorded(stream_of(cid))) == 3


async def test_a_child_under_15_reads_and_their_guardian_speaks_for_them(h: Harness) -> None:
    cid = await live(h)
    child = Principal(user_id=str(cid), role="client", acts_alone=False)
    await views.followup(h.app, ReadFollowUp(client_id=cid), child)
    with pytest.raises(Forbidden):
        await h.when(c.RecordOwnCheckIn(client_id=cid, text="t"), child)
    [review] = await h.when(c.RequestPlanReview(client_id=cid), guardian_of(cid))
    assert isinstance(review, PlanReviewRequested)
    assert not any(isinstance(e, CheckInRecorded) for e in await h.recorded(stream_of(cid)))


async def test_a_child_is_re_assessed_on_the_childrens_form_and_change_is_measured_on_one_form(h: Harness) -> None:
    faces = SelfAssessmentScores(general_ability=3, mental_wellbeing=2, social_participation=4,
                                 physical_functioning=4, competence=3, everyday_life=2)
    better = faces.model_copy(update={"mental_wellbeing": 4})
    cid = uuid4()
    await h.given(stream_of(cid), cid, opened(cid).model_copy(update={"baseline_scores": faces,
                                                                       "baseline_form": "child"}),
                  plan(cid), first_due(cid))
    with pytest.raises(InvalidCommand, match="five faces"):  # the baseline's form holds: faces, not 0–10
        await h.when(c.Reassess(client_id=cid, scores=SCORES), WORKER)
    [again] = await h.when(c.Reassess(client_id=cid, scores=better), guardian_of(cid))
    assert isinstance(again, ReassessmentRecorded) and (again.form, again.filled_in_by) == ("child", "representative")
    case = (await h.app.runners[CASE].load(stream_of(cid))).state
    assert figures_of(case).change == {area: 2 if area == "mental_wellbeing" else 0 for area in faces.model_dump()}
    # Turned 15: the adult form from now on; its 0–10 scores are not subtracted from the faces.
    await h.when(c.Reassess(client_id=cid, scores=SCORES, form="adult"), WORKER)
    case = (await h.app.runners[CASE].load(stream_of(cid))).state
    assert figures_of(case).change is None
