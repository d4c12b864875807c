"""The agent service over a real database (SQLite and PostgreSQL) and the fake Rasa API:
the structured summary, the queue, take, reply, notes, hand back, close, the buyer's
pending messages and place in the queue."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from jieru.db.models import Handoff
from jieru.services import agents
from jieru.services.errors import HandoffConflict, HandoffNotFound, RasaUnavailable
from jieru.services.handoff import hand_off
from tests.services.agents_fixtures import AFTERSALE, BUYER, NOW, ORDER, SHANGHAI


def _queue(conversation_id=BUYER, **kwargs) -> int:
    args = dict(
        conversation_id=conversation_id,
        buyer_id=BUYER,
        reason="request_human",
        summary="问题：卖家拒绝退款",
    )
    return hand_off(**{**args, **kwargs})


def test_handoff_keeps_the_case_as_data_with_the_eligibility_decision(agents_db):
    handoff_id = _queue(
        order_id=ORDER,
        problem="report_refund_refused",
        bot_did=("checked_eligibility",),
        filed=("JR20261201000001",),
    )
    details = agents.get(handoff_id).details
    assert details["buyer"] == {"id": BUYER}
    assert details["order"] == {
        "id": ORDER,
        "platform": "jd",
        "shop": "耳机小店",
        "title": "蓝牙耳机",
        "status": "delivered",
        "amount": "199.00",
    }
    assert (details["problem"], details["bot_did"], details["filed"]) == (
        "report_refund_refused",
        ["checked_eligibility"],
        ["JR20261201000001"],
    )
    decision = details["eligibility"]
    assert decision["rule"].startswith("jd.") and decision["source"] and decision["explanation"]
    assert decision["verdict"] in {
        "eligible",
        "not_yet",
        "not_applicable",
        "in_progress",
        "unknown",
    }
    assert decision["aftersale_id"] == AFTERSALE


def test_an_order_that_is_not_the_buyers_is_left_out_of_the_summary(agents_db):
    details = agents.get(_queue(buyer_id="b2", order_id=ORDER)).details
    assert details["order"] is None and details["eligibility"] is None


def test_queue_oldest_first_with_waiting_time(agents_db, monkeypatch):
    monkeypatch.setenv("JIERU_CLOCK", (NOW - timedelta(minutes=10)).isoformat())
    first = _queue("c-first")
    monkeypatch.setenv("JIERU_CLOCK", (NOW - timedelta(minutes=4)).isoformat())
    second = _queue("c-second")
    monkeypatch.setenv("JIERU_CLOCK", NOW.isoformat())
    listed = agents.queue()
    assert [(h.id, h.status, int(h.waiting.total_seconds())) for h in listed] == [
        (first, "open", 600),
        (second, "open", 240),
    ]
    assert listed[0].as_dict()["waiting_seconds"] == 600
    agents.take(first, agent="alice")
    listed = agents.queue()
    # A taken hand-off stops its waiting clock at the take.
    assert [(h.status, h.taken_by, int(h.waiting.total_seconds())) for h in listed] == [
        ("taken", "alice", 600),
        ("open", None, 240),
    ]


def test_the_second_agent_to_take_is_told_who_has_it(agents_db):
    handoff_id = _queue()
    assert agents.take(handoff_id, agent="alice").taken_by == "alice"
    with pytest.raises(HandoffConflict) as caught:
        agents.take(handoff_id, agent="bob")
    assert caught.value.taken_by == "alice"
    with pytest.raises(HandoffNotFound):
        agents.take(handoff_id + 1, agent="bob")


def test_only_the_holder_replies_and_the_reply_reaches_the_tracker(agents_db, fake_rasa):
    handoff_id = _queue()
    with pytest.raises(HandoffConflict):
        agents.reply(handoff_id, agent="alice", text="您好")  # not taken yet
    agents.take(handoff_id, agent="alice")
    with pytest.raises(HandoffConflict):
        agents.reply(handoff_id, agent="bob", text="您好")
    for bad in ("", "   ", "长" * (agents.MAX_TEXT + 1)):
        with pytest.raises(ValueError):
            agents.reply(handoff_id, agent="alice", text=bad)
    assert fake_rasa.requests == []
    agents.reply(handoff_id, agent="alice", text="  您好，我来帮您看看 😊 ")
    assert fake_rasa.appended(BUYER) == [
        [{"event": "bot", "text": "您好，我来帮您看看 😊", "metadata": {"jieru_agent": "alice"}}]
    ]


def test_transcript_of_a_handoff(agents_db, fake_rasa):
    handoff_id = _queue()
    fake_rasa.say(BUYER, "user", "转人工")
    agents.take(handoff_id, agent="alice")
    agents.reply(handoff_id, agent="alice", text="在的")
    assert [(line.who, line.text) for line in agents.transcript(handoff_id)] == [
        ("buyer", "转人工"),
        ("agent", "在的"),
    ]


def test_hand_back_resumes_the_bot_with_what_the_agent_set(agents_db, fake_rasa):
    handoff_id = _queue()
    agents.take(handoff_id, agent="alice")
    view = agents.hand_back(
        handoff_id,
        agent="alice",
        order_id=ORDER,
        problem="report_refund_refused",
        note="已核实：商家拒绝理由不成立",
    )
    assert (view.status, view.closed_at) == ("handed_back", NOW)
    assert [n["text"] for n in view.notes] == ["已核实：商家拒绝理由不成立"]
    (events,) = fake_rasa.appended(BUYER)
    assert events[:4] == [
        {"event": "resume"},
        {"event": "slot", "name": "order_id", "value": ORDER},
        {"event": "slot", "name": "problem", "value": "report_refund_refused"},
        {"event": "slot", "name": "agent_note", "value": "已核实：商家拒绝理由不成立"},
    ]
    assert events[4]["event"] == "bot" and events[4]["metadata"] == {"jieru_handback": True}
    assert events[4]["text"] == (
        "人工客服已为您处理完毕，接下来由我继续为您服务。\n订单：250399887766\n问题：卖家拒绝退款\n"
        "客服留言：已核实：商家拒绝理由不成立"
    )


def test_hand_back_refuses_another_buyers_order_or_an_unknown_problem(agents_db, fake_rasa):
    handoff_id = _queue(buyer_id="b2")
    agents.take(handoff_id, agent="alice")
    with pytest.raises(ValueError, match="not this buyer"):
        agents.hand_back(handoff_id, agent="alice", order_id=ORDER)
    with pytest.raises(ValueError, match="unknown problem"):
        agents.hand_back(handoff_id, agent="alice", problem="report_everything")
    assert agents.get(handoff_id).status == "taken" and fake_rasa.requests == []


def test_when_rasa_refuses_the_hand_back_nothing_changes(agents_db, fake_rasa):
    handoff_id = _queue()
    agents.take(handoff_id, agent="alice")
    fake_rasa.fail_with = 500
    with pytest.raises(RasaUnavailable):
        agents.hand_back(handoff_id, agent="alice", note="稍后再试")
    view = agents.get(handoff_id)
    assert (view.status, view.notes) == ("taken", ())
    fake_rasa.fail_with = None
    assert agents.close(handoff_id, agent="alice").status == "closed"
    assert fake_rasa.appended(BUYER)[-1][0] == {"event": "resume"}


def test_notes_are_internal(agents_db, fake_rasa):
    handoff_id = _queue()
    view = agents.add_note(handoff_id, agent="bob", text="买家情绪激动")
    assert view.notes == ({"author": "bob", "text": "买家情绪激动", "at": NOW.isoformat()},)
    assert fake_rasa.requests == []
    with agents_db() as s:
        assert s.scalars(select(Handoff.status)).one() == "open"


def test_pending_messages_are_the_agents_and_the_hand_back_after_a_cursor(agents_db, fake_rasa):
    assert agents.pending_messages(BUYER) == [] and fake_rasa.requests == []  # never handed off
    handoff_id = _queue()
    fake_rasa.say(BUYER, "user", "转人工")
    fake_rasa.say(BUYER, "bot", "正在为您转接")  # answered in the webhook's own reply
    agents.take(handoff_id, agent="alice")
    agents.reply(handoff_id, agent="alice", text="您好")
    first = agents.pending_messages(BUYER)
    assert [(m["text"], m["agent"]) for m in first] == [("您好", "alice")]
    agents.hand_back(handoff_id, agent="alice")
    later = agents.pending_messages(BUYER, since=first[-1]["timestamp"])
    assert [(m["text"], m["agent"]) for m in later] == [
        ("人工客服已为您处理完毕，接下来由我继续为您服务。", None)
    ]


def test_place_in_queue_counts_open_handoffs_ahead(agents_db, monkeypatch):
    monkeypatch.setenv("JIERU_AGENT_MINUTES_PER_CASE", "5")
    ids = [_queue(f"c{i}") for i in range(4)]
    agents.take(ids[0], agent="alice")
    place = agents.place_in_queue(ids[3])
    assert (place.position, place.expected_wait, place.open_now) == (3, timedelta(minutes=10), True)
    assert place.reply_by == NOW + timedelta(minutes=10)


def test_place_in_queue_outside_working_hours_says_when_agents_are_back(agents_db, monkeypatch):
    late = datetime(2026, 12, 1, 23, 30, tzinfo=SHANGHAI)
    monkeypatch.setenv("JIERU_CLOCK", late.isoformat())
    monkeypatch.setenv("JIERU_AGENT_HOURS", "09:00-18:00")
    place = agents.place_in_queue(_queue())
    assert (place.position, place.open_now) == (1, False)
    assert place.opens_at == place.reply_by == datetime(2026, 12, 2, 9, 0, tzinfo=SHANGHAI)


def test_assist_offers_the_decision_click_path_and_kb_replies(agents_db):
    view = agents.assist(_queue(order_id=ORDER, problem="report_refund_refused"))
    assert view["platform"] == "jd" and view["decision"]["rule"].startswith("jd.")
    assert "交易纠纷" in view["click_path"]["text"] and view["click_path"]["sources"]
    assert view["replies"][0] == {
        "title": "介入判断",
        "text": view["decision"]["explanation"],
        "sources": [view["decision"]["source"]],
    }
    assert [r["title"] for r in view["replies"][1:]][:2] == [
        "申请介入的入口",
        "申请介入的条件和时限",
    ]
    assert all(r["text"] and r["sources"] for r in view["replies"])


def test_assist_without_an_order_gives_the_overview(agents_db):
    view = agents.assist(_queue())
    assert view["platform"] is None and view["decision"] is None and view["deadlines"] == []
    assert view["click_path"]["text"].startswith("各平台申请介入的入口")
