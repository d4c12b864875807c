"""Platform intervention policies: ``kb/policies/<platform>.yml`` loaded, validated and typed
into the dataclasses of ``jieru.rules.policy``.

Each file is checked against ``jieru/schemas/policy.schema.json`` and for the template
fields its texts use; a bad file fails loudly with its path and the offending place.
The format is described in ``kb/policies/README.md``.
"""

from __future__ import annotations

import json
import string
from collections.abc import Iterator
from datetime import time, timedelta
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml
from jsonschema import Draft202012Validator

from jieru.kb import kb_dir
from jieru.kb.calendar import load_calendar
from jieru.rules.facts import Verdict

# The policy types are the rules' own (jieru.rules.policy, the lower layer).
from jieru.rules.policy import Labels, PlatformPolicy, Rule, Source, Step, Wait

# The one owner of status names and display templates (see Labels).
LABELS_FILE = "labels.yml"
SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schemas" / "policy.schema.json"

# Template fields every text may use, and those that only make sense for some rules.
BASE_FIELDS = frozenset(
    {"platform", "order_id", "title", "shop", "aftersale_id", "aftersale_status", "at", "since"}
)
WAIT_FIELDS = frozenset({"anchor", "wait", "elapsed"})
WAITING_FIELDS = WAIT_FIELDS | {"eligible_from", "remaining"}
INTERVENTION_FIELDS = frozenset({"intervention_number", "stage", "deadlines"})


class PolicyError(ValueError):
    """A policy file that breaks the schema or uses a template field it cannot have."""


def load_policy(platform: str, *, kb: Path | None = None) -> PlatformPolicy:
    """The policy for ``platform`` from ``kb`` (default: the configured kb/), cached until a file changes."""
    root = kb or kb_dir()
    files = [
        root / "policies" / f"{platform}.yml",
        root / "policies" / "common.yml",
        root / LABELS_FILE,
    ]
    files += sorted((root / "calendar").glob("*.yml"))
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise PolicyError(f"missing policy files: {', '.join(missing)}")
    return _load(root, platform, tuple(f.stat().st_mtime_ns for f in files))


@lru_cache(maxsize=16)
def _load(root: Path, platform: str, _mtimes: tuple[int, ...]) -> PlatformPolicy:
    common_file = root / "policies" / "common.yml"
    common = _validated(common_file, {"$ref": "#/$defs/common"})
    with (root / LABELS_FILE).open(encoding="utf-8") as f:
        shown = yaml.safe_load(f)
    labels = Labels(
        stages=MappingProxyType(shown["intervention_status"]),
        aftersale_statuses=MappingProxyType(shown["aftersale_status"]),
        deadline_item=shown["templates"]["deadline_line"],
        deadline_separator=common["deadlines"]["separator"],
        deadline_intro=common["deadlines"]["intro"],
        no_deadlines=common["deadlines"]["none"],
        deadlines_passed=common["deadlines"]["passed"],
        evidence_due=common["deadlines"]["evidence_due"],
    )
    file = root / "policies" / f"{platform}.yml"
    data = _validated(file, None)
    if data["platform"] != platform:
        raise PolicyError(f"{file}: platform: is {data['platform']!r}, expected {platform!r}")
    policy = PlatformPolicy(
        platform=platform,
        name=data["name"],
        gates=tuple(_rule(g) for g in data["gates"]),
        paths=tuple(_rule(p) for p in data["paths"]),
        otherwise=_rule(data["otherwise"]),
        steps=tuple(_step(s) for s in data["intervention"]["steps"]),
        intervention_source=_source(data["intervention"].get("source")),
        labels=labels,
        calendar=load_calendar(root / "calendar"),
        file=file,
    )
    _check(policy)
    return policy


@lru_cache(maxsize=1)
def _schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def _validated(file: Path, ref: dict[str, str] | None) -> dict[str, Any]:
    schema = _schema() if ref is None else {**ref, "$defs": _schema()["$defs"]}
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise PolicyError(f"{file}: not valid YAML: {e}") from e
    errors = sorted(Draft202012Validator(schema).iter_errors(data), key=lambda e: list(e.path))
    if errors:
        problems = "\n".join(
            f"  {'/'.join(map(str, e.path)) or '(top)'}: {e.message}" for e in errors
        )
        raise PolicyError(f"{file}: does not match {SCHEMA_PATH.name}:\n{problems}")
    return data


