"""The notifications service's application on the memory store: another service's event → exactly the inbox items
(PersonNotified) of the people it concerns, once; a person marking their own item read; the refusals (404, 403) with
nothing recorded; the directory listener's copy of who is who. Texts: test_notifications_texts.py."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID, uuid4

import pytest

from contracts import budgeting, decisions, followup, history, intake, marketplace
from contracts.notifications import NotificationRead, PersonNotified
from services.notifications.application import commands as c
from services.notifications.application.directory import LISTENER, MemoryDirectory
from services.notifications.application.handlers import Ports, handlers, stream_of
from services.notifications.application.reactions import REACTIONS
from services.notifications.application.texts import render
from services.notifications.domain import audience
from services.notifications.domain.audience import Client, Provider
from services.notifications.domain.notice import item_id_of
from shared.infra import tables
from shared.kernel.approvals import DelegationTable
from shared.kernel.envelope import Actor
from shared.kernel.errors import Forbidden, NotFound
from shared.kernel.events import DomainEvent
from shared.kernel.principal import Principal
from shared.kernel.sealed import Sealed
from tests import application
from tests.application import MANAGER, Harness, covers, published, refused

SERVICE = "notifications"
# The shared staff's ids: the directory and the events name a worker by id.
WORKER, OTHER_WORKER = application.WORKER.user_id, application.OTHER_WORKER.user_id
SEALED = Sealed(kid="k", nonce="bm9uY2U=", ct="Y3Q=")
SCORES = intake.SelfAssessmentScores(general_ability=5, mental_wellbeing=4, social_participation=3,
                                     physical_functioning=7, competence=6, everyday_life=4)


def harness(directory: MemoryDirectory | None = None) -> tuple[Harness, MemoryDirectory]:
    directory = directory or MemoryDirectory()
    return Harness.of(SERVICE, handlers(), Ports(directory=directory, delegations=tables.delegations()),
                      reactions=REACTIONS), directory


def told(events: list[object]) -> dict[str, PersonNotified]:
    notified = [e for e in events if isinstance(e, PersonNotified)]
    by_person = {e.person_id: e for e in notified}
    assert len(by_person) == len(notified), "a person told twice about one event"
    return by_person


def known_client(directory: MemoryDirectory, *, language: str = "fi", coordinator: str | None = WORKER) -> UUID:
    cid = uuid4()
    directory.clients[cid] = Client(cid, language, coordinator)
    return cid


def decided(cid: UUID) -> budgeting.BudgetDecided:
    return budgeting.BudgetDecided(
        client_id=cid, decision_number="HB-2026-0042", proposal_id=uuid4(), amount_cents=1_190_00,
        period=budgeting.Period(start=date(2026, 12, 1), end=date(2027, 11, 30)), breakdown={"home_help": 1_190_00},
        decided_by=WORKER, reasoning=SEALED, legal_basis="VpL 42 §", appeal_instructions="Oikaisuvaatimus 30 pv")


# --- reactions: who is told what ------------------------------------------------------------------------------


@covers(SERVICE, budgeting.BudgetDecided, c.Tell)
async def test_a_decided_budget_tells_the_client_in_their_language_and_the_coordinator() -> None:
    h, directory = harness()
    cid = known_client(directory, language="sv")
    events = await h.when_published(decided(cid), cid, consumer="notices")
    people = told(events)
    assert set(people) == {str(cid), WORKER}
    assert people[str(cid)].audience == "client" and people[str(cid)].language == "sv"
    assert people[WORKER].audience == "worker" and people[WORKER].language == "fi"
    assert people[str(cid)].kind == "budget_decided"
    assert people[str(cid)].params == {"decision_number": "HB-2026-0042", "amount_cents": 1_190_00}
    assert people[str(cid)].item_id == item_id_of(people[str(cid)].source_event_id, str(cid))


async def test_the_same_event_twice_tells_nobody_twice() -> None:
    h, directory = harness()
    cid = known_client(directory)
    envelope = published(decided(cid), cid)
    first = await h.app.handle(REACTIONS.command_for(envelope), h.app.system, _context())  # type: ignore[arg-type]
    again = await h.app.handle(REACTIONS.command_for(envelope), h.app.system, _context())  # type: ignore[arg-type]
    assert len(first.new_events) == 2 and again.new_events == []
    assert len(await h.recorded(stream_of(envelope.id))) == 2


async def test_a_client_the_service_never_heard_of_is_still_told_in_finnish() -> None:
    h, _ = harness()
    cid = uuid4()
    people = told(await h.when_published(decided(cid), cid, consumer="notices"))
    assert set(people) == {str(cid)} and people[str(cid)].language == "fi"  # no coordinator known: none told


async def test_representatives_read_in_the_clients_language() -> None:
    h, directory = harness()
    cid = uuid4()
    directory.clients[cid] = Client(cid, "sv", WORKER, representatives=("rep-1",))
    people = told(await h.when_published(decided(cid), cid, consumer="notices"))
    assert people["rep-1"].audience == "representative" and people["rep-1"].language == "sv"


async def test_the_person_whose_act_it_was_is_not_told() -> None:
    h, directory = harness()
    cid = known_client(directory)
    envelope = published(decided(cid), cid).model_copy(update={"actor": _actor(WORKER)})
    async with h.store.transaction() as session:
        await h.app.react(session, envelope)
    assert set(told(await h.recorded(stream_of(envelope.id)))) == {str(cid)}


@covers(SERVICE, budgeting.BudgetRevised)
async def test_a_revised_budget_tells_the_old_and_new_amount() -> None:
    h, directory = harness()
    cid = known_client(directory)
    revised = budgeting.BudgetRevised(client_id=cid, revision_number=1, previous_amount_cents=100_000,
                                      amount_cents=120_000, breakdown={"home_help": 120_000}, reason=SEALED)
    people = told(await h.when_published(revised, cid, consumer="notices"))
    assert set(people) == {str(cid), WORKER}
    assert people[str(cid)].params == {"amount_cents": 120_000, "previous_amount_cents": 100_000}


@covers(SERVICE, budgeting.BudgetRejected)
async def test_a_refused_approval_tells_the_coordinator_and_the_client() -> None:
    h, directory = harness()
    cid = known_client(directory)
    rejected = budgeting.BudgetRejected(client_id=cid, proposal_id=uuid4(), rejected_by=MANAGER.user_id,
                                        reason=SEALED)
    people = told(await h.when_published(rejected, cid, consumer="notices"))
    assert {p: e.kind for p, e in people.items()} == {WORKER: "approval_refused", str(cid): "approval_refused"}


@covers(SERVICE, marketplace.ApprovalRefused)
async def test_a_purchase_a_manager_did_not_approve_tells_the_coordinator_and_the_client() -> None:
    h, directory = harness()
    cid, purchase_id = known_client(directory), uuid4()
    refused_ = marketplace.ApprovalRefused(approval_id=uuid4(), kind="purchase", matter_id=purchase_id, client_id=cid,
                                           refused_by=MANAGER.user_id, reasoning=SEALED)
    people = told(await h.when_published(refused_, cid, consumer="notices"))
    assert {p: e.kind for p, e in people.items()} == {WORKER: "purchase_refused", str(cid): "purchase_refused"}
    assert people[str(cid)].params == {"purchase_id": str(purchase_id)}  # the manager's words stay on the purchase


def waiting_purchase(cid: UUID, amount_cents: int, municipality: str = "Pori") -> marketplace.ApprovalRequested:
    authority = tables.delegations().authority(WORKER, "worker", "purchase", municipality, date(2026, 11, 30))
    assert authority is not None
    return marketplace.ApprovalRequested(approval_id=uuid4(), kind="purchase", matter_id=uuid4(), client_id=cid,
                                         municipality=municipality, amount_cents=amount_cents, requested_by=WORKER,
                                         authority=authority)


@covers(SERVICE, marketplace.ApprovalRequested)
async def test_a_request_for_approval_tells_each_person_whose_delegation_covers_it_but_not_the_asker() -> None:
    # The county's table: a worker buys alone up to 2 000 €, a manager approves up to 20 000 €.
    h, directory = harness()
    directory.roles.update({WORKER: "worker", OTHER_WORKER: "worker", "manager-maija": "manager",
                            "manager-pekka": "manager", "auditor-olli": "auditor"})
    directory.staff_languages["manager-pekka"] = "sv"
    cid = known_client(directory)
    envelope = published(waiting_purchase(cid, 3_500_00), cid).model_copy(update={"actor": _actor(WORKER)})
    async with h.store.transaction() as session:
        await h.app.react(session, envelope)
    people = told(await h.recorded(stream_of(envelope.id)))
    assert set(people) == {"manager-maija", "manager-pekka"}  # another worker's limit does not reach 3 500 €
    assert people["manager-pekka"].language == "sv" and people["manager-pekka"].audience == "manager"
    assert people["manager-maija"].kind == "approval_waiting"
    text = render("approval_waiting", "manager", people["manager-maija"].params, "fi")
    assert text["title"] == "Pyyntö odottaa hyväksyntääsi" and text["body"].startswith("Hankinta, 3\xa0500,00\xa0€")


@covers(SERVICE, budgeting.ApprovalRequested)
async def test_a_budget_above_the_workers_limit_reaches_the_managers_too() -> None:
    h, directory = harness()
    directory.roles.update({"manager-maija": "manager", OTHER_WORKER: "worker"})
    cid = known_client(directory)
    authority = tables.delegations().authority(WORKER, "worker", "budget_decision", "Pori", date(2026, 11, 30))
    assert authority is not None
    waiting = budgeting.ApprovalRequested(approval_id=uuid4(), kind="budget_decision", matter_id=uuid4(),
                                          client_id=cid, municipality="Pori", amount_cents=6_000_00,
                                          requested_by=WORKER, authority=authority)
    people = told(await h.when_published(waiting, cid, consumer="notices"))
    assert set(people) == {"manager-maija"}
    text = render("approval_waiting", "manager", people["manager-maija"].params, "sv")
    assert text["body"].startswith("Ett budgetbeslut, 6\xa0000,00\xa0€")


async def test_a_request_above_every_managers_delegation_waits_for_nobody_it_cannot_reach() -> None:
    h, directory = harness()
    directory.roles.update({"manager-maija": "manager"})
    cid = known_client(directory)
    events = await h.when_published(waiting_purchase(cid, 25_000_00), cid, consumer="notices")
    assert told(events) == {}


@covers(SERVICE, intake.CoordinatorAssigned)
async def test_a_first_coordinator_and_a_change_of_worker() -> None:
    h, directory = harness()
    cid = known_client(directory, coordinator=None)
    first = told(await h.when_published(intake.CoordinatorAssigned(client_id=cid, worker_id=WORKER), cid,
                                        consumer="notices"))
    assert {p: e.kind for p, e in first.items()} == {str(cid): "coordinator_assigned", WORKER: "coordinator_assigned"}
    changed = told(await h.when_published(intake.CoordinatorAssigned(
        client_id=cid, worker_id=OTHER_WORKER, previous_worker_id=WORKER), cid, consumer="notices"))
    assert set(changed) == {str(cid), OTHER_WORKER, WORKER}
    assert changed[WORKER].params == {"variant": "previous"} and changed[OTHER_WORKER].params == {}


@covers(SERVICE, intake.IntakeDeclined)
async def test_a_declined_intake_tells_the_client_side() -> None:
    h, directory = harness()
    cid = known_client(directory)
    declined = intake.IntakeDeclined(client_id=cid, reason=SEALED, appeal_instructions="30 pv")
    assert set(told(await h.when_published(declined, cid, consumer="notices"))) == {str(cid)}


@covers(SERVICE, marketplace.OrderRejected)
async def test_a_rejected_order_gives_its_reason_code_never_its_free_text() -> None:
    h, directory = harness()
    cid = known_client(directory)
    rejected = marketplace.OrderRejected(client_id=cid, order_id=uuid4(), reason_code="exceeds_remaining",
                                         reason="Matti Meikäläinen 010101-123N")
    people = told(await h.when_published(rejected, cid, consumer="notices"))
    assert set(people) == {str(cid), WORKER}
    assert "Matti" not in str(people[str(cid)].params) and people[str(cid)].params["reason_code"] == "exceeds_remaining"


@covers(SERVICE, followup.FollowUpOverdue)
async def test_an_overdue_follow_up_tells_the_worker_it_names() -> None:
    h, directory = harness()
    cid = known_client(directory, coordinator=OTHER_WORKER)
    overdue = followup.FollowUpOverdue(client_id=cid, number=2, due_at=datetime(2026, 11, 20, 10, tzinfo=UTC),
                                       coordinator_id=WORKER)
    people = told(await h.when_published(overdue, cid, consumer="notices"))
    assert set(people) == {WORKER} and people[WORKER].params == {"number": 2, "due_on": "2026-11-20"}


@covers(SERVICE, marketplace.ProviderSuspended)
async def test_a_suspension_tells_each_affected_person_once_with_how_many_orders_concern_them() -> None:
    h, directory = harness()
    provider_id = uuid4()
    directory.providers[provider_id] = Provider(provider_id, ("provider-user",), "sv")
    anna, bert = known_client(directory, language="sv"), known_client(directory, coordinator=WORKER)
    other = known_client(directory, coordinator=OTHER_WORKER)
    for cid in (anna, anna, bert):
        directory.orders[uuid4()] = (cid, provider_id, True)
    directory.orders[uuid4()] = (other, provider_id, False)  # closed: not touched
    directory.orders[uuid4()] = (other, uuid4(), True)  # another provider's
    suspended = marketplace.ProviderSuspended(provider_id=provider_id, reason="audit findings")
    people = told(await h.when_published(suspended, provider_id, consumer="notices"))
    assert set(people) == {"provider-user", str(anna), str(bert), WORKER}
    assert {p: e.params["orders"] for p, e in people.items()} == {
        "provider-user": 3, str(anna): 2, str(bert): 1, WORKER: 3}
    assert people[str(anna)].language == "sv" and people["provider-user"].language == "sv"


@covers(SERVICE, marketplace.OrderDeclined, marketplace.OrderCancelled)
async def test_a_declined_or_cancelled_order_tells_the_client_side_and_the_coordinator_but_not_who_did_it() -> None:
    h, directory = harness()
    cid = known_client(directory)
    declined = told(await h.when_published(marketplace.OrderDeclined(client_id=cid, order_id=uuid4(), reason=SEALED),
                                           cid, consumer="notices"))
    assert {p: e.kind for p, e in declined.items()} == {str(cid): "order_declined", WORKER: "order_declined"}
    assert set(declined[str(cid)].params) == {"order_id"}  # the provider's own words stay with the order
    cancelled = marketplace.OrderCancelled(client_id=cid, order_id=uuid4(), reason="cancelled_by_client")
    envelope = published(cancelled, cid).model_copy(update={"actor": Actor(id=str(cid), role="client")})
    async with h.store.transaction() as session:
        await h.app.react(session, envelope)
    people = told(await h.recorded(stream_of(envelope.id)))
    assert set(people) == {WORKER} and people[WORKER].params["reason_code"] == "cancelled_by_client"


@covers(SERVICE, followup.CaseClosed)
async def test_a_closed_case_tells_the_client_side_and_after_a_death_only_the_coordinator() -> None:
    h, directory = harness()
    cid = known_client(directory)
    closed = told(await h.when_published(followup.CaseClosed(client_id=cid, reason="goals_achieved",
                                                             closed_by=MANAGER.user_id), cid, consumer="notices"))
    assert set(closed) == {str(cid), WORKER} and closed[str(cid)].params == {"closure_code": "goals_achieved"}
    other = known_client(directory)
    after_death = told(await h.when_published(followup.CaseClosed(client_id=other, reason="deceased",
                                                                  closed_by=MANAGER.user_id), other,
                                              consumer="notices"))
    assert set(after_death) == {WORKER}


@covers(SERVICE, budgeting.PlanReviewOpened)
async def test_a_plan_review_asked_for_tells_the_coordinator() -> None:
    h, directory = harness()
    cid = known_client(directory)
    opened = budgeting.PlanReviewOpened(client_id=cid, review_id=uuid4(), requested_by="client")
    people = told(await h.when_published(opened, cid, consumer="notices"))
    assert set(people) == {WORKER} and people[WORKER].params == {"requester": "client"}


def letter(cid: UUID, recipient: str) -> decisions.LetterIssued:
    """The register's letter for one recipient served, as issue 18 writes it (the PDF and its facts sealed)."""
    return decisions.LetterIssued(
        letter_id=uuid4(), decision_id=uuid4(), client_id=cid, decision_number="HB-2026-0042", kind="budget",
        recipient=recipient, dispatch_id=uuid4(), language="sv", template_version="1", catalogue_version="0" * 64,
        texts={"letter.title": "Beslut"}, content_hash="0" * 64, html_hash="0" * 64, pdf_variant="PDF/A-3a",
        document=SEALED, content=SEALED, metadata=decisions.LetterMetadata(
            document_type="decision-letter/budget", title="Beslut om personlig budget", author="Aino Virtanen",
            organisation="Satakunnan hyvinvointialue", service_task=None, decided_on=date(2026, 11, 30),
            issued_at=datetime(2026, 11, 30, 10, tzinfo=UTC)))


