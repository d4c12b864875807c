"""Complaints (投诉) against a shop: recorded, not adjudicated like an intervention."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from jieru import config
from jieru.db import repository
from jieru.services import transaction
from jieru.services.errors import OrderNotFound


@dataclass(frozen=True)
class ComplaintReceipt:
    """What the buyer is told about a recorded complaint."""

    number: str
    shop_name: str


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
