"""The intervention form reads each answer by what it says (issue 13): a description
given before the form fills it, an evidence list is never a description and a
description never an evidence answer, "none" is accepted however it is said, and a
question asked twice is followed by a way out rather than a third time."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

import pytest
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.intervention import (
    ActionAskConfirmFiling,
    ActionAskDescription,
    ActionAskEvidence,
    ActionAskProblem,
    ActionReplyToOffer,
    ValidateInterventionForm,
    description_from,
    evidence_list,
    is_question,
    parse_evidence,
    tries,
)
from tests.actions.helpers import asking, make_tracker, responses_of, run_action, said
from tests.actions.helpers import in_form as in_form_with

ORDER = "250312345678"  # b1001's eligible JD order
SLOTS = {
    "order_id": ORDER,
    "platform": "jd",
    "eligibility": "eligible",
    "problem": "report_refund_refused",
}
DESCRIPTION = "耳机左耳没声音，商家说人为损坏拒绝退货"


in_form = partial(in_form_with, base=SLOTS)


# ----- words that only look like a question -----


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("都好几天了还不发货", False),
        ("我什么都没保存", False),
        ("啥也没有", False),
        ("这几天一直联系不上卖家", False),
        ("几天能退回来", True),
        ("需要什么凭证", True),
    ],
)
def test_any_and_several_words_ask_nothing(text, question):
    assert is_question(text) is question


def test_a_report_that_says_how_long_it_has_waited_describes_the_case():
    text = "游戏兑换码早被别人用掉了 卖家不给退 等了好几天了"
    assert description_from(text, "report_refund_refused") == text


def test_the_problems_name_alone_is_no_description():
    assert description_from("卖家又拒绝退款了", "report_refund_refused") is None
    dispatcher = CollectingDispatcher()
    tracker = in_form("卖家又拒绝退款了", "report_refund_refused", "description")
    result = ValidateInterventionForm().validate_description(
        "卖家又拒绝退款了", dispatcher, tracker, {}
    )
    assert result == {"description": None}
    assert responses_of(dispatcher.messages) == ["utter_description_invalid"]


# ----- evidence lists and descriptions -----


@pytest.mark.parametrize(
    ("text", "listed"),
    [
        ("有照片 还有质检报告", ["photo", "quality_report"]),
        ("聊天记录和截图都有", ["trade_record", "chat_record"]),
        ("只有聊天记录", ["chat_record"]),
        ("有咚咚聊天记录 还有退款页面截图", ["trade_record", "chat_record"]),
        ("卖家在聊天里亲口承认发的是次品 还是不给退", None),
        ("有发票", None),  # kept in the buyer's words at the evidence question only
        ("杯子收到就裂了", None),
    ],
)
def test_an_evidence_list_is_only_a_list(text, listed):
    assert evidence_list(text) == listed


def test_an_evidence_list_at_the_description_question_is_kept_as_the_evidence():
    text = "有聊天记录 还有照片"
    dispatcher = CollectingDispatcher()
    tracker = in_form(text, "faq", "description")
    result = ValidateInterventionForm().validate_description(text, dispatcher, tracker, {})
    assert result == {"description": None, "evidence": ["chat_record", "photo"]}
    assert dispatcher.messages[0]["response"] == "utter_evidence_noted"
    assert dispatcher.messages[0]["evidence"] == "聊天记录、商品照片"


def test_the_case_described_at_the_evidence_question_is_added_to_the_description():
    text = "耳机充一会儿电就烫手"
    dispatcher = CollectingDispatcher()
    tracker = in_form(text, "report_bad_item", "evidence", description=DESCRIPTION)
    result = ValidateInterventionForm().validate_evidence(text, dispatcher, tracker, {})
    assert result == {"evidence": None, "description": f"{DESCRIPTION}；{text}"}
    assert responses_of(dispatcher.messages) == ["utter_description_added"]


def test_a_description_given_twice_is_not_added_twice():
    dispatcher = CollectingDispatcher()
    tracker = in_form(DESCRIPTION, "report_bad_item", "evidence", description=DESCRIPTION)
    result = ValidateInterventionForm().validate_evidence(DESCRIPTION, dispatcher, tracker, {})
    assert result == {"evidence": None}


@pytest.mark.parametrize(
    "text",
    [
        "没有 啥都没留",
        "不好意思 我什么也没保存",
        "一点证据都没有",
        "当时没截图也没拍照",
        "都没留",
        "暂时没有哦",
        "木有",
    ],
)
def test_none_is_accepted_however_it_is_said(text):
    assert parse_evidence(text) == []
    tracker = in_form(text, "deny", "evidence", description=DESCRIPTION)
    result = ValidateInterventionForm().validate_evidence(text, CollectingDispatcher(), tracker, {})
    assert result == {"evidence": []}


def test_a_negated_report_is_not_none():
    assert parse_evidence("商家一直没发货") is None


# ----- no loops: twice, then a way out -----


def test_tries_count_the_answers_to_the_question_asked():
    assert tries(in_form("嗯", "affirm", "evidence"), "evidence") == 1
    assert tries(in_form("嗯", "affirm", "evidence", times=2), "evidence") == 2
    assert tries(in_form("嗯", "affirm", "evidence", times=2), "description") == 0


async def test_the_evidence_question_is_asked_twice_then_the_way_out():
    _, messages = await run_action(ActionAskEvidence(), in_form("嗯？", "faq", "evidence"))
    assert responses_of(messages) == ["utter_evidence_checklist"]
    _, messages = await run_action(ActionAskEvidence(), in_form("嗯？", "faq", "evidence", times=2))
    assert responses_of(messages) == ["utter_form_way_out"]
    assert [b["payload"] for b in messages[0]["buttons"]] == ["没有凭证", "/request_human", "/stop"]


async def test_the_description_question_is_asked_twice_then_the_way_out():
    _, messages = await run_action(ActionAskDescription(), in_form("好", "affirm", "description"))
    assert responses_of(messages) == ["utter_ask_intervention_form_description"]
    tracker = in_form("好", "affirm", "description", times=2)
    dispatcher = CollectingDispatcher()
    ValidateInterventionForm().validate_description("好", dispatcher, tracker, {})
    assert dispatcher.messages == []  # the way out says it
    _, messages = await run_action(ActionAskDescription(), tracker)
    assert responses_of(messages) == ["utter_form_way_out"]
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/request_human", "/stop"]


async def test_the_summary_is_asked_twice_then_the_way_out(bot_db):
    slots = {"description": DESCRIPTION, "evidence": ["chat_record"]}
    tracker = in_form("嗯嗯嗯？", "nlu_fallback", "confirm_filing", times=2, **slots)
    _, messages = await run_action(ActionAskConfirmFiling(), tracker)
    assert responses_of(messages) == ["utter_filing_summary", "utter_form_way_out"]
    assert messages[1]["buttons"][0]["payload"] == "/affirm"


# ----- the offer stands through the fallback's "did you mean…" -----


async def test_evidence_named_after_a_did_you_mean_still_accepts_the_offer():
    events = [
        {"event": "action", "name": "action_check_eligibility"},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "嗯 那你弄", "parse_data": {"intent": {"name": "nlu_fallback"}}},
        {"event": "action", "name": "action_two_stage_fallback"},
        {"event": "active_loop", "name": "action_two_stage_fallback"},
        {"event": "action", "name": "action_listen"},
    ]
    tracker = make_tracker(
        text="有照片 还有质检报告", intent="faq", slots={**SLOTS, "problem": None}, events=events
    )
    result, messages = await run_action(ActionReplyToOffer(), tracker)
    assert result == [
        SlotSet("evidence", ["photo", "quality_report"]),
        FollowupAction("intervention_form"),
    ]
    assert messages == []


# ----- an after-sale reading at the offer; the case told where the problem is asked -----

AFTER_THE_OFFER = [
    {"event": "action", "name": "action_check_eligibility"},
    {"event": "action", "name": "action_listen"},
]


async def test_a_request_to_file_read_as_an_after_sale_accepts_the_offer_with_the_case():
    text = "帮我申请吧 裤子太长了 按七天无理由退回去的 一次都没穿过"
    tracker = make_tracker(
        text=text,
        intent="request_aftersale",
        slots={**SLOTS, "problem": None},
        events=AFTER_THE_OFFER,
    )
    result, messages = await run_action(ActionReplyToOffer(), tracker)
    assert result == [
        SlotSet("description", "裤子太长了 按七天无理由退回去的 一次都没穿过"),
        FollowupAction("intervention_form"),
    ]
    assert messages == []


async def test_an_after_sale_question_at_the_offer_gets_the_after_sale_answer():
    tracker = make_tracker(
        text="这个还能退货吗", intent="request_aftersale", slots=SLOTS, events=AFTER_THE_OFFER
    )
    result, messages = await run_action(ActionReplyToOffer(), tracker)
    assert result == [FollowupAction("action_answer_aftersale")]
    assert messages == []


def extract(slot: str, text: str, intent: str, **slots: Any) -> tuple[dict, list[str | None]]:
    """ValidateInterventionForm.extract_<slot> while the problem is asked."""
    dispatcher = CollectingDispatcher()
    tracker = in_form(text, intent, "problem", problem=None, **slots)
    method = getattr(ValidateInterventionForm(), f"extract_{slot}")
    result = asyncio.run(method(dispatcher, tracker, {}))
    return result, responses_of(dispatcher.messages)


@pytest.mark.parametrize("intent", ["out_of_scope", "request_aftersale", "faq"])
def test_the_case_told_where_the_problem_is_asked_is_kept_as_the_description(intent):
    text = "床单被套洗一次全是小球 颜色也掉了 跟商品页写的差太远"
    assert extract("description", text, intent) == (
        {"description": text},
        ["utter_description_noted"],
    )


@pytest.mark.parametrize(
    ("text", "intent", "slots"),
    [
        ("东西坏了", "report_bad_item", {}),  # validate_problem reads a report
        ("床单被套洗一次全是小球 颜色也掉了", "out_of_scope", {"description": DESCRIPTION}),
        ("床单为什么洗一次全是小球", "out_of_scope", {}),  # a question
        ("有照片和聊天记录", "faq", {}),  # evidence, not the case
        ("换成 250398765432 这单", "inform_order_id", {}),
        ("好的", "affirm", {}),
        ("😡😡", "out_of_scope", {}),
    ],
)
def test_anything_else_where_the_problem_is_asked_is_no_description(text, intent, slots):
    assert extract("description", text, intent, **{"description": None, **slots}) == ({}, [])


def test_evidence_named_where_the_problem_is_asked_is_kept_and_said():
    assert extract("evidence", "有聊天记录", "faq") == (
        {"evidence": "有聊天记录"},
        ["utter_evidence_noted"],
    )


def test_a_description_read_as_an_after_sale_request_is_a_description():
    text = "七天无理由退的 裤长不合适 裤子好好的吊牌都没摘"
    dispatcher = CollectingDispatcher()
    tracker = in_form(text, "request_aftersale", "description")
    result = ValidateInterventionForm().validate_description(text, dispatcher, tracker, {})
    assert result == {"description": text}


def test_the_edit_words_typed_before_the_summary_are_not_the_description():
    text = "说明改成 降噪功能完全失效 退回去商家收到四天了还不退款"
    assert description_from(text, "report_return_not_refunded") == (
        "降噪功能完全失效 退回去商家收到四天了还不退款"
    )


@pytest.mark.parametrize(
    ("text", "described"),
    [
        # Asked as a question, even as 能…不 or in Cantonese: no description yet.
        ("拼夕夕买的四件套 洗完起球还掉色 商家拒绝售后 能介入不", None),
        ("商家話我拆咗包裝唔肯退 可唔可以申請介入", None),
        # The request with the platform's name in it is no part of the case.
        ("这条裙子售后被拒了 想申请淘宝介入", "这条裙子售后被拒了"),
        ("申请京东介入 耳机左耳没声音 商家说人为损坏", "耳机左耳没声音 商家说人为损坏"),
        # A greeting and the request with a typo say nothing of the case.
        ("在不在 我要申清平台介入", None),
        ("你好 东西收到就坏了 卖家不给退", "东西收到就坏了 卖家不给退"),
        # 改成 inside the case is no edit of the description.
        ("耳机左耳没声音 卖家让我改成换货", "耳机左耳没声音 卖家让我改成换货"),
    ],
)
def test_a_reports_request_or_question_is_left_out_of_its_description(text, described):
    assert description_from(text, "report_refund_refused") == described


@pytest.mark.parametrize(("text", "kept"), [("好的提交", {"problem": None}), ("东西坏了", {})])
def test_a_yes_to_filing_where_the_problem_is_asked_keeps_the_form_asking(text, kept):
    assert extract("problem", text, "affirm", description=DESCRIPTION) == (kept, [])


def test_a_short_case_the_nlu_is_unsure_of_is_kept_where_the_problem_is_asked():
    dispatcher = CollectingDispatcher()
    tracker = in_form("降噪没用了", "nlu_fallback", "problem", problem=None)
    tracker.latest_message["intent_ranking"] = [
        {"name": "nlu_fallback", "confidence": 0.3},
        {"name": "deny", "confidence": 0.21},
    ]
    result = asyncio.run(ValidateInterventionForm().extract_description(dispatcher, tracker, {}))
    assert (result, responses_of(dispatcher.messages)) == (
        {"description": "降噪没用了"},
        ["utter_description_noted"],
    )


def test_a_new_description_typed_with_the_problem_replaces_the_one_given():
    text = "说明改成 降噪功能完全失效 退回去商家收到四天了还不退款"
    tracker = in_form(
        text, "report_return_not_refunded", "problem", problem=None, description="降噪没用了"
    )
    result = ValidateInterventionForm().validate_problem(
        "report_return_not_refunded", CollectingDispatcher(), tracker, {}
    )
    assert result == {
        "problem": "report_return_not_refunded",
        "description": "降噪功能完全失效 退回去商家收到四天了还不退款",
    }


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("是的 申请介入", "nlu_fallback"),
        ("对，帮我申请介入吧", "out_of_scope"),
    ],
)
async def test_a_yes_and_the_request_the_nlu_is_unsure_of_accepts_the_offer(text, intent):
    tracker = make_tracker(text=text, intent=intent, slots=SLOTS, events=AFTER_THE_OFFER)
    result, messages = await run_action(ActionReplyToOffer(), tracker)
    assert (result, messages) == ([FollowupAction("intervention_form")], [])


async def test_a_case_told_at_the_offer_and_read_as_a_question_about_it_accepts_it():
    text = "这套四件套收到后洗了一次就全是小球 卖家说是我洗坏的 退货被拒了"
    ranking = [
        {"name": "faq", "confidence": 0.6},
        {"name": "report_refund_refused", "confidence": 0.3},
    ]
    tracker = make_tracker(
        text=text, intent="faq", slots=SLOTS, events=AFTER_THE_OFFER, intent_ranking=ranking
    )
    result, messages = await run_action(ActionReplyToOffer(), tracker)
    assert (result, messages) == (
        [SlotSet("description", text), FollowupAction("intervention_form")],
        [],
    )


# ----- the problem a description told where the problem was asked suggests -----

SUGGESTED = {"event": "bot", "text": "…", "metadata": {"utter_action": "utter_problem_suggested"}}


def suggestion_turn(text: str, intent: str) -> Any:
    """The buyer's reply right after the bot suggested a problem for the kept description."""
    return make_tracker(
        text=text,
        intent=intent,
        slots={**SLOTS, "problem": None, "description": DESCRIPTION, "requested_slot": "problem"},
        events=[*asking("problem"), {"event": "user", "text": DESCRIPTION}, SUGGESTED],
        active_loop="intervention_form",
    )


