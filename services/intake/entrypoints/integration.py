"""The integration interface: another sote system reads a client's personal data for a purpose it was granted.

Purpose-bound (the purpose is stated in X-Access-Purpose and must be among those configured for the integration
client, AVAIN_INTEGRATION_CLIENTS), read-only, and access-logged like every read: the DataAccessed event names the
integration client, its role, the purpose and the answer, also when the read was refused (ADR 0016).
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request

from contracts.intake import ClientRegistered, registry
from services.intake.application.handlers import IntakeApplication
from services.intake.application.policy import authorize_integration
from shared.infra.access import PURPOSE_HEADER, purpose_of
from shared.infra.auth import CurrentPrincipal
from shared.infra.crypto import ERASED

router = APIRouter(prefix="/integrations", tags=["integrations"])


@router.get("/clients/{client_id}/person")
async def person_for_integration(client_id: UUID, principal: CurrentPrincipal, request: Request) -> dict[str, Any]:
    """The client's personal data (name, hetu, contact details) opened for an authorised integration client, for
    the purpose it states and was granted; {"erased": true} once the client's key is destroyed."""
    purpose = purpose_of(principal, request.headers.get(PURPOSE_HEADER))
    authorize_integration(principal, purpose, request.app.state.runtime.settings.integration_clients)
    app: IntakeApplication = request.app.state.intake
    loaded = await app.load(client_id)
    registered = next(e for e in (registry.load(x.type, x.schema_version, x.data) for x in loaded.events)
                      if isinstance(e, ClientRegistered))
    [opened] = await app.keyring.open(str(client_id), registered.personal_data)
    person = {"erased": True} if opened == ERASED else json.loads(opened or "{}")
    return {"client_id": str(client_id), "purpose": purpose, "person": person}
