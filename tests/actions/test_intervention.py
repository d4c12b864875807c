"""Intervention against a real database: identify the order and decide on it; the form's
validators and questions; filing in one transaction, idempotent, nothing written on cancel."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import func, select

from bot.actions.intervention import (
    ActionAskConfirmFiling,
    ActionAskEvidence,
    ActionCheckEligibility,
    ActionFileIntervention,
    ActionReplyToOffer,
    ValidateInterventionForm,
    parse_evidence,
)
from jieru.db.models import AfterSale, AuditLog, Intervention
from jieru.kb import faq
from tests.actions.helpers import (
    BEFORE_WINDOW,
    decided,
    make_tracker,
    order_entity,
    responses_of,
    run_action,
)

ORDER = "250312345678"  # b1001's JD order: return refused, dispute opened 2026-11-15 08:00
FILING = {
    "order_id": ORDER,
    "problem": "report_refund_refused",
    "platform": "jd",
    "description": "耳机左耳没声音，商家说人为损坏拒绝退货",
    "evidence": ["chat_record"],
    "confirm_filing": True,
}
# The form's answers, cleared when a new order is decided on and after filing.
CLEARED = [
    SlotSet("description", None),
    SlotSet("evidence", None),
    SlotSet("confirm_filing", None),
]
RESET = [*CLEARED, SlotSet("aftersale_id", None)]


def import_one_order(session_factory: Any, buyer: dict, shop: dict, order: dict) -> None:
    """Import one delivered physical order of ``buyer`` at ``shop`` (fields in ``order`` win)."""
    from jieru.importer import import_orders

    document = {
        "version": 1,
        "buyers": [buyer],
        "shops": [shop],
        "orders": [
            {
                "buyer_id": buyer["id"],
                "shop_id": shop["id"],
                "goods_type": "physical",
                "payment_method": "online",
                "status": "delivered",
                **order,
            }
        ],
    }
    with session_factory.begin() as s:
        assert import_orders(document, s).ok


def count(session_factory: Any, model: Any) -> int:
    with session_factory() as s:
        return s.scalar(select(func.count()).select_from(model))


# --- finding the order and deciding ---


async def test_eligible_after_the_36_hour_window(bot_db):
    tracker = make_tracker(
        text=f"订单{ORDER}卖家拒绝退款",
        intent="report_refund_refused",
        entities=order_entity(ORDER),
    )
    events, messages = await run_action(ActionCheckEligibility(), tracker)
    # "卖家拒绝退款" names the problem without describing the case: no description.
    assert events == [
        SlotSet("problem", "report_refund_refused"),
        *decided(ORDER, "jd", "AS-70001", "eligible"),  # the service order set once
    ]
    assert responses_of(messages) == ["utter_order_header", None, "utter_offer_filing"]
    assert "蓝牙耳机" in messages[0]["order_line"]


def clarified(asked: str, entities: list[dict[str, Any]], *later: dict[str, Any]) -> list:
    """The events of a two-stage fallback on ``asked``: "did you mean…", then the
    buyer's reply (which make_tracker adds as the latest message)."""
    return [
        {"event": "user", "text": asked, "parse_data": {"entities": entities}},
        {"event": "action", "name": "action_two_stage_fallback"},
        {"event": "action", "name": "action_default_ask_affirmation"},
        {"event": "bot", "text": "我不太确定您的意思"},
        {"event": "action", "name": "action_listen"},
        *later,
    ]


async def test_a_reply_that_clarifies_an_unsure_report_keeps_its_order_number(bot_db):
    asked = f"卖家拒绝退款 能申请介入吗 订单{ORDER}"
    tracker = make_tracker(
        text="好 麻烦帮我申请",
        intent="request_intervention",
        events=clarified(asked, order_entity(ORDER)),
    )
    events, messages = await run_action(ActionCheckEligibility(), tracker)
    assert SlotSet("order_id", ORDER) in events
    assert responses_of(messages)[0] == "utter_order_header"


async def test_an_order_number_asked_about_before_another_step_is_not_reused(bot_db):
    asked = f"卖家拒绝退款 能申请介入吗 订单{ORDER}"
    answered = {"event": "action", "name": "action_answer_faq"}
    tracker = make_tracker(
        text="好 麻烦帮我申请",
        intent="request_intervention",
        events=clarified(asked, order_entity(ORDER), answered),
    )
    events, _ = await run_action(ActionCheckEligibility(), tracker)
    assert SlotSet("eligibility", "choose_order") in events


