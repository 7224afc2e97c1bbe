"""What readers ask of the case history (the policy decides who may, as for commands); answered by views.py."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from shared.kernel.commands import Query


class ReadCase(Query):
    """The case as of ``as_of`` (None: now); ``reveal`` opens the client's own words with their key."""

    client_id: UUID
    as_of: datetime | None = None
    reveal: bool = False
    purpose: str = "audit"  # as stated in X-Access-Purpose: a restricted case is read only for its purpose
    language: str = "fi"  # the reader's: entries in words (a purchase's price) are written in it


class ReadAccessLog(Query):
    """Who read whose data: per client or per user, newest first."""

    client_id: UUID | None = None
    user_id: str | None = None
    limit: int = 1000
    offset: int = 0
    language: str = "fi"  # the words' language: Accept-Language, then the reader's stored one (entrypoints/http.py)


class ListRetentionDue(Query):
    """Closed cases past their retention period, not yet erased."""
