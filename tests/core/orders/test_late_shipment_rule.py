"""Late shipment 延迟发货 (policies.md §3)."""

from decimal import Decimal
from typing import Any

import pytest

from kefu.core.orders import assess_late_shipment
from kefu.core.records import Order
from kefu.core.shopconfig import DEFAULT_SHOP, build_shop_config
from kefu.core.timeutil import format_time, parse_time, round_money

NOW = parse_time("2026-11-25T12:00:00", DEFAULT_SHOP.tz)


def make_order(**fields: Any) -> Order:
    data: dict[str, Any] = {
        "order_id": "o1",
        "buyer_id": "b1",
        "status": "paid",
        "created_at": "2026-11-20T09:00:00",
        "paid_at": "2026-11-20T10:00:00",
        "amount": 100,
        "items": [],
        "address": {},
    }
    data.update(fields)
    return Order.model_validate(data, context={"tz": DEFAULT_SHOP.tz})


def test_deadline_is_paid_at_plus_72_hours() -> None:
    result = assess_late_shipment(make_order(), DEFAULT_SHOP, NOW)
    assert format_time(result.deadline, DEFAULT_SHOP.tz) == "2026-11-23T10:00:00+08:00"


@pytest.mark.parametrize(
    ("shipped_at", "late"),
    [
        ("2026-11-23T10:00:00", False),  # exactly at the deadline
        ("2026-11-23T10:00:01", True),
        ("2026-11-23T02:00:01Z", True),  # the same moment in UTC
        ("2026-11-21T10:00:00", False),
    ],
)
def test_shipped_order_is_judged_by_shipped_at(shipped_at: str, late: bool) -> None:
    # status "signed": the deadline comes from paid_at whatever the status; now is irrelevant
    order = make_order(status="signed", shipped_at=shipped_at)
    assert assess_late_shipment(order, DEFAULT_SHOP, NOW).late is late


@pytest.mark.parametrize(
    ("now", "late"), [("2026-11-23T10:00:00", False), ("2026-11-23T10:00:01", True)]
)
def test_unshipped_order_is_judged_by_now(now: str, late: bool) -> None:
    result = assess_late_shipment(make_order(), DEFAULT_SHOP, parse_time(now, DEFAULT_SHOP.tz))
    assert result.late is late
    assert result.points == (3 if late else 0)


@pytest.mark.parametrize(
    ("amount", "owed"), [(100, 5.0), (12.5, 0.63), (600, 30.0), (599.99, 30.0), (0.1, 0.01)]
)
def test_compensation_is_five_percent_capped_at_thirty(amount: float, owed: float) -> None:
    result = assess_late_shipment(make_order(amount=amount), DEFAULT_SHOP, NOW)
    assert result.late
    assert round_money(result.compensation) == owed
    assert result.points == 3


def test_compensation_uses_decimal_half_up() -> None:
    result = assess_late_shipment(make_order(amount=0.3), DEFAULT_SHOP, NOW)
    assert result.compensation == Decimal("0.015")
    assert round_money(result.compensation) == 0.02


@pytest.mark.parametrize(
    "fields",
    [{"presale": True}, {"customized": True}, {"paid_at": None, "status": "unpaid"}],
)
def test_no_deadline_never_late(fields: dict[str, Any]) -> None:
    result = assess_late_shipment(make_order(**fields), DEFAULT_SHOP, NOW)
    assert result.deadline is None
    assert result.late is False
    assert result.compensation == 0
    assert result.points == 0


@pytest.mark.parametrize("status", ["refunding", "closed", "unpaid"])
def test_unshipped_order_is_late_whatever_its_status(status: str) -> None:
    result = assess_late_shipment(make_order(status=status), DEFAULT_SHOP, NOW)
    assert format_time(result.deadline, DEFAULT_SHOP.tz) == "2026-11-23T10:00:00+08:00"
    assert result.late is True


@pytest.mark.parametrize("status", ["shipped", "signed", "completed"])
def test_shipped_status_without_shipped_at_is_not_late(status: str) -> None:
    result = assess_late_shipment(make_order(status=status), DEFAULT_SHOP, NOW)
    assert result.deadline is not None
    assert result.late is False


def test_shop_settings() -> None:
    shop = build_shop_config(
        {"ship_within_hours": 24, "late_shipment": {"rate": 0.1, "cap": 5, "points": 1}}
    )
    result = assess_late_shipment(make_order(amount=30), shop, NOW)
    assert format_time(result.deadline, shop.tz) == "2026-11-21T10:00:00+08:00"
    assert (round_money(result.compensation), result.points) == (3.0, 1)
    result = assess_late_shipment(make_order(amount=300), shop, NOW)
    assert round_money(result.compensation) == 5.0


def test_deadline_counts_elapsed_hours_across_a_dst_change() -> None:
    shop = build_shop_config({"timezone": "America/New_York"})
    order = Order.model_validate(
        {
            "order_id": "o",
            "buyer_id": "b",
            "status": "paid",
            "created_at": "2026-10-31T11:00:00",
            "paid_at": "2026-10-31T12:00:00",
            "amount": 10,
            "items": [],
            "address": {},
        },
        context={"tz": shop.tz},
    )
    result = assess_late_shipment(order, shop, parse_time("2026-11-03T11:30:00", shop.tz))
    # 72 h after 12:00 EDT is 11:00 EST (clocks went back on 1 November)
    assert format_time(result.deadline, shop.tz) == "2026-11-03T11:00:00-05:00"
    assert result.late
