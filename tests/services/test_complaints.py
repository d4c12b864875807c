"""Which of the buyer's orders a complaint is about (jieru.services.complaints)."""

from __future__ import annotations

import pytest

from jieru.services.complaints import offered, order_meant
from tests.rules.factories import make_order

# Newest first, as the repository lists a buyer's orders.
ORDERS = [
    make_order(id="1001", title="蓝牙耳机 降噪版"),
    make_order(id="1002", title="羊毛大衣 黑色"),
    make_order(id="1003", title="头戴式耳机 黑色"),
    make_order(id="1004", title="机械键盘"),
]


@pytest.mark.parametrize(
    ("said", "ids"),
    [
        ("我要投诉这个卖家", ["1001", "1002", "1003"]),  # the newest
        ("耳机那单我要投诉", ["1001", "1003", "1002"]),  # both 耳机 first
        ("键盘那单", ["1004", "1001", "1002"]),
    ],
)
def test_the_order_question_offers_the_orders_mentioned_first(said, ids):
    assert [o.id for o in offered(ORDERS, said, 3)] == ids


@pytest.fixture
def b1001(monkeypatch, db_url, load_example):
    """The example orders of buyer b1001: 蓝牙耳机 (newest), 羊毛大衣."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    load_example()


@pytest.mark.parametrize(
    ("said", "answering", "chosen"),
    [
        ("羊毛大衣那单还不发货", False, "3901122334455"),
        ("羊毛大衣还不发货", False, None),  # no word points at an order
        ("羊毛大衣", True, "3901122334455"),  # the answer to "which order" is the reference
        ("第二个", True, "3901122334455"),
        ("第二个", False, None),  # no list shown: positions mean nothing
        ("冷制皂那单", False, None),  # another buyer's product
        ("耳机那单和大衣那单", False, None),  # two orders: the buyer is asked
    ],
)
def test_the_order_a_complaint_names(b1001, said, answering, chosen):
    found = order_meant(buyer_id="b1001", said=said, answering=answering)
    assert (found.id if found else None) == chosen
