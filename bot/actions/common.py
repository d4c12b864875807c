"""What every action shares: who the buyer is, how an order is shown, the slot names
several features use, and the one guard that tells the buyer about a database outage.

Action modules never import each other; what two of them need lives here.
"""

from __future__ import annotations

import abc
import asyncio
import json
import logging
import unicodedata
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime
from typing import Any, TypeVar

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from jieru import config
from jieru.identity import buyer_from_tracker_metadata
from jieru.kb import faq, load_yaml
from jieru.rules.deadlines import format_local_time
from jieru.rules.facts import OrderFacts
from jieru.services import disputes
from jieru.services.errors import ServiceUnavailable
from jieru.text import is_chinese, normalize

logger = logging.getLogger(__name__)
T = TypeVar("T")

# Slots of a filing in progress; cleared whenever the order in question changes.
FILING_SLOTS = ("description", "evidence", "confirm_filing")
# The service order the last decision was about: set only by action_check_eligibility.
AFTERSALE_SLOT = "aftersale_id"
# The ResponseSelector that answers faq/<key> questions (bot/config.yml).
FAQ_SELECTOR = "faq"
# The action that says the decision on the buyer's order (bot/actions/intervention.py),
# and the complaint form: where a question or a report about the buyer's own case goes.
CHECK_ELIGIBILITY = "action_check_eligibility"
COMPLAINT_FORM = "complaint_form"
# The longest order number the bot accepts; the order table's CHECK constraint and the
# buyer-facing "8–20 位" both follow these (tests/vocabulary checks the constraint).
ORDER_ID_DIGITS = (8, 20)


def labels() -> dict[str, Any]:
    """kb/labels.yml: the Chinese names of platforms, statuses, intents and the templates."""
    data: dict[str, Any] = load_yaml("labels.yml")
    return data


def label(kind: str, value: str | None) -> str:
    """The Chinese label of a schema value (the value itself when kb/ has none)."""
    return str(labels()[kind].get(value, value or ""))


def template(name: str) -> str:
    """A display template of kb/labels.yml ``templates``."""
    return str(labels()["templates"][name])


def button_title(name: str) -> str:
    """The title of a button an action builds (kb/labels.yml ``buttons``)."""
    return str(labels()["buttons"][name])


def intent_label(intent: str | None) -> str:
    """How the bot names an intent to the buyer (kb/labels.yml ``intents``), else its name."""
    return label("intents", intent)


def problems() -> tuple[str, ...]:
    """The problems a buyer can report (the report_* intents): kb/problems.yml's keys,
    its catch-all ``any`` aside. The one list; tests/vocabulary checks the domain against it."""
    return tuple(key for key in load_yaml("problems.yml")["problems"] if key != "any")


def local_time(when: datetime) -> str:
    """A time as the buyer reads it, in the deployment's time zone (the one formatter)."""
    return format_local_time(when, now=config.now(), tz=config.settings().timezone)


def order_state(order: OrderFacts) -> str:
    """The most telling status of an order: its latest service order's, else its own."""
    if order.aftersales:
        latest = max(order.aftersales, key=lambda a: a.requested_at)
        return label("aftersale_status", latest.status)
    return label("order_status", order.status)


def order_line(order: OrderFacts) -> str:
    """One order in a line: title, shop, platform, amount and number."""
    return template("order_line").format(
        title=order.title,
        shop=order.shop_name,
        platform=label("platform", order.platform),
        amount=f"{order.amount:.2f}",
        order_id=order.id,
    )


def order_payload(order_id: str, intent: str = "inform_order_id") -> str:
    """The payload of a button that names an order: as if the buyer typed its number, or
    asked ``intent`` of it ("check_progress")."""
    return f"/{intent}{json.dumps({'order_id': order_id})}"


def order_button(order: OrderFacts) -> dict[str, str]:
    """A button that picks ``order``."""
    title = template("order_button").format(
        title=order.title, platform=label("platform", order.platform), state=order_state(order)
    )
    return {"title": title, "payload": order_payload(order.id)}


def deadline_lines(deadlines: Iterable[tuple[str, datetime]]) -> str:
    """Deadlines one per line: "举证截止：11月23日 14:00"."""
    line = template("deadline_line")
    return "\n".join(line.format(label=name, time=local_time(when)) for name, when in deadlines)