async def _delivered_twice(h: Harness, event: DomainEvent, cid: UUID, actor: Actor | None = None
                           ) -> tuple[dict[str, PersonNotified], list[DomainEvent]]:
    """Who ``event`` told, and what the same event told when it came again (a redelivery past the inbox)."""
    envelope = published(event, cid)
    if actor is not None:
        envelope = envelope.model_copy(update={"actor": actor})
    for _ in range(2):
        async with h.store.transaction() as session:
            await h.app.react(session, envelope)
    notice = await h.recorded(stream_of(envelope.id))
    return told(notice), notice


@covers(SERVICE, decisions.LetterIssued)
async def test_a_decision_letter_tells_its_own_recipient_alone_once_in_the_clients_language() -> None:
    h, directory = harness()
    cid = uuid4()
    directory.clients[cid] = Client(cid, "sv", WORKER, representatives=("rep-1", "rep-2"))
    to_client, notice = await _delivered_twice(h, letter(cid, "client"), cid)
    assert set(to_client) == {str(cid)} and len(notice) == 1  # not the representatives, not the coordinator
    item = to_client[str(cid)]
    assert (item.kind, item.audience, item.language) == ("letter_issued", "client", "sv")
    assert item.params == {"decision_number": "HB-2026-0042"}  # no names, no texts of the letter
    assert render(item.kind, item.audience, item.params, item.language)["title"] == "Ett beslutsbrev finns att läsa"
    to_guardian, notice = await _delivered_twice(h, letter(cid, "rep-1"), cid)
    assert set(to_guardian) == {"rep-1"} and len(notice) == 1
    assert (to_guardian["rep-1"].audience, to_guardian["rep-1"].language) == ("representative", "sv")


