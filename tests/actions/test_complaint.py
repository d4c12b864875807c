"""Complaints write what they say they write, for the buyer's own orders only."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from bot.actions.common import label, template
from bot.actions.complaint import (
    ActionAskComplaintFormOrderId,
    ActionSubmitComplaint,
    ValidateComplaintForm,
)
from jieru.db.models import AuditLog, Complaint
from tests.actions.helpers import make_tracker, order_entity, responses_of, run_action, said

SHOPS_ORDER = "3901122334455"  # b1001's Taobao coat, not shipped yet
COAT_LINE = "羊毛大衣（小鹿女装·淘宝，¥459.00，订单号 3901122334455）"
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
    # "骂人" is one of the service category's words (kb/labels.yml complaint_category_words).
    assert form.validate_complaint_category("客服骂人", dispatcher, tracker, domain) == {
        "complaint_category": "service"
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


# ----- the form reads the order and the category from the buyer's words -----


def form_run(
    text: str,
    intent: str,
    *,
    requested: str | None,
    before: Sequence[dict[str, Any]] = (),
    **kw: Any,
) -> Any:
    """The tracker Rasa gives validate_complaint_form: the complaint form being opened by
    ``text`` (``requested`` None), or asking ``requested`` when ``text`` came."""
    opened = [] if requested is None else [{"event": "active_loop", "name": "complaint_form"}]
    return make_tracker(
        text=text,
        intent=intent,
        active_loop=None if requested is None else "complaint_form",
        slots={"requested_slot": requested},
        events=[*before[:1], *opened, *before[1:]],
        after=[
            {"event": "slot", "name": "requested_slot", "value": requested},
            {"event": "action", "name": "complaint_form"},
        ],
        **kw,
    )


def spoken(text: str) -> dict[str, Any]:
    """A message exactly as CollectingDispatcher records ``utter_message(text=...)``."""
    return {**said("none"), "text": text, "template": None, "response": None}


def guess(category: str) -> dict[str, Any]:
    """The line that offers the category the complaint's words named (kb/labels.yml)."""
    text = template("complaint_category_guess").format(category=category)
    assert category in text
    return spoken(text)


def category_noted(category: str) -> dict[str, Any]:
    """The line that says the category named at the order question is kept."""
    text = template("complaint_category_noted").format(category=category)
    assert category in text
    return spoken(text)


def detail_noted() -> dict[str, Any]:
    """The line that says the case told will be part of the complaint."""
    return spoken(template("complaint_detail_noted"))


OPENING = {"event": "user", "text": "我要投诉这个卖家"}


async def test_the_opening_message_names_the_order_by_product(bot_db):
    tracker = form_run(
        "羊毛大衣那单付款快二十天了还不发货 我要投诉这个卖家", "file_complaint", requested=None
    )
    events, messages = await run_action(ValidateComplaintForm(), tracker)
    # The order is found among the buyer's own, shown, and the category its words name
    # ("还不发货") offered before the category question.
    assert events == [SlotSet("order_id", SHOPS_ORDER)]
    assert messages == [said("utter_order_header", order_line=COAT_LINE), guess("不发货/延迟发货")]


@pytest.mark.parametrize(
    "text",
    [
        "我要投诉这个卖家",  # no product at all
        "我要投诉 冷制皂那单的店家客服",  # not one of this buyer's orders
        "耳机那单和大衣那单我都要投诉",  # two of the buyer's orders: which one is asked
    ],
)
async def test_an_opening_that_names_no_single_order_of_the_buyers_leaves_it_to_be_asked(
    bot_db, text
):
    events, messages = await run_action(
        ValidateComplaintForm(), form_run(text, "file_complaint", requested=None)
    )
    assert (events, messages) == ([], [])


async def test_the_order_given_by_number_is_shown_with_the_category_the_complaint_named(bot_db):
    tracker = make_tracker(
        text=SHOPS_ORDER,
        intent="inform_order_id",
        entities=order_entity(SHOPS_ORDER),
        active_loop="complaint_form",
        slots={"requested_slot": "order_id", "order_id": SHOPS_ORDER},
        events=[
            {"event": "user", "text": "我要投诉 客服回我活该"},
            {"event": "active_loop", "name": "complaint_form"},
        ],
        after=[
            {"event": "slot", "name": "requested_slot", "value": "order_id"},
            {"event": "action", "name": "complaint_form"},
            {"event": "slot", "name": "order_id", "value": SHOPS_ORDER},
        ],
    )
    events, messages = await run_action(ValidateComplaintForm(), tracker)
    assert events == [SlotSet("order_id", SHOPS_ORDER)]
    assert messages == [said("utter_order_header", order_line=COAT_LINE), guess("服务态度/辱骂")]


