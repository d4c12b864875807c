"""Conversation turns that belong to no feature: the "did you mean…" step of the
two-stage fallback, and leaving whichever form is active."""

from __future__ import annotations

import json
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.common import (
    FAQ_SELECTOR,
    FILING_SLOTS,
    button_title,
    corrects_the_order,
    intent_label,
)
from jieru.kb import faq

# Intents only the widget sends (as a payload), never typed by a buyer: no label, no guess.
PAYLOAD_ONLY = frozenset({"open_chat", "inform_evidence_uploaded", "eligibility_opened"})
# Intents never offered as a guess: they carry no request of their own.
NOT_OFFERED = frozenset(
    {
        "nlu_fallback",
        "out_of_scope",
        "affirm",
        "deny",
        "inform_order_id",
        "stop",
        "restart",
        *PAYLOAD_ONLY,
    }
)
# Slots a cancelled form leaves behind (the decision on the order itself is kept).
FORM_SLOTS = (*FILING_SLOTS, "complaint_category", "requested_slot")


def guesses(latest_message: dict[str, Any], limit: int = 2) -> list[tuple[str, str | None]]:
    """The most likely (intent, faq key) readings of an unclear message, best first."""
    selector = latest_message.get("response_selector", {}).get(FAQ_SELECTOR, {})
    faq_ranking = [
        r.get("intent_response_key", "").split("/", 1)[-1] for r in selector.get("ranking", [])
    ]
    out: list[tuple[str, str | None]] = []
    for ranked in latest_message.get("intent_ranking", []):
        intent = ranked.get("name")
        if intent in NOT_OFFERED:
            continue
        if intent == "faq":
            out.extend(("faq", k) for k in faq_ranking[:limit] if k)
        else:
            out.append((intent, None))
    return out[:limit]


class ActionDefaultAskAffirmation(Action):
    """Offer the two most likely readings as buttons, plus "neither" (which the
    two-stage fallback reads as a rejection and asks to rephrase)."""

    def name(self) -> str:
        """Rasa's own name: this replaces its default ask-affirmation step."""
        return "action_default_ask_affirmation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Speak the question with one button per guess; no events."""
        entities = {
            e["entity"]: e["value"]
            for e in tracker.latest_message.get("entities", [])
            if "value" in e
        }
        topics = {k: v.get("topic", k) for k, v in faq.keys_spec().items()}
        buttons = []
        for intent, key in guesses(tracker.latest_message):
            if key:
                title = topics.get(key, key)
                payload = f"/faq{json.dumps({**entities, 'faq_key': key}, ensure_ascii=False)}"
            else:
                title = intent_label(intent)
                payload = (
                    f"/{intent}{json.dumps(entities, ensure_ascii=False)}"
                    if entities
                    else f"/{intent}"
                )
            buttons.append({"title": title, "payload": payload})
        buttons.append({"title": button_title("neither"), "payload": "/out_of_scope"})
        dispatcher.utter_message(response="utter_ask_affirmation", buttons=buttons)
        return []


class ActionCancelForm(Action):
    """Leave the active form with nothing filed; says so only when the buyer asked to stop."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_cancel_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Deactivate the form and clear its slots; the description and evidence stay
        when the buyer only said the order was the wrong one and named the right one
        (the filing goes on for that order)."""
        if tracker.get_intent_of_latest_message() == "stop":
            dispatcher.utter_message(response="utter_filing_cancelled")
        text = tracker.latest_message.get("text") or ""
        other = next(tracker.get_latest_entity_values("order_id"), None)
        kept = ("description", "evidence") if other and corrects_the_order(text) else ()
        cleared = [slot for slot in FORM_SLOTS if slot not in kept]
        return [ActiveLoop(None), *(SlotSet(slot, None) for slot in cleared)]
