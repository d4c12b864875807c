"""The Rasa client sends exactly the event JSON Rasa's HTTP API expects (against the
fake server of tests/fake_rasa.py) and reads one transcript from the tracker."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jieru.services import rasa_client
from jieru.services.errors import RasaUnavailable

EVENTS_FILE = Path(__file__).parents[1] / "fixtures" / "rasa_events.json"
CONVERSATION = "buyer/1 会话"  # slashes and Chinese survive the URL


def test_pause_appends_conversation_paused_without_side_effects(fake_rasa):
    rasa_client.pause(CONVERSATION)
    (request,) = fake_rasa.requests
    assert (request.method, request.conversation_id, request.path) == (
        "POST",
        CONVERSATION,
        "/tracker/events",
    )
    assert request.body == [{"event": "pause"}] and request.query == {}
    assert fake_rasa.tracker(CONVERSATION)["paused"] is True


def test_agent_message_is_a_bot_event_tagged_and_delivered(fake_rasa):
    rasa_client.agent_says(CONVERSATION, agent="alice", text="您好，我是客服小王")
    (request,) = fake_rasa.requests
    assert request.body == [
        {"event": "bot", "text": "您好，我是客服小王", "metadata": {"jieru_agent": "alice"}}
    ]
    assert request.query == {"execute_side_effects": "true", "output_channel": "latest"}


def test_resume_sets_the_agents_slots_and_says_so(fake_rasa):
    rasa_client.pause(CONVERSATION)
    rasa_client.resume(
        CONVERSATION,
        slots={"order_id": "250399887766", "problem": "report_refund_refused"},
        text="人工客服已为您处理完毕",
    )
    assert fake_rasa.appended(CONVERSATION)[1] == [
        {"event": "resume"},
        {"event": "slot", "name": "order_id", "value": "250399887766"},
        {"event": "slot", "name": "problem", "value": "report_refund_refused"},
        {"event": "bot", "text": "人工客服已为您处理完毕", "metadata": {"jieru_handback": True}},
    ]
    tracker = fake_rasa.tracker(CONVERSATION)
    assert tracker["paused"] is False and tracker["slots"]["order_id"] == "250399887766"


def test_the_token_is_sent_as_rasas_token_parameter(fake_rasa, monkeypatch):
    monkeypatch.setenv("JIERU_RASA_TOKEN", "s3cret")
    rasa_client.tracker(CONVERSATION)
    (request,) = fake_rasa.requests
    assert (request.method, request.path, request.query) == (
        "GET",
        "/tracker",
        {"token": "s3cret", "include_events": "ALL"},
    )


def test_transcript_has_both_sides_in_order(fake_rasa):
    fake_rasa.say(CONVERSATION, "user", "卖家拒绝退款怎么办")
    fake_rasa.say(CONVERSATION, "bot", "正在为您转接人工客服")
    fake_rasa.events[CONVERSATION].append(
        {"event": "action", "name": "action_listen", "timestamp": 1.0}
    )
    fake_rasa.say(CONVERSATION, "bot", "", metadata={})
    rasa_client.agent_says(CONVERSATION, agent="alice", text="您好")
    lines = rasa_client.transcript(rasa_client.tracker(CONVERSATION)["events"])
    assert [(line.who, line.text, line.agent) for line in lines] == [
        ("buyer", "卖家拒绝退款怎么办", None),
        ("bot", "正在为您转接人工客服", None),
        ("agent", "您好", "alice"),
    ]
    assert lines[0].at <= lines[2].at and lines[0].at.tzinfo is not None


def test_errors_and_unreachable_servers_raise_rasa_unavailable(fake_rasa, monkeypatch):
    fake_rasa.fail_with = 500
    with pytest.raises(RasaUnavailable, match="500"):
        rasa_client.pause(CONVERSATION)
    monkeypatch.setenv("JIERU_RASA_URL", "http://127.0.0.1:9")
    with pytest.raises(RasaUnavailable):
        rasa_client.tracker(CONVERSATION)


def test_the_client_sends_the_events_that_rasa_itself_was_checked_with(fake_rasa):
    """tests/fixtures/rasa_events.json is the bridge: here the client must produce it,
    in tests/stores/test_agent_events.py (Rasa's environment) Rasa's own classes must accept it."""
    expected = json.loads(EVENTS_FILE.read_text("utf-8"))
    conversation = expected["conversation_id"]
    rasa_client.pause(conversation)
    rasa_client.agent_says(
        conversation, agent=expected["agent_says"]["agent"], text=expected["agent_says"]["text"]
    )
    rasa_client.resume(
        conversation, slots=expected["resume"]["slots"], text=expected["resume"]["text"]
    )
    assert fake_rasa.appended(conversation) == [
        expected["pause"],
        expected["agent_says"]["events"],
        expected["resume"]["events"],
    ]
