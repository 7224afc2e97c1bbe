"""The token exchange (RFC 8693): an e-identification broker's token, carrying the person's hetu, becomes
Avain's short-lived service token naming the pseudonymous client id (docs/decisions/0018).

The hetu is only ever in the broker's token and in memory here: it is validated, keyed-hashed and looked up
like at registration, and never stored or logged."""

from __future__ import annotations

from uuid import UUID

import jwt

from services.intake.adapters import postgres
from shared.infra.auth import TokenVerifier
from shared.infra.crypto import keyed_hash
from shared.infra.token_service import TokenService
from shared.kernel.envelope import Role
from shared.kernel.errors import DomainError, Forbidden
from shared.kernel.identifiers import InvalidIdentifier, validate_hetu


class InvalidSubjectToken(DomainError):
    """The broker's token is not one to exchange (unknown issuer, wrong audience, expired, no hetu): 400."""

    status_code = 400
    code = "invalid-subject-token"


class NotAClient(Forbidden):
    """The person signed in, but is not a client of personal budgeting (403)."""

    code = "not-a-client"


class NotARepresentative(Forbidden):
    """The person signed in to act for someone, but represents no client here (403)."""

    code = "not-a-representative"


class TokenExchange:
    def __init__(self, brokers: TokenVerifier, tokens: TokenService, pool: object, hetu_pepper: bytes) -> None:
        self._brokers = brokers
        self._tokens = tokens
        self._pool = pool
        self._pepper = hetu_pepper

    async def client_of(self, subject_token: str) -> UUID:
        """The client the broker's token identifies."""
        client_id = await postgres.find_client_by_hetu_hash(self._pool, await self._hetu_hash(subject_token))
        if client_id is None:
            raise NotAClient("this person is not a client of personal budgeting")
        return client_id

    async def representative_of(self, subject_token: str) -> UUID:
        """The representative the broker's token identifies: a person registered as one. Whom they act for is not in
        the token: every service checks it against its representation records on every request (ADR 0026)."""
        person_id = await postgres.find_person_by_hetu_hash(self._pool, await self._hetu_hash(subject_token))
        if person_id is None:
            raise NotARepresentative("this person does not represent any client of personal budgeting")
        return person_id

    async def _hetu_hash(self, subject_token: str) -> str:
        try:
            broker, claims = await self._brokers.claims_of(subject_token)
            hetu = validate_hetu(str(claims.get(broker.hetu_claim, "")))
        except (jwt.PyJWTError, InvalidIdentifier) as exc:
            raise InvalidSubjectToken(f"the subject token cannot be exchanged ({type(exc).__name__})") from exc
        return keyed_hash(self._pepper, hetu)

    def mint(self, subject_id: UUID, role: Role = "client") -> tuple[str, int]:
        return self._tokens.mint(str(subject_id), role)

    def jwks(self) -> dict[str, object]:
        return self._tokens.jwks()