async def test_not_yet_inside_the_window_says_when(bot_db, monkeypatch):
    monkeypatch.setenv("JIERU_CLOCK", BEFORE_WINDOW)
    tracker = make_tracker(text=ORDER, intent="inform_order_id", entities=order_entity(ORDER))
    events, messages = await run_action(ActionCheckEligibility(), tracker)
    assert events == [
        *decided(ORDER, "jd", "AS-70001", "not_yet"),
    ]
    explanation = messages[1]["text"]
    assert "11月16日 20:00" in explanation  # 36 hours after 11-15 08:00
    # The bot offers to remind the buyer at that time (issue 14).
    offer = messages[2]
    assert (offer["response"], offer["order_id"], offer["time"]) == (
        "utter_offer_reminder",
        ORDER,
        "11月16日 20:00",
    )


async def test_someone_elses_order_is_answered_like_an_unknown_one(bot_db, session_factory):
    import_one_order(
        session_factory,
        {"id": "b2002", "name": "李四"},
        {"id": "s-pdd-9", "name": "百货", "platform": "pdd"},
        {
            "id": "99887766554433",
            "title": "拖鞋",
            "amount": "9.90",
            "created_at": "2026-11-10T10:00:00+08:00",
        },
    )
    answers = []
    for number in ("99887766554433", "11112222333344"):
        tracker = make_tracker(text=number, intent="inform_order_id", entities=order_entity(number))
        events, messages = await run_action(ActionCheckEligibility(), tracker)
        answers.append(
            (events, [{k: v for k, v in m.items() if k != "order_id"} for m in messages])
        )
    assert answers[0] == answers[1]
    assert answers[0][0] == [SlotSet("order_id", None), SlotSet("eligibility", "not_found")]
    assert responses_of(answers[0][1])[0] == "utter_order_not_found"
    assert answers[0][1][0]["shortest"] == 8 and answers[0][1][0]["longest"] == 20
    assert "拖鞋" not in str(answers[0])


async def test_an_unknown_number_asks_the_database_once(bot_db, monkeypatch):
    from jieru.services import disputes

    calls = []
    real = disputes.assess
    monkeypatch.setattr(disputes, "assess", lambda **kw: calls.append(kw) or real(**kw))
    tracker = make_tracker(
        text="11112222333344", intent="inform_order_id", entities=order_entity("11112222333344")
    )
    events, messages = await run_action(ActionCheckEligibility(), tracker)
    assert len(calls) == 1
    assert events == [SlotSet("order_id", None), SlotSet("eligibility", "not_found")]
    # ... and the orders the buyer may mean are offered in the same reply.
    assert responses_of(messages)[0] == "utter_order_not_found" and len(messages) > 1


async def test_without_an_order_number_the_fitting_order_is_offered(bot_db):
    tracker = make_tracker(
        text="卖家拒绝退款怎么办",
        intent="report_refund_refused",
        slots={"problem": "report_refund_refused"},
    )
    events, messages = await run_action(ActionCheckEligibility(), tracker)
    assert events == [SlotSet("order_id", None), SlotSet("eligibility", "choose_order")]
    payloads = [b["payload"] for m in messages for b in m.get("buttons", [])]
    assert payloads[0] == f'/inform_order_id{{"order_id": "{ORDER}"}}'


async def test_app_channel_without_a_verified_buyer_reads_nothing(bot_db):
    tracker = make_tracker(
        text=ORDER,
        intent="inform_order_id",
        entities=order_entity(ORDER),
        channel="app",
        metadata={"buyer_id": "b1001"},
    )
    events, messages = await run_action(ActionCheckEligibility(), tracker)
    assert events == [] and responses_of(messages) == ["utter_login_required"]


async def test_unreachable_database_is_said_plainly(monkeypatch):
    monkeypatch.setenv(
        "DATABASE_URL", "postgresql+psycopg2://nobody@127.0.0.1:1/none?connect_timeout=2"
    )
    monkeypatch.setenv("JIERU_DEV_BUYER", "b1001")
    tracker = make_tracker(text=ORDER, intent="inform_order_id", entities=order_entity(ORDER))
    events, messages = await run_action(ActionCheckEligibility(), tracker)
    assert responses_of(messages) == ["utter_service_unavailable"]
    assert events == [SlotSet("eligibility", "unavailable")]