async def test_a_letter_to_someone_who_no_longer_represents_the_client_tells_nobody() -> None:
    h, directory = harness()
    cid = uuid4()
    directory.clients[cid] = Client(cid, "fi", WORKER, representatives=("rep-1",))  # rep-2's link ended
    people, notice = await _delivered_twice(h, letter(cid, "rep-2"), cid)
    assert people == {} and notice == []


@covers(SERVICE, decisions.RectificationDecided)
async def test_a_rectification_outcome_tells_the_client_side_in_their_language_and_the_coordinator_once() -> None:
    h, directory = harness()
    cid = uuid4()
    directory.clients[cid] = Client(cid, "sv", WORKER, representatives=("rep-1",))
    outcome = decisions.RectificationDecided(
        request_id=uuid4(), decision_id=uuid4(), client_id=cid, outcome="upheld",
        body="individual_matters_section", meeting_date=date(2026, 11, 26), minutes_section="12 §",
        recorded_by=OTHER_WORKER, reasoning=SEALED, outcome_decision_id=uuid4(),
        outcome_decision_number="OV-2026-0007")
    people, notice = await _delivered_twice(h, outcome, cid, _actor(OTHER_WORKER))  # who recorded it: not told
    assert set(people) == {str(cid), "rep-1", WORKER} and len(notice) == 3
    assert {p: (e.kind, e.language) for p, e in people.items()} == {
        str(cid): ("rectification_decided", "sv"), "rep-1": ("rectification_decided", "sv"),
        WORKER: ("rectification_decided", "fi")}
    assert people[str(cid)].params == {"decision_number": "OV-2026-0007", "outcome_code": "upheld"}
    client = people[str(cid)]
    assert "beslutet står fast" in render(client.kind, client.audience, client.params, client.language)["body"]


