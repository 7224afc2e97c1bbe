"""Changes in a client's life, as intake records them: decide(command, case) -> events, and how each event changes
the case.

- a move within the county changes the home municipality from a day on (orders, the authority limit and the region's
  figures use the one in force on the day that matters); a later move is recorded after an earlier one, never before
  it; moving to where the client already lives changes nothing;
- a move to another county ends this county's responsibility on the day it happened, by a written decision; it is
  recorded once it has happened, and after it nothing but reading and the hand-over to the new county proceeds;
- the case is handed over only to the county now responsible;
- contact details and the preferred language change with who and when (the event's); the details stay sealed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from contracts.intake import (
    CaseHandedOver,
    ContactDetailsChanged,
    ContactField,
    Language,
    MovedOutOfCounty,
    MunicipalityChanged,
    PreferredLanguageChanged,
)
from services.intake.domain.case import IntakeCase
from shared.kernel.errors import InvalidCommand, RuleViolation
from shared.kernel.events import DomainEvent
from shared.kernel.sealed import Sealed


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ChangeMunicipality(Command):
    municipality: str = Field(min_length=1, max_length=64)
    effective_from: date


class ChangeContactDetails(Command):
    changed: list[ContactField] = Field(min_length=1)
    contact: Sealed


class ChangePreferredLanguage(Command):
    preferred_language: Language


class RecordMoveOutOfCounty(Command):
    moved_on: date
    new_county: str = Field(min_length=1, max_length=120)
    decided_by: str
    reasoning: Sealed
    legal_basis: str
    appeal_instructions: str = Field(min_length=1)
    today: date


class HandOverCase(Command):
    export_id: UUID
    to_county: str
    contents: list[str]


def decide(command: Command, case: IntakeCase, client_id: UUID) -> list[DomainEvent]:
    if isinstance(command, HandOverCase):
        return _hand_over(command, case, client_id)
    if case.moved_out_on is not None:
        raise RuleViolation("the client moved to another county: this county's responsibility has ended",
                            code="moved-out-of-county")
    match command:
        case ChangeMunicipality():
            return _move(command, case, client_id)
        case ChangeContactDetails():
            return [ContactDetailsChanged(client_id=client_id, changed=sorted(set(command.changed)),
                                          contact=command.contact)]
        case ChangePreferredLanguage():
            if case.preferred_language == command.preferred_language:
                return []  # already so: choosing it again changes nothing
            return [PreferredLanguageChanged(client_id=client_id, preferred_language=command.preferred_language)]
        case RecordMoveOutOfCounty():
            if command.moved_on > command.today:
                raise InvalidCommand("a move to another county is recorded once it has happened", field="moved_on")
            return [MovedOutOfCounty(client_id=client_id, **command.model_dump(exclude={"today"}))]
    raise TypeError(f"unknown command {type(command).__name__}")


def _move(command: ChangeMunicipality, case: IntakeCase, client_id: UUID) -> list[DomainEvent]:
    if case.moves and command.effective_from <= case.moves[-1][0]:
        raise RuleViolation("a later move is already recorded: record this one before it, or correct that one",
                            code="move-out-of-order")
    previous = case.municipality_on(command.effective_from)
    if previous == command.municipality:
        return []  # the client already lives there from that day
    return [MunicipalityChanged(client_id=client_id, municipality=command.municipality,
                                effective_from=command.effective_from, previous_municipality=previous or "")]


def _hand_over(command: HandOverCase, case: IntakeCase, client_id: UUID) -> list[DomainEvent]:
    if case.moved_out_on is None:
        raise RuleViolation("the case is handed over once the move to another county is recorded")
    if command.to_county != case.new_county:
        raise InvalidCommand("the case is handed over to the county now responsible", field="to_county")
    return [CaseHandedOver(client_id=client_id, export_id=command.export_id, to_county=command.to_county,
                           contents=command.contents)]


# --- how each event changes the case ---------------------------------------------------------------------------

def _moved(case: IntakeCase, e: MunicipalityChanged) -> IntakeCase:
    return replace(case, moves=(*case.moves, (e.effective_from, e.municipality)))


def _moved_out(case: IntakeCase, e: MovedOutOfCounty) -> IntakeCase:
    return replace(case, moved_out_on=e.moved_on, new_county=e.new_county)


def _language(case: IntakeCase, e: PreferredLanguageChanged) -> IntakeCase:
    return replace(case, preferred_language=e.preferred_language)


def _unchanged(case: IntakeCase, e: Any) -> IntakeCase:
    return case  # what changed is in the sealed data the views open


EVOLVE: dict[type[DomainEvent], Callable[[IntakeCase, Any], IntakeCase]] = {
    MunicipalityChanged: _moved,
    MovedOutOfCounty: _moved_out,
    PreferredLanguageChanged: _language,
    ContactDetailsChanged: _unchanged,
    CaseHandedOver: _unchanged,
}
