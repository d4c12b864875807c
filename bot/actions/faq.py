"""Knowledge answers: about the buyer's own order when the question names one, else from
kb/ for the platform in the conversation."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.common import answer_faq, answer_knowledge_question, faq_key_of
from jieru.kb import faq
from jieru.kb.lexicon import follow_up_platform

# The question last answered from kb/, {"key", "question"}: what "淘宝的呢" asks again.
FAQ_ASKED = "faq_asked"


class ActionAnswerFaq(Action):
    """Answer a faq/<key> question: a question about the buyer's own order goes to the
    decision on it (``answer_knowledge_question``); any other is answered from kb/ for
    the conversation's platform, or the buyer is asked to rephrase when the key is not
    one kb/ answers. A message that only names a platform ("淘宝的呢",
    jieru.rasa.policies.follow_up) gets the last question's answer for that platform."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_answer_faq"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Speak kb/'s answer and remember the question (``faq_asked``), or hand over to
        action_check_eligibility."""
        asked: dict[str, Any] | None = tracker.get_slot(FAQ_ASKED)
        text = tracker.latest_message.get("text") or ""
        if asked and follow_up_platform(text):
            answer_faq(dispatcher, asked["key"], tracker, question=asked["question"])
            return []
        events = await answer_knowledge_question(self.name(), dispatcher, tracker)
        key = faq_key_of(tracker)
        if events or key not in faq.faq_keys():
            return events
        return [SlotSet(FAQ_ASKED, {"key": key, "question": text})]