# --- marking read ---------------------------------------------------------------------------------------------


async def _told_client(h: Harness, directory: MemoryDirectory) -> tuple[UUID, PersonNotified]:
    cid = known_client(directory)
    people = told(await h.when_published(decided(cid), cid, consumer="notices"))
    return cid, people[str(cid)]


@covers(SERVICE, c.MarkRead)
async def test_a_person_marks_their_own_item_read_once() -> None:
    h, directory = harness()
    cid, item = await _told_client(h, directory)
    command = c.MarkRead(notice_id=item.source_event_id, item_id=item.item_id)
    reader = Principal(user_id=str(cid), role="client")
    assert await h.when(command, reader) == [NotificationRead(item_id=item.item_id, person_id=str(cid))]
    assert await h.when(command, reader) == []


@covers(SERVICE, refused(NotFound, c.MarkRead))
async def test_an_unknown_item_is_not_found() -> None:
    h, directory = harness()
    cid, item = await _told_client(h, directory)
    reader = Principal(user_id=str(cid), role="client")
    with pytest.raises(NotFound):
        await h.when(c.MarkRead(notice_id=uuid4(), item_id=item.item_id), reader)
    with pytest.raises(NotFound):
        await h.when(c.MarkRead(notice_id=item.source_event_id, item_id=uuid4()), reader)


