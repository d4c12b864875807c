"""Filing: one transaction, idempotent, nothing written on cancel."""
from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from bot.actions.intervention import (
    ActionCancelForm,
    ActionFileIntervention,
    ValidateInterventionForm,
    parse_evidence,
)
from jieru.db.models import AfterSale, AuditLog, Intervention
from tests.actions.conftest import make_tracker, responses_of, slot_events

FILING = {
    "order_id": "250312345678", "problem": "report_refund_refused", "platform": "jd",
    "description": "耳机左耳没声音，商家说人为损坏拒绝退货", "evidence": ["chat_record"], "confirm_filing": True,
}


def count(session_factory, model) -> int:
    with session_factory() as s:
        return s.scalar(select(func.count()).select_from(model))


async def test_confirmed_filing_writes_intervention_lock_and_audit(bot_db, run_action):
    events, messages = await run_action(ActionFileIntervention(), make_tracker(intent="affirm", slots=FILING))
    assert responses_of(messages) == ["utter_intervention_filed"]
    number = messages[0]["number"]
    assert number.startswith("JR20261117")
    assert slot_events(events)["eligibility"] == "in_progress"
    with bot_db() as s:
        row = s.scalars(select(Intervention).where(Intervention.number == number)).one()
        assert row.status == "submitted" and row.problem == "report_refund_refused"
        assert [e.kind for e in row.evidence] == ["chat_record"]
        assert s.get(AfterSale, "AS-70001").locked is True
        assert s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.entity_id == number)) == 1


async def test_retried_filing_gives_the_same_single_intervention(bot_db, run_action):
    _, first = await run_action(ActionFileIntervention(), make_tracker(intent="affirm", slots=FILING))
    _, second = await run_action(ActionFileIntervention(), make_tracker(intent="affirm", slots=FILING))
    assert responses_of(second) == ["utter_already_in_intervention"]
    assert second[0]["number"] == first[0]["number"]
    assert count(bot_db, Intervention) == 1


async def test_concurrent_filings_produce_one_intervention(bot_db, run_action):
    results = await asyncio.gather(
        *(run_action(ActionFileIntervention(), make_tracker(intent="affirm", slots=FILING)) for _ in range(4))
    )
    numbers = {messages[0]["number"] for _, messages in results}
    assert len(numbers) == 1
    assert sorted(responses_of([m for _, ms in results for m in ms])).count("utter_intervention_filed") == 1
    assert count(bot_db, Intervention) == 1


async def test_declined_confirmation_files_nothing(bot_db, run_action):
    events, messages = await run_action(
        ActionFileIntervention(), make_tracker(intent="deny", slots={**FILING, "confirm_filing": False}))
    assert responses_of(messages) == ["utter_filing_cancelled"]
    assert count(bot_db, Intervention) == 0
    assert slot_events(events)["description"] is None


async def test_stop_leaves_the_form_and_says_so(run_action):
    events, messages = await run_action(
        ActionCancelForm(), make_tracker(text="算了不弄了", intent="stop", active_loop="intervention_form", slots=FILING))
    assert any(e["event"] == "active_loop" and e["name"] is None for e in events)
    assert responses_of(messages) == ["utter_filing_cancelled"]
    assert slot_events(events)["confirm_filing"] is None


@pytest.mark.parametrize(("text", "expected"), [
    ("没有", []),
    ("沒有任何凭证", []),
    ("有聊天记录", ["chat_record"]),
    ("聊天截图和照片都有", ["trade_record", "chat_record", "photo"]),
    ("拍了开箱视频", ["photo", "unboxing_video"]),
    ("卖家承认了是他们的问题", ["other:卖家承认了是他们的问题"]),
])
def test_parse_evidence(text, expected):
    assert parse_evidence(text) == expected


async def test_description_bounds(run_action, domain):
    from rasa_sdk.executor import CollectingDispatcher

    form = ValidateInterventionForm()
    tracker = make_tracker(text="x", intent="report_refund_refused")
    for text, ok in [("", False), ("好", False), ("商家拒收退货", True), ("长" * 501, False), ("😡退款！' OR 1=1 --", True)]:
        result = form.validate_description(text, CollectingDispatcher(), tracker, domain)
        assert (result["description"] is not None) is ok, text


@pytest.mark.parametrize(("text", "asked"), [
    ("有聊天记录和照片", False), ("需要什么凭证？", True), ("聊天记录算凭证吗", True), ("没有", False),
])
async def test_evidence_answer_is_kept_and_a_real_question_is_answered(run_action, domain, text, asked):
    from rasa_sdk.executor import CollectingDispatcher

    tracker = make_tracker(
        text=text, intent="faq", slots={"problem": "report_refund_refused", "platform": "jd"},
        response_selector={"faq": {"response": {"intent_response_key": "faq/evidence"}}},
    )
    dispatcher = CollectingDispatcher()
    result = ValidateInterventionForm().validate_evidence(text, dispatcher, tracker, domain)
    assert (result["evidence"] is None) is asked
    assert bool(dispatcher.messages) is asked
