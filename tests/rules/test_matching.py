"""Choosing one of the orders offered from the buyer's words (jieru.rules.matching.pick),
and the order or the case any message names (named_order, named_problem)."""

from __future__ import annotations

import pytest

from jieru.rules.matching import mentioned, named_by_product, named_order, named_problem, pick

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


@pytest.mark.parametrize(
    ("said", "ids"),
    [
        ("头戴式的降噪一直有杂音", ["1003"]),  # 头戴, 戴式: a product word in full
        ("蓝牙耳机退不了", ["1001"]),  # 耳机 is shared, but 蓝牙, 牙耳 are 1001's alone
        ("耳机黑色款坏了", ["1003"]),  # 耳机 + 黑色: more of 1003's title than of the others'
        ("黑色耳机坏了", ["1003"]),
        ("耳机坏了", []),  # one pair of characters names no order alone
        ("在手机上怎么申请", []),
    ],
)
def test_a_product_word_in_full_names_the_orders_it_fits_best(said, ids):
    assert [o.id for o in named_by_product(SHOWN, said)] == ids


def test_orders_a_product_word_fits_alike_are_all_named():
    a = make_order(id="1", title="婴儿推车 蓝色")
    b = make_order(id="2", title="婴儿推车 粉色")
    assert [o.id for o in named_by_product([a, b], "婴儿推车刹车坏了")] == ["1", "2"]


@pytest.mark.parametrize(
    ("said", "ids"),
    [
        ("耳机那单", ["1001", "1003"]),  # a word two titles share: both may be meant
        ("黑色大衣", ["1002", "1003"]),
        ("我要投诉这个卖家", []),
    ],
)
def test_the_orders_a_product_word_mentions(said, ids):
    assert [o.id for o in mentioned(SHOWN, said)] == ids


# --- the order or the case the words name, whatever the intent ---

CUES = {
    "report_refund_refused": ["拒绝退款", "被拒"],
    "report_bad_item": ["坏了", "没声音"],
    "report_exchange_not_reshipped": ["换的"],
}


def test_a_product_names_an_order_only_with_a_word_that_points_at_one():
    earbuds = make_order(id="1", title="蓝牙耳机")
    coat = make_order(id="2", title="羊毛大衣")
    assert named_order([earbuds, coat], "是耳机那单", ["那单"]) is earbuds
    assert named_order([earbuds, coat], "耳机要准备什么证据", ["那单"]) is None
    assert named_order([earbuds, coat], "是那单", ["那单"]) is None


def test_a_latin_product_word_names_its_order_whatever_its_case():
    ipad = make_order(id="1", title="二手 iPad Air 5 64G 国行")
    phone = make_order(id="2", title="二手 iPhone 13 128G")
    assert named_order([ipad, phone], "闲鱼那个ipad 电池不对", ["那个"]) is ipad
    assert pick([ipad, phone], "IPHONE那单", {}) is phone
    # "5", "G" and the shared 二手 tell nothing.
    assert pick([ipad, phone], "二手那个5G的", {}) is None


@pytest.mark.parametrize(
    ("said", "problem"),
    [
        ("卖家拒绝退款了，能介入吗", "report_refund_refused"),
        ("左耳没声音，卖家拒绝退款", "report_refund_refused"),  # the longest cue
        ("京东什么情况可以介入", None),
    ],
)
def test_the_case_is_the_longest_cue_found(said, problem):
    assert named_problem(said, CUES) == problem


def test_a_case_the_order_does_not_fit_is_not_taken():
    said = "换的鞋寄回去被拒了"
    assert named_problem(said, CUES) == "report_refund_refused"
    fits = {"report_exchange_not_reshipped"}.__contains__
    assert named_problem(said, CUES, fits=fits) == "report_exchange_not_reshipped"
