"""The time limit for a request for rectification, from the dispatch: every expected deadline below was counted by
hand on a calendar (the weekday and the holiday named in each row), not by the code under test."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from services.decisions.domain.calendar import days_off, easter_sunday, is_working_day
from services.decisions.domain.serving import Method, ServiceRules, presume, received_on, time_limit_ends
from shared.infra.tables import DATA, read_table

RULES = ServiceRules.from_mapping(read_table(DATA / "service_rules.toml"))
DAYS = 30  # the county's rectification_days (434/2003 49 c §)


def sent(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, 0, tzinfo=UTC)  # 11:00 or 12:00 in Helsinki


def deadline(method: Method, on: date) -> date:
    presumption = presume(RULES, method, sent(on))
    receipt = received_on(presumption.deemed_received_on, None)
    assert receipt is not None
    return time_limit_ends(receipt, DAYS)


# (sent on, method, received on, last day as counted, why it moves) — letter +7, electronic +3, then +30.
CASES = [
    # Christmas 2026: Thu 24.12 Christmas Eve, Fri 25.12 Christmas Day, Sat 26.12 St Stephen's, Sun 27.12.
    (date(2026, 11, 17), "letter", date(2026, 11, 24), date(2026, 12, 28), "ends Christmas Eve (Thu) -> Mon"),
    (date(2026, 11, 21), "electronic", date(2026, 11, 24), date(2026, 12, 28), "ends Christmas Eve (Thu) -> Mon"),
    (date(2026, 11, 18), "letter", date(2026, 11, 25), date(2026, 12, 28), "ends Christmas Day (Fri) -> Mon"),
    (date(2026, 11, 23), "electronic", date(2026, 11, 26), date(2026, 12, 28), "ends St Stephen's (Sat) -> Mon"),
    # New Year and Epiphany: Wed 6.1.2027 Epiphany.
    (date(2026, 11, 30), "letter", date(2026, 12, 7), date(2027, 1, 7), "ends Epiphany (Wed) -> Thu"),
    (date(2026, 12, 4), "electronic", date(2026, 12, 7), date(2027, 1, 7), "ends Epiphany (Wed) -> Thu"),
    # New Year's Eve is a working day: Thu 31.12.2026 stays.
    (date(2026, 11, 24), "letter", date(2026, 12, 1), date(2026, 12, 31), "New Year's Eve (Thu) stays"),
    # A letter deemed received on Christmas Eve stays received that day; 23.1.2027 is a Saturday -> Mon 25.1.
    (date(2026, 12, 17), "letter", date(2026, 12, 24), date(2027, 1, 25), "receipt not moved; Sat -> Mon"),
    # Easter 2026: Fri 3.4 Good Friday, Sun 5.4 Easter, Mon 6.4 Easter Monday.
    (date(2026, 2, 25), "letter", date(2026, 3, 4), date(2026, 4, 7), "ends Good Friday -> Tue after Easter"),
    (date(2026, 3, 1), "electronic", date(2026, 3, 4), date(2026, 4, 7), "ends Good Friday -> Tue after Easter"),
    # Easter 2027: Mon 29.3 Easter Monday (February 2027 has 28 days).
    (date(2027, 2, 20), "letter", date(2027, 2, 27), date(2027, 3, 30), "ends Easter Monday -> Tue"),
    (date(2027, 2, 24), "electronic", date(2027, 2, 27), date(2027, 3, 30), "ends Easter Monday -> Tue"),
    # Ascension Day 2026: Thu 14.5 (Easter + 39).
    (date(2026, 4, 7), "letter", date(2026, 4, 14), date(2026, 5, 15), "ends Ascension Day (Thu) -> Fri"),
    # May Day 2026: Fri 1.5.
    (date(2026, 3, 25), "letter", date(2026, 4, 1), date(2026, 5, 4), "ends May Day (Fri) -> Mon"),
    (date(2026, 3, 29), "electronic", date(2026, 4, 1), date(2026, 5, 4), "ends May Day (Fri) -> Mon"),
    # Midsummer 2026: Fri 19.6 Midsummer Eve, Sat 20.6 Midsummer Day.
    (date(2026, 5, 13), "letter", date(2026, 5, 20), date(2026, 6, 22), "ends Midsummer Eve -> Mon"),
    (date(2026, 5, 17), "electronic", date(2026, 5, 20), date(2026, 6, 22), "ends Midsummer Eve -> Mon"),
    # Midsummer 2027: Fri 25.6 Midsummer Eve.
    (date(2027, 5, 19), "letter", date(2027, 5, 26), date(2027, 6, 28), "ends Midsummer Eve -> Mon"),
    # All Saints' Day 2026: Sat 31.10.
    (date(2026, 9, 24), "letter", date(2026, 10, 1), date(2026, 11, 2), "ends All Saints' (Sat) -> Mon"),
    # Independence Day: Sun 6.12.2026 (after a Saturday), Mon 6.12.2027.
    (date(2026, 10, 29), "letter", date(2026, 11, 5), date(2026, 12, 7), "ends Sat 5.12, Sun 6.12 -> Mon"),
    (date(2027, 10, 30), "letter", date(2027, 11, 6), date(2027, 12, 7), "ends Independence Day (Mon) -> Tue"),
    (date(2027, 11, 3), "electronic", date(2027, 11, 6), date(2027, 12, 7), "ends Independence Day (Mon) -> Tue"),
    # An ordinary Wednesday: Wed 11.3.2026, no move.
    (date(2026, 2, 2), "letter", date(2026, 2, 9), date(2026, 3, 11), "a working day"),
    # In person: received that day; 13.3.2026 + 30 = Sun 12.4.2026 -> Mon 13.4.
    (date(2026, 3, 13), "in_person", date(2026, 3, 13), date(2026, 4, 13), "Sun -> Mon"),
]


@pytest.mark.parametrize(("sent_on", "method", "receipt", "expected", "why"), CASES,
                         ids=[f"{c[1]}-{c[0].isoformat()}" for c in CASES])
def test_the_deadline_of_a_dispatch_counted_by_hand(sent_on: date, method: Method, receipt: date, expected: date,
                                                    why: str) -> None:
    presumption = presume(RULES, method, sent(sent_on))
    assert presumption.deemed_received_on == receipt
    assert deadline(method, sent_on) == expected, why


def test_the_county_day_of_sending_counts_not_the_utc_day() -> None:
    # 23:30 UTC on 16.11.2026 is 01:30 on 17.11 in Helsinki: sent on the 17th, received on the 24th.
    late_evening = datetime(2026, 11, 16, 23, 30, tzinfo=UTC)
    assert presume(RULES, "letter", late_evening).deemed_received_on == date(2026, 11, 24)


def test_a_later_actual_receipt_overrides_the_presumption_an_earlier_one_does_not() -> None:
    deemed = presume(RULES, "letter", sent(date(2026, 2, 2))).deemed_received_on  # Mon 9.2.2026
    assert deemed == date(2026, 2, 9)
    later = received_on(deemed, date(2026, 2, 12))
    assert later == date(2026, 2, 12) and time_limit_ends(later, DAYS) == date(2026, 3, 16)  # Sat 14.3 -> Mon
    assert received_on(deemed, date(2026, 2, 5)) == deemed


def test_a_proven_electronic_service_starts_the_time_limit_only_at_its_recorded_retrieval() -> None:
    presumption = presume(RULES, "proven_electronic", sent(date(2026, 11, 17)))
    assert presumption.deemed_received_on is None and received_on(None, None) is None
    retrieved = received_on(None, date(2026, 11, 20))
    assert retrieved is not None and time_limit_ends(retrieved, DAYS) == date(2026, 12, 21)  # Sun 20.12 -> Mon


def test_the_rules_in_force_on_the_day_of_sending_apply() -> None:
    rules = ServiceRules.from_mapping({"rules": [
        {"version": "old", "valid_from": date(2004, 1, 1), "valid_to": date(2026, 12, 31),
         "deemed_received": {"letter": 7}},
        {"version": "new", "valid_from": date(2027, 1, 1), "deemed_received": {"letter": 4}},
    ]})
    assert presume(rules, "letter", sent(date(2026, 12, 31))).rules_version == "old"
    then = presume(rules, "letter", sent(date(2027, 1, 4)))
    assert then.rules_version == "new" and then.deemed_received_on == date(2027, 1, 8)
    with pytest.raises(ValueError, match="no service rules"):
        presume(rules, "letter", sent(date(2003, 12, 31)))
    with pytest.raises(ValueError, match="unknown methods"):
        ServiceRules.from_mapping({"rules": [{"version": "x", "valid_from": date(2004, 1, 1),
                                              "deemed_received": {"pigeon": 2}}]})


def test_the_calendar_knows_the_moving_holidays_and_the_fixed_ones() -> None:
    assert [easter_sunday(y) for y in (2024, 2025, 2026, 2027, 2038)] == [
        date(2024, 3, 31), date(2025, 4, 20), date(2026, 4, 5), date(2027, 3, 28), date(2038, 4, 25)]
    names = days_off(2026)
    assert names[date(2026, 6, 19)] == "midsummer_eve" and names[date(2026, 10, 31)] == "all_saints_day"
    assert names[date(2026, 5, 14)] == "ascension_day" and names[date(2026, 4, 3)] == "good_friday"
    assert days_off(2027)[date(2027, 6, 25)] == "midsummer_eve"
    assert days_off(2025)[date(2025, 11, 1)] == "all_saints_day"
    assert is_working_day(date(2026, 12, 31)) and is_working_day(date(2026, 4, 2))  # New Year's Eve, Maundy Thu
    assert not is_working_day(date(2026, 12, 24)) and not is_working_day(date(2026, 5, 1))
