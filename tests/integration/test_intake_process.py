"""The intake service as its own process (python -m services.intake), as ./avain up runs it: it serves
the API, logs JSON lines with a correlation id and no personal data, and shuts down gracefully."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from datetime import date
from pathlib import Path

import httpx
import pytest

from deploy.local.infra import free_port
from shared.infra.settings import ServiceSettings
from shared.kernel.identifiers import make_hetu
from tests.support import deadline, eventually

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


async def test_service_process_serves_logs_safely_and_stops_gracefully(settings: ServiceSettings, tokens, tmp_path):
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "AVAIN_HTTP_PORT": str(port), "AVAIN_ENV": "test",
           "AVAIN_TOPIC_PREFIX": settings.topic_prefix, "AVAIN_DATABASE_PREFIX": settings.database_prefix,
           "AVAIN_KEYS_DATABASE": settings.keys_database, "AVAIN_KAFKA_BOOTSTRAP": settings.kafka_bootstrap,
           "AVAIN_PG_DSN": settings.pg_dsn, "AVAIN_LOG_LEVEL": "DEBUG"}
    log_path = tmp_path / "intake.log"
    with log_path.open("wb") as log:
        proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "services.intake", env=env,
                                                    stdout=log, stderr=asyncio.subprocess.STDOUT, cwd=ROOT)
        try:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=deadline(30)) as http:
                async def ready() -> bool:
                    try:
                        return (await http.get("/ready")).status_code == 200
                    except httpx.TransportError:
                        return False

                await eventually(ready, timeout=30, interval=0.3)
                hetu = make_hetu(date(1977, 12, 24), 321, "X")
                w = tokens("worker-aino", "worker")
                r = await http.post("/clients", headers=w | {"X-Correlation-ID": "corr-e2e-1"}, json={
                    "hetu": hetu, "first_name": "Kalle", "last_name": "Virtanen", "municipality": "Vantaa",
                    "email": "kalle@example.fi"})
                assert r.status_code == 201, r.text
                assert r.headers["X-Correlation-ID"] == "corr-e2e-1"
                cid = r.json()["client_id"]
                assert (await http.get(f"/clients/{cid}", headers=w)).json()["person"]["last_name"] == "Virtanen"
                bad = await http.post("/clients", headers=w, json={"hetu": hetu[:-1] + "0", "first_name": "Kalle",
                                                                   "last_name": "Virtanen", "municipality": "Vantaa"})
                assert bad.status_code == 422
                assert (await http.get("/openapi.json")).json()["info"]["title"] == "Avain intake"
        finally:
            proc.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(proc.wait(), timeout=deadline(20))
    # uvicorn re-raises the signal once it has shut down gracefully
    assert code in (0, -signal.SIGTERM), f"exit code {code}"
    text = log_path.read_text()
    for secret in (hetu, hetu[:6], "Kalle", "Virtanen", "kalle@example.fi"):
        assert secret not in text, "personal data in the service log"
    lines = [json.loads(line) for line in text.splitlines()]  # every line is JSON
    requests = [line for line in lines if line.get("event") == "http_request"]
    assert requests and all(line["service"] == "intake" for line in lines)
    assert any(line.get("correlation_id") == "corr-e2e-1" for line in requests)
    assert any(line.get("event") == "service_stopped" for line in lines)
