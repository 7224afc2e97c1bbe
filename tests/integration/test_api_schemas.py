"""schemathesis against every service's OpenAPI document, once per role: no 5xx, no answer the document does not
describe (status, content type, headers, body schema), for generated valid and invalid requests alike.

Each service runs in this process on a free local port (its real lifespan: database, key vault, broker), and the
schemathesis command line tests it from outside, as a client would, with a bounded number of examples per
operation, a fixed seed (a failure reproduces) and one worker (the suite shares two cores)."""

from __future__ import annotations

import asyncio
import importlib
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
import uvicorn

from deploy.local.infra import free_port
from shared.infra.settings import ServiceSettings

pytestmark = pytest.mark.integration
SCHEMATHESIS = str(Path(sys.executable).with_name("schemathesis"))
CHECKS = ("not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,"
          "response_schema_conformance")
EXAMPLES = 4  # per operation and generation mode (valid / invalid): enough to reach every 4xx, cheap on 2 cores
ROLES: dict[str, tuple[str, dict[str, Any], dict[str, str]]] = {
    "worker": ("worker-aino", {}, {}),
    "manager": ("manager-helmi", {}, {}),
    "client": (str(uuid4()), {}, {}),
    "provider": ("provider-user-1", {"provider_id": str(uuid4())}, {}),
    "auditor": ("auditor-otso", {}, {"X-Access-Purpose": "audit"}),
}


@asynccontextmanager
async def serving(create_app: Callable[[ServiceSettings], Any], settings: ServiceSettings) -> AsyncIterator[str]:
    """The service on HTTP at 127.0.0.1:<free port>, in this event loop; its URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_config=None,
                                           access_log=False, lifespan="on"))
    task = asyncio.create_task(server.serve())
    try:
        for _ in range(600):
            if server.started or task.done():
                break
            await asyncio.sleep(0.05)
        assert server.started, "the service did not start"
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=30)


async def schemathesis(url: str, headers: dict[str, str], phases: str, workdir: Path) -> tuple[int, str]:
    args = [SCHEMATHESIS, "run", f"{url}/openapi.json", "--checks", CHECKS, "--max-examples", str(EXAMPLES),
            "--phases", phases, "--seed", "13", "--workers", "1", "--generation-database", "none",
            "--request-timeout", "60",
            # The probes answer the state of the database, key vault and broker, not the request: a 503 from
            # /ready on this loaded machine is the probe working (its problem body is checked elsewhere).
            "--exclude-path", "/ready", "--no-color", "--suppress-health-check", "all", "--warnings", "off"]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    # In a folder of the test's own: schemathesis's caches stay out of the checkout.
    proc = await asyncio.create_subprocess_exec(*args, cwd=workdir, stdout=asyncio.subprocess.PIPE,
                                                stderr=asyncio.subprocess.STDOUT)
    out = (await asyncio.wait_for(proc.communicate(), timeout=600))[0].decode(errors="replace")
    return proc.returncode or 0, out


@pytest.mark.parametrize("service", ["intake", "budgeting", "marketplace", "followup", "history"])
async def test_schemathesis_finds_no_5xx_and_no_answer_outside_the_document_for_any_role(
        service: str, settings: ServiceSettings, tokens: Any, tmp_path: Path):
    bootstrap = importlib.import_module(f"services.{service}.bootstrap")
    failures = []
    async with serving(bootstrap.create_app, settings) as url:
        for role, (user, claims, extra) in ROLES.items():
            # The boundary values of every parameter (coverage) once; the roles differ in who may do what, which
            # generated requests (fuzzing) reach as well.
            phases = "coverage,fuzzing" if role == "worker" else "fuzzing"
            code, out = await schemathesis(url, tokens(user, role, **claims) | extra, phases, tmp_path)
            if code != 0:
                failures.append(f"--- {service} as {role} (exit {code}) ---\n{out[-5000:]}")
    assert not failures, "\n".join(failures)
