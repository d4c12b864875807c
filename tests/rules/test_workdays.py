"""Working days from kb/calendar: transcribed notices agree with chinesecalendar; arithmetic is right."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from jieru.kb.calendar import load_calendar
from jieru.rules.workdays import (
    CHINA,
    WorkCalendar,
    add_working_days,
    add_working_hours,
    is_working_day,
)

from .factories import KB

CAL = load_calendar(KB / "calendar")


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CHINA)


def test_calendar_covers_the_years_the_bot_runs_in() -> None:
    assert {2025, 2026} <= CAL.years


@pytest.mark.parametrize("year", sorted(CAL.years))
def test_each_year_agrees_with_chinesecalendar(year: int) -> None:
    day = date(year, 1, 1)
    mismatches = []
    while day.year == year:
        if is_working_day(day, CAL) != chinese_calendar.is_workday(day):
            mismatches.append(day)
        day += timedelta(days=1)
    assert mismatches == []


@pytest.mark.parametrize(
    ("day", "working"),
    [
        ("2026-09-30", True),  # Wednesday before 国庆
        ("2026-10-01", False),
        ("2026-10-07", False),  # last day of 国庆
        ("2026-10-08", True),
        ("2026-10-10", True),  # Saturday worked (调休)
        ("2026-09-20", True),  # Sunday worked (调休)
        ("2026-11-21", False),  # ordinary Saturday
        ("2026-11-23", True),  # ordinary Monday
        ("2026-02-14", True),  # Saturday before 春节, worked
        ("2026-02-16", False),  # 春节
        ("2025-10-08", False),  # 2025 国庆中秋 ran to the 8th
    ],
)
def test_is_working_day(day: str, working: bool) -> None:
    assert is_working_day(date.fromisoformat(day), CAL) is working


def test_a_datetime_is_judged_by_its_china_date() -> None:
    # 2026-09-30 20:00 UTC is already 10-01 04:00 in China: a holiday.
    assert not is_working_day(datetime(2026, 9, 30, 20, 0, tzinfo=timezone.utc), CAL)


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        ("2026-11-20 10:00", 1, "2026-11-23 10:00"),  # Friday + 1 skips the weekend
        ("2026-11-21 10:00", 1, "2026-11-23 10:00"),  # from a Saturday
        ("2026-11-18 10:00", 4, "2026-11-24 10:00"),
        ("2026-09-30 10:00", 1, "2026-10-08 10:00"),  # over 国庆
        ("2026-10-08 09:00", 2, "2026-10-10 09:00"),  # Friday, then the worked Saturday
        (
            "2026-09-24 15:00",
            6,
            "2026-10-10 15:00",
        ),  # 中秋, 国庆 skipped; ends on the worked Saturday
        ("2026-11-20 10:00", 0, "2026-11-20 10:00"),
    ],
)
def test_add_working_days(start: str, n: int, expected: str) -> None:
    assert add_working_days(local(start), n, CAL) == local(expected)


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        ("2026-10-08 09:00", 2, "2026-10-12 09:00"),  # the worked Saturday 10-10 is skipped
        ("2026-09-24 15:00", 6, "2026-10-12 15:00"),
        ("2026-11-18 10:00", 4, "2026-11-24 10:00"),  # an ordinary week: no difference
    ],
)
def test_add_working_days_without_adjusted_weekends(start: str, n: int, expected: str) -> None:
    # "不包含周末": a 调休 working Saturday is still a weekend.
    assert add_working_days(local(start), n, CAL, adjusted=False) == local(expected)
    assert not is_working_day(date(2026, 10, 10), CAL, adjusted=False)
    assert is_working_day(date(2026, 10, 10), CAL)


def test_add_working_days_takes_utc_and_answers_in_china_time() -> None:
    start = datetime(2026, 9, 30, 2, 0, tzinfo=timezone.utc)  # 10:00 in China
    result = add_working_days(start, 1, CAL)
    assert result == local("2026-10-08 10:00")
    assert result.utcoffset() == timedelta(hours=8)


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        ("2026-11-20 10:00", 4, "2026-11-20 14:00"),
        ("2026-11-20 16:00", 4, "2026-11-23 11:00"),  # 2 h on Friday, 2 h on Monday
        ("2026-11-20 20:00", 4, "2026-11-23 13:00"),  # after hours
        ("2026-11-20 07:30", 4, "2026-11-20 13:00"),  # before opening
        ("2026-09-30 17:00", 4, "2026-10-08 12:00"),  # over 国庆
    ],
)
def test_add_working_hours(start: str, hours: float, expected: str) -> None:
    assert add_working_hours(local(start), hours, CAL, opens=time(9), closes=time(18)) == local(
        expected
    )


def test_a_year_without_a_notice_falls_back_to_monday_to_friday() -> None:
    assert not CAL.covers(2031)
    assert is_working_day(date(2031, 1, 1), CAL)  # a Wednesday; no notice known
    assert not is_working_day(date(2031, 1, 4), CAL)  # Saturday


def test_bad_calendar_file_fails_with_its_path(tmp_path) -> None:
    (tmp_path / "2026.yml").write_text(
        "year: 2026\nsource: x\nworkdays: [2026-11-23]\n", encoding="utf-8"
    )
    with pytest.raises(ValueError, match=r"2026\.yml.*weekend"):
        load_calendar(tmp_path)


moments = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.just(CHINA)
)


@given(start=moments, n=st.integers(min_value=1, max_value=30))
def test_add_working_days_lands_on_a_working_day_n_working_days_later(
    start: datetime, n: int
) -> None:
    end = add_working_days(start, n, CAL)
    assert is_working_day(end.date(), CAL)
    assert end.time() == start.time()
    between = [
        start.date() + timedelta(days=i) for i in range(1, (end.date() - start.date()).days + 1)
    ]
    assert sum(is_working_day(d, CAL) for d in between) == n


@given(start=moments, hours=st.integers(min_value=1, max_value=40))
def test_add_working_hours_ends_inside_business_hours(start: datetime, hours: int) -> None:
    end = add_working_hours(start, hours, CAL)
    assert is_working_day(end.date(), CAL)
    assert time(9) < end.time() <= time(18)
    assert end > start


def test_calendar_is_plain_data() -> None:
    assert isinstance(CAL, WorkCalendar)
    assert date(2026, 10, 1) in CAL.holidays and date(2026, 10, 10) in CAL.workdays
