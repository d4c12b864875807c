"""request_aftersale: the platform's return process from kb/, then the offer to help."""

from __future__ import annotations

import pytest
from rasa_sdk.events import SlotSet

from bot.actions.aftersale import ActionAnswerAftersale
from jieru.kb import faq
from tests.actions.helpers import make_tracker, responses_of, run_action

QUESTION = "这个衣服尺码不合适，想换个大一码的怎么弄"


@pytest.mark.parametrize("platform", ["taobao", "jd", "pdd"])
async def test_the_process_for_the_platform_then_the_offer(platform):
    tracker = make_tracker(text=QUESTION, intent="request_aftersale", slots={"platform": platform})
    events, messages = await run_action(ActionAnswerAftersale(), tracker)
    expected = faq.answer("return_process", platform, QUESTION)
    assert events == []
    assert [m["text"] for m in messages[:1]] == [expected.text]
    assert messages[0]["buttons"] == expected.buttons
    assert responses_of(messages) == [None, "utter_aftersale_if_refused"]


async def test_an_order_named_says_where_it_stands_then_its_platforms_process(bot_db):
    text = "3901122334455 大衣想换个大一码的"
    tracker = make_tracker(
        text=text,
        intent="request_aftersale",
        entities=[{"entity": "order_id", "value": "3901122334455"}],
        slots={"platform": "jd"},  # the order's platform wins over the conversation's
    )
    events, messages = await run_action(ActionAnswerAftersale(), tracker)
    assert events == [SlotSet("order_id", "3901122334455"), SlotSet("platform", "taobao")]
    assert responses_of(messages) == [
        "utter_order_header",
        None,
        None,
        "utter_aftersale_if_refused",
    ]
    assert "羊毛大衣" in messages[0]["order_line"]
    assert messages[1]["text"] == "这笔订单现在：待发货"
    assert messages[2]["text"] == faq.answer("return_process", "taobao", text).text


async def test_a_number_that_is_not_theirs_is_said_then_the_process(bot_db):
    tracker = make_tracker(
        text="11112222333344 想退货",
        intent="request_aftersale",
        entities=[{"entity": "order_id", "value": "11112222333344"}],
        slots={"platform": "jd"},
    )
    events, messages = await run_action(ActionAnswerAftersale(), tracker)
    assert events == []
    assert responses_of(messages) == ["utter_order_not_found", None, "utter_aftersale_if_refused"]
