"""Intake's events, version 1. Published on topic ``avain.intake.events.v1``, key = client id.

Free text about a client (their words, wishes, names, the worker's notes) travels sealed with the
client's key (see shared.infra.crypto); scores, codes and ids travel in clear so other services can act on
them without ever holding personal data.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from contracts import records
from shared.kernel.events import DomainEvent, EventRegistry
from shared.kernel.representation import Act, AgeStage, Kind
from shared.kernel.sealed import Sealed

SOURCE = "/avain/intake"
Language = Literal["fi", "sv", "en"]
ContactField = Literal["address", "phone", "email"]
LinkSource = Literal["worker", "population_register", "suomi_fi"]
EndReason = Literal["came_of_age", "custody_ended", "court_decision", "revoked", "other"]


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


# Which self-assessment form was filled in (docs/self-assessment.md): the adult one on its 0–10 scales, or the
# children's, for a client under 15: the same six areas asked in a child's words, each on five faces (1–5).
AssessmentForm = Literal["adult", "child"]
CHILD_SCALE = range(1, 6)


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
    filled_in_by: Literal["client", "worker_with_client", "representative"]
    form: AssessmentForm = Field("adult", description="The form filled in: adult (0–10) or children's (faces 1–5)")


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
    baseline_form: AssessmentForm = Field("adult", description="The form of the baseline: adult or children's")


class IntakeDeclined(DomainEvent):
    """Not eligible for HB: a decision the client may request rectification of (its DecisionRecorded follows)."""

    event_type = "fi.avain.intake.IntakeDeclined"

    client_id: UUID
    reason: Sealed
    appeal_instructions: str = Field(min_length=1)


# --- changes in a client's life ------------------------------------------------------------------------------

class MunicipalityChanged(DomainEvent):
    """The client moved within the county: from ``effective_from`` on, ``municipality`` is their home municipality
    (orders, the authority limit and the region's figures use the one in force on the day that matters)."""

    event_type = "fi.avain.intake.MunicipalityChanged"

    client_id: UUID
    municipality: str = Field(min_length=1, max_length=64)
    effective_from: date
    previous_municipality: str


class ContactDetailsChanged(DomainEvent):
    """New contact details (sealed: the new values of ``changed``); who changed them and when are the event's."""

    event_type = "fi.avain.intake.ContactDetailsChanged"

    client_id: UUID
    changed: list[ContactField] = Field(min_length=1, description="Which details changed (never their values)")
    contact: Sealed = Field(description="The new values of the changed details, JSON, sealed with the client's key")


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
    role: str | None = Field(None, max_length=32, description=(
        "The role the person signs in with (worker, manager, ...): with the delegation table, whose approval a "
        "matter waits for. Null: not known (an entry recorded before roles were)"))


class DecisionRecorded(records.DecisionRecorded):
    """The record of a declined intake (contracts/records.py)."""

    event_type = "fi.avain.intake.DecisionRecorded"


class MovedOutOfCounty(DomainEvent):
    """The client moved to another wellbeing services county: this county's responsibility ends on ``moved_on``.
    An administrative decision (written, with the decider, the reasoning, the legal basis and the rectification
    instructions): the HB case closes, the budget with it. Shaped like the other decisions intake records
    (IntakeDeclined), to become a decision record of the decisions service."""

    event_type = "fi.avain.intake.MovedOutOfCounty"

    client_id: UUID
    moved_on: date
    new_county: str = Field(min_length=1, max_length=120, description="The county now responsible (a public body)")
    decided_by: str
    reasoning: Sealed
    legal_basis: str
    appeal_instructions: str = Field(min_length=1)


class CaseHandedOver(DomainEvent):
    """The client's case handed over to the county now responsible, as an export (a disclosure: the read is in the
    access log with the recipient)."""

    event_type = "fi.avain.intake.CaseHandedOver"

    client_id: UUID
    export_id: UUID
    to_county: str = Field(min_length=1, max_length=120)
    contents: list[str] = Field(description="What the export held (kinds of data, never the data)")


# --- age and representation --------------------------------------------------------------------------------------

class AgeStageNoted(DomainEvent):
    """A minor client's stage (a child under 15 acts through their guardian; from 15 also alone; at 18 of age),
    and the days it changes. Only minors' days are told: each change must be recorded when it happens anyway (a
    guardian's link ends at 18), so naming them earlier tells no more; an adult's birth date is never published."""

    event_type = "fi.avain.intake.AgeStageNoted"

    client_id: UUID
    stage: AgeStage
    acts_alone_from: date | None = Field(None, description="The 15th birthday, while the client is a child")
    adult_from: date | None = Field(None, description="The 18th birthday, while the client is a minor")


class RepresentativeRegistered(DomainEvent):
    """A person who represents clients (a guardian, an edunvalvoja, ...), with an identity and sign-in of their
    own. Their name, hetu and contact details are sealed with their own key (the subject is their person id)."""

    event_type = "fi.avain.intake.RepresentativeRegistered"

    person_id: UUID
    personal_data: Sealed
    preferred_language: Language


class RepresentationStarted(DomainEvent):
    """A person represents the client: of what kind, in what scope, from when to when, and where the link comes
    from. A continuing power of attorney acts only once confirmed (``confirmed``: false until then)."""

    event_type = "fi.avain.intake.RepresentationStarted"

    client_id: UUID
    link_id: UUID
    representative_id: UUID
    kind: Kind
    scope: list[Act] = Field(min_length=1, description="What the representative may do for the client")
    starts_on: date
    ends_on: date | None = Field(None, description="The first day the link no longer holds (a guardian's: the 18th birthday)")
    confirmed: bool
    source: LinkSource
    basis: Sealed = Field(description="The basis of the link (a court decision, a custody document...), sealed")
    representative_name: Sealed = Field(description="The representative's name under the client's key: the client "
                                        "sees who represents them")


class RepresentationConfirmed(DomainEvent):
    """A continuing power of attorney was confirmed (by the Digital and Population Data Services Agency): it acts."""

    event_type = "fi.avain.intake.RepresentationConfirmed"

    client_id: UUID
    link_id: UUID
    confirmed_on: date


class RepresentationEnded(DomainEvent):
    event_type = "fi.avain.intake.RepresentationEnded"

    client_id: UUID
    link_id: UUID
    ended_on: date
    reason: EndReason


class DataProhibitionRecorded(DomainEvent):
    """A minor able to judge it forbade giving their data to their guardian(s) (Act 812/2000, 11 §): from now on
    the guardians named (or every guardian) read nothing of theirs in any service."""

    event_type = "fi.avain.intake.DataProhibitionRecorded"

    client_id: UUID
    prohibition_id: UUID
    guardian_ids: list[UUID] = Field(description="The guardians it names (empty with all_guardians)")
    all_guardians: bool


class DataProhibitionLifted(DomainEvent):
    event_type = "fi.avain.intake.DataProhibitionLifted"

    client_id: UUID
    prohibition_id: UUID


EVENTS: list[type[DomainEvent]] = [
    ClientRegistered,
    ConsentGiven,
    ConsentWithdrawn,
    SelfAssessmentRecorded,
    CoordinatorAssigned,
    NeedsAssessed,
    IntakeCompleted,
    IntakeDeclined,
    MunicipalityChanged,
    ContactDetailsChanged,
    PreferredLanguageChanged,
    StaffProfileRecorded,
    DecisionRecorded,
    MovedOutOfCounty,
    CaseHandedOver,
    AgeStageNoted,
    RepresentativeRegistered,
    RepresentationStarted,
    RepresentationConfirmed,
    RepresentationEnded,
    DataProhibitionRecorded,
    DataProhibitionLifted,
]

registry = EventRegistry(EVENTS)
