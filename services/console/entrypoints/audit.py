"""The auditor's pages: every read states its purpose first; a client's case as it stood at an instant beside now
with the hash chains' verdict; the access log by client and by user; the log's integrity (signed checkpoints, the
latest audit replay, dead letters with the operator's re-drive command). Nothing here writes: no form on these
pages changes anything, and a forged post would be refused by the services (auditors are read-only there).

The purpose travels in the address (a code, never free text), so every link and every reload says why."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from services.console.adapters.services import Refusal, Services
from services.console.audit import (
    PURPOSES,
    access_rows,
    audit_timeline,
    chain_verdict,
    instant_of,
    local_input,
    state_rows,
    stated_purpose,
)
from services.console.web import Page, page_of

router = APIRouter(prefix="/audit")
READERS = ("auditor", "manager")
SERVICES = ("intake", "budgeting", "marketplace", "followup", "history")
PAGE_SIZE = 50
# The integrity reads go to Kafka (the end of each checkpoint topic, each dead-letter topic): an auditor's
# occasional page may wait for them longer than a worker's page waits for a database.
SLOW = 30.0
Purpose = Annotated[str | None, Query(max_length=30)]
Cursor = Annotated[str | None, Query(max_length=200)]


def _services(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]


def _ask_purpose(page: Page, action: str, keep: dict[str, str], chosen: str | None) -> Response:
    """The question before any read: why are you reading this? (422 when a purpose that is no purpose came.)"""
    return page.render("audit_purpose.html", status=422 if chosen else 200, action=action, keep=keep,
                       purposes=PURPOSES, error=bool(chosen))


def _ask_recorded_purpose(page: Page, action: str, keep: dict[str, str], recorded: object) -> Response:
    """A restricted case (GDPR art. 18) opens only for the purpose recorded with the restriction: the question
    again, offering that purpose alone when an auditor may state it, and otherwise saying why it stays closed."""
    offered = (recorded,) if isinstance(recorded, str) and recorded in PURPOSES else ()
    return page.render("audit_purpose.html", status=403, action=action, keep=keep, purposes=offered, error=False,
                       restricted=recorded if isinstance(recorded, str) else None)


@router.get("", response_class=HTMLResponse)
async def start(request: Request, purpose: Purpose = None) -> Response:
    """The auditor's start: the purpose, then where to look (a client, a user's reads, the log's integrity)."""
    page = page_of(request)
    page.require_staff(*READERS)
    chosen = stated_purpose(purpose)
    if chosen is None:
        return _ask_purpose(page, "/audit", {}, purpose)
    return page.render("audit_start.html", purpose=chosen)


@router.get("/find", response_class=HTMLResponse)
async def find(request: Request, purpose: Purpose = None, name: Annotated[str, Query(max_length=100)] = "",
               cursor: Cursor = None) -> Response:
    """A client by name (intake's blind index), read with the stated purpose; each found opens the auditor's
    view of the case."""
    page = page_of(request)
    session = page.require_staff(*READERS)
    chosen = stated_purpose(purpose)
    if chosen is None:
        return _ask_purpose(page, "/audit/find", {"name": name} if name else {}, purpose)
    if len(name.strip()) < 2:
        return page.render("audit_find.html", status=422, purpose=chosen, name=name, result=None, next_url=None)
    result = await _services(request).get("intake", "/clients/search", session.token, purpose=chosen,
                                          params={"name": name, "limit": PAGE_SIZE, **({"cursor": cursor} if cursor else {})})
    next_url = (f"/audit/find?{urlencode({'purpose': chosen, 'name': name, 'cursor': result['next_cursor']})}"
                if result.get("next_cursor") else None)
    return page.render("audit_find.html", purpose=chosen, name=name, result=result, next_url=next_url)


@router.get("/clients/{client_id}", response_class=HTMLResponse)
async def case(request: Request, client_id: UUID, purpose: Purpose = None,
               as_of: Annotated[str | None, Query(max_length=40)] = None) -> Response:
    """The case as it stood at a chosen instant beside the case now, the timeline in words (what came after the
    instant marked), and whether the hash chains hold. Each read is logged by the services with its purpose."""
    page = page_of(request)
    session = page.require_staff(*READERS)
    chosen = stated_purpose(purpose)
    if chosen is None:
        return _ask_purpose(page, f"/audit/clients/{client_id}", {"as_of": as_of} if as_of else {}, purpose)
    instant = instant_of(as_of)
    services, cid = _services(request), str(client_id)
    try:  # the case first: a restricted one (GDPR art. 18) is read for nothing but its recorded purpose, not even a name
        now = await services.get("history", f"/history/clients/{cid}", session.token, purpose=chosen)
    except Refusal as refusal:
        if refusal.code != "processing-restricted":
            raise
        return _ask_recorded_purpose(page, f"/audit/clients/{client_id}", {"as_of": as_of} if as_of else {},
                                     refusal.params.get("purpose"))
    names, then = await asyncio.gather(
        names_of(services, session.token, [cid], chosen),
        services.get("history", f"/history/clients/{cid}", session.token, purpose=chosen,
                     params={"as_of": instant.isoformat()}) if instant else _none())
    return page.render("audit_case.html", client_id=cid, name=names.get(cid) or page.t("case.erased"),
                       purpose=chosen, instant=instant, instant_input=local_input(instant),
                       bad_instant=bool(as_of) and instant is None,
                       rows=state_rows(then["state"] if then else None, now["state"], page.t),
                       timeline=audit_timeline(now, instant, page.t), chain=chain_verdict(now),
                       then_count=len(then["timeline"]) if then else None, now_count=len(now["timeline"]))


