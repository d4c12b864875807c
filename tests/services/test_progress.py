"""Which orders a progress question is about (jieru.services.progress.answer): what the
buyer asks about decides what is listed, the most relevant first, never a plain cut."""

from __future__ import annotations

from datetime import timedelta

from jieru.rules.facts import InterventionFacts, OrderFacts
from jieru.services import progress
from jieru.services.progress import Answer, Topic
from tests.rules.factories import AS_OF, make_aftersale, make_order


def intervention(status: str, number: str = "JR1", **kw) -> InterventionFacts:
    return InterventionFacts(
        number=number, status=status, opened_at=AS_OF - timedelta(days=2), **kw
    )


def order(number: str, title: str, *interventions: InterventionFacts, **kw) -> OrderFacts:
    """A delivered order whose refund the seller rejected, with the given interventions."""
    aftersale = make_aftersale(id=f"AS-{number}", interventions=interventions)
    return make_order(kw.pop("platform", "jd"), aftersale, id=number, title=title, **kw)


# Newest first, as the database lists them: six rejected refunds, then the oldest orders
# with an open intervention (under review), a decided one and a withdrawn one.
REFUSED = [
    order(f"10{i}", title) for i, title in enumerate("雨伞 台灯 拖鞋 茶杯 围巾 书包".split())
]
OPEN = order("201", "陶瓷马克杯", intervention("review", "JR-OPEN"))
DECIDED = order("202", "电动剃须刀", intervention("decided", "JR-DONE", decision="支持退款"))
WITHDRAWN = order("203", "运动水壶", intervention("withdrawn", "JR-OFF"))
QUIET = make_order("jd", id="301", title="保温饭盒", status="completed")
ORDERS = [*REFUSED, WITHDRAWN, DECIDED, OPEN, QUIET]


def ids(found: Answer) -> list[str]:
    return [o.id for o in found.orders]


def test_an_intervention_question_lists_the_interventions_open_first():
    found = progress.answer(ORDERS, said="我的介入到哪一步了")
    assert ids(found) == ["201", "202", "203"] and found.named is None
    # The six refusals are offered on request.
    assert found.more == 6


def test_without_a_topic_open_interventions_come_before_newer_quiet_disputes():
    found = progress.answer(ORDERS, said="进度怎么样")
    assert ids(found) == ["201", "100", "101", "102", "103"]
    assert found.more == 4


def test_a_refund_question_lists_service_orders():
    assert progress.topic_of("我的退款到哪了") is Topic.AFTERSALE
    assert progress.topic_of("进度", aftersale_type="exchange") is Topic.AFTERSALE
    assert progress.topic_of("退款那个介入判了没") is Topic.INTERVENTION
    assert progress.topic_of("进度") is None
    assert ids(progress.answer(ORDERS, said="我的退款到哪了"))[0] == "201"


def test_a_product_name_picks_that_order_wherever_it_stands():
    found = progress.answer(ORDERS, said="剃须刀那个介入有结果了吗")
    assert found == Answer((DECIDED,), DECIDED)


def test_a_platform_narrows_the_list():
    taobao = order("401", "蓝牙音箱", intervention("evidence", "TB-1"), platform="taobao")
    found = progress.answer([*ORDERS, taobao], said="淘宝的介入怎么样了", platform="taobao")
    assert ids(found) == ["401"]
    # A platform the buyer has no order on narrows nothing.
    found = progress.answer(ORDERS, said="介入怎么样了", platform="pdd")
    assert ids(found) == ["201", "202", "203"]


def test_the_order_in_question_alone_unless_the_question_is_about_something_else():
    found = progress.answer(ORDERS, said="进度呢", current="102")
    assert found == Answer((REFUSED[2],), REFUSED[2], from_conversation=True, more=8)
    # Asked about interventions, an order without one is not what the buyer means...
    assert ids(progress.answer(ORDERS, said="我的介入呢", current="102")) == ["201", "202", "203"]
    # ... unless the buyer has none at all: then the question says nothing particular.
    found = progress.answer(REFUSED, said="我的介入呢", current="102")
    assert found.named == REFUSED[2]


def test_everything_on_request():
    found = progress.answer(ORDERS, said="全部订单的进度", current="102", everything=True)
    assert len(found.orders) == 9 and found.more == 0 and found.named is None
    assert found.orders[0] == OPEN and QUIET not in found.orders
