"""The production shape in docker-compose.yml and the one Dockerfile every service's image is built from, with the
service as a build argument (read as files; no Docker needed)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from shared.infra.settings import DEV_MASTER_KEY, DEV_SECRET

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
SERVICES_DIR = ROOT / "services"
PORTS = {"intake": 8001, "budgeting": 8002, "marketplace": 8003, "followup": 8004, "history": 8005, "decisions": 8006}
BUILD_ARG = re.compile(r"\$\{?SERVICE\}?")
SECRETS = ("AVAIN_JWT_SECRET", "AVAIN_MASTER_KEY", "AVAIN_HETU_PEPPER")
REQUIRED_VAR = re.compile(r"^\$\{(?P<name>[A-Z0-9_]+):\?[^}]*\}$")  # ${VAR:?message}: compose refuses without it


def service_packages() -> list[str]:
    return sorted(p.name for p in SERVICES_DIR.iterdir() if p.is_dir() and (p / "__init__.py").is_file())


SERVICES = service_packages()
STATELESS = {"console"}  # no database, no topic: it calls the services over HTTP
STATEFUL = [s for s in SERVICES if s not in STATELESS]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(data, dict) and isinstance(data.get("services"), dict)
    return data


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):  # the "KEY=value" list form
        env = dict(item.split("=", 1) for item in env)
    return {str(k): str(v) for k, v in env.items()}


def kafka_nodes(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: svc for name, svc in compose["services"].items()
            if str(svc.get("image", "")).startswith("apache/kafka:")}


def instructions(dockerfile: Path, service: str | None = None) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs with continuation lines joined and comments dropped; with ``service``, as the
    build for that service sees them (its name in place of the SERVICE build argument)."""
    text = re.sub(r"\\\n", " ", dockerfile.read_text(encoding="utf-8"))
    if service is not None:
        text = BUILD_ARG.sub(service, text)
    result = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            result.append((keyword.upper(), rest.strip()))
    return result


def copy_sources(dockerfile: Path, service: str) -> list[str]:
    sources = []
    for keyword, rest in instructions(dockerfile, service):
        if keyword in ("COPY", "ADD"):
            words = [w for w in rest.split() if not w.startswith("--")]
            sources.extend(w.removeprefix("./") for w in words[:-1])
    return sources


def test_there_is_at_least_one_service_package() -> None:
    assert "intake" in SERVICES


def test_compose_parses_with_services_and_volumes(compose: dict[str, Any]) -> None:
    assert {"postgres", *SERVICES} <= set(compose["services"])
    declared = set(compose.get("volumes") or {})
    for name, svc in compose["services"].items():
        assert "image" in svc or "build" in svc, name
        for volume in svc.get("volumes", []):
            source = str(volume).split(":")[0]
            if not source.startswith((".", "/")):
                assert source in declared, f"{name}: named volume {source} is not declared"


def test_one_dockerfile_builds_every_service() -> None:
    # Five (then six) copies of one file differed only in a name and a port, and drifted: one file, the service
    # as a build argument (issue 12).
    assert DOCKERFILE.is_file(), "the Dockerfile at the repository root is missing"
    copies = sorted(str(p.relative_to(ROOT)) for p in SERVICES_DIR.glob("*/Dockerfile"))
    assert copies == [], f"a service's own Dockerfile would drift from the one every service is built from: {copies}"


@pytest.mark.parametrize("name", SERVICES)
def test_every_service_package_is_built_from_the_dockerfile_with_its_name_and_port(compose: dict[str, Any],
                                                                                  name: str) -> None:
    assert name in compose["services"], f"{name} is not in docker-compose.yml"
    build = compose["services"][name].get("build")
    assert isinstance(build, dict), f"{name}: build must name its context and its build arguments"
    assert build.get("context") == "."
    assert build.get("dockerfile", "Dockerfile") == "Dockerfile"
    args = build.get("args") or {}
    assert args.get("SERVICE") == name, f"{name}: build it with SERVICE={name}"
    assert str(args.get("PORT")) == environment(compose["services"][name]).get("AVAIN_HTTP_PORT"), name


