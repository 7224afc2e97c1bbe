"""The mailer: the e-mail outbox handed to a channel, one message at a time, at least once.

Each round takes the oldest due row under a row lock (``FOR UPDATE SKIP LOCKED``: instances share the work, never
a message), finds the address, sends, and marks the row in the same transaction. A crash after the server took the
message and before the commit sends it again after the restart, with the same Message-ID ``<item id@domain>``:
one message at a time means at most one duplicate per crash. A refused address is settled (``refused``), a person
without an address too (``no_address``: the inbox still holds the item); anything else is tried again later.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from uuid import UUID

import asyncpg
import structlog

from services.notifications.adapters import postgres
from services.notifications.application import texts
from services.notifications.application.addresses import AddressBook
from services.notifications.application.channels import Channel, DeliveryFailed, Message
from shared.infra.db import CONNECTION_ERRORS

log = structlog.get_logger(__name__)


def message_id_of(item_id: UUID, domain: str) -> str:
    return f"<{item_id}@{domain}>"


class Mailer:
    def __init__(self, pool: asyncpg.Pool, channel: Channel | None, addresses: AddressBook, *, inbox_url: str,
                 domain: str, retry_seconds: float = 30.0, poll_seconds: float = 0.5,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        """``channel`` None: e-mail is off (no SMTP server configured); rows are settled ``off``."""
        self._pool = pool
        self._channel = channel
        self._addresses = addresses
        self._inbox_url = inbox_url
        self._domain = domain
        self._retry = retry_seconds
        self._poll = poll_seconds
        self._clock = clock
        self._stopped = asyncio.Event()

    def stop(self) -> None:
        self._stopped.set()

    async def run(self) -> None:
        while not self._stopped.is_set():
            try:
                while not self._stopped.is_set() and await self.one():
                    pass
            except CONNECTION_ERRORS as exc:
                log.warning("mailer_retry_transient", error=type(exc).__name__)
            except Exception as exc:  # noqa: BLE001 - the mailer outlives one bad round; the row stays due
                log.error("mailer_round_failed", error=type(exc).__name__)
            try:
                await asyncio.wait_for(self._stopped.wait(), timeout=self._poll)
            except TimeoutError:
                pass
        if self._channel is not None:
            await self._channel.close()

    async def one(self) -> bool:
        """Send (or settle) the oldest due e-mail; False when none is due."""
        now = self._clock()
        async with self._pool.acquire() as conn, conn.transaction():
            row = await postgres.due_mail(conn, now)
            if row is None:
                return False
            item_id: UUID = row["item_id"]
            if self._channel is None:
                await postgres.settle_mail(conn, item_id, "off", now)
                return True
            address = await self._addresses.address_of(row["person_id"], row["audience"], item_id)
            if address is None:
                await postgres.settle_mail(conn, item_id, "no_address", now)
                log.info("email_skipped", item_id=str(item_id), reason="no_address")
                return True
            subject, body = texts.email(row["language"], self._inbox_url)
            message = Message(message_id_of(item_id, self._domain), address, subject, body, row["language"])
            try:
                await self._channel.send(message)
            except DeliveryFailed as failed:
                if failed.permanent:
                    await postgres.settle_mail(conn, item_id, "refused", now, str(failed))
                else:
                    delay = self._retry * min(2 ** row["attempts"], 64)
                    await postgres.postpone_mail(conn, item_id, now + timedelta(seconds=delay), str(failed))
                log.warning("email_not_sent", item_id=str(item_id), reason=str(failed), permanent=failed.permanent)
                return True
            await postgres.settle_mail(conn, item_id, "sent", now)
            log.info("email_sent", item_id=str(item_id), channel=self._channel.name)
            return True
