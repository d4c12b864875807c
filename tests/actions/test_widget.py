"""The widget's actions (issue 14), exact events and messages: the disputes shown on open,
the receipt of an uploaded file, reminders offered, scheduled and fired. Triggered events
(Rasa's trigger_intent) carry no buyer: they speak for the conversation's buyer."""

from __future__ import annotations

import pytest
from rasa_sdk.events import SlotSet

from bot.actions.intervention import (
    ActionAcknowledgeEvidence,
    ActionCheckEligibility,
    ActionRemindEligibility,
    ActionScheduleReminder,
)
from bot.actions.progress import ActionShowOverview
from jieru.services import evidence, reminders
from tests.actions.helpers import make_tracker, run_action
from tests.services.conftest import MINE, THEIRS
from tests.services.images import photo

BUYER = {"jieru_buyer_id": "b1001"}
BEFORE = "2026-11-16T12:00:00+08:00"
DUE = "2026-11-16T20:00:00+08:00"
EARPHONES = "蓝牙耳机（数码配件专营店·京东，¥199.00，订单号 250312345678）"


def said(response: str, buttons: list | None = None, **values) -> dict:
    """A message exactly as CollectingDispatcher records ``utter_message(response=...)``."""
    return {
        "text": None,
        "buttons": buttons or [],
        "elements": [],
        "custom": {},
        "template": response,
        "response": response,
        "image": None,
        "attachment": None,
        **values,
    }


def triggered(
    intent: str, entities: dict[str, str], *, channel: str = "app", buyer: dict | None = BUYER
):
    """The tracker after the web service triggered ``intent``: an earlier message of the
    buyer on ``channel``, then the external event Rasa adds (no buyer metadata)."""
    earlier = [
        {"event": "user", "text": "/open_chat", "input_channel": channel, "metadata": buyer or {}}
    ]
    return make_tracker(
        text=f"EXTERNAL: {intent}",
        intent=intent,
        channel=channel,
        metadata={"is_external": True},
        entities=[{"entity": k, "value": v} for k, v in entities.items()],
        events=earlier,
    )


@pytest.fixture
def no_dev_buyer(monkeypatch):
    monkeypatch.delenv("JIERU_DEV_BUYER", raising=False)


async def test_on_open_the_open_disputes_with_their_next_step(orders_db, no_dev_buyer):
    tracker = make_tracker(text="/open_chat", intent="open_chat", channel="app", metadata=BUYER)
    events, messages = await run_action(ActionShowOverview(), tracker)
    assert events == []
    assert messages == [
        said(
            "utter_open_disputes",
            count=1,
            buttons=[
                {
                    "title": "蓝牙耳机：商家已拒绝，现在可以申请京东介入",
                    "payload": '/request_intervention{"order_id": "250312345678"}',
                }
            ],
        )
    ]


async def test_on_open_without_open_disputes_the_greeting(orders_db, no_dev_buyer):
    tracker = make_tracker(
        text="/open_chat",
        intent="open_chat",
        channel="app",
        metadata={"jieru_buyer_id": "b-nobody"},
    )
    assert await run_action(ActionShowOverview(), tracker) == ([], [said("utter_greet")])


async def test_on_open_without_a_buyer_nothing_is_looked_up(orders_db, no_dev_buyer):
    tracker = make_tracker(text="/open_chat", intent="open_chat", channel="app")
    assert await run_action(ActionShowOverview(), tracker) == ([], [said("utter_login_required")])


async def test_each_uploaded_file_is_acknowledged_with_the_checklist(widget_db, no_dev_buyer):
    upload = evidence.upload_evidence(buyer_id="b1001", data=photo(), intervention=MINE)
    tracker = triggered("inform_evidence_uploaded", {"evidence_id": str(upload.evidence_id)})
    events, messages = await run_action(ActionAcknowledgeEvidence(), tracker)
    assert events == []
    # JD's sources name no photo (kb/evidence.yml): the file is kept off the checklist.
    assert messages == [
        said("utter_evidence_received_off_checklist", number=MINE, count=1, limit=9)
    ]
    notice = evidence.upload_evidence(
        buyer_id="b1001", data=photo(), intervention=MINE, item="jd_notice"
    )
    tracker = triggered("inform_evidence_uploaded", {"evidence_id": str(notice.evidence_id)})
    events, messages = await run_action(ActionAcknowledgeEvidence(), tracker)
    assert events == []
    assert messages == [
        said("utter_evidence_received", item="平台通知要求的凭证", number=MINE, count=2, limit=9),
        said("utter_evidence_checklist_left", done="平台通知要求的凭证", missing="情况说明"),
    ]


async def test_someone_elses_file_is_not_found(widget_db, no_dev_buyer):
    theirs = evidence.upload_evidence(buyer_id="b2002", data=photo(), intervention=THEIRS)
    assert theirs.accepted
    for value in (str(theirs.evidence_id), "not-a-number", "99999"):
        tracker = triggered("inform_evidence_uploaded", {"evidence_id": value})
        assert await run_action(ActionAcknowledgeEvidence(), tracker) == (
            [],
            [said("utter_evidence_not_found")],
        )


