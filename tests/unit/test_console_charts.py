"""The console's charts: server-rendered SVG that names itself for a screen reader, escapes every text it is given,
and draws what the numbers say (no colour-only meaning: each bar says what it is)."""

from __future__ import annotations

import re

from services.console.charts import AreaChange, BudgetBar, budget_chart, change_chart


def money(cents: int) -> str:
    return f"{cents / 100:.2f} €"


def test_the_budget_chart_is_an_image_with_a_title_and_a_description_and_bars_in_proportion() -> None:
    svg = str(budget_chart([BudgetBar("kotisiivous", 0, 24_000, 216_000), BudgetBar("<b>virkistys</b>", 10_000, 0, 20_000)],
                           title="Budjetti", description="Päätetty 4 000 €", labels=("käytetty", "varattu", "jäljellä"),
                           money=money))
    assert 'role="img"' in svg and "<title id=\"budget-chart-title\">Budjetti</title>" in svg
    assert "<b>" not in svg and "&lt;b&gt;virkistys&lt;/b&gt;" in svg
    widths = [float(w) for w in re.findall(r'class="bar-[a-z]+" x="[0-9.]+" y="[0-9]+" width="([0-9.]+)"', svg)]
    # kotisiivous: reserved 24 000 and remaining 216 000 of the largest total 240 000 → 10 % and 90 % of the plot
    assert round(widths[0] / (widths[0] + widths[1]), 2) == 0.10
    assert "kotisiivous: varattu 240.00 €" in svg  # each bar says what it is, not only its colour


def test_the_change_chart_draws_both_assessments_on_the_0_to_10_scale() -> None:
    svg = str(change_chart([AreaChange("arjen sujuvuus", 3, 6)], title="Muutos", description="d",
                           labels=("alussa", "viimeisin")))
    assert "arjen sujuvuus: alussa 3" in svg and "arjen sujuvuus: viimeisin 6" in svg
    before, after = (float(w) for w in re.findall(r'class="bar-(?:before|after)" x="[0-9]+" y="[0-9]+" width="([0-9.]+)"', svg))
    assert round(after / before, 2) == 2.0
