"""Chinese working days: weekends, public holidays and adjusted working weekends (调休).

The calendar is data (``kb/calendar/YYYY.yml``, one State Council notice per year, loaded by
``jieru.kb.calendar``); the functions here are pure and take the calendar as an argument.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class WorkCalendar:
    """Days off and adjusted working days for the years in ``years``."""

    holidays: frozenset[date]
    workdays: frozenset[date]  # weekends worked because of 调休
    years: frozenset[int]
    timezone: ZoneInfo = CHINA

    def covers(self, year: int) -> bool:
        """Whether a notice for ``year`` is in kb/; otherwise the calendar assumes Monday–Friday."""
        return year in self.years


def is_working_day(day: date, calendar: WorkCalendar, *, adjusted: bool = True) -> bool:
    """True on Monday–Friday outside a holiday period, and (unless ``adjusted`` is False)
    on an adjusted working weekend (调休)."""
    if isinstance(day, datetime):
        day = day.astimezone(calendar.timezone).date()
    if adjusted and day in calendar.workdays:
        return True
    return day.weekday() < 5 and day not in calendar.holidays


def add_working_days(
    start: datetime, n: int, calendar: WorkCalendar, *, adjusted: bool = True
) -> datetime:
    """The same local time of day ``n`` working days after ``start`` (n >= 1 lands on a working day).

    ``adjusted=False`` never counts a weekend, not even an adjusted working one (调休)."""
    if n < 0:
        raise ValueError("n must be >= 0")
    local = start.astimezone(calendar.timezone)
    day = local.date()
    while n:
        day += timedelta(days=1)
        if is_working_day(day, calendar, adjusted=adjusted):
            n -= 1
    return datetime.combine(day, local.timetz())


def add_working_hours(
    start: datetime,
    hours: float,
    calendar: WorkCalendar,
    *,
    opens: time = time(9),
    closes: time = time(18),
) -> datetime:
    """When ``hours`` of working time (``opens``–``closes`` on working days) have passed after ``start``."""
    remaining = timedelta(hours=hours)
    cursor = start.astimezone(calendar.timezone)
    while True:
        day_open = datetime.combine(cursor.date(), opens, calendar.timezone)
        day_close = datetime.combine(cursor.date(), closes, calendar.timezone)
        if is_working_day(cursor.date(), calendar) and cursor < day_close:
            cursor = max(cursor, day_open)
            if cursor + remaining <= day_close:
                return cursor + remaining
            remaining -= day_close - cursor
        cursor = datetime.combine(cursor.date() + timedelta(days=1), opens, calendar.timezone)
