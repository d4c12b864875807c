"""The two-stage fallback's "did you mean…" step, and leaving a form."""

from __future__ import annotations

from rasa_sdk.events import ActiveLoop, SlotSet

from bot.actions.conversation import ActionCancelForm, ActionDefaultAskAffirmation, guesses
from tests.actions.helpers import make_tracker, responses_of, run_action

FILING = {
    "order_id": "250312345678",
    "problem": "report_refund_refused",
    "description": "耳机坏了",
    "evidence": ["chat_record"],
    "confirm_filing": True,
    "aftersale_id": "AS-70001",
}
CLEARED = [
    SlotSet("description", None),
    SlotSet("evidence", None),
    SlotSet("confirm_filing", None),
    SlotSet("complaint_category", None),
    SlotSet("requested_slot", None),
]


def ranking(*names: str) -> list[dict]:
    return [{"name": n, "confidence": 0.3 - i * 0.05} for i, n in enumerate(names)]


def faq_ranking(*keys: str) -> dict:
    return {"faq": {"ranking": [{"intent_response_key": f"faq/{k}"} for k in keys]}}


def test_guesses_skip_intents_that_ask_for_nothing_and_expand_faq():
    message = {
        "intent_ranking": ranking("affirm", "faq", "report_not_shipped"),
        "response_selector": faq_ranking("processing_time", "evidence", "conditions"),
    }
    assert guesses(message) == [("faq", "processing_time"), ("faq", "evidence")]
    message["intent_ranking"] = ranking(
        "nlu_fallback", "report_not_shipped", "stop", "request_human"
    )
    assert guesses(message) == [("report_not_shipped", None), ("request_human", None)]
    assert guesses({}) == []


async def test_ask_affirmation_offers_the_two_best_readings_and_neither():
    tracker = make_tracker(
        text="那个钱的事",
        intent="nlu_fallback",
        intent_ranking=ranking("nlu_fallback", "report_refund_not_received", "faq"),
        response_selector=faq_ranking("processing_time"),
        entities=[{"entity": "platform", "value": "jd"}],
    )
    events, messages = await run_action(ActionDefaultAskAffirmation(), tracker)
    assert events == []
    assert responses_of(messages) == ["utter_ask_affirmation"]
    assert messages[0]["buttons"] == [
        {"title": "退款一直没到账", "payload": '/report_refund_not_received{"platform": "jd"}'},
        {
            "title": "介入的处理时长",
            "payload": '/faq{"platform": "jd", "faq_key": "processing_time"}',
        },
        {"title": "都不是", "payload": "/out_of_scope"},
    ]


async def test_ask_affirmation_with_no_guess_offers_only_neither():
    tracker = make_tracker(
        text="嗯嗯", intent="nlu_fallback", intent_ranking=ranking("nlu_fallback", "affirm")
    )
    events, messages = await run_action(ActionDefaultAskAffirmation(), tracker)
    assert events == []
    assert messages[0]["buttons"] == [{"title": "都不是", "payload": "/out_of_scope"}]


async def test_stop_leaves_the_form_and_says_so():
    events, messages = await run_action(
        ActionCancelForm(),
        make_tracker(
            text="算了不弄了", intent="stop", active_loop="intervention_form", slots=FILING
        ),
    )
    assert events == [ActiveLoop(None), *CLEARED]  # the decision's aftersale_id is kept
    assert responses_of(messages) == ["utter_filing_cancelled"]


async def test_another_reason_to_leave_the_form_is_silent():
    events, messages = await run_action(
        ActionCancelForm(),
        make_tracker(text="转人工", intent="request_human", active_loop="complaint_form"),
    )
    assert events == [ActiveLoop(None), *CLEARED]
    assert messages == []


async def test_the_right_order_named_at_the_summary_keeps_the_description_and_evidence():
    events, messages = await run_action(
        ActionCancelForm(),
        make_tracker(
            text="不对，订单错了，应该是蓝牙耳机那单 250312345678",
            intent="inform_order_id",
            entities=[{"entity": "order_id", "value": "250312345678"}],
            active_loop="intervention_form",
            slots=FILING,
        ),
    )
    assert events == [
        ActiveLoop(None),
        SlotSet("confirm_filing", None),
        SlotSet("complaint_category", None),
        SlotSet("requested_slot", None),
    ]
    assert messages == []


def test_the_widgets_own_intents_never_fill_a_form_slot(domain):
    # Rasa extracts from_text slots from triggered events too ("EXTERNAL: eligibility_opened").
    widget = {"open_chat", "inform_evidence_uploaded", "eligibility_opened", "request_reminder"}
    from_text = [
        (name, m)
        for name, slot in domain["slots"].items()
        for m in slot["mappings"]
        if m["type"] == "from_text"
    ]
    assert from_text
    for name, mapping in from_text:
        assert widget <= set(mapping.get("not_intent", [])), name