async def test_the_problem_question_says_the_problem_the_case_told_suggests(bot_db):
    tracker = in_form(DESCRIPTION, "faq", "problem", problem=None, description=DESCRIPTION)
    _, messages = await run_action(ActionAskProblem(), tracker)
    assert messages == [
        said("utter_problem_suggested", problem="卖家拒绝退款"),
        said("utter_ask_intervention_form_problem"),
    ]


async def test_the_problem_question_suggests_nothing_without_a_case_or_after_a_no(bot_db):
    alone = in_form("对 申请", "affirm", "problem", problem=None, description=None)
    refused = suggestion_turn("不是", "deny")
    for tracker in (alone, refused):
        _, messages = await run_action(ActionAskProblem(), tracker)
        assert responses_of(messages) == ["utter_ask_intervention_form_problem"]


@pytest.mark.parametrize("text", ["是的", "对", "好的提交"])
def test_a_yes_right_after_the_suggestion_takes_it(bot_db, text):
    form = ValidateInterventionForm()
    tracker = suggestion_turn(text, "affirm")
    extracted = asyncio.run(form.extract_problem(CollectingDispatcher(), tracker, {}))
    assert extracted == {"problem": "report_refund_refused"}
    kept = form.validate_problem(extracted["problem"], CollectingDispatcher(), tracker, {})
    assert kept == {"problem": "report_refund_refused"}


def test_a_no_right_after_the_suggestion_asks_again(bot_db):
    tracker = suggestion_turn("不是", "deny")
    form = ValidateInterventionForm()
    assert asyncio.run(form.extract_problem(CollectingDispatcher(), tracker, {})) == {
        "problem": None
    }


def test_a_plain_yes_with_no_suggestion_before_it_takes_nothing(bot_db):
    # The description came with the report, so nothing was suggested: "是" is no answer.
    assert extract("problem", "是的", "affirm", description=DESCRIPTION) == ({}, [])


@pytest.mark.parametrize("text", ["确认无误", "好的提交"])
def test_a_yes_to_filing_later_takes_the_problem_still_suggested(bot_db, text):
    # The suggestion was made two questions ago; the buyer confirms everything at once.
    assert extract("problem", text, "affirm", description=DESCRIPTION) == (
        {"problem": "report_refund_refused"},
        [],
    )
