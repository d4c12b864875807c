"""Complaints (投诉): recorded against the shop; explained as different from intervention."""

from __future__ import annotations

from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.common import (
    COMPLAINT_FORM,
    BuyerAction,
    asks_to_complain,
    buyer_id,
    buyer_messages,
    call,
    has_content,
    is_payload,
    is_question,
    label,
    labels,
    order_button,
    order_line,
    outage_guard,
    say_order_not_found,
    submits,
    template,
)
from jieru.rules.facts import OrderFacts
from jieru.services import ServiceUnavailable, complaints, progress
from jieru.services.errors import OrderNotFound
from jieru.text import normalize

# How many of the buyer's messages in the complaint (the latest ones) make its description.
DESCRIPTION_MESSAGES = 5
# How many recent orders the order question offers as buttons.
OFFERED_ORDERS = 5
# Words that describe the case, rather than noise or a bare yes, have at least this many
# different Chinese characters ("付完款就一直说在备货" yes, "确认" no).
DETAIL_CHARACTERS = 4

# Intents that never answer the complaint form's questions, whatever their words: their
# rules handle them (a human, stopping, a progress question, …) while the form waits.
NOT_ANSWERS = frozenset(
    {
        "stop",
        "restart",
        "request_human",
        "greet",
        "goodbye",
        "thank",
        "bot_challenge",
        "check_progress",
        "request_intervention",
        "request_aftersale",
        "request_reminder",
        "affirm",
        "deny",
        "open_chat",
        "inform_evidence_uploaded",
        "eligibility_opened",
    }
)


def categories_named(text: str) -> list[str]:
    """The complaint categories of kb/labels.yml that the words name, in that file's
    order: by a part of the category's label ("与描述不符", "服务态度") or by one of its
    ``complaint_category_words`` ("还不发货", "卖假", "她回我活该")."""
    said = normalize(text)
    words: dict[str, list[str]] = labels()["complaint_category_words"]
    return [
        key
        for key, name in labels()["complaint_category"].items()
        if any(w in said for w in (*name.split("/"), *words.get(key, ())))
    ]


def category_named(text: str) -> str | None:
    """The one category the words clearly name ("other" aside), or None: none, or
    several ("卖假货还骂人"), and then the buyer chooses."""
    named = [key for key in categories_named(text) if key != "other"]
    return named[0] if len(named) == 1 else None


def describes_the_case(text: str) -> bool:
    """Words that tell what happened, rather than noise or a bare yes."""
    return has_content(text, DETAIL_CHARACTERS)


def complaint_messages(tracker: Tracker, opening: bool = False) -> list[str]:
    """The buyer's own words in the complaint, button payloads left out: the messages
    from the one that opened the complaint form (its latest activation) on; with
    ``opening`` (the form is being opened by the latest message), that message alone.
    Without an activation in the conversation, the buyer's latest messages."""
    events = tracker.events
    if opening:
        events = [e for e in events if e.get("event") == "user"][-1:]
    else:
        opened = [
            i
            for i, e in enumerate(events)
            if e.get("event") == "active_loop" and e.get("name") == COMPLAINT_FORM
        ]
        if not opened:
            return buyer_messages(tracker, DESCRIPTION_MESSAGES)
        users = [i for i, e in enumerate(events[: opened[-1]]) if e.get("event") == "user"]
        events = events[users[-1] if users else opened[-1] :]
    said = [e.get("text") or "" for e in events if e.get("event") == "user"]
    return [t for t in said if t.strip() and not is_payload(t)]


def first_answer(tracker: Tracker, slot: str) -> bool:
    """Whether the latest message is the buyer's first while the form asks ``slot``."""
    requested, asked = None, []
    for event in tracker.events:
        kind = event.get("event")
        if kind == "slot" and event.get("name") == "requested_slot":
            requested = event.get("value")
        elif kind == "active_loop" and not event.get("name"):
            requested = None
        elif kind == "user":
            asked.append(requested)
    return asked[-1:] == [slot] and asked[-2:-1] != [slot]


