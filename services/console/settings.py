"""The console's settings (prefix AVAIN_): where the services are, whom sign-in goes through, the session."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parents[2]
DEV_SESSION_KEY = "ZGV2ZWxvcG1lbnQtb25seS1jb25zb2xlLXNlc3Npb24="  # 32 bytes, base64: development only
DEV_CLIENT_SECRET = "avain-console-development-secret"  # the local provider's, development only


class SignInIssuer(BaseModel):
    """An OpenID Connect provider people sign in through, and what the console asks it for."""

    issuer: str
    client_id: str = "avain-console"
    client_secret: SecretStr = SecretStr(DEV_CLIENT_SECRET)
    # The audience of the access token the console asks for (RFC 8707): the services for staff, Avain's
    # token exchange for citizens (whose token carries a hetu and is exchanged for a client token).
    resource: str = "urn:avain:services"
    scope: str = "openid profile avain"


class ConsoleSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AVAIN_", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    log_level: str = "INFO"
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    # The address people reach the console at (redirect URIs are built from it).
    public_url: str = ""

    intake_url: str = "http://127.0.0.1:8001"
    budgeting_url: str = "http://127.0.0.1:8002"
    marketplace_url: str = "http://127.0.0.1:8003"
    followup_url: str = "http://127.0.0.1:8004"
    history_url: str = "http://127.0.0.1:8005"
    notifications_url: str = "http://127.0.0.1:8007"
    decisions_url: str = "http://127.0.0.1:8006"  # the approvals queue of every service

    staff_issuer: SignInIssuer = SignInIssuer(issuer="http://127.0.0.1:8010")
    citizen_issuer: SignInIssuer = SignInIssuer(issuer="http://127.0.0.1:8011", resource="urn:avain:token-exchange")

    # Seals the session cookie (AES-GCM): the tokens it carries never reach the browser readable.
    session_key: SecretStr = SecretStr(DEV_SESSION_KEY)
    idle_timeout_minutes: int = Field(30, ge=1, le=480)
    demo_people: Path = ROOT / "deploy" / "local" / "oidc" / "people.json"
    feedback_email: str = "saavutettavuus@avain.example"

    @model_validator(mode="after")
    def _no_default_secrets_in_production(self) -> ConsoleSettings:
        if self.env == "production":
            if self.session_key.get_secret_value() == DEV_SESSION_KEY:
                raise ValueError("production needs its own AVAIN_SESSION_KEY")
            for issuer in (self.staff_issuer, self.citizen_issuer):
                if issuer.client_secret.get_secret_value() == DEV_CLIENT_SECRET:
                    raise ValueError("production needs the console's own client secrets at the identity providers")
        return self

    @property
    def development(self) -> bool:
        return self.env != "production"

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.http_host}:{self.http_port}").rstrip("/")
