"""Which of a buyer's orders fit a reported problem (criteria in kb/problems.yml)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from jieru.rules.facts import AfterSaleFacts, OrderFacts
from jieru.rules.transitions import SETTLED_AFTERSALE_STATUSES
from jieru.text import is_chinese

# A Latin word in a product title or a message: "iPad", "AirPods" ("5", "64G" say too
# little alone).
_LATIN_WORD = re.compile(r"[A-Za-z]{3,}")

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


def _pieces(text: str) -> set[str]:
    """The smallest pieces of a product name: adjacent pairs of Chinese characters, and
    Latin words of three letters or more, lower-cased ("iPad" of 二手 iPad Air 5)."""
    pairs = {a + b for a, b in zip(text, text[1:], strict=False) if is_chinese(a) and is_chinese(b)}
    return pairs | {w.lower() for w in _LATIN_WORD.findall(text)}


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
    words = [_pieces(o.title) for o in candidates]
    shared = {w for i, ws in enumerate(words) for w in ws if any(w in o for o in words[i + 1 :])}
    said_words = _pieces(said)
    hits = [o for o, ws in zip(candidates, words, strict=True) if (ws - shared) & said_words]
    return hits[0] if len(hits) == 1 else None


def mentioned(orders: Sequence[OrderFacts], said: str) -> list[OrderFacts]:
    """The orders a product word of which occurs in the words ("耳机" names both 蓝牙耳机
    and 降噪耳机), in the given order: the ones a buyer may mean when no single one is named."""
    said_words = _pieces(said)
    return [o for o in orders if _pieces(o.title) & said_words]


def named_by_product(orders: Sequence[OrderFacts], said: str, least: int = 2) -> list[OrderFacts]:
    """The orders the words name by a product word of at least ``least`` + 1 characters
    of their title ("婴儿推车" of 好孩子轻便婴儿推车, "王者…点券" of 王者荣耀 600 点券),
    without a word that points at an order: only the best-matched, in the given order.
    One pair of characters ("手机" of 手机壳) is too little: "在手机上怎么申请" names none."""
    said_words = _pieces(said)
    hits = [(len(_pieces(o.title) & said_words), o) for o in orders]
    best = max((n for n, _ in hits), default=0)
    return [o for n, o in hits if n == best] if best >= least else []


def named_order(
    orders: Sequence[OrderFacts], said: str, references: Iterable[str]
) -> OrderFacts | None:
    """The one order the words refer to by its product ("猕猴桃那单", "是空气炸锅那个"),
    among all of ``orders``, or None. Only words that point at an order (``references``:
    "那单", "那个") make a product word a reference: "在手机上怎么申请" names no 手机壳."""
    if not any(r in said for r in references):
        return None
    return pick(orders, said, {})


def named_problem(
    said: str, cues: Mapping[str, Sequence[str]], fits: Callable[[str], bool] = lambda _: True
) -> str | None:
    """The problem the words say the buyer is in ("卖家拒绝退款了" → report_refund_refused):
    of the problems whose ``cues`` occur in ``said`` and that ``fits`` accepts, the one with
    the longest cue (the first in ``cues`` on a tie); None when no cue occurs."""
    best: tuple[int, str] | None = None
    for problem, words in cues.items():
        length = max((len(w) for w in words if w in said), default=0)
        if length and fits(problem) and (best is None or length > best[0]):
            best = (length, problem)
    return best[1] if best else None
