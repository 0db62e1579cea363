"""Shared set-up of the assistant tests: the demo shop, its knowledge base, a context maker."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from kefu.core.assistant.knowledge import KnowledgeBase
from kefu.core.assistant.skills import BuyerContext
from kefu.core.records import Order, TrackingEvent
from kefu.core.shopconfig import ShopConfig, build_shop_config
from kefu.demo import generate_demo_shop


@lru_cache(maxsize=1)
def demo() -> tuple[dict[str, Any], ShopConfig, KnowledgeBase]:
    data = generate_demo_shop().as_dict()
    shop = build_shop_config(data["config"])
    kb = KnowledgeBase.build(
        shop=shop,
        products=data["products"],
        faqs=data["faqs"],
        quick_replies=data["quick_replies"],
        promotions=data["promotions"],
    )
    return data, shop, kb


def context_for(
    buyer_id: str | None = None, product_id: str | None = None, **extra: Any
) -> BuyerContext:
    """The context the inbox would pass: the buyer's orders and their parcels' tracking."""
    data, shop, _ = demo()
    tz = {"tz": shop.tz}
    orders = [
        Order.model_validate(o, context=tz)
        for o in data["orders"]
        if buyer_id is not None and o["buyer_id"] == buyer_id
    ]
    ids = {o.order_id for o in orders}
    tracking = [
        TrackingEvent.model_validate(e, context=tz)
        for e in data["tracking_events"]
        if e["order_id"] in ids
    ]
    return BuyerContext(
        buyer_id=buyer_id,
        product_id=product_id,
        orders=orders,
        tracking=tracking,
        agent_no=extra.pop("agent_no", "客服8号"),
        **extra,
    )