async def test_the_conversations_platform_narrows_the_candidates(bot_db, session_factory):
    import_one_order(
        session_factory,
        {"id": "b1001", "name": "张三"},
        {"id": "s-tb-9", "name": "数码小铺", "platform": "taobao"},
        {
            "id": "3909988776655",
            "title": "充电宝",
            "amount": "89.00",
            "created_at": "2026-11-16T10:00:00+08:00",
            "aftersales": [
                {
                    "id": "TB-9",
                    "type": "refund",
                    "status": "merchant_rejected",
                    "requested_at": "2026-11-16T12:00:00+08:00",
                    "merchant_rejected_at": "2026-11-16T13:00:00+08:00",
                }
            ],
        },
    )
    offered = {}
    for platform in ("taobao", "jd"):
        tracker = make_tracker(
            text="卖家拒绝退款", intent="report_refund_refused", slots={"platform": platform}
        )
        _, messages = await run_action(ActionCheckEligibility(), tracker)
        offered[platform] = [
            b["payload"]
            for m in messages
            for b in m.get("buttons", [])
            if "order_id" in b["payload"]
        ]
    assert offered["taobao"] == ['/inform_order_id{"order_id": "3909988776655"}']
    assert offered["jd"] == [f'/inform_order_id{{"order_id": "{ORDER}"}}']


# --- the form ---


async def test_the_evidence_question_offers_the_checklist():
    tracker = make_tracker(
        text="耳机坏了",
        slots={"problem": "report_refund_refused", "platform": "jd"},
        active_loop="intervention_form",
    )
    events, messages = await run_action(ActionAskEvidence(), tracker)
    assert events == []
    assert responses_of(messages) == ["utter_evidence_checklist"]
    assert messages[0]["checklist"]
    buttons = messages[0]["buttons"]
    assert 1 < len(buttons) <= 4
    assert buttons[-1] == {"title": "暂时没有", "payload": "没有凭证"}
    assert parse_evidence(buttons[-1]["payload"]) == []  # the "none" button reads as no evidence
    for b in buttons[:-1]:
        assert parse_evidence(b["payload"]) and not parse_evidence(b["payload"])[0].startswith(
            "other:"
        )


async def test_the_confirmation_question_summarises_the_filing(bot_db):
    tracker = make_tracker(
        text="有聊天记录", slots={**FILING, "confirm_filing": None}, active_loop="intervention_form"
    )
    events, messages = await run_action(ActionAskConfirmFiling(), tracker)
    assert events == []
    assert responses_of(messages) == ["utter_filing_summary", "utter_confirm_filing_question"]
    summary = messages[0]
    assert "蓝牙耳机" in summary["order_line"]
    assert (summary["problem"], summary["evidence"]) == ("卖家拒绝退款", "聊天记录")


async def test_the_confirmation_question_leaves_the_form_when_the_order_is_not_the_buyers(bot_db):
    tracker = make_tracker(
        text="好", slots={**FILING, "order_id": "11112222333344"}, active_loop="intervention_form"
    )
    events, messages = await run_action(ActionAskConfirmFiling(), tracker)
    assert events == [ActiveLoop(None), SlotSet("requested_slot", None)]
    assert responses_of(messages) == ["utter_order_not_found"]


async def test_description_bounds(domain):
    form = ValidateInterventionForm()
    tracker = make_tracker(
        text="x", intent="report_refund_refused", slots={"requested_slot": "description"}
    )
    for text, ok in [
        ("", False),
        ("好", False),
        ("商家拒收退货", True),
        ("长" * 501, False),
        ("😡退款被拒！' OR 1=1 --", True),  # kept as text, never run
        ("😡😡😡", False),
        ("asdfgh", False),
    ]:
        dispatcher = CollectingDispatcher()
        result = form.validate_description(text, dispatcher, tracker, domain)
        assert (result["description"] is not None) is ok, text
        spoken = [(m["response"], m["longest"]) for m in dispatcher.messages]
        assert spoken == ([] if ok else [("utter_description_invalid", 500)]), text


