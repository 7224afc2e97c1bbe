"""An exported log, verified by the Python replay and by the independent Node verifier (tools/verifier, written
from docs/contracts/verification.md alone): both pass the clean log, and both find every tampering of issue 22
with the same named positions."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import copy
import hashlib
import io
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from services.budgeting.bootstrap import create_app as budgeting_app
from services.history.entrypoints import replay
from services.intake.bootstrap import create_app as intake_app
from shared.infra.checkpoints import Ed25519Signer
from shared.infra.settings import ServiceSettings
from shared.kernel.canonical import jcs
from tests.conftest import running_service
from tests.journeys import GOAL, WORKER, decided_budget
from tests.support import eventually

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
KEYS = ROOT / "contracts" / "keys" / "checkpoint-keys.json"
Line = dict[str, Any]


def env(settings: ServiceSettings) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "AVAIN_TOPIC_PREFIX": settings.topic_prefix,
            "AVAIN_KAFKA_BOOTSTRAP": settings.kafka_bootstrap, "AVAIN_PG_DSN": settings.pg_dsn}


async def run(*command: str, settings: ServiceSettings) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(*command, cwd=ROOT, env=env(settings), stdout=asyncio.subprocess.PIPE,
                                                stderr=asyncio.subprocess.STDOUT)
    out = (await proc.communicate())[0].decode()
    assert proc.returncode is not None
    return proc.returncode, out


@pytest.fixture
async def exported(settings: ServiceSettings, tokens: Any, tmp_path: Path) -> tuple[ServiceSettings, Path]:
    """A small real log: two services, a decided budget and a goal, checkpoints every 0.3 s and at shutdown."""
    s = settings.model_copy(update={"checkpoint_interval_seconds": 0.3})
    async with running_service(intake_app, s, "intake") as intake, running_service(budgeting_app, s, "budgeting") as budgeting:
        cid = await decided_budget(intake, budgeting, tokens, 60_000)
        assert (await budgeting.post(f"/budgets/{cid}/goals", headers=tokens(*WORKER), json=GOAL)).status_code == 200
        signer = intake.app.state.runtime.checkpointer
        while signer.made < 3:  # reads (access events) until intake has a chain of a few checkpoints
            made = signer.made
            assert (await intake.get(f"/clients/{cid}", headers=tokens(*WORKER))).status_code == 200
            await eventually(lambda made=made: signer.made > made, timeout=30)
    path = tmp_path / "log.jsonl"
    code, out = await run(sys.executable, "-m", "services.history.replay", "--export-log", str(path), settings=s)
    assert code == 0, out
    return s, path


def read(path: Path) -> tuple[str, list[Line]]:
    header, *lines = path.read_text().splitlines()
    return header, [json.loads(line) for line in lines]


def write(path: Path, header: str, lines: list[Line | str]) -> None:
    path.write_text("\n".join([header, *(x if isinstance(x, str) else json.dumps(x) for x in lines)]) + "\n")


def headers(line: Line) -> dict[str, str]:
    return {k: base64.b64decode(v).decode() for k, v in line["headers"]}


def value(line: Line) -> bytes:
    return base64.b64decode(line["value"])


def set_value(line: Line, raw: bytes) -> None:
    line["value"] = base64.b64encode(raw).decode()


def set_header(line: Line, name: str, text: str) -> None:
    line["headers"] = [[k, base64.b64encode(text.encode()).decode() if k == name else v] for k, v in line["headers"]]


def where(line: Line) -> str:
    return f"{line['topic']}:{line['partition']}:{line['offset']}"


def events(lines: list[Line]) -> list[Line]:
    return [x for x in lines if not x["topic"].endswith(".checkpoints.v1")]


def stream_of(lines: list[Line], kind: str) -> list[Line]:
    """The events of the stream holding the first event of type ``kind``, in version order."""
    first = next(x for x in events(lines) if headers(x)["ce_type"].endswith("." + kind))
    stream = headers(first)["ce_streamid"]
    return sorted((x for x in events(lines) if headers(x)["ce_streamid"] == stream),
                  key=lambda x: int(headers(x)["ce_streamversion"]))


def rehash(line: Line, prev: str | None) -> str:
    """What an attacker without the key can do: recompute an event's hash (version 2) after changing it."""
    h = headers(line)
    if prev is not None:
        set_header(line, "ce_prevhash", prev)
        h["ce_prevhash"] = prev
    hashed = {k[3:]: v for k, v in h.items() if k.startswith("ce_") and k != "ce_hash"} | {"data": json.loads(value(line))}
    digest = hashlib.sha256(jcs(hashed).encode()).hexdigest()
    set_header(line, "ce_hash", digest)
    return digest


