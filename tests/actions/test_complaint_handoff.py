"""Complaints and hand-offs write what they say they write, for the buyer's own orders only."""
from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from bot.actions.complaint import ActionSubmitComplaint, ValidateComplaintForm
from bot.actions.handoff import ActionHandoff
from jieru.db.models import AuditLog, Complaint, Handoff
from tests.actions.conftest import make_tracker, responses_of

SHOPS_ORDER = "3901122334455"  # b1001's Taobao coat, not shipped yet


async def test_complaint_is_recorded_against_the_orders_shop(bot_db, run_action):
    tracker = make_tracker(
        text="/file_complaint", intent="file_complaint",
        slots={"order_id": SHOPS_ORDER, "complaint_category": "not_shipped"},
        events=[{"event": "user", "text": "付款半个月了还不发货，我要投诉"}],
    )
    events, messages = await run_action(ActionSubmitComplaint(), tracker)
    assert responses_of(messages) == ["utter_complaint_filed"]
    assert messages[0]["shop"] == "小鹿女装" and messages[0]["category"] == "不发货/延迟发货"
    with bot_db() as s:
        complaint = s.scalars(select(Complaint)).one()
        assert (complaint.number, complaint.order_id, complaint.shop_id) == (messages[0]["number"], SHOPS_ORDER, "s-tb-01")
        assert "还不发货" in complaint.description
        assert s.scalars(select(AuditLog).where(AuditLog.entity_id == complaint.number)).one().actor == "bot:b1001"


async def test_complaint_form_refuses_an_order_that_is_not_the_buyers(bot_db, domain):
    form, dispatcher = ValidateComplaintForm(), CollectingDispatcher()
    tracker = make_tracker(text="12345678901234", intent="inform_order_id")
    assert await form.validate_order_id("12345678901234", dispatcher, tracker, domain) == {"order_id": None}
    assert responses_of(dispatcher.messages) == ["utter_order_not_found"]
    assert await form.validate_order_id(SHOPS_ORDER, CollectingDispatcher(), tracker, domain) == {"order_id": SHOPS_ORDER}
    assert form.validate_complaint_category("客服骂人", dispatcher, tracker, domain) == {"complaint_category": "other"}


async def test_handoff_queues_the_conversation_with_a_summary(bot_db, run_action):
    tracker = make_tracker(
        text="转人工", intent="request_human",
        slots={"problem": "report_refund_refused", "order_id": "250312345678", "platform": "jd", "eligibility": "eligible"},
        events=[{"event": "user", "text": "卖家拒绝退款怎么办"}, {"event": "user", "text": "/affirm"}],
    )
    _, messages = await run_action(ActionHandoff(), tracker)
    assert responses_of(messages) == ["utter_handoff"]
    with bot_db() as s:
        row = s.scalars(select(Handoff)).one()
    assert row.buyer_id == "b1001" and row.status == "open" and messages[0]["handoff_id"] == row.id
    for part in ("卖家拒绝退款怎么办", "250312345678", "京东"):
        assert part in row.summary
    assert "/affirm" not in row.summary