def test_the_build_refuses_to_start_without_a_service_before_copying_any_service_code() -> None:
    # With SERVICE unset, "COPY services/${SERVICE}/" would copy every service's code into the image.
    for stage in " ".join(f"{k} {v}" for k, v in instructions(DOCKERFILE)).split("FROM ")[1:]:
        if "services/${SERVICE}/" not in stage:
            continue
        assert "ARG SERVICE" in stage
        before_copy = stage.split("COPY services/${SERVICE}/")[0]
        assert re.search(r"RUN .*-n \"\$SERVICE\".*exit 1", before_copy), before_copy


@pytest.mark.parametrize("name", SERVICES)
def test_a_service_image_holds_only_its_own_service_code(name: str) -> None:
    sources = copy_sources(DOCKERFILE, name)
    assert sources, f"{name}: the Dockerfile copies nothing"
    for src in sources:
        path = src.rstrip("/")
        assert path not in (".", "*", "services"), f"{name}: COPY {src} would bring in other services"
        if path.startswith("services/"):
            part = path.split("/")[1]
            assert part in (name, "__init__.py"), f"{name}: COPY {src} brings in another service's code"
    assert f"services/{name}" in {s.rstrip("/") for s in sources}
    # config/: the county's tables (delegations, legal bases, notification rules), read at start
    assert {"shared", "contracts", "config"} <= {s.rstrip("/") for s in sources}


@pytest.mark.parametrize("name", SERVICES)
def test_a_service_image_is_slim_non_root_checked_and_runs_its_module(name: str) -> None:
    steps = instructions(DOCKERFILE, name)
    by_kind: dict[str, list[str]] = {}
    for keyword, rest in steps:
        by_kind.setdefault(keyword, []).append(rest)
    assert by_kind["FROM"][-1].startswith("python:3.11-slim")  # the image that runs (a build stage may precede)
    users = by_kind.get("USER", [])
    assert users and users[-1] not in ("root", "0"), f"{name}: the image must run as a non-root user"
    assert any("/health" in h and "python" in h for h in by_kind.get("HEALTHCHECK", [])), name
    assert any(f"AVAIN_SERVICE={name}" in e for e in by_kind.get("ENV", [])), name
    assert any("services.$AVAIN_SERVICE" in c and "exec python -m" in c for c in by_kind.get("CMD", [])), name
    assert any("requirements.txt" in r for r in by_kind.get("RUN", [])), name


@pytest.mark.parametrize("name", STATEFUL)
def test_every_service_runs_in_production_with_secrets_from_outside(compose: dict[str, Any], name: str) -> None:
    env = environment(compose["services"][name])
    assert env.get("AVAIN_ENV") == "production"
    assert env.get("AVAIN_HTTP_HOST") == "0.0.0.0", f"{name} would listen on the container's loopback only"
    for secret in SECRETS:
        value = env.get(secret, "")
        match = REQUIRED_VAR.match(value)
        assert match and match["name"] == secret, f"{name}: {secret} must be a required ${{{secret}:?...}}"
    assert "${AVAIN_PG_PASSWORD:?" in env.get("AVAIN_PG_DSN", ""), f"{name}: the database password must be required"


@pytest.mark.parametrize("name", STATEFUL)
def test_every_service_uses_its_port_and_waits_for_healthy_infrastructure(compose: dict[str, Any],
                                                                          name: str) -> None:
    svc = compose["services"][name]
    port = PORTS.get(name)
    if port is not None:
        assert environment(svc).get("AVAIN_HTTP_PORT") == str(port)
        assert any(str(p).endswith(f":{port}:{port}") for p in svc.get("ports", [])), name
    depends = svc.get("depends_on")
    assert isinstance(depends, dict)
    for infra in ("postgres", *kafka_nodes(compose)):
        assert depends.get(infra, {}).get("condition") == "service_healthy", f"{name} must wait for {infra}"


