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
    """Every service's settings: environment variables AVAIN_<NAME> (docs/settings.md lists them all; its table is
    generated from these descriptions by ``python -m deploy.settings_doc``)."""

    model_config = SettingsConfigDict(env_prefix="AVAIN_", extra="ignore")

    env: Literal["development", "test", "production"] = Field(
        "development", description="One of development, test, production; production refuses the development secrets")
    log_level: str = Field("INFO", description="The lowest level logged: DEBUG, INFO, WARNING or ERROR (the libraries' "
                           "own loggers stay at WARNING)")

    kafka_bootstrap: str = Field("127.0.0.1:9092", description="The Kafka brokers, host:port[,host:port...]")
    topic_prefix: str = Field("", description="Put before every topic and consumer group name: lets tests and several "
                              "demos share one broker")
    topic_partitions: int = Field(3, description="Partitions of each topic the service creates at start; fixed when a "
                                  "topic is created, so choose it before the first start (deploy/README.md)")
    topic_replication_factor: int = Field(1, description="Replicas of each topic the service creates (3 in production)")
    topic_retention_ms: int = Field(-1, description=(
        "How long every topic the service owns keeps its events, in ms (shared/infra/topics.py); -1: never deleted "
        "by age"))
    topic_retention_bytes: int = Field(-1, description=(
        "How much every topic the service owns keeps per partition, in bytes; -1: never deleted by size"))
    topic_min_insync_replicas: int | None = Field(None, description=(
        "Replicas that must have a write before it counts; unset: replicas - 1 (2 of 3) where there are replicas"))
    retention_required_years: int = Field(30, ge=1, description=(
        "The longest retention period of the records the service's events carry, in years after a case closes "
        "(families with children: 30); the service refuses to start if a topic it owns would delete sooner"))
    consumer_workers: int = Field(1, description=(
        "Consumers per consumer group in one process (1: one member applies all of its partitions in turn); more "
        "members apply different partitions at once, useful up to partitions / instances (docs/performance.md)"))

    checkpoint_interval_seconds: float = Field(10.0, gt=0, description=(
        "How often the service signs a checkpoint of its log (shared/infra/checkpoints.py)"))
    checkpoint_key_file: Path | None = Field(None, description=(
        "The checkpoints' signing key: an Ed25519 private key in PKCS#8 PEM, mounted (production refuses to start "
        "without one; development derives a per-service key)"))
    witness_url: str | None = Field(None, description=(
        "The witness that keeps an append-only copy of the checkpoints (docs/contracts/verification.md); unset: "
        "Kafka only"))

    integration_clients: dict[str, list[str]] = Field(default_factory=dict, description=(
        'Integration clients (role "integration": another sote system, ADR 0016) and the purposes each may read a '
        'client\'s personal data for, JSON, e.g. {"kanta-connector": ["archiving"]}; a purpose not listed is refused'))

    pg_dsn: str = Field("postgresql://postgres@127.0.0.1:5433/postgres", description=(
        "The PostgreSQL server; each service creates and uses its own database on it (AVAIN_DATABASE_PREFIX)"))
    database_prefix: str = Field("avain_", description=(
        "A service's database is this prefix and the service's name, e.g. avain_intake"))
    keys_database: str = Field("avain_keys", description="The key vault's database (each client's wrapped data key), "
                               "shared by every service")

    http_host: str = Field("127.0.0.1", description="The address the HTTP API listens on (0.0.0.0 in a container)")
    http_port: int = Field(8000, description="The port the HTTP API listens on")
    http_max_body_bytes: int = Field(1_048_576, ge=1024, description=(
        "A larger request body is refused with 413 before it is parsed (the largest real command is a few kB)"))

    jwt_secret: SecretStr = Field(SecretStr(DEV_SECRET), description="Signs and verifies bearer tokens (HS256)")
    jwt_issuer: str = Field("avain", description="The issuer (iss) a bearer token must name")
    jwt_audience: str = Field("avain", description="The audience (aud) a bearer token must name")
    master_key: SecretStr = Field(SecretStr(DEV_MASTER_KEY), description=(
        "32 random bytes, base64: wraps each client's data key (a KMS stands in for this in production); losing it "
        "makes every client's data unreadable"))
    hetu_pepper: SecretStr = Field(SecretStr(DEV_SECRET), description=(
        "Keys the hash through which a hetu is looked up (the hetu itself is never stored in clear); changing it "
        "orphans the existing lookups"))
    issuers: list[Issuer] = Field(default_factory=list, description=(
        "The staff identity providers whose tokens every service accepts (JSON list: issuer, jwks_uri, audience, "
        "role_claim, roles), e.g. the county's IdP; ADR 0018"))
    token_service_issuer: str = Field("urn:avain:token-service", description=(
        "The iss of Avain's own token service (in intake), which names clients by their pseudonymous id"))
    token_service_jwks_uri: str = Field("http://127.0.0.1:8001/.well-known/jwks.json", description=(
        "Where Avain's token service publishes its public keys (intake's /.well-known/jwks.json)"))
    token_signing_key: SecretStr = Field(SecretStr(DEV_TOKEN_SIGNING_KEY), description=(
        "EC P-256 private key (PEM) with which intake signs client tokens; intake refuses the development key "
        "in production"))
    services_audience: str = Field("urn:avain:services", description="The aud of every token the services honour")
    exchange_issuers: list[Issuer] = Field(default_factory=list, description=(
        "The e-identification brokers whose tokens intake exchanges for a client token (JSON list: issuer, "
        "jwks_uri, audience urn:avain:token-exchange, hetu_claim)"))
    exchange_audience: str = Field("urn:avain:token-exchange", description=(
        "The aud of the broker's token that intake's token exchange takes"))

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
