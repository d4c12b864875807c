"""Progress of the buyer's orders against a real database, and the overview of the open
disputes the widget shows when a conversation opens (issue 14)."""

from __future__ import annotations

import pytest
from rasa_sdk.events import SlotSet

from bot.actions.progress import ActionCheckProgress, ActionShowOverview
from tests.actions.helpers import (
    from_app,
    make_tracker,
    order_entity,
    responses_of,
    run_action,
    said,
)
from tests.services.conftest import load_orders

ORDER = "250312345678"  # b1001's JD order: return refused, dispute opened 2026-11-15 08:00


@pytest.mark.parametrize("with_number", [True, False])
async def test_progress(bot_db, with_number):
    entities = order_entity(ORDER) if with_number else []
    tracker = make_tracker(text="进度", intent="check_progress", entities=entities)
    events, messages = await run_action(ActionCheckProgress(), tracker)
    assert events == ([SlotSet("order_id", ORDER)] if with_number else [])
    # A named order is answered on its own; otherwise everything under way.
    header = "utter_progress_current" if with_number else "utter_progress_header"
    assert messages[0]["response"] == header
    body = "\n".join(m.get("text") or "" for m in messages)
    assert "AS-70001" in body and "商家已拒绝" in body
    assert all(b["title"] == "能不能申请介入？" for m in messages[1:] for b in m["buttons"])


async def test_progress_of_an_unknown_number(bot_db):
    tracker = make_tracker(
        text="进度", intent="check_progress", entities=order_entity("11112222333344")
    )
    events, messages = await run_action(ActionCheckProgress(), tracker)
    assert events == [SlotSet("order_id", None)]
    assert responses_of(messages) == ["utter_order_not_found"]


async def test_progress_with_the_database_down(monkeypatch):
    monkeypatch.setenv(
        "DATABASE_URL", "postgresql+psycopg2://nobody@127.0.0.1:1/none?connect_timeout=2"
    )
    monkeypatch.setenv("JIERU_DEV_BUYER", "b1001")
    events, messages = await run_action(
        ActionCheckProgress(), make_tracker(text="进度", intent="check_progress")
    )
    assert events == []
    assert responses_of(messages) == ["utter_service_unavailable"]


# b1001's two orders are both under way: the rejected return and the unshipped coat.
@pytest.mark.parametrize(
    ("text", "entities", "spoken"),
    [
        # The order the conversation is about comes first, the rest on request.
        ("查一下我的介入进度", [], ["utter_progress_current", None, "utter_progress_more"]),
        ("全部订单的进度", [], ["utter_progress_header", None, None]),
        (
            "进度",
            [{"entity": "progress_scope", "value": "all"}],
            ["utter_progress_header", None, None],
        ),
    ],
)
async def test_progress_of_the_order_in_question_first(bot_db, text, entities, spoken):
    tracker = make_tracker(
        text=text, intent="check_progress", entities=entities, slots={"order_id": ORDER}
    )
    events, messages = await run_action(ActionCheckProgress(), tracker)
    assert responses_of(messages) == spoken
    assert "AS-70001" in messages[1]["text"]
    if spoken[0] == "utter_progress_current":
        assert events == [SlotSet("order_id", ORDER)]
        # ...with what to do now (the engine's next step for the order).
        assert "现在可以申请京东介入" in messages[1]["text"]
        assert messages[2]["count"] == 1
    else:
        assert events == []


# --- the overview on open ---


async def test_on_open_the_open_disputes_with_their_next_step(orders_db, no_dev_buyer):
    tracker = from_app("/open_chat", "open_chat")
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
    tracker = from_app("/open_chat", "open_chat", buyer="b-nobody")
    assert await run_action(ActionShowOverview(), tracker) == ([], [said("utter_greet")])


async def test_on_open_without_a_buyer_nothing_is_looked_up(orders_db, no_dev_buyer):
    tracker = from_app("/open_chat", "open_chat", buyer=None)
    assert await run_action(ActionShowOverview(), tracker) == ([], [said("utter_login_required")])


async def test_on_open_at_most_five_buttons_and_the_count_of_all(orders_db, no_dev_buyer):
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
    tracker = from_app("/open_chat", "open_chat", buyer="b3003")
    _, [message] = await run_action(ActionShowOverview(), tracker)
    assert message["count"] == 7 and len(message["buttons"]) == 5


# --- what the buyer asks about decides what is listed ---

REFUSED = {
    "type": "refund",
    "status": "merchant_rejected",
    "requested_at": "2026-11-14T10:00:00+08:00",
    "merchant_rejected_at": "2026-11-14T18:30:00+08:00",
}


def disputed(number: str, title: str, created: str, shop: str = "s-jd-01", **interventions):
    """A delivered order of b3004 whose refund was refused, with its interventions."""
    return {
        "id": number,
        "buyer_id": "b3004",
        "shop_id": shop,
        "title": title,
        "goods_type": "physical",
        "amount": "88.00",
        "payment_method": "online",
        "status": "delivered",
        "created_at": created,
        "paid_at": created,
        "aftersales": [{"id": f"AS-{number}", **REFUSED, **interventions}],
    }


