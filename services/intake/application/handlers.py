"""Intake's command handlers: each turns an application command into the domain's, after the pipeline has
found the case (404), asked the policy (403) and checked the version the caller saw (409). Rules live in
domain/client.py, access rules in application/policy.py.

Registration is the one entry that must find its case first: the same hetu twice yields the client
registered first, also when two registrations of one person race (``register``).
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID, uuid4

from services.intake.adapters import postgres
from services.intake.application import commands as c
from services.intake.application import life, representation
from services.intake.application.aggregates import CASE, PERSON, STAFF, Given_, Ports, Registration
from services.intake.application.directory import ClientDirectory
from services.intake.application.policy import authorize
from services.intake.domain import client as domain
from services.intake.domain import staff
from shared.infra import tables
from shared.infra.crypto import keyed_hash
from shared.infra.eventstore import CommandContext
from shared.infra.law_texts import decision_law
from shared.infra.people import PostgresPeople
from shared.infra.pipeline import Application, Given, Handlers, Route, Workflow
from shared.kernel.approvals import DelegationTable
from shared.kernel.calendar import county_day
from shared.kernel.errors import InvalidCommand, NotFound
from shared.kernel.identifiers import InvalidIdentifier, hetu_birth_date, validate_hetu
from shared.kernel.law import Decided, LegalTable
from shared.kernel.principal import Principal

__all__ = ["CASE", "HANDLERS", "PERSON", "STAFF", "Ports", "Registration", "ports"]


# --- registration: the one step that creates a case ----------------------------------------------------------

async def register(cmd: c.RegisterClient, principal: Principal, context: CommandContext,
                   app: Application[Ports]) -> Registration:
    authorize(principal, "register")
    try:
        hetu = validate_hetu(cmd.hetu)
    except InvalidIdentifier as exc:
        raise InvalidCommand(str(exc), field="hetu", code="invalid-hetu") from exc
    hetu_hash = keyed_hash(app.deps.hetu_pepper, hetu)
    existing = await app.deps.find_client(hetu_hash)
    if existing is not None:
        return Registration(existing, False, await _version(app, existing))
    client_id = uuid4()
    await app.keyring.create(str(client_id))
    person = {"hetu": hetu, "first_name": cmd.first_name, "last_name": cmd.last_name, "phone": cmd.phone,
              "email": cmd.email, "address": cmd.address}
    sealed, sealed_name = await app.keyring.seal(str(client_id), json.dumps(person, ensure_ascii=False),
                                                 f"{cmd.first_name} {cmd.last_name}")
    opening = c.OpenCase(client_id=client_id, personal_data=sealed, municipality=cmd.municipality,
                         preferred_language=cmd.preferred_language, born=hetu_birth_date(hetu))
    async with app.store.transaction() as session:
        owner = await app.deps.claim_hetu(session, hetu_hash, client_id)
        if owner == client_id:
            done = await app.handle(opening, principal, context, session=session)
            if app.deps.directory is not None and app.deps.record_name is not None:
                await app.deps.record_name(session, client_id, sealed_name.model_dump_json(),
                                           app.deps.directory.hashes(cmd.first_name, cmd.last_name))
            return Registration(client_id, True, done.version)
    # Lost a race with a concurrent registration of the same person: theirs stands, our key goes.
    await app.keyring.destroy(str(client_id), "duplicate registration discarded")
    return Registration(owner, False, await _version(app, owner))


async def _version(app: Application[Ports], client_id: UUID) -> int:
    loaded = await app.runners[CASE].load(str(client_id))
    if not loaded.state.registered:
        raise NotFound("no such client")
    return loaded.version


async def open_case(cmd: c.OpenCase, given: Given_) -> domain.RegisterClient:
    return domain.RegisterClient(client_id=cmd.client_id, personal_data=cmd.personal_data,
                                 municipality=cmd.municipality, preferred_language=cmd.preferred_language,
                                 born=cmd.born, today=county_day(given.context.now) if cmd.born else None)


# --- the steps of intake -------------------------------------------------------------------------------------

async def give_consent(cmd: c.GiveConsent, given: Given_) -> domain.GiveConsent:
    """A representative's consent is theirs, of their kind (a guardian's, or another representative's)."""
    mandate = given.principal.mandate_for(cmd.client_id)
    if mandate is None:
        return domain.GiveConsent(given_by=cmd.given_by)
    return domain.GiveConsent(given_by="guardian" if mandate.kind == "guardian" else "representative")


async def withdraw_consent(cmd: c.WithdrawConsent, given: Given_) -> domain.WithdrawConsent:
    reason = (await given.keyring.seal(str(cmd.client_id), cmd.reason))[0] if cmd.reason else None
    return domain.WithdrawConsent(reason=reason)


async def record_self_assessment(cmd: c.RecordSelfAssessment, given: Given_) -> domain.RecordSelfAssessment:
    texts = [t for t in (cmd.own_words, cmd.wishes) if t]
    sealed = iter(await given.keyring.seal(str(cmd.client_id), *texts) if texts else ())
    return domain.RecordSelfAssessment(
        assessment_id=uuid4(), scores=cmd.scores, own_words=next(sealed) if cmd.own_words else None,
        wishes=next(sealed) if cmd.wishes else None,
        filled_in_by=_filled_in_by(given.principal), on=county_day(given.context.now),
    )


