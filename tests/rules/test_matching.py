"""Choosing one of the orders offered from the buyer's words (jieru.rules.matching.pick)."""

from __future__ import annotations

import pytest

from jieru.rules.matching import pick

from .factories import make_order

ORDINALS = {"第一": 1, "第二": 2, "第三": 3, "最后": -1}
SHOWN = (
    make_order(id="1001", title="蓝牙耳机 降噪版"),
    make_order(id="1002", title="羊毛大衣 黑色"),
    make_order(id="1003", title="头戴式耳机 黑色"),
)


@pytest.mark.parametrize(
    ("said", "chosen"),
    [
        ("第二个", "1002"),
        ("最后一个", "1003"),
        ("第一单吧", "1001"),
        ("大衣那单", "1002"),
        ("是头戴式那个", "1003"),
        ("蓝牙的", "1001"),
        # Words several titles share ("耳机", "黑色") tell nothing; nor do unrelated words.
        ("耳机那单", None),
        ("黑色那个", None),
        ("卖家拒绝退款", None),
        ("", None),
    ],
)
def test_pick_by_position_or_by_words_of_one_title(said, chosen):
    found = pick(SHOWN, said, ORDINALS)
    assert (found.id if found else None) == chosen


def test_a_position_beyond_the_list_picks_nothing():
    assert pick(SHOWN[:1], "第三个", ORDINALS) is None
    assert pick(SHOWN, "第二个", {}) is None  # no list shown: ordinals do not count