@router.get("/access", response_class=HTMLResponse)
async def access(request: Request, purpose: Purpose = None, client_id: UUID | None = None,
                 user_id: Annotated[str | None, Query(max_length=200)] = None, cursor: Cursor = None) -> Response:
    """Who read whose data, when, why and with what result: by client or by user, newest first. Reading who
    read a client's data is a read of it too: the history service logs it (the auditor's own reads show up)."""
    page = page_of(request)
    session = page.require_staff(*READERS)
    chosen = stated_purpose(purpose)
    keep = {k: str(v) for k, v in (("client_id", client_id), ("user_id", user_id)) if v}
    if chosen is None:
        return _ask_purpose(page, "/audit/access", keep, purpose)
    user_id = (user_id or "").strip() or None
    if client_id is None and user_id is None:
        return page.render("audit_access.html", purpose=chosen, rows=None, total=0, next_url=None, user_id="",
                           client_id=None, name=None)
    services = _services(request)
    params: dict[str, Any] = {"limit": PAGE_SIZE, **keep, **({"cursor": cursor} if cursor else {})}
    if user_id:
        params["user_id"] = user_id
    listed = await services.page("history", "/history/access", session.token, params=params, purpose=chosen)
    ids = [e["client_id"] for e in listed.rows] + ([str(client_id)] if client_id else [])
    names = await names_of(services, session.token, ids, chosen)
    next_url = (f"/audit/access?{urlencode({'purpose': chosen, **keep, 'cursor': listed.next_cursor})}"
                if listed.next_cursor else None)
    return page.render("audit_access.html", purpose=chosen, rows=access_rows(listed.rows, names, page.t),
                       total=listed.total, next_url=next_url, user_id=user_id or "",
                       client_id=str(client_id) if client_id else None,
                       name=names.get(str(client_id)) if client_id else None)


@router.get("/integrity", response_class=HTMLResponse)
async def integrity(request: Request, purpose: Purpose = None) -> Response:
    """The log's integrity: each service's latest signed checkpoint (verified by the history service against the
    published keys), the latest recorded audit replay, and how many dead letters each service holds."""
    page = page_of(request)
    session = page.require_staff(*READERS)
    chosen = stated_purpose(purpose)
    if chosen is None:
        return _ask_purpose(page, "/audit/integrity", {}, purpose)
    services = _services(request)
    checkpoints, replay, *letters = await asyncio.gather(
        services.get("history", "/history/checkpoints", session.token, purpose=chosen, timeout=SLOW),
        services.get("history", "/history/replays/latest", session.token, purpose=chosen),
        *(services.page("history", f"/history/dead-letters/{s}", session.token, params={"limit": 1}, purpose=chosen,
                        timeout=SLOW) for s in SERVICES))
    return page.render("audit_integrity.html", purpose=chosen, checkpoints=checkpoints, replay=replay["run"],
                       letters=[{"service": s, "total": listed.total} for s, listed in zip(SERVICES, letters,
                                                                                             strict=True)])


@router.get("/dead-letters/{service}", response_class=HTMLResponse)
async def dead_letters(request: Request, service: Annotated[str, Path(pattern=r"^[a-z]{1,32}$")],
                       purpose: Purpose = None, cursor: Cursor = None) -> Response:
    """A service's dead letters: where each came from, why it was refused, whether it was re-driven, and the
    operator's exact command to re-drive it (shown, never run from here)."""
    page = page_of(request)
    session = page.require_staff(*READERS)
    chosen = stated_purpose(purpose)
    if chosen is None:
        return _ask_purpose(page, f"/audit/dead-letters/{service}", {}, purpose)
    listed = await _services(request).page("history", f"/history/dead-letters/{service}", session.token,
                                           params={"limit": PAGE_SIZE, **({"cursor": cursor} if cursor else {})},
                                           purpose=chosen, timeout=SLOW)
    next_url = (f"/audit/dead-letters/{service}?{urlencode({'purpose': chosen, 'cursor': listed.next_cursor})}"
                if listed.next_cursor else None)
    return page.render("audit_dead_letters.html", purpose=chosen, service=service, letters=listed.rows,
                       total=listed.total, next_url=next_url)


async def names_of(services: Services, token: str, client_ids: list[str], purpose: str) -> dict[str, str]:
    """The names of the clients a page shows, read with the page's purpose (intake logs each one)."""
    unique, names = list(dict.fromkeys(client_ids)), {}
    for start in range(0, len(unique), 100):
        answer = await services.get("intake", "/clients/names", token, purpose=purpose,
                                    params=[("id", c) for c in unique[start:start + 100]])
        names.update({i["client_id"]: i["name"] or "" for i in answer["items"]})
    return names


async def _none() -> None:
    return None
