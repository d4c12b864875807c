"""The typed policy of a platform: the rules, steps and labels the eligibility engine applies.

Plain frozen dataclasses with no I/O: ``jieru.kb.policy`` loads ``kb/policies/<platform>.yml``
into them, and the pure functions of ``jieru.rules`` take them as arguments.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import time, timedelta
from pathlib import Path
from typing import Any

from jieru.rules.facts import Verdict
from jieru.rules.workdays import WorkCalendar


@dataclass(frozen=True)
class Source:
    """Where a rule comes from: a seed file and a sentence quoted from it, a named published
    rule, or ``unsourced``: why no source covers it (the rule then only says it does not know)."""

    seed: str | None = None
    quote: str | None = None
    rule: str | None = None
    unsourced: str | None = None

    def __str__(self) -> str:
        if self.seed:
            return f"{self.seed}：“{self.quote}”"
        return str(self.rule) if self.rule else f"无来源：{self.unsourced}"


@dataclass(frozen=True)
class Wait:
    after: str  # the timestamp field the clock starts from
    duration: timedelta
    label: str  # the duration as the rule states it, e.g. "36 小时" or "3 天"


@dataclass(frozen=True)
class Rule:
    """A gate (decides alone when ``when`` matches) or a path (a way to become eligible)."""

    id: str
    when: Mapping[str, Any]
    explanation: str
    source: Source
    verdict: Verdict = Verdict.ELIGIBLE
    wait: Wait | None = None
    waiting: str | None = None  # paths with a wait: the NOT_YET text
    alternatives: tuple[str, ...] = ()


@dataclass(frozen=True)
class Step:
    """One deadline of a newly filed intervention, counted from ``start`` ('opened' or an earlier step)."""

    key: str
    label: str
    start: str
    delta: timedelta | None = None
    working_days: int = 0
    working_hours: float = 0
    business_hours: tuple[time, time] = (time(9), time(18))
    source: Source | None = None
    adjusted_workdays: bool = True  # False: weekends never count, even 调休 working weekends


@dataclass(frozen=True)
class Labels:
    """Chinese labels shared by all platforms: the status names and the deadline line
    from ``kb/labels.yml`` (their one owner, which the actions read too), the policy
    wording from ``kb/policies/common.yml``."""

    stages: Mapping[str, str]
    aftersale_statuses: Mapping[str, str]
    deadline_item: str
    deadline_separator: str
    deadline_intro: str
    no_deadlines: str
    deadlines_passed: str
    evidence_due: str  # label for an imported intervention's own evidence deadline


@dataclass(frozen=True)
class PlatformPolicy:
    platform: str
    name: str
    gates: tuple[Rule, ...]
    paths: tuple[Rule, ...]
    otherwise: Rule
    steps: tuple[Step, ...]
    intervention_source: Source | None
    labels: Labels
    calendar: WorkCalendar
    file: Path

    def rules(self) -> Iterator[Rule]:
        """Every rule of the policy, in evaluation order."""
        yield from self.gates
        yield from self.paths
        yield self.otherwise

    def sources(self) -> Iterator[tuple[str, Source]]:
        """(rule id or step key, source) for everything in the file that cites one."""
        for rule in self.rules():
            yield rule.id, rule.source
        if self.intervention_source:
            yield f"{self.platform}.intervention", self.intervention_source
        for step in self.steps:
            if step.source:
                yield f"{self.platform}.intervention.{step.key}", step.source
