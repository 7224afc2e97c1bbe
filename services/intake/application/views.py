"""What an authorised reader sees of a case: state plus the personal data, opened with the client's key; and
the work lists. Each read goes through the policy, as commands do."""

from __future__ import annotations

import json
from typing import Any

from contracts.intake import ClientRegistered, DecisionRecorded, NeedsAssessed, SelfAssessmentRecorded, registry
from services.intake.application.handlers import CASE, STAFF, Ports
from services.intake.application.policy import authorize_integration, list_scope, may_read_staff
from services.intake.application.queries import ListCases, ListStaff, ReadCase, ReadPersonForIntegration, ReadStaff
from services.intake.domain.client import IntakeCase
from shared.i18n import DEFAULT_LANGUAGE
from shared.infra.aggregate import Loaded
from shared.infra.crypto import ERASED, Keyring
from shared.infra.law_texts import instructions_text, legal_bases_text
from shared.infra.people import People, name_of
from shared.infra.pipeline import Application
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
    return await app.deps.list_staff(active=query.active, limit=query.limit, offset=query.offset)


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
    registered = next(e for e in (registry.load(x.type, x.schema_version, x.data) for x in loaded.events)
                      if isinstance(e, ClientRegistered))
    [opened] = await app.keyring.open(str(query.client_id), registered.personal_data)
    person = {"erased": True} if opened == ERASED else json.loads(opened or "{}")
    return {"client_id": str(query.client_id), "purpose": query.purpose, "person": person}


async def case_view(loaded: Loaded[IntakeCase], keyring: Keyring) -> dict[str, Any]:
    case = loaded.state
    client_id = str(case.client_id)
    registered: ClientRegistered | None = None
    assessment: SelfAssessmentRecorded | None = None
    needs: NeedsAssessed | None = None
    for envelope in loaded.events:
        event = registry.load(envelope.type, envelope.schema_version, envelope.data)
        if isinstance(event, ClientRegistered):
            registered = event
        elif isinstance(event, SelfAssessmentRecorded):
            assessment = event
        elif isinstance(event, NeedsAssessed):
            needs = event
    sealed: list[Sealed | None] = [
        registered.personal_data if registered else None,
        assessment.own_words if assessment else None,
        assessment.wishes if assessment else None,
        needs.summary if needs else None,
    ]
    personal, own_words, wishes, summary = await keyring.open(client_id, *sealed)
    person = json.loads(personal) if personal and personal != ERASED else ({"erased": True} if personal else None)
    return {
        "client_id": client_id,
        "version": loaded.version,
        "status": case.status,
        "consent": case.consent,
        "coordinator_id": case.coordinator_id,
        "municipality": case.municipality,
        "preferred_language": case.preferred_language,
        "person": person,
        "self_assessment": None if assessment is None else {
            "scores": assessment.scores.model_dump(),
            "own_words": own_words,
            "wishes": wishes,
            "filled_in_by": assessment.filled_in_by,
        },
        "needs_assessment": None if needs is None else {
            "service_task": needs.service_task.value,
            "support_needs": needs.support_needs,
            "summary": summary,
        },
    }
