"""What every action shares: who the buyer is, how an order is shown, and the
one way a database outage is told to the buyer."""
from __future__ import annotations

import abc
import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from jieru import config
from jieru.channels.identity import buyer_from_tracker_metadata
from jieru.kb import load_yaml
from jieru.rules.facts import OrderFacts
from jieru.services import ServiceUnavailable

logger = logging.getLogger(__name__)
T = TypeVar("T")


def labels() -> dict[str, Any]:
    """kb/labels.yml: Chinese names of platforms, statuses and the display templates."""
    return load_yaml("labels.yml")


def label(kind: str, value: str | None) -> str:
    """The Chinese label of a schema value (the value itself when kb/ has none)."""
    return labels()[kind].get(value, value or "")


def intent_label(domain: dict, intent: str) -> str:
    """How the bot names an intent to the buyer: the text of ``utter_ask_<intent>`` in
    the domain (the two-stage fallback's labels), else the intent's name."""
    variants = domain.get("responses", {}).get(f"utter_ask_{intent}") or [{}]
    return variants[0].get("text") or intent


def local_time(when: datetime) -> str:
    """A time as the buyer reads it, in the deployment's time zone."""
    return when.astimezone(config.settings().timezone).strftime(labels()["templates"]["time"])


def order_state(order: OrderFacts) -> str:
    """The most telling status of an order: its latest service order's, else its own."""
    if order.aftersales:
        latest = max(order.aftersales, key=lambda a: a.requested_at)
        return label("aftersale_status", latest.status)
    return label("order_status", order.status)


def order_line(order: OrderFacts) -> str:
    return labels()["templates"]["order_line"].format(
        title=order.title, shop=order.shop_name, platform=label("platform", order.platform),
        amount=f"{order.amount:.2f}", order_id=order.id,
    )


def order_button(order: OrderFacts, intent: str) -> dict[str, str]:
    """A button that picks ``order`` and says ``intent`` about it."""
    title = labels()["templates"]["order_button"].format(
        title=order.title, platform=label("platform", order.platform), state=order_state(order),
    )
    return {"title": title, "payload": f'/{intent}{{"order_id": "{order.id}"}}'}


def deadline_lines(deadlines: tuple[tuple[str, datetime], ...] | list) -> str:
    template = labels()["templates"]["deadline_line"]
    return "\n".join(template.format(label=name, time=local_time(when)) for name, when in deadlines)


def buyer_id(tracker: Tracker) -> str | None:
    """The authenticated buyer of this conversation (see jieru.channels.identity).

    An event the web service triggers (Rasa's trigger_intent: an uploaded file, a due
    reminder) carries no metadata of its own; it speaks for the buyer of the conversation's
    latest message that does (conversations are keyed by the buyer)."""
    dev_buyer, channel = config.settings().dev_buyer, tracker.get_latest_input_channel()
    buyer = buyer_from_tracker_metadata(tracker.latest_message, channel, dev_buyer)
    # --- widget (issue 14): triggered events, looked up on the same channel only ---
    if buyer is None and (tracker.latest_message.get("metadata") or {}).get("is_external"):
        earlier = (e for e in reversed(tracker.events) if e.get("event") == "user")
        same = (e for e in earlier if e.get("input_channel") == channel)
        buyer = next(filter(None, (buyer_from_tracker_metadata(e, channel, dev_buyer) for e in same)), None)
    # --- end widget ---
    return buyer


async def call(fn: Callable[..., T], /, **kwargs: Any) -> T:
    """Run a blocking service call off the event loop, so one slow query does not
    stall every other conversation on the action server."""
    return await asyncio.to_thread(fn, **kwargs)


class BuyerAction(Action, abc.ABC):
    """An action on the buyer's own orders: refuses without a buyer, and turns an
    unreachable database into one clear message with a human offered."""

    @abc.abstractmethod
    def name(self) -> str: ...

    @abc.abstractmethod
    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict, buyer: str
    ) -> list[EventType]: ...

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        buyer = buyer_id(tracker)
        if buyer is None:
            dispatcher.utter_message(response="utter_login_required")
            return []
        try:
            return await self.act(dispatcher, tracker, domain, buyer)
        except ServiceUnavailable as exc:
            logger.warning("%s: order database unavailable: %s", self.name(), exc)
            dispatcher.utter_message(response="utter_service_unavailable")
            return self.unavailable_events()

    def unavailable_events(self) -> list[EventType]:
        """Events to return when the database is down (override to steer the dialogue)."""
        return []
