"""The eligibility engine at each rule's boundaries, per platform, in any time zone."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone

import pytest

from jieru.rules.deadlines import format_duration, format_time, intervention_deadlines
from jieru.rules.eligibility import evaluate, select_aftersale
from jieru.rules.facts import InterventionFacts, Verdict
from jieru.rules.workdays import CHINA

from .factories import AS_OF, DEMO, load_orders, make_aftersale, make_order

MINUTE = timedelta(minutes=1)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CHINA)


def decide(policies, order, now=AS_OF, **kw):
    return evaluate(order, now=now, policy=policies[order.platform], **kw)


# --- JD -------------------------------------------------------------------------------------


def jd_dispute(opened: datetime, **kw):
    return make_order(
        "jd",
        make_aftersale(
            dispute_opened_at=opened, merchant_rejected_at=opened - timedelta(hours=3), **kw
        ),
    )


def test_jd_36_hours_after_the_dispute_boundary(policies) -> None:
    opened = at("2026-11-18 09:30")
    order = jd_dispute(opened)
    before = decide(policies, order, now=opened + timedelta(hours=36) - MINUTE)
    assert (before.verdict, before.rule_id) == (Verdict.NOT_YET, "jd.negotiation_window")
    assert before.eligible_from == opened + timedelta(hours=36)
    assert "1 分钟" in before.explanation and "11月19日 21:30" in before.explanation
    on_time = decide(policies, order, now=opened + timedelta(hours=36))
    assert (on_time.verdict, on_time.rule_id) == (Verdict.ELIGIBLE, "jd.negotiation_window")


def test_jd_not_yet_speaks_concrete_local_times(policies) -> None:
    decision = decide(policies, jd_dispute(at("2026-11-22 02:00")), now=at("2026-11-22 12:00"))
    assert decision.verdict is Verdict.NOT_YET
    assert "还有 26 小时" in decision.explanation
    assert "到 11月23日 14:00" in decision.explanation
    assert decision.alternatives and decision.source.startswith("jd-dispute-procedure.txt")


def test_jd_without_a_dispute_says_open_one_first(policies) -> None:
    decision = decide(policies, make_order("jd", make_aftersale()))
    assert (decision.verdict, decision.rule_id) == (Verdict.NOT_APPLICABLE, "jd.dispute_first")
    assert "交易纠纷" in decision.explanation


@pytest.mark.parametrize(
    ("hours", "verdict"), [(71, Verdict.NOT_YET), (72, Verdict.ELIGIBLE), (80, Verdict.ELIGIBLE)]
)
def test_jd_exchange_not_reshipped_72_hours(policies, hours: int, verdict: Verdict) -> None:
    received = AS_OF - timedelta(hours=hours)
    order = make_order(
        "jd",
        make_aftersale(type="exchange", status="merchant_received", merchant_received_at=received),
    )
    decision = decide(policies, order)
    assert (decision.verdict, decision.rule_id) == (verdict, "jd.exchange_not_reshipped")


def test_jd_exchange_one_minute_short_of_72_hours(policies) -> None:
    received = AS_OF - timedelta(hours=72) + MINUTE
    order = make_order(
        "jd",
        make_aftersale(type="exchange", status="merchant_received", merchant_received_at=received),
    )
    assert decide(policies, order).eligible_from == AS_OF + MINUTE


def test_jd_reshipped_exchange_is_settled_and_the_bot_does_not_guess_beyond(policies) -> None:
    order = make_order(
        "jd",
        make_aftersale(type="exchange", status="reshipped", reshipped_at=AS_OF - timedelta(days=1)),
    )
    decision = decide(policies, order)
    # No seed says what happens after a service order ends: unknown, not "重新申请售后".
    assert (decision.verdict, decision.rule_id) == (Verdict.UNKNOWN, "jd.settled")
    assert "重新申请" not in decision.explanation


@pytest.mark.parametrize(
    ("method", "rule_id"),
    [
        ("online", "jd.negotiation_window"),
        ("cod", "jd.negotiation_window"),
        ("other", "jd.payment_method"),
    ],
)
def test_jd_payment_methods(policies, method: str, rule_id: str) -> None:
    order = dataclasses.replace(jd_dispute(AS_OF - timedelta(days=3)), payment_method=method)
    assert decide(policies, order).rule_id == rule_id


def test_jd_self_operated_is_said_to_be_the_bots_reading(policies) -> None:
    order = dataclasses.replace(jd_dispute(AS_OF - timedelta(days=3)), self_operated=True)
    decision = decide(policies, order)
    # The seed says "商家商品"; excluding 自营 is our reading, so no confident "not applicable".
    assert (decision.verdict, decision.rule_id) == (Verdict.UNKNOWN, "jd.self_operated")
    assert "我的理解" in decision.explanation and "不是京东的规定" in decision.explanation


@pytest.mark.parametrize("paid_ago", [timedelta(minutes=5), timedelta(days=8)])
def test_jd_not_shipped_is_never_eligible_the_minute_it_is_paid(policies, paid_ago) -> None:
    # "迟迟不发货" names no period: the bot says so, whatever the wait, and points to 投诉.
    order = make_order("jd", status="awaiting_shipment", paid_at=AS_OF - paid_ago)
    decision = decide(policies, order)
    assert (decision.verdict, decision.rule_id) == (Verdict.UNKNOWN, "jd.not_shipped")
    assert "迟迟" in decision.explanation and "「投诉」" in decision.explanation


def test_jd_not_shipped_needs_the_payment_start_event(policies) -> None:
    order = make_order("jd", status="awaiting_shipment", paid_at=None)
    assert decide(policies, order).rule_id == "jd.no_aftersale"


@pytest.mark.parametrize("status", ["awaiting_payment", "delivered", "completed"])
def test_jd_order_without_aftersale_needs_one_first(policies, status: str) -> None:
    order = make_order("jd", status=status, paid_at=None if status == "awaiting_payment" else AS_OF)
    decision = decide(policies, order)
    assert (decision.verdict, decision.rule_id) == (Verdict.NOT_APPLICABLE, "jd.no_aftersale")
    assert "协商" in decision.explanation and decision.aftersale_id is None


def test_jd_refund_not_received_after_7_days(policies) -> None:
    requested = at("2026-11-13 12:00")
    order = make_order("jd", make_aftersale(status="merchant_agreed", requested_at=requested))
    assert (
        decide(policies, order, now=requested + timedelta(days=7) - MINUTE).verdict
        is Verdict.NOT_YET
    )
    decision = decide(policies, order, now=requested + timedelta(days=7))
    assert (decision.verdict, decision.rule_id) == (Verdict.ELIGIBLE, "jd.refund_not_received")
    # 7 days is the bot's suggestion for the seed's "长时间", and it says so both ways.
    assert "不是京东的规定" in decision.explanation
    waiting = decide(policies, order, now=requested + timedelta(days=2))
    assert "不是京东的规定" in waiting.explanation and "处理期" not in waiting.explanation


def test_jd_return_not_refunded_counts_from_the_refund_request(policies) -> None:
    # The seed counts "申请退款之后", not from the merchant receiving the return.
    requested = at("2026-11-10 09:00")
    aftersale = make_aftersale(
        type="return_refund",
        status="merchant_received",
        requested_at=requested,
        merchant_received_at=at("2026-11-16 09:00"),
    )
    order = make_order("jd", aftersale)
    before = decide(policies, order, now=requested + timedelta(days=7) - MINUTE)
    assert (before.verdict, before.rule_id, before.eligible_from) == (
        Verdict.NOT_YET,
        "jd.return_not_refunded",
        requested + timedelta(days=7),
    )
    on_time = decide(policies, order, now=requested + timedelta(days=7))
    assert (on_time.verdict, on_time.rule_id) == (Verdict.ELIGIBLE, "jd.return_not_refunded")


@pytest.mark.parametrize("kind", ["exchange", "return_refund"])
def test_jd_merchant_not_handling_the_service_order(policies, kind: str) -> None:
    # "逾期未对…服务单进行处理" gives no period: unknown, with the 36-hour dispute offered.
    requested = make_aftersale(
        type=kind, status="requested", requested_at=AS_OF - timedelta(days=4)
    )
    decision = decide(policies, make_order("jd", requested))
    assert (decision.verdict, decision.rule_id) == (Verdict.UNKNOWN, "jd.merchant_not_handling")
    assert "逾期" in decision.explanation and "36小时" in decision.explanation
    # Boundary: once a dispute is opened, the 36-hour window decides instead.
    disputed = dataclasses.replace(requested, dispute_opened_at=AS_OF - timedelta(hours=36))
    assert decide(policies, make_order("jd", disputed)).rule_id == "jd.negotiation_window"
    # And once the merchant has acted, it no longer applies.
    agreed = dataclasses.replace(requested, status="merchant_agreed")
    assert decide(policies, make_order("jd", agreed)).rule_id != "jd.merchant_not_handling"


def test_jd_the_soonest_way_in_is_offered(policies) -> None:
    aftersale = make_aftersale(
        type="return_refund",
        status="merchant_received",
        merchant_received_at=at("2026-11-19 10:00"),
        dispute_opened_at=at("2026-11-20 08:00"),
    )
    decision = decide(
        policies,
        make_order(
            "jd",
            aftersale,
        ),
        now=AS_OF,
    )
    # requested 11-15 12:00 + 7 days = 11-22 12:00; dispute 11-20 08:00 + 36 h = 11-21 20:00.
    assert (decision.rule_id, decision.eligible_from) == (
        "jd.negotiation_window",
        at("2026-11-21 20:00"),
    )


def test_jd_open_intervention_is_in_progress_never_eligible(policies) -> None:
    opened = at("2026-11-20 16:00")  # Friday afternoon
    intervention = InterventionFacts(number="JR1", status="evidence", opened_at=opened)
    order = make_order(
        "jd",
        make_aftersale(dispute_opened_at=AS_OF - timedelta(days=9), interventions=(intervention,)),
    )
    decision = decide(policies, order, now=opened + timedelta(hours=1))
    assert (decision.verdict, decision.rule_id) == (Verdict.IN_PROGRESS, "jd.open_intervention")
    assert (decision.intervention_number, decision.stage) == ("JR1", "evidence")
    # 4 working hours (9:00–18:00): 2 on Friday, 2 on Monday.
    [(label, due)] = decision.deadlines
    assert label.startswith("商家举证截止") and "估算" in label
    assert due == at("2026-11-23 11:00")
    assert "JR1" in decision.explanation and "11月23日 11:00" in decision.explanation


@pytest.mark.parametrize(
    ("status", "verdict", "rule_id"),
    [
        ("decided", Verdict.NOT_APPLICABLE, "jd.intervention_decided"),  # "判定最终结果"
        ("withdrawn", Verdict.UNKNOWN, "jd.intervention_withdrawn"),
    ],
)
def test_jd_finished_interventions(policies, status: str, verdict: Verdict, rule_id: str) -> None:
    intervention = InterventionFacts(
        number="JR2", status=status, opened_at=AS_OF - timedelta(days=5)
    )
    order = make_order(
        "jd",
        make_aftersale(dispute_opened_at=AS_OF - timedelta(days=9), interventions=(intervention,)),
    )
    assert (decide(policies, order).verdict, decide(policies, order).rule_id) == (verdict, rule_id)


# --- Taobao ---------------------------------------------------------------------------------


def test_taobao_rejected_refund_is_eligible_at_once(policies) -> None:
    order = make_order("taobao", make_aftersale(merchant_rejected_at=AS_OF - MINUTE))
    decision = decide(policies, order)
    assert (decision.verdict, decision.rule_id) == (Verdict.ELIGIBLE, "taobao.refund_rejected")


def test_taobao_after_a_completed_trade_works_the_same(policies) -> None:
    order = make_order(
        "taobao", make_aftersale(merchant_rejected_at=AS_OF - MINUTE), status="completed"
    )
    assert decide(policies, order).rule_id == "taobao.aftersale_rejected"


def test_taobao_buyer_modification_waits_for_a_second_rejection(policies) -> None:
    rejected, modified = AS_OF - timedelta(days=2), AS_OF - timedelta(days=1)
    waiting = make_order(
        "taobao",
        make_aftersale(
            status="requested", merchant_rejected_at=rejected, buyer_modified_at=modified
        ),
    )
    decision = decide(policies, waiting)
    assert (decision.verdict, decision.rule_id) == (
        Verdict.NOT_APPLICABLE,
        "taobao.await_second_rejection",
    )
    rejected_again = make_order(
        "taobao", make_aftersale(merchant_rejected_at=AS_OF - MINUTE, buyer_modified_at=modified)
    )
    assert decide(policies, rejected_again).verdict is Verdict.ELIGIBLE


def test_taobao_virtual_goods_wait_3_days_after_the_refund_request(policies) -> None:
    requested = at("2026-11-17 21:15")
    order = make_order(
        "taobao",
        make_aftersale(requested_at=requested, merchant_rejected_at=requested + MINUTE),
        goods_type="virtual",
    )
    day3 = decide(policies, order, now=requested + timedelta(days=3) - MINUTE)  # still day 3
    assert (day3.verdict, day3.rule_id, day3.eligible_from) == (
        Verdict.NOT_YET,
        "taobao.virtual_goods",
        at("2026-11-20 21:15"),
    )
    assert "11月20日 21:15" in day3.explanation
    assert decide(policies, order, now=requested + timedelta(days=3)).verdict is Verdict.ELIGIBLE


def test_taobao_returned_goods_not_refunded_is_eligible_from_receipt(policies) -> None:
    # refund-return :51-65: the returned goods arrived and no refund: "可以申请客服介入".
    received = AS_OF - MINUTE
    order = make_order(
        "taobao",
        make_aftersale(
            type="return_refund", status="merchant_received", merchant_received_at=received
        ),
    )
    decision = decide(policies, order)
    assert (decision.verdict, decision.rule_id) == (Verdict.ELIGIBLE, "taobao.return_not_refunded")
    assert "处理结果不满意" in decision.explanation
    # Boundary: without the receipt (start event) the path does not apply.
    unreceived = make_order(
        "taobao", make_aftersale(type="return_refund", status="merchant_received")
    )
    assert decide(policies, unreceived).rule_id != "taobao.return_not_refunded"


@pytest.mark.parametrize("status", ["merchant_agreed", "reshipped", "refunded"])
def test_taobao_dissatisfied_with_the_sellers_handling(policies, status: str) -> None:
    handled = make_aftersale(
        type="return_refund" if status != "reshipped" else "exchange",
        status=status,
        merchant_agreed_at=AS_OF - timedelta(days=1),
    )
    decision = decide(policies, make_order("taobao", handled))
    assert (decision.verdict, decision.rule_id) == (
        Verdict.ELIGIBLE,
        "taobao.dissatisfied_with_handling",
    )
    assert "如果您对卖家的处理结果不满意" in decision.explanation
    # Boundary: before the seller has handled it (no merchant_agreed_at), another rule speaks.
    unhandled = dataclasses.replace(handled, merchant_agreed_at=None)
    assert decide(policies, make_order("taobao", unhandled)).rule_id != (
        "taobao.dissatisfied_with_handling"
    )


@pytest.mark.parametrize(
    ("status", "rule_id"),
    [("requested", "taobao.during_aftersale"), ("buyer_shipped", "taobao.return_shipped")],
)
def test_taobao_during_a_return_is_not_turned_away(policies, status: str, rule_id: str) -> None:
    # seller-refuses :20: "申请退货、换货、退款的时候就可以申请淘宝小二介入" — 可以, not 才能.
    order = make_order(
        "taobao",
        make_aftersale(
            type="return_refund", status=status, buyer_shipped_at=AS_OF - timedelta(days=1)
        ),
    )
    decision = decide(policies, order)
    assert (decision.verdict, decision.rule_id) == (Verdict.ELIGIBLE, rule_id)
    assert "才能" not in decision.explanation


def test_taobao_auto_agreement_is_told_to_a_waiting_buyer(policies) -> None:
    order = make_order("taobao", make_aftersale(type="return_refund", status="requested"))
    assert "系统会自动同意退货" in decide(policies, order).explanation


def test_taobao_intervention_deadlines_skip_every_weekend_and_holiday(policies) -> None:
    # Opened Wednesday before 中秋 and 国庆 2026. The seed says "不包含周末、节假日", so the
    # 调休 Saturday 10-10 is not counted (kb/policies/taobao.yml: adjusted_workdays: false).
    deadlines = intervention_deadlines(policies["taobao"], at("2026-09-23 10:00"))
    assert [due for _, due in deadlines] == [
        at("2026-09-26 10:00"),  # 3-day evidence period
        at("2026-09-27 10:00"),  # + the seller's 24 h, only if buyer evidence was asked
        at("2026-10-08 10:00"),  # usual earliest: 4 working days after the evidence period
        at("2026-10-12 10:00"),  # usual latest: 6 working days after the seller's 24 h
    ]
    labels = [label for label, _ in deadlines]
    assert "如需您举证" in labels[1]
    assert all("一般" in label for label in labels[2:])


def test_taobao_intervention_deadlines_on_an_ordinary_week(policies) -> None:
    deadlines = [
        due for _, due in intervention_deadlines(policies["taobao"], at("2026-11-20 12:00"))
    ]
    # Review may start when the evidence period ends (Mon 11-23), not a day later.
    assert deadlines[2] == at("2026-11-27 12:00")
    assert deadlines[3] == at("2026-12-02 12:00")


def test_a_recorded_evidence_deadline_moves_the_later_steps(policies) -> None:
    deadlines = dict(
        intervention_deadlines(
            policies["taobao"], at("2026-11-14 10:00"), evidence_due_at=at("2026-11-18 10:00")
        )
    )
    assert deadlines["举证期截止"] == at("2026-11-18 10:00")
    [earliest] = [due for label, due in deadlines.items() if "一般最早" in label]
    assert earliest == at("2026-11-24 10:00")


# --- Tmall, Pinduoduo, Xianyu ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("platform", "verdict", "rule_id"),
    [
        ("pdd", Verdict.ELIGIBLE, "pdd.merchant_rejected"),
        ("tmall", Verdict.UNKNOWN, "tmall.no_rule"),
        ("xianyu", Verdict.UNKNOWN, "xianyu.no_rule"),
    ],
)
def test_rejected_refund_on_the_other_platforms(
    policies, platform: str, verdict: Verdict, rule_id: str
) -> None:
    rejected = make_aftersale(merchant_rejected_at=AS_OF - timedelta(hours=1))
    decision = decide(policies, make_order(platform, rejected))
    assert (decision.verdict, decision.rule_id) == (verdict, rule_id)


@pytest.mark.parametrize("platform", ["tmall", "pdd", "xianyu"])
def test_other_platforms_without_a_rule_say_so(policies, platform: str) -> None:
    decision = decide(policies, make_order(platform, make_aftersale(status="requested")))
    assert decision.verdict is Verdict.UNKNOWN
    assert "人工" in decision.explanation


@pytest.mark.parametrize("platform", ["jd", "taobao", "tmall", "pdd", "xianyu"])
def test_every_platform_reports_an_open_intervention(policies, platform: str) -> None:
    intervention = InterventionFacts(
        number="X-1", status="review", opened_at=AS_OF - timedelta(days=1)
    )
    decision = decide(policies, make_order(platform, make_aftersale(interventions=(intervention,))))
    assert (decision.verdict, decision.rule_id, decision.stage) == (
        Verdict.IN_PROGRESS,
        f"{platform}.open_intervention",
        "review",
    )


@pytest.mark.parametrize(
    ("platform", "verdict"),
    [
        ("jd", Verdict.NOT_APPLICABLE),
        ("taobao", Verdict.NOT_APPLICABLE),
        # No source covers these: no confident "not applicable", the bot says it does not know.
        ("tmall", Verdict.UNKNOWN),
        ("pdd", Verdict.UNKNOWN),
        ("xianyu", Verdict.UNKNOWN),
    ],
)
def test_every_platform_without_an_aftersale(policies, platform: str, verdict: Verdict) -> None:
    decision = decide(policies, make_order(platform, status="delivered"))
    assert (decision.verdict, decision.rule_id) == (verdict, f"{platform}.no_aftersale")


# --- choosing the service order, inputs, time zones ------------------------------------------


def test_the_service_order_under_intervention_is_preferred(policies) -> None:
    open_one = make_aftersale(
        id="AS-OLD",
        requested_at=AS_OF - timedelta(days=20),
        interventions=(
            InterventionFacts(
                number="JR9", status="submitted", opened_at=AS_OF - timedelta(days=2)
            ),
        ),
    )
    newer = make_aftersale(id="AS-NEW", requested_at=AS_OF - timedelta(days=1))
    closed = make_aftersale(id="AS-CLOSED", status="closed", requested_at=AS_OF)
    order = make_order("jd", open_one, newer, closed)
    assert select_aftersale(order, policies["jd"]).id == "AS-OLD"
    assert select_aftersale(make_order("jd", newer, closed), policies["jd"]).id == "AS-NEW"
    assert decide(policies, order, aftersale_id="AS-CLOSED").rule_id == "jd.settled"


def test_bad_inputs_are_refused(policies) -> None:
    order = make_order("jd", make_aftersale())
    with pytest.raises(ValueError, match="no service order"):
        decide(policies, order, aftersale_id="AS-404")
    with pytest.raises(ValueError, match="timezone-aware"):
        decide(policies, order, now=datetime(2026, 11, 20, 12))
    with pytest.raises(ValueError, match="policy is for taobao"):
        evaluate(order, now=AS_OF, policy=policies["taobao"])


def _to_utc(value):
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc)
    if isinstance(value, tuple):
        return tuple(_to_utc(v) for v in value)
    if dataclasses.is_dataclass(value):
        return dataclasses.replace(
            value, **{f.name: _to_utc(getattr(value, f.name)) for f in dataclasses.fields(value)}
        )
    return value


def test_utc_inputs_give_the_same_decisions(policies) -> None:
    for order in load_orders(DEMO).values():
        assert decide(policies, _to_utc(order), now=AS_OF.astimezone(timezone.utc)) == decide(
            policies, order
        )


# --- wording helpers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("span", "round_up", "text"),
    [
        (timedelta(hours=26), False, "26 小时"),
        (timedelta(hours=25, minutes=30), False, "25 小时 30 分钟"),
        (timedelta(hours=25, minutes=59, seconds=30), True, "26 小时"),
        (timedelta(hours=124), False, "5 天 4 小时"),
        (timedelta(hours=48), False, "2 天"),
        (timedelta(seconds=20), False, "0 分钟"),
        (timedelta(minutes=5), False, "5 分钟"),
    ],
)
def test_format_duration(span: timedelta, round_up: bool, text: str) -> None:
    assert format_duration(span, round_up=round_up) == text


def test_format_time_adds_the_year_only_when_it_differs(policies) -> None:
    jd = policies["jd"]
    assert (
        format_time(at("2027-01-02 08:05"), now=at("2026-12-30 12:00"), policy=jd)
        == "2027年1月2日 08:05"
    )
    assert (
        format_time(datetime(2026, 11, 22, 6, 0, tzinfo=timezone.utc), now=AS_OF, policy=jd)
        == "11月22日 14:00"
    )