def _filled_in_by(principal: Principal) -> domain.FilledInBy:
    """The client themself, their representative for them, or the worker with the client."""
    if principal.role in ("client", "representative"):
        return principal.role
    return "worker_with_client"


async def assign_coordinator(cmd: c.AssignCoordinator, given: Given_) -> domain.AssignCoordinator:
    return domain.AssignCoordinator(worker_id=cmd.worker_id)


async def assess_needs(cmd: c.AssessNeeds, given: Given_) -> domain.AssessNeeds:
    (summary,) = await given.keyring.seal(str(cmd.client_id), cmd.summary)
    return domain.AssessNeeds(service_task=cmd.service_task, support_needs=cmd.support_needs, summary=summary)


async def complete(cmd: c.CompleteIntake, given: Given_) -> domain.CompleteIntake:
    return domain.CompleteIntake(on=county_day(given.context.now))


async def decline(cmd: c.DeclineIntake, given: Given_) -> domain.DeclineIntake:
    (reason,) = await given.keyring.seal(str(cmd.client_id), cmd.reason)
    case, day = given.state, county_day(given.context.now)
    authority = given.deps.delegations.authority(given.principal.user_id, given.principal.role, "intake_decline",
                                                 case.municipality, day)
    law = decision_law(given.deps.legal, "intake_decline", day, case.preferred_language,
                       service_task=case.service_task.value if case.service_task else None)
    decision = Decided(decision_id=uuid4(), decision_number=await given.deps.decision_number(day.year), decided_on=day,
                       decided_by=given.principal.user_id, authority=authority, law=law)
    return domain.DeclineIntake(reason=reason, decision=decision)


# --- the staff directory -------------------------------------------------------------------------------------

async def record_staff_profile(cmd: c.RecordStaffProfile, given: Given[staff.StaffMember, Ports]) -> staff.RecordProfile:
    return staff.RecordProfile(**cmd.model_dump(exclude={"expected_version"}), source="admin")


async def sync_staff_profile(cmd: c.SyncStaffProfile, given: Given[staff.StaffMember, Ports]) -> staff.RecordProfile:
    return staff.profile_from_claims(cmd.staff_id, cmd.claims, cmd.role)


HANDLERS: Handlers = {
    c.RegisterClient: Workflow(register),
    c.OpenCase: Route(CASE, open_case, missing="decide"),
    c.GiveConsent: Route(CASE, give_consent),
    c.WithdrawConsent: Route(CASE, withdraw_consent),
    c.RecordSelfAssessment: Route(CASE, record_self_assessment),
    c.AssignCoordinator: Route(CASE, assign_coordinator),
    c.AssessNeeds: Route(CASE, assess_needs),
    c.CompleteIntake: Route(CASE, complete),
    c.DeclineIntake: Route(CASE, decline),
    c.RecordStaffProfile: Route(STAFF, record_staff_profile, missing="decide"),
    c.SyncStaffProfile: Route(STAFF, sync_staff_profile, missing="decide"),
    **life.HANDLERS,
    **representation.HANDLERS,
}


def ports(pool: Any, hetu_pepper: bytes, keyring: Any = None, delegations: DelegationTable | None = None,
          legal: LegalTable | None = None) -> Ports:
    """The ports on PostgreSQL (the bootstrap's; tests build their own)."""

    async def find_client(hetu_hash: str) -> UUID | None:
        return await postgres.find_client_by_hetu_hash(pool, hetu_hash)

    async def list_cases(**filters: Any) -> list[dict[str, Any]]:
        return await postgres.list_cases(pool, **filters)

    async def count_cases(**filters: Any) -> int:
        return await postgres.count_cases(pool, **filters)

    async def list_staff(**filters: Any) -> list[dict[str, Any]]:
        return await postgres.list_staff(pool, **filters)

    async def decision_number(year: int) -> str:
        return await postgres.next_decision_number(pool, year)

    async def find_person(hetu_hash: str) -> UUID | None:
        return await postgres.find_person_by_hetu_hash(pool, hetu_hash)

    async def person_of(person_id: UUID) -> dict[str, Any] | None:
        sealed = await postgres.registration_data(pool, f"person-{person_id}")
        return None if sealed is None else json.loads((await keyring.open(str(person_id), sealed))[0] or "{}")

    async def born(client_id: UUID) -> Any:
        sealed = await postgres.registration_data(pool, str(client_id))
        opened = None if sealed is None else (await keyring.open(str(client_id), sealed))[0]
        hetu = json.loads(opened).get("hetu") if opened and opened.startswith("{") else None
        return hetu_birth_date(hetu) if hetu else None

    directory = ClientDirectory(pool, keyring, hetu_pepper) if keyring is not None else None

    return Ports(hetu_pepper, find_client, postgres.claim_hetu, postgres.forget_hetu, list_cases, directory,
                 postgres.record_name, find_person=find_person, claim_person=postgres.claim_person_hetu,
                 person_of=person_of, born=born, count_cases=count_cases, people=PostgresPeople(pool),
                 list_staff=list_staff, decision_number=decision_number,
                 delegations=delegations or tables.delegations(), legal=legal or tables.legal_bases())
