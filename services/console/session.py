"""The signed-in person's session, kept in a cookie sealed with AES-GCM: the browser holds it but cannot read or
change it, and the console keeps no session store (it owns no state at all).

The cookie carries the token the services are called with, who the person is (name, role, issuer), the
time of the last request (for the idle timeout) and what the identity provider gave for renewing the token and
for ending its own session (refresh and ID token). httpOnly, SameSite=Lax, Secure outside development.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import time
from dataclasses import asdict, dataclass, field
from typing import Literal

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

SESSION_COOKIE = "avain_session"
INTAKE_DRAFT_COOKIE = "avain_intake"  # an unfinished intake's answers between pages (sealed; ends with the session)
ATTEMPT_COOKIE = "avain_signin"  # between leaving for the identity provider and coming back
LANGUAGE_COOKIE = "avain_lang"
CSRF_COOKIE = "avain_csrf"  # the CSRF secret of a visitor not signed in (the sign-in forms)


@dataclass
class Session:
    kind: Literal["staff", "citizen"]
    user_id: str  # staff id, or the pseudonymous client id
    role: str
    name: str
    token: str
    expires_at: float
    last_seen: float = field(default_factory=time.time)
    language: str | None = None  # the person's stored preference (a client's, from intake)
    # From the identity provider: the refresh token renews ``token`` within the idle timeout (for a citizen the
    # broker's, whose fresh token is exchanged again), the ID token names the session when signing out of it.
    refresh_token: str | None = None
    id_token: str | None = None
    # A representative (role ``representative``, user_id their own person id) acts for one client at a time: the
    # client chosen (None until chosen), that client's name and the link's kind for the banner every page shows,
    # and whom they may choose from (client_id, name, kind), as intake said at sign-in or at the last choice.
    # ``also_client``: the person is a client too, so "myself" is among the choices (ADR 0026: one person, two ids).
    acting_for: str | None = None
    acting_for_name: str | None = None
    acting_for_kind: str | None = None
    represents: list[dict[str, str | None]] = field(default_factory=list)
    also_client: bool = False

    @property
    def client_id(self) -> str:
        """Whose case the client's pages show: the client themself, or the client a representative acts for ("" until
        they choose: Page.require_client sends them to choose first)."""
        return (self.acting_for or "") if self.role == "representative" else self.user_id


class Sealer:
    """AES-GCM with a purpose as associated data: a sign-in attempt cannot be replayed as a session."""

    def __init__(self, key_b64: str) -> None:
        key = base64.b64decode(key_b64)
        if len(key) != 32:
            raise ValueError("AVAIN_SESSION_KEY must be 32 bytes, base64")
        self._aead = AESGCM(key)
        self._mac_key = hashlib.sha256(b"csrf" + key).digest()

    def seal(self, purpose: str, value: dict[str, object]) -> str:
        nonce = os.urandom(12)
        sealed = nonce + self._aead.encrypt(nonce, json.dumps(value, separators=(",", ":")).encode(), purpose.encode())
        return base64.urlsafe_b64encode(sealed).decode().rstrip("=")

    def open(self, purpose: str, cookie: str | None) -> dict[str, object] | None:
        if not cookie:
            return None
        try:
            raw = base64.urlsafe_b64decode(cookie + "=" * (-len(cookie) % 4))
            value = json.loads(self._aead.decrypt(raw[:12], raw[12:], purpose.encode()))
        except (InvalidTag, ValueError, binascii.Error):
            return None
        return value if isinstance(value, dict) else None

    def session(self, cookie: str | None) -> Session | None:
        value = self.open("session", cookie)
        if value is None:
            return None
        try:
            return Session(**value)  # type: ignore[arg-type]
        except TypeError:
            return None

    def seal_session(self, session: Session) -> str:
        return self.seal("session", asdict(session))

    def csrf_token(self, secret: str) -> str:
        """What a form carries: a MAC of the session's (or visitor's) secret, so a planted cookie is no help."""
        return hmac.new(self._mac_key, secret.encode(), hashlib.sha256).hexdigest()

    def csrf_valid(self, secret: str | None, submitted: str | None) -> bool:
        return bool(secret and submitted) and hmac.compare_digest(self.csrf_token(str(secret)), str(submitted))
