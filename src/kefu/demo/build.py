"""Assemble the demo shop from its parts, all drawn from one seeded random generator."""

from __future__ import annotations

import copy
import random
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from kefu.core.shopconfig import DEFAULTS
from kefu.demo import DemoShop
from kefu.demo.catalog import make_products
from kefu.demo.chats import ChatContext, make_conversations
from kefu.demo.knowledge import make_faqs, make_promotions, make_quick_replies
from kefu.demo.live import make_live_conversations
from kefu.demo.orders import OrderContext, make_orders, make_tracking
from kefu.demo.people import make_agents, make_buyers

SHANGHAI = ZoneInfo("Asia/Shanghai")
DEFAULT_NOW = datetime(2026, 11, 25, 12, 0, 0, tzinfo=SHANGHAI)
BUYER_COUNT = 160
CONVERSATION_COUNT = 230


def build_shop(seed: int, now: datetime | None) -> DemoShop:
    now = now or DEFAULT_NOW
    if now.tzinfo is None:  # a naive "now" is shop time
        now = now.replace(tzinfo=SHANGHAI)
    now = now.astimezone(SHANGHAI).replace(microsecond=0)
    rng = random.Random(seed)
    config = copy.deepcopy(DEFAULTS)
    config.update({"shop_id": "demo", "name": "小鹿生活旗舰店", "platform": "taobao"})
    free_excluded = frozenset(config["free_shipping_excluded_provinces"])
    agents = make_agents()
    products = make_products(rng)
    buyers = make_buyers(rng, BUYER_COUNT)
    orders = make_orders(
        OrderContext(rng=rng, now=now, products=products, free_excluded=free_excluded), buyers
    )
    tracking = make_tracking(rng, now, orders)
    promotions = make_promotions(now)
    by_order: dict[str, list[dict[str, Any]]] = {}
    for event in tracking:
        by_order.setdefault(event["order_id"], []).append(event)
    running = [p for p in promotions if p["starts_at"] <= now.isoformat() <= p["ends_at"]]
    chat_context = ChatContext(
        rng=rng,
        now=now,
        agents=agents,
        buyers=buyers,
        orders=orders,
        products=products,
        tracking=by_order,
        promotions=running,
        free_excluded=free_excluded,
    )
    conversations = make_conversations(chat_context, CONVERSATION_COUNT)
    # Still in progress at `now` (drawn last, so the closed chats stay as they were).
    conversations += make_live_conversations(chat_context, len(conversations) + 1)
    return DemoShop(
        config=config,
        agents=agents,
        products=products,
        buyers=buyers,
        orders=orders,
        tracking_events=tracking,
        conversations=conversations,
        faqs=make_faqs(config),
        quick_replies=make_quick_replies(),
        promotions=promotions,
    )
