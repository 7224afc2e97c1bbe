"""Intake's events, version 1. Published on topic ``avain.intake.events.v1``, key = client id.

Free text about a client (their words, wishes, names, the worker's notes) travels sealed with the
client's key (see shared.infra.crypto); scores, codes and ids travel in clear so other services can act on
them without ever holding personal data.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from contracts import records
from shared.kernel.events import DomainEvent, EventRegistry
from shared.kernel.sealed import Sealed

SOURCE = "/avain/intake"
Language = Literal["fi", "sv", "en"]


class ServiceTask(StrEnum):
    """The case's service task; with the closing date it sets the retention period (National Archives)."""

    FAMILIES_WITH_CHILDREN = "families_with_children"
    CHILD_WELFARE = "child_welfare"
    WORKING_AGE_ADULTS = "working_age_adults"
    DISABILITY_SERVICES = "disability_services"
    OLDER_PEOPLE = "older_people"
    MENTAL_HEALTH_AND_SUBSTANCE_ABUSE = "mental_health_and_substance_abuse"



class SelfAssessmentScores(BaseModel):
    """Kykyviisari-style self-assessment: our own 0–10 scales for the general score and five areas."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    general_ability: int = Field(ge=0, le=10)
    mental_wellbeing: int = Field(ge=0, le=10)
    social_participation: int = Field(ge=0, le=10)
    physical_functioning: int = Field(ge=0, le=10)
    competence: int = Field(ge=0, le=10)
    everyday_life: int = Field(ge=0, le=10)


class ClientRegistered(DomainEvent):
    """A client came through the one door. Name, hetu and contact details are in ``personal_data``."""

    event_type = "fi.avain.intake.ClientRegistered"
    schema_version = 1

    client_id: UUID
    personal_data: Sealed
    municipality: str = Field(min_length=1, max_length=64, description="Home municipality (service area)")
    preferred_language: Language


class ConsentGiven(DomainEvent):
    event_type = "fi.avain.intake.ConsentGiven"

    client_id: UUID
    scope: Literal["personal_budgeting"] = "personal_budgeting"
    given_by: Literal["client", "guardian", "representative"]


class ConsentWithdrawn(DomainEvent):
    """Nothing proceeds after this; budgeting freezes the client's budget."""

    event_type = "fi.avain.intake.ConsentWithdrawn"

    client_id: UUID
    reason: Sealed | None = None


class SelfAssessmentRecorded(DomainEvent):
    event_type = "fi.avain.intake.SelfAssessmentRecorded"

    client_id: UUID
    assessment_id: UUID
    scores: SelfAssessmentScores
    own_words: Sealed | None = Field(None, description="The client's own account, in their words")
    wishes: Sealed | None = Field(None, description="What the client wishes for, recorded as theirs")
    filled_in_by: Literal["client", "worker_with_client"]


class CoordinatorAssigned(DomainEvent):
    event_type = "fi.avain.intake.CoordinatorAssigned"

    client_id: UUID
    worker_id: str
    previous_worker_id: str | None = None


class NeedsAssessed(DomainEvent):
    event_type = "fi.avain.intake.NeedsAssessed"

    client_id: UUID
    service_task: ServiceTask
    support_needs: list[str] = Field(description="Areas of support needed, e.g. 'everyday_life', 'recreation'")
    summary: Sealed


class IntakeCompleted(DomainEvent):
    """The client is eligible for personal budgeting: budgeting opens a draft budget."""

    event_type = "fi.avain.intake.IntakeCompleted"

    client_id: UUID
    coordinator_id: str
    service_task: ServiceTask
    municipality: str
    preferred_language: Language
    baseline_scores: SelfAssessmentScores


class IntakeDeclined(DomainEvent):
    """Not eligible for HB: a decision the client may request rectification of (its DecisionRecorded follows)."""

    event_type = "fi.avain.intake.IntakeDeclined"

    client_id: UUID
    reason: Sealed
    appeal_instructions: str = Field(min_length=1)


class PreferredLanguageChanged(DomainEvent):
    """The language the client wants to be served in (pages, letters, messages): their own choice, or what they
    told their worker. Every service that writes to the client reads it from here."""

    event_type = "fi.avain.intake.PreferredLanguageChanged"

    client_id: UUID
    preferred_language: Language


class StaffProfileRecorded(DomainEvent):
    """A staff member's entry in the staff directory, whole, as it now stands (from the identity provider's claims
    at sign-in or an administrator's command). Work data, not a client's: in clear, so every service that shows
    staff (decisions, budgets, the case history, the access log) keeps its own small copy. Stream ``staff-<id>``,
    subject and Kafka key the staff id."""

    event_type = "fi.avain.intake.StaffProfileRecorded"

    staff_id: str = Field(min_length=1, max_length=200)
    name: str = Field(min_length=1, max_length=200)
    title: str | None = Field(None, max_length=200, description="E.g. sosiaalityöntekijä, palveluesihenkilö")
    unit: str | None = Field(None, max_length=200, description="The unit or team, e.g. Porin aikuissosiaalityö")
    work_email: str | None = Field(None, max_length=320)
    work_phone: str | None = Field(None, max_length=40)
    languages: list[str] = Field(default_factory=list, description="Languages the person serves in, by code, "
                                 "the first their own preference")
    active: bool = Field(True, description="False once the person has left: their name stays for the records")
    source: Literal["identity_provider", "admin"]


class DecisionRecorded(records.DecisionRecorded):
    """The record of a declined intake (contracts/records.py)."""

    event_type = "fi.avain.intake.DecisionRecorded"


EVENTS: list[type[DomainEvent]] = [
    ClientRegistered,
    ConsentGiven,
    ConsentWithdrawn,
    SelfAssessmentRecorded,
    CoordinatorAssigned,
    NeedsAssessed,
    IntakeCompleted,
    IntakeDeclined,
    PreferredLanguageChanged,
    StaffProfileRecorded,
    DecisionRecorded,
]

registry = EventRegistry(EVENTS)
