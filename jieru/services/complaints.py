"""Complaints (投诉) against a shop: recorded, not adjudicated like an intervention."""
from __future__ import annotations

import secrets

from jieru import config
from jieru.db import repository
from jieru.services import transaction


def file_complaint(*, buyer_id: str, order_id: str, category: str, description: str) -> str | None:
    """Record a complaint about the shop of the buyer's order; its number, or None when
    the order is not the buyer's."""
    now = config.now()
    with transaction() as session:
        order = repository.get_order(session, buyer_id=buyer_id, order_id=order_id)
        if order is None:
            return None
        number = f"TS{now:%Y%m%d}{secrets.randbelow(10**6):06d}"
        repository.create_complaint(
            session, number=number, buyer_id=buyer_id, shop_id=order.shop_id, order_id=order_id,
            category=category, description=description, actor=f"bot:{buyer_id}", created_at=now,
        )
        return number
