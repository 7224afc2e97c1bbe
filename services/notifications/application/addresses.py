"""Where a person's e-mail goes: a provider's business address and a staff member's work address (the staff
directory's, while they are active) from the directory's copy; a client's from their sealed contact details, opened
with their key only to send, and only after the opening is in the access log (no log, no address). Nothing here is
kept or logged: the address lives for one message."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from uuid import UUID

from services.notifications.application.directory import Directory
from shared.infra.crypto import ERASED, Keyring

# (whose data, the e-mail's item) → recorded in the access log before the data is opened.
LogAccess = Callable[[UUID, UUID], Awaitable[None]]


class AddressBook:
    def __init__(self, directory: Directory, keyring: Keyring, log_access: LogAccess) -> None:
        self._directory = directory
        self._keyring = keyring
        self._log_access = log_access

    async def address_of(self, person_id: str, audience: str, item_id: UUID) -> str | None:
        if audience == "client":
            return await self._client_address(UUID(person_id), item_id)
        if audience == "provider":
            return await self._directory.provider_email(person_id)
        if audience in ("worker", "manager"):
            return await self._directory.staff_email(person_id)  # a work address: work data, not logged as a read
        return None  # representatives: with their own contact data (issue 17)

    async def _client_address(self, client_id: UUID, item_id: UUID) -> str | None:
        sealed = await self._directory.contact(client_id)
        if sealed is None:
            return None
        await self._log_access(client_id, item_id)
        [opened] = await self._keyring.open(sealed.kid, sealed)
        if opened is None or opened == ERASED:
            return None
        try:
            email = json.loads(opened).get("email")
        except (ValueError, AttributeError):
            return None
        return email if isinstance(email, str) and "@" in email else None
