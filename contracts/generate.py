"""Writes contracts/schemas/**.json (JSON Schema of every event version) and contracts/asyncapi/*.yaml.

    python -m contracts.generate          # rewrite the files
    python -m contracts.generate --check  # exit 1 when the committed files drift from the models

tests/unit/test_contracts.py runs the check, so a model change without regenerated contracts fails CI.
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Callable
from pathlib import Path

import yaml

from shared.infra.settings import ServiceSettings
from shared.kernel.envelope import EventEnvelope
from shared.kernel.events import DomainEvent

ROOT = Path(__file__).parent
SERVICES = ["intake", "budgeting", "marketplace", "followup", "history"]


def _event_schema(service: str, event: type[DomainEvent]) -> dict[str, object]:
    schema = event.model_json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://avain.example/contracts/{service}/{event.__name__}.v{event.schema_version}.json",
        "x-cloudevents-type": event.event_type,
        "x-schema-version": event.schema_version,
        **schema,
    }


def expected_files() -> dict[Path, str]:
    files: dict[Path, str] = {}
    envelope = {"$schema": "https://json-schema.org/draft/2020-12/schema", **EventEnvelope.model_json_schema()}
    files[ROOT / "schemas" / "envelope.json"] = json.dumps(envelope, indent=2, sort_keys=True) + "\n"
    for service in SERVICES:
        module = importlib.import_module(f"contracts.{service}")
        for event in module.EVENTS:
            path = ROOT / "schemas" / service / f"{event.__name__}.v{event.schema_version}.json"
            files[path] = json.dumps(_event_schema(service, event), indent=2, sort_keys=True) + "\n"
        bootstrap = importlib.import_module(f"services.{service}.bootstrap")
        build: Callable[[ServiceSettings], object] = bootstrap.asyncapi
        # The document describes the deployment's defaults, whatever this shell's environment says.
        defaults = ServiceSettings(kafka_bootstrap="127.0.0.1:9092", topic_prefix="")
        spec = build(defaults).to_specification().to_jsonable()  # type: ignore[attr-defined]
        files[ROOT / "asyncapi" / f"{service}.yaml"] = yaml.safe_dump(spec, sort_keys=True, allow_unicode=True)
    return files


def main(argv: list[str]) -> int:
    files = expected_files()
    if "--check" in argv:
        stale = [str(p.relative_to(ROOT.parent)) for p, text in files.items()
                 if not p.exists() or p.read_text() != text]
        if stale:
            print("contracts out of date (run python -m contracts.generate):\n  " + "\n  ".join(stale))
            return 1
        return 0
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    print(f"wrote {len(files)} contract files")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
