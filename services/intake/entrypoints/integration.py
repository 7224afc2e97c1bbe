"""The integration interface: another sote system reads a client's personal data for a purpose it was granted.

Purpose-bound (the purpose is stated in X-Access-Purpose and must be among those configured for the integration
client, AVAIN_INTEGRATION_CLIENTS), read-only, and access-logged like every read: the DataAccessed event names the
integration client, its role, the purpose and the answer, also when the read was refused (ADR 0016).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request

from services.intake.application import views
from services.intake.application.queries import ReadPersonForIntegration
from shared.infra.access import PURPOSE_HEADER, purpose_of
from shared.infra.auth import CurrentPrincipal

router = APIRouter(prefix="/integrations", tags=["integrations"])


@router.get("/clients/{client_id}/person")
async def person_for_integration(client_id: UUID, principal: CurrentPrincipal, request: Request) -> dict[str, Any]:
    """The client's personal data (name, hetu, contact details) opened for an authorised integration client, for
    the purpose it states and was granted; {"erased": true} once the client's key is destroyed."""
    purpose = purpose_of(principal, request.headers.get(PURPOSE_HEADER))
    query = ReadPersonForIntegration(client_id=client_id, purpose=purpose)
    return await views.person_for_integration(request.app.state.application, query, principal,
                                              request.app.state.runtime.settings.integration_clients)
