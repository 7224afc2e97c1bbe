"""Settings from environment variables (prefix AVAIN_), shared by every service."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "avain-development-only-secret-change-me-000000"
DEV_MASTER_KEY = "ZGV2ZWxvcG1lbnQtb25seS1tYXN0ZXIta2V5LTAwMDA="  # 32 bytes, base64: development only
# Signs Avain's own service tokens (ES256) in development and tests only; production refuses it.
DEV_TOKEN_SIGNING_KEY = """-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgD4fejPHywL0ov0tW
wUnS3UbZ2R/6ZidFaTcU3/rdIgShRANCAAQN83lZ791SH46Y+ZE14h5HYT5dunjZ
Lop8lYGsqG+/4PU4JJSkQodSs3nTn8X3FiBWRT6gtNC/JMYCZyztJFM0
-----END PRIVATE KEY-----
"""


class Issuer(BaseModel):
    """An identity provider whose tokens are trusted, and how to read them (see shared/auth.py)."""

    issuer: str = Field(description="The exact `iss` of its tokens")
    jwks_uri: str = Field(description="Where its public keys are published")
    audience: str = Field("urn:avain:services", description="The `aud` its tokens must carry")
    role_claim: str = Field("avain_role", description="The claim carrying the person's role (staff)")
    roles: dict[str, str] = Field(default_factory=dict, description="Its role names → Avain's, when they differ")
    hetu_claim: str = Field("hetu", description="The claim carrying the person's hetu (e-identification)")
    algorithms: tuple[str, ...] = ("RS256", "ES256")


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AVAIN_", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    log_level: str = "INFO"

    kafka_bootstrap: str = "127.0.0.1:9092"
    topic_prefix: str = ""  # lets tests and several demos share one broker
    topic_partitions: int = 3
    topic_replication_factor: int = 1
    # What every topic the service owns keeps (shared/infra/topics.py): -1 = never delete by age or size.
    topic_retention_ms: int = -1
    topic_retention_bytes: int = -1
    topic_min_insync_replicas: int | None = None  # default: replicas - 1 (2 of 3) where there are replicas
    # The longest retention period of the records the service's events carry (years after a case closes;
    # families with children: 30). The service refuses to start if a topic it owns would delete sooner.
    retention_required_years: int = Field(30, ge=1)
    # Consumers per consumer group in one process (1: one member applies all of its partitions in turn). More
    # members apply different partitions at once; useful up to partitions / instances (docs/performance.md).
    consumer_workers: int = 1

    # Signed checkpoints of the log (shared/infra/checkpoints.py): how often, signed with which key (an Ed25519
    # private key in PKCS#8 PEM, mounted; development uses a derivable per-service key), and the witness that keeps
    # an append-only copy of them (docs/contracts/verification.md; none: Kafka only).
    checkpoint_interval_seconds: float = Field(10.0, gt=0)
    checkpoint_key_file: Path | None = None
    witness_url: str | None = None

    # Integration clients (role "integration": another sote system, ADR 0016) and the purposes each may read a
    # client's personal data for, e.g. {"kanta-connector": ["archiving"]}; a purpose not listed is refused (403).
    integration_clients: dict[str, list[str]] = Field(default_factory=dict)

    pg_dsn: str = "postgresql://postgres@127.0.0.1:5433/postgres"
    database_prefix: str = "avain_"  # the service database is <prefix><service>
    keys_database: str = "avain_keys"

    http_host: str = "127.0.0.1"
    http_port: int = 8000
    # Larger request bodies are refused with 413 before they are parsed (the largest real command is a few kB).
    http_max_body_bytes: int = Field(1_048_576, ge=1024)

    # HS256 tokens (development and tests only: production accepts none, whatever the secret).
    jwt_secret: SecretStr = SecretStr(DEV_SECRET)
    jwt_issuer: str = "avain"
    jwt_audience: str = "avain"
    # Staff identity providers whose tokens every service accepts (JSON list of Issuer), e.g. the county's IdP.
    issuers: list[Issuer] = Field(default_factory=list)
    # Avain's own token service (in intake): it exchanges an e-identification broker's token for a short-lived
    # token whose subject is the pseudonymous client id, signed with this key and published as a JWKS.
    token_service_issuer: str = "urn:avain:token-service"
    token_service_jwks_uri: str = "http://127.0.0.1:8001/.well-known/jwks.json"
    token_signing_key: SecretStr = SecretStr(DEV_TOKEN_SIGNING_KEY)
    services_audience: str = "urn:avain:services"
    # The e-identification brokers whose tokens (audience: the exchange) intake exchanges, by their hetu claim.
    exchange_issuers: list[Issuer] = Field(default_factory=list)
    exchange_audience: str = "urn:avain:token-exchange"
    # Wraps each client's data key (a KMS stands in for this in production).
    master_key: SecretStr = SecretStr(DEV_MASTER_KEY)
    # Keys the hash through which a hetu is looked up: the hetu itself is never stored in clear.
    hetu_pepper: SecretStr = SecretStr(DEV_SECRET)

    @model_validator(mode="after")
    def _no_default_secrets_in_production(self) -> ServiceSettings:
        if self.env == "production":
            defaults = {
                "jwt_secret": self.jwt_secret.get_secret_value() == DEV_SECRET,
                "master_key": self.master_key.get_secret_value() == DEV_MASTER_KEY,
                "hetu_pepper": self.hetu_pepper.get_secret_value() == DEV_SECRET,
                "checkpoint_key_file": self.checkpoint_key_file is None,
            }
            unset = [name for name, is_default in defaults.items() if is_default]
            if unset:
                raise ValueError(f"production needs its own secrets: set AVAIN_{', AVAIN_'.join(unset).upper()}")
        return self

    @property
    def accepts_development_tokens(self) -> bool:
        """HS256 tokens signed with the shared secret: development and tests only."""
        return self.env != "production"

    def database(self, service: str) -> str:
        return f"{self.database_prefix}{service}"
