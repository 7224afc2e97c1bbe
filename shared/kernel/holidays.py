"""The Finnish calendar of days on which a time limit does not end (Act 150/1930 on the calculation of statutory
time limits, 5 §): Sundays and the church's public holidays (which the Church Act and the Act on the Finnish
calendar fix), Independence Day, May Day, Christmas Eve, Midsummer Eve and Saturdays. A time limit whose last
day is one of them ends on the next working day. Pure: computed from the year, nothing to download or keep.

New Year's Eve and Maundy Thursday are ordinary working days for this act.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache


def easter_sunday(year: int) -> date:
    """Western (Gregorian) Easter, by the anonymous Gregorian algorithm (Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _saturday_between(start: date) -> date:
    """The Saturday in the seven days from ``start`` (Midsummer Day, All Saints' Day)."""
    return start + timedelta(days=(5 - start.weekday()) % 7)


@cache
def days_off(year: int) -> dict[date, str]:
    """The year's days, besides every Saturday and Sunday, on which a time limit does not end, each by a name
    that says why (for an explanation of a moved deadline)."""
    easter = easter_sunday(year)
    midsummer_day = _saturday_between(date(year, 6, 20))
    return {
        date(year, 1, 1): "new_year",
        date(year, 1, 6): "epiphany",
        easter - timedelta(days=2): "good_friday",
        easter: "easter_sunday",
        easter + timedelta(days=1): "easter_monday",
        date(year, 5, 1): "may_day",
        easter + timedelta(days=39): "ascension_day",
        easter + timedelta(days=49): "whitsunday",
        midsummer_day - timedelta(days=1): "midsummer_eve",
        midsummer_day: "midsummer_day",
        _saturday_between(date(year, 10, 31)): "all_saints_day",
        date(year, 12, 6): "independence_day",
        date(year, 12, 24): "christmas_eve",
        date(year, 12, 25): "christmas_day",
        date(year, 12, 26): "st_stephens_day",
    }


def is_working_day(day: date) -> bool:
    """A day on which a time limit may end (Monday to Friday, not a holiday of 150/1930 5 §)."""
    return day.weekday() < 5 and day not in days_off(day.year)


def next_working_day(day: date) -> date:
    """``day`` itself when a time limit may end on it, otherwise the first working day after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day
