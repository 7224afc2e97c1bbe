"""A representative's own record: a person with an identity and sign-in of their own, registered once (the same
hetu twice yields the first), their personal data sealed with their own key. Their links to clients are in each
client's record (representation.py)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from contracts.intake import Language, RepresentativeRegistered
from shared.kernel.errors import RuleViolation
from shared.kernel.events import DomainEvent
from shared.kernel.sealed import Sealed


@dataclass(frozen=True)
class Person:
    person_id: UUID | None = None
    preferred_language: Language | None = None

    @property
    def registered(self) -> bool:
        return self.person_id is not None


INITIAL = Person()


class RegisterRepresentative(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    person_id: UUID
    personal_data: Sealed
    preferred_language: Language


def decide(command: RegisterRepresentative, person: Person) -> list[DomainEvent]:
    if person.registered:
        raise RuleViolation("the person is already registered")
    return [RepresentativeRegistered(**command.model_dump())]


def evolve(person: Person, event: DomainEvent) -> Person:
    if isinstance(event, RepresentativeRegistered):
        return replace(person, person_id=event.person_id, preferred_language=event.preferred_language)
    raise TypeError(f"a person's record cannot apply {type(event).__name__}")
