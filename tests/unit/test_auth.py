"""Bearer tokens: who is calling, for as long as the token says and not a moment longer."""

from __future__ import annotations

import time
from datetime import timedelta

import jwt
import pytest

from shared.infra.auth import TokenIssuer

SECRET = "a-test-secret-of-at-least-32-bytes-long"


def test_a_token_is_honoured_until_it_expires_also_when_its_verification_is_remembered() -> None:
    issuer = TokenIssuer(SECRET)
    # A token's expiry is in whole seconds (rounded down): one issued for 1 s may expire 0.1 s later, and a
    # loaded machine can pause the test that long. Three seconds leave two at least.
    token = issuer.issue("worker-aino", "worker", ttl=timedelta(seconds=3))
    assert issuer.verify(token).user_id == "worker-aino"
    assert issuer.verify(token).role == "worker"  # the second time from memory
    expires = jwt.decode(token, options={"verify_signature": False})["exp"]
    while time.time() < expires:  # until the expiry it states has passed, no longer
        time.sleep(min(expires - time.time(), 0.5) + 0.01)
    with pytest.raises(jwt.ExpiredSignatureError):
        issuer.verify(token)


def test_a_forged_or_expired_token_is_refused() -> None:
    issuer = TokenIssuer(SECRET)
    with pytest.raises(jwt.InvalidSignatureError):
        TokenIssuer(SECRET.upper()).verify(issuer.issue("worker-aino", "manager"))
    with pytest.raises(jwt.ExpiredSignatureError):
        issuer.verify(issuer.issue("worker-aino", "worker", ttl=timedelta(seconds=-1)))
