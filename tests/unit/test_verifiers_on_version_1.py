"""Events hashed before issue 22 (hash version 1) stay verifiable, by the replay and by the independent Node
verifier alike (docs/contracts/verification.md §3), including in a log that mixes both versions."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

import pytest

from services.history.adapters.log import export_header
from services.history.entrypoints import replay
from shared.kernel.envelope import Actor, EventEnvelope

ROOT = Path(__file__).resolve().parents[2]
KEYS = ROOT / "contracts" / "keys" / "checkpoint-keys.json"


def stream(version: int) -> list[EventEnvelope]:
    """Three events of one stream: the first two as version 1 (before issue 22), the third as the hash version given."""
    events: list[EventEnvelope] = []
    prev = None
    for n in (1, 2, 3):
        e = EventEnvelope(
            id=uuid4(), source="/avain/intake", type="fi.avain.intake.ConsentGiven", schema_version=1,
            time=datetime(2025, 1, n, 12, 0, 0, n * 1000 if n < 3 else 0, tzinfo=UTC), subject="c-1", stream_id="client-c-1",
            stream_version=n, correlation_id=f"corr ä \"{n}\"", causation_id=None if n == 1 else "cause",
            actor=Actor(id="worker-aino", role="worker"), data={"given_by": "client", "n": n, "note": "ääkköset"},
            prev_hash=prev)
        e = e.sealed() if n == 3 and version == 2 else e.model_copy(update={"hash": e.content_hash()})
        events.append(e)
        prev = e.hash
    return events


def export(path: Path, events: list[EventEnvelope], change: int | None = None) -> None:
    lines = [export_header([])]
    for offset, e in enumerate(events):
        value = e.kafka_value()
        if offset == change:
            value = value.replace(b'"n":', b'"n":1')
        headers = [(k, v) for k, v in e.kafka_headers() if not (k == "ce_dataschema" and e.hash_version == 1)]
        lines.append(json.dumps({"topic": "avain.intake.events.v1", "partition": 0, "offset": offset, "timestamp": None,
                                 "key": base64.b64encode(b"c-1").decode(),
                                 "headers": [[k, base64.b64encode(v).decode()] for k, v in headers],
                                 "value": base64.b64encode(value).decode()}))
    path.write_text("\n".join(lines) + "\n")


async def verdicts(path: Path) -> tuple[tuple[int, list[tuple[str, str]]], tuple[int, list[tuple[str, str]]]]:
    ours, theirs = path.with_suffix(".py.json"), path.with_suffix(".node.json")
    with contextlib.redirect_stdout(io.StringIO()):
        code = await replay.main(["--from-log", str(path), "--quiet", "--report", str(ours)])
    node = await asyncio.create_subprocess_exec("node", str(ROOT / "tools" / "verifier" / "verify.mjs"), "--keys",
                                                str(KEYS), "--report", str(theirs), str(path),
                                                stdout=asyncio.subprocess.DEVNULL)
    await node.wait()
    found = [[(f["kind"], f["position"]) for f in json.loads(p.read_text())["findings"]] for p in (ours, theirs)]
    return (code, found[0]), (node.returncode, found[1])


@pytest.mark.parametrize("last_version", [1, 2])
async def test_version_1_and_mixed_logs_verify_in_both_and_an_alteration_is_found_by_both(tmp_path: Path,
                                                                                          last_version: int) -> None:
    events = stream(last_version)
    assert [e.hash_version for e in events] == [1, 1, last_version]
    clean = tmp_path / "clean.jsonl"
    export(clean, events)
    assert await verdicts(clean) == ((0, []), (0, []))
    altered = tmp_path / "altered.jsonl"
    export(altered, events, change=1)
    expected = (1, [("altered", "avain.intake.events.v1:0:1")])
    assert await verdicts(altered) == (expected, expected)
