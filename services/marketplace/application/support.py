"""Support persons and their agreements: each application command turned into the domain's (domain/support_person.py,
domain/agreement.py), after the pipeline has found the case (404), asked the policy (403) and checked the version.

Keys (docs/decisions/0028): a support person's name, hetu and IBAN are sealed with their own key, their contact
with a second one of their own (destroyed when they withdraw consent), what they do for the family with the
client's. So erasing the client never makes the county's payment records unreadable, and withdrawal forgets the
contact while the identity payment law needs stays.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from contracts.support_persons import contact_key, person_key
from services.marketplace.adapters import support as tables
from services.marketplace.application import commands as c
from services.marketplace.application.policy import Seen, authorize
from services.marketplace.application.ports import AGREEMENT_AGGREGATE, PERSON_AGGREGATE, Ports, person_stream
from services.marketplace.domain import agreement as agreements
from services.marketplace.domain import support_person as persons
from shared.infra.aggregate import Executed
from shared.infra.eventstore import Session
from shared.infra.pipeline import AggregateSpec, Given, Handlers, Route
from shared.kernel.calendar import county_day
from shared.kernel.commands import Command
from shared.kernel.errors import InvalidCommand, NotFound, RuleViolation
from shared.kernel.identifiers import InvalidIdentifier, validate_hetu, validate_iban
from shared.kernel.principal import Principal

Given_ = Given[Any, Ports]
UNKNOWN_CLIENT = "no such client here yet (their intake has not completed)"
CREATES = (c.RecordSupportPerson, c.MakeAgreement)


async def support_facts(request: Any, state: Any, principal: Principal, deps: Ports) -> Seen:
    """The client whose plan the case is in, and their coordinator (who acts on it): known from intake (404)."""
    client_id = state.client_id or getattr(request, "client_id", None)
    client = await deps.tables.client(client_id) if client_id is not None else None
    if client is None and isinstance(request, CREATES):
        raise NotFound(UNKNOWN_CLIENT)
    return Seen(state, client_id=client_id, client=client)


def _client_of(state: Any) -> str | None:
    return None if state.client_id is None else str(state.client_id)


PERSON = AggregateSpec(
    PERSON_AGGREGATE, stream_of=lambda cmd: person_stream(cmd.person_id), subject_of=lambda cmd: str(cmd.client_id),
    case_subject=_client_of, exists=lambda p: p.status != "none", not_found="no such support person",
    policy=authorize, projector=tables.project_person, facts=support_facts,
)
AGREEMENT = AggregateSpec(
    AGREEMENT_AGGREGATE, stream_of=lambda cmd: f"agreement-{cmd.agreement_id}",
    subject_of=lambda cmd: str(cmd.client_id), case_subject=_client_of, exists=lambda a: a.status != "none",
    not_found="no such agreement", policy=authorize, projector=tables.project_agreement, serialize=True,
    facts=support_facts,
)


# --- support persons ------------------------------------------------------------------------------------------

async def record_person(cmd: c.RecordSupportPerson, given: Given_) -> persons.RecordSupportPerson:
    keyring, pid = given.keyring, cmd.person_id
    await keyring.create(person_key(pid))  # their own keys: the client's erasure never reaches them
    await keyring.create(contact_key(pid))
    (name,) = await keyring.seal(person_key(pid), cmd.name)
    (tasks,) = await keyring.seal(str(cmd.client_id), cmd.tasks)  # plan content about the client
    contact = (await keyring.seal(contact_key(pid), cmd.contact))[0] if cmd.contact else None
    return persons.RecordSupportPerson(
        person_id=pid, client_id=cmd.client_id, relationship=cmd.relationship, tasks=tasks, name=name,
        contact=contact, consent_given=cmd.consent_given, consent_on=cmd.consent_on,
        today=county_day(given.context.now), recorded_by=given.principal.user_id)


async def correct_person(cmd: c.CorrectSupportPerson, given: Given_) -> persons.CorrectSupportPerson:
    """A new entry; the old stays readable (art. 16). After withdrawal their contact key is gone: only the name."""
    keyring, pid = given.keyring, cmd.person_id
    if cmd.contact and given.state.status == "withdrawn":
        raise RuleViolation("the person withdrew their consent: no contact details are kept any more",
                            code="support-person-withdrawn")
    name = (await keyring.seal(person_key(pid), cmd.name))[0] if cmd.name else None
    contact = (await keyring.seal(contact_key(pid), cmd.contact))[0] if cmd.contact else None
    return persons.CorrectSupportPerson(name=name, contact=contact, corrected_by=given.principal.user_id)


async def payment_details(cmd: c.RecordPaymentDetails, given: Given_) -> persons.RecordPaymentDetails:
    try:
        hetu = validate_hetu(cmd.hetu)
    except InvalidIdentifier as exc:
        raise InvalidCommand(str(exc), field="hetu") from exc
    try:
        iban = validate_iban(cmd.iban)
    except InvalidIdentifier as exc:
        raise InvalidCommand(str(exc), field="iban") from exc
    sealed_hetu, sealed_iban = await given.keyring.seal(person_key(cmd.person_id), hetu, iban)
    return persons.RecordPaymentDetails(hetu=sealed_hetu, iban=sealed_iban, recorded_by=given.principal.user_id)


async def withdraw(cmd: c.WithdrawSupportConsent, given: Given_) -> persons.WithdrawConsent:
    return persons.WithdrawConsent(today=county_day(given.context.now))


async def forget_contact(cmd: Command, done: Executed[persons.SupportPerson], given: Given_, session: Session) -> None:
    """Withdrawn: the contact key is destroyed (their phone and e-mail read as erased everywhere); their identity key
    stays for the payment and bookkeeping records (ADR 0028). Destroying twice does nothing."""
    if done.state.status == "withdrawn" and done.state.person_id is not None:
        await given.keyring.destroy(contact_key(done.state.person_id), "support person withdrew consent")


# --- agreements -----------------------------------------------------------------------------------------------

async def make_agreement(cmd: c.MakeAgreement, given: Given_) -> agreements.MakeAgreement:
    """The person as their stream has it now, and the worker's delegation for support agreements."""
    person = await given.deps.person(cmd.person_id)
    client, today = given.facts.client, county_day(given.context.now)
    return agreements.MakeAgreement(
        agreement_id=cmd.agreement_id, client_id=cmd.client_id, person_id=cmd.person_id, category=cmd.category,
        fee_basis=cmd.fee_basis, fee_cents=cmd.fee_cents, max_hours=cmd.max_hours,
        expenses_cap_cents=cmd.expenses_cap_cents, period_start=cmd.period_start, period_end=cmd.period_end,
        earnings_type=cmd.earnings_type, today=today, made_by=given.principal.user_id,
        person_client_id=person.client_id, person_status=person.status, person_payable=person.payable,
        authority=given.deps.agreement_authority(given.principal.user_id, given.principal.role,
                                                 client.municipality, today),
        municipality=client.municipality, approval_id=uuid4())