@pytest.mark.parametrize(
    ("text", "asked"),
    [
        ("有聊天记录和照片", False),
        ("需要什么凭证？", True),
        ("聊天记录算凭证吗", True),
        ("没有", False),
    ],
)
async def test_evidence_answer_is_kept_and_a_real_question_is_answered(domain, text, asked):
    tracker = make_tracker(
        text=text,
        intent="faq",
        slots={"problem": "report_refund_refused", "platform": "jd"},
        response_selector={"faq": {"response": {"intent_response_key": "faq/evidence"}}},
    )
    dispatcher = CollectingDispatcher()
    result = ValidateInterventionForm().validate_evidence(text, dispatcher, tracker, domain)
    assert (result["evidence"] is None) is asked
    assert bool(dispatcher.messages) is asked


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("没有", []),
        ("沒有任何凭证", []),
        ("有聊天记录", ["chat_record"]),
        ("聊天截图和照片都有", ["trade_record", "chat_record", "photo"]),
        ("拍了开箱视频", ["photo", "unboxing_video"]),
        # Not an answer to "which evidence do you have": asked again.
        ("卖家承认了是他们的问题", None),
        ("已经签收了", None),
        # A negated item names nothing; traditional text reads the same.
        ("没有聊天记录，只有照片", ["photo"]),
        ("有截圖", ["trade_record"]),
        ("有发票", ["other:有发票"]),
        ("啥都没有", []),
        ("一个也没有", []),
        ("没问题，提交", None),
        ("页面上写的是纯棉", None),
    ],
)
def test_parse_evidence(text, expected):
    assert parse_evidence(text) == expected


# --- filing ---


async def test_confirmed_filing_writes_intervention_lock_and_audit(bot_db):
    events, messages = await run_action(
        ActionFileIntervention(), make_tracker(intent="affirm", slots=FILING)
    )
    assert responses_of(messages) == ["utter_intervention_filed"]
    number = messages[0]["number"]
    assert number.startswith("JR20261117")
    assert events == [*RESET, SlotSet("eligibility", "in_progress")]
    with bot_db() as s:
        row = s.scalars(select(Intervention).where(Intervention.number == number)).one()
        assert row.status == "submitted" and row.problem == "report_refund_refused"
        assert [e.kind for e in row.evidence] == ["chat_record"]
        assert s.get(AfterSale, "AS-70001").locked is True
        assert (
            s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.entity_id == number))
            == 1
        )


async def test_retried_filing_gives_the_same_single_intervention(bot_db):
    _, first = await run_action(
        ActionFileIntervention(), make_tracker(intent="affirm", slots=FILING)
    )
    events, second = await run_action(
        ActionFileIntervention(), make_tracker(intent="affirm", slots=FILING)
    )
    assert responses_of(second) == ["utter_already_in_intervention"]
    assert second[0]["number"] == first[0]["number"]
    assert events == [*RESET, SlotSet("eligibility", "in_progress")]
    assert count(bot_db, Intervention) == 1


async def test_concurrent_filings_produce_one_intervention(bot_db):
    results = await asyncio.gather(
        *(
            run_action(ActionFileIntervention(), make_tracker(intent="affirm", slots=FILING))
            for _ in range(4)
        )
    )
    numbers = {messages[0]["number"] for _, messages in results}
    assert len(numbers) == 1
    assert (
        sorted(responses_of([m for _, ms in results for m in ms])).count("utter_intervention_filed")
        == 1
    )
    assert count(bot_db, Intervention) == 1


async def test_declined_confirmation_files_nothing(bot_db):
    events, messages = await run_action(
        ActionFileIntervention(),
        make_tracker(intent="deny", slots={**FILING, "confirm_filing": False}),
    )
    assert responses_of(messages) == ["utter_filing_cancelled"]
    assert count(bot_db, Intervention) == 0
    assert events == RESET


async def test_filing_on_an_order_that_is_not_the_buyers_says_so(bot_db):
    events, messages = await run_action(
        ActionFileIntervention(),
        make_tracker(intent="affirm", slots={**FILING, "order_id": "11112222333344"}),
    )
    assert responses_of(messages) == ["utter_order_not_found"]
    assert events == RESET
    assert count(bot_db, Intervention) == 0


async def test_a_bug_in_the_service_is_not_told_as_order_not_found(bot_db, monkeypatch):
    from jieru.services import disputes

    def broken(**_: Any) -> None:
        raise KeyError("a bug")

    monkeypatch.setattr(disputes, "file_intervention", broken)
    with pytest.raises(KeyError):
        await run_action(ActionFileIntervention(), make_tracker(intent="affirm", slots=FILING))


# --- typed text (issue 13): the offer, choosing an order, the form's answers ---

