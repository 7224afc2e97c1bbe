"""The auditor's pages in words: a case as it stood at an instant beside now, the hash chains' verdict, the access
log, the log's integrity. Pure functions from the case history's answers to what a page shows; the console decides
nothing and computes no finding of its own (a broken chain, a failed signature: the history service says so)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.console.views import timeline
from shared.i18n import TIME_ZONE, Translator

# The purposes an auditor's read may state (contracts.access.PURPOSES; the service checks them again).
PURPOSES = ("audit", "supervision")


def stated_purpose(value: str | None) -> str | None:
    return value if value in PURPOSES else None


def instant_of(value: str | None) -> datetime | None:
    """The chosen instant: an ISO time with zone (a link from the timeline), or the county's clock time that a
    datetime-local field sends (no zone: read as Helsinki time). Anything else: no instant (None)."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace(" ", "+") if "T" in value else value.strip())
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=TIME_ZONE)


def local_input(moment: datetime | None) -> str:
    """The instant as a datetime-local field shows it (the county's clock, to the second)."""
    return moment.astimezone(TIME_ZONE).strftime("%Y-%m-%dT%H:%M:%S") if moment else ""


def state_rows(then: dict[str, Any] | None, now: dict[str, Any], t: Translator) -> list[dict[str, Any]]:
    """The derived state of the case as rows: what it was at the instant and what it is now, in words."""
    def facts(state: dict[str, Any] | None) -> dict[str, str]:
        if state is None:
            return {}
        intake, budget, follow = state.get("intake", {}), state.get("budget", {}), state.get("follow_up", {})
        orders = state.get("orders", {})
        return {
            "audit.state.intake": _word(t, "intake", "status.", intake.get("status")),
            "audit.state.consent": _word(t, "intake", "consent.", intake.get("consent")),
            "audit.state.budget": _word(t, "budgeting", "status.", budget.get("status")),
            "audit.state.decision_number": str(budget.get("decision_number") or "–"),
            "audit.state.decided": t.money(int(budget.get("decided_cents") or 0)),
            "audit.state.reserved": t.money(int(budget.get("reserved_cents") or 0)),
            "audit.state.spent": t.money(int(budget.get("spent_cents") or 0)),
            "audit.state.orders": str(len(orders)),
            "audit.state.check_ins": str(follow.get("check_ins", 0)),
            "audit.state.closed": t("audit.yes") if state.get("closed") else t("audit.no"),
            "audit.state.erased": t("audit.yes") if state.get("erased") else t("audit.no"),
        }

    before, after = facts(then), facts(now)
    return [{"label": t(key), "then": before.get(key, "–"), "now": value, "changed": then is not None
             and before.get(key) != value} for key, value in after.items()]


def _word(t: Translator, domain: str, prefix: str, code: Any) -> str:
    if not code or code == "none":
        return t("audit.state.none")
    key = f"{prefix}{code}"
    return t.of(domain, key) if t.has(key, domain) else str(code)


def audit_timeline(history: dict[str, Any], instant: datetime | None, t: Translator) -> list[dict[str, Any]]:
    """The timeline in words, newest first, each entry marked when it came after the chosen instant, with the
    instant it happened (to look at the case as it stood then)."""
    entries = timeline(history, t)
    for entry in entries:
        happened = datetime.fromisoformat(entry["time"])
        entry["after"] = instant is not None and happened > instant
        entry["at"] = happened.isoformat()
    return entries


def chain_verdict(history: dict[str, Any]) -> dict[str, Any]:
    """The history service's check of the case's hash chains: intact, or the broken links it found."""
    broken = history.get("chain") or []
    return {"intact": not broken, "broken": broken}


def access_rows(entries: list[dict[str, Any]], names: dict[str, str], t: Translator) -> list[dict[str, Any]]:
    return [{"when": e["accessed_at"], "who": e["user_id"], "role": t.of("kernel", f"role.{e['role']}"),
             "purpose": t.of("kernel", f"purpose.{e['purpose']}") if t.has(f"purpose.{e['purpose']}", "kernel")
             else e["purpose"], "client_id": e["client_id"], "client": names.get(e["client_id"]) or t("case.erased"),
             "service": t(f"access.service.{e['service']}") if t.has(f"access.service.{e['service']}") else e["service"],
             "refused": e["status"] >= 400} for e in entries]
