"""What callers ask of intake, one command each. Texts are in clear until the handler seals them with the
client's key; registration carries the person's data, which only the sealed ClientRegistered keeps.
Handlers: handlers.py; who may send which: policy.py."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal
from uuid import UUID

from pydantic import Field

from contracts.intake import EndReason, Language, LinkSource, SelfAssessmentScores, ServiceTask
from shared.kernel.commands import Command
from shared.kernel.representation import Act, Kind
from shared.kernel.sealed import Sealed


class RegisterClient(Command):
    """At the one door: the same person (hetu) twice yields the client registered first."""

    hetu: str
    first_name: str
    last_name: str
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    municipality: str
    preferred_language: Language


class CaseCommand(Command):
    client_id: UUID  # whose case: the stream is the client id


class OpenCase(CaseCommand):
    """Registration's own write, once the hetu is claimed for this client id (handlers.register sends it)."""

    personal_data: Sealed
    municipality: str
    preferred_language: Language
    born: date | None = None  # from the hetu (only a minor's stage-changing birthdays are told)


class GiveConsent(CaseCommand):
    given_by: Literal["client", "guardian", "representative"]


class WithdrawConsent(CaseCommand):
    reason: str | None = None


class RecordSelfAssessment(CaseCommand):
    scores: SelfAssessmentScores
    own_words: str | None = None
    wishes: str | None = None


class AssignCoordinator(CaseCommand):
    worker_id: str = Field(min_length=1)


class AssessNeeds(CaseCommand):
    service_task: ServiceTask
    support_needs: list[str]
    summary: str


class CompleteIntake(CaseCommand):
    pass


class DeclineIntake(CaseCommand):
    """The instructions for rectification and the legal bases come from the county's legal basis table."""

    reason: str


# --- changes in the client's life -----------------------------------------------------------------------------

class ChangeMunicipality(CaseCommand):
    """A move within the county, from a day on (past or future)."""

    municipality: str
    effective_from: date


class ChangeContactDetails(CaseCommand):
    """The new values of the details that changed (None: unchanged)."""

    address: str | None = None
    phone: str | None = None
    email: str | None = None


class ChangePreferredLanguage(CaseCommand):
    """The language the client is served in: chosen by the client, or recorded by their worker."""

    preferred_language: Language


# --- the staff directory ------------------------------------------------------------------------------------

class StaffCommand(Command):
    staff_id: str = Field(min_length=1, max_length=200)  # whose entry: the stream is staff-<staff_id>


class RecordStaffProfile(StaffCommand):
    """An administrator (a manager) records a staff member's entry as a whole."""

    name: str
    title: str | None = None
    unit: str | None = None
    work_email: str | None = None
    work_phone: str | None = None
    languages: list[str] = Field(default_factory=list)
    active: bool = True
    role: str | None = None  # unset: the role the sign-in recorded stays


class SyncStaffProfile(StaffCommand):
    """A staff member's entry from the claims of their identity provider's token (at sign-in)."""

    claims: dict[str, Any]
    role: str | None = None  # the role the token was verified to carry (Avain's, not a raw claim)


class RecordMoveOutOfCounty(CaseCommand):
    """The client moved to another county: this county's responsibility ends by a decision."""

    moved_on: date
    new_county: str
    reasoning: str


class HandOverCase(CaseCommand):
    """The case as an export to the county now responsible (a disclosure, access-logged with the recipient)."""

    to_county: str


# --- representatives ---------------------------------------------------------------------------------------------

class RegisterRepresentative(Command):
    """A person who represents clients: the same hetu twice yields the person registered first."""

    hetu: str
    first_name: str
    last_name: str
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    preferred_language: Language


class OpenPersonRecord(Command):
    """The representative's registration's own write, once the hetu is claimed for this person id."""

    person_id: UUID
    personal_data: Sealed
    preferred_language: Language


class LinkRepresentative(CaseCommand):
    representative_id: UUID
    kind: Kind
    scope: list[Act] | None = None  # None: the kind's own; a court-appointed or authorised one's must be said
    starts_on: date | None = None  # None: today
    ends_on: date | None = None
    source: LinkSource = "worker"
    basis: str  # the court decision, the custody document, the power of attorney: what the link rests on


class ConfirmRepresentation(CaseCommand):
    link_id: UUID
    confirmed_on: date | None = None  # None: today


class EndRepresentation(CaseCommand):
    link_id: UUID
    reason: EndReason
    ended_on: date | None = None  # None: today


class RecordDataProhibition(CaseCommand):
    """The minor forbids giving their data to these guardians (None: every guardian)."""

    guardian_ids: list[UUID] | None = None


class LiftDataProhibition(CaseCommand):
    prohibition_id: UUID


class PassBirthday(CaseCommand):
    """A birthday that changes the client's stage (the durable timer set for it)."""

    on: date
