"""The integrity of the log as an auditor sees it: each service's latest signed checkpoint (verified here against the
published keys), each service's dead letters (inspected; re-driving them stays the operator's command), and the
latest recorded run of the audit replay. Auditors and managers read; nobody writes through here."""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from services.history.adapters import integrity
from services.history.adapters.log import SERVICES
from services.history.application.verification import LogVerifier, load_keys
from shared.infra.deadletters import DeadLetter, resolve
from shared.infra.settings import ServiceSettings
from shared.kernel.errors import Forbidden, NotFound
from shared.kernel.principal import Principal

READERS = ("auditor", "manager")
KEYS = Path(__file__).resolve().parents[3] / "contracts" / "keys" / "checkpoint-keys.json"
# A chain that starts after the first checkpoint we read is not a finding: only the topic's tail is read here.
TAIL_ONLY = {"checkpoint_missing"}


def may_read(principal: Principal) -> None:
    if principal.role not in READERS:
        raise Forbidden("the log's integrity is read by auditors and managers")


def known_service(service: str) -> str:
    if service not in SERVICES:
        raise NotFound("no such service")
    return service


@dataclass
class Integrity:
    settings: ServiceSettings
    keys: dict[str, tuple[str, Ed25519PublicKey]]

    @classmethod
    def of(cls, settings: ServiceSettings, keys: Path = KEYS) -> Integrity:
        return cls(settings, load_keys(keys))

    async def checkpoints(self, principal: Principal) -> list[dict[str, Any]]:
        """Per service its latest checkpoint: sequence, time, streams stated, root, key, and whether the signature
        verifies and the checkpoint names the one before it."""
        may_read(principal)
        read = await integrity.last_checkpoints(self.settings, SERVICES)
        return [self._latest(service, read[service]) for service in SERVICES]

    def _latest(self, service: str, records: list[Any]) -> dict[str, Any]:
        if not records:
            return {"service": service, "sequence": None}
        verifier = LogVerifier(self.keys)
        for record in records:
            verifier.checkpoint(record)
        problems = [f.as_json() for f in verifier.findings if f.kind not in TAIL_ONLY]
        latest = _statement(records[-1])
        return {"service": service, "sequence": latest.get("sequence"), "time": latest.get("time"),
                "tree_size": latest.get("tree_size"), "root": latest.get("root"), "key_id": latest.get("key_id"),
                "verified": not problems, "problems": problems}

    async def dead_letters(self, principal: Principal, service: str) -> list[dict[str, Any]]:
        may_read(principal)
        letters = await integrity.dead_letters(self.settings, known_service(service))
        return [self._summary(service, d) for d in reversed(letters)]  # newest first

    async def dead_letter(self, principal: Principal, service: str, letter_id: str) -> tuple[dict[str, Any], str | None]:
        """One dead letter with its headers (never its value: it may lead to a person) and the client it names."""
        may_read(principal)
        letters = await integrity.dead_letters(self.settings, known_service(service))
        try:
            found = resolve(letters, letter_id)
        except (LookupError, ValueError) as exc:
            raise NotFound("no such dead letter") from exc
        headers = [{"name": k, "value": v.decode(errors="replace")} for k, v in found.headers]
        view = self._summary(service, found) | {"headers": headers, "value_bytes": len(found.value or b"")}
        return view, found.header("ce_subject")

    def _summary(self, service: str, letter: DeadLetter) -> dict[str, Any]:
        return letter.summary() | {"service": service, "redrive_command": self.redrive_command(service, letter.id)}

    def redrive_command(self, service: str, letter_id: str) -> str:
        """The operator's command that re-drives this dead letter (the console shows it; nobody runs it from there)."""
        argv = ["python", "-m", "shared.infra.deadletters", "redrive", "--service", service, "--offset", letter_id]
        if self.settings.topic_prefix:
            argv += ["--prefix", self.settings.topic_prefix]
        return shlex.join(argv)


def _statement(record: Any) -> dict[str, Any]:
    try:
        value = json.loads(record.value or b"{}")
        stated = value.get("statement", {}) if isinstance(value, dict) else {}
        return stated if isinstance(stated, dict) else {}
    except ValueError:
        return {}
