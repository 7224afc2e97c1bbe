"""E-mail over SMTP (aiosmtplib): the channel the mailer hands messages to.

One connection, opened when first needed and opened again after the server dropped it. A reply in the 5xx range
to the recipient or the data is permanent (the address will never take it); everything else (no connection, a
4xx, a timeout, a refused sender or login, which are the configuration's and not the message's) is tried again
later. Failures are told by their SMTP code or exception type, never by address.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr

import aiosmtplib

from services.notifications.application.channels import DeliveryFailed, Message


class SmtpChannel:
    name = "email"

    def __init__(self, *, host: str, port: int, security: str = "starttls", username: str | None = None,
                 password: str | None = None, sender: str, timeout: float = 30.0) -> None:
        self._options = {"hostname": host, "port": port, "timeout": timeout, "use_tls": security == "tls",
                         "start_tls": True if security == "starttls" else False if security == "none" else None,
                         "username": username, "password": password}
        self._sender = sender
        self._client: aiosmtplib.SMTP | None = None

    def _compose(self, message: Message) -> EmailMessage:
        mail = EmailMessage()
        name, address = parseaddr(self._sender)
        mail["From"] = formataddr((name, address))
        mail["To"] = message.to
        mail["Subject"] = message.subject
        mail["Message-ID"] = message.message_id
        mail["Date"] = format_datetime(datetime.now(UTC))
        mail["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to it
        mail.set_content(message.body)
        mail["Content-Language"] = message.language  # after set_content, which drops every Content-* header
        return mail

    async def _connected(self) -> aiosmtplib.SMTP:
        if self._client is None or not self._client.is_connected:
            client = aiosmtplib.SMTP(**self._options)  # type: ignore[arg-type]
            await client.connect()
            self._client = client
        return self._client

    async def send(self, message: Message) -> None:
        try:
            client = await self._connected()
            await client.send_message(self._compose(message))
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = sorted({r.code for r in exc.recipients})
            raise DeliveryFailed(f"recipient refused: {codes}", permanent=all(c >= 500 for c in codes)) from None
        except aiosmtplib.SMTPDataError as exc:  # this message's content refused (a 5xx: it always will be)
            raise DeliveryFailed(f"smtp {exc.code}", permanent=exc.code >= 500) from None
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            await self._drop()
            raise DeliveryFailed(type(exc).__name__, permanent=False) from None

    async def _drop(self) -> None:
        if self._client is not None:
            with contextlib.suppress(Exception):
                self._client.close()
            self._client = None

    async def close(self) -> None:
        if self._client is not None and self._client.is_connected:
            with contextlib.suppress(Exception):
                await self._client.quit()
        self._client = None
