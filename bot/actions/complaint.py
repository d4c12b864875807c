"""Complaints (投诉): recorded against the shop; explained as different from intervention."""

from __future__ import annotations

from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.common import (
    BuyerAction,
    buyer_id,
    buyer_messages,
    call,
    label,
    labels,
    order_button,
    outage_guard,
    say_order_not_found,
)
from jieru.services import complaints, progress
from jieru.services.errors import OrderNotFound
from jieru.text import normalize

# How many of the buyer's latest messages make the complaint's description.
DESCRIPTION_MESSAGES = 3
# How many recent orders the order question offers as buttons.
OFFERED_ORDERS = 5


class ValidateComplaintForm(FormValidationAction):
    """Validates the complaint form: the order must be the buyer's own; a category
    outside kb/labels.yml is recorded as "other"."""

    def name(self) -> str:
        """rasa-sdk derives the form (complaint_form) from this name."""
        return "validate_complaint_form"

    async def validate_order_id(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Keep the number when it is one of the buyer's orders; else say so and ask again.
        An outage is told through the one guard, and ends the form (asking again would
        only meet the outage again); nothing is filed."""
        order_id = str(value)
        buyer = buyer_id(tracker)
        if buyer is not None:
            found = await outage_guard(
                self.name(), dispatcher, self._is_buyers(buyer, order_id), fallback=None
            )
            if found is None:  # outage, already said: stop the form early
                return {"order_id": None, "requested_slot": None}
            if found:
                return {"order_id": order_id}
        say_order_not_found(dispatcher, value)
        return {"order_id": None}

    @staticmethod
    async def _is_buyers(buyer: str, order_id: str) -> bool:
        try:
            await call(progress.buyer_order, buyer_id=buyer, order_id=order_id)
        except OrderNotFound:
            return False
        return True

    def validate_complaint_category(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A category of kb/labels.yml, by button or by its label typed ("与描述不符"); free
        words that name no single category are recorded as "other"."""
        categories: dict[str, str] = labels()["complaint_category"]
        if value in categories:
            return {"complaint_category": value}
        said = normalize(str(value or ""))
        named = [k for k, name in categories.items() if any(p in said for p in name.split("/"))]
        return {"complaint_category": named[0] if len(named) == 1 else "other"}


class ActionAskComplaintFormOrderId(BuyerAction):
    """Ask which order the complaint is about, with the buyer's recent orders as buttons
    (Rasa's ``action_ask_<form>_<slot>``: only the complaint form asks this way)."""

    def name(self) -> str:
        """The complaint form's question for order_id."""
        return "action_ask_complaint_form_order_id"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, buyer: str
    ) -> list[EventType]:
        """Speak the question, or that the buyer has no orders; no events."""
        orders = await call(progress.buyer_orders, buyer_id=buyer)
        if not orders:
            dispatcher.utter_message(response="utter_no_orders")
            return []
        dispatcher.utter_message(
            response="utter_ask_complaint_form_order_id",
            buttons=[order_button(o) for o in orders[:OFFERED_ORDERS]],
        )
        return []


class ActionSubmitComplaint(BuyerAction):
    """Record the complaint against the order's shop and say how it differs from
    an intervention."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_submit_complaint"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, buyer: str
    ) -> list[EventType]:
        """File it (one service call gives the number and the shop); clear the category."""
        order_id = tracker.get_slot("order_id")
        if not order_id:  # the form stopped early (an outage, already told): nothing to file
            return [SlotSet("complaint_category", None)]
        category = tracker.get_slot("complaint_category") or "other"
        try:
            receipt = await call(
                complaints.file_complaint,
                buyer_id=buyer,
                order_id=order_id,
                category=category,
                description="\n".join(buyer_messages(tracker, DESCRIPTION_MESSAGES)),
            )
        except OrderNotFound:
            say_order_not_found(dispatcher, order_id)
            return [SlotSet("complaint_category", None)]
        dispatcher.utter_message(
            response="utter_complaint_filed",
            number=receipt.number,
            shop=receipt.shop_name,
            category=label("complaint_category", category),
        )
        return [SlotSet("complaint_category", None)]
