"""Avain's own token issuer: short-lived service tokens, ES256, published as a JWKS (docs/decisions/0018).

A citizen signs in through a strong e-identification broker whose token carries their hetu. The services must
never see the hetu, and their policies know a client by the pseudonymous client id. So intake, which keeps the
keyed hash from hetu to client id, exchanges the broker's token for one of these (RFC 8693 token exchange):
subject = the client id, role = client, audience = the services, valid for minutes. Every service verifies it
with the keys this module publishes, like any other trusted issuer's.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import jwt
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from shared.kernel.envelope import Role

TOKEN_TTL = timedelta(minutes=15)


class TokenService:
    def __init__(self, private_key_pem: str, *, issuer: str, audience: str, ttl: timedelta = TOKEN_TTL) -> None:
        key = load_pem_private_key(private_key_pem.encode(), password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
            raise ValueError("Avain's token signing key must be an EC P-256 private key (ES256)")
        self._key = key
        self.issuer = issuer
        self.audience = audience
        self.ttl = ttl
        public = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key.public_key()))
        self.kid = _thumbprint(public)
        self._public_jwk = {**public, "kid": self.kid, "alg": "ES256", "use": "sig"}

    def mint(self, subject: str, role: Role, **extra: Any) -> tuple[str, int]:
        """A signed token for ``subject`` and its lifetime in seconds."""
        now = datetime.now(UTC)
        claims = {"iss": self.issuer, "aud": self.audience, "sub": subject, "role": role, "iat": now,
                  "exp": now + self.ttl, "jti": str(uuid4()), **extra}
        token = jwt.encode(claims, self._key, algorithm="ES256", headers={"kid": self.kid})
        return token, int(self.ttl.total_seconds())

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self._public_jwk]}


def _thumbprint(jwk: dict[str, Any]) -> str:
    """RFC 7638: the key's id is the hash of its public parameters, so it changes exactly when the key does."""
    canonical = json.dumps({k: jwk[k] for k in ("crv", "kty", "x", "y")}, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode()
