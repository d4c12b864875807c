"""Complaints write what they say they write, for the buyer's own orders only."""

from __future__ import annotations

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from bot.actions.complaint import (
    ActionAskComplaintFormOrderId,
    ActionSubmitComplaint,
    ValidateComplaintForm,
)
from jieru.db.models import AuditLog, Complaint
from tests.actions.helpers import make_tracker, responses_of, run_action

SHOPS_ORDER = "3901122334455"  # b1001's Taobao coat, not shipped yet
DOWN = "postgresql+psycopg2://nobody@127.0.0.1:1/none?connect_timeout=2"


async def test_complaint_is_recorded_against_the_orders_shop(bot_db, monkeypatch):
    from jieru.services import progress

    # One service call gives the number and the shop: nothing looks the order up again.
    monkeypatch.setattr(progress, "buyer_order", None)
    monkeypatch.setattr(progress, "buyer_orders", None)
    tracker = make_tracker(
        text="/file_complaint",
        intent="file_complaint",
        slots={"order_id": SHOPS_ORDER, "complaint_category": "not_shipped"},
        events=[{"event": "user", "text": "付款半个月了还不发货，我要投诉"}],
    )
    events, messages = await run_action(ActionSubmitComplaint(), tracker)
    assert events == [SlotSet("complaint_category", None)]
    assert responses_of(messages) == ["utter_complaint_filed"]
    assert messages[0]["shop"] == "小鹿女装" and messages[0]["category"] == "不发货/延迟发货"
    with bot_db() as s:
        complaint = s.scalars(select(Complaint)).one()
        assert (complaint.number, complaint.order_id, complaint.shop_id) == (
            messages[0]["number"],
            SHOPS_ORDER,
            "s-tb-01",
        )
        assert "还不发货" in complaint.description
        assert "/file_complaint" not in complaint.description
        assert (
            s.scalars(select(AuditLog).where(AuditLog.entity_id == complaint.number)).one().actor
            == "bot:b1001"
        )


async def test_complaint_on_an_order_that_is_not_the_buyers(bot_db):
    tracker = make_tracker(
        text="/file_complaint",
        intent="file_complaint",
        slots={"order_id": "12345678901234", "complaint_category": "quality"},
    )
    events, messages = await run_action(ActionSubmitComplaint(), tracker)
    assert events == [SlotSet("complaint_category", None)]
    assert responses_of(messages) == ["utter_order_not_found"]
    with bot_db() as s:
        assert s.scalars(select(Complaint)).all() == []


async def test_complaint_form_refuses_an_order_that_is_not_the_buyers(bot_db, domain):
    form, dispatcher = ValidateComplaintForm(), CollectingDispatcher()
    tracker = make_tracker(text="12345678901234", intent="inform_order_id")
    assert await form.validate_order_id("12345678901234", dispatcher, tracker, domain) == {
        "order_id": None
    }
    assert responses_of(dispatcher.messages) == ["utter_order_not_found"]
    assert await form.validate_order_id(SHOPS_ORDER, CollectingDispatcher(), tracker, domain) == {
        "order_id": SHOPS_ORDER
    }
    assert form.validate_complaint_category("客服骂人", dispatcher, tracker, domain) == {
        "complaint_category": "other"
    }
    assert form.validate_complaint_category("quality", dispatcher, tracker, domain) == {
        "complaint_category": "quality"
    }


async def test_complaint_forms_order_check_tells_an_outage_plainly(monkeypatch, domain):
    monkeypatch.setenv("DATABASE_URL", DOWN)
    monkeypatch.setenv("JIERU_DEV_BUYER", "b1001")
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text=SHOPS_ORDER, intent="inform_order_id")
    result = await ValidateComplaintForm().validate_order_id(
        SHOPS_ORDER, dispatcher, tracker, domain
    )
    # Said once, and the form stops early (requested_slot None) instead of asking again.
    assert result == {"order_id": None, "requested_slot": None}
    assert responses_of(dispatcher.messages) == ["utter_service_unavailable"]


async def test_a_form_stopped_early_files_nothing_and_says_nothing(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", DOWN)
    monkeypatch.setenv("JIERU_DEV_BUYER", "b1001")
    tracker = make_tracker(text=SHOPS_ORDER, intent="inform_order_id", slots={"order_id": None})
    events, messages = await run_action(ActionSubmitComplaint(), tracker)
    assert events == [SlotSet("complaint_category", None)]
    assert messages == []


async def test_the_order_question_offers_the_buyers_recent_orders(bot_db):
    tracker = make_tracker(text="我要投诉", intent="file_complaint", active_loop="complaint_form")
    events, messages = await run_action(ActionAskComplaintFormOrderId(), tracker)
    assert events == []
    assert responses_of(messages) == ["utter_ask_complaint_form_order_id"]
    payloads = [b["payload"] for b in messages[0]["buttons"]]
    assert 1 <= len(payloads) <= 5
    assert f'/inform_order_id{{"order_id": "{SHOPS_ORDER}"}}' in payloads


async def test_the_order_question_for_a_buyer_without_orders(bot_db, monkeypatch):
    monkeypatch.setenv("JIERU_DEV_BUYER", "b-nobody")
    events, messages = await run_action(
        ActionAskComplaintFormOrderId(), make_tracker(text="投诉", intent="file_complaint")
    )
    assert events == []
    assert responses_of(messages) == ["utter_no_orders"]


@pytest.mark.parametrize(
    ("typed", "category"),
    [
        ("与描述不符", "not_as_described"),
        ("一直延迟发货", "not_shipped"),
        ("卖假货还辱骂买家", "other"),  # two categories: neither is taken
        ("说不清", "other"),
    ],
)
def test_a_category_typed_by_its_label_is_that_category(typed, category):
    tracker = make_tracker(text=typed, active_loop="complaint_form")
    result = ValidateComplaintForm().validate_complaint_category(
        typed, CollectingDispatcher(), tracker, {}
    )
    assert result == {"complaint_category": category}
