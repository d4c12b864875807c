"""Reminders (issue 14), exact events and messages: offered when intervention is not yet
possible, scheduled on the buyer's yes, and fired at the due time by a triggered event
(trigger_intent), which carries no buyer: the action speaks for the conversation's buyer."""

from __future__ import annotations

from rasa_sdk.events import SlotSet

from bot.actions.intervention import (
    ActionCheckEligibility,
    ActionRemindEligibility,
    ActionScheduleReminder,
)
from jieru.services import reminders
from tests.actions.helpers import (
    BEFORE_WINDOW,
    from_app,
    run_action,
    said,
    triggered,
)
from tests.services.conftest import MINE

ORDER_ENTITIES = [{"entity": "order_id", "value": "250312345678"}]
DUE = "2026-11-16T20:00:00+08:00"  # 36 hours after the dispute opened (11-15 08:00)
EARPHONES = "蓝牙耳机（数码配件专营店·京东，¥199.00，订单号 250312345678）"


async def test_not_yet_offers_a_reminder(orders_db, monkeypatch, no_dev_buyer):
    monkeypatch.setenv("JIERU_CLOCK", BEFORE_WINDOW)
    tracker = from_app("250312345678", "inform_order_id", entities=ORDER_ENTITIES)
    _, messages = await run_action(ActionCheckEligibility(), tracker)
    assert messages[-1] == said(
        "utter_offer_reminder", order_id="250312345678", time="11月16日 20:00"
    )


async def test_yes_schedules_the_reminder(orders_db, monkeypatch, no_dev_buyer):
    monkeypatch.setenv("JIERU_CLOCK", BEFORE_WINDOW)
    tracker = from_app(
        '/request_reminder{"order_id": "250312345678"}', "request_reminder", entities=ORDER_ENTITIES
    )
    events, messages = await run_action(ActionScheduleReminder(), tracker)
    assert events == [SlotSet("order_id", "250312345678")]
    assert messages == [said("utter_reminder_scheduled", time="11月16日 20:00")]
    assert [
        r.conversation_id
        for r in reminders.due_reminders(now=reminders.config.now().replace(hour=23))
    ] == ["buyer-conversation"]


async def test_a_reminder_without_an_order_asks_which(orders_db, no_dev_buyer):
    tracker = from_app("到时候提醒我", "request_reminder")
    assert await run_action(ActionScheduleReminder(), tracker) == (
        [],
        [said("utter_reminder_which_order")],
    )


async def test_a_reminder_when_it_is_already_possible(orders_db, no_dev_buyer):
    tracker = from_app("到时候提醒我", "request_reminder", slots={"order_id": "250312345678"})
    events, messages = await run_action(ActionScheduleReminder(), tracker)
    assert messages == [said("utter_reminder_not_needed", order_id="250312345678")]


async def test_the_due_reminder_says_it_is_possible_now(orders_db, monkeypatch, no_dev_buyer):
    monkeypatch.setenv("JIERU_CLOCK", BEFORE_WINDOW)
    scheduled = reminders.schedule(
        buyer_id="b1001", conversation_id="b1001", order_id="250312345678"
    )
    monkeypatch.setenv("JIERU_CLOCK", DUE)
    tracker = triggered("eligibility_opened", {"reminder_id": str(scheduled.reminder_id)})
    events, messages = await run_action(ActionRemindEligibility(), tracker)
    assert events == [SlotSet("order_id", "250312345678")]
    assert messages == [
        said("utter_eligibility_opened", order_line=EARPHONES, order_id="250312345678")
    ]


async def test_a_due_reminder_that_no_longer_holds_says_what_changed(
    widget_db, monkeypatch, no_dev_buyer
):
    monkeypatch.setenv("JIERU_CLOCK", BEFORE_WINDOW)
    with (
        widget_db.session_factory.begin() as s
    ):  # a reminder made before the intervention was filed
        from jieru.db import reminders as store

        row = store.schedule(
            s,
            buyer_id="b1001",
            conversation_id="b1001",
            order_id="250312345678",
            aftersale_id="AS-70001",
            due_at=reminders.config.now(),
            actor="test",
            now=reminders.config.now(),
        )
        reminder_id = row.id
    monkeypatch.setenv("JIERU_CLOCK", DUE)
    events, messages = await run_action(
        ActionRemindEligibility(),
        triggered("eligibility_opened", {"reminder_id": str(reminder_id)}),
    )
    assert events == []
    assert [m["response"] for m in messages] == ["utter_reminder_changed"]
    assert messages[0]["order_line"] == EARPHONES and MINE in messages[0]["explanation"]


async def test_someone_elses_reminder_says_nothing(orders_db, monkeypatch, no_dev_buyer):
    monkeypatch.setenv("JIERU_CLOCK", BEFORE_WINDOW)
    scheduled = reminders.schedule(
        buyer_id="b1001", conversation_id="b1001", order_id="250312345678"
    )
    tracker = triggered(
        "eligibility_opened",
        {"reminder_id": str(scheduled.reminder_id)},
        buyer={"jieru_buyer_id": "b2002"},
    )
    assert await run_action(ActionRemindEligibility(), tracker) == ([], [])
