"""Where the buyer's orders, service orders and interventions stand."""
from __future__ import annotations

from jieru.db import repository
from jieru.rules.facts import OrderFacts
from jieru.rules.matching import FINISHED
from jieru.services import transaction


def buyer_orders(*, buyer_id: str, order_id: str | None = None) -> list[OrderFacts] | None:
    """The buyer's orders, newest first, or just ``order_id`` (None when it is not theirs)."""
    with transaction() as session:
        if order_id:
            row = repository.get_order(session, buyer_id=buyer_id, order_id=order_id)
            return None if row is None else [repository.to_facts(row)]
        return [repository.to_facts(o) for o in repository.list_orders(session, buyer_id=buyer_id)]


def is_active(order: OrderFacts) -> bool:
    """Whether anything on the order is still under way (worth reporting first)."""
    return any(a.open_intervention or a.status not in FINISHED for a in order.aftersales) or (
        order.status in ("awaiting_shipment", "shipped")
    )