COARSE = "3901122334455"  # b1001's Taobao coat: paid, not shipped, nothing requested
AT_THE_OFFER = {
    "eligibility": "eligible",
    "order_id": ORDER,
    "platform": "jd",
    "problem": "report_refund_refused",
}
# The bot's last turn: it decided on the order and offered to file.
OFFERED = [{"event": "action", "name": "action_check_eligibility"}]


@pytest.mark.parametrize(
    ("text", "intent", "expected"),
    [
        ("帮我申请吧", "request_intervention", []),
        ("行，申请", "affirm", []),
        (
            "东西收到就坏了，卖家说是我弄的",
            "report_bad_item",
            [
                SlotSet("problem", "report_bad_item"),
                SlotSet("description", "东西收到就坏了，卖家说是我弄的"),
            ],
        ),
        (
            "帮我申请介入，耳机左耳没声音商家不认",
            "request_intervention",
            [SlotSet("description", "耳机左耳没声音商家不认")],
        ),
    ],
)
async def test_a_typed_yes_to_the_offer_starts_the_form_with_what_it_says(
    bot_db, text, intent, expected
):
    tracker = make_tracker(text=text, intent=intent, slots=AT_THE_OFFER, events=OFFERED)
    events, messages = await run_action(ActionCheckEligibility(), tracker)
    assert events == [*expected, FollowupAction("intervention_form")]
    assert messages == []


async def test_a_report_that_is_a_question_at_the_offer_is_decided_again(bot_db):
    tracker = make_tracker(
        text="卖家拒绝退款怎么办",
        intent="report_refund_refused",
        slots=AT_THE_OFFER,
        events=OFFERED,
    )
    events, messages = await run_action(ActionCheckEligibility(), tracker)
    assert events[-1] == SlotSet("eligibility", "eligible")
    assert responses_of(messages) == ["utter_order_header", None, "utter_offer_filing"]


async def test_another_order_number_at_the_offer_is_not_a_yes(bot_db):
    tracker = make_tracker(
        text=f"帮我申请 {COARSE}",
        intent="request_intervention",
        entities=order_entity(COARSE),
        slots=AT_THE_OFFER,
        events=OFFERED,
    )
    events, _ = await run_action(ActionCheckEligibility(), tracker)
    assert SlotSet("order_id", COARSE) in events
    assert not any(e.get("event") == "followup" for e in events)


async def test_evidence_named_at_the_offer_accepts_it_and_a_question_is_answered():
    selector = {"faq": {"response": {"intent_response_key": "faq/evidence"}}}
    said = make_tracker(
        text="有聊天记录和照片",
        intent="faq",
        slots=AT_THE_OFFER,
        events=OFFERED,
        response_selector=selector,
    )
    events, messages = await run_action(ActionReplyToOffer(), said)
    assert events == [
        SlotSet("evidence", ["chat_record", "photo"]),
        FollowupAction("intervention_form"),
    ]
    assert messages == []
    asked = make_tracker(
        text="需要什么凭证？",
        intent="faq",
        slots=AT_THE_OFFER,
        events=OFFERED,
        response_selector=selector,
    )
    events, messages = await run_action(ActionReplyToOffer(), asked)
    assert events == []
    assert len(messages) == 1 and "凭证" in messages[0]["text"]


UNSURE = [
    {"name": "nlu_fallback", "confidence": 0.3},
    {"name": "report_bad_item", "confidence": 0.29},
    {"name": "report_refund_refused", "confidence": 0.28},
]


@pytest.mark.parametrize(
    ("text", "intent", "expected", "responses"),
    [
        # A description the NLU is unsure of: its likeliest report is the problem.
        (
            "一用就发烫 根本没法用 改了申请还是被拒",
            "nlu_fallback",
            [
                SlotSet("problem", "report_bad_item"),
                SlotSet("description", "一用就发烫 根本没法用 改了申请还是被拒"),
                FollowupAction("intervention_form"),
            ],
            [],
        ),
        # Evidence read as out of scope.
        (
            "有快递单号 还有聊天记录",
            "out_of_scope",
            [
                SlotSet("evidence", ["chat_record", "logistics"]),
                FollowupAction("intervention_form"),
            ],
            [],
        ),
        # Anything else is what it reads as.
        ("嗯那个啥", "nlu_fallback", [FollowupAction("action_two_stage_fallback")], []),
        ("能帮我改一下收货地址吗", "out_of_scope", [], ["utter_out_of_scope"]),
    ],
)
async def test_an_unsure_or_out_of_scope_reply_at_the_offer(text, intent, expected, responses):
    tracker = make_tracker(
        text=text,
        intent=intent,
        intent_ranking=UNSURE if intent == "nlu_fallback" else None,
        slots=AT_THE_OFFER,
        events=OFFERED,
    )
    events, messages = await run_action(ActionReplyToOffer(), tracker)
    assert events == expected
    assert responses_of(messages) == responses