def test_the_console_runs_in_production_with_its_secrets_and_identity_providers_from_outside(
        compose: dict[str, Any]) -> None:
    env = environment(compose["services"]["console"])
    assert env.get("AVAIN_ENV") == "production" and env.get("AVAIN_HTTP_PORT") == "8000"
    for required in ("AVAIN_SESSION_KEY", "AVAIN_PUBLIC_URL", "AVAIN_STAFF_ISSUER", "AVAIN_CITIZEN_ISSUER"):
        match = REQUIRED_VAR.match(env.get(required, ""))
        assert match and match["name"] == required, f"console: {required} must be a required ${{{required}:?...}}"
    assert not any(k in env for k in ("AVAIN_PG_DSN", "AVAIN_MASTER_KEY")), "the console holds no data"


def test_service_ports_are_distinct(compose: dict[str, Any]) -> None:
    ports = [environment(compose["services"][name]).get("AVAIN_HTTP_PORT") for name in SERVICES]
    assert len(ports) == len(set(ports)), ports


def test_compose_does_not_carry_the_development_secrets() -> None:
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    assert DEV_SECRET not in text
    assert DEV_MASTER_KEY not in text


def test_kafka_is_three_combined_kraft_nodes_with_rf3_and_min_isr2(compose: dict[str, Any]) -> None:
    nodes = kafka_nodes(compose)
    assert len(nodes) == 3, sorted(nodes)
    envs = {name: environment(svc) for name, svc in nodes.items()}
    for svc in nodes.values():
        assert svc["image"] == "apache/kafka:4.1.1"
        assert svc.get("healthcheck", {}).get("test"), "a Kafka node needs a healthcheck"
        assert svc.get("volumes"), "a Kafka node keeps its log on a volume"
    for name, env in envs.items():
        assert env["KAFKA_PROCESS_ROLES"] == "broker,controller", name
        assert env["KAFKA_DEFAULT_REPLICATION_FACTOR"] == "3", name
        assert env["KAFKA_MIN_INSYNC_REPLICAS"] == "2", name
        assert env["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"] == "3", name
        assert env["KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR"] == "3", name
        assert env["KAFKA_TRANSACTION_STATE_LOG_MIN_ISR"] == "2", name
        assert env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false", name
        assert f"//{name}:" in env["KAFKA_ADVERTISED_LISTENERS"], name
    assert len({env["KAFKA_NODE_ID"] for env in envs.values()}) == 3
    assert len({env["CLUSTER_ID"] for env in envs.values()}) == 1
    voters = {env["KAFKA_CONTROLLER_QUORUM_VOTERS"] for env in envs.values()}
    assert len(voters) == 1
    expected = {f"{env['KAFKA_NODE_ID']}@{name}:9093" for name, env in envs.items()}
    assert set(voters.pop().split(",")) == expected


@pytest.mark.parametrize("name", STATEFUL)
def test_services_create_topics_with_rf3_on_every_broker(compose: dict[str, Any], name: str) -> None:
    env = environment(compose["services"][name])
    assert env.get("AVAIN_TOPIC_REPLICATION_FACTOR") == "3"
    bootstrap = {b.split(":")[0] for b in env.get("AVAIN_KAFKA_BOOTSTRAP", "").split(",")}
    assert bootstrap == set(kafka_nodes(compose))


def test_postgres_is_version_15_with_a_required_password(compose: dict[str, Any]) -> None:
    pg = compose["services"]["postgres"]
    assert str(pg["image"]).split(":")[1].startswith("15")
    assert REQUIRED_VAR.match(environment(pg).get("POSTGRES_PASSWORD", ""))
    assert pg.get("healthcheck", {}).get("test")
