"""The bot's receipt for an evidence file the buyer uploaded in the widget.

The web service stores the file, then triggers ``inform_evidence_uploaded`` with the
entity ``evidence_id`` in the buyer's conversation (jieru/web/rasa_api.py). The entity
only names the row: the receipt is read for the conversation's own buyer, so a payload
typed by hand with someone else's id finds nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.common import BuyerAction, call
from jieru.services import evidence

SEPARATOR = "、"
T = TypeVar("T")


def entity_int(tracker: Tracker, entity: str) -> int | None:
    """The latest message's ``entity`` as a positive integer id, or None."""
    value = next(tracker.get_latest_entity_values(entity), None)
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) <= 18 else None


async def named_row(tracker: Tracker, entity: str, fn: Callable[..., T], buyer: str) -> T | None:
    """``fn(buyer_id=buyer, <entity>=<id>)`` for the id the latest message's ``entity``
    names (a triggered event's), or None when it names none."""
    ident = entity_int(tracker, entity)
    return None if ident is None else await call(fn, buyer_id=buyer, **{entity: ident})


class ActionAcknowledgeEvidence(BuyerAction):
    """Say which intervention got the file, which checklist item it ticks, what is left."""

    def name(self) -> str:
        return "action_acknowledge_evidence"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, buyer: str
    ) -> list[EventType]:
        receipt = await named_row(tracker, "evidence_id", evidence.receipt, buyer)
        if receipt is None:
            dispatcher.utter_message(response="utter_evidence_not_found")
            return []
        counts = {"number": receipt.number, "count": receipt.count, "limit": receipt.limit}
        if receipt.ticked:
            dispatcher.utter_message(
                response="utter_evidence_received", item=receipt.item_label, **counts
            )
        else:
            dispatcher.utter_message(response="utter_evidence_received_off_checklist", **counts)
        done = SEPARATOR.join(receipt.done)
        if receipt.missing and receipt.done:
            dispatcher.utter_message(
                response="utter_evidence_checklist_left",
                done=done,
                missing=SEPARATOR.join(receipt.missing),
            )
        elif receipt.done:
            dispatcher.utter_message(response="utter_evidence_checklist_complete", done=done)
        return []
