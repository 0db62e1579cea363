"""Problem-order triage 问题订单 (taxonomy.md "Problem-order flags", formats.md notes).

`triage` looks at one batch of orders at once: stock allocation and `MULTI_ADDRESS` depend on
the other orders in it.

Readings of the spec, where it leaves room:
- "Not shipped": status `unpaid` or `paid` and no `shipped_at` (formats.md).
- `ADDRESS_INCOMPLETE`: a city of only whitespace is empty; the detail's length is counted
  without whitespace.
- `HMT_NON_SF`: an order to 港澳台 with no courier yet is flagged (null is not SF).
- `OUT_OF_STOCK`: a `paid` order without `paid_at` queues after the other paid orders (by
  `created_at`); a line with `qty` ≤ 0 needs nothing.
- `BUYER_NOTE`: letters and digits are Unicode letters (L*) and numbers (N*), which include
  CJK characters; keycap emoji (1️⃣) are emoji, not digits.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from kefu.core.orders.late_shipment import elapsed, is_not_shipped, ship_deadline
from kefu.core.records import Order
from kefu.core.regions import HMT, normalize_province, province_key
from kefu.core.shopconfig import ShopConfig
from kefu.core.timeutil import to_decimal

MULTI_ADDRESS = "MULTI_ADDRESS"
ADDRESS_INCOMPLETE = "ADDRESS_INCOMPLETE"
OUT_OF_AREA = "OUT_OF_AREA"
HMT_NON_SF = "HMT_NON_SF"
OUT_OF_STOCK = "OUT_OF_STOCK"
FREE_SHIPPING_INELIGIBLE = "FREE_SHIPPING_INELIGIBLE"
BUYER_NOTE = "BUYER_NOTE"
COD_CONFIRM = "COD_CONFIRM"
SHIP_LATE_RISK = "SHIP_LATE_RISK"
SHIP_LATE = "SHIP_LATE"
ADDRESS_CHANGED = "ADDRESS_CHANGED"

# Orders still open to change: the ones stock is reserved for and addresses are compared on.
OPEN_STATUSES = frozenset({"unpaid", "paid"})
MIN_DETAIL_CHARS = 4

Stock = Mapping[str, int | float | Decimal]

_KEYCAP = re.compile("[0-9#*]\ufe0f?\u20e3")


def triage(
    orders: Sequence[Order], shop: ShopConfig, now: datetime, stock: Stock | None = None
) -> list[list[str]]:
    """The flags of each order, in input order, each list sorted alphabetically."""
    batch = TriageBatch(shop, now, stock)
    for order in orders:
        batch.add(order)
    return batch.flags()


class TriageBatch:
    """One batch of orders, triaged as they are added.

    Only each order's own flags and the few facts the batch-wide flags need
    (`MULTI_ADDRESS`, `OUT_OF_STOCK`) are kept, so a caller reading a large file does not
    have to hold every order.
    """

    def __init__(self, shop: ShopConfig, now: datetime, stock: Stock | None = None) -> None:
        self.shop = shop
        self.now = now
        self.stock: Stock = stock or {}
        self._areas = _AreaLists.of(shop)
        self._own_flags: list[set[str]] = []
        self._open: dict[int, OpenOrder] = {}  # by position in the batch

    def add(self, order: Order) -> None:
        position = len(self._own_flags)
        self._own_flags.append(order_flags(order, self.shop, self.now, self._areas))
        if order.status in OPEN_STATUSES:
            self._open[position] = OpenOrder.of(order)

    def flags(self) -> list[list[str]]:
        """The flags of every order added so far, in the order they were added, sorted."""
        flags = [set(found) for found in self._own_flags]
        for position in multi_address_orders(self._open):
            flags[position].add(MULTI_ADDRESS)
        for position in out_of_stock_orders(self._open, self.stock):
            flags[position].add(OUT_OF_STOCK)
        return [sorted(found) for found in flags]


@dataclass(frozen=True)
class _AreaLists:
    """The shop's province lists as comparison keys (full names), built once per batch."""

    delivery_excluded: frozenset[str]
    free_shipping_excluded: frozenset[str]

    @classmethod
    def of(cls, shop: ShopConfig) -> _AreaLists:
        return cls(
            frozenset(map(province_key, shop.delivery_excluded_provinces)),
            frozenset(map(province_key, shop.free_shipping_excluded_provinces)),
        )


