"""What callers ask of intake, one command each. Texts are in clear until the handler seals them with the
client's key; registration carries the person's data, which only the sealed ClientRegistered keeps.
Handlers: handlers.py; who may send which: policy.py."""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

from pydantic import Field

from contracts.intake import Language, SelfAssessmentScores, ServiceTask
from shared.kernel.commands import Command
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


class ChangePreferredLanguage(CaseCommand):
    """The language the client is served in: chosen by the client, or recorded by their worker."""

    preferred_language: Language


class DeclineIntake(CaseCommand):
    """The instructions for rectification and the legal bases come from the county's legal basis table."""

    reason: str


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


class SyncStaffProfile(StaffCommand):
    """A staff member's entry from the claims of their identity provider's token (at sign-in)."""

    claims: dict[str, Any]
