"""The console's session and forms: sealed, tamper-evident, idle-limited; CSRF tokens bound to a secret; no open
redirects. Pure: no server."""

from __future__ import annotations

import time

import pytest

from services.console.session import Sealer, Session
from services.console.settings import DEV_SESSION_KEY, ConsoleSettings
from services.console.web import safe_next


def session(**kw: object) -> Session:
    values: dict[str, object] = {"kind": "staff", "user_id": "worker-aino", "role": "worker", "name": "Aino Virtanen",
                                 "token": "t", "expires_at": time.time() + 60} | kw
    return Session(**values)  # type: ignore[arg-type]


def test_a_sealed_session_opens_only_unchanged_and_only_as_a_session() -> None:
    sealer = Sealer(DEV_SESSION_KEY)
    cookie = sealer.seal_session(session())
    opened = sealer.session(cookie)
    assert opened is not None and opened.user_id == "worker-aino" and opened.token == "t"
    assert "worker-aino" not in cookie and "Aino" not in cookie  # the browser cannot read it
    tampered = cookie[:-3] + ("A" if cookie[-3] != "A" else "B") + cookie[-2:]
    assert sealer.session(tampered) is None
    assert sealer.open("attempt", cookie) is None  # a session is not a sign-in attempt, nor the reverse
    assert Sealer("ZGlmZmVyZW50LWtleS1kaWZmZXJlbnQta2V5LTEyMzQ=").session(cookie) is None


def test_a_csrf_token_belongs_to_its_secret() -> None:
    sealer = Sealer(DEV_SESSION_KEY)
    token = sealer.csrf_token("secret-a")
    assert sealer.csrf_valid("secret-a", token)
    assert not sealer.csrf_valid("secret-b", token)
    assert not sealer.csrf_valid("secret-a", None) and not sealer.csrf_valid(None, token)
    assert not sealer.csrf_valid("secret-a", "secret-a")  # the cookie's value itself is not the token


@pytest.mark.parametrize("target, expected", [
    ("/caseload", "/caseload"), ("/clients/search?name=ai", "/clients/search?name=ai"), (None, "/"),
    ("https://evil.example/", "/"), ("//evil.example/", "/"), ("/\\evil.example", "/"), ("javascript:alert(1)", "/"),
])
def test_only_paths_on_this_site_are_followed_after_sign_in(target: str | None, expected: str) -> None:
    assert safe_next(target) == expected


def test_production_refuses_the_development_session_key() -> None:
    with pytest.raises(ValueError, match="AVAIN_SESSION_KEY"):
        ConsoleSettings(env="production")
    assert ConsoleSettings(env="development").development
