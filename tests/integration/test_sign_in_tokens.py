"""Tokens from the real identity providers (a local oidc-provider): each accepted only by whom it is for.

Staff sign in at the county's IdP: its access token (audience: the services) is honoured, its ID token
(audience: the console) is not. A citizen signs in through the e-identification broker: that token (audience:
Avain's token exchange, carrying the hetu) is refused by the services and exchanged by intake for Avain's own
token naming the pseudonymous client id, which the services honour.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date

import httpx
import jwt
import pytest

from deploy.local.stack import sign_in_without_a_browser
from shared.infra.settings import Issuer, ServiceSettings
from shared.kernel.identifiers import make_hetu
from tests.conftest import running_service
from tests.support import eventually

pytestmark = pytest.mark.integration
EXCHANGE = {"grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
            "subject_token_type": "urn:ietf:params:oauth:token-type:access_token"}
DEMO_HETU = "170588-901S"  # citizen-demo in deploy/local/oidc/people.json


@pytest.fixture
async def intake_trusting(settings: ServiceSettings, identity_providers: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    from services.intake.bootstrap import create_app

    staff, citizen = identity_providers["staff"], identity_providers["citizen"]
    configured = settings.model_copy(update={
        "issuers": [Issuer(issuer=staff, jwks_uri=f"{staff}/jwks")],
        "exchange_issuers": [Issuer(issuer=citizen, jwks_uri=f"{citizen}/jwks", audience="urn:avain:token-exchange")],
    })
    async with running_service(create_app, configured, "intake") as client:
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_each_token_is_honoured_only_by_the_audience_it_was_issued_for(
        intake_trusting: httpx.AsyncClient, identity_providers: dict[str, str]) -> None:
    http, redirect = intake_trusting, identity_providers["redirect_uri"]
    staff = await sign_in_without_a_browser(identity_providers["staff"], "worker-aino", redirect)
    citizen = await sign_in_without_a_browser(identity_providers["citizen"], "citizen-demo", redirect,
                                              resource="urn:avain:token-exchange")

    # The staff IdP's access token is for the services: honoured, with the role from its role claim.
    registered = await http.post("/clients", headers=bearer(staff["access_token"]), json={
        "hetu": DEMO_HETU, "first_name": "Demo", "last_name": "Asiakas", "municipality": "Tampere"})
    assert registered.status_code == 201, registered.text
    client_id = registered.json()["client_id"]

    # The same issuer's ID token is for the console: refused by the services.
    assert (await http.get("/clients", headers=bearer(staff["id_token"]))).status_code == 401
    # The broker's token is for the exchange (and carries a hetu): refused by the services.
    assert (await http.get(f"/clients/{client_id}", headers=bearer(citizen["access_token"]))).status_code == 401
    # A staff token is not for the exchange.
    refused = await http.post("/token", data={**EXCHANGE, "subject_token": staff["access_token"]})
    assert refused.status_code == 400

    exchanged = await http.post("/token", data={**EXCHANGE, "subject_token": citizen["access_token"]})
    assert exchanged.status_code == 200, exchanged.text
    client_token = exchanged.json()["access_token"]
    claims = jwt.decode(client_token, options={"verify_signature": False})
    assert claims["sub"] == client_id and claims["role"] == "client" and "hetu" not in claims
    assert jwt.get_unverified_header(client_token)["alg"] == "ES256"
    # Avain's token names the client: their own case is theirs to read, and nobody else's.
    assert (await http.get(f"/clients/{client_id}", headers=bearer(client_token))).status_code == 200
    assert (await http.get("/clients", headers=bearer(client_token))).status_code == 403


async def test_a_person_who_is_not_a_client_gets_no_client_token(
        intake_trusting: httpx.AsyncClient, identity_providers: dict[str, str]) -> None:
    citizen = await sign_in_without_a_browser(identity_providers["citizen"], "citizen-nobody",
                                              identity_providers["redirect_uri"], resource="urn:avain:token-exchange")
    answer = await intake_trusting.post("/token", data={**EXCHANGE, "subject_token": citizen["access_token"]})
    assert answer.status_code == 403


async def test_a_representative_signs_in_as_themself_and_reads_the_child_they_represent(
        intake_trusting: httpx.AsyncClient, identity_providers: dict[str, str]) -> None:
    """A guardian signs in with their own identity (never the child's): the exchange names their person id."""
    http, redirect = intake_trusting, identity_providers["redirect_uri"]
    staff = await sign_in_without_a_browser(identity_providers["staff"], "worker-aino", redirect)
    worker = bearer(staff["access_token"])
    parent = await sign_in_without_a_browser(identity_providers["citizen"], "citizen-nobody", redirect,
                                             resource="urn:avain:token-exchange")
    as_representative = {**EXCHANGE, "subject_token": parent["access_token"], "scope": "representative"}
    answer = await http.post("/token", data=as_representative)
    assert answer.status_code == 403 and answer.json()["code"] == "not-a-representative"

    child = await http.post("/clients", headers=worker, json={
        "hetu": make_hetu(date(date.today().year - 8, 6, 1), 902), "first_name": "Lapsi", "last_name": "Vieras",
        "municipality": "Tampere"})
    assert child.status_code == 201, child.text
    child_id = child.json()["client_id"]
    person = await http.post("/representatives", headers=worker, json={
        "hetu": "080992-9039", "first_name": "Ville", "last_name": "Vieras"})  # citizen-nobody's
    assert person.status_code == 201, person.text
    person_id = person.json()["person_id"]
    linked = await http.post(f"/clients/{child_id}/representatives", headers=worker, json={
        "representative_id": person_id, "kind": "guardian", "basis": "Huoltaja"})
    assert linked.status_code == 200, linked.text

    exchanged = await http.post("/token", data=as_representative)
    assert exchanged.status_code == 200, exchanged.text
    claims = jwt.decode(exchanged.json()["access_token"], options={"verify_signature": False})
    assert (claims["sub"], claims["role"]) == (person_id, "representative") and "hetu" not in claims
    token = bearer(exchanged.json()["access_token"])

    async def reads_the_child() -> bool:
        return (await http.get(f"/clients/{child_id}", headers=token)).status_code == 200

    await eventually(reads_the_child, timeout=30)  # once intake's own copy of the link has it
    assert (await http.get("/representatives/me", headers=token)).json()["represents"][0]["client_id"] == child_id


async def test_a_staff_identity_provider_cannot_mint_a_client(identity_providers: dict[str, str]) -> None:
    """Only Avain's token service names clients: a staff IdP's token claiming the client role is refused."""
    from shared.infra.auth import TokenVerifier

    staff = identity_providers["staff"]
    verifier = TokenVerifier([Issuer(issuer=staff, jwks_uri=f"{staff}/jwks", role_claim="avain_role",
                                     roles={"worker": "client"})], client_issuer="urn:avain:token-service")
    tokens = await sign_in_without_a_browser(staff, "worker-aino", identity_providers["redirect_uri"])
    with pytest.raises(jwt.InvalidTokenError, match="only Avain's token service"):
        await verifier.verify(tokens["access_token"])


def test_production_accepts_no_development_tokens() -> None:
    from shared.infra.auth import verifier_for

    assert make_hetu(date(1988, 5, 17), 901, "-") == DEMO_HETU
    verifier = verifier_for(ServiceSettings(env="test"))
    assert verifier._development is not None
    production = ServiceSettings.model_construct(**{**ServiceSettings().model_dump(), "env": "production"})
    assert verifier_for(production)._development is None
