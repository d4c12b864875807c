"""Rows for the tests that write the order tables directly, around the importer: an order
of physical goods paid online and delivered, a refund the seller rejected — unless the
keyword arguments say otherwise. Only what a test is about needs spelling out."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from jieru.db.models import AfterSale, Order


def order_row(
    id: str,
    *,
    buyer_id: str,
    shop_id: str,
    title: str,
    amount_fen: int,
    created_at: datetime,
    **fields: Any,
) -> Order:
    """An ``Order``: delivered physical goods paid online, unless ``fields`` say otherwise."""
    defaults = {"goods_type": "physical", "payment_method": "online", "status": "delivered"}
    return Order(
        id=id,
        buyer_id=buyer_id,
        shop_id=shop_id,
        title=title,
        amount_fen=amount_fen,
        created_at=created_at,
        **{**defaults, **fields},
    )


def aftersale_row(id: str, *, order_id: str, requested_at: datetime, **fields: Any) -> AfterSale:
    """An ``AfterSale``: a refund in status merchant_rejected, unless ``fields`` say otherwise."""
    defaults = {"type": "refund", "status": "merchant_rejected"}
    return AfterSale(id=id, order_id=order_id, requested_at=requested_at, **{**defaults, **fields})
