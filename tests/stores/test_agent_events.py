"""Rasa's own event classes accept the JSON the agent side appends (tests/fixtures/rasa_events.json,
which tests/services/test_rasa_client.py checks the client sends): pausing stops the bot but keeps the
buyer's messages, an agent's message is a bot utterance tagged with the agent, and
resuming sets the agent's slots of the real domain."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("rasa.shared.core.events")

from rasa.core.processor import MessageProcessor  # noqa: E402
from rasa.shared.core.domain import Domain  # noqa: E402
from rasa.shared.core.events import (  # noqa: E402
    ActionExecuted,
    BotUttered,
    Event,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker  # noqa: E402

from jieru.config import PROJECT_ROOT  # noqa: E402

pytestmark = pytest.mark.rasa
EVENTS = json.loads(
    (Path(__file__).parents[1] / "fixtures" / "rasa_events.json").read_text("utf-8")
)


def _events(raw: list[dict]) -> list[Event]:
    events = [Event.from_parameters(e) for e in raw]
    assert all(events), raw  # Rasa drops what it cannot parse
    return events


def test_pause_agent_message_and_resume_in_a_real_tracker():
    domain = Domain.load(str(PROJECT_ROOT / "domain.yml"))
    tracker = DialogueStateTracker.from_events(
        EVENTS["conversation_id"],
        [
            ActionExecuted("action_listen"),
            UserUttered("转人工", {"name": "request_human", "confidence": 1.0}),
            ActionExecuted("action_handoff"),
        ],
        slots=domain.slots,
    )
    for event in _events(EVENTS["pause"]):
        tracker.update(event)
    assert tracker.is_paused() and not MessageProcessor._should_handle_message(tracker)

    tracker.update(UserUttered("人呢？", {"name": "request_human", "confidence": 1.0}))
    (said,) = _events(EVENTS["agent_says"]["events"])
    tracker.update(said)
    assert isinstance(said, BotUttered) and said.message()["jieru_agent"] == "alice"
    assert said.text == EVENTS["agent_says"]["text"]
    assert not MessageProcessor._should_handle_message(tracker)

    for event in _events(EVENTS["resume"]["events"]):
        tracker.update(event)
    assert not tracker.is_paused() and MessageProcessor._should_handle_message(tracker)
    # The buyer's next message starts a turn of its own, as the rules expect.
    assert tracker.latest_action_name == "action_listen"
    for name, value in EVENTS["resume"]["slots"].items():
        assert tracker.get_slot(name) == value
    texts = [
        (type(e).__name__, e.text)
        for e in tracker.events
        if isinstance(e, (UserUttered, BotUttered))
    ]
    assert texts == [
        ("UserUttered", "转人工"),
        ("UserUttered", "人呢？"),
        ("BotUttered", EVENTS["agent_says"]["text"]),
        ("BotUttered", EVENTS["resume"]["text"]),
    ]
