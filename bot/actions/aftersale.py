"""A buyer who wants to start a refund, return or exchange: where their order stands when
they name one, the platform's process from kb/, then what the bot can do if the seller
refuses."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.common import (
    answer_faq,
    buyer_id,
    call,
    order_line,
    order_state,
    outage_guard,
    say_order_not_found,
    template,
)
from jieru.services import disputes
from jieru.text import normalize

# The kb/faq key that explains the process step by step, per platform.
PROCESS_KEY = "return_process"


class ActionAnswerAftersale(Action):
    """Answer request_aftersale: the order the buyer names (by number or "小白鞋那单") and
    where it stands, then its platform's return process (else the conversation's), the
    facts that fit the buyer's words first, then the offer to help if the seller refuses."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_answer_aftersale"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Speak the order, the process and the offer; remember the order named."""
        meant = await self._meant(dispatcher, tracker)
        events: list[EventType] = []
        if meant is not None and meant.unknown_order_id:
            say_order_not_found(dispatcher, meant.unknown_order_id)
        order = meant.order if meant is not None else None
        if order is not None:
            dispatcher.utter_message(response="utter_order_header", order_line=order_line(order))
            dispatcher.utter_message(
                text=template("order_state_line").format(state=order_state(order))
            )
            events = [SlotSet("order_id", order.id), SlotSet("platform", order.platform)]
        answer_faq(dispatcher, PROCESS_KEY, tracker, platform=order.platform if order else None)
        dispatcher.utter_message(response="utter_aftersale_if_refused")
        return events

    async def _meant(
        self, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> disputes.Meant | None:
        """The buyer's order the message names, if any (None without a buyer, or when
        the database is down: that is said, and the process is answered all the same)."""
        buyer = buyer_id(tracker)
        if buyer is None:
            return None
        said = next(tracker.get_latest_entity_values("order_id"), None)
        work = call(
            disputes.meant,
            buyer_id=buyer,
            order_id=str(said) if said else None,
            said=normalize(tracker.latest_message.get("text") or ""),
        )
        return await outage_guard(self.name(), dispatcher, work, fallback=None)
