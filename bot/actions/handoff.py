"""Hand the conversation to a human agent with a summary they can act on."""
from __future__ import annotations

from rasa_sdk import Action
from rasa_sdk.events import ConversationPaused, EventType

from bot.actions.common import buyer_id, call, intent_label, label, local_time
from jieru import config
from jieru.services import ServiceUnavailable, agents, handoff

# How many of the buyer's latest messages the agent sees in the summary.
RECENT_MESSAGES = 3


def summary(tracker, domain: dict) -> str:
    """What the agent needs first: the problem, the order, where it stands, last words."""
    problem = tracker.get_slot("problem")
    parts = []
    if problem:
        parts.append(f"问题：{intent_label(domain, problem)}")
    if tracker.get_slot("order_id"):
        parts.append(f"订单：{tracker.get_slot('order_id')}（{label('platform', tracker.get_slot('platform'))}）")
    if tracker.get_slot("eligibility"):
        parts.append(f"介入判断：{tracker.get_slot('eligibility')}")
    said = [e.get("text", "") for e in tracker.events if e.get("event") == "user"]
    said = [t for t in said if t and not t.startswith("/")][-RECENT_MESSAGES:]
    if said:
        parts.append("用户最近说：" + " / ".join(t[:80] for t in said))
    return "\n".join(parts) or "（用户直接要求人工）"


class ActionHandoff(Action):
    def name(self) -> str:
        return "action_handoff"

    async def run(self, dispatcher, tracker, domain) -> list[EventType]:
        text = summary(tracker, domain)
        try:
            handoff_id = await call(
                handoff.hand_off, conversation_id=tracker.sender_id, buyer_id=buyer_id(tracker),
                reason=tracker.get_intent_of_latest_message() or "request_human", summary=text,
                order_id=tracker.get_slot("order_id"), problem=tracker.get_slot("problem"),
            )
            place = await call(agents.place_in_queue, handoff_id=handoff_id)
        except ServiceUnavailable:
            # The agent queue is down too: still tell the buyer what to do, and keep
            # answering, since no agent will see this conversation.
            dispatcher.utter_message(response="utter_handoff", handoff_id="—", summary=text)
            return []
        dispatcher.utter_message(response="utter_handoff", handoff_id=handoff_id, summary=text)
        if place.open_now:
            dispatcher.utter_message(
                response="utter_handoff_queue", ahead=place.position - 1, reply_by=local_time(place.reply_by),
                minutes=max(1, round(place.expected_wait.total_seconds() / 60)),
            )
        else:
            opens, closes = config.settings().agent_hours
            dispatcher.utter_message(
                response="utter_handoff_after_hours", reply_by=local_time(place.reply_by),
                hours=f"{opens:%H:%M}-{closes:%H:%M}",
            )
        # Rasa stops predicting while paused but keeps logging the buyer's messages,
        # which the agent reads in the transcript; the agent's hand-back resumes it.
        return [ConversationPaused()]
