"""Facts built from order-import JSON, as the data layer would hand them to the engine."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from jieru.config import PLATFORMS as PLATFORMS  # the one constant, re-exported to the rule tests
from jieru.config import PROJECT_ROOT
from jieru.rules.facts import AfterSaleFacts, InterventionFacts, OrderFacts

KB = PROJECT_ROOT / "kb"
DEMO = PROJECT_ROOT / "demo" / "orders.json"
ORDERS_SCHEMA = PROJECT_ROOT / "jieru" / "schemas" / "orders.schema.json"


def _times(raw: dict[str, Any]) -> dict[str, Any]:
    return {k: datetime.fromisoformat(v) if k.endswith("_at") else v for k, v in raw.items()}


def intervention_facts(raw: dict[str, Any]) -> InterventionFacts:
    return InterventionFacts(**_times(raw))


def aftersale_facts(raw: dict[str, Any]) -> AfterSaleFacts:
    data = _times(raw)
    data["interventions"] = tuple(intervention_facts(i) for i in raw.get("interventions", ()))
    if "amount" in data:
        data["amount"] = Decimal(data["amount"])
    return AfterSaleFacts(**data)


def order_facts(raw: dict[str, Any], shop: dict[str, Any]) -> OrderFacts:
    """The facts the data layer would hand the engine for one order of an import file."""
    data = _times({k: v for k, v in raw.items() if k not in ("shop_id", "aftersales", "amount")})
    return OrderFacts(
        **data,
        amount=Decimal(raw["amount"]),
        platform=shop["platform"],
        shop_name=shop["name"],
        self_operated=shop.get("self_operated", False),
        aftersales=tuple(aftersale_facts(a) for a in raw.get("aftersales", ())),
    )


def load_orders(path: Path) -> dict[str, OrderFacts]:
    data = json.loads(path.read_text(encoding="utf-8"))
    shops = {s["id"]: s for s in data["shops"]}
    return {o["id"]: order_facts(o, shops[o["shop_id"]]) for o in data["orders"]}


AS_OF = datetime.fromisoformat("2026-11-20T12:00:00+08:00")  # the demo's "as of" instant


def make_aftersale(**kw: Any) -> AfterSaleFacts:
    """A service order with sensible defaults; override any field."""
    defaults: dict[str, Any] = {
        "id": "AS-1",
        "type": "refund",
        "status": "merchant_rejected",
        "requested_at": AS_OF - timedelta(days=5),
    }
    return AfterSaleFacts(**(defaults | kw))


def make_order(platform: str = "jd", *aftersales: AfterSaleFacts, **kw: Any) -> OrderFacts:
    """A paid, delivered third-party order on ``platform`` with the given service orders."""
    defaults: dict[str, Any] = {
        "id": "20261101000001",
        "buyer_id": "b1001",
        "platform": platform,
        "shop_name": "测试店铺",
        "self_operated": False,
        "title": "测试商品",
        "goods_type": "physical",
        "amount": Decimal("99.00"),
        "payment_method": "online",
        "status": "delivered",
        "created_at": AS_OF - timedelta(days=10),
        "paid_at": AS_OF - timedelta(days=10),
        "aftersales": aftersales,
    }
    return OrderFacts(**(defaults | kw))
