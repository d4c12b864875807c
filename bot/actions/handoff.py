"""Hand the conversation to a human agent with a summary they can act on."""
from __future__ import annotations

from rasa_sdk import Action
from rasa_sdk.events import EventType

from bot.actions.common import buyer_id, call, intent_label, label
from jieru.services import ServiceUnavailable, handoff

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
            )
        except ServiceUnavailable:
            handoff_id = "—"  # the agent queue is down too: still tell the buyer what to do
        dispatcher.utter_message(response="utter_handoff", handoff_id=handoff_id, summary=text)
        return []