@covers(SERVICE, refused(Forbidden, c.MarkRead))
async def test_nobody_marks_another_persons_item() -> None:
    h, directory = harness()
    _, item = await _told_client(h, directory)
    command = c.MarkRead(notice_id=item.source_event_id, item_id=item.item_id)
    for other in (application.WORKER, MANAGER, h.app.system):
        with pytest.raises(Forbidden):
            await h.when(command, other)
    assert not any(isinstance(e, NotificationRead) for e in await h.recorded(stream_of(item.source_event_id)))


async def test_only_the_service_itself_tells_people() -> None:
    h, _ = harness()
    cid = uuid4()
    tell = c.Tell(source_event_id=uuid4(), source_event_type="x", subject=str(cid), kind="budget_decided",
                  parties=(c.Party(role="client_side", id=str(cid)),))
    with pytest.raises(Forbidden):
        await h.when(tell, application.WORKER)


# --- the directory listener -----------------------------------------------------------------------------------


@covers(SERVICE, intake.ClientRegistered, intake.IntakeCompleted, history.ClientErased)
async def test_the_directory_keeps_a_clients_language_coordinator_and_sealed_contact_until_erased() -> None:
    h, directory = harness()
    cid = uuid4()
    await h.when_heard(LISTENER, intake.ClientRegistered(client_id=cid, personal_data=SEALED, municipality="Pori",
                                                         preferred_language="sv"), cid)
    assert directory.clients[cid] == Client(cid, "sv", None) and directory.contacts[cid] == SEALED
    await h.when_heard(LISTENER, intake.IntakeCompleted(
        client_id=cid, coordinator_id=WORKER, service_task=intake.ServiceTask.DISABILITY_SERVICES,
        municipality="Pori", preferred_language="sv", baseline_scores=SCORES), cid)
    assert directory.clients[cid].coordinator_id == WORKER
    await h.when_heard(LISTENER, intake.CoordinatorAssigned(client_id=cid, worker_id=OTHER_WORKER), cid)
    assert directory.clients[cid].coordinator_id == OTHER_WORKER
    await h.when_heard(LISTENER, history.ClientErased(client_id=cid, basis="retention_period_ended",
                                                      legal_basis="AsiakastietoL"), cid)
    assert cid not in directory.contacts