def say_order_not_found(dispatcher: CollectingDispatcher, order_id: str | None) -> None:
    """Tell the buyer no order of theirs has this number, and what a number looks like."""
    shortest, longest = ORDER_ID_DIGITS
    dispatcher.utter_message(
        response="utter_order_not_found", order_id=order_id, shortest=shortest, longest=longest
    )


# The text Rasa gives an intent the web service triggers (an upload, a due reminder).
EXTERNAL_PREFIX = "EXTERNAL: "


def buyer_messages(tracker: Tracker, limit: int) -> list[str]:
    """The buyer's last ``limit`` messages in their own words (button payloads and the
    web service's triggered intents left out), each once where it comes twice in a row
    (the two-stage fallback replays a message it had reverted)."""
    said = [e.get("text") or "" for e in tracker.events if e.get("event") == "user"]
    own = [t for t in said if t and not is_payload(t) and not t.startswith(EXTERNAL_PREFIX)]
    return [t for i, t in enumerate(own) if i == 0 or own[i - 1] != t][-limit:]


# Between "did you mean…" and the reply that clarified it: the fallback's own steps.
_CLARIFYING_ACTIONS = frozenset(
    {"action_listen", "action_two_stage_fallback", "action_extract_slots"}
)


def order_named_before_clarifying(tracker: Tracker) -> str | None:
    """The order number the message the two-stage fallback asked about held, when the
    buyer's latest message is the reply that clarified it ("好 麻烦帮我申请" after "退货被
    拒了 能申请淘宝介入吗 订单3902…" was unsure): Rasa keeps only the reply, and the
    number must not be asked for again. None otherwise."""
    events = tracker.events
    asked = next(
        (
            i
            for i in range(len(events) - 1, -1, -1)
            if events[i].get("event") == "action"
            and events[i].get("name") == "action_default_ask_affirmation"
        ),
        None,
    )
    if asked is None:
        return None
    later = events[asked + 1 :]
    if any(e.get("event") == "action" and e.get("name") not in _CLARIFYING_ACTIONS for e in later):
        return None
    before = next((e for e in reversed(events[:asked]) if e.get("event") == "user"), None)
    entities = ((before or {}).get("parse_data") or {}).get("entities") or []
    return next((str(e["value"]) for e in entities if e.get("entity") == "order_id"), None)


def is_payload(text: str) -> bool:
    """A button payload ("/affirm") rather than words the buyer wrote."""
    return text.lstrip().startswith("/")


def faq_key_of(tracker: Tracker) -> str | None:
    """The FAQ key of the latest message: a button's ``faq_key`` entity, else the
    ResponseSelector's choice; None when the message is not a knowledge question."""
    if tracker.get_intent_of_latest_message() != "faq":
        return None
    key = next(tracker.get_latest_entity_values("faq_key"), None)
    if key:
        return str(key)
    return selected_faq_key(tracker)


def surer_faq_key(tracker: Tracker) -> str | None:
    """The ResponseSelector's FAQ key for the latest message when the selector is surer
    of it than the NLU is of the message's intent ("京东上的第三方店铺要怎么投诉" read as a
    report at 0.48, as faq/how_to_complain at 0.99), else None."""
    response = tracker.latest_message.get("response_selector", {}).get(FAQ_SELECTOR, {})
    sure = float(response.get("response", {}).get("confidence") or 0.0)
    intent = float((tracker.latest_message.get("intent") or {}).get("confidence") or 0.0)
    return selected_faq_key(tracker) if sure > intent else None


def selected_faq_key(tracker: Tracker) -> str | None:
    """The ResponseSelector's FAQ key for the latest message, whatever its intent."""
    selected = tracker.latest_message.get("response_selector", {}).get(FAQ_SELECTOR, {})
    full = selected.get("response", {}).get("intent_response_key") or ""
    return full.split("/", 1)[1] if "/" in full else None


def answer_faq(
    dispatcher: CollectingDispatcher,
    key: str,
    tracker: Tracker,
    platform: str | None = None,
    question: str | None = None,
) -> None:
    """Say kb/'s answer to ``key`` for ``platform`` (else the conversation's, else the
    deployment's default, else an overview of every platform), its facts ranked against
    ``question`` (default: the buyer's latest message)."""
    platform = platform or tracker.get_slot("platform") or config.settings().default_platform
    asked = question if question is not None else tracker.latest_message.get("text")
    result = faq.answer(key, platform, asked)
    dispatcher.utter_message(text=result.text, buttons=result.buttons)


