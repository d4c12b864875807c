"""Agents' working hours and the buyer's expected wait, with a pinned clock."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from jieru.rules.agent_hours import WorkingHours, queue_place

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEEKDAYS = WorkingHours(
    opens=time(9), closes=time(18), weekdays=frozenset({1, 2, 3, 4, 5}), zone=SHANGHAI
)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=SHANGHAI)  # 2026-12-01 is a Tuesday


@pytest.mark.parametrize(
    ("now", "is_open", "opening"),
    [
        (at(1, 10), True, at(1, 10)),
        (at(1, 8, 59), False, at(1, 9)),
        (at(1, 18), False, at(2, 9)),  # closing time itself is closed
        (at(4, 19), False, at(7, 9)),  # Friday evening → Monday
        (at(5, 12), False, at(7, 9)),  # Saturday
    ],
)
def test_open_and_next_opening(now, is_open, opening):
    assert WEEKDAYS.is_open(now) is is_open
    assert WEEKDAYS.next_opening(now) == opening


def test_the_same_moment_in_another_zone_is_read_in_the_agents_zone():
    utc_morning = datetime(2026, 12, 1, 2, 0, tzinfo=ZoneInfo("UTC"))  # 10:00 in Shanghai
    assert WEEKDAYS.is_open(utc_morning)


def test_wait_within_the_day():
    place = queue_place(ahead=2, now=at(1, 10), hours=WEEKDAYS, minutes_per_case=6)
    assert (place.position, place.expected_wait, place.reply_by, place.open_now) == (
        3,
        timedelta(minutes=12),
        at(1, 10, 12),
        True,
    )


def test_wait_that_passes_closing_time_continues_next_working_day():
    place = queue_place(ahead=10, now=at(4, 17, 30), hours=WEEKDAYS, minutes_per_case=6)
    # 30 minutes on Friday, the other 30 on Monday morning.
    assert place.reply_by == at(7, 9, 30) and place.open_now


def test_outside_hours_the_buyer_is_told_when_agents_are_back():
    place = queue_place(ahead=0, now=at(5, 12), hours=WEEKDAYS, minutes_per_case=6)
    assert (place.position, place.open_now, place.opens_at, place.reply_by) == (
        1,
        False,
        at(7, 9),
        at(7, 9),
    )
    assert place.expected_wait == at(7, 9) - at(5, 12)


@pytest.mark.parametrize(
    "bad",
    [
        dict(opens=time(18), closes=time(9), weekdays=frozenset({1})),
        dict(opens=time(9), closes=time(18), weekdays=frozenset()),
        dict(opens=time(9), closes=time(18), weekdays=frozenset({0, 8})),
    ],
)
def test_nonsense_hours_are_refused(bad):
    with pytest.raises(ValueError):
        WorkingHours(zone=SHANGHAI, **bad)


def test_hours_come_from_the_environment(monkeypatch):
    from jieru.config import settings

    monkeypatch.setenv("JIERU_AGENT_HOURS", "08:30-20:00")
    monkeypatch.setenv("JIERU_AGENT_WEEKDAYS", "1,2,3,4,5,6")
    s = settings()
    assert (s.agent_hours, s.agent_weekdays) == ((time(8, 30), time(20)), frozenset(range(1, 7)))
    for name, bad in (("JIERU_AGENT_HOURS", "20:00-08:00"), ("JIERU_AGENT_WEEKDAYS", "0,9")):
        monkeypatch.setenv(name, bad)
        with pytest.raises(ValueError):
            settings()
        monkeypatch.delenv(name)
