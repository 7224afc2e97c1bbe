"""Intake's rules as given events → when command → then events (or the error)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from uuid import uuid4

import pytest

from contracts.intake import (
    ClientRegistered,
    ConsentGiven,
    CoordinatorAssigned,
    DecisionRecorded,
    IntakeCompleted,
    IntakeDeclined,
    NeedsAssessed,
    SelfAssessmentRecorded,
    SelfAssessmentScores,
    ServiceTask,
)
from services.intake.domain import client as d
from services.intake.domain import life
from shared.kernel.approvals import Authority
from shared.kernel.errors import Forbidden, RuleViolation
from shared.kernel.events import DomainEvent
from shared.kernel.law import Decided, DecisionLaw, Instructions, LegalBasis
from shared.kernel.sealed import Sealed

CID = uuid4()
SEALED = Sealed(kid=str(CID), nonce="bm9uY2U=", ct="Y3Q=")
SCORES = SelfAssessmentScores(general_ability=5, mental_wellbeing=4, social_participation=3,
                              physical_functioning=7, competence=6, everyday_life=4)


def given(*events: DomainEvent) -> d.IntakeCase:
    case = d.INITIAL
    for event in events:
        case = d.evolve(case, event)
    return case


REGISTERED = ClientRegistered(client_id=CID, personal_data=SEALED, municipality="Pori", preferred_language="sv")
CONSENTED = ConsentGiven(client_id=CID, given_by="client")
ASSIGNED = CoordinatorAssigned(client_id=CID, worker_id="w-1")
ASSESSED = SelfAssessmentRecorded(client_id=CID, assessment_id=uuid4(), scores=SCORES, filled_in_by="client")
NEEDS = NeedsAssessed(client_id=CID, service_task=ServiceTask.DISABILITY_SERVICES, support_needs=["x"], summary=SEALED)


def test_complete_intake_carries_what_budgeting_needs() -> None:
    [event] = d.decide(d.CompleteIntake(), given(REGISTERED, CONSENTED, ASSIGNED, ASSESSED, NEEDS))
    assert event == IntakeCompleted(client_id=CID, coordinator_id="w-1", service_task=ServiceTask.DISABILITY_SERVICES,
                                    municipality="Pori", preferred_language="sv", baseline_scores=SCORES)


@pytest.mark.parametrize(("history", "missing"), [
    ((REGISTERED, CONSENTED, ASSESSED, NEEDS), "a coordinating worker"),
    ((REGISTERED, CONSENTED, ASSIGNED, NEEDS), "a self-assessment"),
    ((REGISTERED, CONSENTED, ASSIGNED, ASSESSED), "a needs assessment"),
])
def test_complete_intake_names_what_is_missing(history: tuple[DomainEvent, ...], missing: str) -> None:
    with pytest.raises(RuleViolation, match=missing):
        d.decide(d.CompleteIntake(), given(*history))


@pytest.mark.parametrize("command", [
    d.CompleteIntake(),
    d.AssignCoordinator(worker_id="w-1"),
    d.AssessNeeds(service_task=ServiceTask.OLDER_PEOPLE, support_needs=["x"], summary=SEALED),
    d.RecordSelfAssessment(assessment_id=uuid4(), scores=SCORES, filled_in_by="client"),
])
def test_nothing_proceeds_without_consent(command: d.Command) -> None:
    with pytest.raises(RuleViolation, match="consent"):
        d.decide(command, given(REGISTERED))


def test_withdrawn_consent_stops_the_case_until_given_again() -> None:
    case = given(REGISTERED, CONSENTED, *d.decide(d.WithdrawConsent(), given(REGISTERED, CONSENTED)))
    assert case.consent == "withdrawn"
    with pytest.raises(RuleViolation):
        d.decide(d.AssignCoordinator(worker_id="w-1"), case)
    assert d.decide(d.GiveConsent(given_by="guardian"), case) == [ConsentGiven(client_id=CID, given_by="guardian")]


def test_repeating_a_step_already_in_force_records_nothing() -> None:
    assert d.decide(d.GiveConsent(given_by="client"), given(REGISTERED, CONSENTED)) == []
    assert d.decide(d.AssignCoordinator(worker_id="w-1"), given(REGISTERED, CONSENTED, ASSIGNED)) == []


DECIDED = Decided(decision_id=uuid4(), decision_number="HBI-2026-000001", decided_on=date(2026, 3, 2), decided_by="w-1",
                  authority=Authority(table_version="t", rule_id="r", kind="intake_decline", holder="role:worker",
                                      limit_cents=None),
                  law=DecisionLaw("t", (LegalBasis(act="1301/2014", section="45"),),
                                  Instructions(kind="rectification", body="individual_matters_section", days=30,
                                               act="434/2003", table_version="t"), "sosiaalihuoltolaki", "Ohje."))


def test_a_decline_is_a_decision_of_someone_with_delegated_authority_with_its_record() -> None:
    case = given(REGISTERED, CONSENTED, ASSIGNED)
    declined, record = d.decide(d.DeclineIntake(reason=SEALED, decision=DECIDED), case)
    assert isinstance(declined, IntakeDeclined) and declined.appeal_instructions == "Ohje."
    assert isinstance(record, DecisionRecorded) and (record.kind, record.decision_number, record.reasoning) == (
        "intake_decline", "HBI-2026-000001", SEALED)
    assert record.instructions.body == "individual_matters_section" and record.language == "sv"
    with pytest.raises(Forbidden) as refused:
        d.decide(d.DeclineIntake(reason=SEALED, decision=replace(DECIDED, authority=None)), case)
    assert refused.value.code == "no-delegated-authority"


def test_completed_intake_is_final() -> None:
    done = given(REGISTERED, CONSENTED, ASSIGNED, ASSESSED, NEEDS,
                 *d.decide(d.CompleteIntake(), given(REGISTERED, CONSENTED, ASSIGNED, ASSESSED, NEEDS)))
    assert done.status == "completed"
    for command in (d.CompleteIntake(), d.DeclineIntake(reason=SEALED, decision=DECIDED)):
        with pytest.raises(RuleViolation, match="already completed"):
            d.decide(command, done)
    # the coordinator can still change (a worker leaves), recorded with who came before
    [moved] = d.decide(d.AssignCoordinator(worker_id="w-2"), done)
    assert moved == CoordinatorAssigned(client_id=CID, worker_id="w-2", previous_worker_id="w-1")


def test_registration_happens_once_and_other_commands_need_it() -> None:
    with pytest.raises(RuleViolation, match="already registered"):
        d.decide(d.RegisterClient(client_id=CID, personal_data=SEALED, municipality="Pori", preferred_language="fi"),
                 given(REGISTERED))
    with pytest.raises(RuleViolation, match="not registered"):
        d.decide(d.GiveConsent(given_by="client"), d.INITIAL)


def test_the_preferred_language_changes_at_any_stage_and_completion_carries_the_latest() -> None:
    [changed] = d.decide(life.ChangePreferredLanguage(preferred_language="fi"), given(REGISTERED))
    assert changed.preferred_language == "fi"  # type: ignore[attr-defined]
    assert d.decide(life.ChangePreferredLanguage(preferred_language="sv"), given(REGISTERED)) == []
    [completed] = d.decide(d.CompleteIntake(), given(REGISTERED, changed, CONSENTED, ASSIGNED, ASSESSED, NEEDS))
    assert isinstance(completed, IntakeCompleted) and completed.preferred_language == "fi"
    done = given(REGISTERED, CONSENTED, ASSIGNED, ASSESSED, NEEDS, completed)
    assert d.decide(life.ChangePreferredLanguage(preferred_language="en"), done)  # a completed case's client too
    with pytest.raises(RuleViolation, match="not registered"):
        d.decide(life.ChangePreferredLanguage(preferred_language="fi"), d.INITIAL)
