"""What an authorised reader sees of a case: state plus the personal data, opened with the client's key; and
the work lists. Each read goes through the policy, as commands do."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from contracts.intake import (
    ClientRegistered,
    ContactDetailsChanged,
    DecisionRecorded,
    MovedOutOfCounty,
    NeedsAssessed,
    RepresentationStarted,
    SelfAssessmentRecorded,
    registry,
)
from services.intake.application.handlers import CASE, PERSON, STAFF, Ports
from services.intake.application.policy import STAFF_ROLES, authorize_integration, list_scope, may_read_staff
from services.intake.application.queries import (
    ExportCase,
    ListCases,
    ListStaff,
    ReadCase,
    ReadPersonForIntegration,
    ReadRepresentative,
    ReadStaff,
)
from services.intake.domain.client import IntakeCase
from shared.i18n import DEFAULT_LANGUAGE
from shared.infra.aggregate import Loaded
from shared.infra.crypto import ERASED, Keyring
from shared.infra.law_texts import instructions_text, legal_bases_text
from shared.infra.people import People, name_of
from shared.infra.pipeline import Application
from shared.kernel.calendar import county_day
from shared.kernel.errors import NotFound
from shared.kernel.principal import Principal
from shared.kernel.sealed import Sealed


async def case(app: Application[Ports], query: ReadCase, principal: Principal) -> tuple[int, dict[str, Any]]:
    """The case's version (its ETag) and what the reader sees of it."""
    loaded = await app.read(CASE, query, principal)
    view = await case_view(loaded, app.keyring)
    # The client's (and anyone's) view of the coordinating worker: a name and how to reach them, not an id.
    people = await app.deps.people.people([loaded.state.coordinator_id]) if app.deps.people else {}
    coordinator = people.get(loaded.state.coordinator_id or "")
    view["coordinator"] = coordinator.card() if coordinator else (
        {"staff_id": loaded.state.coordinator_id, "name": None} if loaded.state.coordinator_id else None)
    view["decision"] = await decline_view(loaded, app.keyring, app.deps.people, query.language or DEFAULT_LANGUAGE)
    return loaded.version, view


async def decline_view(loaded: Loaded[IntakeCase], keyring: Keyring, people: People | None,
                       language: str) -> dict[str, Any] | None:
    """A declined intake as the client reads it: who decided, when, why, on what law, and how to ask for its
    rectification, in the reader's language."""
    record = next((e for e in (registry.load(x.type, x.schema_version, x.data) for x in loaded.events)
                   if isinstance(e, DecisionRecorded)), None)
    if record is None:
        return None
    [reasoning] = await keyring.open(str(loaded.state.client_id), record.reasoning)
    known = await people.people([record.decided_by]) if people else {}
    return {"decision_id": str(record.decision_id), "decision_number": record.decision_number,
            "kind": record.kind, "decided_on": record.decided_on.isoformat(), "decided_by": record.decided_by,
            "decided_by_name": name_of(known, record.decided_by), "language": record.language,
            "reasoning": reasoning, "legal_basis": legal_bases_text(record.legal_bases, language),
            "instructions": instructions_text(record.instructions, language)}


async def staff_member(app: Application[Ports], query: ReadStaff, principal: Principal) -> tuple[int, dict[str, Any]]:
    """A staff member's entry in the directory, for staff and clients."""
    loaded = await app.read(STAFF, query, principal)
    profile = loaded.state.profile
    assert profile is not None
    return loaded.version, profile.model_dump(exclude={"source"}) | {"source": profile.source}


async def staff_list(app: Application[Ports], query: ListStaff, principal: Principal) -> list[dict[str, Any]]:
    may_read_staff(principal)
    if app.deps.list_staff is None:
        return []
    # A client may see who serves them today; former staff and their contacts are the county's own records.
    active = True if principal.role not in STAFF_ROLES else query.active
    return await app.deps.list_staff(active=active, limit=query.limit, offset=query.offset)


async def work_list(app: Application[Ports], query: ListCases, principal: Principal) -> tuple[list[dict[str, Any]], int]:
    """A page of the work list and the total of the whole list."""
    coordinator = list_scope(principal, query)
    rows = await app.deps.list_cases(coordinator_id=coordinator, status=query.status, limit=query.limit,
                                     offset=query.offset)
    if app.deps.count_cases is None:
        return rows, query.offset + len(rows)
    return rows, await app.deps.count_cases(coordinator_id=coordinator, status=query.status)


async def person_for_integration(app: Application[Ports], query: ReadPersonForIntegration, principal: Principal,
                                 granted: dict[str, list[str]]) -> dict[str, Any]:
    """The client's personal data for an integration client granted the purpose (ADR 0016); 403 comes before 404,
    since the grant is about the purpose, not about a case."""
    authorize_integration(principal, query.purpose, granted)
    loaded = await app.runners[CASE].load(str(query.client_id))
    if not loaded.state.registered:
        raise NotFound("no such client")
    return {"client_id": str(query.client_id), "purpose": query.purpose,
            "person": await _person(loaded, app.keyring)}


