"""Action tests as in rasa-sdk's own suite: a Tracker built from events, the real
domain, a CollectingDispatcher, and a real database per test (SQLite and PostgreSQL)."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from jieru.config import PROJECT_ROOT
from tests.services.conftest import orders_db, widget_db  # noqa: F401  (widget fixtures, issue 14)

# The example file's dispute on AS-70001 opened 2026-11-15 08:00 +08:00; 36 h later it
# may go to JD intervention (seed jd-dispute-procedure.txt).
BEFORE_WINDOW = "2026-11-16T12:00:00+08:00"
AFTER_WINDOW = "2026-11-17T12:00:00+08:00"


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    """The bot's domain folder merged into one dict, as the action server receives it."""
    merged: dict[str, Any] = {"responses": {}, "slots": {}, "forms": {}, "actions": []}
    for path in sorted(Path(PROJECT_ROOT / "domain").glob("*.yml")):
        part = yaml.safe_load(path.read_text("utf-8"))
        for key in ("responses", "slots", "forms"):
            merged[key].update(part.get(key) or {})
        merged["actions"] += part.get("actions") or []
    return merged


@pytest.fixture
def bot_db(monkeypatch: pytest.MonkeyPatch, db_url: str, session_factory, load_example):
    """The example orders in a fresh database that the services use, buyer b1001."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("JIERU_DEV_BUYER", "b1001")
    monkeypatch.setenv("JIERU_CLOCK", AFTER_WINDOW)
    load_example()
    return session_factory


def make_tracker(
    *, text: str = "", intent: str | None = None, entities: list[dict] | None = None,
    slots: dict[str, Any] | None = None, events: list[dict] | None = None,
    active_loop: str | None = None, channel: str = "rest", metadata: dict | None = None,
    response_selector: dict | None = None, intent_ranking: list[dict] | None = None,
) -> Tracker:
    """A tracker whose latest message is ``text`` with the given NLU result."""
    latest = {
        "text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": entities or [],
        "metadata": metadata or {},
        "intent_ranking": intent_ranking or ([{"name": intent, "confidence": 1.0}] if intent else []),
    }
    if response_selector is not None:
        latest["response_selector"] = response_selector
    user_event = {"event": "user", "text": text, "parse_data": latest, "input_channel": channel,
                  "metadata": metadata or {}}
    return Tracker(
        sender_id="buyer-conversation", slots=slots or {}, latest_message=latest,
        events=[*(events or []), user_event], paused=False, followup_action=None,
        active_loop={"name": active_loop} if active_loop else {}, latest_action_name="action_listen",
    )


@pytest.fixture
def run_action(domain) -> Callable[..., Any]:
    """Run an action; return (events, messages)."""

    async def run(action, tracker: Tracker):
        dispatcher = CollectingDispatcher()
        events = await action.run(dispatcher, tracker, domain)
        return events, dispatcher.messages

    return run


def slot_events(events: list[dict]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def responses_of(messages: list[dict]) -> list[str | None]:
    return [m.get("response") for m in messages]
