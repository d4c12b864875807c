"""The repository the service layer calls: ownership, eager loading, audited writes."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from jieru.db import repository as repo
from jieru.db.models import AfterSale, AuditLog, Buyer, EvidenceItem, Intervention
from jieru.rules.facts import OrderFacts

SHANGHAI = ZoneInfo("Asia/Shanghai")
OPENED = datetime(2026, 11, 16, 9, 30, tzinfo=SHANGHAI)
ORDER, AFTERSALE, BUYER = "250312345678", "AS-70001", "b1001"


@pytest.fixture
def example(load_example, session_factory):
    """The shared example plus a second buyer with an order of their own."""
    load_example()
    with session_factory.begin() as s:
        s.add(Buyer(id="b2002", name="王五"))
    return session_factory


def _open(s, number="JD-1", **overrides):
    args = dict(
        aftersale_id=AFTERSALE,
        number=number,
        problem="report_refund_refused",
        description="商家拒绝退款,耳机左耳无声",
        evidence=[("photo", "耳机照片"), ("chat_record", "聊天记录")],
        opened_at=OPENED,
        evidence_due_at=OPENED + timedelta(days=3),
        decision_due_at=OPENED + timedelta(days=7),
        actor="bot",
    )
    return repo.open_intervention(s, **{**args, **overrides})


def _complain(s):
    return repo.create_complaint(
        s,
        number="TS-1",
        buyer_id=BUYER,
        shop_id="s-tb-01",
        order_id="3901122334455",
        category="delay_shipment",
        description="付款两周未发货",
        actor="bot",
    )


def _hand_off(s):
    return repo.create_handoff(
        s,
        conversation_id="conv-9",
        buyer_id=None,
        reason="no_rule",
        summary="买家询问闲鱼介入流程",
        actor="bot",
    )


def _add_logistics(s):
    return repo.add_evidence(
        s, number="JD-1", kind="logistics", description="退货单号 SF123", actor="bot"
    )


def _audit(session_factory):
    with session_factory() as s:
        return s.execute(
            select(AuditLog.actor, AuditLog.action, AuditLog.entity, AuditLog.entity_id).order_by(
                AuditLog.id
            )
        ).all()


def test_get_order_only_for_its_buyer(example):
    with example() as s:
        order = repo.get_order(s, buyer_id=BUYER, order_id=ORDER)
        assert order is not None and order.title == "蓝牙耳机"
        assert repo.get_order(s, buyer_id="b2002", order_id=ORDER) is None
        assert repo.get_order(s, buyer_id=BUYER, order_id="999999999") is None
        assert repo.get_aftersale(s, buyer_id="b2002", aftersale_id=AFTERSALE) is None
        assert repo.get_aftersale(s, buyer_id=BUYER, aftersale_id=AFTERSALE).order.id == ORDER


def test_list_orders_newest_first_and_usable_after_the_session(example):
    with example() as s:
        orders = repo.list_orders(s, buyer_id=BUYER)
        assert repo.list_orders(s, buyer_id="b2002") == []
    # Everything the bot shows was loaded eagerly: no lazy load on a closed session.
    assert [o.id for o in orders] == [ORDER, "3901122334455"]
    assert [a.id for a in orders[0].aftersales] == [AFTERSALE]
    assert orders[0].aftersales[0].interventions == []
    assert orders[0].aftersales[0].dispute.status == "open"
    assert orders[1].shop.platform == "taobao"


def test_open_intervention_locks_stores_evidence_and_audits(example):
    with example.begin() as s:
        filed = _open(s)
        assert filed.status == "submitted" and filed.source == "bot"
    with example() as s:
        intervention = repo.get_intervention(s, buyer_id=BUYER, number="JD-1")
        assert [(e.kind, e.description) for e in intervention.evidence] == [
            ("photo", "耳机照片"),
            ("chat_record", "聊天记录"),
        ]
        assert intervention.aftersale.locked is True
        assert intervention.opened_at == OPENED
        assert repo.get_intervention(s, buyer_id="b2002", number="JD-1") is None
        assert repo.find_open_intervention(s, aftersale_id=AFTERSALE).number == "JD-1"
    assert _audit(example)[-1] == ("bot", "open_intervention", "interventions", "JD-1")


def test_second_open_intervention_is_refused_with_the_existing_one(example, row_counts):
    with example.begin() as s:
        _open(s)
    before = row_counts()
    with pytest.raises(repo.AlreadyInIntervention) as caught, example.begin() as s:
        _open(s, number="JD-2")
    assert caught.value.intervention.number == "JD-1"
    assert row_counts() == before


def test_losing_a_race_is_reported_the_same_way(example, row_counts, monkeypatch):
    """The pre-check misses a concurrent filing; the unique index catches it, the savepoint
    keeps the transaction usable and the winner is reported."""
    with example.begin() as s:
        _open(s)
    real = repo.find_open_intervention
    calls = []

    def blind_first_time(session, *, aftersale_id):
        calls.append(aftersale_id)
        return None if len(calls) == 1 else real(session, aftersale_id=aftersale_id)

    monkeypatch.setattr(repo, "find_open_intervention", blind_first_time)
    before = row_counts()
    with example.begin() as s:
        with pytest.raises(repo.AlreadyInIntervention) as caught:
            _open(s, number="JD-2")
        assert caught.value.intervention.number == "JD-1"
        # The transaction is still usable after the failed savepoint.
        assert s.get(AfterSale, AFTERSALE).locked is True
    assert len(calls) == 2 and row_counts() == before


def test_open_intervention_on_a_missing_service_order(example, row_counts):
    before = row_counts()
    with pytest.raises(repo.NotFound), example.begin() as s:
        _open(s, aftersale_id="AS-none")
    assert row_counts() == before


def test_add_evidence(example):
    with example.begin() as s:
        _open(s, evidence=[])
        _add_logistics(s)
    with example() as s:
        assert s.scalars(select(EvidenceItem.kind)).all() == ["logistics"]
    assert _audit(example)[-1][1] == "add_evidence"


def test_complaint_and_handoff_are_audited(example):
    with example.begin() as s:
        complaint = _complain(s)
        handoff = _hand_off(s)
        assert complaint.status == "submitted" and handoff.status == "open"
        handoff_id = str(handoff.id)
    assert _audit(example)[-2:] == [
        ("bot", "create_complaint", "complaints", "TS-1"),
        ("bot", "create_handoff", "handoffs", handoff_id),
    ]


def test_every_bot_write_leaves_one_audit_row(example):
    with example() as s:
        start = s.scalar(select(func.count()).select_from(AuditLog))
    with example.begin() as s:
        _open(s, evidence=[])
        _add_logistics(s)
        _complain(s)
        _hand_off(s)
    with example() as s:
        assert s.scalar(select(func.count()).select_from(AuditLog)) == start + 4


def test_to_facts_maps_rows_to_pure_facts(example):
    with example.begin() as s:
        _open(s)
    with example() as s:
        facts = repo.to_facts(repo.get_order(s, buyer_id=BUYER, order_id=ORDER))
    assert isinstance(facts, OrderFacts)
    assert (facts.platform, facts.shop_name, facts.self_operated) == ("jd", "数码配件专营店", False)
    assert facts.amount == Decimal("199.00") and str(facts.amount) == "199.00"
    assert facts.delivered_at == datetime(2026, 11, 13, 11, 20, tzinfo=SHANGHAI)
    (aftersale,) = facts.aftersales
    assert aftersale.amount == Decimal("199.00")
    assert aftersale.merchant_rejected_at == datetime(2026, 11, 14, 18, 30, tzinfo=SHANGHAI)
    assert aftersale.dispute_opened_at == datetime(2026, 11, 15, 8, 0, tzinfo=SHANGHAI)
    assert aftersale.open_intervention.number == "JD-1"
    assert aftersale.open_intervention.evidence_due_at == OPENED + timedelta(days=3)


def test_yuan_is_exact():
    assert repo.yuan(1) == Decimal("0.01") and repo.yuan(123456789012) == Decimal("1234567890.12")
    assert repo.yuan(None) is None
    assert isinstance(Intervention(number="x").is_open, bool)