class ValidateComplaintForm(FormValidationAction):
    """Validates the complaint form: the order must be the buyer's own (named by number,
    or by product as the intervention flow reads it); a category outside kb/labels.yml is
    recorded as "other". A category or the case told while the order is asked for is
    kept, and the order asked again."""

    def name(self) -> str:
        """rasa-sdk derives the form (complaint_form) from this name."""
        return "validate_complaint_form"

    @staticmethod
    def _answers(tracker: Tracker) -> bool:
        """Whether the latest message may answer the form's question: a message of the
        buyer's own, not a question and not an intent its own rules handle."""
        text = tracker.latest_message.get("text") or ""
        intent = tracker.get_intent_of_latest_message()
        return not (is_payload(text) or intent in NOT_ANSWERS or is_question(normalize(text)))

    @staticmethod
    def _complains(tracker: Tracker) -> bool:
        """Whether the latest message asks to complain about the seller (its intent, or
        its words, ``asks_to_complain``)."""
        text = tracker.latest_message.get("text") or ""
        return tracker.get_intent_of_latest_message() == "file_complaint" or asks_to_complain(text)

    @staticmethod
    def _bare_yes(tracker: Tracker) -> bool:
        """A yes and nothing more ("确认提交", "好的"): no answer to a question that asks
        which order, and no reason to fall back either."""
        text = tracker.latest_message.get("text") or ""
        if is_payload(text) or is_question(normalize(text)):
            return False
        intent = tracker.get_intent_of_latest_message()
        return submits(text) or (intent == "affirm" and not describes_the_case(text))

    async def extract_order_id(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Without a number given, the one order of the buyer's that the words name: the
        message that opens the complaint ("羊毛大衣那单……我要投诉", rather than the order
        the conversation was about), or the answer to the order question ("羊毛大衣",
        "第二个"); several or none: the question is asked (or the conversation's order kept).

        An answer to the order question that names a category (``extract_complaint_
        category``) or tells the case ("付完款就一直说在备货") is an answer too: the
        form asks for the order again ({"order_id": None}) instead of leaving the
        message to the rules, which read "不发货" as a report of its own."""
        opening = tracker.active_loop.get("name") != COMPLAINT_FORM
        asked = tracker.get_slot("requested_slot") == "order_id"
        # The order the conversation was about before gives way to one the opening names.
        if not (opening or (asked and not tracker.get_slot("order_id"))):
            return {}
        if next(tracker.get_latest_entity_values("order_id"), None) is not None:
            return {}  # a number: the slot's own mapping takes it
        buyer = buyer_id(tracker)
        text = tracker.latest_message.get("text") or ""
        bare_yes = asked and self._bare_yes(tracker)
        if (
            buyer is None
            or is_payload(text)
            or (asked and not (bare_yes or self._answers(tracker)))
        ):
            return {}
        try:
            order = await call(
                complaints.order_meant,
                buyer_id=buyer,
                said=normalize(text),
                answering=asked,
                complaining=opening and self._complains(tracker),
                before=normalize(" ".join(complaint_messages(tracker)[:-1])) if asked else "",
                limit=OFFERED_ORDERS,
            )
        except ServiceUnavailable:
            return {}  # the order question, asked next, tells the outage
        if order is not None:
            return {"order_id": order.id}
        if not asked:
            return {}
        if bare_yes:
            return {"order_id": None}  # "确认提交" with no order yet: the question again
        if (category := category_named(text)) is not None:
            noted = template("complaint_category_noted")
            dispatcher.utter_message(
                text=noted.format(category=label("complaint_category", category))
            )
            return {"order_id": None}
        if describes_the_case(text):
            dispatcher.utter_message(text=template("complaint_detail_noted"))
            return {"order_id": None}
        return {}

    async def extract_complaint_category(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The category the buyer names while the order is asked for ("不发货",
        "服务态度"). At the category question, a yes takes the category the complaint's
        words named (offered with the question), and a no, or a yes to nothing, asks
        again rather than fall back."""
        text = tracker.latest_message.get("text") or ""
        requested = tracker.get_slot("requested_slot")
        if requested == "order_id" and tracker.get_slot("complaint_category") is None:
            named = category_named(text) if self._answers(tracker) else None
            return {"complaint_category": named} if named else {}
        intent = tracker.get_intent_of_latest_message()
        if requested != "complaint_category" or intent not in ("affirm", "deny"):
            return {}
        # "对，就是不发货" names its category; "不是质量问题" names the one it refuses.
        named = category_named(text) if intent == "affirm" else None
        if named is None and intent == "affirm" and first_answer(tracker, "complaint_category"):
            named = category_named(" ".join(complaint_messages(tracker)[:-1]))
        return {"complaint_category": named}

    async def validate_order_id(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Keep the number when it is one of the buyer's orders, and show the order (with
        the category the complaint's words named, before the category question); else say
        so and ask again. An outage is told through the one guard, and ends the form
        (asking again would only meet the outage again); nothing is filed."""
        if value is None:  # an answer that was no order (extract_order_id): ask again
            return {"order_id": None}
        order_id = str(value)
        buyer = buyer_id(tracker)
        if buyer is not None:
            found = await outage_guard(
                self.name(), dispatcher, self._buyers(buyer, order_id), fallback=None
            )
            if found is None:  # outage, already said: stop the form early
                return {"order_id": None, "requested_slot": None}
            if found:
                self._show(found[0], dispatcher, tracker)
                return {"order_id": order_id}
        say_order_not_found(dispatcher, value)
        return {"order_id": None}

    @staticmethod
    async def _buyers(buyer: str, order_id: str) -> list[OrderFacts]:
        """The buyer's order ``order_id`` in a list; empty when it is not theirs."""
        try:
            return [await call(progress.buyer_order, buyer_id=buyer, order_id=order_id)]
        except OrderNotFound:
            return []

    @staticmethod
    def _show(order: OrderFacts, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        """The order the complaint is about, so the buyer sees the bot has the right one;
        while the category is still to be asked, the one the complaint's words named."""
        dispatcher.utter_message(response="utter_order_header", order_line=order_line(order))
        if tracker.get_slot("complaint_category") is not None:
            return
        opening = tracker.active_loop.get("name") != COMPLAINT_FORM
        named = category_named(" ".join(complaint_messages(tracker, opening)))
        if named is not None:
            dispatcher.utter_message(
                text=template("complaint_category_guess").format(
                    category=label("complaint_category", named)
                )
            )

    def validate_complaint_category(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A category of kb/labels.yml, by button, by its label typed ("与描述不符") or
        by its words ("客服骂人"); free words that name no single category are recorded
        as "other"."""
        if value is None:  # a no at the category question (extract_complaint_category)
            return {"complaint_category": None}
        categories: dict[str, str] = labels()["complaint_category"]
        if value in categories:
            return {"complaint_category": value}
        named = categories_named(str(value))
        return {"complaint_category": named[0] if len(named) == 1 else "other"}


class ActionAskComplaintFormOrderId(BuyerAction):
    """Ask which order the complaint is about, with the buyer's orders as buttons
    (Rasa's ``action_ask_<form>_<slot>``: only the complaint form asks this way)."""

    def name(self) -> str:
        """The complaint form's question for order_id."""
        return "action_ask_complaint_form_order_id"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, buyer: str
    ) -> list[EventType]:
        """Speak the question, or that the buyer has no orders; no events. The orders the
        complaint's words mention come first ("耳机那单" when two orders are 耳机)."""
        opening = tracker.active_loop.get("name") != COMPLAINT_FORM
        said = normalize(" ".join(complaint_messages(tracker, opening)))
        orders = await call(
            complaints.offered_orders, buyer_id=buyer, said=said, limit=OFFERED_ORDERS
        )
        if not orders:
            dispatcher.utter_message(response="utter_no_orders")
            return []
        dispatcher.utter_message(
            response="utter_ask_complaint_form_order_id",
            buttons=[order_button(o) for o in orders],
        )
        return []


class ActionSubmitComplaint(BuyerAction):
    """Record the complaint against the order's shop and say how it differs from
    an intervention."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_submit_complaint"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, buyer: str
    ) -> list[EventType]:
        """File it (one service call gives the number and the shop); clear the category."""
        order_id = tracker.get_slot("order_id")
        if not order_id:  # the form stopped early (an outage, already told): nothing to file
            return [SlotSet("complaint_category", None)]
        category = tracker.get_slot("complaint_category") or "other"
        try:
            receipt = await call(
                complaints.file_complaint,
                buyer_id=buyer,
                order_id=order_id,
                category=category,
                description="\n".join(complaint_messages(tracker)[-DESCRIPTION_MESSAGES:]),
            )
        except OrderNotFound:
            say_order_not_found(dispatcher, order_id)
            return [SlotSet("complaint_category", None)]
        dispatcher.utter_message(
            response="utter_complaint_filed",
            number=receipt.number,
            shop=receipt.shop_name,
            category=label("complaint_category", category),
        )
        return [SlotSet("complaint_category", None)]
