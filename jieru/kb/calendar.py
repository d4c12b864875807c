"""The working-day calendar in ``kb/calendar/YYYY.yml``, loaded into ``jieru.rules.workdays.WorkCalendar``."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import yaml

from jieru.rules.workdays import WorkCalendar


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
