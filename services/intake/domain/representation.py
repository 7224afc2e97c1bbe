"""Who represents the client, and the client's age as the law counts it: decide(command, case) -> events, and how
each event changes the case. The law behind it is in shared/kernel/representation.py; here its rules:

- a guardian represents a minor, from the day recorded until the day the child turns 18 (or custody ends); a child
  often has two guardians, each with their own link;
- a court-appointed representative and an authorised person act within the scope recorded (it must be said); a
  guardian and a continuing power of attorney in all the client's matters here, the latter once confirmed;
- a person has one open link of a kind to the client at a time; a link ends once;
- a minor's prohibition on giving their data to the guardian names guardians in force (or every guardian) and
  holds until lifted; an adult's guardian links have ended, so an adult records none;
- the client's age is noted at registration (only a minor's birthdays that change their stage are told: at 15 they
  also act alone, at 18 every guardian link ends by itself, recorded on that day by a durable timer).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from contracts.intake import (
    AgeStageNoted,
    DataProhibitionLifted,
    DataProhibitionRecorded,
    EndReason,
    LinkSource,
    RepresentationConfirmed,
    RepresentationEnded,
    RepresentationStarted,
)
from services.intake.domain.case import IntakeCase, Link
from shared.kernel.errors import InvalidCommand, RuleViolation
from shared.kernel.events import DomainEvent
from shared.kernel.representation import ACTS_ALONE_AT, OF_AGE_AT, Act, Kind, age_stage, anniversary, default_scope
from shared.kernel.sealed import Sealed


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class LinkRepresentative(Command):
    link_id: UUID
    representative_id: UUID
    representative_name: Sealed  # under the client's key: the client sees who represents them
    kind: Kind
    scope: frozenset[Act] | None = None  # None: the kind's own (a guardian's, a continuing power of attorney's)
    starts_on: date
    ends_on: date | None = None
    source: LinkSource = "worker"
    basis: Sealed
    client_born: date | None = None  # when the record has no age noted yet (registered before ages were)


class ConfirmRepresentation(Command):
    link_id: UUID
    confirmed_on: date


class EndRepresentation(Command):
    link_id: UUID
    ended_on: date
    reason: EndReason


class RecordDataProhibition(Command):
    prohibition_id: UUID
    guardian_ids: list[UUID] | None = None  # None: every guardian
    on: date


class LiftDataProhibition(Command):
    prohibition_id: UUID


class PassBirthday(Command):
    """A birthday that changes the client's stage has come (a durable timer set for it)."""

    on: date


def age_event(client_id: UUID, born: date, on: date) -> AgeStageNoted:
    """What registration (or the first guardian's link on an older record) tells of the client's age on ``on``:
    the stage, and a minor's birthdays still to change it (never an adult's birth date)."""
    stage = age_stage(born, on)
    return AgeStageNoted(client_id=client_id, stage=stage,
                         acts_alone_from=anniversary(born, ACTS_ALONE_AT) if stage == "child" else None,
                         adult_from=anniversary(born, OF_AGE_AT) if stage != "adult" else None)


def decide(command: Command, case: IntakeCase, client_id: UUID) -> list[DomainEvent]:
    match command:
        case PassBirthday():
            return _birthday(command, case, client_id)
        case LinkRepresentative():
            return _link(command, case, client_id)
        case ConfirmRepresentation():
            link = _link_of(case, command.link_id)
            if link.kind != "continuing_power_of_attorney":
                raise RuleViolation("only a continuing power of attorney waits for confirmation")
            if link.confirmed:
                return []
            return [RepresentationConfirmed(client_id=client_id, link_id=command.link_id,
                                            confirmed_on=command.confirmed_on)]
        case EndRepresentation():
            link = _link_of(case, command.link_id)
            if not link.open:
                return []  # a link ends once
            return [RepresentationEnded(client_id=client_id, link_id=command.link_id, ended_on=command.ended_on,
                                        reason=command.reason)]
        case RecordDataProhibition():
            return _prohibit(command, case, client_id)
        case LiftDataProhibition():
            if command.prohibition_id not in case.prohibitions:
                raise InvalidCommand("no such prohibition", field="prohibition_id")
            return [DataProhibitionLifted(client_id=client_id, prohibition_id=command.prohibition_id)]
    raise TypeError(f"unknown command {type(command).__name__}")


