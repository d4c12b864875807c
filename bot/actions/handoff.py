"""Hand-off: the conversation goes to a human agent with a summary they can act on."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ConversationPaused, EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.common import (
    buyer_id,
    buyer_messages,
    call,
    intent_label,
    label,
    labels,
    local_time,
)
from jieru import config
from jieru.services import agents, handoff
from jieru.services.errors import ServiceUnavailable

# How many of the buyer's latest messages the agent sees in the summary.
RECENT_MESSAGES = 3
# How much of each message the summary quotes.
QUOTED_CHARACTERS = 80
# What the queue number reads when the hand-off queue itself is down.
NO_QUEUE_NUMBER = "—"


def summary(tracker: Tracker) -> str:
    """What the agent needs first: the problem, the order, where it stands, last words;
    every value in words from kb/labels.yml, never a slot's internal code."""
    lines = labels()["templates"]["handoff"]
    parts = []
    problem = tracker.get_slot("problem")
    if problem:
        parts.append(lines["problem"].format(problem=intent_label(problem)))
    if tracker.get_slot("order_id"):
        platform = label("platform", tracker.get_slot("platform"))
        parts.append(
            lines["order"].format(order_id=tracker.get_slot("order_id"), platform=platform)
        )
    if tracker.get_slot("eligibility"):
        eligibility = label("eligibility", tracker.get_slot("eligibility"))
        parts.append(lines["eligibility"].format(eligibility=eligibility))
    said = buyer_messages(tracker, RECENT_MESSAGES)
    if said:
        quoted = lines["said_separator"].join(t[:QUOTED_CHARACTERS] for t in said)
        parts.append(lines["said"].format(said=quoted))
    return "\n".join(parts) or str(lines["empty"])


class ActionHandoff(Action):
    """Queue the conversation for a human agent and tell the buyer what the agent sees.

    Works without a buyer and without the database: the buyer is still told to wait for a
    human (with no queue number when the queue cannot be reached)."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Queue the hand-off, speak the summary and the buyer's place in the queue, and
        pause the conversation (the bot stays silent until an agent hands it back)."""
        text = summary(tracker)
        try:
            handoff_id = await call(
                handoff.hand_off,
                conversation_id=tracker.sender_id,
                buyer_id=buyer_id(tracker),
                reason=tracker.get_intent_of_latest_message() or "request_human",
                summary=text,
                order_id=tracker.get_slot("order_id"),
                problem=tracker.get_slot("problem"),
            )
            place = await call(agents.place_in_queue, handoff_id=handoff_id)
        except ServiceUnavailable:
            # The agent queue is down too: still tell the buyer what to do, and keep
            # answering, since no agent will see this conversation.
            dispatcher.utter_message(
                response="utter_handoff", handoff_id=NO_QUEUE_NUMBER, summary=text
            )
            return []
        dispatcher.utter_message(response="utter_handoff", handoff_id=handoff_id, summary=text)
        if place.open_now:
            dispatcher.utter_message(
                response="utter_handoff_queue",
                ahead=place.position - 1,
                reply_by=local_time(place.reply_by),
                minutes=max(1, round(place.expected_wait.total_seconds() / 60)),
            )
        else:
            opens, closes = config.settings().agent_hours
            dispatcher.utter_message(
                response="utter_handoff_after_hours",
                reply_by=local_time(place.reply_by),
                hours=f"{opens:%H:%M}-{closes:%H:%M}",
            )
        # Rasa stops predicting while paused but keeps logging the buyer's messages,
        # which the agent reads in the transcript; the agent's hand-back resumes it.
        return [ConversationPaused()]
