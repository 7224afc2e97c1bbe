"""`./avain`, the one entry point: its help says everything it does, and secrets stay out of git and images."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
AVAIN = ROOT / "avain"
SCRIPTS = [AVAIN, *sorted((ROOT / "deploy" / "local").glob("*.sh"))]
# Where an option of a command ./avain passes its arguments to is declared.
OPTION_SOURCES = {"tokens": ROOT / "deploy" / "local" / "tokens.py", "bench": ROOT / "bench" / "run.py"}


def avain(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(AVAIN), *args], cwd=ROOT, capture_output=True, text=True, timeout=30, check=False)


def commands() -> list[str]:
    """The labels of the script's command `case` (the last case statement of the file)."""
    body = AVAIN.read_text(encoding="utf-8").rsplit('case "${1:-}" in', 1)[1]
    labels = re.findall(r"^  ([a-z][a-z |-]*)\)", body, flags=re.MULTILINE)
    return [word.strip() for label in labels for word in label.split("|") if word.strip().isalpha()]


def bash_array(name: str) -> str:
    match = re.search(rf"^{name}=\((.*)\)$", AVAIN.read_text(encoding="utf-8"), flags=re.MULTILINE)
    assert match, f"{name} is not in ./avain"
    return match[1]


@pytest.mark.parametrize("flag", ["help", "-h", "--help"])
def test_help_exits_0_with_the_usage(flag: str) -> None:
    done = avain(flag)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: ./avain")


def test_help_lists_every_command_and_every_option() -> None:
    usage = avain("help").stdout
    found = commands()
    assert {"up", "test", "down", "clean", "status", "tokens", "infra", "bench", "help"} <= set(found), found
    for command in found:
        assert re.search(rf"^  {command}\b", usage, flags=re.MULTILINE), f"{command} is missing from the help"
    for command, source in OPTION_SOURCES.items():
        options = re.findall(r'add_argument\("(--[a-z-]+)"', source.read_text(encoding="utf-8"))
        assert options, source
        line = next(line for line in usage.splitlines() if line.startswith(f"  {command} "))
        for option in options:
            assert option in line, f"{command} {option} is missing from the help"


def test_help_names_every_setting_the_scripts_read() -> None:
    usage = avain("help").stdout
    read = {name for script in SCRIPTS for name in re.findall(r"\bAVAIN_[A-Z_]+\b", script.read_text(encoding="utf-8"))}
    read -= {"AVAIN_HTTP_PORT"}  # set by the script for each service from AVAIN_<SERVICE>_PORT
    for service in bash_array("SERVICES").split():
        read.add(f"AVAIN_{service.upper()}_PORT")
    missing = sorted(name for name in read if name not in usage)
    assert not missing, f"./avain help does not mention {missing}"


def test_an_unknown_command_says_so_and_exits_2() -> None:
    done = avain("frobnicate")
    assert done.returncode == 2
    assert "unknown command: frobnicate" in done.stderr
    assert avain().returncode == 2


def test_the_script_starts_every_service_on_the_port_compose_gives_it() -> None:
    services = sorted(p.name for p in (ROOT / "services").iterdir() if (p / "__init__.py").is_file())
    assert sorted(bash_array("SERVICES").split()) == services
    defaults = dict(re.findall(r"\[([a-z]+)\]=(\d+)", bash_array("declare -A DEFAULT_PORTS")))
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))["services"]
    for service in services:
        assert str(compose[service]["environment"]["AVAIN_HTTP_PORT"]) == defaults[service], service


def test_dot_env_stays_out_of_git_and_images() -> None:
    ignored = subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=ROOT, check=False)
    assert ignored.returncode == 0, ".env is not in .gitignore"
    assert ".env" in (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
