"""For the widget's services (uploads, overview, reminders): a database with the example
orders, an open JD intervention of buyer b1001 and one of another buyer. The stand-in for
the Rasa server's HTTP API is ``fake_rasa`` (tests/fake_rasa.py)."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from jieru.db import repository
from jieru.db.models import Buyer, Intervention
from jieru.importer import import_orders
from tests.rows import aftersale_row, order_row
from tests.s3_server import s3_bucket, s3_server  # noqa: F401  (fixtures)
from tests.services.agents_fixtures import agents_db, fake_rasa  # noqa: F401  (fixtures)

NOW = "2026-11-17T12:00:00+08:00"
MINE = "JR20261117000001"
THEIRS = "JR20261117000002"


@dataclass(frozen=True)
class WidgetDb:
    session_factory: sessionmaker[Session]
    evidence_dir: Path


# The buyer and JD order of shared/fixtures/example-orders.json, written here so that the
# widget's tests do not depend on a folder beside the checkout.
ORDERS = {
    "version": 1,
    "buyers": [{"id": "b1001", "name": "张三"}],
    "shops": [
        {"id": "s-jd-01", "name": "数码配件专营店", "platform": "jd"},
        {"id": "s-tb-01", "name": "小鹿女装", "platform": "taobao"},
    ],
    "orders": [
        {
            "id": "250312345678",
            "buyer_id": "b1001",
            "shop_id": "s-jd-01",
            "title": "蓝牙耳机",
            "goods_type": "physical",
            "amount": "199.00",
            "payment_method": "online",
            "status": "delivered",
            "created_at": "2026-11-10T09:12:00+08:00",
            "paid_at": "2026-11-10T09:13:00+08:00",
            "shipped_at": "2026-11-11T15:00:00+08:00",
            "delivered_at": "2026-11-13T11:20:00+08:00",
            "aftersales": [
                {
                    "id": "AS-70001",
                    "type": "return_refund",
                    "status": "merchant_rejected",
                    "reason": "左耳无声音",
                    "amount": "199.00",
                    "requested_at": "2026-11-14T10:00:00+08:00",
                    "merchant_rejected_at": "2026-11-14T18:30:00+08:00",
                    "dispute_opened_at": "2026-11-15T08:00:00+08:00",
                }
            ],
        },
        {
            "id": "3901122334455",
            "buyer_id": "b1001",
            "shop_id": "s-tb-01",
            "title": "羊毛大衣",
            "goods_type": "physical",
            "amount": "459.00",
            "payment_method": "online",
            "status": "awaiting_shipment",
            "created_at": "2026-11-01T20:00:00+08:00",
            "paid_at": "2026-11-01T20:01:00+08:00",
        },
    ],
}


def load_orders(session_factory: sessionmaker[Session], data: dict | None = None) -> None:
    """Import ``data`` (default ``ORDERS``) as the importer does."""
    with session_factory.begin() as session:
        report = import_orders(copy.deepcopy(data or ORDERS), session)
    assert report.ok, report.problems


def add_other_buyer(session: Session) -> None:
    """Buyer b2002 with a JD order whose refund was rejected and an open intervention."""
    at = datetime.fromisoformat("2026-11-15T09:00:00+08:00")
    session.add(Buyer(id="b2002", name="李四"))
    session.add(
        order_row(
            "250399990000",
            buyer_id="b2002",
            shop_id="s-jd-01",
            title="移动电源",
            amount_fen=9900,
            created_at=at,
            paid_at=at,
        )
    )
    session.add(
        aftersale_row("AS-90001", order_id="250399990000", requested_at=at, merchant_rejected_at=at)
    )
    session.flush()
    repository.open_intervention(
        session,
        aftersale_id="AS-90001",
        number=THEIRS,
        problem="report_refund_refused",
        description="不退款",
        evidence=[],
        opened_at=at,
        evidence_due_at=None,
        decision_due_at=None,
        actor="test",
    )


@pytest.fixture
def orders_db(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, db_url: str, session_factory
) -> WidgetDb:
    """``ORDERS`` in a fresh database the services use, the clock pinned to ``NOW``."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("JIERU_CLOCK", NOW)
    monkeypatch.setenv("JIERU_EVIDENCE_DIR", str(tmp_path / "evidence"))
    monkeypatch.delenv("JIERU_EVIDENCE_STORAGE", raising=False)
    load_orders(session_factory)
    return WidgetDb(session_factory, tmp_path / "evidence")


@pytest.fixture
def widget_db(orders_db: WidgetDb) -> WidgetDb:
    """``orders_db`` with b1001's open intervention ``MINE`` and b2002's ``THEIRS``."""
    with orders_db.session_factory.begin() as session:
        repository.open_intervention(
            session,
            aftersale_id="AS-70001",
            number=MINE,
            problem="report_refund_refused",
            description="耳机左耳没声音",
            evidence=[("chat_record", "聊天记录")],
            opened_at=datetime.fromisoformat(NOW),
            evidence_due_at=datetime.fromisoformat("2026-11-20T12:00:00+08:00"),
            decision_due_at=None,
            actor="test",
        )
        add_other_buyer(session)
    return orders_db


def stored_files(root: Path) -> list[Path]:
    """Every file kept under the evidence folder (temporary ones included)."""
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def interventions(session_factory: sessionmaker[Session]) -> dict[str, Intervention]:
    with session_factory() as s:
        return {i.number: i for i in s.query(Intervention)}
