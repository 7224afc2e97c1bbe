"""The decisions service's application on the memory store: given events → when a command or another service's
event → then events (or the refusal, nothing recorded), and the read models it keeps."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from contracts import approvals, budgeting, decisions, intake, marketplace
from services.decisions.adapters.postgres import OVERDUE_TIMER
from services.decisions.application import commands as c
from services.decisions.application import views
from services.decisions.application.approvals import EVENTS as APPROVAL_EVENTS
from services.decisions.application.approvals import LISTENER
from services.decisions.application.handlers import HANDLERS, TIMERS
from services.decisions.application.ports import ApprovalNote, ApprovalRow, Ports
from services.decisions.application.queries import ListApprovals, ReadDecision, ReadRecipients
from services.decisions.application.reactions import REACTIONS
from services.decisions.domain.recipients import Link, Standing
from shared.infra import people
from shared.kernel.approvals import Authority, DelegationTable
from shared.kernel.calendar import county_day
from shared.kernel.errors import Forbidden, InvalidCommand, NotFound, RuleViolation
from shared.kernel.law import Instructions, LegalBasis
from shared.kernel.principal import Principal
from shared.kernel.representation import ACTS, Mandate
from shared.kernel.sealed import Sealed
from tests.application import Harness, covers, refused

SERVICE = "decisions"
WORKER = Principal(user_id="worker-aino", role="worker")
OTHER_WORKER = Principal(user_id="worker-eero", role="worker")
MANAGER = Principal(user_id="manager-helmi", role="manager")
SMALL_MANAGER = Principal(user_id="manager-pieni", role="manager")
AUDITOR = Principal(user_id="auditor-otso", role="auditor")
TODAY = date(2026, 3, 1)


class MemoryApprovals:
    """The queue in memory, with the PostgreSQL adapter's rules: a request once, an answer once."""

    def __init__(self) -> None:
        self.rows: dict[UUID, ApprovalRow] = {}

    async def note(self, session: Any, note: ApprovalNote) -> None:
        row = self.rows.get(note.approval_id)
        if note.status == "pending":
            if row is None:
                self.rows[note.approval_id] = ApprovalRow(
                    note.approval_id, note.service, note.kind, note.matter_id, note.client_id, note.municipality,
                    note.amount_cents, note.limit_cents, note.by, note.at, "pending", None, None)
            return
        if row is None:
            row = ApprovalRow(note.approval_id, note.service, note.kind, note.matter_id, note.client_id, None, 0,
                              None, "", note.at, "pending", None, None)
        if row.status == "pending":
            self.rows[note.approval_id] = replace(row, status=note.status, answered_by=note.by, answered_at=note.at)

    async def list(self, *, status: str | None, kind: str | None, requested_by: str | None, limit: int,
                   offset: int) -> list[ApprovalRow]:
        rows = [r for r in self.rows.values() if (status is None or r.status == status)
                and (kind is None or r.kind == kind) and (requested_by is None or r.requested_by == requested_by)]
        return sorted(rows, key=lambda r: (r.requested_at, str(r.approval_id)))[offset:offset + limit]


def delegations() -> DelegationTable:
    rows = [
        {"id": "worker", "kind": "budget_decision", "role": "worker", "limit_cents": 500_000, "valid_from": date(2020, 1, 1)},
        {"id": "manager", "kind": "budget_decision", "role": "manager", "limit_cents": 5_000_000,
         "valid_from": date(2020, 1, 1)},
        {"id": "small-manager", "kind": "budget_decision", "person": SMALL_MANAGER.user_id, "limit_cents": 550_000,
         "valid_from": date(2020, 1, 1)},
        {"id": "worker-purchase", "kind": "purchase", "role": "worker", "limit_cents": 200_000,
         "valid_from": date(2020, 1, 1)},
        {"id": "manager-purchase", "kind": "purchase", "role": "manager", "limit_cents": 2_000_000,
         "valid_from": date(2020, 1, 1)},
    ]
    return DelegationTable.from_mapping({"version": "t", "kinds": ["budget_decision", "purchase"], "delegation": rows})


@pytest.fixture
def h() -> Harness:
    return Harness.of(SERVICE, HANDLERS, Ports(approvals=MemoryApprovals(), delegations=delegations()))


def family_member(base: type[Any]) -> list[type[Any]]:
    """Every service's class of one member of the approval family (budgeting's and the marketplace's purchases)."""
    return [e for e in APPROVAL_EVENTS if issubclass(e, base)]


AUTHORITY = Authority(table_version="t", rule_id="worker", kind="budget_decision", holder="role:worker",
                      limit_cents=500_000)


def requested(model: type[Any], cid: UUID, approval_id: UUID, amount: int = 600_000) -> Any:
    return model(approval_id=approval_id, kind="budget_decision", matter_id=uuid4(), client_id=cid, municipality="Pori",
                 amount_cents=amount, requested_by=WORKER.user_id, authority=AUTHORITY,
                 reasoning=Sealed(kid=str(cid), nonce="bm9uY2U=", ct="Y3Q="))


async def queue(h: Harness, reader: Principal, status: str | None = "pending") -> list[dict[str, Any]]:
    return await views.approvals(h.app, ListApprovals(status=status), reader, TODAY)  # type: ignore[arg-type]


