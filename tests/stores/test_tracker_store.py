"""InProcessTrackerStore answers every question exactly as Rasa's InMemoryTrackerStore."""

from __future__ import annotations

import pytest

pytest.importorskip("rasa.core.tracker_store")

from rasa.core.tracker_store import InMemoryTrackerStore  # noqa: E402
from rasa.shared.core.domain import Domain  # noqa: E402
from rasa.shared.core.events import (  # noqa: E402
    ActionExecuted,
    BotUttered,
    EntitiesAdded,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker  # noqa: E402

from jieru.config import PROJECT_ROOT  # noqa: E402
from jieru.rasa.stores.tracker_store import InProcessTrackerStore  # noqa: E402

pytestmark = pytest.mark.rasa


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(PROJECT_ROOT / "domain.yml"))


def session(text: str, intent: str, order_id: str) -> list:
    return [
        ActionExecuted("action_session_start"),
        SessionStarted(),
        ActionExecuted("action_listen"),
        UserUttered(
            text,
            {"name": intent, "confidence": 0.98},
            [{"entity": "order_id", "value": order_id, "start": 0, "end": len(order_id)}],
        ),
        EntitiesAdded([{"entity": "platform", "value": "jd"}]),
        SlotSet("order_id", order_id),
        ActionExecuted("action_check_eligibility"),
        BotUttered("订单：蓝牙耳机", {"buttons": [{"title": "是", "payload": "/affirm"}]}),
        ActionExecuted("action_listen"),
    ]


def conversation(domain: Domain, sender: str) -> DialogueStateTracker:
    events = session("250312345678 卖家拒绝退款", "report_refund_refused", "250312345678")
    events += session("订单 250398765432 没发货", "report_not_shipped", "250398765432")
    return DialogueStateTracker.from_events(sender, events, domain.slots)


def state(tracker: DialogueStateTracker | None) -> dict | None:
    return None if tracker is None else tracker.current_state(event_verbosity=True)


async def test_retrieval_is_the_same_as_rasas_in_memory_store(domain):
    ours, rasas = InProcessTrackerStore(domain), InMemoryTrackerStore(domain)
    tracker = conversation(domain, "b1001")
    for store in (ours, rasas):
        await store.save(tracker)
    assert set(await ours.keys()) == set(await rasas.keys()) == {"b1001"}
    last, full = await ours.retrieve("b1001"), await ours.retrieve_full_tracker("b1001")
    assert state(last) == state(await rasas.retrieve("b1001"))
    assert state(full) == state(await rasas.retrieve_full_tracker("b1001"))
    # Only the last session by default, every event on request.
    assert len(full.events) == 2 * len(last.events)
    assert last.get_slot("order_id") == "250398765432"
    assert await ours.retrieve("b9999") is None
    assert await ours.exists("b1001") and not await ours.exists("b9999")


async def test_a_retrieved_tracker_changes_the_store_only_when_saved(domain):
    store = InProcessTrackerStore(domain)
    await store.save(conversation(domain, "b1001"))
    tracker = await store.retrieve("b1001")
    tracker.update(UserUttered("转人工", {"name": "request_human", "confidence": 0.99}))
    tracker.update(SlotSet("order_id", None))
    again = await store.retrieve("b1001")
    assert again.latest_message.text == "订单 250398765432 没发货"
    assert again.get_slot("order_id") == "250398765432"
    await store.save(tracker)
    saved = await store.retrieve("b1001")
    assert saved.latest_message.text == "转人工" and saved.get_slot("order_id") is None


async def test_a_conversation_saved_without_events_is_retrieved_as_rasas_is(domain):
    ours, rasas = InProcessTrackerStore(domain), InMemoryTrackerStore(domain)
    for store in (ours, rasas):
        await store.save(DialogueStateTracker("b1002", domain.slots))
    assert state(await ours.retrieve("b1002")) == state(await rasas.retrieve("b1002"))
    assert state(await ours.retrieve_full_tracker("b1002")) == state(
        await rasas.retrieve_full_tracker("b1002")
    )
    assert len((await ours.retrieve("b1002")).events) == 0