@pytest.fixture
def many_disputes(orders_db):
    """b3004: six newer refusals, then an older JD order in the evidence stage and an
    older Taobao one the platform decided."""
    newer = [
        disputed(f"25039100000{i}", title, f"2026-11-1{i}T09:00:00+08:00")
        for i, title in enumerate(
            ["折叠雨伞", "护眼台灯", "棉拖鞋", "玻璃茶杯", "毛线围巾", "双肩书包"]
        )
    ]
    evidence = disputed(
        "250391999999",
        "陶瓷马克杯",
        "2026-11-02T09:00:00+08:00",
        interventions=[
            {
                "number": "JR2026111600042",
                "status": "evidence",
                "opened_at": "2026-11-16T10:00:00+08:00",
                "evidence_due_at": "2026-11-19T10:00:00+08:00",
            }
        ],
    )
    decided = disputed(
        "3919999999999",
        "电动剃须刀",
        "2026-11-01T09:00:00+08:00",
        shop="s-tb-01",
        interventions=[
            {
                "number": "TBJR-20261105-0001",
                "status": "decided",
                "opened_at": "2026-11-05T10:00:00+08:00",
                "decided_at": "2026-11-09T15:00:00+08:00",
                "decision": "卖家责任，支持买家退款 88 元",
            }
        ],
    )
    load_orders(
        orders_db.session_factory,
        {
            "version": 1,
            "buyers": [{"id": "b3004", "name": "赵六"}],
            "shops": [
                {"id": "s-jd-01", "name": "数码配件专营店", "platform": "jd"},
                {"id": "s-tb-01", "name": "小鹿女装", "platform": "taobao"},
            ],
            "orders": [*newer, evidence, decided],
        },
    )


MUG = (
    "陶瓷马克杯（数码配件专营店·京东，¥88.00，订单号 250391999999）\n已签收\n"
    "服务单 AS-250391999999（仅退款）：商家已拒绝\n介入单 JR2026111600042：举证中\n"
    "举证截止：11月19日 10:00\n陶瓷马克杯：商家已拒绝，京东介入中（举证中），11月19日 10:00前补充凭证"
)
SHAVER = (
    "电动剃须刀（小鹿女装·淘宝，¥88.00，订单号 3919999999999）\n已签收\n"
    "服务单 AS-3919999999999（仅退款）：商家已拒绝\n介入单 TBJR-20261105-0001：已判定\n"
    "处理结果：卖家责任，支持买家退款 88 元\n电动剃须刀：商家已拒绝，建议转人工确认"
)


def progress_of(text: str, order_id: str) -> dict:
    """One order's progress message with its button."""
    button = {
        "title": "能不能申请介入？",
        "payload": f'/inform_order_id{{"order_id": "{order_id}"}}',
    }
    return said(None, text=text, buttons=[button])


async def test_my_intervention_lists_the_interventions_open_first(many_disputes, no_dev_buyer):
    tracker = from_app("我的介入到哪一步了", "check_progress", buyer="b3004")
    events, messages = await run_action(ActionCheckProgress(), tracker)
    assert events == []
    assert messages == [
        said("utter_progress_header"),
        progress_of(MUG, "250391999999"),
        progress_of(SHAVER, "3919999999999"),
        said("utter_progress_more", count=6),
    ]


async def test_nothing_particular_the_open_intervention_first(many_disputes, no_dev_buyer):
    tracker = from_app("进度", "check_progress", buyer="b3004")
    _, messages = await run_action(ActionCheckProgress(), tracker)
    assert messages[1] == progress_of(MUG, "250391999999")
    # Five orders: the most relevant in full, the other four as one list.
    names = ("双肩书包", "毛线围巾", "玻璃茶杯", "棉拖鞋")
    numbers = ("250391000005", "250391000004", "250391000003", "250391000002")
    assert messages[2:] == [
        said(
            None,
            text="\n".join(
                f"{n}. {name}：商家已拒绝，看看还能怎么处理（订单号 {number}）"
                for n, name, number in zip(range(1, 5), names, numbers, strict=True)
            ),
            buttons=[
                {
                    "title": f"{name} 的详细进度",
                    "payload": f'/check_progress{{"order_id": "{number}"}}',
                }
                for name, number in zip(names, numbers, strict=True)
            ],
        ),
        said("utter_progress_more", count=3),
    ]


async def test_a_button_of_the_list_shows_that_order_in_full(many_disputes, no_dev_buyer):
    entities = order_entity("250391999999")
    tracker = from_app("/check_progress", "check_progress", buyer="b3004", entities=entities)
    events, messages = await run_action(ActionCheckProgress(), tracker)
    assert events == [SlotSet("order_id", "250391999999")]
    assert messages == [said("utter_progress_current"), progress_of(MUG, "250391999999")]


async def test_a_product_named_answers_that_order(many_disputes, no_dev_buyer):
    tracker = from_app(
        "剃须刀那个淘宝介入有结果了吗",
        "check_progress",
        buyer="b3004",
        entities=[{"entity": "platform", "value": "taobao"}],
    )
    events, messages = await run_action(ActionCheckProgress(), tracker)
    assert events == [SlotSet("order_id", "3919999999999")]
    assert messages == [said("utter_progress_current"), progress_of(SHAVER, "3919999999999")]
