"""Which of a buyer's orders fit a reported problem (criteria in kb/problems.yml)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from jieru.rules.facts import AfterSaleFacts, OrderFacts
from jieru.rules.transitions import SETTLED_AFTERSALE_STATUSES
from jieru.text import is_chinese

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


def _bigrams(text: str) -> set[str]:
    """Adjacent pairs of Chinese characters: the smallest piece of a product name."""
    return {a + b for a, b in zip(text, text[1:], strict=False) if is_chinese(a) and is_chinese(b)}


def pick(
    candidates: Sequence[OrderFacts], said: str, ordinals: Mapping[str, int]
) -> OrderFacts | None:
    """The one candidate the buyer's words point at, or None.

    ``said`` is the buyer's message (simplified). An ordinal word of ``ordinals``
    ("第二" → 2, "最后" → -1) picks by position in ``candidates`` as they were shown;
    otherwise words of exactly one candidate's title ("耳机那单") pick it. Title words
    that several candidates share tell nothing and are ignored.
    """
    for word, position in ordinals.items():
        if word in said:
            index = position - 1 if position > 0 else len(candidates) + position
            return candidates[index] if 0 <= index < len(candidates) else None
    words = [_bigrams(o.title) for o in candidates]
    shared = {w for i, ws in enumerate(words) for w in ws if any(w in o for o in words[i + 1 :])}
    said_words = _bigrams(said)
    hits = [o for o, ws in zip(candidates, words, strict=True) if (ws - shared) & said_words]
    return hits[0] if len(hits) == 1 else None
