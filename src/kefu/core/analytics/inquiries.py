"""Inquiries 询单 and their orders (policies.md §7).

An inquiry is a (buyer, local day D) pair made by a conversation that starts on D within the
period, has an agent message after its first buyer message, and whose buyer created no order
on D before that first buyer message. The pair's window runs from the earliest such first
buyer message to 00:00 of D+2 local time, whatever the period's end.

Readings taken here:
- The window is half-open, `[earliest first buyer message, 00:00 of D+2)`; an order created
  the very second of the first buyer message is not "before" it and falls in the window.
- "Created and paid in the window": both `created_at` and `paid_at` lie in the window (the
  Taobao reading of 询单转化: paid the same day or the next). The status does not matter.
- Orders belong to buyers by `buyer_id` only (the platform is not compared).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from functools import lru_cache

from kefu.core.analytics.conversation import ConversationFacts
from kefu.core.records import Order
from kefu.core.timeutil import to_decimal


@dataclass(frozen=True, slots=True)
class OrderFacts:
    """What the KPIs need from one order."""

    order_id: str
    buyer_id: str
    created_at: datetime
    paid_at: datetime | None
    amount: Decimal

    @classmethod
    def of(cls, order: Order) -> OrderFacts:
        # Kept in UTC: comparing times that share one tzinfo is exact and much faster.
        return cls(
            order_id=order.order_id,
            buyer_id=order.buyer_id,
            created_at=order.created_at.astimezone(UTC),
            paid_at=None if order.paid_at is None else order.paid_at.astimezone(UTC),
            amount=to_decimal(order.amount),
        )


@dataclass
class OrderBook:
    """Each buyer's orders sorted by creation time, for range look-ups."""

    _orders: dict[str, list[OrderFacts]] = field(default_factory=dict)
    _created: dict[str, list[datetime]] = field(default_factory=dict)

    @classmethod
    def of(cls, orders: Iterable[Order]) -> OrderBook:
        """Consumes `orders` once (it may be a stream)."""
        by_buyer: dict[str, list[OrderFacts]] = {}
        for order in orders:
            by_buyer.setdefault(order.buyer_id, []).append(OrderFacts.of(order))
        book = cls()
        for buyer, facts in by_buyer.items():
            facts.sort(key=lambda o: o.created_at)
            book._orders[buyer] = facts
            book._created[buyer] = [o.created_at for o in facts]
        return book

    def created_between(self, buyer_id: str, start: datetime, end: datetime) -> list[OrderFacts]:
        """The buyer's orders created in `[start, end)`."""
        created = self._created.get(buyer_id)
        if not created:
            return []
        low = bisect_left(created, start)
        high = bisect_left(created, end, lo=low)
        return self._orders[buyer_id][low:high]


@lru_cache(maxsize=4096)
def local_midnight(day: date, tz: tzinfo) -> datetime:
    """00:00 of `day` in the shop's timezone, as a UTC time."""
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


@dataclass(frozen=True)
class Inquiry:
    """One (buyer, local day) pair with its window and the orders created in it."""

    buyer_id: str
    day: date
    opens: datetime
    closes: datetime
    orders: tuple[OrderFacts, ...]

    @property
    def paid_orders(self) -> tuple[OrderFacts, ...]:
        return tuple(
            o
            for o in self.orders
            if o.paid_at is not None and self.opens <= o.paid_at < self.closes
        )


def inquiry_day(conversation: ConversationFacts, book: OrderBook, tz: tzinfo) -> date | None:
    """The local day D of the inquiry this conversation makes, or None when it makes none."""
    start = conversation.start
    if start is None or not conversation.starts_in_period or not conversation.agent_replied:
        return None
    day = start.astimezone(tz).date()
    if book.created_between(conversation.buyer_id, local_midnight(day, tz), start):
        return None  # the buyer had already ordered that day: not an inquiry
    return day


def find_inquiries(
    conversations: Iterable[ConversationFacts], book: OrderBook, tz: tzinfo
) -> list[Inquiry]:
    """The distinct (buyer, day) pairs made by `conversations` (pass one agent's own
    conversations for that agent's pairs), each with its window's orders."""
    earliest: dict[tuple[str, date], datetime] = {}
    for conversation in conversations:
        day = inquiry_day(conversation, book, tz)
        if day is None or conversation.start is None:
            continue
        key = (conversation.buyer_id, day)
        if key not in earliest or conversation.start < earliest[key]:
            earliest[key] = conversation.start
    pairs = []
    for (buyer_id, day), opens in sorted(earliest.items()):
        closes = local_midnight(day + timedelta(days=2), tz)
        orders = tuple(book.created_between(buyer_id, opens, closes))
        pairs.append(Inquiry(buyer_id, day, opens, closes, orders))
    return pairs
