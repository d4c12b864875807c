"""Hand-off: the conversation goes to a human agent with a summary they can act on.

The bot hands off when the buyer asks (request_human), when the buyer is angry or
desperate before they ask (EmotionPolicy predicts action_handoff on the NLU's emotion),
when the two-stage fallback misses a second time (action_default_fallback below), and
when the buyer accepts the offer of a person for a case kb/ has no rule for (the rule in
bot/data/rules/handoff.yml after utter_unknown_rule)."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ConversationPaused, EventType, UserUtteranceReverted
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
from jieru import config, emotion
from jieru.services import agents, handoff
from jieru.services.errors import ServiceUnavailable

# How many of the buyer's latest messages the agent sees in the summary.
RECENT_MESSAGES = 3
# How much of each message the summary quotes.
QUOTED_CHARACTERS = 80
# What the queue number reads when the hand-off queue itself is down.
NO_QUEUE_NUMBER = "—"
# Why the bot hands off, as the hand-off record keeps it (kb/labels.yml handoff_reason
# names each for the agent).
REQUESTED, EMOTION, FALLBACK, UNKNOWN_RULE = "request_human", "emotion", "fallback", "unknown_rule"
REASONS = (REQUESTED, EMOTION, FALLBACK, UNKNOWN_RULE)
# What the bot says first when it hands off without being asked.
LEAD_IN = {EMOTION: "utter_handoff_upset", FALLBACK: "utter_handoff_fallback"}
# Rasa's two-stage fallback loop, active while it gives up (it then runs the fallback).
TWO_STAGE_FALLBACK = "action_two_stage_fallback"


def reason_of(tracker: Tracker) -> str:
    """Why the conversation goes to an agent now: the buyer asked (whatever their tone),
    else their strong emotion, else their yes to the person offered for a case kb/ has
    no rule for."""
    if tracker.get_intent_of_latest_message() == REQUESTED:
        return REQUESTED
    if emotion.strong_in(tracker.latest_message):
        return EMOTION
    if tracker.get_slot("eligibility") == "unknown":
        return UNKNOWN_RULE
    return REQUESTED


def reason_line(reason: str, tracker: Tracker) -> str:
    """The summary's first line: why, in words, with the buyer's angry words for EMOTION."""
    lines = labels()["templates"]["handoff"]
    why = label("handoff_reason", reason)
    cues = (tracker.latest_message.get(emotion.PARSE_KEY) or {}).get("cues") or []
    if reason == EMOTION and cues:
        why = lines["cues"].format(reason=why, cues=lines["cues_separator"].join(cues))
    return str(lines["reason"].format(reason=why))


def summary(tracker: Tracker, reason: str | None = None) -> str:
    """What the agent needs first: why (when given), the problem, the order, where it
    stands, last words; every value in words from kb/labels.yml, never a slot's code."""
    lines = labels()["templates"]["handoff"]
    parts = [reason_line(reason, tracker)] if reason else []
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


async def hand_over(
    dispatcher: CollectingDispatcher, tracker: Tracker, reason: str
) -> list[EventType]:
    """Queue the hand-off with the summary and the reason, tell the buyer (an apology
    first when the bot was not asked) the summary and their place in the queue, and pause the conversation until an agent hands it back.

    Works without a buyer and without the database: the buyer is still told to wait for
    a human (with no queue number when the queue cannot be reached), and the bot goes on
    answering, since no agent will see this conversation."""
    # The agent reads why; the buyer is told what the agent sees of their case.
    text, told = summary(tracker, reason), summary(tracker)
    if reason in LEAD_IN:
        dispatcher.utter_message(response=LEAD_IN[reason])
    try:
        handoff_id = await call(
            handoff.hand_off,
            conversation_id=tracker.sender_id,
            buyer_id=buyer_id(tracker),
            reason=reason,
            summary=text,
            order_id=tracker.get_slot("order_id"),
            problem=tracker.get_slot("problem"),
        )
        place = await call(agents.place_in_queue, handoff_id=handoff_id)
    except ServiceUnavailable:
        dispatcher.utter_message(response="utter_handoff", handoff_id=NO_QUEUE_NUMBER, summary=told)
        return []
    dispatcher.utter_message(response="utter_handoff", handoff_id=handoff_id, summary=told)
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


class ActionHandoff(Action):
    """Queue the conversation for a human agent and tell the buyer what the agent sees."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Hand over for ``reason_of(tracker)`` (see ``hand_over``)."""
        return await hand_over(dispatcher, tracker, reason_of(tracker))


class ActionDefaultFallback(Action):
    """Rasa's own fallback, replaced: after the two-stage fallback's second miss (Rasa
    runs this action as the loop gives up) the bot hands off; anywhere else (no rule for
    the turn) it offers a person and forgets the message, as Rasa's default does."""

    def name(self) -> str:
        """Rasa's own name: this replaces its default fallback action."""
        return "action_default_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Hand over (FALLBACK) when the two-stage fallback gives up, else utter_default
        and revert the buyer's message."""
        if (tracker.active_loop or {}).get("name") == TWO_STAGE_FALLBACK:
            return await hand_over(dispatcher, tracker, FALLBACK)
        dispatcher.utter_message(response="utter_default")
        return [UserUtteranceReverted()]
