"""A support person (lähituki) in a client's plan: decide/evolve, stream ``support-person-<id>``.

recorded (with their own consent) → corrected any number of times → payment details recorded (a paid one) →
consent withdrawn (hidden from the plan). Their own data is sealed with their own keys before it gets here
(contracts/support_persons.py): this module only keeps the rules.

- Nobody is recorded without their own consent, given on a day that has come.
- After withdrawal nothing new is recorded about them but a correction of their name (payment records keep it):
  their contact key is gone, and a new agreement cannot be made with them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from functools import singledispatch
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from contracts.support_persons import (
    Relationship,
    SupportPersonConsentWithdrawn,
    SupportPersonCorrected,
    SupportPersonPaymentDetailsRecorded,
    SupportPersonRecorded,
)
from shared.kernel.errors import RuleViolation
from shared.kernel.events import DomainEvent
from shared.kernel.sealed import Sealed

Status = Literal["none", "recorded", "withdrawn"]


@dataclass(frozen=True)
class SupportPerson:
    person_id: UUID | None = None
    client_id: UUID | None = None
    status: Status = "none"
    relationship: Relationship | None = None
    payable: bool = False  # hetu and IBAN recorded: payroll can pay them


NO_PERSON = SupportPerson()


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RecordSupportPerson(Command):
    person_id: UUID
    client_id: UUID
    relationship: Relationship
    tasks: Sealed
    name: Sealed
    contact: Sealed | None = None
    consent_given: bool  # the person's own consent to being recorded, as the worker took it
    consent_on: date
    today: date
    recorded_by: str


class CorrectSupportPerson(Command):
    name: Sealed | None = None
    contact: Sealed | None = None
    corrected_by: str


class RecordPaymentDetails(Command):
    hetu: Sealed
    iban: Sealed
    recorded_by: str


class WithdrawConsent(Command):
    today: date


def decide(command: Command, person: SupportPerson) -> list[DomainEvent]:
    if isinstance(command, RecordSupportPerson):
        return [_record(command, person)]
    if person.status == "none":
        raise RuleViolation("no such support person")
    ids = {"client_id": person.client_id, "person_id": person.person_id}
    match command:
        case CorrectSupportPerson():
            if person.status == "withdrawn" and command.contact is not None:
                raise RuleViolation("the person withdrew their consent: no contact details are kept any more",
                                    code="support-person-withdrawn")
            if command.name is None and command.contact is None:
                return []
            return [SupportPersonCorrected(**ids, name=command.name, contact=command.contact,
                                           corrected_by=command.corrected_by)]
        case RecordPaymentDetails():
            if person.status == "withdrawn":
                raise RuleViolation("the person withdrew their consent", code="support-person-withdrawn")
            return [SupportPersonPaymentDetailsRecorded(**ids, hetu=command.hetu, iban=command.iban,
                                                        recorded_by=command.recorded_by)]
        case WithdrawConsent():
            if person.status == "withdrawn":
                return []  # said twice: withdrawn once
            return [SupportPersonConsentWithdrawn(**ids, withdrawn_on=command.today)]
    raise TypeError(f"unknown command {type(command).__name__}")


def _record(c: RecordSupportPerson, person: SupportPerson) -> SupportPersonRecorded:
    if person.status != "none":
        raise RuleViolation("the support person is already recorded")
    if not c.consent_given:
        raise RuleViolation("a support person is recorded only with their own consent",
                            code="support-person-consent-missing")
    if c.consent_on > c.today:
        raise RuleViolation("consent cannot be given on a day still to come", code="support-person-consent-missing")
    return SupportPersonRecorded(client_id=c.client_id, person_id=c.person_id, relationship=c.relationship,
                                 tasks=c.tasks, name=c.name, contact=c.contact, consent_on=c.consent_on,
                                 recorded_by=c.recorded_by)


def evolve(person: SupportPerson, event: DomainEvent) -> SupportPerson:
    return _apply(event, person)


@singledispatch
def _apply(event: DomainEvent, p: SupportPerson) -> SupportPerson:
    raise TypeError(f"a support person cannot apply {type(event).__name__}")


@_apply.register
def _(e: SupportPersonRecorded, p: SupportPerson) -> SupportPerson:
    return SupportPerson(e.person_id, e.client_id, "recorded", e.relationship)


@_apply.register
def _(e: SupportPersonCorrected, p: SupportPerson) -> SupportPerson:
    return p


@_apply.register
def _(e: SupportPersonPaymentDetailsRecorded, p: SupportPerson) -> SupportPerson:
    return replace(p, payable=True)


@_apply.register
def _(e: SupportPersonConsentWithdrawn, p: SupportPerson) -> SupportPerson:
    return replace(p, status="withdrawn")
