"""Bearer tokens carrying a user id and a role; every endpoint requires one.

Tokens come from the issuers the service trusts (docs/decisions/0018): the county's identity provider for staff
and Avain's own token service for clients (it exchanges the e-identification broker's token for one naming the
pseudonymous client id), each verified with its JWKS (RS256/ES256) and with its issuer, audience and role claim
configured. HS256 tokens signed with ``AVAIN_JWT_SECRET`` are accepted only outside production (development,
tests, ``./avain tokens``).

What a role may do with a given case is decided by each service's policy (application/policy.py), since
it depends on the case (e.g. which worker is assigned). Here we only establish who is calling.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import httpx
import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shared.infra.access import PURPOSE_HEADER, purpose_of
from shared.infra.problems import INVALID_TOKEN, READ_ONLY_ROLE, UNAUTHENTICATED, ProblemError
from shared.infra.representation import standing
from shared.infra.settings import Issuer, ServiceSettings
from shared.kernel.envelope import Role
from shared.kernel.principal import Principal

# Auditors and integration clients (other sote systems, ADR 0016) read, always with a stated purpose, never write;
# the region's planners read aggregated figures only, and never write either.
READ_ONLY: tuple[Role, ...] = ("auditor", "integration", "planner")
ROLES: tuple[Role, ...] = ("client", "worker", "manager", "provider", "auditor", "integration", "planner",
                           "representative")


class TokenIssuer:
    def __init__(self, secret: str, *, issuer: str = "avain", audience: str = "avain", remember: int = 4096) -> None:
        self._secret = secret
        self._issuer = issuer
        self._audience = audience
        # Tokens verified before, with their expiry: a session sends the same token with every request, and
        # checking its signature and claims again was a twentieth of a command's CPU.
        self._verified: OrderedDict[str, tuple[Principal, float]] = OrderedDict()
        self._remember = remember

    def issue(self, user_id: str, role: Role, *, ttl: timedelta = timedelta(hours=8), **extra: Any) -> str:
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}")
        now = datetime.now(UTC)
        claims = {"sub": user_id, "role": role, "iss": self._issuer, "aud": self._audience,
                  "iat": now, "exp": now + ttl, **extra}
        return jwt.encode(claims, self._secret, algorithm="HS256")

    def verify(self, token: str) -> Principal:
        known = self._verified.get(token)
        if known is not None and known[1] > time.time():
            return known[0]
        principal, expires = self.verify_with_expiry(token)  # an expired one fails here, as it should
        self._verified[token] = (principal, expires)
        if len(self._verified) > self._remember:
            self._verified.popitem(last=False)
        return principal

    def verify_with_expiry(self, token: str) -> tuple[Principal, float]:
        claims = jwt.decode(
            token, self._secret, algorithms=["HS256"], audience=self._audience, issuer=self._issuer,
            options={"require": ["sub", "role", "exp"]},
        )
        if claims["role"] not in ROLES:
            raise jwt.InvalidTokenError("unknown role")
        principal = Principal(user_id=claims["sub"], role=claims["role"], provider_id=claims.get("provider_id"))
        return principal, float(claims["exp"])


class JwksCache:
    """An issuer's public keys, fetched when first needed and again when a token names a key not seen yet
    (key rotation), at most once every ``min_refetch`` seconds."""

    def __init__(self, uri: str, *, min_refetch: float = 10.0) -> None:
        self.uri = uri
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = 0.0
        self._min_refetch = min_refetch
        self._lock = asyncio.Lock()

    async def key(self, kid: str | None) -> jwt.PyJWK:
        found = self._find(kid)
        if found is not None:
            return found
        async with self._lock:
            if self._find(kid) is None and time.monotonic() - self._fetched_at >= self._min_refetch:
                await self._fetch()
        found = self._find(kid)
        if found is None:
            raise jwt.InvalidTokenError("the token's key is not among its issuer's keys")
        return found

    def seed(self, jwks: dict[str, Any]) -> None:
        """Keys known without fetching them (the service that holds the issuer's key itself)."""
        self._keys.update({str(k.key_id): k for k in jwt.PyJWKSet.from_dict(jwks).keys if k.key_id})

    def _find(self, kid: str | None) -> jwt.PyJWK | None:
        if kid is None:
            return next(iter(self._keys.values())) if len(self._keys) == 1 else None
        return self._keys.get(kid)

    async def _fetch(self) -> None:
        self._fetched_at = time.monotonic()
        try:
            async with httpx.AsyncClient(timeout=5) as http:
                response = await http.get(self.uri)
                response.raise_for_status()
                keys = jwt.PyJWKSet.from_dict(response.json()).keys
        except (httpx.HTTPError, ValueError, jwt.PyJWTError) as exc:
            raise jwt.InvalidTokenError(f"the issuer's keys could not be fetched ({type(exc).__name__})") from exc
        self._keys = {str(k.key_id): k for k in keys if k.key_id}


class TokenVerifier:
    """Who is calling, from a bearer token of any issuer the service trusts (see the module's docstring)."""

    def __init__(self, trusted: Sequence[Issuer], *, development: TokenIssuer | None = None,
                 client_issuer: str | None = None, remember: int = 4096) -> None:
        # Only Avain's token service names clients: its subject is the pseudonymous client id, which no
        # identity provider knows. A staff IdP's token claiming the client role is refused.
        self._client_issuer = client_issuer
        self._trusted = {t.issuer: t for t in trusted}
        self._jwks = {t.issuer: JwksCache(t.jwks_uri) for t in trusted}
        self._development = development
        self._verified: OrderedDict[str, tuple[Principal, float]] = OrderedDict()
        self._remember = remember

    def know_keys(self, issuer: str, jwks: dict[str, Any]) -> None:
        self._jwks[issuer].seed(jwks)

    async def verify(self, token: str) -> Principal:
        known = self._verified.get(token)
        if known is not None and known[1] > time.time():
            return known[0]
        principal, expires = await self._verify(token)
        self._verified[token] = (principal, expires)
        if len(self._verified) > self._remember:
            self._verified.popitem(last=False)
        return principal

    async def claims_of(self, token: str) -> tuple[Issuer, dict[str, Any]]:
        """The verified claims of a token of a trusted issuer (signature by its JWKS, issuer, audience, expiry)."""
        issuer = jwt.decode(token, options={"verify_signature": False}).get("iss")
        trusted = self._trusted.get(str(issuer))
        if trusted is None:
            raise jwt.InvalidIssuerError("the token's issuer is not trusted here")
        key = await self._jwks[trusted.issuer].key(jwt.get_unverified_header(token).get("kid"))
        claims = jwt.decode(token, key, algorithms=list(trusted.algorithms), audience=trusted.audience,
                            issuer=trusted.issuer, options={"require": ["sub", "exp", "iss", "aud"]})
        return trusted, claims

    async def _verify(self, token: str) -> tuple[Principal, float]:
        header = jwt.get_unverified_header(token)
        if header.get("alg") == "HS256":
            if self._development is None:
                raise jwt.InvalidAlgorithmError("HS256 tokens are accepted in development and tests only")
            return self._development.verify_with_expiry(token)
        trusted, claims = await self.claims_of(token)
        role = trusted.roles.get(str(claims.get(trusted.role_claim)), claims.get(trusted.role_claim))
        if role not in ROLES:
            raise jwt.InvalidTokenError("the token carries no role Avain knows")
        if role in ("client", "representative") and trusted.issuer != self._client_issuer:
            # Both are named by their pseudonymous ids, which only intake (it keeps the hetu lookups) knows.
            raise jwt.InvalidTokenError(f"only Avain's token service issues tokens for a {role}")
        principal = Principal(user_id=claims["sub"], role=role, provider_id=claims.get("provider_id"))
        return principal, float(claims["exp"])


def verifier_for(settings: ServiceSettings) -> TokenVerifier:
    """The staff issuers configured, Avain's own token service, and HS256 outside production."""
    own = Issuer(issuer=settings.token_service_issuer, jwks_uri=settings.token_service_jwks_uri,
                 audience=settings.services_audience, role_claim="role", algorithms=("ES256",))
    development = TokenIssuer(settings.jwt_secret.get_secret_value(), issuer=settings.jwt_issuer,
                              audience=settings.jwt_audience) if settings.accepts_development_tokens else None
    return TokenVerifier([*settings.issuers, own], development=development, client_issuer=own.issuer)


_bearer = HTTPBearer(auto_error=False, description="A JWT of a trusted issuer; in development one from `./avain tokens`")


async def authenticate(request: Request) -> Principal:
    """Who calls, from the request's headers alone: the request gate runs this before the body is read.

    401 without a valid token; an auditor only reads (403) and states the purpose of every read (422)."""
    scheme, _, token = (request.headers.get("authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ProblemError(UNAUTHENTICATED, "a bearer token is required")
    verifier: TokenVerifier = request.app.state.tokens
    try:
        principal = await verifier.verify(token.strip())
    except jwt.PyJWTError as exc:
        raise ProblemError(INVALID_TOKEN, f"invalid token: {type(exc).__name__}") from exc
    if principal.role in READ_ONLY and request.method not in ("GET", "HEAD"):
        raise ProblemError(READ_ONLY_ROLE, f"{principal.role}s read and never write")
    purpose_of(principal, request.headers.get(PURPOSE_HEADER))  # an auditor must say why; codes are checked
    # A representative acts for the clients whose links are in force today; a child client acts through their
    # guardian: read on every request from the representation records this service keeps (ADR 0026).
    runtime = getattr(request.app.state, "runtime", None)
    principal = await standing(getattr(runtime, "pool", None), principal)
    # Kept for the access log, which records every read of a client's data with who and why.
    request.state.principal = principal
    return principal


async def authenticated(  # async: FastAPI would run a plain function in its thread pool, a hop per request
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],  # documents the scheme
) -> Principal:
    """The caller the request gate authenticated before the body was read (or, outside a service, now)."""
    principal: Principal | None = getattr(request.state, "principal", None)
    return principal if principal is not None else await authenticate(request)


CurrentPrincipal = Annotated[Principal, Depends(authenticated)]


async def token_claims(request: Request) -> dict[str, Any]:
    """The claims of the caller's bearer token, once the request gate has verified it (signature, issuer, audience,
    expiry): e.g. the name, title and unit a staff member's identity provider states, for the staff directory."""
    await authenticated(request, None)
    _, _, token = (request.headers.get("authorization") or "").partition(" ")
    claims: dict[str, Any] = jwt.decode(token.strip(), options={"verify_signature": False})
    return claims