@covers(SERVICE, intake.PreferredLanguageChanged)
async def test_a_client_who_changes_their_language_is_told_in_the_new_one_from_then_on() -> None:
    h, directory = harness()
    cid = known_client(directory, language="fi")
    await h.when_heard(LISTENER, intake.PreferredLanguageChanged(client_id=cid, preferred_language="en"), cid)
    assert directory.clients[cid] == Client(cid, "en", WORKER)  # the coordinator stays
    people = told(await h.when_published(decided(cid), cid, consumer="notices"))
    assert people[str(cid)].language == "en" and people[WORKER].language == "fi"


@covers(SERVICE, intake.ContactDetailsChanged)
async def test_a_client_who_changes_their_e_mail_is_mailed_at_the_new_address_and_a_new_phone_changes_nothing(
) -> None:
    from services.notifications.application.addresses import AddressBook

    h, directory = harness()
    cid = uuid4()
    await h.keyring.create(str(cid))
    registered, new_email, new_phone = await h.keyring.seal(
        str(cid), '{"email": "vanha@example.test", "phone": null}', '{"email": "uusi@example.test"}',
        '{"phone": "040 123"}')
    await h.when_heard(LISTENER, intake.ClientRegistered(client_id=cid, personal_data=registered, municipality="Pori",
                                                         preferred_language="fi"), cid)
    logged: list[UUID] = []

    async def log_access(client_id: UUID, item_id: UUID) -> None:
        logged.append(client_id)

    book = AddressBook(directory, h.keyring, log_access)
    assert await book.address_of(str(cid), "client", uuid4()) == "vanha@example.test"
    await h.when_heard(LISTENER, intake.ContactDetailsChanged(client_id=cid, changed=["email"], contact=new_email), cid)
    await h.when_heard(LISTENER, intake.ContactDetailsChanged(client_id=cid, changed=["phone"], contact=new_phone), cid)
    assert await book.address_of(str(cid), "client", uuid4()) == "uusi@example.test"
    assert logged == [cid, cid]  # each opening in the access log first