def flip(raw: bytes, at: int) -> bytes:
    return raw[:at] + bytes([raw[at] ^ 0x01]) + raw[at + 1:]


# Each tampering changes the lines and returns the (kind, position) the verifiers must report first.
def flipped_value(lines: list[Line]) -> tuple[str, str]:
    decided = stream_of(lines, "BudgetDecided")
    line = next(x for x in decided if headers(x)["ce_type"].endswith("BudgetDecided"))
    raw = value(line)
    set_value(line, flip(raw, raw.index(b"60000")))  # 60000 -> 61000
    return "altered", where(line)


def flipped_header(lines: list[Line]) -> tuple[str, str]:
    line = stream_of(lines, "BudgetDecided")[1]
    set_header(line, "ce_actorid", headers(line)["ce_actorid"][:-1] + "x")
    return "altered", where(line)


def flipped_ciphertext(lines: list[Line]) -> tuple[str, str]:
    line = stream_of(lines, "ClientRegistered")[0]
    data = json.loads(value(line))
    sealed = next(v for v in data.values() if isinstance(v, dict) and "ct" in v)
    sealed["ct"] = ("B" if sealed["ct"][0] != "B" else "C") + sealed["ct"][1:]
    set_value(line, jcs(data).encode())
    return "altered", where(line)


def broken_middle(lines: list[Line]) -> tuple[str, str]:
    line = stream_of(lines, "BudgetDecided")[1]
    set_value(line, value(line)[:-1])
    return "malformed", where(line)


def broken_last(lines: list[Line]) -> tuple[str, str]:
    line = stream_of(lines, "BudgetDecided")[-1]
    set_value(line, value(line)[:-1])
    return "malformed", where(line)


def deleted_middle(lines: list[Line]) -> tuple[str, str]:
    stream = stream_of(lines, "BudgetDecided")
    lines.remove(stream[1])
    return "gap", where(stream[2])


def deleted_last(lines: list[Line]) -> tuple[str, str]:
    last = stream_of(lines, "BudgetDecided")[-1]
    lines.remove(last)
    stated = [x for x in lines if x["topic"].endswith(".checkpoints.v1") and headers(last)["ce_hash"].encode()
              in value(x)]
    return "missing_tail", where(stated[0])


def swapped(lines: list[Line]) -> tuple[str, str]:
    stream = stream_of(lines, "BudgetDecided")
    i, j = lines.index(stream[1]), lines.index(stream[2])
    lines[i], lines[j] = lines[j], lines[i]
    return "gap", where(stream[2])


def amount_rewritten_and_rehashed(lines: list[Line]) -> tuple[str, str]:
    stream = stream_of(lines, "BudgetDecided")
    start = next(i for i, x in enumerate(stream) if headers(x)["ce_type"].endswith("BudgetDecided"))
    data = json.loads(value(stream[start]))
    data["amount_cents"] = 4_000_000
    set_value(stream[start], jcs(data).encode())
    prev = headers(stream[start]).get("ce_prevhash")
    for line in stream[start:]:
        prev = rehash(line, prev)
    # The chain holds; the first event whose version a checkpoint stated no longer has the stated hash.
    stated = {json.dumps(s) for x in lines if x["topic"].endswith(".checkpoints.v1")
              for s in json.loads(value(x))["statement"]["streams"]}
    first = next(x for x in stream[start:] if any(f'"stream_version": {headers(x)["ce_streamversion"]}' in s
                                                  and headers(stream[0])["ce_streamid"] in s for s in stated))
    return "checkpoint_mismatch", where(first)


def _checkpoints(lines: list[Line]) -> list[Line]:
    by_service: dict[str, list[Line]] = {}
    for x in lines:
        if x["topic"].endswith(".checkpoints.v1"):
            by_service.setdefault(x["topic"], []).append(x)
    return max(by_service.values(), key=len)


def checkpoint_removed(lines: list[Line]) -> tuple[str, str]:
    chain = _checkpoints(lines)
    assert len(chain) >= 3, "the service made too few checkpoints for this test"
    lines.remove(chain[1])
    return "checkpoint_missing", where(chain[2])


def checkpoint_forged(lines: list[Line]) -> tuple[str, str]:
    line = _checkpoints(lines)[0]
    record = json.loads(value(line))
    # The statement as it was (key_id included), signed by someone else's key.
    forger = Ed25519Signer.development("an-attacker")
    record["signature"] = base64.b64encode(forger.sign(jcs(record["statement"]).encode())).decode()
    set_value(line, jcs(record).encode())
    return "bad_signature", where(line)


