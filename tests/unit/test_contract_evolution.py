"""Contracts that can evolve: every published schema version stays readable, a breaking change fails the gate
unless the event gets a new version with an upcaster, and the AsyncAPI documents describe every header and pass
the official parser."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal
from uuid import UUID, uuid4

import pytest
import yaml

from contracts import generate
from contracts.compatibility import breaking_changes
from contracts.history import ClientErased
from shared.kernel.envelope import HEADERS, Actor, EventEnvelope, dataschema_of
from shared.kernel.events import DomainEvent, EventRegistry

ROOT = Path(__file__).resolve().parents[2]


def test_the_models_read_every_published_version() -> None:
    assert generate.gate() == []


def _copy_of_published(tmp_path: Path) -> Path:
    copy = tmp_path / "schemas"
    shutil.copytree(generate.SCHEMAS, copy)
    return copy


def _edit(schemas: Path, relative: str, change: Any) -> None:
    path = schemas / relative
    schema = json.loads(path.read_text())
    change(schema)
    path.write_text(json.dumps(schema))


@pytest.mark.parametrize(("change", "named"), [
    # The published copy had a field the model no longer has: a removed (or renamed) field.
    (lambda s: s["properties"].update(old_note={"type": "string"}), "old_note: field removed"),
    # The published copy accepted a basis the model no longer does: a narrowed enum.
    (lambda s: s["properties"]["basis"]["enum"].append("court_order"), "basis: no longer accepts ['court_order']"),
    # The published copy did not have a field the model requires: a new required field.
    (lambda s: (s["properties"].pop("legal_basis"), s["required"].remove("legal_basis")), "legal_basis: new required"),
    # The published copy took any string as the client id: a narrowed type (now a uuid).
    (lambda s: s["properties"]["client_id"].pop("format"), "client_id: format added"),
])
def test_a_breaking_change_to_a_published_schema_fails_the_gate(tmp_path: Path, change: Any, named: str) -> None:
    schemas = _copy_of_published(tmp_path)
    assert generate.gate(schemas) == []
    _edit(schemas, "history/ClientErased.v1.json", change)
    problems = generate.gate(schemas)
    assert any(named in p and p.startswith("fi.avain.history.ClientErased v1") for p in problems), problems


class ClientErasedWithoutBasis(DomainEvent):
    """ClientErased v1 with a field removed: breaks every reader of the records already written."""

    event_type = "fi.avain.history.ClientErased"
    client_id: UUID
    basis: Literal["retention_period_ended", "other_legal_basis"]


class ClientErasedV2(DomainEvent):
    event_type = "fi.avain.history.ClientErased"
    schema_version = 2
    client_id: UUID
    basis: Literal["retention_period_ended", "other_legal_basis"]


def _with(model: type[DomainEvent], registry: EventRegistry) -> generate.Models:
    return {**generate.current_models(), model.event_type: ("history", model, registry)}


def test_a_breaking_model_change_passes_only_as_a_new_version_with_an_upcaster() -> None:
    registry = EventRegistry([ClientErasedWithoutBasis])
    broken = generate.gate(models=_with(ClientErasedWithoutBasis, registry))
    assert any("legal_basis: field removed" in p for p in broken), broken

    v2 = EventRegistry([ClientErasedV2])
    no_upcaster = generate.gate(models=_with(ClientErasedV2, v2))
    assert no_upcaster == ["fi.avain.history.ClientErased v1: published, but no upcaster chain reads it as v2"]
    v2.register_upcaster(ClientErased.event_type, 1, lambda d: {k: v for k, v in d.items() if k != "legal_basis"})
    assert generate.gate(models=_with(ClientErasedV2, v2)) == []
    old = {"client_id": str(uuid4()), "basis": "other_legal_basis", "legal_basis": "GDPR 17"}
    assert v2.load(ClientErased.event_type, 1, old) == ClientErasedV2(client_id=old["client_id"], basis="other_legal_basis")


def test_widening_is_not_breaking_and_narrowing_is() -> None:
    base = {"type": "object", "properties": {"n": {"type": "integer", "minimum": 0}, "k": {"enum": ["a", "b"]},
                                             "s": {"type": "string"}}, "required": ["n"]}
    wider = {"type": "object", "properties": {"n": {"type": "number"}, "k": {"enum": ["a", "b", "c"]},
                                              "s": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                                              "new": {"type": "string"}}, "required": ["n"]}
    assert breaking_changes(base, wider) == []
    assert breaking_changes(wider, base) == ["n: no longer accepts number", "k: no longer accepts ['c'] (enum narrowed)",
                                             "s: no longer accepts null", "new: field removed (or renamed)"]
    tighter = {**base, "properties": {**base["properties"], "s": {"type": "string", "maxLength": 10}}}
    assert breaking_changes(base, tighter) == ["s: maxLength tightened to 10"]
    assert breaking_changes(base, {**base, "required": ["n", "s"]}) == ["s: new required field"]


def test_published_schemas_are_open_and_named_by_every_record() -> None:
    for module, contracts in generate.event_modules():
        for event in contracts.EVENTS:
            assert event.event_type == f"fi.avain.{module}.{event.__name__}"
            schema = json.loads(generate.schema_path(module, event).read_text())
            assert schema["$id"] == dataschema_of(event.event_type, event.schema_version)
            assert schema["additionalProperties"] is True
            assert "false" not in json.dumps(schema.get("$defs", {})).replace(" ", "").split("additionalProperties")[0]


def test_every_header_a_record_carries_is_described() -> None:
    envelope = EventEnvelope(
        id=uuid4(), source="/avain/history", type=ClientErased.event_type, schema_version=1, time=datetime.now(UTC),
        subject="c-1", stream_id="erasure-1", stream_version=2, correlation_id="corr", causation_id="cause",
        actor=Actor(id="m-1", role="manager"), data={"x": 1}, prev_hash="a" * 64).sealed()
    headers = dict(envelope.kafka_headers())
    assert set(headers) <= set(HEADERS)
    assert {n for n, (required, _, _) in HEADERS.items() if required} <= set(headers)
    assert headers["ce_dataschema"] == b"https://avain.example/contracts/history/ClientErased.v1.json"


def test_asyncapi_documents_list_the_headers_and_pass_the_official_parser() -> None:
    documents = sorted((ROOT / "contracts" / "asyncapi").glob("*.yaml"))
    for path in documents:
        spec = yaml.safe_load(path.read_text())
        assert set(spec["components"]["schemas"]["CloudEventsHeaders"]["properties"]) == set(HEADERS)
        for name, message in spec["components"]["messages"].items():
            assert message["correlationId"]["location"] == "$message.header#/ce_correlationid"
            if "CheckpointSigned" in name:
                assert set(message["headers"]["required"]) == set(generate.CHECKPOINT_HEADERS)
            else:
                assert message["headers"]["allOf"][0] == {"$ref": "#/components/schemas/CloudEventsHeaders"}
    parser = ROOT / "tools" / "asyncapi" / "node_modules" / "@asyncapi" / "parser"
    assert parser.exists(), "the AsyncAPI parser is installed by ./avain (npm ci in tools/asyncapi)"
    # 7 s of CPU, half a minute on a quiet machine shared by two cores: the timeout only catches a hang.
    run = subprocess.run(["node", str(ROOT / "tools" / "asyncapi" / "validate.mjs"), *map(str, documents)],
                         capture_output=True, text=True, timeout=900, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.count("valid AsyncAPI 3.0.0") == len(documents)
