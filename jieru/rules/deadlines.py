"""Deadlines of a filed intervention, and how times and durations are written to buyers."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, tzinfo

from jieru.rules.policy import PlatformPolicy, Step
from jieru.rules.workdays import add_working_days, add_working_hours


def intervention_deadlines(
    policy: PlatformPolicy, opened_at: datetime, *, evidence_due_at: datetime | None = None
) -> list[tuple[str, datetime]]:
    """(label, local time) of each deadline the platform sets once an intervention is opened.

    ``evidence_due_at``, when the platform recorded one, replaces the step keyed
    ``evidence_due`` (and so moves the steps counted from it).
    """
    tz = policy.calendar.timezone
    times = {"opened": opened_at}
    deadlines: list[tuple[str, datetime]] = []
    for step in policy.steps:
        if step.key == "evidence_due" and evidence_due_at is not None:
            due = evidence_due_at
        else:
            due = _step_end(step, times[step.start], policy)
        times[step.key] = due
        deadlines.append((step.label, due.astimezone(tz)))
    if evidence_due_at is not None and "evidence_due" not in times:
        deadlines.insert(0, (policy.labels.evidence_due, evidence_due_at.astimezone(tz)))
    return deadlines


def _step_end(step: Step, start: datetime, policy: PlatformPolicy) -> datetime:
    if step.delta is not None:
        return start + step.delta
    if step.working_days:
        return add_working_days(
            start, step.working_days, policy.calendar, adjusted=step.adjusted_workdays
        )
    opens, closes = step.business_hours
    return add_working_hours(start, step.working_hours, policy.calendar, opens=opens, closes=closes)


def format_local_time(moment: datetime, *, now: datetime, tz: tzinfo) -> str:
    """A time as buyers read it in ``tz``: "11月23日 14:00", with the year when it is not
    this year's. The one time formatter: the engine's explanations and the actions' lines
    both write times with it."""
    local = moment.astimezone(tz)
    year = f"{local.year}年" if local.year != now.astimezone(tz).year else ""
    return f"{year}{local.month}月{local.day}日 {local:%H:%M}"


def format_time(moment: datetime, *, now: datetime, policy: PlatformPolicy) -> str:
    """``format_local_time`` in the platform calendar's time zone."""
    return format_local_time(moment, now=now, tz=policy.calendar.timezone)


def format_duration(span: timedelta, *, round_up: bool = False) -> str:
    """A duration in days and hours from two days on, else hours and minutes: "26 小时", "5 天 4 小时"."""
    seconds = max(span.total_seconds(), 0) / 60
    minutes = math.ceil(seconds) if round_up else math.floor(seconds)
    hours, mins = divmod(minutes, 60)
    if hours >= 48:
        days, hours = divmod(hours, 24)
        parts = [f"{days} 天", f"{hours} 小时" if hours else ""]
    else:
        parts = [f"{hours} 小时" if hours else "", f"{mins} 分钟" if mins else ""]
    return " ".join(p for p in parts if p) or "0 分钟"


def describe_deadlines(
    deadlines: list[tuple[str, datetime]], *, now: datetime, policy: PlatformPolicy
) -> str:
    """The deadlines still ahead, in one Chinese sentence (or why there are none)."""
    labels = policy.labels
    if not deadlines:
        return labels.no_deadlines
    ahead = [(label, due) for label, due in deadlines if due >= now]
    if not ahead:
        return labels.deadlines_passed
    items = (
        labels.deadline_item.format(label=label, time=format_time(due, now=now, policy=policy))
        for label, due in ahead
    )
    return labels.deadline_intro + labels.deadline_separator.join(items) + "。"
