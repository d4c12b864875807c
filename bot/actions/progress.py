"""Progress: where the buyer's orders, service orders and interventions stand."""

from __future__ import annotations

from datetime import datetime

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
    order_payload,
    order_state,
    say_order_not_found,
    template,
)
from jieru import config
from jieru.kb.policy import load_policy
from jieru.rules.facts import OrderFacts
from jieru.services import overview, progress
from jieru.text import normalize

# How many orders one progress answer lists (the rest on request).
MAX_ORDERS = 5
# A list longer than this is said as one line per order in one message: twelve orders in
# full were a dozen messages. Each line's button shows that order in full.
MAX_IN_FULL = 3


def progress_text(order: OrderFacts, *, now: datetime) -> str:
    """Everything on one order, one line each: its status, each service order, each
    intervention with its stage, the evidence deadline still ahead and the decision."""
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
            # A deadline already past tells the buyer nothing to do.
            if i.is_open and i.evidence_due_at and i.evidence_due_at > now:
                due = load_policy(order.platform).labels.evidence_due
                lines.append(
                    template("deadline_line").format(label=due, time=local_time(i.evidence_due_at))
                )
            if i.decision:
                lines.append(template("decision_line").format(decision=i.decision))
    return "\n".join(lines)


def said_text(tracker: Tracker) -> str:
    """The buyer's message as every action reads it (simplified, half-width, trimmed:
    kb/ words and product names are matched in that form)."""
    return normalize(tracker.latest_message.get("text") or "").strip()


def asks_for_all(tracker: Tracker) -> bool:
    """Whether the buyer asked about every order ("全部订单的进度", or the button)."""
    if next(tracker.get_latest_entity_values("progress_scope"), None) == "all":
        return True
    said = said_text(tracker)
    return any(marker in said for marker in labels()["all_orders_markers"])


class ActionCheckProgress(BuyerAction):
    """Progress of what the buyer asks about: the order they name (number or product),
    else the one the conversation is about (the rest on request), else their
    interventions or service orders when they ask about those, else everything under
    way, the most relevant first (jieru.services.progress.answer)."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_check_progress"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, buyer: str
    ) -> list[EventType]:
        """Speak one message per order; remember the order when one was named."""
        number = next(tracker.get_latest_entity_values("order_id"), None)
        orders = await call(progress.buyer_orders, buyer_id=buyer)
        if number:
            order = next((o for o in orders if o.id == str(number)), None)
            if order is None:
                say_order_not_found(dispatcher, str(number))
                return [SlotSet("order_id", None)]
            self._speak(dispatcher, [order], header="utter_progress_current")
            return [SlotSet("order_id", order.id)]
        if not orders:
            dispatcher.utter_message(response="utter_no_orders")
            return []
        found = progress.answer(
            orders,
            said=said_text(tracker),
            platform=next(tracker.get_latest_entity_values("platform"), None),
            aftersale_type=next(tracker.get_latest_entity_values("aftersale_type"), None),
            current=tracker.get_slot("order_id"),
            everything=asks_for_all(tracker),
            limit=MAX_ORDERS,
        )
        if found.named is not None:
            self._speak(dispatcher, [found.named], header="utter_progress_current")
        elif found.orders:
            self._speak(dispatcher, list(found.orders), header="utter_progress_header")
        else:
            dispatcher.utter_message(response="utter_nothing_in_progress")
            return []
        if found.more:
            dispatcher.utter_message(response="utter_progress_more", count=found.more)
        return [SlotSet("order_id", found.named.id)] if found.named is not None else []

    @staticmethod
    def _speak(dispatcher: CollectingDispatcher, orders: list[OrderFacts], header: str) -> None:
        """The header, then each order's progress with its next step and a button; of
        more than MAX_IN_FULL orders, the first (the most relevant) so and the rest as one
        list (``_speak_list``)."""
        now = config.now()
        dispatcher.utter_message(response=header)
        in_full, listed = (orders[:1], orders[1:]) if len(orders) > MAX_IN_FULL else (orders, [])
        for order in in_full:
            steps = [s.line for s in overview.next_steps([order], now=now)]
            dispatcher.utter_message(
                text="\n".join([progress_text(order, now=now), *steps]),
                buttons=[order_button(order) | {"title": button_title("can_i_apply")}],
            )
        if listed:
            ActionCheckProgress._speak_list(dispatcher, listed, now=now)

    @staticmethod
    def _speak_list(
        dispatcher: CollectingDispatcher, orders: list[OrderFacts], *, now: datetime
    ) -> None:
        """One message: a line per order (its most urgent next step, else its state),
        and a button per order that asks for its progress in full."""
        first_step: dict[str, str] = {}
        for step in overview.next_steps(orders, now=now):
            first_step.setdefault(step.order_id, step.line)
        lines = [
            template("progress_list_line").format(
                n=n,
                line=first_step.get(o.id)
                or template("progress_list_state").format(title=o.title, state=order_state(o)),
                order_id=o.id,
            )
            for n, o in enumerate(orders, 1)
        ]
        buttons = [
            {
                "title": button_title("progress_of").format(title=o.title),
                "payload": order_payload(o.id, "check_progress"),
            }
            for o in orders
        ]
        dispatcher.utter_message(text="\n".join(lines), buttons=buttons)


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
