"""What an authorised reader sees of a case: state plus the personal data, opened with the client's key."""

from __future__ import annotations

import json
from typing import Any

from contracts.intake import ClientRegistered, NeedsAssessed, SelfAssessmentRecorded, registry
from services.intake.domain.client import IntakeCase
from shared.infra.aggregate import Loaded
from shared.infra.crypto import ERASED, Keyring
from shared.kernel.sealed import Sealed


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