def order_flags(
    order: Order, shop: ShopConfig, now: datetime, areas: _AreaLists | None = None
) -> set[str]:
    """The flags that look at one order alone."""
    if areas is None:
        areas = _AreaLists.of(shop)
    found: set[str] = set()
    address = order.address
    province = province_key(address.province)  # full name when known, "" when empty
    if address_incomplete(order):
        found.add(ADDRESS_INCOMPLETE)
    if province and province in areas.delivery_excluded:
        found.add(OUT_OF_AREA)
    if province in HMT and not _same_courier(order.courier, shop.hmt_courier):
        found.add(HMT_NON_SF)
    if order.free_shipping and (
        (province and province in areas.free_shipping_excluded)
        or to_decimal(order.amount) < to_decimal(shop.free_shipping_min_amount)
    ):
        found.add(FREE_SHIPPING_INELIGIBLE)
    if order.status in OPEN_STATUSES and note_has_content(order.buyer_note):
        found.add(BUYER_NOTE)
    not_shipped = is_not_shipped(order)
    if order.payment_method == "cod" and not_shipped:
        found.add(COD_CONFIRM)
    if order.address_changed_after_payment and not_shipped:
        found.add(ADDRESS_CHANGED)
    if order.status == "paid" and not_shipped:
        found |= _shipping_time_flags(order, shop, now)
    return found


def _shipping_time_flags(order: Order, shop: ShopConfig, now: datetime) -> set[str]:
    """SHIP_LATE past the §3 deadline, SHIP_LATE_RISK from `ship_risk_hours` up to it."""
    deadline = ship_deadline(order, shop)  # None for presale / customized / no paid_at
    if deadline is None or order.paid_at is None:
        return set()
    if now > deadline:
        return {SHIP_LATE}
    if elapsed(order.paid_at, now) >= timedelta(hours=shop.ship_risk_hours):
        return {SHIP_LATE_RISK}
    return set()


def address_incomplete(order: Order) -> bool:
    address = order.address
    detail = "".join((address.detail or "").split())
    return (
        normalize_province(address.province) is None
        or not (address.city or "").strip()
        or len(detail) < MIN_DETAIL_CHARS
    )


def note_has_content(note: str | None) -> bool:
    """Any letter, digit or CJK character left once whitespace, punctuation and emoji go."""
    if not note:
        return False
    text = _KEYCAP.sub("", note)
    return any(unicodedata.category(char)[0] in "LN" for char in text)


def address_key(order: Order) -> str:
    """Province as its full name, then city + district + detail, whitespace ignored."""
    address = order.address
    parts = (
        province_key(address.province),
        address.city or "",
        address.district or "",
        address.detail or "",
    )
    return "".join("".join(parts).split())


@dataclass(frozen=True, slots=True)
class OpenOrder:
    """What the batch-wide flags need of an unpaid or paid order."""

    buyer_id: str
    address: str  # address_key
    queue: tuple[int, int, datetime, str]  # first come, first served
    needs: tuple[tuple[str, int], ...]  # (SKU, total qty), one SKU on several lines added up

    @classmethod
    def of(cls, order: Order) -> OpenOrder:
        needs: dict[str, int] = defaultdict(int)
        for item in order.items:
            if item.qty > 0:
                needs[item.sku] += item.qty
        return cls(order.buyer_id, address_key(order), _queue_key(order), tuple(needs.items()))


def multi_address_orders(orders: Mapping[int, OpenOrder]) -> set[int]:
    """Positions of open orders whose buyer has open orders to two or more addresses."""
    by_buyer: dict[str, list[int]] = defaultdict(list)
    for position, order in orders.items():
        by_buyer[order.buyer_id].append(position)
    flagged: set[int] = set()
    for positions in by_buyer.values():
        if len({orders[p].address for p in positions}) > 1:
            flagged.update(positions)
    return flagged


def out_of_stock_orders(orders: Mapping[int, OpenOrder], stock: Stock) -> set[int]:
    """First come, first served over open orders: paid ones by `paid_at`, then unpaid ones
    by `created_at`, ties by `order_id`. An order that cannot be fully covered reserves
    nothing, so a later, smaller order may still be covered. A SKU missing from `stock`
    is in stock."""
    left = {sku: to_decimal(qty) for sku, qty in stock.items()}
    short: set[int] = set()
    for position in sorted(orders, key=lambda p: orders[p].queue):
        needed = [(sku, qty) for sku, qty in orders[position].needs if sku in left]
        if all(left[sku] >= qty for sku, qty in needed):
            for sku, qty in needed:
                left[sku] -= qty
        else:
            short.add(position)
    return short


def _queue_key(order: Order) -> tuple[int, int, datetime, str]:
    if order.status == "paid":
        if order.paid_at is not None:
            return (0, 0, order.paid_at, order.order_id)
        return (0, 1, order.created_at, order.order_id)
    return (1, 0, order.created_at, order.order_id)


def _same_courier(courier: str | None, expected: str) -> bool:
    return courier is not None and courier.strip().upper() == expected.strip().upper()
