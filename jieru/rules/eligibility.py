"""May the buyer ask the platform to intervene now? A pure function of the facts, the time and the policy.

A policy (``kb/policies/<platform>.yml``) has three parts, applied in this order:

1. ``gates``: tried in file order; the first whose ``when`` matches decides alone
   (an open intervention, a payment method the platform does not cover, no service order…).
2. ``paths``: every way of becoming eligible whose ``when`` matches. A path without a
   ``wait`` is eligible at once; with one, from ``<timestamp field> + duration``. The
   first eligible path wins, otherwise the one that opens soonest gives NOT_YET.
3. ``otherwise``: when nothing above matched.

All wording, thresholds and sources come from the policy; this module only knows the
condition kinds below.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import fields
from datetime import datetime
from typing import Any

from jieru.rules.deadlines import (
    describe_deadlines,
    format_duration,
    format_time,
    intervention_deadlines,
)
from jieru.rules.facts import AfterSaleFacts, Decision, InterventionFacts, OrderFacts, Verdict
from jieru.rules.policy import PlatformPolicy, Rule
from jieru.rules.transitions import SETTLED_AFTERSALE_STATUSES

__all__ = ["evaluate", "intervention_deadlines", "select_aftersale"]

_AFTERSALE_FIELDS = frozenset(f.name for f in fields(AfterSaleFacts))


def _opens(decision: Decision) -> datetime:
    """When a waiting path's NOT_YET decision opens (every such decision carries the time)."""
    assert decision.eligible_from is not None, decision
    return decision.eligible_from


def select_aftersale(order: OrderFacts, policy: PlatformPolicy) -> AfterSaleFacts | None:
    """The service order the buyer most likely means: one under intervention, else the latest
    unfinished one, else the latest; None when the order has none."""
    return max(
        order.aftersales,
        key=lambda a: (
            a.open_intervention is not None,
            a.status not in SETTLED_AFTERSALE_STATUSES,
            a.requested_at,
            a.id,
        ),
        default=None,
    )


