"""Factories for order-operations tests (the fixtures live in conftest.py): a shop, agents, orders, tracking events, a clock.

Orders are stored the way an import stores them (`upsert_orders`), so the tests exercise the
same rows the live system sees. Times are explicit: nothing here reads the wall clock.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from kefu.core import records
from kefu.core.shopconfig import build_shop_config
from kefu.db.models import Conversation, Order, User
from kefu.services.imports import ensure_shop, record_hash, upsert_orders, upsert_tracking_events

TZ = ZoneInfo("Asia/Shanghai")
SHOP = build_shop_config()
SHOP_ID = SHOP.shop_id


def at(text: str) -> datetime:
    """A shop-local time: at("2026-11-20 10:15")."""
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def order_record(order_id: str, **changes: Any) -> records.Order:
    record: dict[str, Any] = {
        "order_id": order_id,
        "buyer_id": f"buyer-{order_id}",
        "status": "unpaid",
        "created_at": "2026-11-20T10:15:00+08:00",
        "amount": 199.0,
        "items": [
            {
                "sku": "TS-001-M-BLK",
                "title": "纯棉圆领T恤 黑色 M",
                "category": "apparel",
                "qty": 1,
                "price": 199.0,
            }
        ],
        "address": {
            "name": "张三",
            "phone": "13812345678",
            "province": "浙江省",
            "city": "杭州市",
            "district": "西湖区",
            "detail": "文三路123号",
        },
        "courier": "YTO",
    }
    record.update(changes)
    return records.Order.model_validate(record, context={"tz": TZ})


class Clock:
    """A settable clock for the scheduler."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def store_orders(engine: Engine, *orders: records.Order) -> list[int]:
    """Upsert the records as an import would; returns their primary keys, in order."""
    with Session(engine) as session, session.begin():
        ensure_shop(session, SHOP)
        upsert_orders(session, SHOP_ID, [(o, record_hash(o)) for o in orders])
        ids = dict(
            session.execute(
                select(Order.order_id, Order.id).where(
                    Order.order_id.in_([o.order_id for o in orders])
                )
            ).all()
        )
    return [ids[o.order_id] for o in orders]


def store_events(engine: Engine, *events: dict[str, Any]) -> None:
    with Session(engine) as session, session.begin():
        upsert_tracking_events(
            session,
            SHOP_ID,
            [records.TrackingEvent.model_validate(e, context={"tz": TZ}) for e in events],
        )


def add_agent(engine: Engine, username: str = "kf08", role: str = "presale") -> int:
    with Session(engine) as session, session.begin():
        ensure_shop(session, SHOP)
        user = User(shop_id=SHOP_ID, username=username, role=role, agent_no=username)
        session.add(user)
        session.flush()
        return user.id


def add_chat(engine: Engine, buyer_id: str, agent_pk: int | None, when: datetime) -> int:
    """A conversation of the buyer served by the agent (the order's owner)."""
    with Session(engine) as session, session.begin():
        ensure_shop(session, SHOP)
        chat = Conversation(
            shop_id=SHOP_ID,
            conversation_id=f"c-{buyer_id}",
            buyer_id=buyer_id,
            assignee_id=agent_pk,
            status="open",
            last_message_at=when,
            order_ids=[],
        )
        session.add(chat)
        session.flush()
        return chat.id