@covers(SERVICE, *family_member(approvals.ApprovalRequested), *family_member(approvals.ApprovalGranted))
@pytest.mark.parametrize("model", family_member(approvals.ApprovalRequested), ids=lambda m: m.__module__)
async def test_a_request_above_the_limit_waits_in_the_queue_until_it_is_answered(h: Harness, model: type[Any]) -> None:
    cid, approval_id = uuid4(), uuid4()
    request = requested(model, cid, approval_id)
    await h.when_heard(LISTENER, request, cid)
    await h.when_heard(LISTENER, request, cid)  # a redelivery changes nothing
    [row] = await queue(h, MANAGER)
    assert (row["approval_id"], row["amount_cents"], row["limit_cents"], row["requested_by"], row["status"]) == (
        approval_id, 600_000, 500_000, WORKER.user_id, "pending")
    assert row["may_answer"] is True
    [granted_model] = [e for e in family_member(approvals.ApprovalGranted) if e.__module__ == model.__module__]
    granted = granted_model(approval_id=approval_id, kind="budget_decision", matter_id=request.matter_id, client_id=cid,
                            granted_by=MANAGER.user_id, authority=AUTHORITY)
    await h.when_heard(LISTENER, granted, cid)
    assert await queue(h, MANAGER) == []
    [answered] = await queue(h, MANAGER, status="granted")
    assert answered["answered_by"] == MANAGER.user_id and answered["may_answer"] is False


@covers(SERVICE, *family_member(approvals.ApprovalRefused), *family_member(approvals.ApprovalWithdrawn))
@pytest.mark.parametrize("answer", [*family_member(approvals.ApprovalRefused), *family_member(approvals.ApprovalWithdrawn)],
                         ids=lambda m: f"{m.__module__}.{m.__name__}")
async def test_a_refused_or_withdrawn_request_leaves_the_queue(h: Harness, answer: type[Any]) -> None:
    cid, approval_id = uuid4(), uuid4()
    [model] = [e for e in family_member(approvals.ApprovalRequested) if e.__module__ == answer.__module__]
    request = requested(model, cid, approval_id)
    await h.when_heard(LISTENER, request, cid)
    common = {"approval_id": approval_id, "kind": "budget_decision", "matter_id": request.matter_id, "client_id": cid}
    if issubclass(answer, approvals.ApprovalRefused):
        event = answer(**common, refused_by=MANAGER.user_id, reasoning=request.reasoning)
    else:
        event = answer(**common, reason="budget_closed")
    await h.when_heard(LISTENER, event, cid)
    assert await queue(h, MANAGER) == []
    [row] = await queue(h, MANAGER, status=None)
    assert row["status"] == ("refused" if issubclass(answer, approvals.ApprovalRefused) else "withdrawn")


async def test_the_queue_says_who_may_answer_by_their_own_delegation(h: Harness) -> None:
    [model] = family_member(approvals.ApprovalRequested)[:1]
    for amount in (520_000, 900_000):
        cid = uuid4()
        await h.when_heard(LISTENER, requested(model, cid, uuid4(), amount), cid)
    assert [r["may_answer"] for r in await queue(h, SMALL_MANAGER)] == [True, False]  # 5 500 € is her limit
    assert [r["may_answer"] for r in await queue(h, MANAGER)] == [True, True]
    assert [r["may_answer"] for r in await queue(h, WORKER)] == [False, False]  # she asked: never her own
    assert await queue(h, OTHER_WORKER) == []  # a worker sees only the requests she made
    assert len(await queue(h, AUDITOR)) == 2


@pytest.mark.parametrize("reader", [Principal(user_id=str(uuid4()), role="client"),
                                    Principal(user_id="p", role="provider", provider_id=str(uuid4()))])
async def test_clients_and_providers_have_no_approvals_queue(h: Harness, reader: Principal) -> None:
    with pytest.raises(Forbidden):
        await queue(h, reader)


def test_the_queue_reads_every_services_approval_family() -> None:
    assert {e.event_type.rsplit(".", 1)[1] for e in APPROVAL_EVENTS} == {
        "ApprovalRequested", "ApprovalGranted", "ApprovalRefused", "ApprovalWithdrawn"}
    assert {"budgeting", "marketplace"} <= set(LISTENER.sources)
    assert {marketplace.ApprovalRequested, marketplace.ApprovalGranted, marketplace.ApprovalRefused,
            marketplace.ApprovalWithdrawn} <= set(APPROVAL_EVENTS)


async def test_a_purchase_above_the_workers_limit_waits_in_the_queue_beside_budget_decisions(h: Harness) -> None:
    cid, purchase_id = uuid4(), uuid4()
    limit = AUTHORITY.model_copy(update={"rule_id": "worker-purchase", "kind": "purchase", "limit_cents": 200_000})
    await h.when_heard(LISTENER, marketplace.ApprovalRequested(
        approval_id=uuid4(), kind="purchase", matter_id=purchase_id, client_id=cid, municipality="Pori",
        amount_cents=250_000, requested_by=WORKER.user_id, authority=limit), cid)
    await h.when_heard(LISTENER, requested(budgeting.ApprovalRequested, cid, uuid4()), cid)
    rows = await queue(h, MANAGER)
    assert {(r["service"], r["kind"]) for r in rows} == {("marketplace", "purchase"), ("budgeting", "budget_decision")}
    [bought] = await views.approvals(h.app, ListApprovals(kind="purchase"), MANAGER, TODAY)
    assert (bought["matter_id"], bought["amount_cents"], bought["limit_cents"], bought["may_answer"]) == (
        purchase_id, 250_000, 200_000, True)
    assert [r["may_answer"] for r in await views.approvals(h.app, ListApprovals(kind="purchase"), WORKER, TODAY)] == [
        False]  # she asked


