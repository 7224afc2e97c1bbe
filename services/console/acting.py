"""Whom a representative acts for (issue 15: "a representative chooses whom they act for, and every page says
so"). Pure: what the choices are and which one is made without asking; the pages are entrypoints/acting.py.

A representative signs in with their own identity (ADR 0026): Avain's token names them (role representative,
their person id), and every service checks on every request that a link in force lets them act for the client
whose case they open. The console keeps only which client the person chose, so the client's pages (``/my/...``)
show that client's case; it decides nothing (a choice outside the mandate is refused by the services, in words).
"""

from __future__ import annotations

from typing import Any

SELF = "self"  # the choice "myself" of a person who is a client too


def represented(me: dict[str, Any], names: list[dict[str, Any]]) -> list[dict[str, str | None]]:
    """The clients a representative acts for today (intake's ``/representatives/me``) with the names intake shows
    them (``/clients/names``: none for a client who forbade giving their data to this guardian), by name."""
    shown = {str(n["client_id"]): n.get("name") for n in names}
    rows: list[dict[str, str | None]] = [
        {"client_id": str(m["client_id"]), "name": shown.get(str(m["client_id"])), "kind": str(m["kind"])}
        for m in me.get("represents", [])]
    return sorted(rows, key=lambda r: (r["name"] is None, r["name"] or "", r["client_id"] or ""))


def automatic(represents: list[dict[str, str | None]], also_client: bool) -> str | None:
    """The choice made without asking: the one client of a representative who is not a client themself."""
    if len(represents) == 1 and not also_client:
        return represents[0]["client_id"]
    return None


def chosen(choice: str, represents: list[dict[str, str | None]], also_client: bool) -> dict[str, str | None] | None:
    """What a choice names: one of the represented clients, ``{"client_id": None}`` for "myself" (only for a
    person who is a client too), or None for anything else (a forged or stale form)."""
    if choice == SELF:
        return {"client_id": None, "name": None, "kind": None} if also_client else None
    return next((r for r in represents if r["client_id"] == choice), None)
