"""Helpers for action tests, as in rasa-sdk's own suite: a Tracker built from events,
the real domain, a CollectingDispatcher; tests assert the exact events returned."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from jieru.config import PROJECT_ROOT

# The example file's dispute on AS-70001 opened 2026-11-15 08:00 +08:00; 36 h later it
# may go to JD intervention (seed jd-dispute-procedure.txt).
BEFORE_WINDOW = "2026-11-16T12:00:00+08:00"
AFTER_WINDOW = "2026-11-17T12:00:00+08:00"
# The metadata the app and widget channels give every message of buyer b1001.
BUYER_B1001 = {"jieru_buyer_id": "b1001"}


@lru_cache(maxsize=1)
def load_domain() -> DomainDict:
    """domain.yml as the action server receives it."""
    domain: DomainDict = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text("utf-8"))
    return domain


def make_tracker(
    *,
    text: str = "",
    intent: str | None = None,
    entities: list[dict[str, Any]] | None = None,
    slots: dict[str, Any] | None = None,
    events: list[dict[str, Any]] | None = None,
    active_loop: str | None = None,
    channel: str = "rest",
    metadata: dict[str, Any] | None = None,
    response_selector: dict[str, Any] | None = None,
    intent_ranking: list[dict[str, Any]] | None = None,
    after: list[dict[str, Any]] | None = None,
) -> Tracker:
    """A tracker whose latest message is ``text`` with the given NLU result (``after``:
    the events that follow it, as Rasa gives a form's validator its slot candidates)."""
    latest: dict[str, Any] = {
        "text": text,
        "intent": {"name": intent, "confidence": 1.0},
        "entities": entities or [],
        "metadata": metadata or {},
        "intent_ranking": intent_ranking
        or ([{"name": intent, "confidence": 1.0}] if intent else []),
    }
    if response_selector is not None:
        latest["response_selector"] = response_selector
    user_event = {
        "event": "user",
        "text": text,
        "parse_data": latest,
        "input_channel": channel,
        "metadata": metadata or {},
    }
    return Tracker(
        sender_id="buyer-conversation",
        slots=slots or {},
        latest_message=latest,
        events=[*(events or []), user_event, *(after or [])],
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


def from_app(text: str, intent: str, *, buyer: str | None = "b1001", **kwargs: Any) -> Tracker:
    """``make_tracker`` for a message over the app channel from ``buyer``, as its token
    verified it (None: a message with no verified buyer)."""
    metadata = {"jieru_buyer_id": buyer} if buyer else None
    return make_tracker(text=text, intent=intent, channel="app", metadata=metadata, **kwargs)


async def run_action(
    action: Action, tracker: Tracker
) -> tuple[list[EventType], list[dict[str, Any]]]:
    """Run ``action`` against the real domain; (events, messages spoken)."""
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, load_domain())
    return events, dispatcher.messages


def responses_of(messages: list[dict[str, Any]]) -> list[str | None]:
    """The response names spoken, in order (None for text given by the action)."""
    return [m.get("response") for m in messages]


def order_entity(value: str) -> list[dict[str, Any]]:
    """The NLU's order_id entity for ``value``."""
    return [{"entity": "order_id", "value": value, "start": 0, "end": len(value)}]


def said(response: str, buttons: list | None = None, **values: Any) -> dict[str, Any]:
    """A message exactly as CollectingDispatcher records ``utter_message(response=...)``."""
    return {
        "text": None,
        "buttons": buttons or [],
        "elements": [],
        "custom": {},
        "template": response,
        "response": response,
        "image": None,
        "attachment": None,
        **values,
    }


def triggered(
    intent: str,
    entities: dict[str, str],
    *,
    channel: str = "app",
    buyer: dict[str, Any] | None = BUYER_B1001,
) -> Tracker:
    """The tracker after the web service triggered ``intent`` (Rasa's trigger_intent): an
    earlier message of the buyer on ``channel``, then the external event Rasa adds, which
    carries no buyer metadata."""
    earlier = [
        {"event": "user", "text": "/open_chat", "input_channel": channel, "metadata": buyer or {}}
    ]
    return make_tracker(
        text=f"EXTERNAL: {intent}",
        intent=intent,
        channel=channel,
        metadata={"is_external": True},
        entities=[{"entity": k, "value": v} for k, v in entities.items()],
        events=earlier,
    )


def asking(slot: str, times: int = 1) -> list[dict[str, Any]]:
    """The events of an intervention form that has asked ``slot`` and heard ``times`` - 1
    earlier answers to it (the latest message, added by make_tracker, is one more)."""
    events: list[dict[str, Any]] = [
        {"event": "active_loop", "name": "intervention_form"},
        {"event": "slot", "name": "requested_slot", "value": slot},
    ]
    for _ in range(times - 1):
        events += [
            {"event": "user", "text": "嗯？", "parse_data": {}},
            {"event": "slot", "name": "requested_slot", "value": slot},
        ]
    return events


def in_form(
    text: str, intent: str, slot: str, *, base: dict[str, Any], times: int = 1, **slots: Any
) -> Tracker:
    """A tracker inside the intervention form asking ``slot`` (``times`` so far), its
    latest message ``text`` read as ``intent``; the slots are ``base`` updated by ``slots``."""
    return make_tracker(
        text=text,
        intent=intent,
        slots={**base, "requested_slot": slot, **slots},
        events=asking(slot, times),
        active_loop="intervention_form",
    )


def decided(
    order_id: str, platform: str, aftersale_id: str | None, eligibility: str
) -> list[EventType]:
    """The slots ``action_check_eligibility`` sets on a decision, in its order: the
    order, its platform, no yes carried over, the decision's service order (once) and
    the verdict."""
    return [
        SlotSet("order_id", order_id),
        SlotSet("platform", platform),
        SlotSet("confirm_filing", None),
        SlotSet("aftersale_id", aftersale_id),
        SlotSet("eligibility", eligibility),
    ]
