"""Where the buyer's orders, service orders and interventions stand."""

from __future__ import annotations

from jieru.db import repository
from jieru.rules.facts import OrderFacts
from jieru.rules.transitions import SETTLED_AFTERSALE_STATUSES
from jieru.services import transaction
from jieru.services.errors import OrderNotFound

# Orders still on their way to the buyer: worth reporting first.
UNDER_WAY_ORDER_STATUSES = frozenset({"awaiting_shipment", "shipped"})


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
    return any(
        a.open_intervention or a.status not in SETTLED_AFTERSALE_STATUSES for a in order.aftersales
    ) or (order.status in UNDER_WAY_ORDER_STATUSES)
