"""Where the buyer's orders, service orders and interventions stand, and which of them a
progress question is about."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from jieru.db import repository
from jieru.kb import load_yaml
from jieru.rules.facts import OrderFacts
from jieru.rules.matching import pick
from jieru.rules.transitions import SETTLED_AFTERSALE_STATUSES
from jieru.services import transaction
from jieru.services.errors import OrderNotFound

# Orders still on their way to the buyer: worth reporting first.
UNDER_WAY_ORDER_STATUSES = frozenset({"awaiting_shipment", "shipped"})


class Topic(str, Enum):
    """What a progress question asks about (kb/labels.yml ``progress_topics``)."""

    INTERVENTION = "intervention"
    AFTERSALE = "aftersale"


@dataclass(frozen=True)
class Answer:
    """The orders one progress answer reports, in the order to report them.

    ``named`` is the one order the buyer pointed at (by product name) or that the
    conversation is about; otherwise ``orders`` is a list. ``more`` counts the orders
    under way that are not reported (offered on request).
    """

    orders: tuple[OrderFacts, ...]
    named: OrderFacts | None = None
    from_conversation: bool = False
    more: int = 0


def buyer_orders(*, buyer_id: str) -> list[OrderFacts]:
    """The buyer's orders, newest first (empty when they have none)."""
    with transaction() as session:
        return [repository.to_facts(o) for o in repository.list_orders(session, buyer_id=buyer_id)]


def buyer_order(*, buyer_id: str, order_id: str) -> OrderFacts:
    """The buyer's order ``order_id``; raises ``OrderNotFound`` when it is not theirs."""
    with transaction() as session:
        row = repository.get_order(session, buyer_id=buyer_id, order_id=order_id)
        if row is None:
            raise OrderNotFound(order_id)
        return repository.to_facts(row)


def is_active(order: OrderFacts) -> bool:
    """Whether anything on the order is still under way (worth reporting first)."""
    return relevance(order) < QUIET


# How much an order is worth reporting, most first; QUIET: nothing under way.
OPEN_INTERVENTION, OPEN_DISPUTE, ON_ITS_WAY, QUIET = range(4)


def relevance(order: OrderFacts) -> int:
    """An open intervention, then a service order not settled, then an order on its way."""
    if any(a.open_intervention for a in order.aftersales):
        return OPEN_INTERVENTION
    if any(a.status not in SETTLED_AFTERSALE_STATUSES for a in order.aftersales):
        return OPEN_DISPUTE
    return ON_ITS_WAY if order.status in UNDER_WAY_ORDER_STATUSES else QUIET


def topic_of(said: str, *, aftersale_type: str | None = None) -> Topic | None:
    """What the buyer's words (simplified) ask about: interventions ("我的介入到哪了"),
    service orders ("退款进度", or a refund type NLU found), else nothing in particular.
    Interventions win when both are named: they are the more specific question."""
    words: dict[str, list[str]] = load_yaml("labels.yml")["progress_topics"]
    for topic in Topic:
        if any(word in said for word in words[topic.value]):
            return topic
    return Topic.AFTERSALE if aftersale_type else None


def _intervention_rank(order: OrderFacts) -> int:
    """0 an open intervention, 1 a decided one, 2 only withdrawn ones."""
    statuses = {i.status for a in order.aftersales for i in a.interventions}
    if any(a.open_intervention for a in order.aftersales):
        return 0
    return 1 if "decided" in statuses else 2


def about(orders: Sequence[OrderFacts], topic: Topic | None) -> list[OrderFacts]:
    """The orders a question on ``topic`` is about, most worth reporting first; ties keep
    the given order (newest first). No topic: every order under way."""
    if topic is Topic.INTERVENTION:
        with_one = [o for o in orders if any(a.interventions for a in o.aftersales)]
        return sorted(with_one, key=_intervention_rank)
    if topic is Topic.AFTERSALE:
        return sorted((o for o in orders if o.aftersales), key=relevance)
    return sorted((o for o in orders if is_active(o)), key=relevance)


def answer(
    orders: Sequence[OrderFacts],
    *,
    said: str,
    ordinals: dict[str, int] | None = None,
    platform: str | None = None,
    aftersale_type: str | None = None,
    current: str | None = None,
    everything: bool = False,
    limit: int = 5,
) -> Answer:
    """Which orders answer a progress question, in the order to tell them.

    ``said`` is the buyer's message (simplified). A product the words name ("平板壳那个")
    picks that order (``jieru.rules.matching.pick``), among the orders of the ``platform``
    named, if any. Otherwise the order the conversation is about (``current``) comes
    alone, unless the question is about something it does not have ("我的介入" of an
    order without one); otherwise the orders the question is about (``topic_of``), most
    relevant first, at most ``limit`` unless ``everything`` was asked for. When the topic
    matches nothing, everything under way is reported instead.
    """
    pool = [o for o in orders if o.platform == platform] or list(orders)
    named = pick(pool, said, ordinals or {})
    if named is not None:
        return Answer((named,), named)
    topic = topic_of(said, aftersale_type=aftersale_type)
    listed = about(pool, topic) or about(pool, None)
    if current and not everything:
        order = next((o for o in orders if o.id == current), None)
        if order is not None and (topic is None or order.id in {o.id for o in listed}):
            more = sum(1 for o in orders if o.id != order.id and is_active(o))
            return Answer((order,), order, from_conversation=True, more=more)
    shown = listed if everything else listed[:limit]
    ids = {o.id for o in shown}
    more = sum(1 for o in orders if is_active(o) and o.id not in ids)
    return Answer(tuple(shown), more=0 if everything else more)
