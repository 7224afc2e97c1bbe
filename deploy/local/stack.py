"""Processes the console needs, started by the project's own code for the browser tests and the benchmark:
the local OpenID Connect provider (node, deploy/local/oidc), a local SMTP server (deploy/local/mail.py), the
services and the console, each on a free loopback port, with one topic prefix and one database prefix of their own
on a given broker and database.

    stack = LocalStack(kafka="127.0.0.1:9092", pg_dsn=..., run="abc", log_dir=Path(...))
    await stack.start()        # OIDC provider, mail, intake, ..., history, notifications, console
    stack.mail.messages()      # the e-mails the notifications service sent
    stack.console_url          # http://127.0.0.1:<port>
    await stack.stop()
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from deploy.local.infra import free_port
from deploy.local.mail import MailSink

ROOT = Path(__file__).resolve().parents[2]
OIDC_DIR = ROOT / "deploy" / "local" / "oidc"
SERVICES = ("intake", "budgeting", "marketplace", "followup", "history", "notifications", "decisions")


def ensure_oidc_installed() -> None:
    """npm ci once (or again when the lock file changed): the provider's packages are not committed."""
    stamp = OIDC_DIR / "node_modules" / ".avain-lock"
    lock = (OIDC_DIR / "package-lock.json").read_text()
    if stamp.exists() and stamp.read_text() == lock:
        return
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("Node.js 20+ and npm are needed for the local identity provider")
    subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--silent"], cwd=OIDC_DIR, check=True)
    stamp.write_text(lock)


@dataclass
class Process:
    name: str
    argv: list[str]
    env: dict[str, str]
    log_path: Path
    ready_url: str
    proc: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        with self.log_path.open("ab") as log:
            self.proc = await asyncio.create_subprocess_exec(*self.argv, env=self.env, cwd=ROOT, stdout=log,
                                                             stderr=asyncio.subprocess.STDOUT)

    async def wait_ready(self, timeout: float = 300) -> None:  # it polls: generous, for a loaded machine
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        async with httpx.AsyncClient(timeout=3) as http:
            while loop.time() < deadline:
                if self.proc is not None and self.proc.returncode is not None:
                    raise RuntimeError(f"{self.name} exited:\n{self.tail()}")
                with contextlib.suppress(httpx.HTTPError):
                    if (await http.get(self.ready_url)).status_code == 200:
                        return
                await asyncio.sleep(0.25)
        raise RuntimeError(f"{self.name} was not ready in {timeout} s:\n{self.tail()}")

    def tail(self, n: int = 30) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])

    async def stop(self) -> None:
        if self.proc is None or self.proc.returncode is not None:
            return
        self.proc.terminate()
        try:
            await asyncio.wait_for(self.proc.wait(), timeout=15)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()


