"""From the services' answers to what a page shows: names instead of ids, words instead of codes, charts with
their tables. The same case view serves the worker's case page and the client's own pages."""

from __future__ import annotations

import asyncio
from typing import Any, cast

from services.console.adapters.services import Refusal, Services
from services.console.charts import AreaChange, BudgetBar, budget_chart, change_chart
from shared.i18n import Translator

AREAS = ("general_ability", "mental_wellbeing", "social_participation", "physical_functioning", "competence",
         "everyday_life")


async def names_by_id(services: Services, token: str, client_ids: list[str]) -> dict[str, str]:
    """The names of the clients a page lists, in one call (the service logs each one shown)."""
    unique = list(dict.fromkeys(client_ids))
    if not unique:
        return {}
    names: dict[str, str] = {}
    for start in range(0, len(unique), 100):
        answer = await services.get("intake", "/clients/names", token, params=[("id", c) for c in unique[start:start + 100]])
        names.update({i["client_id"]: i["name"] or "" for i in answer["items"]})
    return names


async def optional(call: Any) -> Any:
    """A part of the case that may not exist yet or may not be this reader's to see: None instead."""
    try:
        return await call
    except Refusal as refusal:
        if refusal.status in (403, 404):
            return None
        raise


async def case_view(services: Services, token: str, client_id: str, t: Translator, *, purpose: str | None,
                    staff: bool) -> dict[str, Any]:
    kw = {"purpose": purpose} if purpose else {}
    # Every service at once: the page waits for the slowest, not for the sum. Intake's refusal still refuses the
    # whole page (the others answer the same reader by their own rules and log their reads either way).
    answers = await asyncio.gather(
        services.get("intake", f"/clients/{client_id}", token, **kw),
        optional(services.get("budgeting", f"/budgets/{client_id}", token, **kw)),
        optional(services.get("budgeting", f"/budgets/{client_id}/advice", token, **kw)),
        optional(services.get("followup", f"/followups/{client_id}", token, **kw)),
        optional(services.get("marketplace", "/orders", token, params={"client_id": client_id}, **kw)),
        optional(services.get("history", f"/history/clients/{client_id}", token, **kw)),
        return_exceptions=True)
    # Every call has finished (none left running behind the refusal); the first refusal is the page's.
    refused = next((a for a in answers if isinstance(a, BaseException)), None)
    if refused is not None:
        raise refused
    intake, budget, advice, follow, orders, history = cast(list[Any], answers)
    person = intake.get("person") or {}
    name = " ".join(p for p in (person.get("first_name"), person.get("last_name")) if p) or t("case.erased")
    return {"client_id": client_id, "name": name, "intake": intake, "budget": budget, "advice": advice,
            "follow": follow, "orders": orders or [], "timeline": timeline(history, t) if history else None,
            "budget_chart": budget_figure(advice, t), "change": change_figure(follow, t), "staff": staff}


def budget_figure(advice: dict[str, Any] | None, t: Translator) -> dict[str, Any] | None:
    """The budget by category as bars and as rows of the table beside them."""
    if not advice or not advice.get("decided_cents"):
        return None
    rows = []
    for c in advice["categories"]:
        used = c["reserved_cents"] + c["spent_cents"]
        rows.append({"label": category_name(c["category"], t), "planned": c["planned_cents"],
                     "reserved": c["reserved_cents"], "spent": c["spent_cents"],
                     "remaining": max(c["planned_cents"] - used, 0)})
    bars = [BudgetBar(r["label"], r["spent"], r["reserved"], r["remaining"]) for r in rows]
    labels = (t("budget.spent"), t("budget.reserved"), t("budget.remaining"))
    chart = budget_chart(bars, title=t("budget.chart.title"), description=t(
        "budget.chart.desc", decided=t.money(advice["decided_cents"]), remaining=t.money(advice["remaining_cents"])),
        labels=labels, money=t.money)
    return {"rows": rows, "chart": chart}


def change_figure(follow: dict[str, Any] | None, t: Translator) -> dict[str, Any] | None:
    """Each self-assessment area at intake and now, as bars and as a table."""
    if not follow or not follow.get("baseline_scores") or not follow.get("reassessments"):
        return None
    before, after = follow["baseline_scores"], follow["reassessments"][-1]["scores"]
    rows = [{"label": t.of("followup", f"area.{a}"), "before": before.get(a), "after": after.get(a)}
            for a in AREAS if before.get(a) is not None and after.get(a) is not None]
    chart = change_chart([AreaChange(r["label"], float(r["before"]), float(r["after"])) for r in rows],
                         title=t("change.chart.title"), description=t("change.chart.desc"),
                         labels=(t("change.before"), t("change.after")))
    return {"rows": rows, "chart": chart, "at": follow["reassessments"][-1]["at"]}


def category_name(category: str, t: Translator) -> str:
    key = f"category.{category}"
    return t.of("budgeting", key) if t.has(key, "budgeting") else category.replace("_", " ")


def timeline(history: dict[str, Any], t: Translator) -> list[dict[str, Any]]:
    """The case's events in words, newest first; bookkeeping between services is left out."""
    entries = []
    for e in history.get("timeline", []):
        key = f"event.{e['type']}"
        if not t.has(key, "history"):
            continue
        amount = e.get("amount_cents")
        role, name = t.of("kernel", f"role.{e['actor']['role']}"), e["actor"].get("name")
        entries.append({"time": e["time"], "text": t.of("history", key), "who": f"{role} {name}" if name else role,
                        "amount": t.money(amount) if isinstance(amount, int) else None})
    return list(reversed(entries))
