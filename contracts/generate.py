"""Writes contracts/schemas/**.json (JSON Schema of every event version) and contracts/asyncapi/*.yaml, and
guards the published versions.

    python -m contracts.generate          # write new versions and the AsyncAPI documents (refuses a breaking change)
    python -m contracts.generate --check  # exit 1 when files drift from the models or a change would break readers

Published schemas are kept forever, one file per event version. A file changes only by widening (a new optional
field, a wider enum); a change that would break a reader of records already written (a removed or renamed field,
a narrowed type or enum, a new required field) is refused: give the event a new ``schema_version`` and register
an upcaster from the old one (``EventRegistry.register_upcaster``). The gate compares the models with EVERY
published version (contracts/compatibility.py); tests/unit/test_contract_evolution.py runs it.

Published schemas say ``additionalProperties: true`` (a consumer ignores fields it does not know, so adding one
never breaks it); producers stay strict (the models forbid unknown fields).
"""

from __future__ import annotations

import copy
import importlib
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

from contracts import client_copy
from contracts.compatibility import breaking_changes
from shared.infra.settings import ServiceSettings
from shared.kernel.checkpoint import CHECKPOINT_TYPE
from shared.kernel.envelope import HEADERS, SPEC_VERSION, EventEnvelope, dataschema_of
from shared.kernel.events import DomainEvent

ROOT = Path(__file__).parent
SCHEMAS = ROOT / "schemas"
# Each with an AsyncAPI document.
SERVICES = ["intake", "budgeting", "marketplace", "followup", "history", "decisions", "notifications"]
EVENT_MODULES = [*SERVICES, "access", "checkpoint"]  # contracts/<module>.py with EVENTS and a registry


def event_modules() -> Iterator[tuple[str, ModuleType]]:
    for name in EVENT_MODULES:
        yield name, importlib.import_module(f"contracts.{name}")


def published_form(module: str, event: type[DomainEvent]) -> dict[str, Any]:
    """The JSON Schema of ``event`` as published: open to fields it does not name, with its id and type."""
    schema = open_objects(event.model_json_schema())
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": dataschema_of(event.event_type, event.schema_version),
        "x-cloudevents-type": event.event_type,
        "x-schema-version": event.schema_version,
        **schema,
    }


def open_objects(schema: Any) -> Any:
    """Every ``additionalProperties: false`` (the models' strictness) turned into ``true`` for readers."""
    if isinstance(schema, dict):
        return {k: (True if k == "additionalProperties" and v is False else open_objects(v)) for k, v in schema.items()}
    if isinstance(schema, list):
        return [open_objects(v) for v in schema]
    return schema


def schema_path(module: str, event: type[DomainEvent], version: int | None = None) -> Path:
    return SCHEMAS / module / f"{event.__name__}.v{version or event.schema_version}.json"


def published(schemas_dir: Path = SCHEMAS) -> dict[str, dict[int, dict[str, Any]]]:
    """Every published schema file, by event type and version."""
    found: dict[str, dict[int, dict[str, Any]]] = {}
    for path in sorted(schemas_dir.glob("*/*.v*.json")):
        schema = json.loads(path.read_text())
        found.setdefault(schema["x-cloudevents-type"], {})[int(schema["x-schema-version"])] = schema
    return found


Models = dict[str, tuple[str, type[DomainEvent], Any]]


def current_models() -> Models:
    """Event type → (module, current model, the module's registry)."""
    return {e.event_type: (name, e, m.registry) for name, m in event_modules() for e in m.EVENTS}


def gate(schemas_dir: Path = SCHEMAS, models: Models | None = None) -> list[str]:
    """Why the current models cannot be published over ``schemas_dir``; empty when every published version still
    reads: the model's own version without a breaking change, each older one through upcasters."""
    models = current_models() if models is None else models
    on_file = published(schemas_dir)
    problems = [f"{t}: published, but no model reads it any more (keep the model: records of it stay on the log)"
                for t in on_file if t not in models]
    for event_type, (module, event, registry) in models.items():
        current = event.schema_version
        for version, schema in sorted(on_file.get(event_type, {}).items()):
            if version == current:
                problems += [f"{event_type} v{version}: {change}: a breaking change; publish it as v{current + 1} "
                             f"with an upcaster from v{current}"
                             for change in breaking_changes(schema, published_form(module, event))]
            elif version < current and not registry.reads(event_type, version):
                problems.append(f"{event_type} v{version}: published, but no upcaster chain reads it as v{current}")
            elif version > current:
                problems.append(f"{event_type} v{version}: published, but the model is v{current} (versions only grow)")
    return problems


# A checkpoint record is a CloudEvent too, but of no stream: these headers only.
CHECKPOINT_HEADERS = ("ce_specversion", "ce_id", "ce_source", "ce_type", "ce_time", "ce_subject", "ce_dataschema",
                      "content-type")


