"""The Finnish calendar of days on which a time limit does not end: moved to shared/kernel/holidays.py, since the
case history's deadlines (a copy of the client's data, GDPR art. 12(3)) end on the same working days."""

from shared.kernel.holidays import days_off, easter_sunday, is_working_day, next_working_day

__all__ = ["days_off", "easter_sunday", "is_working_day", "next_working_day"]
