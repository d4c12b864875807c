"""When human agents can answer: working hours and the buyer's expected wait (pure)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

# Far enough to cross any week of closed days; a week with no working day is refused.
MAX_DAYS_AHEAD = 8


@dataclass(frozen=True)
class WorkingHours:
    """Agents work ``opens``–``closes`` local time on ``weekdays`` (ISO: 1 = Monday)."""

    opens: time
    closes: time
    weekdays: frozenset[int]
    zone: ZoneInfo

    def __post_init__(self) -> None:
        if self.opens >= self.closes or not self.weekdays <= set(range(1, 8)) or not self.weekdays:
            raise ValueError(f"working hours make no sense: {self}")

    def _shifts(self, start: datetime) -> Iterable[tuple[datetime, datetime]]:
        """The working intervals that end after ``start``, in order (local time)."""
        local = start.astimezone(self.zone)
        for offset in range(MAX_DAYS_AHEAD):
            day = local.date() + timedelta(days=offset)
            if day.isoweekday() not in self.weekdays:
                continue
            begin = datetime.combine(day, self.opens, self.zone)
            end = datetime.combine(day, self.closes, self.zone)
            if end > local:
                yield max(begin, local), end

    def is_open(self, at: datetime) -> bool:
        """True when an agent is at work at ``at``."""
        first = next(iter(self._shifts(at)), None)
        return first is not None and first[0] == at.astimezone(self.zone)

    def next_opening(self, at: datetime) -> datetime:
        """``at`` itself during working hours, else when agents are next at work."""
        return next(iter(self._shifts(at)))[0]

    def after_working_time(self, start: datetime, work: timedelta) -> datetime:
        """The moment ``work`` of agents' working time has passed since ``start``."""
        left = work
        for begin, end in self._shifts(start):
            if begin + left <= end:
                return begin + left
            left -= end - begin
        raise ValueError(f"{work} of working time does not fit in {MAX_DAYS_AHEAD} days")


@dataclass(frozen=True)
class QueuePlace:
    """Where the buyer stands: ``position`` 1 is next; ``reply_by`` when an agent is
    expected to answer; ``open_now`` False means agents are off until ``opens_at``."""

    position: int
    expected_wait: timedelta
    reply_by: datetime
    open_now: bool
    opens_at: datetime


def queue_place(
    *,
    ahead: int,
    now: datetime,
    hours: WorkingHours,
    minutes_per_case: int,
) -> QueuePlace:
    """The place of a buyer with ``ahead`` open hand-offs before theirs: each case ahead
    takes one agent ``minutes_per_case`` of working time (one agent on duty: the
    pessimistic estimate, so the buyer is not promised too soon)."""
    opens_at = hours.next_opening(now)
    reply_by = hours.after_working_time(now, timedelta(minutes=minutes_per_case * ahead))
    return QueuePlace(
        position=ahead + 1,
        expected_wait=reply_by - now.astimezone(hours.zone),
        reply_by=reply_by,
        open_now=hours.is_open(now),
        opens_at=opens_at,
    )
