"""disputes.likely_case: the problem a description told where the form asked for the
problem suggests, on the demo orders (demo/orders.json)."""

from __future__ import annotations

import pytest

from jieru.services.disputes import likely_case
from tests.rules.factories import DEMO, load_orders

ORDERS = load_orders(DEMO)


@pytest.mark.parametrize(
    ("order", "said", "problem"),
    [
        # Refused, and the words tell a bad item (kb/problems.yml cues).
        ("2611150234567890", "床单被套洗一次全是小球 颜色也掉了", "report_bad_item"),
        # Delivered with no after-sale: "the item is bad" is the only case it fits.
        ("3913456789012", "桌布跟照片上的颜色完全两样", "report_bad_item"),
        # Refused: the words name which of the cases the order fits.
        ("250312345678", "耳机左耳没声音 商家说人为损坏拒绝退货", "report_refund_refused"),
    ],
)
def test_the_case_the_words_or_the_order_tell_is_suggested(order, said, problem):
    assert likely_case(said, ORDERS[order]) == problem


def test_nothing_is_suggested_when_the_order_fits_several_and_the_words_none():
    assert likely_case("耳机用着用着就不行了", ORDERS["250312345678"]) is None


def test_a_case_the_order_does_not_fit_is_not_suggested():
    # "坏了" on an order not shipped yet: the words' case does not fit; the order's one does.
    assert likely_case("说是库存坏了", ORDERS["2611190345678901"]) == "report_not_shipped"