def answer_question(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """Answer the latest message's FAQ key from kb/ (``answer_faq``), or ask the buyer to
    rephrase when it names no key kb/ answers."""
    key = faq_key_of(tracker)
    if key is None or key not in faq.faq_keys():
        dispatcher.utter_message(response="utter_ask_rephrase")
    else:
        answer_faq(dispatcher, key, tracker)


def is_question(text: str) -> bool:
    """Whether the words read as a question (kb/labels.yml question_markers), words that
    only look like one left out ("什么都没留", "好几天了", "没有什么证据") unless they are
    part of a phrase that asks ("有没有什么要准备的")."""
    if any(phrase in text for phrase in labels()["asking_phrases"]):
        return True
    for phrase in labels()["not_question_markers"]:
        text = text.replace(phrase, "")
    return any(marker in text for marker in labels()["question_markers"])


def corrects_the_order(text: str) -> bool:
    """Whether the buyer says the order in question is the wrong one ("不对，订单错了";
    kb/labels.yml form_words ``wrong_order``)."""
    said = normalize(text)
    return any(w in said for w in labels()["form_words"]["wrong_order"])


def own_case(said: str) -> bool:
    """Whether the words (simplified) speak of the buyer's own case: they say one
    (kb/problems.yml ``cues``: "卖家拒绝退款了") or say it is theirs (kb/labels.yml
    ``own_case_markers``: "我的", "我这单")."""
    return disputes.case_of(said) is not None or any(
        w in said for w in labels()["own_case_markers"]
    )


def asks_in_general(said: str) -> bool:
    """Whether the words (simplified) ask the rule in general ("换货的话…", kb/labels.yml
    ``general_question_markers``) and do not say the case is the buyer's own
    (``own_case_markers``)."""
    markers = labels()
    return any(w in said for w in markers["general_question_markers"]) and not any(
        w in said for w in markers["own_case_markers"]
    )


def asks_to_complain(text: str) -> bool:
    """Whether the buyer asks to complain about the seller ("投诉卖家，桌布跟描述的不一样";
    kb/labels.yml complaint_requests), rather than asks about complaining ("怎么投诉")."""
    said = normalize(text)
    return any(w in said for w in labels()["complaint_requests"]) and not is_question(said)


def without(text: str, words: Iterable[str]) -> str:
    """``text`` with every one of ``words`` left out, longest first."""
    for word in sorted(words, key=len, reverse=True):
        text = text.replace(word, "")
    return text


def has_content(text: str, least: int = 3) -> bool:
    """Words rather than noise: ``least`` different Chinese characters (Latin letters
    alone are mostly keyboard mashing here: "asdkjh qweoiu")."""
    return len({c for c in text if is_chinese(c)}) >= least


def submits(text: str) -> bool:
    """An explicit yes to filing: the words hold one of kb/labels.yml ``form_words``
    ``confirm`` and nothing else but ``confirm_filler`` ("嗯嗯确认", "确认无误", "没问题
    提交", "ok提交"); "先不提交" and "不确定" leave a 不 and are none."""
    said = "".join(c for c in normalize(text).strip() if unicodedata.category(c)[0] not in "PZ")
    words = labels()["form_words"]
    if not any(w in said for w in words["confirm"]):
        return False
    return not without(said, (*words["confirm"], *words["confirm_filler"]))


def say_facts_for_order(dispatcher: CollectingDispatcher, tracker: Tracker, platform: str) -> None:
    """After the decision on the buyer's order, what the decision does not say of the
    knowledge question asked (the latest message's key, unless ``faq.order_decides``):
    kb/'s facts for the order's platform that answer it, when kb/ has them."""
    key = faq_key_of(tracker)
    if key is not None and key in faq.faq_keys() and not faq.order_decides(key):
        say_facts(dispatcher, tracker, key, platform)


def say_facts(dispatcher: CollectingDispatcher, tracker: Tracker, key: str, platform: str) -> None:
    """kb/'s facts on ``key`` for ``platform`` that answer the latest message, without the
    closing step or buttons (what follows says what to do next); nothing when kb/ has none."""
    result = faq.answer(key, platform, tracker.latest_message.get("text"), closing=False)
    if result.known:
        dispatcher.utter_message(text=result.text)


async def answer_knowledge_question(
    action: str, dispatcher: CollectingDispatcher, tracker: Tracker
) -> list[EventType]:
    """The one place a knowledge question is routed: about the buyer's own order when the
    message names one (its number, "猕猴桃那单", a product of theirs named in full
    ("婴儿推车刹车失灵…"), or "这单" for the conversation's order) or, for a key the decision answers,
    says their case ("卖家拒绝退款了，能介入吗", not asked in general: "换货的话…",
    ``asks_in_general``) — then action_check_eligibility says the
    decision on it (and the key's facts), or offers their orders that fit the case, after
    the platform's facts when the platform is known ("虚拟商品被拒了多久能申请介入，淘宝的"
    may ask the rule as much as about an order); otherwise kb/'s answer
    (``answer_question``). Inside a form the question is always answered from kb/ (the
    form then resumes)."""
    key = faq_key_of(tracker)
    buyer = buyer_id(tracker)
    text = tracker.latest_message.get("text") or ""
    if key in faq.faq_keys() and buyer is not None and not tracker.active_loop.get("name"):
        said = next(tracker.get_latest_entity_values("order_id"), None)
        work = call(
            disputes.meant,
            buyer_id=buyer,
            order_id=str(said) if said else None,
            said="" if is_payload(text) else normalize(text),
            platform=tracker.get_slot("platform"),
            current=tracker.get_slot("order_id"),
        )
        found = await outage_guard(action, dispatcher, work, fallback=None)
        if found is not None and found.names_an_order:
            return [FollowupAction(CHECK_ELIGIBILITY)]
        if (
            found is not None
            and found.case
            and faq.order_decides(str(key))
            and not asks_in_general(normalize(text))
        ):
            platform = tracker.get_slot("platform")
            if platform:
                say_facts(dispatcher, tracker, str(key), platform)
            return [FollowupAction(CHECK_ELIGIBILITY)]
    answer_question(dispatcher, tracker)
    return []


def buyer_id(tracker: Tracker) -> str | None:
    """The authenticated buyer of this conversation (see jieru.identity).

    An event the web service triggers (Rasa's trigger_intent: an uploaded file, a due
    reminder) carries no metadata of its own; it speaks for the buyer of the conversation's
    latest message that does (conversations are keyed by the buyer)."""
    dev_buyer, channel = config.settings().dev_buyer, tracker.get_latest_input_channel()
    buyer = buyer_from_tracker_metadata(tracker.latest_message, channel, dev_buyer)
    # Triggered events: looked up on the same channel only.
    if buyer is None and (tracker.latest_message.get("metadata") or {}).get("is_external"):
        earlier = (e for e in reversed(tracker.events) if e.get("event") == "user")
        same = (e for e in earlier if e.get("input_channel") == channel)
        buyer = next(
            filter(None, (buyer_from_tracker_metadata(e, channel, dev_buyer) for e in same)), None
        )
    return buyer


async def call(fn: Callable[..., T], /, **kwargs: Any) -> T:
    """Run a blocking service call off the event loop, so one slow query does not
    stall every other conversation on the action server."""
    return await asyncio.to_thread(fn, **kwargs)


async def outage_guard(
    action: str, dispatcher: CollectingDispatcher, work: Awaitable[T], fallback: T
) -> T:
    """The one guard for every action and form validator that reads the database:
    ``work``'s result, or, when the database cannot be reached, the outage message (with
    a human offered) and ``fallback``. Any other error is a bug and is not hidden."""
    try:
        return await work
    except ServiceUnavailable as exc:
        logger.warning("%s: order database unavailable: %s", action, exc)
        dispatcher.utter_message(response="utter_service_unavailable")
        return fallback


class BuyerAction(Action, abc.ABC):
    """An action on the buyer's own orders: refuses without a buyer, and goes through
    ``outage_guard``."""

    @abc.abstractmethod
    def name(self) -> str:
        """The action's name in the domain."""

    @abc.abstractmethod
    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, buyer: str
    ) -> list[EventType]:
        """The action proper, for the authenticated ``buyer``."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Ask for a login without a buyer; else ``act``, guarded against an outage."""
        buyer = buyer_id(tracker)
        if buyer is None:
            dispatcher.utter_message(response="utter_login_required")
            return []
        work = self.act(dispatcher, tracker, domain, buyer)
        return await outage_guard(self.name(), dispatcher, work, self.unavailable_events())

    def unavailable_events(self) -> list[EventType]:
        """Events to return when the database is down (override to steer the dialogue)."""
        return []
