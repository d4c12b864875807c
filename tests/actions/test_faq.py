"""FAQ answers come from kb/ for the conversation's platform, the facts that answer the
question asked first (issue 11); a question about the buyer's own order goes to the
decision on it."""

from __future__ import annotations

import pytest
from rasa_sdk.events import FollowupAction, SlotSet

from bot.actions.faq import FAQ_ASKED, ActionAnswerFaq
from jieru.kb import faq
from tests.actions.helpers import make_tracker, order_entity, responses_of, run_action

QUESTION = "介入在哪申请"


def asked(key: str, question: str = QUESTION) -> dict:
    """The event that remembers the question answered (what "淘宝的呢" asks again)."""
    return SlotSet(FAQ_ASKED, {"key": key, "question": question})


def faq_tracker(key: str | None = None, selected: str | None = None, **kwargs) -> object:
    """A faq message whose key comes from a button (``key``) or the ResponseSelector."""
    entities = [{"entity": "faq_key", "value": key}] if key else []
    selector = (
        {"faq": {"response": {"intent_response_key": f"faq/{selected}"}}} if selected else None
    )
    return make_tracker(
        text=QUESTION, intent="faq", entities=entities, response_selector=selector, **kwargs
    )


@pytest.mark.parametrize("platform", ["jd", "taobao"])
async def test_the_answer_is_kbs_for_the_conversations_platform(platform):
    events, messages = await run_action(
        ActionAnswerFaq(), faq_tracker(selected="where_to_apply", slots={"platform": platform})
    )
    expected = faq.answer("where_to_apply", platform, QUESTION)
    assert events == [asked("where_to_apply")]
    assert messages == [{**messages[0], "text": expected.text, "buttons": expected.buttons}]
    assert messages[0].get("response") is None


async def test_a_buttons_key_wins_over_the_selector():
    events, messages = await run_action(
        ActionAnswerFaq(),
        faq_tracker(key="evidence", selected="where_to_apply", slots={"platform": "jd"}),
    )
    assert events == [asked("evidence")]
    assert [m["text"] for m in messages] == [faq.answer("evidence", "jd", QUESTION).text]


async def test_without_a_platform_every_platform_is_summarised(monkeypatch):
    monkeypatch.delenv("JIERU_DEFAULT_PLATFORM", raising=False)
    events, messages = await run_action(ActionAnswerFaq(), faq_tracker(selected="processing_time"))
    assert events == [asked("processing_time")]
    assert [m["text"] for m in messages] == [faq.answer("processing_time", None, QUESTION).text]


@pytest.mark.parametrize(
    "tracker",
    [
        faq_tracker(selected="no_such_key"),
        faq_tracker(),
        make_tracker(text="你好", intent="greet"),
    ],
)
async def test_an_unknown_key_asks_to_rephrase(tracker):
    events, messages = await run_action(ActionAnswerFaq(), tracker)
    assert events == []
    assert responses_of(messages) == ["utter_ask_rephrase"]


SELECTED = {"faq": {"response": {"intent_response_key": "faq/after_intervention"}}}


async def test_the_facts_that_answer_the_question_come_first() -> None:
    tracker = make_tracker(
        text="申请淘宝介入后还能和卖家协商吗",
        intent="faq",
        response_selector=SELECTED,
        slots={"platform": "taobao"},
    )
    events, [message] = await run_action(ActionAnswerFaq(), tracker)
    expected = faq.answer("after_intervention", "taobao", "申请淘宝介入后还能和卖家协商吗")
    assert events == [asked("after_intervention", "申请淘宝介入后还能和卖家协商吗")]
    assert message["text"] == expected.text and message["buttons"] == expected.buttons
    assert expected.shown[0] == "taobao.online_talk" and "3天举证期" not in message["text"]
    assert message["buttons"][0]["title"] == "看全部"


async def test_the_see_all_button_gets_every_fact() -> None:
    payload = faq.faq_payload("after_intervention", "taobao")
    tracker = make_tracker(
        text=payload,
        intent="faq",
        slots={"platform": "taobao"},
        entities=[{"entity": "faq_key", "value": "after_intervention"}],
    )
    events, [message] = await run_action(ActionAnswerFaq(), tracker)
    assert events == [asked("after_intervention", payload)]
    assert message["text"] == faq.answer("after_intervention", "taobao").text


@pytest.mark.parametrize("follow_up", ["淘宝的呢", "那淘寶呢？", "淘宝也一样吗"])
async def test_a_follow_up_naming_a_platform_asks_the_last_question_for_it(follow_up) -> None:
    # The NLU reads such a message as anything; FollowUpPolicy sends it here.
    tracker = make_tracker(
        text=follow_up,
        intent="affirm",
        slots={
            "platform": "taobao",
            FAQ_ASKED: {"key": "vs_complaint", "question": "介入和投诉有啥区别"},
        },
    )
    events, [message] = await run_action(ActionAnswerFaq(), tracker)
    expected = faq.answer("vs_complaint", "taobao", "介入和投诉有啥区别")
    assert events == []  # the question stays the one asked
    assert message["text"] == expected.text and message["buttons"] == expected.buttons


