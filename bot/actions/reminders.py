"""Reminders for when intervention becomes possible (jieru/services/reminders.py).

``request_reminder`` (the button under "not yet, from <time>", or typed) schedules one for
the order in question; ``eligibility_opened``, triggered by the web service at the due
time with the entity ``reminder_id``, has the bot decide again and say so.
"""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.common import BuyerAction, call, local_time, order_line
from bot.actions.evidence import named_row
from jieru.rules.facts import Verdict
from jieru.services import reminders
from jieru.services.reminders import Outcome


class ActionScheduleReminder(BuyerAction):
    """Remind the buyer at the time the engine gives for the order, when there is one."""

    def name(self) -> str:
        return "action_schedule_reminder"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, buyer: str
    ) -> list[EventType]:
        order_id = next(tracker.get_latest_entity_values("order_id"), None) or tracker.get_slot(
            "order_id"
        )
        if not order_id:
            dispatcher.utter_message(response="utter_reminder_which_order")
            return []
        result = await call(
            reminders.schedule,
            buyer_id=buyer,
            conversation_id=tracker.sender_id,
            order_id=str(order_id),
        )
        if result.outcome is Outcome.NOT_FOUND:
            dispatcher.utter_message(response="utter_order_not_found", order_id=order_id)
            return [SlotSet("order_id", None)]
        if result.outcome is Outcome.SCHEDULED and result.due_at is not None:
            dispatcher.utter_message(
                response="utter_reminder_scheduled", time=local_time(result.due_at)
            )
        elif result.outcome is Outcome.ELIGIBLE_NOW:
            dispatcher.utter_message(response="utter_reminder_not_needed", order_id=order_id)
        else:
            dispatcher.utter_message(
                response="utter_reminder_not_waiting",
                explanation=result.decision.explanation if result.decision else "",
            )
        return [SlotSet("order_id", order_id)]


class ActionRemindEligibility(BuyerAction):
    """A due reminder: "现在可以申请介入了" with the button when that is true now, else
    what changed."""

    def name(self) -> str:
        return "action_remind_eligibility"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, buyer: str
    ) -> list[EventType]:
        found = await named_row(tracker, "reminder_id", reminders.reminded, buyer)
        if found is None:
            return []  # not this buyer's reminder: nothing to say about it
        order, decision = found.order, found.decision
        if decision.verdict is Verdict.ELIGIBLE:
            dispatcher.utter_message(
                response="utter_eligibility_opened", order_line=order_line(order), order_id=order.id
            )
            return [SlotSet("order_id", order.id)]
        dispatcher.utter_message(
            response="utter_reminder_changed",
            order_line=order_line(order),
            explanation=decision.explanation,
        )
        return []
