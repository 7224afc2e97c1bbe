"""The plan builder's own reading: a goal needs all five GAS levels in the client's words, a support a goal it
serves, a proposal a period that ends after it starts and euros by category; each mistake is named beside its
field before anything is sent, in every language. The letter's preview says what the decision will, in the
decision's language."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from services.console.plan import (
    LEVELS,
    GoalForm,
    ProposalForm,
    SupportForm,
    euros_typed,
    letter_language,
    letter_preview,
    planned_by_category,
    reasoning_errors,
)
from services.console.provider import cents_of
from shared.i18n import catalogue

NBSP = "\u00a0"
LEVEL_TEXTS = {n: f"taso {n}" for n in LEVELS}


def test_a_goal_with_its_five_levels_is_the_apis_body() -> None:
    form = GoalForm.read(" Jaksan arjessa ", LEVEL_TEXTS, "-1")
    assert form.errors == []
    assert form.body() == {"title": "Jaksan arjessa", "levels": LEVEL_TEXTS, "baseline_level": -1}


def test_a_goal_names_each_missing_level_beside_its_field() -> None:
    form = GoalForm.read("", {**LEVEL_TEXTS, "expected": "  ", "much_more_than_expected": ""}, "7")
    assert form.errors == [("title", "pb.goal.title_missing"), ("level-expected", "pb.goal.level_missing.expected"),
                           ("level-much_more_than_expected", "pb.goal.level_missing.much_more_than_expected"),
                           ("baseline-much_less_than_expected", "pb.goal.baseline_missing")]
    assert GoalForm.read("x" * 401, LEVEL_TEXTS, "0").errors == [("title", "pb.goal.title_too_long")]


def test_a_support_serves_a_goal_of_this_plan() -> None:
    form = SupportForm.read("Kotisiivous", "cleaning", "firm", "1 200,00", ["g1", "g1", "other"], {"g1"})
    assert form.errors == []
    assert form.body() == {"description": "Kotisiivous", "category": "cleaning", "provider_type": "firm",
                           "estimated_cost_cents": 120_000, "goal_ids": ["g1"]}
    wrong = SupportForm.read("", "gardening", "", "abc", ["other"], {"g1"})
    assert [f for f, _ in wrong.errors] == ["description", "category", "provider-public", "estimate", "goal-0"]


def test_a_proposal_is_the_sum_of_its_categories_over_a_period() -> None:
    form = ProposalForm.read("2026-12-01", "2027-11-30", {"cleaning": "2 400", "coaching": "1300,00", "recreation": "0"})
    assert form.errors == []
    assert form.body() == {"amount_cents": 370_000, "period": {"start": "2026-12-01", "end": "2027-11-30"},
                           "breakdown": {"cleaning": 240_000, "coaching": 130_000}}


def test_a_proposal_names_its_mistakes() -> None:
    assert ProposalForm.read("", "x", {"cleaning": "1"}).errors == [("start", "pb.proposal.start_invalid"),
                                                                   ("end", "pb.proposal.end_invalid")]
    assert ProposalForm.read("2026-12-01", "2026-12-01", {"cleaning": "-1"}).errors == [
        ("end", "pb.proposal.end_before_start"), ("amount-cleaning", "pb.money_invalid")]
    assert ProposalForm.read("2026-12-01", "2027-01-01", {"cleaning": "0"}).errors == [
        ("amount-cleaning", "pb.proposal.amount_zero")]


def test_a_decision_needs_its_reasons() -> None:
    assert reasoning_errors("  ") == [("reasoning", "pb.decision.reasoning_missing")]
    assert reasoning_errors("x" * 4001) == [("reasoning", "pb.text_too_long")]
    assert reasoning_errors("Tarve on perusteltu.") == []


def test_every_mistake_is_in_every_language() -> None:
    keys = {key for _, key in [
        *GoalForm.read("", {}, "").errors, *GoalForm.read("x" * 401, {n: "x" * 4001 for n in LEVELS}, "0").errors,
        *SupportForm.read("", "", "", "", [], set()).errors, *ProposalForm.read("", "", {"a": "x"}).errors,
        *ProposalForm.read("2026-01-02", "2026-01-01", {}).errors, *ProposalForm.read("2026-01-01", "2026-02-01",
                                                                                       {"a": "0"}).errors,
        *reasoning_errors("")]}
    for lang in ("fi", "sv", "en"):
        t = catalogue().translator("console", lang)
        assert [k for k in keys if not t.has(k)] == [], lang


def test_an_estimate_is_prefilled_as_a_person_types_euros() -> None:
    assert euros_typed(240_005, "fi") == "2400,05" and euros_typed(240_005, "en") == "2400.05"
    assert all(cents_of(euros_typed(c, lang)) == c for c in (0, 5, 240_000) for lang in ("fi", "sv", "en"))


def test_the_plans_estimates_by_category_start_the_proposal() -> None:
    supports = [{"category": "cleaning", "estimated_cost_cents": 100}, {"category": "coaching",
                                                                        "estimated_cost_cents": 5},
                {"category": "cleaning", "estimated_cost_cents": 20}]
    assert planned_by_category(supports) == {"cleaning": 120, "coaching": 5}


def budget(**kw: Any) -> dict[str, Any]:
    return {"goals": [{"goal_id": "g1", "title": "Jaksan arjessa", "levels": LEVEL_TEXTS, "baseline_level": -1}],
            "supports": [{"category": "cleaning", "description": "Kotisiivous", "estimated_cost_cents": 240_000}],
            "proposal": {"amount_cents": 240_000, "period": {"start": "2026-12-01", "end": "2027-11-30"},
                         "breakdown": {"cleaning": 240_000}},
            "decision": None, "funds": {"decided_cents": 0, "period": None, "breakdown": {}}} | kw


def test_before_the_decision_the_letter_says_what_the_proposal_would_grant() -> None:
    letter = letter_preview(budget(), "Maija Meikäläinen", "fi")
    assert letter["number"] is None and letter["legal_bases"] == []
    assert letter["outcome"] == (f"Sinulle myönnetään henkilökohtainen budjetti 2{NBSP}400,00{NBSP}€ ajalle "
                                 "1.12.2026–30.11.2027.")
    assert letter["breakdown"] == [("kotisiivous", f"2{NBSP}400,00{NBSP}€")]
    assert letter["goals"] == ["Jaksan arjessa"]


def test_after_the_decision_the_letter_cites_its_law_in_the_decisions_language() -> None:
    decided = budget(decision={
        "decision_number": "HB-2026-000042", "decided_on": "2026-12-01", "decided_by": "worker-aino",
        "decided_by_name": "Aino Virtanen", "prepared_by_name": None, "reasoning": "Tarve on perusteltu.",
        "legal_bases": [{"act": "1301/2014", "section": "45"}],
        "instructions": {"kind": "rectification", "body": "individual_matters_section", "days": 14,
                         "act": "1301/2014", "table_version": "t"}},
        funds={"decided_cents": 240_000, "period": {"start": "2026-12-01", "end": "2027-11-30"},
               "breakdown": {"cleaning": 240_000}})
    sv = letter_preview(decided, "Stina Lindqvist", "sv", "families_with_children")
    assert sv["service_task"] == "Service för barnfamiljer"
    assert sv["number"] == "HB-2026-000042" and sv["decided_on"] == "2026-12-01"
    assert sv["legal_bases"] == ["socialvårdslagen (1301/2014), 45 §"]
    assert "14" in sv["remedy"] and sv["remedy_title"] == "Anvisning om begäran om omprövning"
    assert sv["reasoning"] == "Tarve on perusteltu."  # the decider's words as written


@pytest.mark.parametrize(("preferred", "language"), [("sv", "sv"), ("fi", "fi"), ("en", "fi"), (None, "fi")])
def test_a_decision_is_written_in_finnish_or_swedish(preferred: str | None, language: str) -> None:
    assert letter_language(preferred) == language


def test_the_period_is_a_date() -> None:
    assert ProposalForm.read("2026-12-01", "2027-11-30", {"cleaning": "1"}).start == date(2026, 12, 1)