@covers(SERVICE, marketplace.ProviderRegistered, marketplace.OrderPlaced, marketplace.OrderRejected,
        marketplace.OrderDeclined, marketplace.OrderCancelled, marketplace.ServiceDelivered)
async def test_the_directory_knows_which_orders_a_provider_still_has_open() -> None:
    h, directory = harness()
    provider_id, cid = uuid4(), uuid4()
    await h.when_heard(LISTENER, marketplace.ProviderRegistered(
        provider_id=provider_id, y_tunnus="1234567-8", name="Hoiva Oy", kind=marketplace.ProviderKind.FIRM,
        service_areas=["Pori"], languages=["sv"], accessibility="", evening_availability=False,
        weekend_availability=False, contact_email="info@hoiva.example"), provider_id)
    assert directory.providers[provider_id].language == "sv"
    orders = [uuid4() for _ in range(5)]
    for order_id in orders:
        await h.when_heard(LISTENER, marketplace.OrderPlaced(
            client_id=cid, order_id=order_id, provider_id=provider_id, offering_id=uuid4(), category="cleaning",
            quantity=1, unit_price_cents=5000, amount_cents=5000), cid)
    closings = [
        marketplace.OrderRejected(client_id=cid, order_id=orders[0], reason_code="exceeds_remaining", reason="-"),
        marketplace.OrderDeclined(client_id=cid, order_id=orders[1], reason=SEALED),
        marketplace.OrderCancelled(client_id=cid, order_id=orders[2]),
        marketplace.ServiceDelivered(client_id=cid, order_id=orders[3], delivered_on=date(2026, 11, 30)),
    ]
    for closing in closings:
        await h.when_heard(LISTENER, closing, cid)
    assert [o for o, _ in await directory.open_orders(provider_id)] == [orders[4]]


