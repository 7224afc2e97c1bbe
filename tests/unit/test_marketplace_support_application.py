"""Support persons and their agreements through the marketplace's application on the memory store: given events →
when a command or budgeting's answer → then events, or the refusal and nothing recorded. The rules themselves:
test_marketplace_agreement.py; payroll's files: test_marketplace_payroll.py."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest

from contracts import budgeting
from contracts.marketplace import ApprovalGranted, ApprovalRefused, ApprovalRequested
from contracts.support_persons import (
    AgreementActivated,
    AgreementEnded,
    AgreementFundsReserved,
    AgreementRejected,
    AgreementReservationRetryRequested,
    SupportAgreementMade,
    SupportClaimApproved,
    SupportClaimFiled,
    SupportClaimPaymentScheduled,
    SupportPersonConsentWithdrawn,
    SupportPersonCorrected,
    SupportPersonPaymentDetailsRecorded,
    SupportPersonRecorded,
    contact_key,
    person_key,
)
from services.marketplace.adapters.payroll import PayrollKey, decrypt
from services.marketplace.application import commands as c
from services.marketplace.application import support_views
from services.marketplace.application.queries import ExportPayee, ReadAgreement, ReadSupportPerson
from services.marketplace.application.support import RESERVATION_TIMER
from shared.infra.crypto import ERASED
from shared.kernel.errors import Forbidden, NotFound, RuleViolation
from shared.kernel.identifiers import make_hetu
from shared.kernel.principal import Principal
from tests.application import MANAGER, OTHER_WORKER, WORKER, Harness, covers, refused
from tests.marketplace_tables import MemoryTables
from tests.marketplace_world import SERVICE, client, harness, known

KEYS = Path(__file__).resolve().parents[1] / "keys"
HETU = make_hetu(date(1958, 6, 2), 246)
IBAN = "FI21 1234 5600 0007 85"
TODAY = date.today()
NOBODY = Principal(user_id="worker-muu", role="worker")


@pytest.fixture
def tables() -> MemoryTables:
    return MemoryTables()


async def known_client(h: Harness, tables: MemoryTables) -> UUID:
    cid = known(tables)
    await h.keyring.create(str(cid))  # the client's key exists (intake made it)
    return cid


@pytest.fixture
def h(tables: MemoryTables) -> Harness:
    harnessed = harness(tables)
    harnessed.app.deps = dataclasses.replace(harnessed.app.deps,
                                             payroll_key=PayrollKey.from_file(KEYS / "payroll-test-public.pem"))
    return harnessed


def grandmother(cid: UUID, **changes: Any) -> c.RecordSupportPerson:
    fields: dict[str, Any] = {"client_id": cid, "relationship": "relative", "tasks": "Hoitaa lapsia kahtena päivänä",
                              "name": "Aili Virtanen", "contact": "+358401112223", "consent_given": True,
                              "consent_on": TODAY}
    return c.RecordSupportPerson(**(fields | changes))


async def payable(h: Harness, cid: UUID) -> UUID:
    recorded = grandmother(cid)
    await h.when(recorded, WORKER)
    await h.when(c.RecordPaymentDetails(person_id=recorded.person_id, hetu=HETU, iban=IBAN), WORKER)
    return recorded.person_id


def agreeing(cid: UUID, person: UUID, **changes: Any) -> c.MakeAgreement:
    fields: dict[str, Any] = {"client_id": cid, "person_id": person, "category": "informal_support",
                              "fee_basis": "hour", "fee_cents": 1_500, "max_hours": 40, "expenses_cap_cents": 20_000,
                              "period_start": TODAY.replace(day=1), "period_end": TODAY.replace(day=1) + timedelta(days=60),
                              "earnings_type": "216"}
    return c.MakeAgreement(**(fields | changes))


async def active(h: Harness, tables: MemoryTables, **changes: Any) -> tuple[UUID, c.MakeAgreement]:
    cid = await known_client(h, tables)
    made = agreeing(cid, await payable(h, cid), **changes)
    await h.when(made, WORKER)
    await h.when_published(budgeting.FundsReserved(client_id=cid, order_id=made.agreement_id,
                                                   amount_cents=1, category="informal_support", remaining_cents=0,
                                                   matter="agreement"), cid, consumer="saga")
    return cid, made


# --- support persons ----------------------------------------------------------------------------------------------

@covers(SERVICE, c.RecordSupportPerson, c.RecordPaymentDetails)
async def test_the_grandmother_is_recorded_with_her_consent_and_her_data_sealed_with_her_own_keys(
        h: Harness, tables: MemoryTables) -> None:
    cid = await known_client(h, tables)
    recorded = grandmother(cid)
    [event] = await h.when(recorded, WORKER)
    pid = recorded.person_id
    assert isinstance(event, SupportPersonRecorded)
    assert (event.name.kid, event.contact.kid, event.tasks.kid) == (  # type: ignore[union-attr]
        person_key(pid), contact_key(pid), str(cid))
    [details] = await h.when(c.RecordPaymentDetails(person_id=pid, hetu=HETU, iban=IBAN), WORKER)
    assert isinstance(details, SupportPersonPaymentDetailsRecorded) and details.hetu.kid == person_key(pid)
    assert HETU not in details.model_dump_json() and "Aili" not in event.model_dump_json()
    with pytest.raises(NotFound):  # a client intake never told of
        await h.when(grandmother(uuid4()), WORKER)
    with pytest.raises(RuleViolation) as refusal:
        await h.when(grandmother(cid, consent_given=False), WORKER)
    assert refusal.value.code == "support-person-consent-missing"


@covers(SERVICE, c.CorrectSupportPerson, c.WithdrawSupportConsent)
async def test_erasing_the_client_leaves_her_name_readable_and_withdrawal_forgets_her_contact_only(
        h: Harness, tables: MemoryTables) -> None:
    cid = await known_client(h, tables)
    pid = await payable(h, cid)
    [fix] = await h.when(c.CorrectSupportPerson(person_id=pid, name="Aili Kaarina Virtanen"), client(cid))
    assert isinstance(fix, SupportPersonCorrected)
    await h.keyring.destroy(str(cid), "client erased")
    seen = (await support_views.person(h.app, ReadSupportPerson(person_id=pid), MANAGER, lambda ids: None))[1]
    assert (seen["name"], seen["tasks"]) == ("Aili Kaarina Virtanen", ERASED)  # her data is hers, not the client's
    assert [c_["name"] for c_ in seen["corrections"]] == ["Aili Kaarina Virtanen"]
    [withdrawn] = await h.when(c.WithdrawSupportConsent(person_id=pid), WORKER)
    assert isinstance(withdrawn, SupportPersonConsentWithdrawn)
    assert await h.when(c.WithdrawSupportConsent(person_id=pid), WORKER) == []
    after = (await support_views.person(h.app, ReadSupportPerson(person_id=pid), MANAGER, lambda ids: None))[1]
    assert (after["in_plan"], after["contact"], after["name"]) == (False, ERASED, "Aili Kaarina Virtanen")
    registration = await support_views.payee_registration(h.app, ExportPayee(person_id=pid), MANAGER, lambda ids: None)
    opened = decrypt((KEYS / "payroll-test-private.pem").read_bytes(), registration["registration"])
    assert opened == {"payee_reference": str(pid), "hetu": HETU, "name": "Aili Kaarina Virtanen",
                      "iban": "FI2112345600000785"}  # what payment law needs stays
    with pytest.raises(RuleViolation):
        await h.when(c.CorrectSupportPerson(person_id=pid, contact="aili@example.fi"), WORKER)


@pytest.mark.parametrize("command", [
    c.CorrectSupportPerson(person_id=uuid4(), name="X"),
    c.RecordPaymentDetails(person_id=uuid4(), hetu=HETU, iban=IBAN),
    c.WithdrawSupportConsent(person_id=uuid4()),
])
async def test_a_command_on_no_support_person_is_not_found(h: Harness, command: c.SupportPersonCommand) -> None:
    with pytest.raises(NotFound):
        await h.when(command, WORKER)


@covers(SERVICE, *(refused(Forbidden, k) for k in (c.CorrectSupportPerson, c.RecordPaymentDetails,
                                                    c.WithdrawSupportConsent)))
async def test_only_the_client_side_acts_on_a_support_person(h: Harness, tables: MemoryTables) -> None:
    cid = await known_client(h, tables)
    pid = await payable(h, cid)
    for command in (c.CorrectSupportPerson(person_id=pid, name="X"),
                    c.RecordPaymentDetails(person_id=pid, hetu=HETU, iban=IBAN), c.WithdrawSupportConsent(person_id=pid)):
        with pytest.raises(Forbidden):
            await h.when(command, OTHER_WORKER)
    with pytest.raises(Forbidden):  # where her fee is paid is the worker's to record: never the client's account
        await h.when(c.RecordPaymentDetails(person_id=pid, hetu=HETU, iban="FI49 5000 9420 0287 30"), client(cid))
    assert len(await h.recorded(f"support-person-{pid}")) == 2


# --- agreements and claims ------------------------------------------------------------------------------------------

@covers(SERVICE, c.MakeAgreement, c.FileClaim, c.ApproveClaim, budgeting.SpendingRecorded, c.HoldAgreementFunds,
        c.ScheduleClaimPayment)
async def test_an_agreement_is_made_reserved_and_its_claims_approved_and_scheduled_for_payment_once(
        h: Harness, tables: MemoryTables) -> None:
    cid = await known_client(h, tables)
    made = agreeing(cid, await payable(h, cid))
    [event] = await h.when(made, WORKER)
    assert isinstance(event, SupportAgreementMade) and event.amount_cents == 40 * 1_500 + 20_000
    held = await h.when_published(budgeting.FundsReserved(
        client_id=cid, order_id=made.agreement_id, amount_cents=event.amount_cents, category="informal_support",
        remaining_cents=0, matter="agreement"), cid, consumer="saga")
    assert [type(e) for e in held] == [AgreementFundsReserved, AgreementActivated]
    hours = c.FileClaim(agreement_id=made.agreement_id, kind="fee", month=TODAY, hours=30)
    [filed] = await h.when(hours, client(cid))
    assert isinstance(filed, SupportClaimFiled) and filed.amount_cents == 45_000
    with pytest.raises(Forbidden):  # the family files; only the coordinating worker approves
        await h.when(c.ApproveClaim(agreement_id=made.agreement_id, claim_id=hours.claim_id), client(cid))
    [approved] = await h.when(c.ApproveClaim(agreement_id=made.agreement_id, claim_id=hours.claim_id), WORKER)
    assert isinstance(approved, SupportClaimApproved)
    spent = budgeting.SpendingRecorded(client_id=cid, order_id=made.agreement_id, invoice_id=hours.claim_id,
                                       amount_cents=45_000, category="informal_support", matter="agreement")
    [scheduled] = await h.when_published(spent, cid, consumer="saga")
    assert isinstance(scheduled, SupportClaimPaymentScheduled) and scheduled.person_id == made.person_id
    assert await h.when_published(spent, cid, consumer="saga") == []  # budgeting's answer again: paid once
    view = (await support_views.agreement(h.app, ReadAgreement(agreement_id=made.agreement_id), WORKER,
                                          lambda ids: None))[1]
    assert view["hours_claimed"] == 30 and view["claims"][0]["status"] == "payment_scheduled"


async def test_a_claim_beyond_the_agreement_is_refused_with_its_reason_and_writes_nothing(
        h: Harness, tables: MemoryTables) -> None:
    _, made = await active(h, tables)
    before = await h.recorded(f"agreement-{made.agreement_id}")
    with pytest.raises(RuleViolation) as refusal:
        await h.when(c.FileClaim(agreement_id=made.agreement_id, kind="fee", month=TODAY, hours=41), WORKER)
    assert refusal.value.code == "claim-exceeds-hours"
    with pytest.raises(RuleViolation) as receipt:
        await h.when(c.FileClaim(agreement_id=made.agreement_id, kind="expenses", month=TODAY, amount_cents=20_001,
                                 receipt_reference="K-1"), WORKER)
    assert receipt.value.code == "claim-exceeds-expenses-cap"
    assert await h.recorded(f"agreement-{made.agreement_id}") == before


@covers(SERVICE, c.ApproveAgreement, c.RefuseAgreement, c.EndAgreement, budgeting.FundsReservationRejected,
        c.RejectAgreement)
async def test_above_the_workers_delegation_a_manager_answers_and_an_ended_agreement_takes_no_claims(
        h: Harness, tables: MemoryTables) -> None:
    cid = await known_client(h, tables)
    person = await payable(h, cid)
    big, bigger, refused_funds = (agreeing(cid, person, max_hours=200) for _ in range(3))
    for made in (big, bigger, refused_funds):
        events = await h.when(made, WORKER)
        assert [type(e) for e in events] == [SupportAgreementMade, ApprovalRequested]
    with pytest.raises(Forbidden):
        await h.when(c.ApproveAgreement(agreement_id=big.agreement_id), WORKER)
    [granted] = await h.when(c.ApproveAgreement(agreement_id=big.agreement_id), MANAGER)
    assert isinstance(granted, ApprovalGranted)  # active once its funds are held
    refusal = await h.when(c.RefuseAgreement(agreement_id=bigger.agreement_id, reason="Liian suuri"), MANAGER)
    assert [type(e) for e in refusal] == [ApprovalRefused, AgreementEnded]
    [rejected] = await h.when_published(budgeting.FundsReservationRejected(
        client_id=cid, order_id=refused_funds.agreement_id, amount_cents=320_000, reason_code="exceeds_remaining",
        reason="no", matter="agreement"), cid, consumer="saga")
    assert isinstance(rejected, AgreementRejected)
    [ended] = await h.when(c.EndAgreement(agreement_id=big.agreement_id), WORKER)
    assert isinstance(ended, AgreementEnded) and ended.reason == "ended_by_worker"
    with pytest.raises(RuleViolation) as closed:
        await h.when(c.FileClaim(agreement_id=big.agreement_id, kind="fee", month=TODAY, hours=1), WORKER)
    assert closed.value.code == "agreement-not-active"


@covers(SERVICE, c.EndAgreementWithBudget, budgeting.FundsReleased)
async def test_a_budget_closing_ends_the_agreement_and_a_release_for_its_own_end_moves_nothing(
        h: Harness, tables: MemoryTables) -> None:
    cid, made = await active(h, tables)

    def released(reason: str) -> budgeting.FundsReleased:
        return budgeting.FundsReleased(client_id=cid, order_id=made.agreement_id, amount_cents=1, reason=reason,  # type: ignore[arg-type]
                                       matter="agreement")

    assert await h.when_published(released("agreement_ended"), cid, consumer="saga") == []
    [ended] = await h.when_published(released("budget_closed"), cid, consumer="saga")
    assert isinstance(ended, AgreementEnded) and ended.reason == "budget_closed"


@covers(SERVICE, RESERVATION_TIMER, c.RetryAgreementReservation)
async def test_an_agreement_waits_for_budgetings_answer_and_asks_again_when_it_does_not_come(
        h: Harness, tables: MemoryTables) -> None:
    cid = await known_client(h, tables)
    made = agreeing(cid, await payable(h, cid))
    await h.when(made, WORKER)
    [first] = [t for t in tables.timers if t.kind == RESERVATION_TIMER]
    [again] = await h.when_fired(RESERVATION_TIMER, first.payload)
    assert isinstance(again, AgreementReservationRetryRequested) and again.attempt == 2
    assert len([t for t in tables.timers if t.kind == RESERVATION_TIMER]) == 2  # and waits again, longer
    assert await h.when_fired(RESERVATION_TIMER, {"agreement_id": str(uuid4())}) == []  # no such agreement


AGREEMENT_COMMANDS = [
    lambda a: c.ApproveAgreement(agreement_id=a), lambda a: c.RefuseAgreement(agreement_id=a, reason="x"),
    lambda a: c.EndAgreement(agreement_id=a), lambda a: c.FileClaim(agreement_id=a, kind="fee", month=TODAY, hours=1),
    lambda a: c.ApproveClaim(agreement_id=a, claim_id=uuid4()),
]


@covers(SERVICE, *(refused(NotFound, k) for k in (c.ApproveAgreement, c.RefuseAgreement, c.EndAgreement,
                                                   c.FileClaim, c.ApproveClaim, c.CorrectSupportPerson,
                                                   c.RecordPaymentDetails, c.WithdrawSupportConsent)),
        *(refused(Forbidden, k) for k in (c.ApproveAgreement, c.RefuseAgreement, c.EndAgreement, c.FileClaim,
                                          c.ApproveClaim)))
async def test_agreement_commands_on_no_agreement_are_not_found_and_from_outsiders_forbidden(
        h: Harness, tables: MemoryTables) -> None:
    _, made = await active(h, tables)
    for command in AGREEMENT_COMMANDS:
        with pytest.raises(NotFound):
            await h.when(command(uuid4()), WORKER)
        with pytest.raises(Forbidden):
            await h.when(command(made.agreement_id), NOBODY)