@covers(SERVICE, intake.StaffProfileRecorded, intake.ClientRegistered)
async def test_the_queue_names_who_asked_and_who_answered_from_the_staff_directory(h: Harness) -> None:
    await h.when_heard(people.LISTENER, intake.StaffProfileRecorded(
        staff_id=WORKER.user_id, name="Aino Virtanen", languages=["fi"], source="admin"), uuid4())
    cid = uuid4()
    await h.when_heard(people.LISTENER, intake.ClientRegistered(
        client_id=cid, personal_data=Sealed(kid=str(cid), nonce="bm9uY2U=", ct="Y3Q="), municipality="Pori",
        preferred_language="sv"), cid)
    [model] = family_member(approvals.ApprovalRequested)[:1]
    await h.when_heard(LISTENER, requested(model, cid, uuid4()), cid)
    [row] = await queue(h, MANAGER)
    assert (row["requested_by_name"], row["answered_by_name"]) == ("Aino Virtanen", None)
    assert await h.app.deps.people.language(str(cid)) == "sv"


@covers(SERVICE, intake.PreferredLanguageChanged)
async def test_the_register_follows_a_clients_changed_language(h: Harness) -> None:
    cid = uuid4()
    await h.when_heard(people.LISTENER, intake.PreferredLanguageChanged(client_id=cid, preferred_language="en"), cid)
    assert await h.app.deps.people.language(str(cid)) == "en"


# --- the register: a decision registered from its record, served by dispatches, with its time limits -----------

def record(model: type[Any], cid: UUID, *, decided_on: date = date(2026, 11, 16)) -> Any:
    """A deciding service's record of a decision (budgeting's or intake's class of the family)."""
    return model(
        decision_id=uuid4(), decision_number="HB-2026-000042", kind="budget", client_id=cid, decided_on=decided_on,
        decided_by=MANAGER.user_id, authority=AUTHORITY, prepared_by=WORKER.user_id, language="fi",
        reasoning=Sealed(kid=str(cid), nonce="bm9uY2U=", ct="Y3Q="), legal_table_version="t",
        legal_bases=[LegalBasis(act="1301/2014", section="45")],
        instructions=Instructions(kind="rectification", body="individual_matters_section", days=30, act="434/2003",
                                  table_version="t"))


@pytest.fixture
def r(standings: Standings) -> Harness:
    return Harness.of(SERVICE, HANDLERS, Ports(approvals=MemoryApprovals(), delegations=delegations(),
                                               standing=standings), reactions=REACTIONS, timers=TIMERS)


class Standings(dict[UUID, Standing]):
    """Each client's standing as the representation records would have it (unlisted: an adult, no representative)."""

    async def __call__(self, client_id: UUID, on: date) -> Standing:
        return self.get(client_id, Standing())


@pytest.fixture
def standings() -> Standings:
    return Standings()


GUARDIAN = uuid4()


def guarded(standings: Standings, cid: UUID, *, acts_alone: bool = True) -> UUID:
    """``cid`` has GUARDIAN (a guardian's link in force, reading); returns the link's id."""
    link_id = uuid4()
    standings[cid] = Standing(acts_alone=acts_alone, links=(Link(link_id, GUARDIAN, "guardian", frozenset(ACTS)),))
    return link_id


async def registered(r: Harness, cid: UUID | None = None, decided_on: date = date(2026, 11, 16)) -> Any:
    cid = cid or uuid4()
    made = record(budgeting.DecisionRecorded, cid, decided_on=decided_on)
    await r.when_published(made, cid, consumer="register")
    return made


