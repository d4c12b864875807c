"""A hand-off both ways against the running Rasa and action servers (scripts/test.sh
stage 7): the buyer asks for a person and is told their place; Rasa is paused, so the
bot only says the buyer is waiting while the buyer's messages are still kept; the agent
takes the conversation, replies (the app buyer reads it from the pending messages), the
bot stays silent from then on, the agent hands it back with a note, and the bot answers
the buyer's next message again."""

from __future__ import annotations

import uuid

import pytest

from jieru.db import repository
from jieru.kb import load_yaml
from jieru.services import agents, rasa_client, transaction
from tests.e2e.test_app_conversations import Buyer, text_of

pytestmark = pytest.mark.servers


def test_handoff_pause_agent_reply_and_hand_back(base_url):
    buyer_id = f"e2e-agent-{uuid.uuid4().hex[:10]}"
    buyer = Buyer(base_url, buyer_id)
    first = text_of(buyer.say("/request_human"))
    assert "转接人工客服" in first
    assert "您前面还有" in first or "客服下班时间" in first
    # Paused, no agent yet: told they wait, not the error message.
    assert text_of(buyer.say("人呢？")) == load_yaml("labels.yml")["templates"]["waiting_for_agent"]

    with transaction() as session:
        handoff_id = repository.latest_handoff(session, conversation_id=buyer_id).id
    agents.take(handoff_id, agent="e2e-agent")
    agents.reply(handoff_id, agent="e2e-agent", text="您好，我是客服小王")
    assert [(m["text"], m["agent"]) for m in agents.pending_messages(buyer_id)] == [
        ("您好，我是客服小王", "e2e-agent")
    ]
    said = [(line.who, line.text) for line in agents.transcript(handoff_id)]
    assert said[0] == ("buyer", "/request_human") and ("buyer", "人呢？") in said
    assert said[-1] == ("agent", "您好，我是客服小王")
    assert buyer.say("好的 谢谢") == []  # the agent answers now: the bot says nothing

    agents.hand_back(handoff_id, agent="e2e-agent", note="已为您登记，商家会联系您")
    tracker = rasa_client.tracker(buyer_id)
    assert (
        tracker["paused"] is False and tracker["slots"]["agent_note"] == "已为您登记，商家会联系您"
    )
    after = buyer.say("/greet")
    # The greeting itself, not a fallback: the resumed turn ends listening.
    assert "我是介入助手" in text_of(after)


def latest_handoff(conversation_id: str):
    with transaction() as session:
        row = repository.latest_handoff(session, conversation_id=conversation_id)
        assert row is not None
        return row.reason, row.summary


def test_an_angry_buyer_is_handed_off_before_asking(base_url):
    buyer_id = f"e2e-angry-{uuid.uuid4().hex[:10]}"
    said = text_of(
        Buyer(base_url, buyer_id).say("气死我了，等了二十天还不发货！！！你们到底管不管")
    )
    assert "非常抱歉让您这么着急" in said and "转接人工客服" in said
    reason, summary = latest_handoff(buyer_id)
    assert reason == "emotion" and summary.startswith("转人工原因：用户情绪激动（气死")
    assert rasa_client.tracker(buyer_id)["paused"] is True


def test_a_calm_question_is_answered_not_handed_off(base_url):
    buyer_id = f"e2e-calm-{uuid.uuid4().hex[:10]}"
    said = text_of(Buyer(base_url, buyer_id).say("京东介入在哪里申请"))
    assert "转接人工客服" not in said and rasa_client.tracker(buyer_id)["paused"] is False


def test_the_second_miss_of_the_two_stage_fallback_hands_off(base_url):
    buyer_id = f"e2e-miss-{uuid.uuid4().hex[:10]}"
    buyer = Buyer(base_url, buyer_id)
    assert "我不太确定您的意思" in text_of(buyer.say("/nlu_fallback"))
    said = text_of(buyer.say("/nlu_fallback"))
    assert "还是没能理解" in said and "转接人工客服" in said
    assert latest_handoff(buyer_id)[0] == "fallback"
    assert rasa_client.tracker(buyer_id)["paused"] is True