async def test_a_platform_alone_with_no_question_before_is_not_a_follow_up() -> None:
    tracker = make_tracker(text="淘宝的呢", intent="affirm", slots={"platform": "taobao"})
    events, messages = await run_action(ActionAnswerFaq(), tracker)
    assert events == [] and responses_of(messages) == ["utter_ask_rephrase"]


# --- a question about the buyer's own order goes to the decision on it ---

ROUTED = [FollowupAction("action_check_eligibility")]


def selected(key: str) -> dict:
    return {"faq": {"response": {"intent_response_key": f"faq/{key}"}}}


@pytest.mark.parametrize(
    ("text", "entities", "key"),
    [
        ("250312345678 这单现在能申请介入吗", order_entity("250312345678"), "conditions"),
        ("11112222333344 能介入吗", order_entity("11112222333344"), "conditions"),  # not theirs
        ("耳机那单要准备什么证据", [], "evidence"),
    ],
)
async def test_a_question_that_names_an_order_goes_to_the_decision(bot_db, text, entities, key):
    tracker = make_tracker(
        text=text, intent="faq", entities=entities, response_selector=selected(key)
    )
    assert await run_action(ActionAnswerFaq(), tracker) == (ROUTED, [])


async def test_a_question_that_says_the_buyers_case_goes_to_their_orders(bot_db):
    tracker = make_tracker(
        text="卖家拒绝退款了，能介入吗", intent="faq", response_selector=selected("conditions")
    )
    assert await run_action(ActionAnswerFaq(), tracker) == (ROUTED, [])


async def test_with_the_platform_known_its_facts_come_before_the_orders(bot_db):
    text = "卖家拒绝退款了，京东能介入吗"
    tracker = make_tracker(
        text=text, intent="faq", response_selector=selected("conditions"), slots={"platform": "jd"}
    )
    events, messages = await run_action(ActionAnswerFaq(), tracker)
    expected = faq.answer("conditions", "jd", text, closing=False)
    assert events == ROUTED
    assert [m["text"] for m in messages] == [expected.text]
    assert messages[0]["buttons"] == []


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("京东介入在哪里申请", "where_to_apply"),  # no order, no case
        ("卖家拒绝退款了，介入一般要多久", "processing_time"),  # the decision does not answer it
        ("耳机要准备什么证据", "evidence"),  # a product word alone points at no order
        # The case asked in general, none of it said to be theirs: the rule.
        ("换货的话商家收到东西多久内必须重新发货", "conditions"),
        ("如果卖家拒绝退款了，能申请介入吗", "conditions"),
    ],
)
async def test_a_question_about_no_order_of_theirs_is_answered_from_kb(bot_db, text, key):
    tracker = make_tracker(text=text, intent="faq", response_selector=selected(key))
    events, messages = await run_action(ActionAnswerFaq(), tracker)
    assert events == [asked(key, text)]
    assert [m["text"] for m in messages] == [faq.answer(key, None, text).text]


async def test_inside_a_form_the_question_is_answered_from_kb(bot_db):
    text = "250312345678 这单要准备什么证据"
    tracker = make_tracker(
        text=text,
        intent="faq",
        entities=order_entity("250312345678"),
        response_selector=selected("evidence"),
        slots={"platform": "jd"},
        active_loop="intervention_form",
    )
    events, messages = await run_action(ActionAnswerFaq(), tracker)
    assert events == [asked("evidence", text)]
    assert [m["text"] for m in messages] == [faq.answer("evidence", "jd", text).text]


# --- the order named by a product word in full, or as the conversation's order ---


async def test_a_product_of_theirs_named_in_full_goes_to_the_decision(bot_db):
    tracker = make_tracker(
        text="蓝牙耳机右边不响了 商家拖着不管 我多久可以找平台",
        intent="faq",
        response_selector=selected("conditions"),
    )
    assert await run_action(ActionAnswerFaq(), tracker) == (ROUTED, [])


@pytest.mark.parametrize("text", ["这笔现在可以申请介入了吗", "这个订单能找平台了吗"])
async def test_this_order_after_one_was_discussed_goes_to_the_decision(bot_db, text):
    tracker = make_tracker(
        text=text,
        intent="faq",
        response_selector=selected("conditions"),
        slots={"order_id": "250312345678"},
    )
    assert await run_action(ActionAnswerFaq(), tracker) == (ROUTED, [])


async def test_this_order_with_no_order_in_the_conversation_is_answered_from_kb(bot_db):
    text = "这笔现在可以申请介入了吗"
    tracker = make_tracker(text=text, intent="faq", response_selector=selected("conditions"))
    events, messages = await run_action(ActionAnswerFaq(), tracker)
    assert events == [asked("conditions", text)]
    assert [m["text"] for m in messages] == [faq.answer("conditions", None, text).text]