def _source(raw: dict[str, str] | None) -> Source | None:
    return Source(**raw) if raw else None


def _wait(raw: dict[str, Any] | None) -> Wait | None:
    if raw is None:
        return None
    if "days" in raw:
        return Wait(raw["after"], timedelta(days=raw["days"]), f"{raw['days']:g} 天")
    return Wait(raw["after"], timedelta(hours=raw["hours"]), f"{raw['hours']:g} 小时")


def _rule(raw: dict[str, Any]) -> Rule:
    return Rule(
        id=raw["id"],
        when=MappingProxyType(raw.get("when", {})),
        explanation=raw["explanation"],
        source=Source(**raw["source"]),
        verdict=Verdict(raw.get("verdict", Verdict.ELIGIBLE.value)),
        wait=_wait(raw.get("wait")),
        waiting=raw.get("waiting"),
        alternatives=tuple(raw.get("alternatives", ())),
    )


def _step(raw: dict[str, Any]) -> Step:
    delta = None
    if "hours" in raw or "days" in raw:
        delta = timedelta(hours=raw.get("hours", 0), days=raw.get("days", 0))
    opens, closes = (time.fromisoformat(t) for t in raw.get("business_hours", ("09:00", "18:00")))
    return Step(
        key=raw["key"],
        label=raw["label"],
        start=raw["from"],
        delta=delta,
        working_days=raw.get("working_days", 0),
        working_hours=raw.get("working_hours", 0),
        business_hours=(opens, closes),
        source=_source(raw.get("source")),
        adjusted_workdays=raw.get("adjusted_workdays", True),
    )


def _check(policy: PlatformPolicy) -> None:
    """What the schema cannot say: unique ids, platform prefixes, step order, template fields."""
    problems: list[str] = []
    seen: set[str] = set()
    for section, rule in _located_rules(policy):
        where = f"{section} {rule.id}"
        if rule.id in seen:
            problems.append(f"{where}: duplicate rule id")
        seen.add(rule.id)
        if not rule.id.startswith(f"{policy.platform}."):
            problems.append(f"{where}: rule id must start with '{policy.platform}.'")
        allowed = BASE_FIELDS | (WAIT_FIELDS if rule.wait else set())
        if "intervention_statuses" in rule.when:
            allowed |= INTERVENTION_FIELDS
        problems += _template_problems(f"{where}: explanation", rule.explanation, allowed)
        if rule.waiting:
            problems += _template_problems(
                f"{where}: waiting", rule.waiting, allowed | WAITING_FIELDS
            )
    keys = {"opened"}
    for step in policy.steps:
        if step.start not in keys:
            problems.append(
                f"intervention step {step.key}: 'from: {step.start}' is not 'opened' or an earlier step"
            )
        keys.add(step.key)
    item = {"label", "time"}
    problems += _template_problems(
        "labels.yml templates.deadline_line", policy.labels.deadline_item, item
    )
    if problems:
        raise PolicyError(f"{policy.file}:\n  " + "\n  ".join(problems))


def _located_rules(policy: PlatformPolicy) -> Iterator[tuple[str, Rule]]:
    yield from (("gates", r) for r in policy.gates)
    yield from (("paths", r) for r in policy.paths)
    yield "otherwise", policy.otherwise


def _template_problems(where: str, text: str, allowed: set[str] | frozenset[str]) -> list[str]:
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    except ValueError as e:
        return [f"{where}: bad template: {e}"]
    roots = {name.split("[")[0].split(".")[0] for name in names}
    problems = [f"{where}: unknown field {{{root}}}" for root in sorted(roots - set(allowed))]
    times = set(_schema()["$defs"]["field"]["enum"])
    for name in names:
        field = name.split("[", 1)[1][:-1] if "[" in name else None
        if field is not None and field not in times:
            problems.append(f"{where}: {{{name}}} is not a timestamp field")
    return problems
