"""The agent queue's services: a real database per test (SQLite and PostgreSQL) with one
buyer's rejected JD refund, the clock pinned, and a fake Rasa API."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.fake_rasa import fake_rasa  # noqa: F401  (a fixture)

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI)  # a Tuesday, within working hours
BUYER, ORDER, AFTERSALE = "b1", "250399887766", "AS-90001"


@pytest.fixture
def agents_db(monkeypatch: pytest.MonkeyPatch, db_url: str, session_factory):
    """A database the services use, the clock pinned at ``NOW``, with one buyer and a
    JD order whose refund the seller rejected."""
    from jieru.db.models import Buyer, Shop
    from tests.rows import aftersale_row, order_row

    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("JIERU_CLOCK", NOW.isoformat())
    with session_factory.begin() as s:
        s.add_all(
            [
                Buyer(id=BUYER, name="张三"),
                Buyer(id="b2", name="李四"),
                Shop(id="s-jd", name="耳机小店", platform="jd", self_operated=False),
            ]
        )
        s.flush()
        s.add(
            order_row(
                ORDER,
                buyer_id=BUYER,
                shop_id="s-jd",
                title="蓝牙耳机",
                amount_fen=19900,
                created_at=datetime(2026, 11, 20, 9, 0, tzinfo=SHANGHAI),
                paid_at=datetime(2026, 11, 20, 9, 1, tzinfo=SHANGHAI),
                shipped_at=datetime(2026, 11, 21, 9, 0, tzinfo=SHANGHAI),
                delivered_at=datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI),
            )
        )
        s.flush()
        s.add(
            aftersale_row(
                AFTERSALE,
                order_id=ORDER,
                reason="左耳无声",
                amount_fen=19900,
                requested_at=datetime(2026, 11, 25, 9, 0, tzinfo=SHANGHAI),
                merchant_rejected_at=datetime(2026, 11, 26, 9, 0, tzinfo=SHANGHAI),
            )
        )
    return session_factory