@pytest.mark.parametrize(
    ("text", "intent", "slots", "chosen"),
    [
        # Both of b1001's orders were offered for "申请介入" (no problem named).
        ("第二个", "inform_order_id", {"eligibility": "choose_order"}, COARSE),
        ("最后一个", "inform_order_id", {"eligibility": "choose_order"}, COARSE),
        ("耳机那单", "inform_order_id", {"eligibility": "choose_order"}, ORDER),
        ("大衣那个", "inform_order_id", {}, COARSE),  # a product name needs no list
        # The one order offered for a refused refund, confirmed by a yes.
        (
            "对，就是这个",
            "affirm",
            {"eligibility": "choose_order", "problem": "report_refund_refused"},
            ORDER,
        ),
    ],
)
async def test_an_order_is_chosen_by_position_product_or_yes(bot_db, text, intent, slots, chosen):
    tracker = make_tracker(text=text, intent=intent, slots=slots)
    events, messages = await run_action(ActionCheckEligibility(), tracker)
    assert SlotSet("order_id", chosen) in events
    assert messages[0]["response"] == "utter_order_header"


async def test_an_ordinal_without_a_list_shown_chooses_nothing(bot_db):
    events, messages = await run_action(
        ActionCheckEligibility(), make_tracker(text="第二个", intent="inform_order_id")
    )
    assert events[-1] == SlotSet("eligibility", "choose_order")
    assert responses_of(messages) == ["utter_choose_order"]


def _in_form(text: str, intent: str, slot: str, **extra: Any) -> Any:
    slots = {**FILING, "confirm_filing": None, "requested_slot": slot, **extra}
    return make_tracker(text=text, intent=intent, slots=slots, active_loop="intervention_form")


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("查一下我的介入进度", "check_progress"),
        ("你好", "greet"),
        ("好的", "affirm"),
        ("今天天气怎么样", "out_of_scope"),
        ("我要投诉这个卖家", "file_complaint"),
        ("🙂🙂🙂", "nlu_fallback"),
        ("qwe", "nlu_fallback"),
        ("asdkjh qweoiu", "report_refund_refused"),
        ("耳机坏了卖家不退款" * 250, "report_refund_refused"),  # 2,250 characters
    ],
)
def test_a_non_answer_is_never_the_description(domain, text, intent):
    dispatcher = CollectingDispatcher()
    tracker = _in_form(text, intent, "description")
    result = ValidateInterventionForm().validate_description(text, dispatcher, tracker, domain)
    assert result == {"description": None}


def test_a_report_phrased_as_a_question_is_a_description(domain):
    text = "商家说是我摔坏的，不给退怎么办"
    tracker = _in_form(text, "report_refund_refused", "description")
    result = ValidateInterventionForm().validate_description(
        text, CollectingDispatcher(), tracker, domain
    )
    assert result == {"description": text}


@pytest.mark.parametrize(
    ("text", "intent", "expected", "spoken"),
    [
        ("确认提交", "affirm", {"confirm_filing": True}, []),
        ("/affirm", "affirm", {"confirm_filing": True}, []),
        ("不用了", "deny", {"confirm_filing": False}, []),
        ("不对", "deny", {"confirm_filing": None}, ["utter_what_to_change"]),
        (
            "说明改成：耳机右耳也坏了，商家不认",
            "report_bad_item",
            {"description": "耳机右耳也坏了，商家不认", "confirm_filing": None},
            [],
        ),
        ("改说明", "nlu_fallback", {"description": None, "confirm_filing": None}, []),
        ("凭证写错了", "nlu_fallback", {"evidence": None, "confirm_filing": None}, []),
        ("不对，订单错了", "deny", {"confirm_filing": False, "order_id": None}, []),
        ("嗯嗯嗯？", "nlu_fallback", {"confirm_filing": None}, ["utter_confirm_filing_help"]),
        ("ok", "affirm", {"confirm_filing": True}, []),
        # Noise the NLU happened to read as a yes is not one.
        ("asdkjh qweoiu", "affirm", {"confirm_filing": None}, ["utter_confirm_filing_help"]),
    ],
)
def test_the_summary_is_confirmed_only_by_a_yes_and_changed_in_words(
    domain, text, intent, expected, spoken
):
    dispatcher = CollectingDispatcher()
    tracker = _in_form(text, intent, "confirm_filing")
    result = ValidateInterventionForm().validate_confirm_filing(text, dispatcher, tracker, domain)
    assert result == expected
    assert responses_of(dispatcher.messages) == spoken


