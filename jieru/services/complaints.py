"""Complaints (投诉) against a shop: recorded, not adjudicated like an intervention."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from jieru import config
from jieru.db import repository
from jieru.kb import load_yaml
from jieru.rules.facts import OrderFacts
from jieru.rules.matching import mentioned, named_order, pick
from jieru.services import transaction
from jieru.services.errors import OrderNotFound


@dataclass(frozen=True)
class ComplaintReceipt:
    """What the buyer is told about a recorded complaint."""

    number: str
    shop_name: str


def offered(orders: list[OrderFacts], said: str, limit: int) -> list[OrderFacts]:
    """The orders the order question offers, at most ``limit``: those the complaint's
    words (simplified) mention by a product word first, then the newest."""
    first = mentioned(orders, said)
    return (first + [o for o in orders if o not in first])[:limit]


def offered_orders(*, buyer_id: str, said: str = "", limit: int = 5) -> list[OrderFacts]:
    """``offered`` among the buyer's orders (empty when they have none)."""
    with transaction() as session:
        orders = [
            repository.to_facts(o) for o in repository.list_orders(session, buyer_id=buyer_id)
        ]
    return offered(orders, said, limit)


def order_meant(
    *,
    buyer_id: str,
    said: str,
    answering: bool = False,
    complaining: bool = False,
    before: str = "",
    limit: int = 5,
) -> OrderFacts | None:
    """The one order of the buyer's own that the words (simplified) name, or None (none,
    or several: then the buyer is asked). As the intervention flow reads a message: a
    product word with a word that points at an order ("冷制皂那单", kb/labels.yml
    ``order_references``). When ``answering`` the order question, the answer is itself
    the reference: a product word alone ("羊毛大衣"), or a position ("第二个") among the
    orders the question offered (``offered`` for the complaint's words ``before``). When
    the words are ``complaining`` about the seller ("投诉商家 冷制皂说是天然的"), a product
    word of exactly one of the buyer's orders names it, as an answer would."""
    labels = load_yaml("labels.yml")
    with transaction() as session:
        orders = [
            repository.to_facts(o) for o in repository.list_orders(session, buyer_id=buyer_id)
        ]
    named = named_order(orders, said, labels["order_references"])
    if named is not None or not (answering or complaining):
        return named
    ordinals: dict[str, int] = labels["ordinals"]
    if answering and any(word in said for word in ordinals):
        return pick(offered(orders, before, limit), said, ordinals)
    return pick(orders, said, {})


def file_complaint(
    *, buyer_id: str, order_id: str, category: str, description: str
) -> ComplaintReceipt:
    """Record a complaint about the shop of the buyer's order; raises ``OrderNotFound``
    when the order is not the buyer's."""
    now = config.now()
    with transaction() as session:
        order = repository.get_order(session, buyer_id=buyer_id, order_id=order_id)
        if order is None:
            raise OrderNotFound(order_id)
        number = f"TS{now:%Y%m%d}{secrets.randbelow(10**6):06d}"
        repository.create_complaint(
            session,
            number=number,
            buyer_id=buyer_id,
            shop_id=order.shop_id,
            order_id=order_id,
            category=category,
            description=description,
            actor=f"bot:{buyer_id}",
            created_at=now,
        )
        return ComplaintReceipt(number=number, shop_name=order.shop.name)
