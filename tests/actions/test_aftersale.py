"""request_aftersale: the platform's return process from kb/, then the offer to help."""

from __future__ import annotations

import pytest

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