async def test_wrong_order_at_the_summary_offers_the_orders_again_and_files_nothing(bot_db):
    slots = {**FILING, "confirm_filing": False, "order_id": None, "eligibility": "eligible"}
    events, messages = await run_action(
        ActionFileIntervention(), make_tracker(text="订单错了", intent="deny", slots=slots)
    )
    assert events == [
        SlotSet("confirm_filing", None),
        SlotSet("aftersale_id", None),
        SlotSet("eligibility", "choose_order"),
    ]
    assert responses_of(messages)[0] == "utter_choose_another_order"
    assert count(bot_db, Intervention) == 0


def test_the_evidence_question_takes_an_item_whatever_the_intent(domain):
    tracker = _in_form("有聊天记录", "out_of_scope", "evidence")
    result = ValidateInterventionForm().validate_evidence(
        "有聊天记录", CollectingDispatcher(), tracker, domain
    )
    assert result == {"evidence": ["chat_record"]}


# --- the buyer's own order, however the message names it ---

COAT = "3901122334455"  # b1001's Taobao coat, not shipped


async def test_a_question_about_the_order_gets_the_decision_then_the_keys_facts(bot_db):
    text = f"{ORDER} 这单要准备什么证据"
    tracker = make_tracker(
        text=text,
        intent="faq",
        entities=order_entity(ORDER),
        response_selector={"faq": {"response": {"intent_response_key": "faq/evidence"}}},
    )
    events, messages = await run_action(ActionCheckEligibility(), tracker)
    facts = faq.answer("evidence", "jd", text, closing=False).text
    assert responses_of(messages) == ["utter_order_header", None, None, "utter_offer_filing"]
    assert messages[2]["text"] == facts
    assert SlotSet("eligibility", "eligible") in events


async def test_a_conditions_question_about_the_order_gets_the_decision_alone(bot_db):
    tracker = make_tracker(
        text=f"{ORDER} 现在能申请介入吗",
        intent="faq",
        entities=order_entity(ORDER),
        response_selector={"faq": {"response": {"intent_response_key": "faq/conditions"}}},
    )
    _, messages = await run_action(ActionCheckEligibility(), tracker)
    assert responses_of(messages) == ["utter_order_header", None, "utter_offer_filing"]


async def test_a_product_named_wins_over_the_order_in_the_conversation(bot_db):
    tracker = make_tracker(
        text="哦不对，是耳机那个", intent="inform_order_id", slots={"order_id": COAT}
    )
    events, messages = await run_action(ActionCheckEligibility(), tracker)
    assert SlotSet("order_id", ORDER) in events
    assert "蓝牙耳机" in messages[0]["order_line"]


async def test_an_explicit_request_that_says_the_problem_opens_the_form(bot_db):
    text = f"帮我申请京东介入，左耳没声音，卖家拒绝退货退款 {ORDER}"
    tracker = make_tracker(text=text, intent="request_intervention", entities=order_entity(ORDER))
    events, messages = await run_action(ActionCheckEligibility(), tracker)
    assert events == [
        SlotSet("problem", "report_refund_refused"),  # from the words (kb/problems.yml cues)
        SlotSet("description", "京东介入，左耳没声音，卖家拒绝退货退款"),  # no order number
        *decided(ORDER, "jd", "AS-70001", "eligible"),
        FollowupAction("intervention_form"),
    ]
    assert responses_of(messages) == ["utter_order_header", None]


async def test_a_request_that_names_no_problem_is_still_offered(bot_db):
    tracker = make_tracker(
        text=f"{ORDER} 申请平台介入", intent="request_intervention", entities=order_entity(ORDER)
    )
    events, messages = await run_action(ActionCheckEligibility(), tracker)
    assert responses_of(messages) == ["utter_order_header", None, "utter_offer_filing"]
    assert not any(isinstance(e, dict) and e.get("event") == "followup" for e in events)


