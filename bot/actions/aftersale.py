"""A buyer who wants to start a refund, return or exchange: the platform's process from
kb/, then what the bot can do if the seller refuses."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.common import answer_faq

# The kb/faq key that explains the process step by step, per platform.
PROCESS_KEY = "return_process"


class ActionAnswerAftersale(Action):
    """Answer request_aftersale: the conversation's platform's return process (the facts
    that fit the buyer's words first), then the offer to help if the seller refuses."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_answer_aftersale"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Speak the process and the offer; no events."""
        answer_faq(dispatcher, PROCESS_KEY, tracker)
        dispatcher.utter_message(response="utter_aftersale_if_refused")
        return []