async def approve_agreement(cmd: c.ApproveAgreement, given: Given_) -> agreements.ApproveAgreement:
    a, principal = given.state, given.principal
    authority = given.deps.agreement_authority(principal.user_id, principal.role, a.municipality,
                                               county_day(given.context.now))
    return agreements.ApproveAgreement(approver=principal.user_id, authority=authority)


async def refuse_agreement(cmd: c.RefuseAgreement, given: Given_) -> agreements.RefuseAgreement:
    a, principal = given.state, given.principal
    (reasoning,) = await given.keyring.seal(str(a.client_id), cmd.reason)
    authority = given.deps.agreement_authority(principal.user_id, principal.role, a.municipality,
                                               county_day(given.context.now))
    return agreements.RefuseAgreement(approver=principal.user_id, authority=authority, reasoning=reasoning)


async def end_agreement(cmd: c.EndAgreement, given: Given_) -> agreements.EndAgreement:
    return agreements.EndAgreement(reason="ended_by_worker")


async def file_claim(cmd: c.FileClaim, given: Given_) -> agreements.FileClaim:
    return agreements.FileClaim(claim_id=cmd.claim_id, kind=cmd.kind, month=cmd.month, hours=cmd.hours,
                                amount_cents=cmd.amount_cents, receipt_reference=cmd.receipt_reference,
                                today=county_day(given.context.now), filed_by=given.principal.user_id)


