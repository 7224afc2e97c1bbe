"""A real SMTP server for development and the tests: aiosmtpd (PyPI, pinned in requirements-dev.txt) run as its own
process, keeping every message it accepts in a Maildir. The notifications service talks to it as to the county's
mail relay (without TLS: it listens on loopback only); tests read what arrived, and ./avain up starts the same
command so a developer sees the e-mails in .data/mail.

    sink = MailSink(port, Path("/tmp/mail"), log_path)
    await sink.start()         # returns once the server greets with 220
    sink.messages()            # every message accepted so far (email.message.Message)
    await sink.stop()

A recipient at ``@refused.invalid`` is refused with 550 (a mailbox that does not exist), as a real relay refuses an
unknown address: the tests see what the service does with a permanent refusal.
"""

from __future__ import annotations

import asyncio
import mailbox
import sys
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import Any

from aiosmtpd.handlers import Mailbox

ROOT = Path(__file__).resolve().parents[2]
REFUSED_DOMAIN = "refused.invalid"


class Maildir(Mailbox):
    """aiosmtpd's Maildir handler, refusing every recipient at REFUSED_DOMAIN."""

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        if address.lower().endswith("@" + REFUSED_DOMAIN):
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def command(port: int, maildir: Path, host: str = "127.0.0.1") -> list[str]:
    """The server's command line: aiosmtpd's own CLI with the Maildir handler below, no setuid (run as the caller).
    Run it from the repository root (or with it on PYTHONPATH), where ``deploy.local.mail`` is found."""
    return [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"{host}:{port}", "-c", "deploy.local.mail.Maildir",
            str(maildir)]


@dataclass
class MailSink:
    port: int
    maildir: Path
    log_path: Path
    host: str = "127.0.0.1"
    proc: asyncio.subprocess.Process | None = None

    async def start(self, timeout: float = 30) -> None:
        self.maildir.parent.mkdir(parents=True, exist_ok=True)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.proc = await asyncio.create_subprocess_exec(*command(self.port, self.maildir, self.host), cwd=ROOT,
                                                             stdout=log, stderr=asyncio.subprocess.STDOUT)
        await self.wait_ready(timeout)

    async def wait_ready(self, timeout: float = 30) -> None:
        """Until the server greets (220) on its port; fails at once when the process has exited."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            if self.proc is not None and self.proc.returncode is not None:
                raise RuntimeError(f"the SMTP server exited: {self.log_path.read_text(errors='replace')[-2000:]}")
            try:
                reader, writer = await asyncio.open_connection(self.host, self.port)
            except OSError:
                await asyncio.sleep(0.1)
                continue
            try:
                greeting = await asyncio.wait_for(reader.readline(), timeout=5)
            finally:
                writer.close()
            if greeting.startswith(b"220"):
                return
        raise RuntimeError(f"the SMTP server did not greet on {self.host}:{self.port} in {timeout} s")

    def messages(self) -> list[Message]:
        """Every message the server has accepted, in no particular order."""
        if not (self.maildir / "new").exists():
            return []
        return [mailbox.MaildirMessage(m) for m in mailbox.Maildir(self.maildir, create=False)]

    def clear(self) -> None:
        if (self.maildir / "new").exists():
            mailbox.Maildir(self.maildir, create=False).clear()

    def kill(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()

    async def stop(self) -> None:
        if self.proc is None or self.proc.returncode is not None:
            return
        self.proc.terminate()
        try:
            await asyncio.wait_for(self.proc.wait(), timeout=10)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()
