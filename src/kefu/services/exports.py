"""Export a shop's orders or conversations as formats.md JSON Lines.

Masked by default (policies.md §5: exports are masked unless made by a manager): the
receiver's name `张*`, phone `138****5678`, address detail `****` (province, city and
district stay, so the export is still useful for logistics statistics), and mobile numbers
inside chat messages. Times are written with the shop's offset, money with 2 decimals.
Rows stream in batches, so a large shop does not have to fit in memory.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.core.privacy import MASK, mask_name, mask_phone, mask_phones_in_text
from kefu.core.shopconfig import ShopConfig
from kefu.core.timeutil import format_time, round_money
from kefu.db.models import Conversation, Message, Order, OrderItem, Rating

CHUNK = 1000


def _money(value: Decimal | None) -> float:
    return round_money(value or Decimal("0"))


def order_record(
    order: Order, items: list[OrderItem], shop: ShopConfig, *, unmasked: bool
) -> dict[str, Any]:
    """The formats.md order record of a stored order."""
    tz = shop.tz
    address = {
        "name": order.receiver_name if unmasked else mask_name(order.receiver_name),
        "phone": order.receiver_phone if unmasked else mask_phone(order.receiver_phone),
        "province": order.province,
        "city": order.city,
        "district": order.district,
        "detail": order.address_detail if unmasked or not order.address_detail else MASK,
    }
    return {
        "order_id": order.order_id,
        "platform": order.platform,
        "buyer_id": order.buyer_id,
        "status": order.status,
        "created_at": format_time(order.created_at, tz),
        "paid_at": format_time(order.paid_at, tz),
        "shipped_at": format_time(order.shipped_at, tz),
        "signed_at": format_time(order.signed_at, tz),
        "amount": _money(order.amount),
        "shipping_fee": _money(order.shipping_fee),
        "free_shipping": order.free_shipping,
        "payment_method": order.payment_method,
        "items": [
            {
                "sku": i.sku,
                "title": i.title,
                "category": i.category,
                "qty": i.qty,
                "price": _money(i.price),
            }
            for i in items
        ],
        "address": address,
        "courier": order.courier,
        "tracking_no": order.tracking_no,
        "buyer_note": order.buyer_note,
        "presale": order.presale,
        "customized": order.customized,
        "address_changed_after_payment": order.address_changed_after_payment,
    }


def _chunked_ids(session: Session, column: Any, shop_id: str) -> Iterator[list[int]]:
    """Primary keys of a shop's rows, in import order, a chunk at a time."""
    last = 0
    table = column.table
    while True:
        ids = list(
            session.scalars(
                select(column)
                .where(table.c.shop_id == shop_id, column > last)
                .order_by(column)
                .limit(CHUNK)
            )
        )
        if not ids:
            return
        yield ids
        last = ids[-1]


def export_orders(
    session: Session, shop_id: str, shop: ShopConfig, *, unmasked: bool = False
) -> Iterator[dict[str, Any]]:
    for ids in _chunked_ids(session, Order.__table__.c.id, shop_id):
        orders = session.scalars(select(Order).where(Order.id.in_(ids)).order_by(Order.id))
        items: dict[int, list[OrderItem]] = defaultdict(list)
        for item in session.scalars(
            select(OrderItem).where(OrderItem.order_pk.in_(ids)).order_by(OrderItem.line_no)
        ):
            items[item.order_pk].append(item)
        for order in orders:
            yield order_record(order, items[order.id], shop, unmasked=unmasked)
        session.expunge_all()  # keep memory flat on large shops


def conversation_record(
    conversation: Conversation,
    messages: list[Message],
    rating: int | None,
    shop: ShopConfig,
    *,
    unmasked: bool,
) -> dict[str, Any]:
    """The formats.md conversation record of a stored conversation."""

    def text(value: str) -> str:
        return value if unmasked else mask_phones_in_text(value)

    return {
        "conversation_id": conversation.conversation_id,
        "platform": conversation.platform,
        "buyer_id": conversation.buyer_id,
        "agent_id": conversation.agent_id,
        "order_ids": list(conversation.order_ids or []),
        "messages": [
            {
                "sender": m.sender,
                "text": text(m.text),
                "ts": format_time(m.ts, shop.tz),
                "quick_reply": m.quick_reply,
            }
            for m in messages
        ],
        "closed_by": conversation.closed_by,
        "rating": rating,
    }


def export_conversations(
    session: Session, shop_id: str, shop: ShopConfig, *, unmasked: bool = False
) -> Iterator[dict[str, Any]]:
    for ids in _chunked_ids(session, Conversation.__table__.c.id, shop_id):
        conversations = session.scalars(
            select(Conversation).where(Conversation.id.in_(ids)).order_by(Conversation.id)
        )
        messages: dict[int, list[Message]] = defaultdict(list)
        for message in session.scalars(
            select(Message).where(Message.conversation_pk.in_(ids)).order_by(Message.seq)
        ):
            messages[message.conversation_pk].append(message)
        ratings = dict(
            session.execute(
                select(Rating.conversation_pk, Rating.rating).where(Rating.conversation_pk.in_(ids))
            ).all()
        )
        for conversation in conversations:
            yield conversation_record(
                conversation,
                messages[conversation.id],
                ratings.get(conversation.id),
                shop,
                unmasked=unmasked,
            )
        session.expunge_all()


EXPORTERS = {"orders": export_orders, "conversations": export_conversations}