TAMPERINGS: dict[str, Callable[[list[Line]], tuple[str, str]]] = {
    "a flipped byte in a value": flipped_value, "a flipped byte in a header": flipped_header,
    "a flipped byte in a ciphertext": flipped_ciphertext, "broken JSON in a middle event": broken_middle,
    "broken JSON in a last event": broken_last, "a deleted middle event": deleted_middle,
    "a deleted last event": deleted_last, "two events swapped": swapped,
    "an amount rewritten with the stream's hashes recomputed": amount_rewritten_and_rehashed,
    "a checkpoint removed": checkpoint_removed, "a checkpoint forged with another key": checkpoint_forged,
}


async def both(path: Path, settings: ServiceSettings, *extra: str,
               in_process: bool = True) -> tuple[tuple[int, list[Any]], tuple[int, list[Any]]]:
    """The Python replay's and the Node verifier's exit status and findings (kind, position, stream). The replay
    runs in this process (its CLI's main) unless ``in_process`` is false; the Node verifier always in its own."""
    results = []
    for command in ([sys.executable, "-m", "services.history.replay", "--from-log", str(path), "--quiet"],
                    ["node", str(ROOT / "tools" / "verifier" / "verify.mjs"), "--keys", str(KEYS), str(path)]):
        report = path.with_suffix(f".{command[0].rsplit('/', 1)[-1]}.json")
        if in_process and command[0] == sys.executable:
            with contextlib.redirect_stdout(io.StringIO()) as out:
                code = await replay.main([*command[3:], "--report", str(report), *extra])
            output = out.getvalue()
        else:
            code, output = await run(*command, "--report", str(report), *extra, settings=settings)
        assert code in (0, 1), output
        findings = json.loads(report.read_text())["findings"]
        results.append((code, [(f["kind"], f["position"], f["stream"]) for f in findings]))
    return results[0], results[1]


async def test_the_clean_log_verifies_in_both_and_every_tampering_is_found_by_both(exported, tmp_path: Path) -> None:
    settings, path = exported
    python, node = await both(path, settings, in_process=False)  # the command line, as an auditor runs it
    assert python == node == (0, []), (python, node)
    header, clean = read(path)
    for name, tamper in TAMPERINGS.items():
        lines = copy.deepcopy(clean)
        kind, at = tamper(lines)
        copy_path = tmp_path / f"{name.replace(' ', '-')}.jsonl"
        write(copy_path, header, lines)
        python, node = await both(copy_path, settings)
        assert python[0] == 1 and node[0] == 1, (name, python, node)
        assert python[1] == node[1], f"{name}: the two verifiers disagree:\n{python[1]}\n{node[1]}"
        assert (kind, at) in [(k, p) for k, p, _ in python[1]], f"{name}: expected {kind} at {at}, found {python[1]}"


async def test_a_removed_last_checkpoint_is_found_through_the_witness_copy(exported, tmp_path: Path) -> None:
    settings, path = exported
    header, lines = read(path)
    chain = _checkpoints(lines)
    service = json.loads(value(chain[-1]))["statement"]["service"]
    witness = tmp_path / f"{service}.jsonl"  # what the witness holds: every checkpoint, as posted
    witness.write_bytes(b"".join(value(x) + b"\n" for x in chain))
    lines.remove(chain[-1])
    write(path, header, lines)
    python, node = await both(path, settings, "--witness", str(witness))
    sequence = json.loads(value(chain[-1]))["statement"]["sequence"]
    assert python == node and python[0] == 1, (python, node)
    assert ("witness_missing", f"witness:{service}#{sequence}", None) in python[1]


async def test_a_broken_export_line_and_an_unreadable_source_have_their_own_answers(exported, tmp_path: Path) -> None:
    settings, path = exported
    header, lines = read(path)
    write(path, header, [*lines[:3], "{not a record", *lines[3:]])
    python, node = await both(path, settings)
    assert python == node and python[0] == 1 and python[1][0][:2] == ("malformed", "line:5")
    code, out = await run(sys.executable, "-m", "services.history.replay", "--from-log", str(tmp_path / "none.jsonl"),
                          settings=settings)
    assert code == 2 and "CANNOT READ" in out
    code, out = await run("node", str(ROOT / "tools" / "verifier" / "verify.mjs"), "--keys", str(KEYS),
                          str(tmp_path / "none.jsonl"), settings=settings)
    assert code == 2 and "CANNOT READ" in out
