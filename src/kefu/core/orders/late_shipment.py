"""Late shipment 延迟发货 (policies.md §3; the boundary `SHIP_LATE` of triage shares).

Reading of the spec: the rule holds "whatever its status", so an order with a `shipped_at`
is judged by it, and one without is "not yet shipped" and judged by now (a paid order
later `closed` or `refunding` unshipped included), unless its status says it has shipped
(`shipped`, `signed`, `completed`): then the shipping time is unknown and it is not late.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from kefu.core.records import Order
from kefu.core.shopconfig import ShopConfig
from kefu.core.timeutil import to_decimal

NOT_SHIPPED_STATUSES = frozenset({"unpaid", "paid"})
SHIPPED_STATUSES = frozenset({"shipped", "signed", "completed"})


@dataclass(frozen=True)
class LateShipmentResult:
    deadline: datetime | None
    late: bool
    compensation: Decimal  # unrounded; the caller rounds half up to 2 decimals
    points: int


def is_not_shipped(order: Order) -> bool:
    """formats.md: "not shipped" means status unpaid or paid with no `shipped_at`."""
    return order.status in NOT_SHIPPED_STATUSES and order.shipped_at is None


def ship_deadline(order: Order, shop: ShopConfig) -> datetime | None:
    """paid_at + ship_within_hours; None for presale/customized orders or without paid_at."""
    if order.presale or order.customized or order.paid_at is None:
        return None
    # In elapsed time (through UTC): 72 hours are 72 hours even across a DST change.
    return order.paid_at.astimezone(UTC) + timedelta(hours=shop.ship_within_hours)


def elapsed(start: datetime, end: datetime) -> timedelta:
    """Elapsed time from `start` to `end` (through UTC, whatever their zones)."""
    return end.astimezone(UTC) - start.astimezone(UTC)


def assess_late_shipment(order: Order, shop: ShopConfig, now: datetime) -> LateShipmentResult:
    """Whether the order shipped (or, unshipped, is) past its deadline, and what it owes:
    min(amount × rate, cap) yuan to the buyer and `late_shipment.points` points."""
    deadline = ship_deadline(order, shop)
    late = False
    if deadline is not None:
        if order.shipped_at is not None:
            late = order.shipped_at > deadline
        elif order.status not in SHIPPED_STATUSES:
            late = elapsed(deadline, now) > timedelta(0)
    if not late:
        return LateShipmentResult(deadline, False, Decimal(0), 0)
    rule = shop.late_shipment
    owed = min(to_decimal(order.amount) * to_decimal(rule.rate), to_decimal(rule.cap))
    return LateShipmentResult(deadline, True, max(owed, Decimal(0)), rule.points)