async def approve_claim(cmd: c.ApproveClaim, given: Given_) -> agreements.ApproveClaim:
    return agreements.ApproveClaim(claim_id=cmd.claim_id, approved_by=given.principal.user_id)


async def hold_funds(cmd: c.HoldAgreementFunds, given: Given_) -> agreements.HoldFunds:
    return agreements.HoldFunds()


async def retry_reservation(cmd: c.RetryAgreementReservation, given: Given_) -> agreements.RetryReservation:
    return agreements.RetryReservation()


async def await_reservation(cmd: Command, done: Executed[agreements.Agreement], given: Given_,
                            session: Session) -> None:
    """As for a purchase: budgeting answers each reservation; until it does, ask again after a doubling pause."""
    agreement, saga = done.state, given.deps.saga
    attempt = agreement.reservation_attempts
    pause = saga.reservation_timeout * min(2 ** (attempt - 1), 32)
    await given.deps.tables.schedule(session, RESERVATION_TIMER, f"{agreement.agreement_id}:{attempt}",
                                     given.context.now + pause, {"agreement_id": str(agreement.agreement_id)})


RESERVATION_TIMER = "agreement_reservation_answer"
SUPPORT_TIMERS = {
    RESERVATION_TIMER: lambda timer: c.RetryAgreementReservation(agreement_id=UUID(timer.payload["agreement_id"])),
}


async def reject(cmd: c.RejectAgreement, given: Given_) -> agreements.Reject:
    return agreements.Reject(reason_code=cmd.reason_code, reason=cmd.reason)


async def end_with_budget(cmd: c.EndAgreementWithBudget, given: Given_) -> agreements.EndAgreement:
    return agreements.EndAgreement(reason="budget_closed")


async def schedule_payment(cmd: c.ScheduleClaimPayment, given: Given_) -> agreements.SchedulePayment:
    pay_on = (given.context.now + given.deps.saga.payment_terms).date()
    return agreements.SchedulePayment(claim_id=cmd.claim_id, pay_on=pay_on)


SUPPORT_HANDLERS: Handlers = {
    c.RecordSupportPerson: Route(PERSON, record_person, missing="decide"),
    c.CorrectSupportPerson: Route(PERSON, correct_person),
    c.RecordPaymentDetails: Route(PERSON, payment_details),
    c.WithdrawSupportConsent: Route(PERSON, withdraw, then=forget_contact),
    c.MakeAgreement: Route(AGREEMENT, make_agreement, missing="decide", then=await_reservation),
    c.ApproveAgreement: Route(AGREEMENT, approve_agreement),
    c.RefuseAgreement: Route(AGREEMENT, refuse_agreement),
    c.EndAgreement: Route(AGREEMENT, end_agreement),
    c.FileClaim: Route(AGREEMENT, file_claim),
    c.ApproveClaim: Route(AGREEMENT, approve_claim),
    c.HoldAgreementFunds: Route(AGREEMENT, hold_funds, missing="skip"),
    c.RetryAgreementReservation: Route(AGREEMENT, retry_reservation, missing="skip", then=await_reservation),
    c.RejectAgreement: Route(AGREEMENT, reject, missing="skip"),
    c.EndAgreementWithBudget: Route(AGREEMENT, end_with_budget, missing="skip"),
    c.ScheduleClaimPayment: Route(AGREEMENT, schedule_payment, missing="skip"),
}
