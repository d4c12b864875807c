"""Chinese working days: weekends, public holidays and adjusted working weekends (调休).

The calendar is data (``kb/calendar/YYYY.yml``, one State Council notice per year); the
functions here are pure and take the calendar as an argument.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

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


def load_calendar(directory: Path) -> WorkCalendar:
    """Read every ``YYYY.yml`` in ``directory`` (``kb/calendar``); fails loudly on a bad file."""
    holidays: set[date] = set()
    workdays: set[date] = set()
    years: set[int] = set()
    for path in sorted(directory.glob("[0-9][0-9][0-9][0-9].yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        year = data.get("year")
        if year != int(path.stem) or not data.get("source"):
            raise ValueError(f"{path}: needs 'year: {path.stem}' and a 'source' (the notice)")
        for period in data.get("holidays", []):
            start, end = period["from"], period["to"]
            if not (isinstance(start, date) and isinstance(end, date) and start <= end):
                raise ValueError(f"{path}: holiday {period.get('name')!r} needs dates from <= to")
            holidays.update(start + timedelta(days=i) for i in range((end - start).days + 1))
        for day in data.get("workdays", []):
            if not isinstance(day, date) or day.weekday() < 5:
                raise ValueError(f"{path}: adjusted working day {day!r} must be a weekend date")
            workdays.add(day)
        years.add(year)
    return WorkCalendar(frozenset(holidays), frozenset(workdays), frozenset(years))


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
