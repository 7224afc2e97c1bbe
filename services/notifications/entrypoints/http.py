"""The inbox over HTTP, for the console and anyone signed in: every person reads their own inbox only.

    GET  /inbox?unread=&cursor=&limit=&lang=   {items, total, unread, next_cursor}, newest first
    POST /inbox/{item_id}/read                 marks one item read (again: no change)
    POST /inbox/read                           marks every unread item read

Texts are in the reader's language: ``lang``, then Accept-Language, then the language the person was told in.
Items name clients by id only; the clients a page shows are access-logged as reads of their data.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Header, Query, Request
from pydantic import BaseModel, Field

from services.notifications.application import commands as c
from services.notifications.application.handlers import Ports
from services.notifications.application.policy import inbox_of, readable
from services.notifications.application.texts import render
from shared.i18n import catalogue
from shared.infra.auth import CurrentPrincipal
from shared.infra.http import command_context, next_cursor, offset_of
from shared.infra.pipeline import Application
from shared.kernel.errors import NotFound

router = APIRouter(prefix="/inbox", tags=["inbox"])
MARK_ALL_AT_MOST = 500


class InboxItem(BaseModel):
    id: UUID
    notice_id: UUID = Field(description="The event the item is about")
    kind: str = Field(description="What happened, e.g. order_rejected, budget_decided, provider_suspended")
    audience: str = Field(description="As whom the person was told: client, representative, worker, manager, provider")
    client_id: UUID | None = Field(description="The client the matter concerns, if one")
    title: str
    body: str
    params: dict[str, Any] = Field(description="The facts the texts were made of: codes, ids, cents, dates")
    created_at: datetime
    read: bool
    read_at: datetime | None


class InboxPage(BaseModel):
    items: list[InboxItem]
    total: int = Field(description="Items in all (with unread=true: unread items)")
    unread: int
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page; null on the last")
    language: str


class MarkedRead(BaseModel):
    item_id: UUID
    read: bool = True


class MarkedAllRead(BaseModel):
    marked: int


def _app(request: Request) -> Application[Ports]:
    return request.app.state.application  # type: ignore[no-any-return]


@router.get("", response_model=InboxPage)
async def read_inbox(principal: CurrentPrincipal, request: Request,
                     unread: Annotated[bool, Query(description="Only unread items")] = False,
                     cursor: Annotated[str | None, Query(max_length=200)] = None,
                     limit: Annotated[int, Query(ge=1, le=100)] = 25,
                     lang: Annotated[str | None, Query(max_length=8, description="fi, sv, en, ...")] = None,
                     accept_language: Annotated[str | None, Header(max_length=200)] = None) -> InboxPage:
    """The caller's own inbox, newest first, in their language."""
    person = inbox_of(principal)
    offset = offset_of(cursor)
    rows, total, unread_count = await _app(request).deps.inbox.page(person, unread_only=unread, offset=offset,
                                                                    limit=limit, clients=readable(principal))
    request.state.accessed_clients = [r["client_id"] for r in rows if r["client_id"]]
    language = catalogue().negotiate(lang, accept_language, rows[0]["language"] if rows else None)
    items = [InboxItem(id=r["item_id"], notice_id=r["notice_id"], kind=r["kind"], audience=r["audience"],
                       client_id=r["client_id"], params=r["params"], created_at=r["created_at"],
                       read=r["read_at"] is not None, read_at=r["read_at"],
                       **render(r["kind"], r["audience"], r["params"], language)) for r in rows]
    return InboxPage(items=items, total=total, unread=unread_count, language=language,
                     next_cursor=next_cursor(rows, offset=offset, limit=limit, total=total))


@router.post("/{item_id}/read", response_model=MarkedRead)
async def mark_read(item_id: UUID, principal: CurrentPrincipal, request: Request) -> MarkedRead:
    """Mark one of the caller's items read (404: no such item; 403: another person's)."""
    app = _app(request)
    notice_id = await app.deps.inbox.notice_of(item_id)
    if notice_id is None:
        raise NotFound("no such item")
    await app.handle(c.MarkRead(notice_id=notice_id, item_id=item_id), principal,
                     command_context(request, principal))
    return MarkedRead(item_id=item_id)


@router.post("/read", response_model=MarkedAllRead)
async def mark_all_read(principal: CurrentPrincipal, request: Request) -> MarkedAllRead:
    """Mark every unread item of the caller read (at most 500 at a time: call again for more)."""
    app = _app(request)
    unread = (await app.deps.inbox.unread(inbox_of(principal)))[:MARK_ALL_AT_MOST]
    context = command_context(request, principal)
    for notice_id, item_id in unread:
        await app.handle(c.MarkRead(notice_id=notice_id, item_id=item_id), principal, context)
    return MarkedAllRead(marked=len(unread))
