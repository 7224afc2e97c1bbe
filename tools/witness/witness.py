"""A checkpoint witness: keeps an append-only copy of every service's signed checkpoints, outside the operator's
control, so a checkpoint removed from (or rewritten on) Kafka is still known. The interface is documented in
docs/contracts/verification.md ("The witness"); this is a minimal implementation of it, standard library and
``cryptography`` only, sharing no code with Avain.

    python tools/witness/witness.py --keys contracts/keys/checkpoint-keys.json --dir /var/lib/witness --port 8470

    POST /v1/checkpoints          body: a checkpoint record value ({"signature", "statement"})
        201 kept; 200 already held (the same bytes); 400 not a checkpoint; 403 unknown key or bad signature;
        409 not the successor of the last one held for that service (a gap or a fork): nothing is kept
    GET  /v1/checkpoints/<service> every checkpoint held for that service, one JSON line each, in order

Each service's checkpoints are appended to <dir>/<service>.jsonl and fsynced before the answer.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import re
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

SERVICE = re.compile(r"^[a-z]{1,40}$")


def canonical(value: Any) -> str:
    """RFC 8785 for the values a checkpoint holds (strings, integers, null, arrays, objects)."""
    if isinstance(value, dict):
        keys = sorted(value, key=lambda k: k.encode("utf-16-be", "surrogatepass"))
        return "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + canonical(value[k]) for k in keys) + "}"
    if isinstance(value, list):
        return "[" + ",".join(canonical(v) for v in value) + "]"
    if isinstance(value, float):
        raise ValueError("a checkpoint holds no fractions")
    return json.dumps(value, ensure_ascii=False)


class Witness:
    def __init__(self, keys: dict[str, tuple[str, Ed25519PublicKey]], directory: Path) -> None:
        self.keys, self.directory, self.lock = keys, directory, threading.Lock()
        directory.mkdir(parents=True, exist_ok=True)

    def held(self, service: str) -> list[bytes]:
        path = self.directory / f"{service}.jsonl"
        return path.read_bytes().splitlines() if path.exists() else []

    def offer(self, body: bytes) -> tuple[int, str]:
        try:
            record = json.loads(body)
            stated, signature = record["statement"], base64.b64decode(record["signature"], validate=True)
            service, sequence, key_id = stated["service"], stated["sequence"], stated["key_id"]
            if set(record) != {"statement", "signature"} or not SERVICE.match(service) or type(sequence) is not int:
                raise ValueError
            signed = canonical(stated).encode()
        except (ValueError, KeyError, TypeError):
            return 400, "not a checkpoint record"
        owner, key = self.keys.get(key_id, (None, None))
        if key is None or owner != service:
            return 403, f"key {key_id} is not a checkpoint key of {service}"
        try:
            key.verify(signature, signed)
        except InvalidSignature:
            return 403, "the signature does not verify"
        line = canonical(record).encode()
        with self.lock:
            held = self.held(service)
            if held:
                last = json.loads(held[-1])["statement"]
                if sequence <= last["sequence"]:
                    same = json.loads(held[sequence - 1]) if sequence <= len(held) else None
                    if same is not None and canonical(same).encode() == line:
                        return 200, "already held"
                    return 409, f"another checkpoint {sequence} of {service} is held (a fork)"
                previous = hashlib.sha256(canonical(last).encode()).hexdigest()
                if sequence != last["sequence"] + 1 or stated["previous"] != previous:
                    return 409, f"checkpoint {sequence} does not follow {last['sequence']} held"
            elif sequence != 1 or stated["previous"] is not None:
                return 409, f"the first checkpoint of {service} held must be 1"
            with (self.directory / f"{service}.jsonl").open("ab") as out:
                out.write(line + b"\n")
                out.flush()
                os.fsync(out.fileno())
        return 201, "kept"


def load_keys(path: Path) -> dict[str, tuple[str, Ed25519PublicKey]]:
    keys = json.loads(path.read_text())["keys"]
    return {k["key_id"]: (k["service"], Ed25519PublicKey.from_public_bytes(base64.b64decode(k["public_key"])))
            for k in keys if k["algorithm"] == "Ed25519"}


def serve(witness: Witness, host: str, port: int) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self, status: int, body: bytes, kind: str = "application/json") -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            if self.path != "/v1/checkpoints":
                self._answer(404, b'{"detail":"not found"}')
                return
            length = int(self.headers.get("Content-Length", "0"))
            if length > 4 * 1024 * 1024:
                self._answer(413, b'{"detail":"too large"}')
                return
            status, detail = witness.offer(self.rfile.read(length))
            self._answer(status, json.dumps({"detail": detail}).encode())

        def do_GET(self) -> None:
            service = self.path.removeprefix("/v1/checkpoints/")
            if not SERVICE.match(service):
                self._answer(404, b'{"detail":"not found"}')
                return
            self._answer(200, b"".join(line + b"\n" for line in witness.held(service)), "application/jsonl")

        def log_message(self, *args: Any) -> None:
            pass

    return ThreadingHTTPServer((host, port), Handler)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--keys", type=Path, required=True, help="the published checkpoint keys (JSON)")
    p.add_argument("--dir", type=Path, required=True, help="where the append-only copies are kept")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0, help="0: any free port (printed on stdout)")
    args = p.parse_args()
    server = serve(Witness(load_keys(args.keys), args.dir), args.host, args.port)
    print(f"witness listening on http://{args.host}:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
