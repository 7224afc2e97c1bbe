"""The auditor's pages compute nothing of their own: they put the case history's answers into words. What is
left to them: reading the chosen moment as the county's clock shows it, and saying what changed since."""

from __future__ import annotations

from datetime import UTC, datetime

from services.console.audit import audit_timeline, instant_of, local_input, state_rows, stated_purpose
from shared.i18n import catalogue

T = catalogue().translator("console", "fi")


def state(decided: int, status: str = "decided") -> dict:
    return {"intake": {"status": "completed", "consent": "given"},
            "budget": {"status": status, "decision_number": "HB-1" if decided else None, "decided_cents": decided,
                       "reserved_cents": 0, "spent_cents": 0},
            "orders": {}, "follow_up": {"check_ins": 0}, "closed": None, "erased": False}


def test_a_moment_without_a_zone_is_the_county_clock_and_one_with_a_zone_is_kept() -> None:
    assert instant_of("2026-11-30T10:00:00") == datetime(2026, 11, 30, 8, 0, tzinfo=UTC)  # EET = UTC+2
    assert instant_of("2026-07-01T10:00") == datetime(2026, 7, 1, 7, 0, tzinfo=UTC)  # EEST = UTC+3
    assert instant_of("2026-11-30T08:00:00+00:00") == datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    assert instant_of("not-a-moment") is None and instant_of("") is None and instant_of(None) is None
    assert local_input(datetime(2026, 11, 30, 8, 0, 5, tzinfo=UTC)) == "2026-11-30T10:00:05"


def test_only_the_listed_purposes_are_a_purpose() -> None:
    assert stated_purpose("audit") == "audit" and stated_purpose("supervision") == "supervision"
    assert stated_purpose("care") is None and stated_purpose("") is None and stated_purpose(None) is None


def test_the_case_then_and_now_side_by_side_says_what_changed() -> None:
    rows = {r["label"]: r for r in state_rows(state(0, "draft"), state(400_000), T)}
    decided = rows["Päätetty summa"]
    assert decided["then"] == "0,00\u00a0€" and decided["now"] == "4\u00a0000,00\u00a0€" and decided["changed"]
    assert rows["Suostumus"]["changed"] is False
    now_only = state_rows(None, state(400_000), T)
    assert all(r["then"] == "–" and r["changed"] is False for r in now_only)


def test_what_came_after_the_moment_is_marked_newest_first() -> None:
    history = {"timeline": [
        {"type": "ClientRegistered", "time": "2026-11-30T08:00:00+00:00", "actor": {"role": "worker"}},
        {"type": "BudgetDecided", "time": "2026-11-30T09:00:00+00:00", "actor": {"role": "manager"},
         "amount_cents": 400_000}]}
    entries = audit_timeline(history, datetime(2026, 11, 30, 8, 30, tzinfo=UTC), T)
    assert [e["after"] for e in entries] == [True, False]
    assert entries[0]["amount"] == "4\u00a0000,00\u00a0€"
    assert [e["after"] for e in audit_timeline(history, None, T)] == [False, False]
