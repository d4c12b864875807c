"""Progress: where the buyer's orders, service orders and interventions stand."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.common import (
    BuyerAction,
    button_title,
    call,
    label,
    labels,
    local_time,
    order_button,
    order_line,
    say_order_not_found,
    template,
)
from jieru import config
from jieru.kb.policy import load_policy
from jieru.rules.facts import OrderFacts
from jieru.services import overview, progress
from jieru.text import normalize

# How many orders one progress answer lists.
MAX_ORDERS = 5


def progress_text(order: OrderFacts) -> str:
    """Everything under way on one order, one line each."""
    lines = [order_line(order), label("order_status", order.status)]
    for a in order.aftersales:
        lines.append(
            template("aftersale_line").format(
                aftersale_id=a.id,
                type=label("aftersale_type", a.type),
                status=label("aftersale_status", a.status),
            )
        )
        for i in a.interventions:
            lines.append(
                template("intervention_line").format(
                    number=i.number, status=label("intervention_status", i.status)
                )
            )
            if i.is_open and i.evidence_due_at:
                due = load_policy(order.platform).labels.evidence_due
                lines.append(
                    template("deadline_line").format(label=due, time=local_time(i.evidence_due_at))
                )
    return "\n".join(lines)


def asks_for_all(tracker: Tracker) -> bool:
    """Whether the buyer asked about every order ("全部订单的进度", or the button)."""
    if next(tracker.get_latest_entity_values("progress_scope"), None) == "all":
        return True
    said = normalize(tracker.latest_message.get("text") or "")
    return any(marker in said for marker in labels()["all_orders_markers"])


class ActionCheckProgress(BuyerAction):
    """Progress of the order the buyer names, else of the one the conversation is about
    (with what to do now; the rest only on request), else of everything under way."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_check_progress"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, buyer: str
    ) -> list[EventType]:
        """Speak one message per order; remember the order when one was named."""
        said = next(tracker.get_latest_entity_values("order_id"), None)
        order_id = str(said) if said else None
        current = None if order_id or asks_for_all(tracker) else tracker.get_slot("order_id")
        orders = await call(progress.buyer_orders, buyer_id=buyer)
        wanted = order_id or current
        if wanted:
            order = next((o for o in orders if o.id == wanted), None)
            if order is None:
                say_order_not_found(dispatcher, wanted)
                return [SlotSet("order_id", None)]
            self._speak(dispatcher, [order], header="utter_progress_current")
            more = [o for o in orders if o.id != order.id and progress.is_active(o)]
            if current and more:
                dispatcher.utter_message(response="utter_progress_more", count=len(more))
            return [SlotSet("order_id", order.id)]
        if not orders:
            dispatcher.utter_message(response="utter_no_orders")
            return []
        active = [o for o in orders if progress.is_active(o)]
        if not active:
            dispatcher.utter_message(response="utter_nothing_in_progress")
            return []
        self._speak(dispatcher, active[:MAX_ORDERS], header="utter_progress_header")
        return []

    @staticmethod
    def _speak(dispatcher: CollectingDispatcher, orders: list[OrderFacts], header: str) -> None:
        """The header, then each order's progress with its next step and a button."""
        dispatcher.utter_message(response=header)
        for order in orders:
            steps = [s.line for s in overview.next_steps([order], now=config.now())]
            dispatcher.utter_message(
                text="\n".join([progress_text(order), *steps]),
                buttons=[order_button(order) | {"title": button_title("can_i_apply")}],
            )


# ----- What the bot says first when the widget opens (jieru/services/overview.py) -----

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
