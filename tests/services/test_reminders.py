"""Reminders kept in the database, fired by the web service's poller at the due time
(pinned clock), surviving a restart, delivered once, retried when the bot is down."""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest
from sqlalchemy import select

from jieru.db.models import AfterSale, AuditLog, Reminder
from jieru.rules.facts import Verdict
from jieru.services import disputes, reminders
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


# ----- Filing before the reminder fires cancels it (disputes.file_intervention) -----


def file_on_the_earphones():
    return disputes.file_intervention(
        buyer_id="b1001",
        order_id="250312345678",
        problem="report_refund_refused",
        description="商家拒绝退款",
        evidence=[],
    )


def reminder_audit(session_factory) -> list[tuple]:
    with session_factory() as s:
        return [
            (a.actor, a.action, a.entity_id, a.detail)
            for a in s.scalars(
                select(AuditLog).where(AuditLog.entity == "reminders").order_by(AuditLog.id)
            )
        ]


async def test_filing_before_the_reminder_is_due_cancels_it(
    waiting, orders_db, fake_rasa, monkeypatch
):
    # The platform's record is corrected (re-imported): the dispute was opened 12 h sooner,
    # so the window opened at 11-16 08:00, hours before the reminder's 20:00.
    with orders_db.session_factory.begin() as s:
        s.get(AfterSale, "AS-70001").dispute.opened_at = datetime.fromisoformat(
            "2026-11-14T20:00:00+08:00"
        )
    monkeypatch.setenv("JIERU_CLOCK", "2026-11-16T13:00:00+08:00")

    filing = file_on_the_earphones()

    assert filing.filed and filing.cancelled_reminders == (waiting.reminder_id,)
    assert rows(orders_db.session_factory)[0][-1] == "cancelled"
    assert reminder_audit(orders_db.session_factory)[1:] == [
        (
            "bot:b1001",
            "cancel_reminder",
            str(waiting.reminder_id),
            {"order_id": "250312345678", "intervention": filing.number},
        )
    ]
    monkeypatch.setenv("JIERU_CLOCK", DUE)
    assert reminders.due_reminders() == []
    assert await poller.fire_due() == 0 and fake_rasa.requests == []  # never fires


async def test_filing_when_due_but_not_yet_fired_cancels_it(
    waiting, orders_db, fake_rasa, monkeypatch
):
    monkeypatch.setenv("JIERU_CLOCK", DUE)  # due, the poller has not come round yet

    filing = file_on_the_earphones()

    assert filing.filed and filing.cancelled_reminders == (waiting.reminder_id,)
    assert await poller.fire_due() == 0 and fake_rasa.requests == []


async def test_a_fired_reminder_stays_fired_when_the_buyer_then_files(
    waiting, orders_db, fake_rasa, monkeypatch
):
    monkeypatch.setenv("JIERU_CLOCK", DUE)
    assert await poller.fire_due() == 1

    filing = file_on_the_earphones()

    assert filing.filed and filing.cancelled_reminders == ()
    assert rows(orders_db.session_factory)[0][-1] == "fired"


def test_a_refused_filing_keeps_the_reminder(waiting, orders_db, monkeypatch):
    monkeypatch.setenv("JIERU_CLOCK", "2026-11-16T13:00:00+08:00")  # not yet

    filing = file_on_the_earphones()

    assert not filing.filed and filing.decision.verdict is Verdict.NOT_YET
    assert filing.cancelled_reminders == ()
    assert rows(orders_db.session_factory)[0][-1] == "pending"


def test_a_reminder_of_another_service_order_of_the_order_stays(waiting, orders_db, monkeypatch):
    at = datetime.fromisoformat(BEFORE)
    with orders_db.session_factory.begin() as s:
        # An earlier service order on the same order, closed since, with a reminder of its
        # own (written as rows: jieru.db.reminders.schedule keeps one pending per order).
        s.add(
            AfterSale(
                id="AS-70002",
                order_id="250312345678",
                type="exchange",
                status="closed",
                requested_at=datetime.fromisoformat("2026-11-13T12:00:00+08:00"),
            )
        )
        s.flush()
        pending = dict(conversation_id="b1001", status="pending", created_at=at, attempts=0)
        other = Reminder(
            buyer_id="b1001",
            order_id="250312345678",
            aftersale_id="AS-70002",
            due_at=datetime.fromisoformat("2026-11-18T10:00:00+08:00"),
            **pending,
        )
        # One that names no service order is about the order as a whole: cancelled too.
        loose = Reminder(
            buyer_id="b1001",
            order_id="250312345678",
            aftersale_id=None,
            due_at=datetime.fromisoformat(DUE),
            **pending,
        )
        s.add_all([other, loose])
        s.flush()
        other_id, loose_id = other.id, loose.id
    monkeypatch.setenv("JIERU_CLOCK", DUE)

    filing = file_on_the_earphones()

    assert filing.filed and filing.decision.aftersale_id == "AS-70001"
    assert filing.cancelled_reminders == (waiting.reminder_id, loose_id)
    with orders_db.session_factory() as s:
        assert s.get(Reminder, other_id).status == "pending"


def test_a_poller_claiming_while_the_filing_commits_finds_the_reminder_cancelled(
    waiting, orders_db, monkeypatch
):
    import threading

    from jieru.db import reminders as store

    monkeypatch.setenv("JIERU_CLOCK", DUE)
    now = datetime.fromisoformat(DUE)
    claimed: list[bool] = []
    with orders_db.session_factory.begin() as filing:
        assert store.cancel_for_intervention(
            filing,
            buyer_id="b1001",
            order_id="250312345678",
            aftersale_id="AS-70001",
            number="JR20261116000001",
            actor="test",
            now=now,
        ) == [waiting.reminder_id]

        def poll() -> None:
            with orders_db.session_factory.begin() as s:
                claimed.append(store.claim(s, reminder_id=waiting.reminder_id, now=now))

        # The poller's claim waits for the filing's transaction (PostgreSQL: the row lock;
        # SQLite: the write lock), then finds nothing pending.
        poller_thread = threading.Thread(target=poll)
        poller_thread.start()
        poller_thread.join(0.5)
        assert poller_thread.is_alive() and claimed == []
    poller_thread.join(10)
    assert claimed == [False]
    assert rows(orders_db.session_factory)[0][-1] == "cancelled"
