"""The integration interface (ADR 0016): an integration client reads a client's personal data only for a purpose it
was granted, read-only, and every read (also a refused one) is in the access log."""

from __future__ import annotations

from typing import Any

import pytest

from services.history.bootstrap import create_app as history_app
from services.intake.bootstrap import create_app as intake_app
from shared.infra.settings import ServiceSettings
from tests.conftest import running_service
from tests.journeys import WORKER, person
from tests.support import eventually

pytestmark = pytest.mark.integration
KANTA = ("kanta-connector", "integration")


async def test_an_integration_client_reads_a_name_for_its_purpose_and_the_read_is_logged(
        settings: ServiceSettings, tokens: Any) -> None:
    s = settings.model_copy(update={"integration_clients": {"kanta-connector": ["archiving"]}})
    async with running_service(intake_app, s, "intake") as intake, running_service(history_app, s, "history") as history:
        registered = await intake.post("/clients", headers=tokens(*WORKER), json=person())
        assert registered.status_code == 201, registered.text
        cid = registered.json()["client_id"]
        path = f"/integrations/clients/{cid}/person"

        read = await intake.get(path, headers=tokens(*KANTA) | {"X-Access-Purpose": "archiving"})
        assert read.status_code == 200, read.text
        assert read.json()["person"]["first_name"] == "Maija" and read.json()["purpose"] == "archiving"

        # Without a purpose, with one it was not granted, or as another role: refused.
        assert (await intake.get(path, headers=tokens(*KANTA))).status_code == 422
        refused = await intake.get(path, headers=tokens(*KANTA) | {"X-Access-Purpose": "care"})
        assert refused.status_code == 403 and "not granted the purpose care" in refused.json()["detail"]
        assert (await intake.get(path, headers=tokens(*WORKER))).status_code == 403
        other = s.model_copy(update={"integration_clients": {}})
        assert other.integration_clients == {}  # an unknown integration client has no purpose at all
        assert (await intake.get(path, headers=tokens("some-system", "integration")
                                 | {"X-Access-Purpose": "archiving"})).status_code == 403
        # An integration client never writes.
        assert (await intake.post(f"/clients/{cid}/consent", headers=tokens(*KANTA) | {"X-Access-Purpose": "archiving"},
                                  json={"given_by": "client"})).status_code == 403

        async def logged() -> Any:
            r = await history.get("/history/access", params={"client_id": cid}, headers=tokens(cid, "client"))
            entries = [e for e in r.json() if e["user_id"] == "kanta-connector"]
            return entries if {(e["purpose"], e["status"]) for e in entries} >= {("archiving", 200), ("care", 403)} else None

        entries = await eventually(logged, timeout=30)
        assert {e["role"] for e in entries} == {"integration"}
        assert {e["resource"] for e in entries} == {"GET /integrations/clients/{client_id}/person"}
