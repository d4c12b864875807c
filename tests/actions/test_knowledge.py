"""action_answer_faq answers the question asked, from the message text (issue 11)."""
from __future__ import annotations

from bot.actions.knowledge import ActionAnswerFaq
from jieru.kb import faq
from tests.actions.conftest import make_tracker

SELECTED = {"faq": {"response": {"intent_response_key": "faq/after_intervention"}}}


async def test_the_facts_that_answer_the_question_come_first(run_action) -> None:
    tracker = make_tracker(
        text="申请淘宝介入后还能和卖家协商吗", intent="faq",
        response_selector=SELECTED, slots={"platform": "taobao"},
    )
    events, [message] = await run_action(ActionAnswerFaq(), tracker)
    expected = faq.answer("after_intervention", "taobao", "申请淘宝介入后还能和卖家协商吗")
    assert events == []
    assert message["text"] == expected.text and message["buttons"] == expected.buttons
    assert expected.shown[0] == "taobao.online_talk" and "3天举证期" not in message["text"]
    assert message["buttons"][0]["title"] == "看全部"


async def test_the_see_all_button_gets_every_fact(run_action) -> None:
    payload = faq.faq_payload("after_intervention", "taobao")
    tracker = make_tracker(
        text=payload, intent="faq", slots={"platform": "taobao"},
        entities=[{"entity": "faq_key", "value": "after_intervention"}],
    )
    events, [message] = await run_action(ActionAnswerFaq(), tracker)
    assert events == []
    assert message["text"] == faq.answer("after_intervention", "taobao").text
