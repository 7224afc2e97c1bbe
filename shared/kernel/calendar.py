"""The county's days: a birthday, a move's effective date and a link's last day are days on the county's clock
(Europe/Helsinki), while every instant is stored in UTC."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

COUNTY_TIME = ZoneInfo("Europe/Helsinki")


def county_day(instant: datetime) -> date:
    """The day it is in the county at ``instant`` (an aware datetime)."""
    return instant.astimezone(COUNTY_TIME).date()


def start_of(day: date) -> datetime:
    """The first instant of ``day`` on the county's clock."""
    return datetime.combine(day, time(), COUNTY_TIME)
