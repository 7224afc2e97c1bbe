"""Intake's aggregates as the pipeline addresses them (a client's record, a representative's record, a staff
member's entry in the staff directory), and the ports
its handlers and views use beyond the store and the keyring. The handlers are in handlers.py (the intake steps,
the table), life.py (changes in the client's life) and representation.py (representatives and age)."""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from contracts.intake import AgeStageNoted, registry
from services.intake.adapters import postgres
from services.intake.application.directory import ClientDirectory
from services.intake.application.policy import person_policy, policy, staff_policy
from services.intake.domain import client as domain
from services.intake.domain import person, staff
from shared.infra import tables, timers
from shared.infra.aggregate import Aggregate
from shared.infra.eventstore import Session
from shared.infra.people import People
from shared.infra.pipeline import AggregateSpec, Given
from shared.kernel.approvals import DelegationTable
from shared.kernel.calendar import start_of
from shared.kernel.envelope import EventEnvelope
from shared.kernel.law import LegalTable

AGE_TIMER = "age-stage"  # a minor's birthday that changes their stage (15: acts alone; 18: of age)


async def recorded(session: Session, case: domain.IntakeCase, envelopes: Sequence[EventEnvelope]) -> None:
    """In the command's transaction: the work-list projection, and a durable timer for each birthday of a minor
    that changes their stage (it fires on that day, on the county's clock)."""
    await postgres.project_case(session, case, envelopes)
    for envelope in envelopes:
        if envelope.type != AgeStageNoted.event_type:
            continue
        event = registry.load(envelope.type, envelope.schema_version, envelope.data)
        assert isinstance(event, AgeStageNoted)
        for day in (event.acts_alone_from, event.adult_from):
            if day is not None:
                await timers.schedule(session, AGE_TIMER, f"{envelope.subject}:{day.isoformat()}", start_of(day),
                                      {"client_id": envelope.subject, "on": day.isoformat(),
                                       "correlation_id": envelope.correlation_id})


CASE = AggregateSpec(
    Aggregate(domain.INITIAL, domain.evolve, domain.decide, registry),
    stream_of=lambda cmd: str(cmd.client_id), subject_of=lambda cmd: str(cmd.client_id),
    exists=lambda case: case.registered, not_found="no such client", policy=policy, projector=recorded,
)


def person_stream(person_id: UUID) -> str:
    return f"person-{person_id}"


PERSON = AggregateSpec(
    Aggregate(person.INITIAL, person.evolve, person.decide, registry),
    stream_of=lambda cmd: person_stream(cmd.person_id), subject_of=lambda cmd: str(cmd.person_id),
    exists=lambda p: p.registered, not_found="no such representative", policy=person_policy,
)

# The staff directory: one stream per staff member, keyed by the staff id (work data, no client's).
STAFF = AggregateSpec(
    Aggregate(staff.INITIAL, staff.evolve, staff.decide, registry), stream_of=lambda cmd: f"staff-{cmd.staff_id}",
    subject_of=lambda cmd: cmd.staff_id, exists=lambda member: member.profile is not None,
    not_found="no such staff member", policy=staff_policy, projector=postgres.project_staff,
)


@dataclass(frozen=True)
class Ports:
    """What intake's handlers and views need beyond the store and the keyring."""

    hetu_pepper: bytes  # keys the hash through which a hetu is found; the hetu itself is never stored in clear
    find_client: Callable[[str], Awaitable[UUID | None]]  # hetu hash → the client it is bound to
    claim_hetu: Callable[[Session, str, UUID], Awaitable[UUID]]  # bind unless bound; → the client it is bound to
    forget_hetu: Callable[[Session, UUID], Awaitable[None]]  # an erased client can no longer be found
    list_cases: Callable[..., Awaitable[list[dict[str, Any]]]]  # the work list (projection)
    # The client directory the console reads (names for who may see them, the blind name index): optional, so
    # tests that build their own ports need not know it.
    directory: ClientDirectory | None = None
    record_name: Callable[[Session, UUID, str, list[str]], Awaitable[None]] | None = None
    # Representatives: found by the keyed hash of their hetu, like clients, in a lookup of their own (a person may
    # be both a client and a representative); their registration's personal data, opened (None: no such person).
    find_person: Callable[[str], Awaitable[UUID | None]] | None = None
    claim_person: Callable[[Session, str, UUID], Awaitable[UUID]] | None = None
    person_of: Callable[[UUID], Awaitable[dict[str, Any] | None]] | None = None
    # A client's birth date from their sealed hetu, for a record registered before ages were noted.
    born: Callable[[UUID], Awaitable[date | None]] | None = None
    count_cases: Callable[..., Awaitable[int]] | None = None  # the work list's total (None: the rows shown)
    # The staff directory as the views show it (names, work contacts) and the people's languages.
    people: People | None = None
    list_staff: Callable[..., Awaitable[list[dict[str, Any]]]] | None = None
    # A declined intake is an administrative decision: its number, who may decline, and the law of its day.
    decision_number: Callable[[int], Awaitable[str]] = field(default_factory=lambda: _numbers())
    delegations: DelegationTable = field(default_factory=tables.delegations)
    legal: LegalTable = field(default_factory=tables.legal_bases)


def _numbers() -> Callable[[int], Awaitable[str]]:
    """Decision numbers from a counter (application tests; the service draws them from PostgreSQL)."""
    counter = itertools.count(1)

    async def next_number(year: int) -> str:
        return f"HBI-{year}-{next(counter):06d}"

    return next_number


@dataclass(frozen=True)
class Registration:
    client_id: UUID  # the client's (or, registering a representative, the person's) id
    created: bool
    version: int


Given_ = Given[domain.IntakeCase, Ports]
