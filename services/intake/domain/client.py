"""The intake case of one client: decide(command, state) -> events and evolve(state, event) -> state.

Rules of the one-door intake live here and nowhere else:
- nothing but registration and consent proceeds without the client's consent to personal budgeting;
- intake completes only with consent, a coordinating worker, a self-assessment and a needs assessment;
- a completed or declined intake is final (a new need starts from follow-up's plan review);
- a decline is an administrative decision of someone with delegated authority to decline, with its record.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import singledispatch
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from contracts.intake import (
    ClientRegistered,
    ConsentGiven,
    ConsentWithdrawn,
    CoordinatorAssigned,
    DecisionRecorded,
    IntakeCompleted,
    IntakeDeclined,
    Language,
    NeedsAssessed,
    PreferredLanguageChanged,
    SelfAssessmentRecorded,
    SelfAssessmentScores,
    ServiceTask,
)
from shared.kernel.approvals import needs_approval
from shared.kernel.errors import RuleViolation
from shared.kernel.events import DomainEvent
from shared.kernel.law import Decided, decision_language
from shared.kernel.sealed import Sealed

Status = Literal["unregistered", "open", "completed", "declined"]
Consent = Literal["none", "given", "withdrawn"]


@dataclass(frozen=True)
class IntakeCase:
    client_id: UUID | None = None
    status: Status = "unregistered"
    consent: Consent = "none"
    coordinator_id: str | None = None
    municipality: str | None = None
    preferred_language: Language | None = None
    latest_scores: SelfAssessmentScores | None = None
    service_task: ServiceTask | None = None
    support_needs: tuple[str, ...] = ()

    @property
    def registered(self) -> bool:
        return self.status != "unregistered"


INITIAL = IntakeCase()


# --- commands ----------------------------------------------------------------------------------------


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RegisterClient(Command):
    client_id: UUID
    personal_data: Sealed
    municipality: str
    preferred_language: Language


class GiveConsent(Command):
    given_by: Literal["client", "guardian", "representative"]


class WithdrawConsent(Command):
    reason: Sealed | None = None


class RecordSelfAssessment(Command):
    assessment_id: UUID
    scores: SelfAssessmentScores
    own_words: Sealed | None = None
    wishes: Sealed | None = None
    filled_in_by: Literal["client", "worker_with_client"]


class AssignCoordinator(Command):
    worker_id: str = Field(min_length=1)


class AssessNeeds(Command):
    service_task: ServiceTask
    support_needs: list[str]
    summary: Sealed


class CompleteIntake(Command):
    pass


class ChangePreferredLanguage(Command):
    preferred_language: Language


class DeclineIntake(Command):
    reason: Sealed
    decision: Decided


# --- decide ------------------------------------------------------------------------------------------


def _require_consent(case: IntakeCase) -> None:
    if case.consent != "given":
        raise RuleViolation("the client has not given consent to personal budgeting", code="no-consent")


def _require_open(case: IntakeCase) -> None:
    if case.status != "open":
        raise RuleViolation(f"intake is already {case.status}", code="intake-final", status=case.status)


def decide(command: Command, case: IntakeCase) -> list[DomainEvent]:
    if isinstance(command, RegisterClient):
        if case.registered:
            raise RuleViolation("the client is already registered", code="already-registered")
        return [ClientRegistered(**command.model_dump())]
    if not case.registered:
        raise RuleViolation("the client is not registered", code="not-registered")
    client_id = case.client_id
    assert client_id is not None
    match command:
        case GiveConsent():
            if case.consent == "given":
                return []  # already in force: giving it again changes nothing
            return [ConsentGiven(client_id=client_id, given_by=command.given_by)]
        case WithdrawConsent():
            if case.consent != "given":
                raise RuleViolation("there is no consent in force to withdraw", code="no-consent-in-force")
            return [ConsentWithdrawn(client_id=client_id, reason=command.reason)]
        case RecordSelfAssessment():
            _require_open(case)
            _require_consent(case)
            return [SelfAssessmentRecorded(client_id=client_id, **command.model_dump())]
        case AssignCoordinator():
            if case.status == "declined":
                raise RuleViolation("intake was declined", code="intake-declined")
            _require_consent(case)
            if case.coordinator_id == command.worker_id:
                return []
            return [CoordinatorAssigned(
                client_id=client_id, worker_id=command.worker_id, previous_worker_id=case.coordinator_id
            )]
        case AssessNeeds():
            _require_open(case)
            _require_consent(case)
            return [NeedsAssessed(client_id=client_id, **command.model_dump())]
        case ChangePreferredLanguage():
            if case.preferred_language == command.preferred_language:
                return []  # already so: choosing it again changes nothing
            return [PreferredLanguageChanged(client_id=client_id, preferred_language=command.preferred_language)]
        case CompleteIntake():
            return [_complete(case, client_id)]
        case DeclineIntake():
            _require_open(case)
            return _decline(command, case, client_id)
    raise TypeError(f"unknown command {type(command).__name__}")


def _decline(command: DeclineIntake, case: IntakeCase, client_id: UUID) -> list[DomainEvent]:
    d = command.decision
    needs_approval(d.authority, 0)  # no delegation to decline intakes: 403, nothing recorded
    return [
        IntakeDeclined(client_id=client_id, reason=command.reason, appeal_instructions=d.law.instructions_text),
        DecisionRecorded(
            decision_id=d.decision_id, decision_number=d.decision_number, kind="intake_decline", client_id=client_id,
            decided_on=d.decided_on, decided_by=d.decided_by, authority=d.authority,
            language=decision_language(case.preferred_language),
            service_task=case.service_task.value if case.service_task else None, municipality=case.municipality,
            reasoning=command.reason, legal_table_version=d.law.table_version, legal_bases=list(d.law.bases),
            instructions=d.law.instructions),
    ]


def _complete(case: IntakeCase, client_id: UUID) -> IntakeCompleted:
    _require_open(case)
    _require_consent(case)
    missing = [
        (what, code)
        for what, code, present in (
            ("a coordinating worker", "coordinator", case.coordinator_id),
            ("a self-assessment", "self_assessment", case.latest_scores),
            ("a needs assessment", "needs_assessment", case.service_task),
        )
        if present is None
    ]
    if missing:
        raise RuleViolation("intake cannot be completed without " + ", ".join(what for what, _ in missing),
                            code="intake-incomplete", missing=[code for _, code in missing])
    assert case.coordinator_id and case.service_task and case.latest_scores
    assert case.municipality and case.preferred_language
    return IntakeCompleted(
        client_id=client_id,
        coordinator_id=case.coordinator_id,
        service_task=case.service_task,
        municipality=case.municipality,
        preferred_language=case.preferred_language,
        baseline_scores=case.latest_scores,
    )


# --- evolve ------------------------------------------------------------------------------------------


def evolve(case: IntakeCase, event: DomainEvent) -> IntakeCase:
    return _apply(event, case)


@singledispatch
def _apply(event: DomainEvent, case: IntakeCase) -> IntakeCase:
    raise TypeError(f"intake cannot apply {type(event).__name__}")


@_apply.register
def _(event: ClientRegistered, case: IntakeCase) -> IntakeCase:
    return replace(
        case,
        client_id=event.client_id,
        status="open",
        municipality=event.municipality,
        preferred_language=event.preferred_language,
    )


@_apply.register
def _(event: ConsentGiven, case: IntakeCase) -> IntakeCase:
    return replace(case, consent="given")


@_apply.register
def _(event: ConsentWithdrawn, case: IntakeCase) -> IntakeCase:
    return replace(case, consent="withdrawn")


@_apply.register
def _(event: SelfAssessmentRecorded, case: IntakeCase) -> IntakeCase:
    return replace(case, latest_scores=event.scores)


@_apply.register
def _(event: CoordinatorAssigned, case: IntakeCase) -> IntakeCase:
    return replace(case, coordinator_id=event.worker_id)


@_apply.register
def _(event: NeedsAssessed, case: IntakeCase) -> IntakeCase:
    return replace(case, service_task=event.service_task, support_needs=tuple(event.support_needs))


@_apply.register
def _(event: PreferredLanguageChanged, case: IntakeCase) -> IntakeCase:
    return replace(case, preferred_language=event.preferred_language)


@_apply.register
def _(event: IntakeCompleted, case: IntakeCase) -> IntakeCase:
    return replace(case, status="completed")


@_apply.register
def _(event: IntakeDeclined, case: IntakeCase) -> IntakeCase:
    return replace(case, status="declined")


@_apply.register
def _(event: DecisionRecorded, case: IntakeCase) -> IntakeCase:
    return case  # the decline's record: IntakeDeclined carries its effect
