"""OpenID Connect sign-in: the authorization code flow with PKCE (S256), by hand on httpx and PyJWT.

Small enough to read in one go: discovery, the authorization URL (state, nonce, code challenge), the code for
tokens (client_secret_basic), and the ID token checked (signature by the issuer's JWKS, issuer, audience,
expiry, nonce). The access token is not read: it is passed on to the services (staff) or to Avain's token
exchange (citizens), which verify it themselves.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt

from services.console.settings import SignInIssuer
from shared.infra.auth import JwksCache


class SignInFailed(Exception):
    """The provider's answer could not be trusted or used: the person is asked to sign in again."""


@dataclass(frozen=True)
class Attempt:
    """What the console keeps between sending a person to the provider and their return."""

    state: str
    nonce: str
    verifier: str

    @classmethod
    def new(cls) -> Attempt:
        return cls(secrets.token_urlsafe(24), secrets.token_urlsafe(24), secrets.token_urlsafe(48))

    @property
    def challenge(self) -> str:
        digest = hashlib.sha256(self.verifier.encode()).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@dataclass(frozen=True)
class SignedIn:
    subject: str
    name: str
    claims: dict[str, Any]
    access_token: str
    id_token: str
    expires_in: int
    refresh_token: str | None = None


@dataclass(frozen=True)
class Renewed:
    """A fresh access token for a signed-in person; the provider may hand out a new refresh token with it."""

    access_token: str
    expires_in: int
    refresh_token: str


class RefreshRefused(Exception):
    """The provider no longer renews this session (it ended, or the person signed out elsewhere)."""


class OidcClient:
    def __init__(self, config: SignInIssuer, http: httpx.AsyncClient) -> None:
        self.config = config
        self._http = http
        self._metadata: dict[str, Any] | None = None
        self._jwks: JwksCache | None = None

    async def metadata(self) -> dict[str, Any]:
        if self._metadata is None:
            try:
                r = await self._http.get(f"{self.config.issuer.rstrip('/')}/.well-known/openid-configuration")
                r.raise_for_status()
            except httpx.HTTPError as exc:
                raise SignInFailed(f"the identity provider does not answer ({type(exc).__name__})") from exc
            found: dict[str, Any] = r.json()
            if found.get("issuer") != self.config.issuer:
                raise SignInFailed("the identity provider names another issuer")
            self._metadata = found
            self._jwks = JwksCache(found["jwks_uri"])
        return self._metadata

    async def authorization_url(self, attempt: Attempt, redirect_uri: str, *, login_hint: str | None = None,
                                ui_locales: str | None = None) -> str:
        meta = await self.metadata()
        params = {"response_type": "code", "client_id": self.config.client_id, "redirect_uri": redirect_uri,
                  "scope": self.config.scope, "state": attempt.state, "nonce": attempt.nonce,
                  "code_challenge": attempt.challenge, "code_challenge_method": "S256",
                  "resource": self.config.resource}
        if login_hint:
            params["login_hint"] = login_hint
        if ui_locales:
            params["ui_locales"] = ui_locales
        return f"{meta['authorization_endpoint']}?{urlencode(params)}"

    async def finish(self, attempt: Attempt, code: str, redirect_uri: str) -> SignedIn:
        meta = await self.metadata()
        try:
            r = await self._http.post(
                meta["token_endpoint"],
                data={"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
                      "code_verifier": attempt.verifier, "resource": self.config.resource},
                auth=(self.config.client_id, self.config.client_secret.get_secret_value()))
        except httpx.HTTPError as exc:
            raise SignInFailed(f"the identity provider does not answer ({type(exc).__name__})") from exc
        if r.status_code != 200:
            raise SignInFailed(f"the code was refused ({r.status_code})")
        tokens = r.json()
        claims = await self.verify_id_token(tokens.get("id_token", ""), attempt.nonce)
        return SignedIn(subject=str(claims["sub"]), name=str(claims.get("name") or claims["sub"]), claims=claims,
                        access_token=str(tokens["access_token"]), id_token=str(tokens["id_token"]),
                        expires_in=int(tokens.get("expires_in", 900)), refresh_token=tokens.get("refresh_token"))

    async def refresh(self, refresh_token: str) -> Renewed:
        """A new access token for the same resource by the refresh token grant (RFC 6749 section 6)."""
        meta = await self.metadata()
        try:
            r = await self._http.post(
                meta["token_endpoint"],
                data={"grant_type": "refresh_token", "refresh_token": refresh_token, "resource": self.config.resource},
                auth=(self.config.client_id, self.config.client_secret.get_secret_value()))
        except httpx.HTTPError as exc:
            raise RefreshRefused(f"the identity provider does not answer ({type(exc).__name__})") from exc
        if r.status_code != 200:
            raise RefreshRefused(f"the refresh was refused ({r.status_code})")
        tokens = r.json()
        return Renewed(access_token=str(tokens["access_token"]), expires_in=int(tokens.get("expires_in", 900)),
                       refresh_token=str(tokens.get("refresh_token") or refresh_token))

    async def verify_id_token(self, id_token: str, nonce: str) -> dict[str, Any]:
        await self.metadata()
        assert self._jwks is not None
        try:
            key = await self._jwks.key(jwt.get_unverified_header(id_token).get("kid"))
            claims: dict[str, Any] = jwt.decode(
                id_token, key, algorithms=["RS256", "ES256"], audience=self.config.client_id,
                issuer=self.config.issuer, options={"require": ["sub", "exp", "iat", "nonce"]})
        except jwt.PyJWTError as exc:
            raise SignInFailed(f"the ID token is not valid ({type(exc).__name__})") from exc
        if not secrets.compare_digest(str(claims["nonce"]), nonce):
            raise SignInFailed("the ID token answers another sign-in")
        return claims

    async def logout_url(self, id_token: str | None, post_logout_redirect_uri: str) -> str | None:
        """Where to send the person to end their session at the provider too (OpenID Connect RP-Initiated Logout),
        or None when the provider offers no such endpoint."""
        try:
            meta = await self.metadata()
        except SignInFailed:
            return None
        endpoint = meta.get("end_session_endpoint")
        if not endpoint:
            return None
        params = {"client_id": self.config.client_id, "post_logout_redirect_uri": post_logout_redirect_uri}
        if id_token:
            params["id_token_hint"] = id_token
        return f"{endpoint}?{urlencode(params)}"
