"""Avain's token service, hosted by intake (it keeps the hetu lookup): the exchange and its public keys."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Request

from services.intake.application.tokens import TokenExchange
from shared.infra.auth import TokenVerifier
from shared.infra.token_service import TokenService
from shared.kernel.envelope import Role
from shared.kernel.principal import Principal

router = APIRouter(tags=["tokens"])
TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
ACCESS_TOKEN = "urn:ietf:params:oauth:token-type:access_token"


def _exchange(request: Request) -> TokenExchange:
    """Built on first use from the service's settings; the service then knows its own keys without fetching
    them from itself."""
    state = request.app.state
    exchange: TokenExchange | None = getattr(state, "token_exchange", None)
    if exchange is None:
        runtime = state.runtime
        settings = runtime.settings
        service = TokenService(settings.token_signing_key.get_secret_value(), issuer=settings.token_service_issuer,
                               audience=settings.services_audience)
        exchange = TokenExchange(TokenVerifier(settings.exchange_issuers), service, runtime.pool,
                                 settings.hetu_pepper.get_secret_value().encode())
        state.tokens.know_keys(settings.token_service_issuer, service.jwks())
        state.token_exchange = exchange
    return exchange


@router.post("/token", responses={
    400: {"description": "The subject token is not one this exchange accepts (code invalid-subject-token)"},
    403: {"description": "The person the token names is not a client of the county (code not-a-client)"}})
async def exchange_token(
    request: Request,
    grant_type: Annotated[Literal["urn:ietf:params:oauth:grant-type:token-exchange"], Form()],
    subject_token: Annotated[str, Form(max_length=8192)],
    subject_token_type: Annotated[Literal["urn:ietf:params:oauth:token-type:access_token"], Form()],
    scope: Annotated[Literal["client", "representative"], Form(description=(
        "Sign in as the client (default), or as a representative acting for the clients they represent"))] = "client",
) -> dict[str, Any]:
    """RFC 8693 token exchange: the e-identification broker's access token (audience: this exchange) for a
    short-lived token of Avain's whose subject is the pseudonymous client id (``scope=representative``: the
    representative's person id, role representative). The subject token is the authentication: it is signed by a
    trusted broker for exactly this audience."""
    exchange = _exchange(request)
    role: Role = scope
    subject = await (exchange.representative_of(subject_token) if role == "representative"
                     else exchange.client_of(subject_token))
    # Signing in finds the person's id: logged as their own read, like any other.
    request.state.principal = Principal(user_id=str(subject), role=role)
    request.state.accessed_clients = [subject]
    token, lifetime = exchange.mint(subject, role)
    return {"access_token": token, "issued_token_type": ACCESS_TOKEN, "token_type": "Bearer", "expires_in": lifetime}


@router.get("/.well-known/jwks.json")
async def jwks(request: Request) -> dict[str, Any]:
    """The public keys of Avain's token service: every service verifies client tokens with them."""
    return _exchange(request).jwks()
