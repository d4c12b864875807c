"""Which of a buyer's orders fit a reported problem (criteria in kb/problems.yml)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from jieru.rules.facts import AfterSaleFacts, OrderFacts
from jieru.rules.transitions import SETTLED_AFTERSALE_STATUSES

Criteria = Sequence[Mapping[str, Any]]


def _matches(entry: Mapping[str, Any], order: OrderFacts, aftersale: AfterSaleFacts | None) -> bool:
    if "order_status" in entry and order.status not in entry["order_status"]:
        return False
    if "aftersale_status" in entry or "aftersale_type" in entry:
        if aftersale is None:
            return False
        if aftersale.status not in entry.get("aftersale_status", (aftersale.status,)):
            return False
        if aftersale.type not in entry.get("aftersale_type", (aftersale.type,)):
            return False
    return True


def score(order: OrderFacts, criteria: Criteria) -> tuple[int, AfterSaleFacts | None]:
    """The best score of ``order`` under ``criteria`` (0: does not fit) and the service
    order that earned it (None when the order itself matched)."""
    live: list[AfterSaleFacts | None] = [
        a for a in order.aftersales if a.status not in SETTLED_AFTERSALE_STATUSES
    ]
    live = live or [None]
    best: tuple[int, AfterSaleFacts | None] = (0, None)
    for entry in criteria:
        for aftersale in live:
            if entry["score"] > best[0] and _matches(entry, order, aftersale):
                best = (entry["score"], aftersale)
    return best


def rank(orders: Iterable[OrderFacts], criteria: Criteria) -> list[OrderFacts]:
    """Orders that fit, most likely first; ties go to the most recent order."""
    scored = [(score(o, criteria)[0], o) for o in orders]
    fitting = [(s, o) for s, o in scored if s > 0]
    fitting.sort(key=lambda so: (so[0], so[1].created_at), reverse=True)
    return [o for _, o in fitting]