async def test_a_triggered_event_takes_no_buyer_from_another_channel(widget_db, no_dev_buyer):
    upload = evidence.upload_evidence(buyer_id="b1001", data=photo(), intervention=MINE)
    # The last real message came over the unauthenticated local REST channel: an earlier
    # app-channel buyer of the same conversation id must not be borrowed.
    tracker = triggered(
        "inform_evidence_uploaded", {"evidence_id": str(upload.evidence_id)}, channel="rest"
    )
    tracker.events.insert(
        0, {"event": "user", "text": "hi", "input_channel": "app", "metadata": BUYER}
    )
    assert await run_action(ActionAcknowledgeEvidence(), tracker) == (
        [],
        [said("utter_login_required")],
    )


async def test_not_yet_offers_a_reminder(orders_db, monkeypatch, no_dev_buyer):
    monkeypatch.setenv("JIERU_CLOCK", BEFORE)
    tracker = make_tracker(
        text="250312345678",
        intent="inform_order_id",
        channel="app",
        metadata=BUYER,
        entities=[{"entity": "order_id", "value": "250312345678"}],
    )
    _, messages = await run_action(ActionCheckEligibility(), tracker)
    assert messages[-1] == said(
        "utter_offer_reminder", order_id="250312345678", time="11月16日 20:00"
    )


async def test_yes_schedules_the_reminder(orders_db, monkeypatch, no_dev_buyer):
    monkeypatch.setenv("JIERU_CLOCK", BEFORE)
    tracker = make_tracker(
        text='/request_reminder{"order_id": "250312345678"}',
        intent="request_reminder",
        channel="app",
        metadata=BUYER,
        entities=[{"entity": "order_id", "value": "250312345678"}],
    )
    events, messages = await run_action(ActionScheduleReminder(), tracker)
    assert events == [SlotSet("order_id", "250312345678")]
    assert messages == [said("utter_reminder_scheduled", time="11月16日 20:00")]
    assert [
        r.conversation_id
        for r in reminders.due_reminders(now=reminders.config.now().replace(hour=23))
    ] == ["buyer-conversation"]


async def test_a_reminder_without_an_order_asks_which(orders_db, no_dev_buyer):
    tracker = make_tracker(
        text="到时候提醒我", intent="request_reminder", channel="app", metadata=BUYER
    )
    assert await run_action(ActionScheduleReminder(), tracker) == (
        [],
        [said("utter_reminder_which_order")],
    )


async def test_a_reminder_when_it_is_already_possible(orders_db, no_dev_buyer):
    tracker = make_tracker(
        text="到时候提醒我",
        intent="request_reminder",
        channel="app",
        metadata=BUYER,
        slots={"order_id": "250312345678"},
    )
    events, messages = await run_action(ActionScheduleReminder(), tracker)
    assert messages == [said("utter_reminder_not_needed", order_id="250312345678")]


async def test_the_due_reminder_says_it_is_possible_now(orders_db, monkeypatch, no_dev_buyer):
    monkeypatch.setenv("JIERU_CLOCK", BEFORE)
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
    monkeypatch.setenv("JIERU_CLOCK", BEFORE)
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
    monkeypatch.setenv("JIERU_CLOCK", BEFORE)
    scheduled = reminders.schedule(
        buyer_id="b1001", conversation_id="b1001", order_id="250312345678"
    )
    tracker = triggered(
        "eligibility_opened",
        {"reminder_id": str(scheduled.reminder_id)},
        buyer={"jieru_buyer_id": "b2002"},
    )
    assert await run_action(ActionRemindEligibility(), tracker) == ([], [])


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


async def test_on_open_at_most_five_buttons_and_the_count_of_all(orders_db, no_dev_buyer):
    from tests.services.conftest import load_orders

    rejected = {
        "type": "refund",
        "status": "merchant_rejected",
        "requested_at": "2026-11-14T10:00:00+08:00",
        "merchant_rejected_at": "2026-11-14T18:30:00+08:00",
        "dispute_opened_at": "2026-11-15T08:00:00+08:00",
    }
    orders = [
        {
            "id": f"25039000000{i}",
            "buyer_id": "b3003",
            "shop_id": "s-jd-01",
            "title": f"商品{i}",
            "goods_type": "physical",
            "amount": "10.00",
            "payment_method": "online",
            "status": "delivered",
            "created_at": "2026-11-10T09:00:00+08:00",
            "paid_at": "2026-11-10T09:00:00+08:00",
            "aftersales": [{"id": f"AS-9300{i}", **rejected}],
        }
        for i in range(7)
    ]
    load_orders(
        orders_db.session_factory,
        {
            "version": 1,
            "buyers": [{"id": "b3003", "name": "王五"}],
            "shops": [{"id": "s-jd-01", "name": "数码配件专营店", "platform": "jd"}],
            "orders": orders,
        },
    )
    tracker = make_tracker(
        text="/open_chat", intent="open_chat", channel="app", metadata={"jieru_buyer_id": "b3003"}
    )
    _, [message] = await run_action(ActionShowOverview(), tracker)
    assert message["count"] == 7 and len(message["buttons"]) == 5
