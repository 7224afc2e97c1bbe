"""The intake case of one client: decide(command, state) -> events and evolve(state, event) -> state.

Rules of the one-door intake live here and nowhere else:
- nothing but registration and consent proceeds without the client's consent to personal budgeting;
- intake completes only with consent, a coordinating worker, a self-assessment and a needs assessment;
- a completed or declined intake is final (a new need starts from follow-up's plan review);
- a decline is an administrative decision of someone with delegated authority to decline, with its record;
- once the client has moved to another county, this county's responsibility has ended: nothing proceeds here.
The changes in the client's life are decided in life.py, who represents them in representation.py; the state is
case.py's.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from functools import singledispatch
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from contracts.intake import (
    CHILD_SCALE,
    AssessmentForm,
    ClientRegistered,
    ConsentGiven,
    ConsentWithdrawn,
    CoordinatorAssigned,
    DecisionRecorded,
    IntakeCompleted,
    IntakeDeclined,
    Language,
    NeedsAssessed,
    SelfAssessmentRecorded,
    SelfAssessmentScores,
    ServiceTask,
)
from services.intake.domain import life, representation
from services.intake.domain.case import INITIAL, Consent, IntakeCase, Link, Status
from shared.kernel.approvals import needs_approval
from shared.kernel.errors import InvalidCommand, RuleViolation
from shared.kernel.events import DomainEvent
from shared.kernel.law import Decided, decision_language
from shared.kernel.sealed import Sealed

__all__ = ["INITIAL", "Consent", "IntakeCase", "Link", "Status", "decide", "evolve"]

FilledInBy = Literal["client", "worker_with_client", "representative"]


# --- commands ----------------------------------------------------------------------------------------


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RegisterClient(Command):
    client_id: UUID
    personal_data: Sealed
    municipality: str
    preferred_language: Language
    born: date | None = None  # from the hetu; only a minor's birthdays that change their stage are told
    today: date | None = None


class GiveConsent(Command):
    given_by: Literal["client", "guardian", "representative"]


class WithdrawConsent(Command):
    reason: Sealed | None = None


class RecordSelfAssessment(Command):
    assessment_id: UUID
    scores: SelfAssessmentScores
    own_words: Sealed | None = None
    wishes: Sealed | None = None
    filled_in_by: FilledInBy
    on: date | None = None  # the day it is filled in: a client under 15 then fills in the children's form


class AssignCoordinator(Command):
    worker_id: str = Field(min_length=1)


class AssessNeeds(Command):
    service_task: ServiceTask
    support_needs: list[str]
    summary: Sealed


class CompleteIntake(Command):
    on: date | None = None  # the day it completes: the municipality in force then is the case's


class DeclineIntake(Command):
    reason: Sealed
    decision: Decided


# --- decide ------------------------------------------------------------------------------------------


def _require_consent(case: IntakeCase) -> None:
    if case.consent != "given":
        raise RuleViolation("the client has not given consent to personal budgeting", code="no-consent")


def _require_scale(form: AssessmentForm, scores: SelfAssessmentScores) -> None:
    """The children's form is answered on five faces (1–5): a score off that scale is the adult form's."""
    if form == "child" and any(score not in CHILD_SCALE for score in scores.model_dump().values()):
        raise InvalidCommand("a client under 15 fills in the children's form: each area on five faces, 1–5",
                             field="scores")


def _require_open(case: IntakeCase) -> None:
    if case.status != "open":
        raise RuleViolation(f"intake is already {case.status}", code="intake-final", status=case.status)


def decide(command: Command | life.Command | representation.Command, case: IntakeCase) -> list[DomainEvent]:
    if isinstance(command, RegisterClient):
        return _register(command, case)
    if not case.registered:
        raise RuleViolation("the client is not registered", code="not-registered")
    client_id = case.client_id
    assert client_id is not None
    if isinstance(command, life.Command):
        return life.decide(command, case, client_id)
    if isinstance(command, representation.PassBirthday):
        return representation.decide(command, case, client_id)  # the law counts age wherever the client lives
    if case.moved_out_on is not None:
        raise RuleViolation("the client moved to another county: this county's responsibility has ended",
                            code="moved-out-of-county")
    if isinstance(command, representation.Command):
        return representation.decide(command, case, client_id)
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
            form = case.form_on(command.on) if command.on is not None else "adult"
            _require_scale(form, command.scores)
            return [SelfAssessmentRecorded(client_id=client_id, form=form, **command.model_dump(exclude={"on"}))]
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
        case CompleteIntake():
            return [_complete(case, client_id, command.on)]
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


def _register(command: RegisterClient, case: IntakeCase) -> list[DomainEvent]:
    if case.registered:
        raise RuleViolation("the client is already registered", code="already-registered")
    registered = ClientRegistered(**command.model_dump(exclude={"born", "today"}))
    if command.born is None or command.today is None:
        return [registered]
    age = representation.age_event(command.client_id, command.born, command.today)
    return [registered] if age.stage == "adult" else [registered, age]  # an adult's age is nobody's business


def _complete(case: IntakeCase, client_id: UUID, on: date | None) -> IntakeCompleted:
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
    municipality = case.municipality_on(on) if on is not None else case.municipality
    assert case.coordinator_id and case.service_task and case.latest_scores
    assert municipality and case.preferred_language
    return IntakeCompleted(
        client_id=client_id,
        coordinator_id=case.coordinator_id,
        service_task=case.service_task,
        municipality=municipality,
        preferred_language=case.preferred_language,
        baseline_scores=case.latest_scores,
        baseline_form=case.latest_form,
    )


# --- evolve ------------------------------------------------------------------------------------------


def evolve(case: IntakeCase, event: DomainEvent) -> IntakeCase:
    elsewhere = life.EVOLVE.get(type(event)) or representation.EVOLVE.get(type(event))
    return elsewhere(case, event) if elsewhere is not None else _apply(event, case)


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
    return replace(case, latest_scores=event.scores, latest_form=event.form)


@_apply.register
def _(event: CoordinatorAssigned, case: IntakeCase) -> IntakeCase:
    return replace(case, coordinator_id=event.worker_id)


@_apply.register
def _(event: NeedsAssessed, case: IntakeCase) -> IntakeCase:
    return replace(case, service_task=event.service_task, support_needs=tuple(event.support_needs))


@_apply.register
def _(event: IntakeCompleted, case: IntakeCase) -> IntakeCase:
    return replace(case, status="completed")


@_apply.register
def _(event: IntakeDeclined, case: IntakeCase) -> IntakeCase:
    return replace(case, status="declined")


@_apply.register
def _(event: DecisionRecorded, case: IntakeCase) -> IntakeCase:
    return case  # the decline's record: IntakeDeclined carries its effect