def headers_schema() -> dict[str, Any]:
    """Every CloudEvents header of a record (shared/kernel/envelope.py HEADERS), as a JSON Schema."""
    return {"type": "object", "required": [n for n, (required, _, _) in HEADERS.items() if required],
            "properties": {name: {**schema, "description": meaning} for name, (_, schema, meaning) in HEADERS.items()}}


def message_headers(event: type[DomainEvent] | None) -> dict[str, Any]:
    """The AsyncAPI ``headers`` of a message: every CloudEvents header, with this event's type and schema fixed."""
    common = {"$ref": "#/components/schemas/CloudEventsHeaders"}
    if event is not None and event.event_type == CHECKPOINT_TYPE:
        return {"type": "object", "required": list(CHECKPOINT_HEADERS), "properties": {
            n: {**HEADERS[n][1], "description": HEADERS[n][2]} for n in CHECKPOINT_HEADERS} | {
            "ce_type": {"type": "string", "const": CHECKPOINT_TYPE, "description": "The record type"},
            "ce_subject": {"type": "string", "description": "The service whose checkpoint this is (also the key)"},
            "ce_dataschema": {"type": "string", "const": dataschema_of(CHECKPOINT_TYPE, 1),
                              "description": "The JSON Schema of the value"}}}
    if event is None:
        return {"type": "object", "allOf": [common]}
    fixed = {"ce_type": event.event_type, "ce_schemaversion": str(event.schema_version),
             "ce_dataschema": dataschema_of(event.event_type, event.schema_version)}
    return {"type": "object", "allOf": [common, {"properties": {k: {"const": v} for k, v in fixed.items()}}]}


def with_headers(spec: dict[str, Any], events: list[type[DomainEvent]]) -> dict[str, Any]:
    """FastStream's document with each message's headers described, the correlation id where it really is, and
    the payload schemas open to fields they do not name (as the published JSON Schemas are)."""
    spec = copy.deepcopy(spec)
    by_name = {e.__name__: e for e in events}
    components = spec.setdefault("components", {})
    components["schemas"] = {**open_objects(components.get("schemas", {})), "CloudEventsHeaders": headers_schema()}
    for message in components.get("messages", {}).values():
        payload = message.get("payload", {}).get("$ref", "").rsplit("/", 1)[-1]
        message["headers"] = message_headers(by_name.get(payload))
        message["correlationId"] = {"location": "$message.header#/ce_correlationid",
                                    "description": "The CloudEvents extension attribute correlationid"}
    spec.setdefault("info", {})["description"] = (
        f"CloudEvents {SPEC_VERSION} in Kafka binary mode: the value is the event data as JSON, attributes are "
        "ce_* headers (components.schemas.CloudEventsHeaders), the key is the CloudEvents subject (the pseudonymous "
        "client id). Verifying the hash chains and checkpoints: docs/contracts/verification.md.")
    return spec


class _NoAliases(yaml.SafeDumper):  # type: ignore[misc]
    def ignore_aliases(self, data: Any) -> bool:
        return True


def expected_files() -> dict[Path, str]:
    files: dict[Path, str] = {}
    envelope = {"$schema": "https://json-schema.org/draft/2020-12/schema", **EventEnvelope.model_json_schema()}
    files[SCHEMAS / "envelope.json"] = json.dumps(envelope, indent=2, sort_keys=True) + "\n"
    for module, contracts in event_modules():
        for event in contracts.EVENTS:
            files[schema_path(module, event)] = json.dumps(published_form(module, event), indent=2, sort_keys=True) + "\n"
    # Documents (not events): the client's own copy (GDPR art. 15), tested against its model.
    files[ROOT / "documents" / "ClientCopy.v1.json"] = json.dumps(client_copy.schema(), indent=2, sort_keys=True) + "\n"
    for service in SERVICES:
        bootstrap = importlib.import_module(f"services.{service}.bootstrap")
        build: Callable[[ServiceSettings], object] = bootstrap.asyncapi
        # The document describes the deployment's defaults, whatever this shell's environment says.
        defaults = ServiceSettings(kafka_bootstrap="127.0.0.1:9092", topic_prefix="")
        spec = build(defaults).to_specification().to_jsonable()  # type: ignore[attr-defined]
        events = [*importlib.import_module(f"contracts.{service}").EVENTS, *(
            e for module in ("access", "checkpoint") for e in importlib.import_module(f"contracts.{module}").EVENTS)]
        files[ROOT / "asyncapi" / f"{service}.yaml"] = yaml.dump(with_headers(spec, events), Dumper=_NoAliases,
                                                                 sort_keys=True, allow_unicode=True)
    return files


def main(argv: list[str]) -> int:
    problems = gate()
    if problems:
        print("contracts: these changes would break readers of published events:\n  " + "\n  ".join(problems))
        return 1
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