def sent(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@covers(SERVICE, budgeting.DecisionRecorded, intake.DecisionRecorded, c.RegisterDecision)
@pytest.mark.parametrize("model", [budgeting.DecisionRecorded, intake.DecisionRecorded], ids=["budgeting", "intake"])
async def test_every_deciding_services_record_is_registered_once(r: Harness, model: type[Any]) -> None:
    cid = uuid4()
    made = record(model, cid)
    [registered_event] = await r.when_published(made, cid, consumer="register")
    assert isinstance(registered_event, decisions.DecisionRegistered)
    assert (registered_event.decision_number, registered_event.decided_by, registered_event.prepared_by,
            registered_event.source_service, registered_event.instructions.days) == (
        "HB-2026-000042", MANAGER.user_id, WORKER.user_id, model.event_type.split(".")[2], 30)
    assert await r.when_published(made, cid, consumer="register") == []  # the same record, another delivery
    with pytest.raises(Forbidden):  # nobody registers a decision by hand
        await r.when(c.RegisterDecision(client_id=cid, decision_id=made.decision_id, record=registered_event), MANAGER)


@covers(SERVICE, c.DispatchDecision)
async def test_a_letter_starts_the_time_limit_from_the_seventh_day_moved_past_christmas(r: Harness) -> None:
    made = await registered(r)
    [dispatched] = await r.when(c.DispatchDecision(client_id=made.client_id, decision_id=made.decision_id,
                                                   method="letter", sent_at=sent(date(2026, 11, 17))), WORKER)
    assert isinstance(dispatched, decisions.DecisionDispatched)
    assert (dispatched.deemed_received_on, dispatched.deadline, dispatched.rules_version, dispatched.recorded_by) == (
        date(2026, 11, 24), date(2026, 12, 28), "2004-01", WORKER.user_id)  # Christmas Eve (Thu) -> Monday
    version, view = await views.decision(r.app, ReadDecision(client_id=made.client_id, decision_id=made.decision_id),
                                         Principal(user_id=str(made.client_id), role="client"))
    assert version == 2 and view["served"][0]["deadline"] == "2026-12-28"
    assert view["instructions"].startswith("Oikaisuvaatimusohje.")


async def test_electronic_service_needs_consent_and_nothing_is_sent_before_the_decision_or_after_now(
        r: Harness) -> None:
    made = await registered(r)
    ids = {"client_id": made.client_id, "decision_id": made.decision_id}
    refusals = [
        (c.DispatchDecision(**ids, method="electronic", sent_at=sent(date(2026, 11, 17))), RuleViolation,
         "electronic-service-without-consent"),
        (c.DispatchDecision(**ids, method="letter", sent_at=sent(date(2026, 11, 15))), RuleViolation,
         "dispatch-before-decision"),
        (c.DispatchDecision(**ids, method="letter", sent_at=datetime.now(UTC) + timedelta(days=1)), InvalidCommand,
         "dispatch-in-the-future"),
        (c.RecordReceipt(**ids, received_on=date(2026, 11, 20)), RuleViolation, "not-dispatched"),
    ]
    for command, error, code in refusals:
        with pytest.raises(error) as refused_with:
            await r.when(command, WORKER)
        assert refused_with.value.code == code
    assert len(await r.recorded(f"decision-{made.decision_id}")) == 1  # only the registration
    [electronic] = await r.when(c.DispatchDecision(**ids, method="electronic", sent_at=sent(date(2026, 11, 21)),
                                                   electronic_consent=True), WORKER)
    assert electronic.deadline == date(2026, 12, 28)  # received 24.11, 30 days: Christmas Eve -> Monday


@covers(SERVICE, c.RecordReceipt)
async def test_a_later_actual_receipt_moves_the_time_limit_and_a_proven_service_starts_at_retrieval(
        r: Harness, standings: Standings) -> None:
    made = await registered(r)
    guarded(standings, made.client_id)
    ids = {"client_id": made.client_id, "decision_id": made.decision_id}
    [proven] = await r.when(c.DispatchDecision(**ids, method="proven_electronic", sent_at=sent(date(2026, 11, 17))),
                            WORKER)
    assert proven.deemed_received_on is None and proven.deadline is None  # not running until retrieved
    with pytest.raises(InvalidCommand):
        await r.when(c.RecordReceipt(**ids, received_on=date(2026, 11, 16)), WORKER)
    [retrieved] = await r.when(c.RecordReceipt(**ids, received_on=date(2026, 11, 20)), WORKER)
    assert retrieved.deadline == date(2026, 12, 21)  # 20.12 is a Sunday
    assert await r.when(c.RecordReceipt(**ids, received_on=date(2026, 11, 20)), WORKER) == []  # already so
    [letter] = await r.when(c.DispatchDecision(**ids, recipient=str(GUARDIAN), method="letter",
                                               sent_at=sent(date(2026, 11, 17))), MANAGER)
    assert letter.deadline == date(2026, 12, 28)
    [later] = await r.when(c.RecordReceipt(**ids, recipient=str(GUARDIAN), received_on=date(2026, 11, 27)), WORKER)
    assert later.deadline == date(2026, 12, 28)  # 27.12 is a Sunday
    [earlier] = await r.when(c.RecordReceipt(**ids, recipient=str(GUARDIAN), received_on=date(2026, 11, 20)), WORKER)
    assert earlier.deadline == date(2026, 12, 28)  # an earlier receipt does not shorten the presumption's time


@covers(SERVICE, refused(NotFound, c.DispatchDecision), refused(NotFound, c.RecordReceipt))
async def test_an_unknown_decision_or_another_clients_is_not_found(r: Harness) -> None:
    made = await registered(r)
    for command in (c.DispatchDecision(client_id=made.client_id, decision_id=uuid4(), method="letter",
                                       sent_at=sent(date(2026, 11, 17))),
                    c.DispatchDecision(client_id=uuid4(), decision_id=made.decision_id, method="letter",
                                       sent_at=sent(date(2026, 11, 17))),
                    c.RecordReceipt(client_id=uuid4(), decision_id=made.decision_id, received_on=date(2026, 11, 20))):
        with pytest.raises(NotFound):
            await r.when(command, WORKER)


@covers(SERVICE, refused(Forbidden, c.DispatchDecision), refused(Forbidden, c.RecordReceipt))
async def test_only_staff_record_how_a_decision_was_served_and_a_client_reads_only_their_own(r: Harness) -> None:
    made = await registered(r)
    ids = {"client_id": made.client_id, "decision_id": made.decision_id}
    client = Principal(user_id=str(made.client_id), role="client")
    for who in (client, AUDITOR):
        with pytest.raises(Forbidden):
            await r.when(c.DispatchDecision(**ids, method="letter", sent_at=sent(date(2026, 11, 17))), who)
        with pytest.raises(Forbidden):
            await r.when(c.RecordReceipt(**ids, received_on=date(2026, 11, 20)), who)
    with pytest.raises(Forbidden):
        await views.decision(r.app, ReadDecision(**ids), Principal(user_id=str(uuid4()), role="client"))
    for reader in (client, WORKER, AUDITOR):
        assert (await views.decision(r.app, ReadDecision(**ids), reader))[1]["decision_number"] == "HB-2026-000042"


# --- requests for rectification: filed (late or not) → prepared → decided; overdue once --------------------------

PREPARER = Principal(user_id="worker-kalle", role="worker")  # took no part in the decision


async def served(r: Harness) -> Any:
    """A budget decision (prepared by Aino, decided by Helmi) sent by letter on Tue 17.11.2026: deemed received
    Tue 24.11, the client's last day Mon 28.12 (Christmas Eve moves it)."""
    made = await registered(r)
    await r.keyring.create(str(made.client_id))
    await r.when(c.DispatchDecision(client_id=made.client_id, decision_id=made.decision_id, method="letter",
                                    sent_at=sent(date(2026, 11, 17))), WORKER)
    return made


def filed(made: Any, received_on: date, text: str = "Budjetti ei riitä siivoukseen") -> c.FileRectification:
    return c.FileRectification(client_id=made.client_id, decision_id=made.decision_id, text=text,
                               received_on=received_on)


def decision_on(made: Any, request_id: UUID, outcome: str = "upheld", **terms: Any) -> c.DecideRectification:
    return c.DecideRectification(
        client_id=made.client_id, decision_id=made.decision_id, request_id=request_id, outcome=outcome,
        body="individual_matters_section", meeting_date=date(2026, 11, 30), minutes_section="12 §",
        reasoning="Päätös on lainmukainen", **terms)


@covers(SERVICE, c.FileRectification)
async def test_a_request_on_the_last_day_is_in_time_and_one_a_day_later_is_recorded_late(r: Harness) -> None:
    made = await served(r)
    client = Principal(user_id=str(made.client_id), role="client")
    [in_time] = await r.when(filed(made, date(2026, 11, 28)), client)
    assert isinstance(in_time, decisions.RectificationRequested)
    assert (in_time.late, in_time.deadline, in_time.filed_by_role, in_time.party) == (
        False, date(2026, 12, 28), "client", "client")
    assert await r.open(made.client_id, in_time.text) == ["Budjetti ei riitä siivoukseen"]
    assert in_time.answer_due_at > datetime.now(UTC) + timedelta(days=29)
    # A party the decision was never served to has no time limit running, so their request could never be late:
    # the request is the client's (or a served recipient's), and nothing is written.
    before = len(await r.recorded(f"decision-{made.decision_id}"))
    with pytest.raises(InvalidCommand) as unknown:
        await r.when(filed(made, date(2026, 11, 29)).model_copy(update={"party": "guardian-1"}), WORKER)
    assert unknown.value.code == "party-not-served"
    assert len(await r.recorded(f"decision-{made.decision_id}")) == before


async def test_a_clients_own_request_is_received_the_day_they_send_it_whatever_date_they_give(r: Harness) -> None:
    made = await served(r)
    client = Principal(user_id=str(made.client_id), role="client")
    [own] = await r.when(filed(made, date(2026, 11, 20)).model_copy(update={"party": "guardian-1"}), client)
    assert (own.received_on, own.party) == (county_day(datetime.now(UTC)), "client")


async def test_a_request_after_the_time_limit_is_recorded_and_marked_late(r: Harness) -> None:
    made = await registered(r, decided_on=date(2026, 9, 23))
    await r.keyring.create(str(made.client_id))
    ids = {"client_id": made.client_id, "decision_id": made.decision_id}
    await r.when(c.DispatchDecision(**ids, method="letter", sent_at=sent(date(2026, 9, 24))), WORKER)  # -> Mon 2.11
    [on_time] = await r.when(filed(made, date(2026, 11, 2)), WORKER)
    [late] = await r.when(filed(made, date(2026, 11, 3)), WORKER)
    assert (on_time.late, late.late, late.deadline) == (False, True, date(2026, 11, 2))
    for wrong, code in ((filed(made, datetime.now(UTC).date() + timedelta(days=2)), "request-in-the-future"),
                        (filed(made, date(2026, 9, 22)), "request-before-decision")):
        with pytest.raises(InvalidCommand) as refused_with:
            await r.when(wrong, WORKER)
        assert refused_with.value.code == code


@covers(SERVICE, c.PrepareRectification, c.DecideRectification, decisions.DecisionRecorded)
async def test_a_request_prepared_by_someone_outside_the_decision_is_decided_by_the_body_with_its_own_record(
        r: Harness) -> None:
    made = await served(r)
    [request] = await r.when(filed(made, date(2026, 11, 25)), WORKER)
    ids = {"client_id": made.client_id, "decision_id": made.decision_id, "request_id": request.request_id}
    with pytest.raises(RuleViolation) as not_prepared:
        await r.when(decision_on(made, request.request_id), MANAGER)
    assert not_prepared.value.code == "request-not-prepared"
    for took_part in (WORKER, MANAGER):  # she prepared it, he decided it
        with pytest.raises(RuleViolation) as refused_with:
            await r.when(c.PrepareRectification(**ids, proposal="upheld", memo="Muistio"), took_part)
        assert refused_with.value.code == "preparer-took-part"
    [prepared] = await r.when(c.PrepareRectification(**ids, proposal="upheld", memo="Muistio"), PREPARER)
    assert isinstance(prepared, decisions.RectificationPrepared) and prepared.prepared_by == PREPARER.user_id
    wrong_body = decision_on(made, request.request_id).model_copy(update={"body": "county_board"})
    with pytest.raises(RuleViolation):
        await r.when(wrong_body, PREPARER)
    decided, outcome_record = await r.when(decision_on(made, request.request_id), PREPARER)
    assert isinstance(decided, decisions.RectificationDecided) and decided.outcome == "upheld"
    assert isinstance(outcome_record, decisions.DecisionRecorded)
    assert (outcome_record.kind, outcome_record.replaces, outcome_record.decided_by_body, outcome_record.prepared_by,
            outcome_record.instructions.kind, outcome_record.instructions.days) == (
        "rectification", "HB-2026-000042", "individual_matters_section", PREPARER.user_id, "appeal", 30)
    assert outcome_record.decision_number == decided.outcome_decision_number
    with pytest.raises(RuleViolation):
        await r.when(c.PrepareRectification(**ids, proposal="amended", memo="Uusi"), PREPARER)
    # The outcome is a decision of its own in the register, to be served and contested (in court) in turn.
    [outcome_registered] = await r.when_published(outcome_record, made.client_id, consumer="register")
    assert outcome_registered.kind == "rectification" and outcome_registered.source_service == "decisions"
    _, view = await views.decision(r.app, ReadDecision(client_id=made.client_id, decision_id=made.decision_id),
                                   Principal(user_id=str(made.client_id), role="client"))
    [shown] = view["rectification_requests"]
    assert (shown["status"], shown["outcome"], shown["late"]) == ("decided", "upheld", False)


async def test_an_amended_budget_decision_carries_its_new_terms_and_only_an_amended_one(r: Harness) -> None:
    made = await served(r)
    [request] = await r.when(filed(made, date(2026, 11, 25)), WORKER)
    ids = {"client_id": made.client_id, "decision_id": made.decision_id, "request_id": request.request_id}
    await r.when(c.PrepareRectification(**ids, proposal="amended", memo="Muistio"), PREPARER)
    for wrong in (decision_on(made, request.request_id, "amended"),
                  decision_on(made, request.request_id, "upheld", amended_amount_cents=400_000)):
        with pytest.raises(InvalidCommand):
            await r.when(wrong, PREPARER)
    decided, record_ = await r.when(decision_on(made, request.request_id, "amended", amended_amount_cents=400_000,
                                                amended_breakdown={"cleaning": 400_000}), PREPARER)
    assert (decided.amended_amount_cents, record_.amount_cents, record_.reason_code) == (400_000, 400_000, "amended")


@covers(SERVICE, c.MarkRectificationOverdue)
async def test_an_unanswered_request_becomes_overdue_once_and_a_decided_one_never(r: Harness) -> None:
    made = await served(r)
    [waiting] = await r.when(filed(made, date(2026, 11, 25)), WORKER)
    [answered] = await r.when(filed(made, date(2026, 11, 26)), WORKER)
    ids = {"client_id": made.client_id, "decision_id": made.decision_id}
    await r.when(c.PrepareRectification(**ids, request_id=answered.request_id, proposal="dismissed", memo="M"),
                 PREPARER)
    await r.when(decision_on(made, answered.request_id, "dismissed"), PREPARER)
    system = Principal(user_id="decisions", role="system")
    [overdue] = await r.when(c.MarkRectificationOverdue(**ids, request_id=waiting.request_id), system)
    assert isinstance(overdue, decisions.RectificationOverdue) and overdue.answer_due_at == waiting.answer_due_at
    assert await r.when(c.MarkRectificationOverdue(**ids, request_id=waiting.request_id), system) == []
    assert await r.when(c.MarkRectificationOverdue(**ids, request_id=answered.request_id), system) == []
    with pytest.raises(Forbidden):
        await r.when(c.MarkRectificationOverdue(**ids, request_id=waiting.request_id), MANAGER)


@covers(SERVICE, OVERDUE_TIMER)
async def test_the_overdue_timer_marks_an_unanswered_request_once_when_it_falls_due(r: Harness) -> None:
    made = await served(r)
    [waiting] = await r.when(filed(made, date(2026, 11, 25)), WORKER)
    payload = {"client_id": str(made.client_id), "decision_id": str(made.decision_id),
               "request_id": str(waiting.request_id)}
    [overdue] = await r.when_fired(OVERDUE_TIMER, payload)
    assert isinstance(overdue, decisions.RectificationOverdue) and overdue.request_id == waiting.request_id
    assert await r.when_fired(OVERDUE_TIMER, payload) == []  # a restart that fires it again changes nothing


@covers(SERVICE, refused(NotFound, c.FileRectification), refused(NotFound, c.PrepareRectification),
        refused(NotFound, c.DecideRectification))
async def test_a_request_against_an_unknown_decision_or_an_unknown_request_is_not_found(r: Harness) -> None:
    made = await served(r)
    with pytest.raises(NotFound):
        await r.when(filed(made, date(2026, 11, 25)).model_copy(update={"decision_id": uuid4()}), WORKER)
    ids = {"client_id": made.client_id, "decision_id": made.decision_id, "request_id": uuid4()}
    with pytest.raises(NotFound):
        await r.when(c.PrepareRectification(**ids, proposal="upheld", memo="M"), PREPARER)
    with pytest.raises(NotFound):
        await r.when(decision_on(made, ids["request_id"]), PREPARER)


@covers(SERVICE, refused(Forbidden, c.FileRectification), refused(Forbidden, c.PrepareRectification),
        refused(Forbidden, c.DecideRectification))
async def test_a_client_files_only_their_own_request_and_neither_prepares_nor_decides(r: Harness) -> None:
    made = await served(r)
    with pytest.raises(Forbidden):
        await r.when(filed(made, date(2026, 11, 25)), Principal(user_id=str(uuid4()), role="client"))
    with pytest.raises(Forbidden):
        await r.when(filed(made, date(2026, 11, 25)), AUDITOR)
    client = Principal(user_id=str(made.client_id), role="client")
    [request] = await r.when(filed(made, date(2026, 11, 25)), client)
    ids = {"client_id": made.client_id, "decision_id": made.decision_id, "request_id": request.request_id}
    with pytest.raises(Forbidden):
        await r.when(c.PrepareRectification(**ids, proposal="upheld", memo="M"), client)
    with pytest.raises(Forbidden):
        await r.when(decision_on(made, request.request_id), client)


def representative_of(cid: UUID, *, reads: bool = True, scope: frozenset[Any] = frozenset(ACTS)) -> Principal:
    """A guardian as authentication makes them: their link to the client in force, from the representation records."""
    mandate = Mandate(link_id=uuid4(), client_id=cid, kind="guardian", scope=scope, reads=reads)
    return Principal(user_id=str(uuid4()), role="representative", mandates=(mandate,))


async def test_a_guardian_reads_the_childs_decisions_and_requests_rectification_within_the_mandate(
        r: Harness) -> None:
    made = await served(r)
    ids = {"client_id": made.client_id, "decision_id": made.decision_id}
    guardian = representative_of(made.client_id)
    assert (await views.decision(r.app, ReadDecision(**ids), guardian))[1]["decision_number"] == "HB-2026-000042"
    [request] = await r.when(filed(made, date(2026, 11, 25)).model_copy(update={"party": guardian.user_id}), guardian)
    assert (request.filed_by, request.filed_by_role) == (guardian.user_id, "representative")
    forbidden = representative_of(made.client_id, reads=False)  # the client forbade giving their data to them
    with pytest.raises(Forbidden) as prohibited:
        await views.decision(r.app, ReadDecision(**ids), forbidden)
    assert prohibited.value.code == "data-prohibited"
    for stranger in (representative_of(uuid4()), representative_of(made.client_id, scope=frozenset({"read"}))):
        with pytest.raises(Forbidden):
            await r.when(filed(made, date(2026, 11, 25)), stranger)
    with pytest.raises(Forbidden):
        await views.decision(r.app, ReadDecision(**ids), representative_of(uuid4()))


async def test_a_child_under_15_reads_their_decision_and_their_guardian_requests_rectification(r: Harness) -> None:
    made = await served(r)
    child = Principal(user_id=str(made.client_id), role="client", acts_alone=False)
    await views.decision(r.app, ReadDecision(client_id=made.client_id, decision_id=made.decision_id), child)
    with pytest.raises(Forbidden) as refused_:
        await r.when(filed(made, date(2026, 11, 25)), child)
    assert refused_.value.code == "acts-through-guardian"


# --- letters: written when a dispatch is recorded, kept as served, unreadable after erasure (issue 18) ---------

SYSTEM = Principal(user_id="decisions", role="system")


async def sealed_budget(r: Harness, cid: UUID, language: str = "sv") -> Any:
    """A budget decision with a plan in the client's words and a reasoning, sealed with the client's real key."""
    from contracts.records import DecisionPeriod, PlanGoal, PlanSummary, PlanSupport

    await r.keyring.create(str(cid))
    reasoning, goal, support = await r.keyring.seal(str(cid), "Tavoitteet edellyttävät avustajaa.",
                                                   "Käyn itse kaupassa", "Avustaja kauppareissuille")
    goal_id = uuid4()
    made = budgeting.DecisionRecorded(
        decision_id=uuid4(), decision_number="HB-2026-000077", kind="budget", client_id=cid,
        decided_on=date(2026, 11, 16), decided_by=MANAGER.user_id, authority=AUTHORITY, prepared_by=WORKER.user_id,
        language=language, service_task="disability_services", amount_cents=1_190_000,
        period=DecisionPeriod(start=date(2027, 1, 1), end=date(2027, 12, 31)),
        breakdown={"personal_assistance": 1_190_000},
        plan=PlanSummary(goals=[PlanGoal(goal_id=goal_id, title=goal, weight=1)],
                         supports=[PlanSupport(support_id=uuid4(), category="personal_assistance",
                                               description=support, estimated_cost_cents=1_190_000,
                                               provider_type="private", goal_ids=[goal_id])]),
        reasoning=reasoning, legal_table_version="t", legal_bases=[LegalBasis(act="675/2023", section="9")],
        instructions=Instructions(kind="rectification", body="individual_matters_section", days=30, act="434/2003",
                                  table_version="t"))
    await r.when_published(made, cid, consumer="register")
    return made


async def dispatched(r: Harness, made: Any) -> decisions.DecisionDispatched:
    [event] = await r.when(c.DispatchDecision(client_id=made.client_id, decision_id=made.decision_id,
                                              method="letter", sent_at=sent(date(2026, 11, 17))), WORKER)
    assert isinstance(event, decisions.DecisionDispatched)
    return event


@covers(SERVICE, decisions.DecisionDispatched, c.IssueLetter)
async def test_a_recorded_dispatch_writes_the_letter_once_in_the_decisions_language_sealed_with_its_hash(
        r: Harness) -> None:
    import base64

    from shared.infra.letters import sha256

    cid = uuid4()
    made = await sealed_budget(r, cid, "sv")
    sent_event = await dispatched(r, made)
    [letter] = await r.when_published(sent_event, cid, consumer="register")
    again = c.IssueLetter(client_id=cid, decision_id=made.decision_id, dispatch_id=letter.dispatch_id,
                          recipient="client", method="letter", sent_at=sent_event.sent_at,
                          deemed_received_on=sent_event.deemed_received_on, deadline=sent_event.deadline)
    assert await r.when(again, SYSTEM) == []  # the same dispatch again (a redelivery) writes nothing

    assert isinstance(letter, decisions.LetterIssued)
    assert (letter.decision_number, letter.language, letter.kind, letter.recipient) == (
        "HB-2026-000077", "sv", "budget", "client")
    assert letter.metadata.title == "Beslut om personlig budget HB-2026-000077"
    assert letter.metadata.document_type == "decision-letter/budget"
    [pdf_b64, facts] = await r.open(cid, letter.document, letter.content)
    assert pdf_b64 is not None and facts is not None
    pdf = base64.b64decode(pdf_b64)
    assert pdf.startswith(b"%PDF") and sha256(pdf) == letter.content_hash
    assert "Käyn itse kaupassa" in facts and "2026-12-28" in facts  # the client's words; the deadline of the dispatch
    assert "Käyn itse kaupassa" not in letter.model_dump_json()  # nothing personal outside the sealed parts


@covers(SERVICE, refused(Forbidden, c.IssueLetter))
async def test_only_the_service_writes_a_letter(r: Harness) -> None:
    cid = uuid4()
    made = await sealed_budget(r, cid)
    sent_event = await dispatched(r, made)
    with pytest.raises(Forbidden):
        await r.when(c.IssueLetter(client_id=cid, decision_id=made.decision_id, dispatch_id=uuid4(),
                                   recipient="client", method="letter", sent_at=sent_event.sent_at,
                                   deemed_received_on=None, deadline=None), WORKER)


async def test_the_letters_pdf_and_html_twin_read_back_as_served_and_not_after_erasure(r: Harness) -> None:
    from services.decisions.application import letters

    cid = uuid4()
    made = await sealed_budget(r, cid, "fi")
    [letter] = await r.when_published(await dispatched(r, made), cid, consumer="register")
    pdf = await letters.pdf_of(r.keyring, letter)
    html = await letters.html_of(r.keyring, letter)
    assert pdf.startswith(b"%PDF") and 'lang="fi"' in html and "31.12.2027" in html and "28.12.2026" in html
    assert letters.summary(letter)["content_hash"] == letter.content_hash

    await r.keyring.destroy(str(cid), "erasure")
    with pytest.raises(letters.LetterErased):
        await letters.pdf_of(r.keyring, letter)
    with pytest.raises(letters.LetterErased):
        await letters.html_of(r.keyring, letter)
    # Served again after the erasure: nothing to write a letter from, and nothing is written.
    assert await r.when_published(await dispatched(r, made), cid, consumer="register") == []


async def test_an_english_courtesy_translation_is_written_on_request_and_the_served_letter_stays_as_it_was(
        r: Harness) -> None:
    from services.decisions.application import letters
    from services.decisions.application.handlers import DECISION

    cid = uuid4()
    made = await sealed_budget(r, cid, "sv")
    [letter] = await r.when_published(await dispatched(r, made), cid, consumer="register")
    state = (await r.app.read(DECISION, ReadDecision(client_id=cid, decision_id=made.decision_id),
                              Principal(user_id=str(cid), role="client"))).state
    english = await letters.courtesy_translation(r.keyring, state.registered.record, letter, "en")

    assert 'lang="en"' in english.html and "courtesy translation" in english.html and "Swedish" in english.html
    assert "Disability services" in english.html and "Administrative Procedure Act (434/2003)" in english.html
    assert "Käyn itse kaupassa" in english.html  # the client's own words stay as they wrote them
    assert "Last day: 28/12/2026" in english.html  # the deadline of the dispatch, in English dates
    assert english.content_hash != letter.content_hash
    served = await letters.pdf_of(r.keyring, letter)  # the letter as served is untouched
    assert letters.sha256(served) == letter.content_hash


async def test_a_decision_is_served_only_to_those_entitled_named_by_reference_and_the_register_proposes_them(
        r: Harness, standings: Standings) -> None:
    made = await registered(r)
    ids = {"client_id": made.client_id, "decision_id": made.decision_id}
    link_id = guarded(standings, made.client_id, acts_alone=False)  # a child under 15, and their guardian
    proposal = await views.recipients(r.app, ReadRecipients(**ids), WORKER, date(2026, 11, 17))
    assert proposal["recipients"] == [{"recipient": str(GUARDIAN), "role": "guardian", "person_id": str(GUARDIAN),
                                       "link_id": str(link_id), "served": False}]
    for recipient, error, code in (("client", RuleViolation, "recipient-under-15"),
                                   (str(uuid4()), RuleViolation, "recipient-not-entitled"),
                                   ("Maija Meikäläinen", InvalidCommand, "recipient-not-a-reference")):
        with pytest.raises(error) as refused_with:
            await r.when(c.DispatchDecision(**ids, recipient=recipient, method="letter",
                                            sent_at=sent(date(2026, 11, 17))), WORKER)
        assert refused_with.value.code == code
    assert len(await r.recorded(f"decision-{made.decision_id}")) == 1  # nothing but the registration
    [dispatched] = await r.when(c.DispatchDecision(**ids, recipient=str(GUARDIAN), method="letter",
                                                   sent_at=sent(date(2026, 11, 17))), WORKER)
    assert isinstance(dispatched, decisions.DecisionDispatched)
    assert dispatched.recipient == decisions.Recipient(role="guardian", person_id=GUARDIAN, link_id=link_id)
    proposal = await views.recipients(r.app, ReadRecipients(**ids), WORKER, date(2026, 11, 17))
    assert [p["served"] for p in proposal["recipients"]] == [True]
    for outsider in (Principal(user_id=str(made.client_id), role="client"), AUDITOR):
        with pytest.raises(Forbidden):
            await views.recipients(r.app, ReadRecipients(**ids), outsider, date(2026, 11, 17))
