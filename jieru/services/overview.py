"""What the bot says first when the buyer opens the chat: each open dispute with where it
stands and the ONE next step, e.g. "移动电源：商家已拒绝，现在可以申请京东介入".

How it is triggered (agreed with the widget's channel): when the widget opens a new
session (a fresh page load, not a reconnect) it sends one hidden user message
``/open_chat`` on the web channel, with the channel's buyer metadata like any message;
the widget does not show it as a buyer bubble. The rule ``open_chat`` →
``action_show_overview`` (bot/data/rules/intervention_overview.yml) answers with
``next_steps`` below as buttons, or the greeting when nothing is open. Rasa's
``action_session_start`` is left alone: it runs only when the buyer's first message
arrives, which is after they typed.

``next_steps`` is a pure function of the order facts, the time and the platforms'
policies (the eligibility engine decides); ``buyer_overview`` reads the buyer's orders.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from jieru import config
from jieru.db import repository
from jieru.kb.faq import load_checked
from jieru.kb.policy import load_policy
from jieru.rules.deadlines import format_time
from jieru.rules.eligibility import evaluate
from jieru.rules.facts import AfterSaleFacts, Decision, OrderFacts, Verdict
from jieru.rules.policy import PlatformPolicy
from jieru.rules.transitions import SETTLED_AFTERSALE_STATUSES
from jieru.services import transaction

# What a button does for each verdict: the intent its payload says about the order.
NEXT_INTENT = {
    Verdict.ELIGIBLE: "request_intervention",  # the bot decides again and offers to file
    Verdict.NOT_YET: "inform_order_id",  # the bot says from when, and offers a reminder
    Verdict.IN_PROGRESS: "check_progress",
    Verdict.NOT_APPLICABLE: "inform_order_id",  # the bot says why and what else to do
    Verdict.UNKNOWN: "request_human",
}
# Most urgent first: what the buyer can do now, then what is under way, then the wait.
PRIORITY = {
    Verdict.ELIGIBLE: 0,
    Verdict.IN_PROGRESS: 1,
    Verdict.NOT_YET: 2,
    Verdict.NOT_APPLICABLE: 3,
    Verdict.UNKNOWN: 4,
}


@dataclass(frozen=True)
class NextStep:
    order_id: str
    aftersale_id: str
    verdict: Verdict
    line: str  # Chinese, the button's title
    intent: str
    eligible_from: datetime | None = None

    @property
    def payload(self) -> str:
        return f"/{self.intent}{json.dumps({'order_id': self.order_id})}"


def _templates() -> dict[str, str]:
    return load_checked("widget.yml", "widget.schema.json")["next_steps"]


def is_open(aftersale: AfterSaleFacts, policy: PlatformPolicy) -> bool:
    """A dispute still to act on: an open intervention, or a service order not settled."""
    return (
        aftersale.open_intervention is not None
        or aftersale.status not in SETTLED_AFTERSALE_STATUSES
    )


def next_step(
    order: OrderFacts,
    aftersale: AfterSaleFacts,
    decision: Decision,
    *,
    now: datetime,
    policy: PlatformPolicy,
) -> NextStep:
    """The one thing to tell (and offer) about one service order, given the engine's decision."""
    t = _templates()
    platform = policy.name
    verdict = decision.verdict
    if verdict is Verdict.ELIGIBLE:
        step = t["eligible"].format(platform=platform)
    elif verdict is Verdict.NOT_YET and decision.eligible_from is not None:
        step = t["not_yet"].format(
            platform=platform, time=format_time(decision.eligible_from, now=now, policy=policy)
        )
    elif verdict is Verdict.IN_PROGRESS:
        stage = policy.labels.stages.get(decision.stage or "submitted", decision.stage or "")
        intervention = aftersale.open_intervention
        due = intervention.evidence_due_at if intervention else None
        if due is not None and due > now:
            step = t["in_progress_due"].format(
                platform=platform, stage=stage, due=format_time(due, now=now, policy=policy)
            )
        else:
            step = t["in_progress"].format(platform=platform, stage=stage)
    elif verdict is Verdict.NOT_APPLICABLE:
        step = t["not_applicable"]
    else:
        step = t["unknown"]
    status = policy.labels.aftersale_statuses.get(aftersale.status, aftersale.status)
    line = t["line"].format(title=order.title, status=status, step=step)
    return NextStep(
        order.id, aftersale.id, verdict, line, NEXT_INTENT[verdict], decision.eligible_from
    )


def next_steps(orders: list[OrderFacts], *, now: datetime) -> list[NextStep]:
    """Every open dispute of these orders with its next step, most urgent first."""
    steps: list[tuple[int, float, NextStep]] = []
    for order in orders:
        policy = load_policy(order.platform)
        for aftersale in order.aftersales:
            if not is_open(aftersale, policy):
                continue
            decision = evaluate(order, now=now, policy=policy, aftersale_id=aftersale.id)
            step = next_step(order, aftersale, decision, now=now, policy=policy)
            steps.append((PRIORITY[step.verdict], -aftersale.requested_at.timestamp(), step))
    return [s for *_, s in sorted(steps, key=lambda x: (x[0], x[1]))]


def buyer_overview(*, buyer_id: str) -> list[NextStep]:
    """The buyer's open disputes with their next steps, now."""
    with transaction() as session:
        orders = [
            repository.to_facts(o) for o in repository.list_orders(session, buyer_id=buyer_id)
        ]
    return next_steps(orders, now=config.now())
