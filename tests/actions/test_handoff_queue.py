"""action_handoff pauses the bot and tells the buyer their place in the queue, or when
agents are back outside working hours; the hand-off keeps the case as data."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from bot.actions.handoff import ActionHandoff
from jieru.db.models import Handoff
from tests.actions.helpers import make_tracker, responses_of, run_action
from tests.services.agents_fixtures import BUYER, ORDER, SHANGHAI, agents_db  # noqa: F401  (a fixture)


@pytest.fixture
def buyer_db(agents_db, monkeypatch):  # noqa: F811
    monkeypatch.setenv("JIERU_DEV_BUYER", BUYER)
    monkeypatch.setenv("JIERU_AGENT_MINUTES_PER_CASE", "5")
    return agents_db


def _tracker():
    return make_tracker(
        text="我要找人工",
        intent="request_human",
        slots={"order_id": ORDER, "problem": "report_refund_refused", "platform": "jd"},
    )


async def test_handoff_pauses_and_gives_the_place_in_the_queue(buyer_db):
    await run_action(ActionHandoff(), make_tracker(text="转人工", intent="request_human"))
    events, messages = await run_action(ActionHandoff(), _tracker())
    assert events == [{"event": "pause", "timestamp": None}]
    assert responses_of(messages) == ["utter_handoff", "utter_handoff_queue"]
    assert (messages[1]["ahead"], messages[1]["minutes"], messages[1]["reply_by"]) == (
        1,
        5,
        "12月1日 10:05",
    )
    with buyer_db() as s:
        row = s.scalars(select(Handoff).order_by(Handoff.id.desc())).first()
    assert messages[0]["handoff_id"] == row.id
    assert row.details["order"]["id"] == ORDER and row.details["problem"] == "report_refund_refused"
    assert row.details["eligibility"]["rule"].startswith("jd.")


async def test_after_hours_the_buyer_is_told_when_someone_replies(buyer_db, monkeypatch):
    monkeypatch.setenv("JIERU_CLOCK", datetime(2026, 12, 1, 22, 30, tzinfo=SHANGHAI).isoformat())
    events, messages = await run_action(ActionHandoff(), _tracker())
    assert events == [{"event": "pause", "timestamp": None}]
    assert responses_of(messages) == ["utter_handoff", "utter_handoff_after_hours"]
    assert (messages[1]["hours"], messages[1]["reply_by"]) == ("09:00-22:00", "12月2日 09:00")


async def test_without_the_queue_the_bot_keeps_answering(monkeypatch):
    monkeypatch.setenv("JIERU_DEV_BUYER", BUYER)
    monkeypatch.setattr("jieru.services.handoff.hand_off", _unavailable)
    events, messages = await run_action(ActionHandoff(), _tracker())
    assert (
        events == []
        and responses_of(messages) == ["utter_handoff"]
        and messages[0]["handoff_id"] == "—"
    )


def _unavailable(**_):
    from jieru.services import ServiceUnavailable

    raise ServiceUnavailable("database is locked")
