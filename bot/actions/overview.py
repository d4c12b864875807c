"""What the bot says first when the widget opens (see jieru/services/overview.py for how
``/open_chat`` is sent): the buyer's open disputes, each as a button with its one next step."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.common import BuyerAction, call
from jieru.services import overview

# Buttons shown at most; the count says how many disputes there are in all.
MAX_BUTTONS = 5


class ActionShowOverview(BuyerAction):
    """Open disputes with their next steps as buttons; the greeting when there are none."""

    def name(self) -> str:
        return "action_show_overview"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, buyer: str
    ) -> list[EventType]:
        steps = await call(overview.buyer_overview, buyer_id=buyer)
        if not steps:
            dispatcher.utter_message(response="utter_greet")
            return []
        dispatcher.utter_message(
            response="utter_open_disputes",
            count=len(steps),
            buttons=[{"title": s.line, "payload": s.payload} for s in steps[:MAX_BUTTONS]],
        )
        return []
