"""FAQ answers come from kb/ for the conversation's platform."""

from __future__ import annotations

import pytest

from bot.actions.faq import ActionAnswerFaq
from jieru.kb import faq
from tests.actions.helpers import make_tracker, responses_of, run_action


def faq_tracker(key: str | None = None, selected: str | None = None, **kwargs) -> object:
    """A faq message whose key comes from a button (``key``) or the ResponseSelector."""
    entities = [{"entity": "faq_key", "value": key}] if key else []
    selector = (
        {"faq": {"response": {"intent_response_key": f"faq/{selected}"}}} if selected else None
    )
    return make_tracker(
        text="介入在哪申请", intent="faq", entities=entities, response_selector=selector, **kwargs
    )


@pytest.mark.parametrize("platform", ["jd", "taobao"])
async def test_the_answer_is_kbs_for_the_conversations_platform(platform):
    events, messages = await run_action(
        ActionAnswerFaq(), faq_tracker(selected="where_to_apply", slots={"platform": platform})
    )
    expected = faq.answer("where_to_apply", platform)
    assert events == []
    assert messages == [{**messages[0], "text": expected.text, "buttons": expected.buttons}]
    assert messages[0].get("response") is None


async def test_a_buttons_key_wins_over_the_selector():
    events, messages = await run_action(
        ActionAnswerFaq(),
        faq_tracker(key="evidence", selected="where_to_apply", slots={"platform": "jd"}),
    )
    assert events == []
    assert [m["text"] for m in messages] == [faq.answer("evidence", "jd").text]


async def test_without_a_platform_every_platform_is_summarised(monkeypatch):
    monkeypatch.delenv("JIERU_DEFAULT_PLATFORM", raising=False)
    events, messages = await run_action(ActionAnswerFaq(), faq_tracker(selected="processing_time"))
    assert events == []
    assert [m["text"] for m in messages] == [faq.answer("processing_time").text]


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
