"""Every hand-off trigger of issue 15 as an action sees it: a buyer in strong emotion
(the NLU's ``emotion`` on the message, EmotionPolicy's prediction), the two-stage
fallback's second miss (Rasa runs action_default_fallback as it gives up), the buyer's
yes to the person offered for a case kb/ has no rule for, and a plain request; each
asserts the exact events and the reason the hand-off record keeps."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from sqlalchemy import select

from bot.actions.common import labels
from bot.actions.handoff import (
    REASONS,
    ActionDefaultFallback,
    ActionHandoff,
    reason_of,
)
from jieru import emotion
from jieru.db.models import Handoff
from tests.actions.helpers import make_tracker, responses_of, run_action
from tests.services.agents_fixtures import BUYER, ORDER, agents_db  # noqa: F401  (a fixture)

PAUSED = [{"event": "pause", "timestamp": None}]
ANGRY = "气死我了，等了二十天还没发货！！！"


@pytest.fixture
def buyer_db(agents_db, monkeypatch):  # noqa: F811
    monkeypatch.setenv("JIERU_DEV_BUYER", BUYER)
    return agents_db


def said(text: str, **kwargs: Any) -> Tracker:
    """A tracker whose latest message is ``text`` with the NLU's emotion on it, as
    jieru.rasa.nlu.emotion.EmotionDetector puts it there."""
    tracker = make_tracker(text=text, **kwargs)
    found = emotion.as_parse_data(emotion.assess(text), text)
    tracker.latest_message[emotion.PARSE_KEY] = found
    tracker.events[-1]["parse_data"][emotion.PARSE_KEY] = found
    return tracker


def only_handoff(session_factory) -> Handoff:
    with session_factory() as s:
        return s.scalars(select(Handoff)).one()


async def test_a_strong_emotion_hands_off_with_an_apology_before_the_buyer_asks(buyer_db):
    tracker = said(ANGRY, intent="report_not_shipped", slots={"order_id": ORDER, "platform": "jd"})
    events, messages = await run_action(ActionHandoff(), tracker)
    assert events == PAUSED
    assert responses_of(messages) == ["utter_handoff_upset", "utter_handoff", "utter_handoff_queue"]
    row = only_handoff(buyer_db)
    assert (row.reason, row.buyer_id, row.status) == ("emotion", BUYER, "open")
    assert row.summary.splitlines()[0] == "转人工原因：用户情绪激动（气死、还没发、！！！）"
    assert ANGRY in row.summary and row.details["order"]["id"] == ORDER
    assert messages[1]["handoff_id"] == row.id
    # The buyer is told what the agent sees of the case, not that they seem upset.
    assert messages[1]["summary"] == row.summary.split("\n", 1)[1]


async def test_asking_for_a_person_angrily_is_a_request_and_gets_no_apology(buyer_db):
    tracker = said("转人工！！！你们这垃圾客服", intent="request_human")
    assert emotion.strong_in(tracker.latest_message)
    events, messages = await run_action(ActionHandoff(), tracker)
    assert events == PAUSED
    assert responses_of(messages) == ["utter_handoff", "utter_handoff_queue"]
    row = only_handoff(buyer_db)
    assert row.reason == "request_human" and row.summary.startswith("转人工原因：用户要求人工\n")


async def test_the_second_miss_of_the_two_stage_fallback_hands_off(buyer_db):
    tracker = said(
        "那个那个的事呢",
        intent="nlu_fallback",
        active_loop="action_two_stage_fallback",
        events=[{"event": "user", "text": "就是那个东西", "parse_data": {"intent": {}}}],
    )
    events, messages = await run_action(ActionDefaultFallback(), tracker)
    assert events == PAUSED
    assert responses_of(messages) == [
        "utter_handoff_fallback",
        "utter_handoff",
        "utter_handoff_queue",
    ]
    row = only_handoff(buyer_db)
    assert row.reason == "fallback" and row.summary.startswith("转人工原因：机器人两次没听懂\n")
    # The agent reads both unclear messages.
    assert "就是那个东西 / 那个那个的事呢" in row.summary


async def test_a_turn_without_a_rule_offers_a_person_and_forgets_the_message(buyer_db):
    events, messages = await run_action(
        ActionDefaultFallback(), said("嗯嗯", intent="affirm", slots={"eligibility": "eligible"})
    )
    assert events == [{"event": "rewind", "timestamp": None}]
    assert responses_of(messages) == ["utter_default"]
    with buyer_db() as s:
        assert s.scalars(select(Handoff)).all() == []


async def test_yes_to_the_person_offered_for_a_case_without_a_rule_hands_off(buyer_db):
    tracker = said(
        "好的",
        intent="affirm",
        slots={
            "order_id": ORDER,
            "platform": "jd",
            "problem": "report_refund_refused",
            "eligibility": "unknown",
        },
    )
    events, messages = await run_action(ActionHandoff(), tracker)
    assert events == PAUSED
    assert responses_of(messages) == ["utter_handoff", "utter_handoff_queue"]
    row = only_handoff(buyer_db)
    assert row.reason == "unknown_rule"
    lines = row.summary.splitlines()
    assert lines[0] == "转人工原因：资料里没有这种情况的规则"
    assert "介入判断：没有可靠的规则，需人工确认" in lines


def test_the_reason_follows_what_happened():
    assert reason_of(said("人工", intent="request_human", slots={"eligibility": "unknown"})) == (
        "request_human"
    )
    assert reason_of(said("好的", intent="affirm", slots={"eligibility": "unknown"})) == (
        "unknown_rule"
    )
    assert reason_of(said("好的", intent="affirm", slots={"eligibility": "eligible"})) == (
        "request_human"
    )
    assert reason_of(said("求求你们了，这是我全部生活费", intent="faq")) == "emotion"


def test_every_reason_has_words_for_the_agent():
    assert tuple(labels()["handoff_reason"]) == REASONS


@pytest.mark.parametrize(
    ("latest", "intent", "earlier", "reason", "lines"),
    [
        # The web service's triggered intents are not the buyer's words.
        (
            "气死我了，你们到底管不管",
            "report_not_shipped",
            ["卖家一直不发货", "EXTERNAL: inform_evidence_uploaded"],
            "emotion",
            [
                "转人工原因：用户情绪激动（气死、你们到底管不管）",
                "用户最近说：卖家一直不发货 / 气死我了，你们到底管不管",
            ],
        ),
        # A message the two-stage fallback replayed is quoted once.
        (
            "那转人工吧",
            "request_human",
            ["拼多多的橙子烂了好几个", "对 就是这个", "对 就是这个"],
            None,
            ["用户最近说：拼多多的橙子烂了好几个 / 对 就是这个 / 那转人工吧"],
        ),
    ],
    ids=["not-the-triggers", "replayed-once"],
)
def test_the_summary_quotes_the_buyers_own_words_once(latest, intent, earlier, reason, lines):
    from bot.actions.handoff import summary

    tracker = said(latest, intent=intent, events=[{"event": "user", "text": t} for t in earlier])
    assert summary(tracker, reason).splitlines() == lines
