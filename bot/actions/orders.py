"""Identify the buyer's order, say where it stands on intervention, report progress."""
from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.common import (
    BuyerAction,
    call,
    deadline_lines,
    label,
    labels,
    local_time,
    order_button,
    order_line,
)
from jieru.rules.facts import OrderFacts, Verdict
from jieru.services import disputes, progress
from jieru.services.disputes import Lookup

PROBLEMS = (
    "report_refund_refused", "report_not_shipped", "report_refund_not_received",
    "report_return_not_refunded", "report_exchange_not_reshipped", "report_bad_item",
)
# Slots of a filing in progress; cleared whenever the order in question changes.
FILING_SLOTS = ("description", "evidence", "confirm_filing", "aftersale_id")


def _order_id(tracker: Tracker) -> str | None:
    """The order the buyer means: a number in this message, else the one already chosen."""
    return next(tracker.get_latest_entity_values("order_id"), None) or tracker.get_slot("order_id")


class ActionCheckEligibility(BuyerAction):
    """Find the order, run the eligibility engine, and say the result with concrete times."""

    def name(self) -> str:
        return "action_check_eligibility"

    def unavailable_events(self) -> list[EventType]:
        return [SlotSet("eligibility", "unavailable")]

    async def act(self, dispatcher, tracker, domain, buyer) -> list[EventType]:
        order_id = _order_id(tracker)
        intent = tracker.get_intent_of_latest_message()
        problem = intent if intent in PROBLEMS else tracker.get_slot("problem")
        said = [SlotSet("problem", problem)] if problem != tracker.get_slot("problem") else []
        platform = tracker.get_slot("platform")
        result = await call(disputes.assess, buyer_id=buyer, order_id=order_id, problem=problem, platform=platform)
        if result.lookup is Lookup.FOUND:
            return said + self._decided(dispatcher, tracker, result)
        if result.lookup is Lookup.NOT_FOUND:
            dispatcher.utter_message(response="utter_order_not_found", order_id=order_id)
            result = await call(disputes.assess, buyer_id=buyer, problem=problem, platform=platform)
            state = "not_found"
        else:
            state = {Lookup.NO_ORDERS: "no_orders"}.get(result.lookup, "choose_order")
        self._offer_candidates(dispatcher, result)
        return [*said, SlotSet("order_id", None), SlotSet("eligibility", state)]

    @staticmethod
    def _offer_candidates(dispatcher: CollectingDispatcher, result: disputes.Assessment) -> None:
        buttons = [order_button(o, "inform_order_id") for o in result.candidates]
        if result.lookup is Lookup.NO_ORDERS:
            dispatcher.utter_message(response="utter_no_orders")
        elif result.lookup is Lookup.NO_MATCH:
            dispatcher.utter_message(response="utter_no_matching_order", buttons=buttons)
        elif len(result.candidates) == 1:
            only = result.candidates[0]
            dispatcher.utter_message(response="utter_order_header", order_line=order_line(only))
            dispatcher.utter_message(
                response="utter_confirm_single_order",
                buttons=[{"title": "是这笔", "payload": buttons[0]["payload"]}, {"title": "不是", "payload": "/deny"}],
            )
        elif buttons:
            dispatcher.utter_message(response="utter_choose_order", buttons=buttons)

    @staticmethod
    def _decided(dispatcher: CollectingDispatcher, tracker: Tracker, result: disputes.Assessment) -> list[EventType]:
        order, decision = result.order, result.decision
        dispatcher.utter_message(response="utter_order_header", order_line=order_line(order))
        dispatcher.utter_message(text=decision.explanation)
        verdict = decision.verdict
        if verdict is Verdict.ELIGIBLE:
            dispatcher.utter_message(response="utter_offer_filing")
        elif verdict is Verdict.NOT_YET:
            # widget (issue 14): offer to remind at the time (bot/actions/reminders.py)
            dispatcher.utter_message(
                response="utter_offer_reminder", order_id=order.id, time=local_time(decision.eligible_from))
        elif verdict is Verdict.NOT_APPLICABLE:
            dispatcher.utter_message(response="utter_alternatives", alternatives="；".join(decision.alternatives))
        elif verdict is Verdict.IN_PROGRESS:
            dispatcher.utter_message(
                response="utter_already_in_intervention", number=decision.intervention_number,
                stage=label("intervention_status", decision.stage), deadlines=deadline_lines(decision.deadlines),
            )
        elif verdict is Verdict.UNKNOWN:
            dispatcher.utter_message(response="utter_unknown_rule")
        return [
            SlotSet("order_id", order.id),
            SlotSet("platform", order.platform),
            *(SlotSet(slot, None) for slot in FILING_SLOTS),
            SlotSet("aftersale_id", decision.aftersale_id),
            SlotSet("eligibility", verdict.value),
        ]


def progress_text(order: OrderFacts) -> str:
    """Everything under way on one order, one line each."""
    templates = labels()["templates"]
    lines = [order_line(order), label("order_status", order.status)]
    for a in order.aftersales:
        lines.append(templates["aftersale_line"].format(
            aftersale_id=a.id, type=label("aftersale_type", a.type), status=label("aftersale_status", a.status)))
        for i in a.interventions:
            lines.append(templates["intervention_line"].format(
                number=i.number, status=label("intervention_status", i.status)))
            if i.is_open and i.evidence_due_at:
                lines.append(templates["deadline_line"].format(label="举证截止", time=local_time(i.evidence_due_at)))
    return "\n".join(lines)


class ActionCheckProgress(BuyerAction):
    """Progress of one order (by number) or of everything still under way."""

    def name(self) -> str:
        return "action_check_progress"

    async def act(self, dispatcher, tracker, domain, buyer) -> list[EventType]:
        order_id = next(tracker.get_latest_entity_values("order_id"), None)
        orders = await call(progress.buyer_orders, buyer_id=buyer, order_id=order_id)
        if orders is None:
            dispatcher.utter_message(response="utter_order_not_found", order_id=order_id)
            return [SlotSet("order_id", None)]
        active = orders if order_id else [o for o in orders if progress.is_active(o)]
        if not orders:
            dispatcher.utter_message(response="utter_no_orders")
            return []
        if not active:
            dispatcher.utter_message(response="utter_nothing_in_progress")
            return []
        dispatcher.utter_message(response="utter_progress_header")
        for order in active[:5]:
            dispatcher.utter_message(
                text=progress_text(order),
                buttons=[order_button(order, "inform_order_id") | {"title": "能不能申请介入？"}],
            )
        return [SlotSet("order_id", order_id)] if order_id else []
