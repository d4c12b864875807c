"""Knowledge answers: about the buyer's own order when the question names one, else from
kb/ for the platform in the conversation."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.common import answer_knowledge_question


class ActionAnswerFaq(Action):
    """Answer a faq/<key> question: a question about the buyer's own order goes to the
    decision on it (``answer_knowledge_question``); any other is answered from kb/ for
    the conversation's platform, or the buyer is asked to rephrase when the key is not
    one kb/ answers."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_answer_faq"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Speak kb/'s answer (no events), or hand over to action_check_eligibility."""
        return await answer_knowledge_question(self.name(), dispatcher, tracker)
