"""The region's effectiveness as the planner reads it: the follow-up service's groups (quarter of the decision ×
support category) drawn as charts with the same cells in a table. The console adds no figure of its own (no total,
no difference, no group the service did not give), so it can never reveal a group the service suppressed."""

from __future__ import annotations

import math
from typing import Any

from markupsafe import Markup

from services.console.charts import Bar, bar_chart
from services.console.views import AREAS, category_name
from shared.i18n import Translator


def percent(share: float | None, t: Translator) -> str:
    return "–" if share is None else f"{t.number(round(share * 100, 1))}\u00a0%"


def number(value: float | None, t: Translator) -> str:
    return "–" if value is None else t.number(value)


def region_view(figures: dict[str, Any], t: Translator) -> dict[str, Any]:
    groups = figures.get("groups") or []
    rows = []
    for g in groups:
        label = t("region.group", period=g["period"], category=category_name(g["support_category"], t))
        change = g.get("mean_change") or {}
        rows.append({"label": label, "period": g["period"], "category": category_name(g["support_category"], t),
                     "clients": g["clients"], "planned": t.money(g["planned_cents"]), "used": t.money(g["used_cents"]),
                     "share": percent(g.get("used_share"), t), "share_value": g.get("used_share"),
                     "scored": g.get("clients_scored", 0), "t_score": number(g.get("mean_t_score"), t),
                     "t_value": g.get("mean_t_score"), "reassessed": g.get("clients_reassessed", 0),
                     "change": [(t.of("followup", f"area.{a}"), change.get(a)) for a in AREAS],
                     "change_text": [number(change.get(a), t) for a in AREAS]})
    return {"rows": rows, "suppressed": figures.get("suppressed_groups", 0),
            "min_group": figures.get("min_group_size", 5), "charts": _charts(rows, t) if rows else None,
            "areas": [t.of("followup", f"area.{a}") for a in AREAS]}


def _charts(rows: list[dict[str, Any]], t: Translator) -> dict[str, Any]:
    use = bar_chart([Bar(r["label"], r["share_value"], r["share"]) for r in rows if r["share_value"] is not None],
                    title=t("region.use.title"), description=t("region.use.desc"), low=0, high=max(
                        [1.0] + [r["share_value"] for r in rows if r["share_value"] is not None]), chart_id="use-chart")
    scored = [r for r in rows if r["t_value"] is not None]
    t_scores = bar_chart([Bar(r["label"], r["t_value"], r["t_score"]) for r in scored], title=t("region.t.title"),
                         description=t("region.t.desc"), low=20, high=80, reference=50,
                         chart_id="t-chart") if scored else None
    changes: list[Markup] = []
    for i, r in enumerate(rows):
        shown = [(label, value) for label, value in r["change"] if value is not None]
        if not shown:
            continue
        reach = max(1.0, math.ceil(max(abs(v) for _, v in shown)))
        changes.append(bar_chart([Bar(label, value, t.number(value)) for label, value in shown],
                                 title=t("region.change.title", group=r["label"]), description=t("region.change.desc"),
                                 low=-reach, high=reach, reference=0, chart_id=f"change-chart-{i}"))
    return {"use": use, "t": t_scores, "changes": changes}