async def _person(loaded: Loaded[IntakeCase], keyring: Keyring) -> dict[str, Any]:
    """The client's personal data as registered, with the contact details that changed since."""
    sealed: list[Sealed | None] = []
    for x in loaded.events:
        event = registry.load(x.type, x.schema_version, x.data)
        if isinstance(event, ClientRegistered):
            sealed.insert(0, event.personal_data)
        elif isinstance(event, ContactDetailsChanged):
            sealed.append(event.contact)
    first, *changes = await keyring.open(str(loaded.state.client_id), *sealed)
    if first == ERASED:
        return {"erased": True}
    person: dict[str, Any] = json.loads(first or "{}")
    for change in changes:
        person |= json.loads(change or "{}") if change != ERASED else {}
    return person


async def representative(app: Application[Ports], query: ReadRepresentative,
                         principal: Principal) -> tuple[int, dict[str, Any]]:
    """A representative's own record, and the clients they act for today (their mandates in force)."""
    loaded = await app.read(PERSON, query, principal)
    assert app.deps.person_of is not None
    person = await app.deps.person_of(query.person_id) or {}
    mine = principal.mandates if principal.user_id == str(query.person_id) else ()
    return loaded.version, {
        "person_id": str(query.person_id), "version": loaded.version, "person": person,
        "preferred_language": loaded.state.preferred_language,
        "represents": [{"client_id": str(m.client_id), "link_id": str(m.link_id), "kind": m.kind,
                        "scope": sorted(m.scope), "reads": m.reads} for m in mine],
    }


async def export(app: Application[Ports], query: ExportCase, principal: Principal) -> dict[str, Any]:
    """The case as handed over to the county now responsible: what intake knows of the client."""
    loaded = await app.read(CASE, query, principal)
    view = await case_view(loaded, app.keyring)
    return {key: view[key] for key in ("client_id", "person", "municipality", "municipalities", "consent",
                                       "preferred_language", "self_assessment", "needs_assessment", "representatives",
                                       "moved_out")}


async def case_view(loaded: Loaded[IntakeCase], keyring: Keyring, today: date | None = None) -> dict[str, Any]:
    case = loaded.state
    client_id = str(case.client_id)
    day = today or county_day(datetime.now(UTC))
    assessment: SelfAssessmentRecorded | None = None
    needs: NeedsAssessed | None = None
    moved: MovedOutOfCounty | None = None
    links: list[RepresentationStarted] = []
    for envelope in loaded.events:
        event = registry.load(envelope.type, envelope.schema_version, envelope.data)
        if isinstance(event, SelfAssessmentRecorded):
            assessment = event
        elif isinstance(event, NeedsAssessed):
            needs = event
        elif isinstance(event, RepresentationStarted):
            links.append(event)
        elif isinstance(event, MovedOutOfCounty):
            moved = event
    sealed: list[Sealed | None] = [
        assessment.own_words if assessment else None,
        assessment.wishes if assessment else None,
        needs.summary if needs else None,
        moved.reasoning if moved else None,
        *(link.representative_name for link in links),
    ]
    own_words, wishes, summary, reasoning, *names = await keyring.open(client_id, *sealed)
    person = await _person(loaded, keyring) if any(e.type == ClientRegistered.event_type for e in loaded.events) else None
    return {
        "client_id": client_id,
        "version": loaded.version,
        "status": case.status,
        "consent": case.consent,
        "coordinator_id": case.coordinator_id,
        "municipality": case.municipality_on(day),
        "municipalities": [{"municipality": case.municipality, "from": None},
                           *({"municipality": m, "from": since.isoformat()} for since, m in case.moves)],
        "preferred_language": case.preferred_language,
        "age_stage": case.stage_on(day) if case.age_known else None,
        "person": person,
        "self_assessment": None if assessment is None else {
            "scores": assessment.scores.model_dump(),
            "own_words": own_words,
            "wishes": wishes,
            "filled_in_by": assessment.filled_in_by,
            "form": assessment.form,
        },
        "self_assessment_form": case.form_on(day),  # the form to fill in today (docs/self-assessment.md)
        "needs_assessment": None if needs is None else {
            "service_task": needs.service_task.value,
            "support_needs": needs.support_needs,
            "summary": summary,
        },
        "representatives": [_link_view(case, link, name, day) for link, name in zip(links, names, strict=True)],
        "data_prohibitions": [{"prohibition_id": str(k), "guardian_ids": sorted(str(g) for g in guardians),
                               "all_guardians": every} for k, (guardians, every) in case.prohibitions.items()],
        "moved_out": None if moved is None else {
            "moved_on": moved.moved_on.isoformat(), "new_county": moved.new_county, "decided_by": moved.decided_by,
            "reasoning": reasoning, "legal_basis": moved.legal_basis,
            "appeal_instructions": moved.appeal_instructions},
    }


def _link_view(case: IntakeCase, started: RepresentationStarted, name: str | None, day: date) -> dict[str, Any]:
    """Who represents the client, of what kind, in what, from when to when: what the client sees of them."""
    link = case.links[started.link_id]
    return {"link_id": str(started.link_id), "representative_id": str(link.representative_id), "name": name,
            "kind": link.kind, "scope": sorted(link.scope), "starts_on": link.starts_on.isoformat(),
            "ends_on": link.ends_on.isoformat() if link.ends_on else None, "confirmed": link.confirmed,
            "ended_on": link.ended_on.isoformat() if link.ended_on else None, "in_force": link.in_force(day),
            "source": started.source}
