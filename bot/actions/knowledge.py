"""Knowledge answers from kb/ for the platform in the conversation, and the
"did you mean…" step of the two-stage fallback."""
from __future__ import annotations

import json

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.common import intent_label
from jieru import config
from jieru.kb import faq

SELECTOR = "faq"
# Intents never offered as a guess: they carry no request of their own.
NOT_OFFERED = {"nlu_fallback", "out_of_scope", "affirm", "deny", "inform_order_id", "stop"}


def faq_key_of(tracker: Tracker) -> str | None:
    """The FAQ key of the latest message: a button's ``faq_key`` entity, else the
    ResponseSelector's choice; None when the message is not a knowledge question."""
    if tracker.get_intent_of_latest_message() != "faq":
        return None
    key = next(tracker.get_latest_entity_values("faq_key"), None)
    if key:
        return key
    selected = tracker.latest_message.get("response_selector", {}).get(SELECTOR, {})
    full = selected.get("response", {}).get("intent_response_key") or ""
    return full.split("/", 1)[1] if "/" in full else None


def answer_faq(
    dispatcher: CollectingDispatcher, key: str, platform: str | None, question: str | None = None
) -> None:
    """Say kb/'s answer to ``key`` for ``platform``: the one named in the conversation,
    else the deployment's default, else an overview of every platform."""
    result = faq.answer(key, platform or config.settings().default_platform, question)
    dispatcher.utter_message(text=result.text, buttons=result.buttons)


class ActionAnswerFaq(Action):
    def name(self) -> str:
        return "action_answer_faq"

    async def run(self, dispatcher, tracker, domain) -> list[EventType]:
        key = faq_key_of(tracker)
        if key not in faq.faq_keys():
            dispatcher.utter_message(response="utter_ask_rephrase")
            return []
        answer_faq(dispatcher, key, tracker.get_slot("platform"), tracker.latest_message.get("text"))
        return []


def guesses(latest_message: dict, limit: int = 2) -> list[tuple[str, str | None]]:
    """The most likely (intent, faq key) readings of an unclear message, best first."""
    selector = latest_message.get("response_selector", {}).get(SELECTOR, {})
    faq_ranking = [r.get("intent_response_key", "").split("/", 1)[-1] for r in selector.get("ranking", [])]
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
    """Offer the two most likely readings as buttons, plus "neither"."""

    def name(self) -> str:
        return "action_default_ask_affirmation"

    async def run(self, dispatcher, tracker, domain) -> list[EventType]:
        entities = {e["entity"]: e["value"] for e in tracker.latest_message.get("entities", []) if "value" in e}
        topics = {k: v.get("topic", k) for k, v in faq.keys_spec().items()}
        buttons = []
        for intent, key in guesses(tracker.latest_message):
            if key:
                title = topics.get(key, key)
                payload = f"/faq{json.dumps({**entities, 'faq_key': key}, ensure_ascii=False)}"
            else:
                title = intent_label(domain, intent)
                payload = f"/{intent}{json.dumps(entities, ensure_ascii=False)}" if entities else f"/{intent}"
            buttons.append({"title": title, "payload": payload})
        buttons.append({"title": "都不是", "payload": "/out_of_scope"})
        dispatcher.utter_message(response="utter_ask_affirmation", buttons=buttons)
        return []
