"""Knowledge answers from kb/ for the platform in the conversation."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.common import answer_question


class ActionAnswerFaq(Action):
    """Answer a faq/<key> question from kb/ for the conversation's platform; ask the
    buyer to rephrase when the key is not one kb/ answers."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_answer_faq"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Speak kb/'s answer; no events."""
        answer_question(dispatcher, tracker)
        return []
