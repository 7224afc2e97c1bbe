"""The planner's page shows the follow-up service's cells and nothing it computed itself: no total row, no group
the service did not give, a missing figure as a dash; the charts carry the same values written out."""

from __future__ import annotations

from services.console.region import region_view
from shared.i18n import catalogue

T = catalogue().translator("console", "fi")
GROUP = {"period": "2026-Q4", "support_category": "cleaning", "clients": 5, "planned_cents": 500_000,
         "used_cents": 50_000, "used_share": 0.1, "clients_scored": 5, "mean_t_score": 52.0, "clients_reassessed": 5,
         "mean_change": {"everyday_life": 1.0, "competence": -0.4}}


def test_the_cells_are_the_apis_in_words_and_no_total_is_added() -> None:
    view = region_view({"groups": [GROUP, GROUP | {"support_category": "coaching", "mean_t_score": None,
                                                   "mean_change": None}],
                        "suppressed_groups": 2, "min_group_size": 5}, T)
    first, second = view["rows"]
    assert len(view["rows"]) == 2 and view["suppressed"] == 2
    assert first["planned"] == "5\u00a0000,00\u00a0€" and first["share"] == "10\u00a0%" and first["t_score"] == "52"
    assert second["t_score"] == "–" and set(second["change_text"]) == {"–"}
    assert "-0,4" in first["change_text"] and "1" in first["change_text"]
    charts = view["charts"]
    assert "10\u00a0%" in charts["use"] and "52" in charts["t"]
    assert len(charts["changes"]) == 1  # a group without reassessments has no change chart


def test_no_group_no_chart() -> None:
    view = region_view({"groups": [], "suppressed_groups": 1, "min_group_size": 5}, T)
    assert view["rows"] == [] and view["charts"] is None
