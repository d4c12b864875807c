"""Models and the constraints the database itself enforces, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert, literal, select, text, update
from sqlalchemy.exc import IntegrityError, StatementError

from jieru.db.models import AuditLog, Buyer, Intervention, Order, Shop
from tests.rows import aftersale_row, order_row

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 10, 9, 12, 30, 123456, tzinfo=SHANGHAI)


def _seed(session, *, aftersale_status="merchant_rejected"):
    session.add_all(
        [
            Buyer(id="b1", name="李四"),
            Shop(id="s1", name="旗舰店", platform="tmall"),
            order_row(
                "12345678",
                buyer_id="b1",
                shop_id="s1",
                title="电饭煲",
                amount_fen=29900,
                created_at=T0,
            ),
        ]
    )
    session.flush()
    session.add(
        aftersale_row(
            "AS-1",
            order_id="12345678",
            status=aftersale_status,
            requested_at=T0 + timedelta(days=2),
        )
    )
    session.flush()


def test_times_come_back_aware_utc_and_the_same_instant(session_factory):
    with session_factory.begin() as s:
        _seed(s)
    with session_factory() as s:
        order = s.get(Order, "12345678")
        assert order.created_at == T0
        assert order.created_at.utcoffset() == timedelta(0)
        assert order.created_at.astimezone(SHANGHAI).hour == 9
        assert order.created_at.microsecond == 123456
        assert order.paid_at is None


def test_time_comparisons_in_queries_use_the_instant(session_factory):
    with session_factory.begin() as s:
        _seed(s)
    with session_factory() as s:
        just_before = (T0 - timedelta(seconds=1)).astimezone(timezone(timedelta(hours=-5)))
        assert s.scalars(select(Order.id).where(Order.created_at > just_before)).all() == [
            "12345678"
        ]
        assert s.scalars(select(Order.id).where(Order.created_at > T0)).all() == []


def test_naive_datetimes_are_refused(session_factory):
    with session_factory() as s, pytest.raises(StatementError, match="naive datetime"):
        s.add(Buyer(id="b1", name="x"))
        s.add(Shop(id="s1", name="x", platform="jd"))
        s.add(
            order_row(
                "12345678",
                buyer_id="b1",
                shop_id="s1",
                title="t",
                goods_type="virtual",
                amount_fen=1,
                payment_method="cod",
                status="completed",
                created_at=datetime(2026, 1, 1, 12, 0),
            )
        )
        s.flush()


def test_defaults_are_evaluated_per_row_from_the_clock(session_factory, monkeypatch):
    monkeypatch.setenv("JIERU_CLOCK", "2026-11-20T10:00:00+08:00")
    with session_factory.begin() as s:
        s.add(AuditLog(actor="bot", action="a", entity="e", entity_id="1"))
    monkeypatch.setenv("JIERU_CLOCK", "2026-11-21T10:00:00+08:00")
    with session_factory.begin() as s:
        s.add(AuditLog(actor="bot", action="a", entity="e", entity_id="2"))
    with session_factory() as s:
        rows = s.scalars(select(AuditLog).order_by(AuditLog.id)).all()
    assert [r.at for r in rows] == [
        datetime(2026, 11, 20, 2, tzinfo=timezone.utc),
        datetime(2026, 11, 21, 2, tzinfo=timezone.utc),
    ]
    assert rows[0].detail == {}


def test_foreign_keys_are_enforced(session_factory):
    with session_factory() as s, pytest.raises(IntegrityError):
        s.add(
            order_row(
                "12345678",
                buyer_id="nobody",
                shop_id="nowhere",
                title="t",
                amount_fen=1,
                status="shipped",
                created_at=T0,
            )
        )
        s.flush()


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("status", "teleported"),
        ("goods_type", "service"),
        ("amount_fen", -1),
        ("id", "1234"),
    ],
)
def test_check_constraints_refuse_bad_rows_written_around_the_orm(session_factory, column, value):
    with session_factory.begin() as s:
        _seed(s)
    with session_factory() as s, pytest.raises(IntegrityError):
        # A bound value typed as itself (not as the column), so only the database stands in the way.
        s.execute(
            update(Order.__table__)
            .where(Order.__table__.c.id == "12345678")
            .values({column: literal(value)})
        )


def test_enum_values_are_validated_before_reaching_the_database(session_factory):
    with session_factory() as s, pytest.raises(StatementError, match="teleported"):
        s.add(Shop(id="s1", name="x", platform="teleported"))
        s.flush()


def _intervention_row(number, status, aftersale_id="AS-1"):
    return {
        "number": number,
        "aftersale_id": aftersale_id,
        "status": status,
        "opened_at": T0,
        "source": "bot",
    }


def test_database_allows_one_open_intervention_per_service_order(session_factory):
    with session_factory.begin() as s:
        _seed(s)
        s.execute(
            insert(Intervention),
            [
                _intervention_row("J-1", "decided"),
                _intervention_row("J-2", "withdrawn"),
                _intervention_row("J-3", "submitted"),
            ],
        )
    for status in ("submitted", "evidence", "review"):
        with session_factory() as s, pytest.raises(IntegrityError, match="aftersale_id"):
            s.execute(insert(Intervention), [_intervention_row("J-9", status)])
            s.commit()
    # Once the open one is closed, a new one may be opened.
    with session_factory.begin() as s:
        s.execute(
            update(Intervention).where(Intervention.number == "J-3").values(status="withdrawn")
        )
        s.execute(insert(Intervention), [_intervention_row("J-4", "evidence")])
    with session_factory() as s:
        assert s.scalars(
            select(Intervention.number).where(
                Intervention.status.in_(["submitted", "evidence", "review"])
            )
        ).all() == ["J-4"]


def test_intervention_numbers_are_unique(session_factory):
    with session_factory.begin() as s:
        _seed(s)
        s.add(
            aftersale_row(
                "AS-2", order_id="12345678", type="exchange", status="requested", requested_at=T0
            )
        )
        s.execute(insert(Intervention), [_intervention_row("J-1", "decided")])
    with session_factory() as s, pytest.raises(IntegrityError):
        s.execute(insert(Intervention), [_intervention_row("J-1", "submitted", "AS-2")])


def test_the_partial_index_exists_in_the_database(engine, session_factory):
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            sql = conn.scalar(
                text("SELECT sql FROM sqlite_master WHERE name = :n"),
                {"n": "uq_interventions_one_open_per_aftersale"},
            )
        else:
            sql = conn.scalar(
                text("SELECT indexdef FROM pg_indexes WHERE indexname = :n"),
                {"n": "uq_interventions_one_open_per_aftersale"},
            )
    assert "UNIQUE" in sql.upper() and "WHERE" in sql.upper()


def test_relationships_load_in_order(session_factory):
    with session_factory.begin() as s:
        _seed(s)
        s.add(
            aftersale_row(
                "AS-0",
                order_id="12345678",
                type="exchange",
                status="requested",
                requested_at=T0 + timedelta(hours=1),
            )
        )
    with session_factory() as s:
        order = s.get(Order, "12345678")
        assert [a.id for a in order.aftersales] == ["AS-0", "AS-1"]
        assert order.shop.platform == "tmall" and order.buyer.orders == [order]
        assert order.aftersales[0].locked is False
