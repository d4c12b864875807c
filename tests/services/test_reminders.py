"""Reminders kept in the database, fired by the web service's poller at the due time
(pinned clock), surviving a restart, delivered once, retried when the bot is down."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from jieru.db.models import Reminder
from jieru.rules.facts import Verdict
from jieru.services import reminders
from jieru.services.reminders import Outcome
from jieru.web import reminders as poller
from tests.fake_rasa import trigger_request

BEFORE = "2026-11-16T12:00:00+08:00"  # JD's 36 h after the dispute (11-15 08:00) not yet over
DUE = "2026-11-16T20:00:00+08:00"


@pytest.fixture
def waiting(orders_db, monkeypatch):
    """b1001 asked at 11-16 12:00 to be reminded about the earphones."""
    monkeypatch.setenv("JIERU_CLOCK", BEFORE)
    result = reminders.schedule(buyer_id="b1001", conversation_id="b1001", order_id="250312345678")
    assert result.outcome is Outcome.SCHEDULED
    return result


def rows(session_factory) -> list[tuple]:
    with session_factory() as s:
        return [
            (
                r.buyer_id,
                r.conversation_id,
                r.order_id,
                r.aftersale_id,
                r.due_at.isoformat(),
                r.status,
            )
            for r in s.scalars(select(Reminder).order_by(Reminder.id))
        ]


def test_scheduled_at_the_time_the_engine_gives(waiting, orders_db):
    assert waiting.due_at.isoformat() == "2026-11-16T12:00:00+00:00"
    assert rows(orders_db.session_factory) == [
        ("b1001", "b1001", "250312345678", "AS-70001", "2026-11-16T12:00:00+00:00", "pending")
    ]


def test_asking_twice_keeps_one_reminder(waiting, orders_db):
    again = reminders.schedule(buyer_id="b1001", conversation_id="b1001", order_id="250312345678")
    assert again.reminder_id == waiting.reminder_id and len(rows(orders_db.session_factory)) == 1


def test_nothing_to_wait_for(orders_db):
    # At the fixture's NOW (11-17 12:00) the window is open.
    assert (
        reminders.schedule(
            buyer_id="b1001", conversation_id="b1001", order_id="250312345678"
        ).outcome
        is Outcome.ELIGIBLE_NOW
    )
    assert (
        reminders.schedule(
            buyer_id="b1001", conversation_id="b1001", order_id="3901122334455"
        ).outcome
        is Outcome.NOT_WAITING
    )
    assert (
        reminders.schedule(
            buyer_id="b2002", conversation_id="b2002", order_id="250312345678"
        ).outcome
        is Outcome.NOT_FOUND
    )  # someone else's order
    assert rows(orders_db.session_factory) == []


async def test_the_poller_fires_at_the_due_time_once(waiting, orders_db, fake_rasa, monkeypatch):
    monkeypatch.setenv("JIERU_CLOCK", "2026-11-16T19:59:00+08:00")
    assert await poller.fire_due() == 0 and fake_rasa.requests == []
    monkeypatch.setenv("JIERU_CLOCK", DUE)
    assert await poller.fire_due() == 1
    assert fake_rasa.requests == [
        trigger_request("b1001", "eligibility_opened", reminder_id=str(waiting.reminder_id))
    ]
    assert await poller.fire_due() == 0 and len(fake_rasa.requests) == 1  # never twice
    assert rows(orders_db.session_factory)[0][-1] == "fired"


async def test_a_reminder_survives_a_restart_and_a_bot_that_is_down(
    waiting, orders_db, fake_rasa, monkeypatch
):
    from jieru.db import session as db_session

    monkeypatch.setenv("JIERU_CLOCK", DUE)
    fake_rasa.fail_with = 503
    assert await poller.fire_due() == 0 and len(fake_rasa.requests) == 1
    assert rows(orders_db.session_factory)[0][-1] == "pending"  # given back
    db_session.dispose()  # as after a restart: nothing kept in the process
    fake_rasa.fail_with = None
    assert await poller.fire_due() == 1 and len(fake_rasa.requests) == 2


async def test_the_poll_loop_runs_beside_the_app(waiting, fake_rasa, monkeypatch):
    monkeypatch.setenv("JIERU_CLOCK", DUE)
    task = asyncio.create_task(poller.poll(interval=0.05))
    for _ in range(100):
        if fake_rasa.requests:
            break
        await asyncio.sleep(0.05)
    task.cancel()
    assert len(fake_rasa.requests) == 1


def test_a_fired_reminder_decides_again(waiting, monkeypatch):
    monkeypatch.setenv("JIERU_CLOCK", DUE)
    found = reminders.reminded(buyer_id="b1001", reminder_id=waiting.reminder_id)
    assert found.order.id == "250312345678" and found.decision.verdict is Verdict.ELIGIBLE
    assert reminders.reminded(buyer_id="b2002", reminder_id=waiting.reminder_id) is None