async def test_a_request_to_complain_goes_to_the_complaint(bot_db):
    tracker = make_tracker(
        text=f"投诉卖家 耳机跟描述的完全不一样 {ORDER}",
        intent="report_bad_item",
        entities=order_entity(ORDER),
    )
    assert await run_action(ActionCheckEligibility(), tracker) == (
        [FollowupAction("complaint_form")],
        [],
    )


# --- knowledge questions: the order they name, and questions about no own case ---


async def test_a_product_named_in_full_is_the_order_decided_on(bot_db):
    tracker = make_tracker(
        text="蓝牙耳机右边不响了 商家拖着不管 我多久可以找平台",
        intent="faq",
        response_selector={"faq": {"response": {"intent_response_key": "faq/conditions"}}},
    )
    events, messages = await run_action(ActionCheckEligibility(), tracker)
    assert events == [
        *decided(ORDER, "jd", "AS-70001", "eligible"),
    ]
    assert responses_of(messages) == ["utter_order_header", None, "utter_offer_filing"]
    assert "蓝牙耳机" in messages[0]["order_line"]


async def test_this_order_is_the_conversations_order(bot_db):
    tracker = make_tracker(
        text="这单能申请了吗",
        intent="faq",
        response_selector={"faq": {"response": {"intent_response_key": "faq/conditions"}}},
        slots={"order_id": ORDER},
    )
    events, messages = await run_action(ActionCheckEligibility(), tracker)
    assert SlotSet("eligibility", "eligible") in events
    assert responses_of(messages) == ["utter_order_header", None, "utter_offer_filing"]
    assert "蓝牙耳机" in messages[0]["order_line"]


HOW_TO_COMPLAIN = {
    "faq": {"response": {"intent_response_key": "faq/how_to_complain", "confidence": 0.9}}
}


def report_tracker(text: str, confidence: float, **kwargs: Any) -> Any:
    """A message the NLU read as report_not_shipped at ``confidence``, as
    faq/how_to_complain at 0.9."""
    tracker = make_tracker(
        text=text, intent="report_not_shipped", response_selector=HOW_TO_COMPLAIN, **kwargs
    )
    tracker.latest_message["intent"]["confidence"] = confidence
    return tracker


async def test_a_how_to_question_in_a_reports_words_is_answered_from_kb(bot_db):
    text = "拼多多上的小店一般怎么投诉"
    tracker = report_tracker(text, 0.5)
    events, messages = await run_action(ActionCheckEligibility(), tracker)
    assert events == [SlotSet("faq_asked", {"key": "how_to_complain", "question": text})]
    assert [m["text"] for m in messages] == [faq.answer("how_to_complain", None, text).text]


@pytest.mark.parametrize(
    "text",
    [
        "羊毛大衣一直没发货 该怎么投诉",  # the case (没发货) and the product
        "我的大衣还不发货怎么投诉",  # the case, as theirs
    ],
)
async def test_a_question_about_their_own_case_goes_to_their_orders(bot_db, text):
    tracker = report_tracker(text, 0.5)
    events, messages = await run_action(ActionCheckEligibility(), tracker)
    assert events == [
        SlotSet("problem", "report_not_shipped"),
        *decided("3901122334455", "taobao", None, "not_applicable"),
    ]
    assert responses_of(messages) == ["utter_order_header", None, "utter_alternatives"]
    assert "羊毛大衣" in messages[0]["order_line"]


async def test_a_case_asked_in_general_is_answered_from_kb_however_sure_the_report(bot_db):
    text = "小店不发货的话要怎么投诉"  # 的话: the rule, not their order
    tracker = report_tracker(text, 0.99)
    events, messages = await run_action(ActionCheckEligibility(), tracker)
    assert events == [SlotSet("faq_asked", {"key": "how_to_complain", "question": text})]
    assert [m["text"] for m in messages] == [faq.answer("how_to_complain", None, text).text]


async def test_a_report_the_nlu_is_surer_of_than_of_the_question_is_a_report(bot_db):
    tracker = report_tracker("拼多多上的小店要怎么投诉", 0.95)
    events, messages = await run_action(ActionCheckEligibility(), tracker)
    assert events == [
        SlotSet("problem", "report_not_shipped"),
        SlotSet("order_id", None),
        SlotSet("eligibility", "choose_order"),
    ]
    assert responses_of(messages) == ["utter_order_header", "utter_confirm_single_order"]
