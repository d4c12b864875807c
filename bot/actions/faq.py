"""Knowledge answers from kb/ for the platform in the conversation."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.common import answer_faq, answer_question, faq_key_of
from jieru.kb import faq
from jieru.kb.lexicon import follow_up_platform

# The question last answered, {"key", "question"}: what "淘宝的呢" asks again.
FAQ_ASKED = "faq_asked"


class ActionAnswerFaq(Action):
    """Answer a faq/<key> question from kb/ for the conversation's platform; ask the
    buyer to rephrase when the key is not one kb/ answers. A message that only names a
    platform ("淘宝的呢", jieru.rasa.policies.follow_up) gets the last question's answer
    for that platform."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_answer_faq"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Speak kb/'s answer; remember the question answered (``faq_asked``)."""
        asked: dict[str, Any] | None = tracker.get_slot(FAQ_ASKED)
        text = tracker.latest_message.get("text") or ""
        if asked and follow_up_platform(text):
            answer_faq(dispatcher, asked["key"], tracker, question=asked["question"])
            return []
        key = faq_key_of(tracker)
        answer_question(dispatcher, tracker)
        if key is None or key not in faq.faq_keys():
            return []
        return [SlotSet(FAQ_ASKED, {"key": key, "question": text})]
