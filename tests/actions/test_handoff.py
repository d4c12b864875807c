"""Hand-offs queue the conversation with a summary in words, never internal codes."""

from __future__ import annotations

from sqlalchemy import select

from bot.actions.handoff import ActionHandoff, summary
from jieru.db.models import Handoff
from tests.actions.helpers import make_tracker, responses_of, run_action

DOWN = "postgresql+psycopg2://nobody@127.0.0.1:1/none?connect_timeout=2"


async def test_handoff_queues_the_conversation_with_a_summary(bot_db):
    tracker = make_tracker(
        text="转人工",
        intent="request_human",
        slots={
            "problem": "report_refund_refused",
            "order_id": "250312345678",
            "platform": "jd",
            "eligibility": "eligible",
        },
        events=[
            {"event": "user", "text": "卖家拒绝退款怎么办"},
            {"event": "user", "text": "/affirm"},
        ],
    )
    events, messages = await run_action(ActionHandoff(), tracker)
    # The bot pauses until an agent hands the conversation back (issue 15).
    assert events == [{"event": "pause", "timestamp": None}]
    assert responses_of(messages)[0] == "utter_handoff"
    with bot_db() as s:
        row = s.scalars(select(Handoff)).one()
    assert row.buyer_id == "b1001" and row.status == "open" and messages[0]["handoff_id"] == row.id
    for part in ("卖家拒绝退款怎么办", "250312345678", "京东"):
        assert part in row.summary
    assert "/affirm" not in row.summary
    # The agent's copy says why first; the buyer is told the rest.
    assert row.summary == "转人工原因：用户要求人工\n" + messages[0]["summary"]


def test_the_summary_shows_no_internal_code():
    for state in (
        "eligible",
        "not_yet",
        "not_applicable",
        "in_progress",
        "unknown",
        "choose_order",
        "not_found",
        "no_orders",
        "unavailable",
    ):
        text = summary(
            make_tracker(
                text="转人工",
                intent="request_human",
                slots={"problem": "report_not_shipped", "eligibility": state},
            )
        )
        assert state not in text and "report_" not in text, text
        assert text.startswith("问题：卖家一直不发货\n介入判断：")
    assert (
        summary(make_tracker(text="/request_human", intent="request_human"))
        == "（用户直接要求人工）"
    )


async def test_handoff_with_the_queue_down_still_tells_the_buyer(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", DOWN)
    monkeypatch.setenv("JIERU_DEV_BUYER", "b1001")
    events, messages = await run_action(
        ActionHandoff(), make_tracker(text="转人工", intent="request_human")
    )
    assert events == []
    assert responses_of(messages) == ["utter_handoff"] and messages[0]["handoff_id"] == "—"