@pytest.mark.parametrize(
    ("text", "intent", "category"),
    [
        ("不发货", "report_not_shipped", "not_shipped"),
        ("服务态度", "nlu_fallback", "service"),
        ("卖家卖假货", "report_bad_item", "quality"),
    ],
)
async def test_a_category_named_at_the_order_question_fills_the_category(
    bot_db, text, intent, category
):
    tracker = form_run(text, intent, requested="order_id", before=[OPENING])
    events, messages = await run_action(ValidateComplaintForm(), tracker)
    # The order is still missing: the form says the category is noted and asks again.
    assert events == [SlotSet("order_id", None), SlotSet("complaint_category", category)]
    assert messages == [category_noted(label("complaint_category", category))]


async def test_the_case_told_at_the_order_question_is_kept_and_the_order_asked_again(bot_db):
    tracker = form_run(
        "付完款客服就一直说在备货 催了几次都没动静",
        "report_not_shipped",
        requested="order_id",
        before=[OPENING],
    )
    events, messages = await run_action(ValidateComplaintForm(), tracker)
    assert events == [SlotSet("order_id", None)]
    assert messages == [detail_noted()]


@pytest.mark.parametrize(
    ("text", "intent"), [("确认提交", "affirm"), ("好的", "affirm"), ("嗯 提交吧", "nlu_fallback")]
)
async def test_a_bare_yes_at_the_order_question_gets_the_question_again(bot_db, text, intent):
    tracker = form_run(text, intent, requested="order_id", before=[OPENING])
    events, messages = await run_action(ValidateComplaintForm(), tracker)
    # No order to confirm yet: the form asks for it again rather than fall back.
    assert events == [SlotSet("order_id", None)]
    assert messages == []


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("投诉商家 羊毛大衣穿了一天就掉毛掉得厉害", "file_complaint"),
        ("这家店我要投诉 大衣袖口的线头全开了", "nlu_fallback"),
    ],
)
async def test_a_complaint_that_names_one_of_the_buyers_products_names_that_order(
    bot_db, text, intent
):
    events, messages = await run_action(
        ValidateComplaintForm(), form_run(text, intent, requested=None)
    )
    assert events == [SlotSet("order_id", SHOPS_ORDER)]
    assert messages == [said("utter_order_header", order_line=COAT_LINE)]


async def test_a_product_word_in_a_report_that_is_no_complaint_names_no_order(bot_db):
    # Without a reference ("那单") or a complaint, a product word alone picks nothing.
    tracker = form_run("羊毛大衣穿了一天就掉毛掉得厉害", "report_bad_item", requested=None)
    events, messages = await run_action(ValidateComplaintForm(), tracker)
    assert (events, messages) == ([], [])


@pytest.mark.parametrize(
    ("text", "intent"),
    [("羊毛大衣", "inform_order_id"), ("第二个", "inform_order_id"), ("大衣", "affirm")],
)
async def test_the_order_question_answered_by_product_or_position(bot_db, text, intent):
    # b1001's orders, newest first: 蓝牙耳机, 羊毛大衣 (the buttons of the order question).
    # A product word the NLU reads as a yes still names the order.
    tracker = form_run(text, intent, requested="order_id", before=[OPENING])
    events, messages = await run_action(ValidateComplaintForm(), tracker)
    assert events == [SlotSet("order_id", SHOPS_ORDER)]
    assert messages == [said("utter_order_header", order_line=COAT_LINE)]


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("还是不投诉了", "stop"),
        ("转人工 客服态度太差", "request_human"),
        ("服务态度差能投诉吗", "faq"),
    ],
)
async def test_what_is_no_answer_to_the_order_question_is_left_to_the_rules(bot_db, text, intent):
    tracker = form_run(text, intent, requested="order_id", before=[OPENING])
    events, messages = await run_action(ValidateComplaintForm(), tracker)
    assert (events, messages) == ([], [])