@covers(SERVICE, intake.StaffProfileRecorded)
async def test_staff_are_told_in_their_own_language_and_mailed_at_work_while_active() -> None:
    h, directory = harness()
    profile = intake.StaffProfileRecorded(staff_id=WORKER, name="Aino Virtanen", work_email="aino@county.example",
                                          languages=["sv", "fi"], source="identity_provider")
    await h.when_heard(LISTENER, profile, uuid4())
    assert directory.staff_languages[WORKER] == "sv" and await directory.staff_email(WORKER) == "aino@county.example"
    cid = known_client(directory, language="fi")
    people = told(await h.when_published(decided(cid), cid, consumer="notices"))
    assert people[WORKER].language == "sv" and people[str(cid)].language == "fi"
    await h.when_heard(LISTENER, profile.model_copy(update={"active": False}), uuid4())
    assert await directory.staff_email(WORKER) is None  # someone who has left is not mailed


# --- helpers --------------------------------------------------------------------------------------------------


def _actor(user_id: str) -> Actor:
    return Actor(id=user_id, role="worker")


def _context():  # type: ignore[no-untyped-def]
    from shared.infra.eventstore import CommandContext
    from shared.kernel.envelope import Actor

    return CommandContext(actor=Actor(id=SERVICE, role="system"), correlation_id=str(uuid4()),
                          now=datetime.now(UTC))


def test_a_worker_whose_own_limit_covers_the_amount_is_not_told_it_waits_for_them() -> None:
    # Only managers answer requests for approval (budgeting's and marketplace's policies), so a senior worker with
    # a higher limit of their own is not told that another worker's purchase waits for their approval.
    table = DelegationTable.from_mapping({
        "version": "test", "kinds": ["purchase"], "regions": {},
        "delegation": [
            {"id": "w", "kind": "purchase", "role": "worker", "limit_cents": 2_000_00, "valid_from": date(2026, 1, 1)},
            {"id": "senior", "kind": "purchase", "person": OTHER_WORKER, "limit_cents": 10_000_00,
             "valid_from": date(2026, 1, 1)},
            {"id": "m", "kind": "purchase", "role": "manager", "limit_cents": 20_000_00,
             "valid_from": date(2026, 1, 1)}]})
    told_ = audience.approvers([(WORKER, "worker"), (OTHER_WORKER, "worker"), ("manager-maija", "manager")], table,
                               kind="purchase", municipality="Pori", amount_cents=3_500_00, on=date(2026, 11, 30),
                               requested_by=WORKER)
    assert [(r.person_id, r.audience) for r in told_] == [("manager-maija", "manager")]