@dataclass
class LocalStack:
    kafka: str
    pg_dsn: str
    run: str
    log_dir: Path
    env_name: str = "test"
    database_prefix: str = ""
    topic_prefix: str = ""
    ports: dict[str, int] = field(default_factory=dict)
    processes: dict[str, Process] = field(default_factory=dict)
    mail: MailSink | None = None

    def __post_init__(self) -> None:
        self.database_prefix = self.database_prefix or f"avaintest_{self.run}_"
        self.topic_prefix = self.topic_prefix or f"t{self.run}."
        for name in ("staff_idp", "citizen_idp", "mail", "console", *SERVICES):
            self.ports[name] = free_port()
        self.log_dir.mkdir(parents=True, exist_ok=True)

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    @property
    def console_url(self) -> str:
        return self.url("console")

    @property
    def databases(self) -> list[str]:
        return [f"{self.database_prefix}{s}" for s in SERVICES] + [f"{self.database_prefix}keys"]

    def environment(self) -> dict[str, str]:
        """What every process of the stack is told: where things are and whom to trust."""
        staff, citizen = self.url("staff_idp"), self.url("citizen_idp")
        return {k: v for k, v in os.environ.items() if not k.startswith("AVAIN_")} | {
            "PYTHONPATH": str(ROOT), "AVAIN_ENV": self.env_name, "AVAIN_LOG_LEVEL": "INFO",
            "AVAIN_KAFKA_BOOTSTRAP": self.kafka, "AVAIN_PG_DSN": self.pg_dsn,
            "AVAIN_TOPIC_PREFIX": self.topic_prefix, "AVAIN_DATABASE_PREFIX": self.database_prefix,
            "AVAIN_KEYS_DATABASE": f"{self.database_prefix}keys",
            "AVAIN_ISSUERS": json.dumps([{"issuer": staff, "jwks_uri": f"{staff}/jwks"}]),
            "AVAIN_EXCHANGE_ISSUERS": json.dumps([{"issuer": citizen, "jwks_uri": f"{citizen}/jwks",
                                                   "audience": "urn:avain:token-exchange"}]),
            "AVAIN_TOKEN_SERVICE_JWKS_URI": f"{self.url('intake')}/.well-known/jwks.json",
            "AVAIN_STAFF_ISSUER": json.dumps({"issuer": staff}),
            "AVAIN_CITIZEN_ISSUER": json.dumps({"issuer": citizen, "resource": "urn:avain:token-exchange"}),
            **{f"AVAIN_{s.upper()}_URL": self.url(s) for s in SERVICES},
            "AVAIN_SMTP_HOST": "127.0.0.1", "AVAIN_SMTP_PORT": str(self.ports["mail"]), "AVAIN_SMTP_SECURITY": "none",
            "AVAIN_INBOX_URL": f"{self.console_url}/inbox",
        }

    async def start(self, services: tuple[str, ...] = SERVICES, console: bool = True) -> None:
        ensure_oidc_installed()
        env = self.environment()
        if "notifications" in services:
            self.mail = MailSink(self.ports["mail"], self.log_dir / "mail", self.log_dir / "mail.log")
            await self.mail.start()
        node = shutil.which("node") or "node"
        self.processes["oidc"] = Process(
            "oidc", [node, str(OIDC_DIR / "server.mjs"), "--staff-port", str(self.ports["staff_idp"]),
                     "--citizen-port", str(self.ports["citizen_idp"]), "--console", self.console_url],
            env, self.log_dir / "oidc.log", f"{self.url('citizen_idp')}/.well-known/openid-configuration")
        for s in services:
            self.processes[s] = Process(s, [sys.executable, "-m", f"services.{s}"],
                                        env | {"AVAIN_HTTP_PORT": str(self.ports[s])},
                                        self.log_dir / f"{s}.log", f"{self.url(s)}/ready")
        if console:
            self.processes["console"] = Process("console", [sys.executable, "-m", "services.console"],
                                                env | {"AVAIN_HTTP_PORT": str(self.ports["console"])},
                                                self.log_dir / "console.log", f"{self.console_url}/health")
        # One at a time: two cores, and each service creates its databases and topics as it starts.
        for process in self.processes.values():
            await process.start()
            await process.wait_ready()

    async def stop(self) -> None:
        for process in reversed(list(self.processes.values())):
            await process.stop()
        if self.mail is not None:
            await self.mail.stop()


async def sign_in_without_a_browser(issuer: str, person: str, redirect_uri: str, *,
                                    resource: str = "urn:avain:services") -> dict[str, str]:
    """The authorization code flow with PKCE against the local provider, following its redirects the way a
    browser would (login_hint picks the demo person): the tokens the console would get."""
    from urllib.parse import parse_qs, urlparse

    from services.console.adapters.oidc import Attempt, OidcClient
    from services.console.settings import SignInIssuer

    async with httpx.AsyncClient(timeout=10) as http, httpx.AsyncClient(timeout=10) as browser:
        client = OidcClient(SignInIssuer(issuer=issuer, resource=resource), http)
        attempt = Attempt.new()
        url = await client.authorization_url(attempt, redirect_uri, login_hint=person)
        for _ in range(10):
            r = await browser.get(url)
            if r.status_code not in (302, 303):
                raise RuntimeError(f"the provider answered {r.status_code}")
            url = str(r.url.join(r.headers["location"]))
            if url.startswith(redirect_uri):
                break
        query = parse_qs(urlparse(url).query)
        if "code" not in query:
            raise RuntimeError(f"no code: {query.get('error')}")
        signed = await client.finish(attempt, query["code"][0], redirect_uri)
        return {"access_token": signed.access_token, "id_token": signed.id_token}
