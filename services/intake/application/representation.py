"""Handlers for representatives and a minor's age: registering a representative (a person of their own, found by
hetu like a client), linking them to a client with a kind, scope, dates and basis, confirming and ending a link, a
minor's prohibition on giving their data to a guardian, and the birthdays that change a minor's stage (a durable
timer's). Rules: domain/representation.py; the law: shared/kernel/representation.py."""

from __future__ import annotations

import json
from datetime import date
from uuid import UUID, uuid4

from services.intake.application import commands as c
from services.intake.application.aggregates import AGE_TIMER, CASE, PERSON, Given_, Ports, Registration
from services.intake.application.policy import authorize
from services.intake.domain import person
from services.intake.domain import representation as domain
from shared.infra.crypto import keyed_hash
from shared.infra.eventstore import CommandContext
from shared.infra.pipeline import Application, Given, Handlers, Route, TimerCommand, Workflow
from shared.kernel.calendar import county_day
from shared.kernel.errors import InvalidCommand, NotFound
from shared.kernel.identifiers import InvalidIdentifier, validate_hetu
from shared.kernel.principal import Principal


async def register_representative(cmd: c.RegisterRepresentative, principal: Principal, context: CommandContext,
                                  app: Application[Ports]) -> Registration:
    """As a client's registration: the same hetu twice yields the person registered first, also in a race. Their
    personal data is sealed with a key of their own (the person id), never the clients'."""
    authorize(principal, "register")
    try:
        hetu = validate_hetu(cmd.hetu)
    except InvalidIdentifier as exc:
        raise InvalidCommand(str(exc), field="hetu", code="invalid-hetu") from exc
    deps = app.deps
    assert deps.find_person is not None and deps.claim_person is not None
    hetu_hash = keyed_hash(deps.hetu_pepper, hetu)
    existing = await deps.find_person(hetu_hash)
    if existing is not None:
        return Registration(existing, False, await _version(app, existing))
    person_id = uuid4()
    await app.keyring.create(str(person_id))
    data = {"hetu": hetu, "first_name": cmd.first_name, "last_name": cmd.last_name, "phone": cmd.phone,
            "email": cmd.email, "address": cmd.address}
    (sealed,) = await app.keyring.seal(str(person_id), json.dumps(data, ensure_ascii=False))
    opening = c.OpenPersonRecord(person_id=person_id, personal_data=sealed, preferred_language=cmd.preferred_language)
    async with app.store.transaction() as session:
        owner = await deps.claim_person(session, hetu_hash, person_id)
        if owner == person_id:
            done = await app.handle(opening, principal, context, session=session)
            return Registration(person_id, True, done.version)
    await app.keyring.destroy(str(person_id), "duplicate registration discarded")
    return Registration(owner, False, await _version(app, owner))


async def _version(app: Application[Ports], person_id: UUID) -> int:
    loaded = await app.runners[PERSON].load(f"person-{person_id}")
    if not loaded.state.registered:
        raise NotFound("no such representative")
    return loaded.version


async def open_person(cmd: c.OpenPersonRecord, given: Given[person.Person, Ports]) -> person.RegisterRepresentative:
    return person.RegisterRepresentative(person_id=cmd.person_id, personal_data=cmd.personal_data,
                                         preferred_language=cmd.preferred_language)


async def link(cmd: c.LinkRepresentative, given: Given_) -> domain.LinkRepresentative:
    """The representative's name is sealed anew under the client's key: the client sees who represents them, and
    erasing the client erases it with the rest."""
    assert given.deps.person_of is not None
    someone = await given.deps.person_of(cmd.representative_id)
    if someone is None:
        raise InvalidCommand("no such representative: register them first", field="representative_id")
    name, basis = await given.keyring.seal(str(cmd.client_id), f"{someone['first_name']} {someone['last_name']}",
                                           cmd.basis)
    born = None
    if not given.state.age_known and cmd.kind == "guardian" and given.deps.born is not None:
        born = await given.deps.born(cmd.client_id)  # a record from before ages were noted
    return domain.LinkRepresentative(
        link_id=uuid4(), representative_id=cmd.representative_id, representative_name=name, kind=cmd.kind,
        scope=frozenset(cmd.scope) if cmd.scope is not None else None,
        starts_on=cmd.starts_on or county_day(given.context.now), ends_on=cmd.ends_on, source=cmd.source,
        basis=basis, client_born=born)


async def confirm(cmd: c.ConfirmRepresentation, given: Given_) -> domain.ConfirmRepresentation:
    return domain.ConfirmRepresentation(link_id=cmd.link_id,
                                        confirmed_on=cmd.confirmed_on or county_day(given.context.now))


async def end(cmd: c.EndRepresentation, given: Given_) -> domain.EndRepresentation:
    return domain.EndRepresentation(link_id=cmd.link_id, reason=cmd.reason,
                                    ended_on=cmd.ended_on or county_day(given.context.now))


async def prohibit(cmd: c.RecordDataProhibition, given: Given_) -> domain.RecordDataProhibition:
    return domain.RecordDataProhibition(prohibition_id=uuid4(), guardian_ids=cmd.guardian_ids,
                                        on=county_day(given.context.now))


async def lift(cmd: c.LiftDataProhibition, given: Given_) -> domain.LiftDataProhibition:
    return domain.LiftDataProhibition(prohibition_id=cmd.prohibition_id)


async def pass_birthday(cmd: c.PassBirthday, given: Given_) -> domain.PassBirthday:
    return domain.PassBirthday(on=cmd.on)


HANDLERS: Handlers = {
    c.RegisterRepresentative: Workflow(register_representative),
    c.OpenPersonRecord: Route(PERSON, open_person, missing="decide"),
    c.LinkRepresentative: Route(CASE, link),
    c.ConfirmRepresentation: Route(CASE, confirm),
    c.EndRepresentation: Route(CASE, end),
    c.RecordDataProhibition: Route(CASE, prohibit),
    c.LiftDataProhibition: Route(CASE, lift),
    c.PassBirthday: Route(CASE, pass_birthday, missing="skip"),
}

# The birthday's timer → the command noting it (the timer says which day it was set for).
TIMERS: dict[str, TimerCommand] = {
    AGE_TIMER: lambda t: c.PassBirthday(client_id=UUID(t.payload["client_id"]), on=date.fromisoformat(t.payload["on"])),
}
