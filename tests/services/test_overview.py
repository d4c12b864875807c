"""The disputes the bot shows first, each with ONE next step decided by the eligibility engine."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from jieru.rules.facts import AfterSaleFacts, InterventionFacts, OrderFacts, Verdict
from jieru.services import overview
from jieru.services.overview import NextStep

t = datetime.fromisoformat
REJECTED = {
    "merchant_rejected_at": t("2026-11-14T18:30:00+08:00"),
    "dispute_opened_at": t("2026-11-15T08:00:00+08:00"),
}


def order(number: str, title: str, status: str, **aftersale) -> OrderFacts:
    return OrderFacts(
        id=number,
        buyer_id="b1",
        platform="jd",
        shop_name="数码配件专营店",
        self_operated=False,
        title=title,
        goods_type="physical",
        amount=Decimal("99.00"),
        payment_method="online",
        status="delivered",
        created_at=t("2026-11-10T09:00:00+08:00"),
        paid_at=t("2026-11-10T09:00:00+08:00"),
        delivered_at=t("2026-11-12T09:00:00+08:00"),
        aftersales=(
            AfterSaleFacts(
                id=f"AS-{number}",
                type="refund",
                status=status,
                requested_at=t("2026-11-14T10:00:00+08:00"),
                **aftersale,
            ),
        ),
    )


POWER_BANK = order("250300000001", "移动电源", "merchant_rejected", **REJECTED)
CABLE = order("250300000002", "充电线", "refunded", refunded_at=t("2026-11-15T08:00:00+08:00"))
EARPHONES = order(
    "250300000003",
    "耳机",
    "merchant_rejected",
    **REJECTED,
    interventions=(
        InterventionFacts(
            number="JR1",
            status="evidence",
            opened_at=t("2026-11-16T21:00:00+08:00"),
            evidence_due_at=t("2026-11-19T21:00:00+08:00"),
        ),
    ),
)
KEYBOARD = order("250300000004", "键盘", "requested")
ALL = [CABLE, KEYBOARD, EARPHONES, POWER_BANK]


def test_one_next_step_per_open_dispute_most_urgent_first():
    steps = overview.next_steps(ALL, now=t("2026-11-17T12:00:00+08:00"))
    assert [(s.line, s.payload) for s in steps] == [
        (
            "移动电源：商家已拒绝，现在可以申请京东介入",
            '/request_intervention{"order_id": "250300000001"}',
        ),
        (
            "耳机：商家已拒绝，京东介入中（举证中），11月19日 21:00前补充凭证",
            '/check_progress{"order_id": "250300000003"}',
        ),
        (
            "键盘：待商家处理，11月21日 10:00起可以申请京东介入",
            '/inform_order_id{"order_id": "250300000004"}',
        ),
    ]  # the refunded cable is settled: not shown


def test_before_the_window_the_step_says_from_when():
    [step] = overview.next_steps([POWER_BANK], now=t("2026-11-16T12:00:00+08:00"))
    assert step == NextStep(
        "250300000001",
        "AS-250300000001",
        Verdict.NOT_YET,
        "移动电源：商家已拒绝，11月16日 20:00起可以申请京东介入",
        "inform_order_id",
        t("2026-11-16T20:00:00+08:00"),
    )


def test_nothing_open_nothing_shown():
    assert overview.next_steps([CABLE], now=t("2026-11-17T12:00:00+08:00")) == []
    assert overview.next_steps([], now=t("2026-11-17T12:00:00+08:00")) == []


def test_every_open_dispute_counts():
    many = [order(f"25030000001{i}", f"商品{i}", "merchant_rejected", **REJECTED) for i in range(7)]
    assert len(overview.next_steps(many, now=t("2026-11-17T12:00:00+08:00"))) == 7


def test_the_buyers_overview_from_the_database(widget_db):
    # b1001: the earphones' service order is in intervention (opened at the pinned now);
    # the coat order has no service order, so no dispute.
    [step] = overview.buyer_overview(buyer_id="b1001")
    assert (step.order_id, step.verdict, step.line) == (
        "250312345678",
        Verdict.IN_PROGRESS,
        "蓝牙耳机：商家已拒绝，京东介入中（已提交，等待平台受理），11月20日 12:00前补充凭证",
    )
    assert overview.buyer_overview(buyer_id="b-nobody") == []