def at_the_category_question(text: str, intent: str, answers: Sequence[str] = ()) -> Any:
    """The category question asked after the opening "……还不发货 我要投诉" and the order
    number; ``answers`` given to it before ``text``."""
    asked = [{"event": "slot", "name": "requested_slot", "value": "complaint_category"}]
    earlier = [
        {"event": "user", "text": "羊毛大衣那单还不发货 我要投诉"},
        {"event": "active_loop", "name": "complaint_form"},
        {"event": "slot", "name": "order_id", "value": SHOPS_ORDER},
        *asked,
    ]
    for answer in answers:
        earlier += [{"event": "user", "text": answer}, *asked]
    return make_tracker(
        text=text,
        intent=intent,
        active_loop="complaint_form",
        slots={"requested_slot": "complaint_category", "order_id": SHOPS_ORDER},
        events=earlier,
        after=[*asked, {"event": "action", "name": "complaint_form"}],
    )


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("是的", "not_shipped"),  # the category the opening named ("还不发货")
        ("对 其实是质量问题", "quality"),  # a yes that names another one
    ],
)
async def test_a_yes_to_the_category_offered_takes_it(bot_db, text, category):
    events, messages = await run_action(
        ValidateComplaintForm(), at_the_category_question(text, "affirm")
    )
    assert events == [SlotSet("complaint_category", category)]
    assert messages == []


@pytest.mark.parametrize(
    ("text", "intent", "answers"),
    [
        ("不是", "deny", []),  # the category offered is wrong: asked again
        ("不是质量问题", "deny", []),  # the category it names is the one refused
        ("是的", "affirm", ["说不清"]),  # not the answer to the offer any more
    ],
)
async def test_a_no_or_a_late_yes_asks_the_category_again(bot_db, text, intent, answers):
    tracker = at_the_category_question(text, intent, answers)
    events, messages = await run_action(ValidateComplaintForm(), tracker)
    assert events == [SlotSet("complaint_category", None)]
    assert messages == []


async def test_the_complaint_holds_the_buyers_words_since_it_began(bot_db):
    tracker = make_tracker(
        text="/file_complaint",
        intent="file_complaint",
        slots={"order_id": SHOPS_ORDER, "complaint_category": "not_shipped"},
        events=[
            {"event": "user", "text": "蓝牙耳机怎么申请介入"},
            {"event": "user", "text": "我要投诉这个卖家"},
            {"event": "active_loop", "name": "complaint_form"},
            {"event": "user", "text": "付完款客服就一直说在备货"},
            {"event": "user", "text": SHOPS_ORDER},
        ],
    )
    events, _ = await run_action(ActionSubmitComplaint(), tracker)
    assert events == [SlotSet("complaint_category", None)]
    with bot_db() as s:
        assert s.scalars(select(Complaint.description)).one() == "\n".join(
            ["我要投诉这个卖家", "付完款客服就一直说在备货", SHOPS_ORDER]
        )


async def test_the_order_question_offers_the_orders_the_complaint_mentions_first(bot_db):
    # "羊毛大衣" without a word that points at an order names none; it is offered first.
    tracker = form_run("羊毛大衣还不发货 我要投诉", "file_complaint", requested=None)
    events, messages = await run_action(ActionAskComplaintFormOrderId(), tracker)
    assert events == []
    assert messages == [
        said(
            "utter_ask_complaint_form_order_id",
            buttons=[
                {
                    "title": "羊毛大衣 · 淘宝 · 待发货",
                    "payload": f'/inform_order_id{{"order_id": "{SHOPS_ORDER}"}}',
                },
                {
                    "title": "蓝牙耳机 · 京东 · 商家已拒绝",
                    "payload": '/inform_order_id{"order_id": "250312345678"}',
                },
            ],
        )
    ]


async def test_the_order_the_opening_names_replaces_the_one_the_conversation_was_about(bot_db):
    tracker = make_tracker(
        text="羊毛大衣那单我要投诉",
        intent="file_complaint",
        slots={"order_id": "250312345678"},  # the earbuds, asked about before
        after=[
            {"event": "slot", "name": "requested_slot", "value": None},
            {"event": "action", "name": "complaint_form"},
            {"event": "slot", "name": "order_id", "value": "250312345678"},
        ],
    )
    events, messages = await run_action(ValidateComplaintForm(), tracker)
    assert events == [SlotSet("order_id", SHOPS_ORDER)]
    assert messages == [said("utter_order_header", order_line=COAT_LINE)]