def evaluate(
    order: OrderFacts, *, now: datetime, policy: PlatformPolicy, aftersale_id: str | None = None
) -> Decision:
    """The eligibility of ``order`` (its service order ``aftersale_id``, or the most relevant one) at ``now``."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if order.platform != policy.platform:
        raise ValueError(
            f"order {order.id} is on {order.platform}, policy is for {policy.platform}"
        )
    if aftersale_id is None:
        aftersale = select_aftersale(order, policy)
    else:
        aftersale = next((a for a in order.aftersales if a.id == aftersale_id), None)
        if aftersale is None:
            raise ValueError(f"order {order.id} has no service order {aftersale_id}")
    case = _Case(order, aftersale, now, policy)

    for gate in policy.gates:
        if case.matches(gate.when):
            return case.gate(gate)
    outcomes = [case.path(p) for p in policy.paths if case.matches(p.when) and case.can_wait(p)]
    eligible = [d for d in outcomes if d.verdict is Verdict.ELIGIBLE]
    if eligible:
        return eligible[0]
    if outcomes:
        return min(outcomes, key=_opens)
    return case.gate(policy.otherwise)


class _Fallback(dict):
    """Template values; a value the facts do not have reads as a dash rather than failing."""

    def __missing__(self, key: str) -> str:
        return "—"


class _Case:
    """One order and service order at one instant, seen through one policy."""

    def __init__(
        self,
        order: OrderFacts,
        aftersale: AfterSaleFacts | None,
        now: datetime,
        policy: PlatformPolicy,
    ):
        self.order, self.aftersale, self.now, self.policy = order, aftersale, now, policy

    # --- conditions -------------------------------------------------------------------------
    def time(self, name: str) -> datetime | None:
        """A timestamp field of the service order or, failing that name, of the order."""
        if name in _AFTERSALE_FIELDS:
            return getattr(self.aftersale, name) if self.aftersale else None
        return getattr(self.order, name)

    def later(self, a: str, b: str) -> bool:
        first, second = self.time(a), self.time(b)
        return first is not None and (second is None or first > second)

    def interventions(self, statuses: list[str]) -> list[InterventionFacts]:
        found = self.aftersale.interventions if self.aftersale else ()
        return sorted((i for i in found if i.status in statuses), key=lambda i: i.opened_at)

    def matches(self, when: Mapping[str, Any]) -> bool:
        return all(_CONDITIONS[name](self, value) for name, value in when.items())

    def can_wait(self, rule: Rule) -> bool:
        return rule.wait is None or self.time(rule.wait.after) is not None

    # --- decisions --------------------------------------------------------------------------
    def gate(self, rule: Rule) -> Decision:
        values: dict[str, str] = {}
        number = stage = None
        deadlines: tuple[tuple[str, datetime], ...] = ()
        if "intervention_statuses" in rule.when:
            intervention = self.interventions(rule.when["intervention_statuses"])[-1]
            number, stage = intervention.number, intervention.status
            deadlines = tuple(
                intervention_deadlines(
                    self.policy,
                    intervention.opened_at,
                    evidence_due_at=intervention.evidence_due_at,
                )
            )
            values = {
                "intervention_number": number,
                "stage": self.policy.labels.stages[stage],
                "deadlines": describe_deadlines(list(deadlines), now=self.now, policy=self.policy),
            }
        return self.decision(
            rule,
            rule.verdict,
            rule.explanation,
            values,
            intervention_number=number,
            stage=stage,
            deadlines=deadlines,
            alternatives=rule.alternatives,
        )

    def path(self, rule: Rule) -> Decision:
        if rule.wait is None:
            return self.decision(rule, Verdict.ELIGIBLE, rule.explanation, {})
        anchor = self.time(rule.wait.after)
        assert anchor is not None  # can_wait() was checked
        due = anchor + rule.wait.duration
        values = {
            "anchor": self.format(anchor),
            "wait": rule.wait.label,
            "elapsed": format_duration(self.now - anchor),
        }
        if self.now >= due:
            return self.decision(rule, Verdict.ELIGIBLE, rule.explanation, values)
        values |= {
            "eligible_from": self.format(due),
            "remaining": format_duration(due - self.now, round_up=True),
        }
        assert rule.waiting is not None  # the schema requires it with a wait
        return self.decision(
            rule,
            Verdict.NOT_YET,
            rule.waiting,
            values,
            eligible_from=due,
            alternatives=rule.alternatives,
        )

    def decision(
        self, rule: Rule, verdict: Verdict, template: str, values: dict[str, str], **extra: Any
    ) -> Decision:
        return Decision(
            verdict=verdict,
            rule_id=rule.id,
            explanation=template.format_map(self.values() | values),
            source=str(rule.source),
            aftersale_id=self.aftersale.id if self.aftersale else None,
            **extra,
        )

    def values(self) -> _Fallback:
        # {at[paid_at]}: when it happened; {since[paid_at]}: how long ago ("5 天 3 小时").
        at, since = _Fallback(), _Fallback()
        for holder in (self.order, self.aftersale):
            for f in fields(holder) if holder else ():
                value = getattr(holder, f.name)
                if f.name.endswith("_at") and isinstance(value, datetime):
                    at[f.name] = self.format(value)
                    since[f.name] = format_duration(self.now - value)
        values = _Fallback(
            platform=self.policy.name,
            order_id=self.order.id,
            title=self.order.title,
            shop=self.order.shop_name,
            at=at,
            since=since,
        )
        if self.aftersale:
            values["aftersale_id"] = self.aftersale.id
            values["aftersale_status"] = self.policy.labels.aftersale_statuses[
                self.aftersale.status
            ]
        return values

    def format(self, moment: datetime) -> str:
        return format_time(moment, now=self.now, policy=self.policy)


# Condition kinds a policy's ``when`` may use (documented in kb/policies/README.md).
_CONDITIONS: dict[str, Callable[[_Case, Any], bool]] = {
    "has_aftersale": lambda c, v: bool(c.order.aftersales) == v,
    "self_operated": lambda c, v: c.order.self_operated == v,
    "payment_methods": lambda c, v: c.order.payment_method in v,
    "order_statuses": lambda c, v: c.order.status in v,
    "goods_types": lambda c, v: c.order.goods_type in v,
    "aftersale_types": lambda c, v: c.aftersale is not None and c.aftersale.type in v,
    "aftersale_statuses": lambda c, v: c.aftersale is not None and c.aftersale.status in v,
    "intervention_statuses": lambda c, v: bool(c.interventions(v)),
    "present": lambda c, v: all(c.time(name) is not None for name in v),
    "absent": lambda c, v: all(c.time(name) is None for name in v),
    "later": lambda c, v: c.later(*v),
}
