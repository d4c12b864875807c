"""The intervention form keeps answers only (issue 13): for every question it asks
(domain.yml ``forms.intervention_form``), a message that is not an answer to it - a
question, a progress check, a new report, an order number, a greeting, a human asked
for, gibberish, emoji, 2,000 characters, injection strings - never becomes the value
of any of the form's slots.

Each case goes the way a message goes on the servers: Rasa's slot mappings of
domain.yml propose candidates (``rasa_candidates`` reads them from the domain, as
Rasa's ``action_extract_slots`` does), then ``validate_intervention_form`` runs on a
tracker built from events, with its own ``extract_*`` methods if it has any. Two
readings of each message: the NLU right (its true intent), and the NLU wrong - meaningless
text read as one of the intents that answer a question (affirm, deny, a report_*),
where only the content can tell.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.intervention import ValidateInterventionForm
from jieru.text import normalize
from tests.actions.helpers import load_domain, make_tracker, order_entity

FORM = "intervention_form"
ORDER = "250312345678"  # b1001's eligible JD order in the example file
# What the form already holds when it asks each question (the buyer's earlier answers).
ANSWERED = {
    "problem": "report_refund_refused",
    "description": "耳机左耳没声音，商家说是人为损坏拒绝退货",
    "evidence": ["chat_record"],
}
CONVERSATION = {
    "order_id": ORDER,
    "platform": "jd",
    "eligibility": "eligible",
    "aftersale_id": "AS-70001",
}


def form_slots() -> list[str]:
    return list(load_domain()["forms"][FORM]["required_slots"])


def filled_before(asked: str) -> dict[str, Any]:
    """The slots of a conversation whose form now asks ``asked``."""
    earlier = form_slots()[: form_slots().index(asked)]
    return {**CONVERSATION, **{s: ANSWERED[s] for s in earlier}, "requested_slot": asked}


# ----- the messages that are not answers, with how the NLU reads them -----


def faq(text: str, key: str) -> dict[str, Any]:
    return {"text": text, "intent": "faq", "faq_key": key}


def said(text: str, intent: str, **entities: str) -> dict[str, Any]:
    return {"text": text, "intent": intent, **({"entities": entities} if entities else {})}


QUESTIONS = [
    faq("介入要多久？", "processing_time"),
    faq("需要准备什么凭证？", "evidence"),
    faq("京东在哪里申请介入", "where_to_apply"),
    faq("介入和投诉有什么区别？", "vs_complaint"),
    faq("申请介入对卖家有影响吗", "impact_on_seller"),
    faq("淘寶介入要準備什麼證據", "evidence"),
]
OTHER_INTENTS = [
    said("查一下我的介入进度", "check_progress"),
    said("我的售后到哪一步了？", "check_progress"),
    said("卖家不发货怎么办？", "report_not_shipped"),
    said("退款一直没到账怎么办", "report_refund_not_received"),
    said("卖家拒绝退款怎么办？", "report_refund_refused"),
    said("250398765432", "inform_order_id", order_id="250398765432"),
    said("订单号是3902345678901", "inform_order_id", order_id="3902345678901"),
    said("你好", "greet"),
    said("在吗", "greet"),
    said("转人工", "request_human"),
    said("我要找真人客服", "request_human"),
    said("你是机器人吗", "bot_challenge"),
    said("我要投诉这个卖家", "file_complaint"),
    said("谢谢", "thank"),
    said("今天天气怎么样", "out_of_scope"),
    said("算了", "stop"),
]
MEANINGLESS = [
    "asdkjh qweoiu",
    "。。。",
    "？？？",
    "😡😡😡",
    "😭",
    "🤔🤔",
    "退" * 2000,
    ("卖家拒绝退款，" * 300)[:2000],
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "'; DROP TABLE interventions; --",
    "{{7*7}}",
    "${jndi:ldap://x}",
]
# Never a Chinese character: generated text that cannot be anyone's description (nor
# a payload, an order number, or a Latin yes/no).
YES_NO = {"ok", "okay", "k", "kk", "yes", "y", "yep", "no", "n", "nope"}
GIBBERISH = st.text(
    alphabet=st.sampled_from(
        [*"abcdefghijklmnopqrstuvwxyz0123456789 .,;:!?'\"<>\\*-_=+@#$%^&()[]{}~`|", *"😡🙄💢🤔😭"]
    ),
    min_size=1,
    max_size=40,
).filter(
    lambda t: (
        bool(t.strip())
        and not t.lstrip().startswith("/")
        and not t.strip().isdigit()
        # As the bot reads it: punctuation around a yes (":y", "ok!") leaves the yes.
        and "".join(c for c in t if c.isalnum()).lower() not in YES_NO
    )
)
# The NLU's readings of meaningless text: none (fallback), or an answer's intent by mistake.
FALLBACK_READINGS = ["nlu_fallback", "out_of_scope"]
ANSWER_READINGS = ["affirm", "deny", "report_refund_refused", "report_bad_item"]


# ----- what Rasa's slot mappings propose -----


def _names(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value or ())


def _intent_fits(mapping: dict[str, Any], intent: str) -> bool:
    wanted, unwanted = _names(mapping.get("intent")), _names(mapping.get("not_intent"))
    return (not wanted or intent in wanted) and intent not in unwanted


def _conditions_hold(mapping: dict[str, Any], requested: str) -> bool:
    conditions = mapping.get("conditions")
    if not conditions:
        return True
    return any(
        c.get("active_loop") == FORM
        and ("requested_slot" not in c or c["requested_slot"] == requested)
        for c in conditions
    )


def rasa_candidates(domain: DomainDict, message: dict[str, Any], requested: str) -> dict[str, Any]:
    """The slot values domain.yml's mappings take from ``message`` while the form asks
    ``requested`` (from_text, from_intent, from_entity; custom ones are the action's)."""
    intent, text = message["intent"], normalize(message["text"])
    entities = message.get("entities") or {}
    found: dict[str, Any] = {}
    for slot, spec in domain["slots"].items():
        for mapping in spec.get("mappings") or ():
            if not (_conditions_hold(mapping, requested) and _intent_fits(mapping, intent)):
                continue
            kind = mapping["type"]
            if kind == "from_text":
                value: Any = text
            elif kind == "from_intent":
                value = mapping.get("value")
            elif kind == "from_entity" and mapping.get("entity") in entities:
                value = entities[mapping["entity"]]
            else:
                continue
            # A list slot gets the text in a list, as Rasa sets it.
            found[slot] = [value] if spec.get("type") == "list" and kind == "from_text" else value
            break
    return found


def tracker_for(message: dict[str, Any], asked: str) -> Tracker:
    """The tracker the validator receives: the form active and asking ``asked``, the
    buyer's message, then the slot candidates Rasa extracted from it."""
    before = filled_before(asked)
    entities = [
        e
        for name, value in (message.get("entities") or {}).items()
        for e in (order_entity(value) if name == "order_id" else [{"entity": name, "value": value}])
    ]
    selector = (
        {"faq": {"response": {"intent_response_key": f"faq/{message['faq_key']}"}, "ranking": []}}
        if "faq_key" in message
        else None
    )
    # The server's NLU hands on the normalised text (jieru.rasa.nlu.normalizer), the
    # typed one as text_original.
    tracker = make_tracker(
        text=normalize(message["text"]),
        intent=message["intent"],
        entities=entities,
        slots=dict(before),
        active_loop=FORM,
        channel="app",
        metadata={"jieru_buyer_id": "b1001"},
        response_selector=selector,
    )
    tracker.latest_message["text_original"] = message["text"]
    for slot, value in rasa_candidates(load_domain(), message, asked).items():
        tracker.events.append({"event": "slot", "name": slot, "value": value})
        tracker.slots[slot] = value
    return tracker


def kept_values(message: dict[str, Any], asked: str) -> dict[str, Any]:
    """The form slots the validator sets to a new, non-empty value on ``message``."""
    tracker = tracker_for(message, asked)
    before = filled_before(asked)
    events = asyncio.run(
        ValidateInterventionForm().run(CollectingDispatcher(), tracker, load_domain())
    )
    return {
        e["name"]: e["value"]
        for e in events
        if e.get("event") == "slot"
        and e.get("name") in form_slots()
        and e.get("value") not in (None, [], "")
        and e.get("value") != before.get(e["name"])
    }


QUESTIONS_ASKED = form_slots()
EXAMPLES = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def test_every_form_question_is_covered() -> None:
    assert QUESTIONS_ASKED == ["problem", "description", "evidence", "confirm_filing"]


def not_answering(asked: str) -> list[dict[str, Any]]:
    """The questions and other intents that do not answer ``asked`` (a report does
    answer "which problem is it?")."""
    answers = ("report_",) if asked == "problem" else ()
    return [m for m in QUESTIONS + OTHER_INTENTS if not m["intent"].startswith(answers or "\0")]


@pytest.mark.parametrize("asked", QUESTIONS_ASKED)
@EXAMPLES
@given(data=st.data())
def test_a_question_or_another_intent_is_never_an_answer(bot_db, asked, data) -> None:
    message = data.draw(st.sampled_from(not_answering(asked)))
    assert kept_values(message, asked) == {}, message["text"]


@pytest.mark.parametrize("asked", QUESTIONS_ASKED)
@EXAMPLES
@given(
    text=st.sampled_from(MEANINGLESS) | GIBBERISH,
    intent=st.sampled_from(FALLBACK_READINGS),
)
def test_meaningless_text_is_never_an_answer(bot_db, asked, text, intent) -> None:
    assert kept_values(said(text, intent), asked) == {}, text[:40]


@pytest.mark.parametrize("asked", QUESTIONS_ASKED)
@EXAMPLES
@given(
    text=st.sampled_from(MEANINGLESS) | GIBBERISH,
    intent=st.sampled_from(ANSWER_READINGS),
)
def test_meaningless_text_misread_as_an_answer_is_still_no_answer(
    bot_db, asked, text, intent
) -> None:
    assert kept_values(said(text, intent), asked) == {}, (text[:40], intent)


# The property is not vacuous: real answers, read the same way, are kept.
@pytest.mark.parametrize(
    ("asked", "message", "slot"),
    [
        ("problem", said("卖家拒绝退款", "report_refund_refused"), "problem"),
        (
            "description",
            said("耳机左耳没声音，商家说是人为损坏", "report_refund_refused"),
            "description",
        ),
        ("evidence", said("有聊天记录和照片", "faq"), "evidence"),
        ("confirm_filing", said("确认提交", "affirm"), "confirm_filing"),
    ],
)
def test_a_real_answer_is_kept(bot_db, asked, message, slot) -> None:
    assert slot in kept_values(message, asked)
