"""A staff member's entry in the staff directory: decide(command, state) -> events, evolve(state, event) -> state.

The entry is work data (name, title, unit, work contact, languages), recorded whole each time from the identity
provider's claims when the person signs in, or by an administrator. Recording what is already there records
nothing, so a sign-in a day adds no event unless something changed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from contracts.intake import StaffProfileRecorded
from shared.kernel.errors import InvalidCommand
from shared.kernel.events import DomainEvent

_LANGUAGE = re.compile(r"^[a-z]{2,3}$")


@dataclass(frozen=True)
class StaffMember:
    profile: StaffProfileRecorded | None = None


INITIAL = StaffMember()


class RecordProfile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    staff_id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    title: str | None = None
    unit: str | None = None
    work_email: str | None = None
    work_phone: str | None = None
    languages: list[str] = Field(default_factory=list)
    active: bool = True
    source: Literal["identity_provider", "admin"]
    role: str | None = None


def decide(command: RecordProfile, member: StaffMember) -> list[DomainEvent]:
    # An entry that does not state the role (an administrator's edit) keeps the one the sign-in recorded.
    role = command.role or (member.profile.role if member.profile else None)
    recorded = StaffProfileRecorded(**command.model_dump(exclude={"role"}), role=role)
    if member.profile is not None and _same(member.profile, recorded):
        return []
    return [recorded]


def _same(a: StaffProfileRecorded, b: StaffProfileRecorded) -> bool:
    return a.model_dump(exclude={"source"}) == b.model_dump(exclude={"source"})


def evolve(member: StaffMember, event: DomainEvent) -> StaffMember:
    if not isinstance(event, StaffProfileRecorded):
        raise TypeError(f"a staff member cannot apply {type(event).__name__}")
    return replace(member, profile=event)


def profile_from_claims(staff_id: str, claims: Mapping[str, Any], role: str | None = None) -> RecordProfile:
    """The directory entry an identity provider's token states (OpenID Connect's standard claims, and the county's
    own ``title``, ``unit`` and ``languages``), with the ``role`` the token was verified to carry. A token without a
    name cannot make an entry (422)."""
    name = _text(claims.get("name")) or " ".join(
        t for t in (_text(claims.get("given_name")), _text(claims.get("family_name"))) if t)
    if not name:
        raise InvalidCommand("the sign-in token states no name for the staff directory", field="name",
                             code="claims-without-name")
    languages = claims.get("languages")
    if isinstance(languages, str):
        languages = languages.replace(",", " ").split()
    if not isinstance(languages, list):
        locale = _text(claims.get("locale"))
        languages = [locale.split("-")[0].split("_")[0]] if locale else []
    return RecordProfile(
        staff_id=staff_id, name=name, title=_text(claims.get("title") or claims.get("job_title")),
        unit=_text(claims.get("unit") or claims.get("department")), work_email=_text(claims.get("email")),
        work_phone=_text(claims.get("phone_number")),
        languages=[str(x).lower() for x in languages if _LANGUAGE.match(str(x).lower())],
        source="identity_provider", role=role)


def _text(value: Any) -> str | None:
    return value.strip()[:200] or None if isinstance(value, str) else None
