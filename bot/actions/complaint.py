"""Complaints (投诉): recorded against the shop; explained as different from intervention."""
from __future__ import annotations

from typing import Any

from rasa_sdk import FormValidationAction
from rasa_sdk.events import EventType, SlotSet

from bot.actions.common import BuyerAction, buyer_id, call, label, labels, order_button
from jieru.services import complaints, progress


class ValidateComplaintForm(FormValidationAction):
    def name(self) -> str:
        return "validate_complaint_form"

    async def validate_order_id(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        buyer = buyer_id(tracker)
        found = buyer and await call(progress.buyer_orders, buyer_id=buyer, order_id=str(value))
        if not found:
            dispatcher.utter_message(response="utter_order_not_found", order_id=value)
            return {"order_id": None}
        return {"order_id": str(value)}

    def validate_complaint_category(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        # Free words that name no category of kb/labels.yml are recorded as "other".
        return {"complaint_category": value if value in labels()["complaint_category"] else "other"}


class ActionAskOrderId(BuyerAction):
    """Ask which order, with the buyer's recent orders as buttons."""

    def name(self) -> str:
        return "action_ask_order_id"

    async def act(self, dispatcher, tracker, domain, buyer) -> list[EventType]:
        orders = await call(progress.buyer_orders, buyer_id=buyer)
        if not orders:
            dispatcher.utter_message(response="utter_no_orders")
            return []
        dispatcher.utter_message(
            response="utter_ask_order_id", buttons=[order_button(o, "inform_order_id") for o in orders[:5]])
        return []


class ActionSubmitComplaint(BuyerAction):
    def name(self) -> str:
        return "action_submit_complaint"

    async def act(self, dispatcher, tracker, domain, buyer) -> list[EventType]:
        order_id, category = tracker.get_slot("order_id"), tracker.get_slot("complaint_category") or "other"
        texts = [e.get("text", "") for e in tracker.events if e.get("event") == "user"]
        number = await call(
            complaints.file_complaint, buyer_id=buyer, order_id=order_id, category=category,
            description="\n".join(t for t in texts[-3:] if not t.startswith("/")),
        )
        if number is None:
            dispatcher.utter_message(response="utter_order_not_found", order_id=order_id)
            return [SlotSet("complaint_category", None)]
        orders = await call(progress.buyer_orders, buyer_id=buyer, order_id=order_id)
        dispatcher.utter_message(
            response="utter_complaint_filed", number=number, shop=orders[0].shop_name,
            category=label("complaint_category", category),
        )
        return [SlotSet("complaint_category", None)]