def _link(command: LinkRepresentative, case: IntakeCase, client_id: UUID) -> list[DomainEvent]:
    events: list[DomainEvent] = []
    if not case.age_known and command.client_born is not None:
        events.append(age_event(client_id, command.client_born, command.starts_on))
        case = evolve_one(case, events[-1])
    ends_on = command.ends_on
    if command.kind == "guardian":
        if case.stage_on(command.starts_on) == "adult":
            raise RuleViolation("a guardian represents a minor: the client is of age", code="client-of-age")
        ends_on = min(d for d in (ends_on, case.adult_from) if d is not None)
    if ends_on is not None and ends_on <= command.starts_on:
        raise InvalidCommand("a link ends after it starts", field="ends_on")
    scope = default_scope(command.kind) if command.scope is None or command.kind == "guardian" else command.scope
    if not scope:
        raise InvalidCommand("say what this representative may do for the client (the scope the court or the "
                             "authorisation set)", field="scope")
    if any(link.representative_id == command.representative_id and link.kind == command.kind and link.open
           for link in case.links.values()):
        raise RuleViolation("this person already represents the client in this way", code="already-represents")
    events.append(RepresentationStarted(
        client_id=client_id, link_id=command.link_id, representative_id=command.representative_id, kind=command.kind,
        scope=sorted(scope), starts_on=command.starts_on, ends_on=ends_on,
        confirmed=command.kind != "continuing_power_of_attorney", source=command.source, basis=command.basis,
        representative_name=command.representative_name))
    return events


def _prohibit(command: RecordDataProhibition, case: IntakeCase, client_id: UUID) -> list[DomainEvent]:
    if case.stage_on(command.on) == "adult":
        raise RuleViolation("an adult's guardians no longer represent them: there is nothing to forbid",
                            code="client-of-age")
    guardians = {link.representative_id for link in case.guardians_in_force(command.on).values()}
    named = command.guardian_ids
    if named is not None and (not named or not set(named) <= guardians):
        raise InvalidCommand("name guardians of the client in force, or none for every guardian", field="guardian_ids")
    return [DataProhibitionRecorded(client_id=client_id, prohibition_id=command.prohibition_id,
                                    guardian_ids=sorted(named or []), all_guardians=named is None)]


def _birthday(command: PassBirthday, case: IntakeCase, client_id: UUID) -> list[DomainEvent]:
    if not case.age_known:
        return []
    stage = case.stage_on(command.on)
    if stage == _noted_stage(case):
        return []  # noted already: the timer fired again after a restart
    events: list[DomainEvent] = [AgeStageNoted(client_id=client_id, stage=stage,
                                               acts_alone_from=case.acts_alone_from if stage == "child" else None,
                                               adult_from=case.adult_from if stage != "adult" else None)]
    if stage == "adult":
        events += [RepresentationEnded(client_id=client_id, link_id=link_id, ended_on=command.on, reason="came_of_age")
                   for link_id, link in case.links.items() if link.kind == "guardian" and link.open]
    return events


def _noted_stage(case: IntakeCase) -> str:
    """The stage the last AgeStageNoted said: its days tell it (a child's both, a minor's only the 18th)."""
    if case.adult_from is None:
        return "adult"
    return "child" if case.acts_alone_from is not None else "minor_15"


def _link_of(case: IntakeCase, link_id: UUID) -> Link:
    link = case.links.get(link_id)
    if link is None:
        raise InvalidCommand("no such representation", field="link_id")
    return link


# --- how each event changes the case ---------------------------------------------------------------------------

def _aged(case: IntakeCase, e: AgeStageNoted) -> IntakeCase:
    return replace(case, age_known=True, acts_alone_from=e.acts_alone_from, adult_from=e.adult_from)


def _started(case: IntakeCase, e: RepresentationStarted) -> IntakeCase:
    link = Link(e.representative_id, e.kind, frozenset(e.scope), e.starts_on, e.ends_on, e.confirmed)
    return replace(case, links={**case.links, e.link_id: link})


def _confirmed(case: IntakeCase, e: RepresentationConfirmed) -> IntakeCase:
    return replace(case, links={**case.links, e.link_id: replace(case.links[e.link_id], confirmed=True)})


def _ended(case: IntakeCase, e: RepresentationEnded) -> IntakeCase:
    return replace(case, links={**case.links, e.link_id: replace(case.links[e.link_id], ended_on=e.ended_on)})


def _prohibited(case: IntakeCase, e: DataProhibitionRecorded) -> IntakeCase:
    return replace(case, prohibitions={**case.prohibitions, e.prohibition_id: (frozenset(e.guardian_ids),
                                                                                e.all_guardians)})


def _lifted(case: IntakeCase, e: DataProhibitionLifted) -> IntakeCase:
    return replace(case, prohibitions={k: v for k, v in case.prohibitions.items() if k != e.prohibition_id})


EVOLVE: dict[type[DomainEvent], Callable[[IntakeCase, Any], IntakeCase]] = {
    AgeStageNoted: _aged,
    RepresentationStarted: _started,
    RepresentationConfirmed: _confirmed,
    RepresentationEnded: _ended,
    DataProhibitionRecorded: _prohibited,
    DataProhibitionLifted: _lifted,
}


def evolve_one(case: IntakeCase, event: DomainEvent) -> IntakeCase:
    return EVOLVE[type(event)](case, event)
