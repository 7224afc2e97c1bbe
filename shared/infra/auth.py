"""Bearer tokens (JWT, HS256) carrying a user id and a role; every endpoint requires one.

What a role may do with a given case is decided by each service's policy (application/policy.py), since
it depends on the case (e.g. which worker is assigned). Here we only establish who is calling.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shared.infra.access import PURPOSE_HEADER, purpose_of
from shared.infra.problems import INVALID_TOKEN, READ_ONLY_ROLE, UNAUTHENTICATED, ProblemError
from shared.kernel.envelope import Role
from shared.kernel.principal import Principal

# Auditors and integration clients (other sote systems, ADR 0016) read, always with a stated purpose, never write.
READ_ONLY: tuple[Role, ...] = ("auditor", "integration")
ROLES: tuple[Role, ...] = ("client", "worker", "manager", "provider", "auditor", "integration")


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
        principal, expires = self._verify(token)  # an expired one fails here, as it should
        self._verified[token] = (principal, expires)
        if len(self._verified) > self._remember:
            self._verified.popitem(last=False)
        return principal

    def _verify(self, token: str) -> tuple[Principal, float]:
        claims = jwt.decode(
            token, self._secret, algorithms=["HS256"], audience=self._audience, issuer=self._issuer,
            options={"require": ["sub", "role", "exp"]},
        )
        if claims["role"] not in ROLES:
            raise jwt.InvalidTokenError("unknown role")
        principal = Principal(user_id=claims["sub"], role=claims["role"], provider_id=claims.get("provider_id"))
        return principal, float(claims["exp"])


_bearer = HTTPBearer(auto_error=False, description="A JWT from `./avain tokens` (development)")


def authenticate(request: Request) -> Principal:
    """Who calls, from the request's headers alone: the request gate runs this before the body is read.

    401 without a valid token; an auditor only reads (403) and states the purpose of every read (422)."""
    scheme, _, token = (request.headers.get("authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ProblemError(UNAUTHENTICATED, "a bearer token is required")
    issuer: TokenIssuer = request.app.state.tokens
    try:
        principal = issuer.verify(token.strip())
    except jwt.PyJWTError as exc:
        raise ProblemError(INVALID_TOKEN, f"invalid token: {type(exc).__name__}") from exc
    if principal.role in READ_ONLY and request.method not in ("GET", "HEAD"):
        raise ProblemError(READ_ONLY_ROLE, f"{principal.role}s read and never write")
    purpose_of(principal, request.headers.get(PURPOSE_HEADER))  # an auditor must say why; codes are checked
    # Kept for the access log, which records every read of a client's data with who and why.
    request.state.principal = principal
    return principal


async def authenticated(  # async: FastAPI would run a plain function in its thread pool, a hop per request
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],  # documents the scheme
) -> Principal:
    """The caller the request gate authenticated before the body was read (or, outside a service, now)."""
    principal: Principal | None = getattr(request.state, "principal", None)
    return principal if principal is not None else authenticate(request)


CurrentPrincipal = Annotated[Principal, Depends(authenticated)]
