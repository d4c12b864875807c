"""Identify the order and decide on it, against a real database."""
from __future__ import annotations

import pytest

from bot.actions.orders import ActionCheckEligibility, ActionCheckProgress
from tests.actions.conftest import BEFORE_WINDOW, make_tracker, responses_of, slot_events

ORDER = "250312345678"  # b1001's JD order: return refused, dispute opened 2026-11-15 08:00


def import_one_order(session_factory, buyer: dict, shop: dict, order: dict) -> None:
    """Import one delivered physical order of ``buyer`` at ``shop`` (fields in ``order`` win)."""
    from jieru.importer import import_orders

    document = {"version": 1, "buyers": [buyer], "shops": [shop], "orders": [{
        "buyer_id": buyer["id"], "shop_id": shop["id"], "goods_type": "physical",
        "payment_method": "online", "status": "delivered", **order}]}
    with session_factory.begin() as s:
        assert import_orders(document, s).ok


def order_entity(value: str) -> list[dict]:
    return [{"entity": "order_id", "value": value, "start": 0, "end": len(value)}]


async def test_eligible_after_the_36_hour_window(bot_db, run_action):
    tracker = make_tracker(text=f"订单{ORDER}卖家拒绝退款", intent="report_refund_refused", entities=order_entity(ORDER))
    events, messages = await run_action(ActionCheckEligibility(), tracker)
    slots = slot_events(events)
    assert slots["eligibility"] == "eligible"
    assert slots["order_id"] == ORDER and slots["platform"] == "jd" and slots["aftersale_id"] == "AS-70001"
    assert responses_of(messages) == ["utter_order_header", None, "utter_offer_filing"]
    assert "蓝牙耳机" in messages[0]["order_line"]


async def test_not_yet_inside_the_window_says_when(bot_db, run_action, monkeypatch):
    monkeypatch.setenv("JIERU_CLOCK", BEFORE_WINDOW)
    tracker = make_tracker(text=ORDER, intent="inform_order_id", entities=order_entity(ORDER))
    events, messages = await run_action(ActionCheckEligibility(), tracker)
    assert slot_events(events)["eligibility"] == "not_yet"
    explanation = messages[1]["text"]
    assert "11月16日 20:00" in explanation  # 36 hours after 11-15 08:00
    recheck = messages[2]["buttons"][-1]
    assert ORDER in recheck["payload"]


async def test_someone_elses_order_is_answered_like_an_unknown_one(bot_db, run_action, session_factory):
    import_one_order(session_factory, {"id": "b2002", "name": "李四"}, {"id": "s-pdd-9", "name": "百货", "platform": "pdd"},
                     {"id": "99887766554433", "title": "拖鞋", "amount": "9.90",
                      "created_at": "2026-11-10T10:00:00+08:00"})
    answers = []
    for number in ("99887766554433", "11112222333344"):
        tracker = make_tracker(text=number, intent="inform_order_id", entities=order_entity(number))
        events, messages = await run_action(ActionCheckEligibility(), tracker)
        answers.append((slot_events(events), [{k: v for k, v in m.items() if k != "order_id"} for m in messages]))
    assert answers[0] == answers[1]
    assert answers[0][0]["eligibility"] == "not_found"
    assert "拖鞋" not in str(answers[0])


async def test_without_an_order_number_the_fitting_order_is_offered(bot_db, run_action):
    tracker = make_tracker(text="卖家拒绝退款怎么办", intent="report_refund_refused", slots={"problem": "report_refund_refused"})
    events, messages = await run_action(ActionCheckEligibility(), tracker)
    assert slot_events(events)["eligibility"] == "choose_order"
    payloads = [b["payload"] for m in messages for b in m.get("buttons", [])]
    assert payloads[0] == f'/inform_order_id{{"order_id": "{ORDER}"}}'


async def test_app_channel_without_a_verified_buyer_reads_nothing(bot_db, run_action):
    tracker = make_tracker(text=ORDER, intent="inform_order_id", entities=order_entity(ORDER), channel="app",
                           metadata={"buyer_id": "b1001"})
    events, messages = await run_action(ActionCheckEligibility(), tracker)
    assert events == [] and responses_of(messages) == ["utter_login_required"]


async def test_unreachable_database_is_said_plainly(monkeypatch, run_action):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg2://nobody@127.0.0.1:1/none?connect_timeout=2")
    monkeypatch.setenv("JIERU_DEV_BUYER", "b1001")
    tracker = make_tracker(text=ORDER, intent="inform_order_id", entities=order_entity(ORDER))
    events, messages = await run_action(ActionCheckEligibility(), tracker)
    assert responses_of(messages) == ["utter_service_unavailable"]
    assert slot_events(events) == {"eligibility": "unavailable"}


@pytest.mark.parametrize("with_number", [True, False])
async def test_progress(bot_db, run_action, with_number):
    entities = order_entity(ORDER) if with_number else []
    tracker = make_tracker(text="进度", intent="check_progress", entities=entities)
    _, messages = await run_action(ActionCheckProgress(), tracker)
    assert messages[0]["response"] == "utter_progress_header"
    body = "\n".join(m.get("text") or "" for m in messages)
    assert "AS-70001" in body and "商家已拒绝" in body


async def test_the_conversations_platform_narrows_the_candidates(bot_db, run_action, session_factory):
    import_one_order(session_factory, {"id": "b1001", "name": "张三"},
                     {"id": "s-tb-9", "name": "数码小铺", "platform": "taobao"},
                     {"id": "3909988776655", "title": "充电宝", "amount": "89.00",
                      "created_at": "2026-11-16T10:00:00+08:00",
                      "aftersales": [{"id": "TB-9", "type": "refund", "status": "merchant_rejected",
                                      "requested_at": "2026-11-16T12:00:00+08:00",
                                      "merchant_rejected_at": "2026-11-16T13:00:00+08:00"}]})
    offered = {}
    for platform in ("taobao", "jd"):
        tracker = make_tracker(text="卖家拒绝退款", intent="report_refund_refused", slots={"platform": platform})
        _, messages = await run_action(ActionCheckEligibility(), tracker)
        offered[platform] = [b["payload"] for m in messages for b in m.get("buttons", []) if "order_id" in b["payload"]]
    assert offered["taobao"] == ['/inform_order_id{"order_id": "3909988776655"}']
    assert offered["jd"] == [f'/inform_order_id{{"order_id": "{ORDER}"}}']
