"""Payment reminder plans (policies.md §1)."""

from typing import Any

import pytest

from kefu.core.orders import plan_reminders
from kefu.core.records import Order
from kefu.core.shopconfig import DEFAULT_SHOP, ShopConfig, build_shop_config
from kefu.core.timeutil import format_time


def make_order(created_at: str, **fields: Any) -> Order:
    data: dict[str, Any] = {
        "order_id": "o1",
        "buyer_id": "b1",
        "status": "unpaid",
        "created_at": created_at,
        "amount": 100,
        "items": [{"sku": "A", "title": "纯棉T恤", "qty": 1, "price": 100}],
        "address": {"name": "张三", "province": "浙江省", "city": "杭州市", "detail": "文三路1号"},
    }
    data.update(fields)
    return Order.model_validate(data, context={"tz": DEFAULT_SHOP.tz})


def plan(order: Order, shop: ShopConfig = DEFAULT_SHOP) -> list[tuple[str, str | None]]:
    return [(channel, format_time(at, shop.tz)) for channel, at in plan_reminders(order, shop)]


@pytest.mark.parametrize(
    ("created", "expected"),
    [
        # late night 00:00-05:59: same day 10:30, no deadline
        ("2026-11-20T00:00:00", "2026-11-20T10:30:00+08:00"),
        ("2026-11-20T05:59:00", "2026-11-20T10:30:00+08:00"),
        # morning 06:00-11:59: 11:30, deadline 12:00
        ("2026-11-20T06:00:00", "2026-11-20T11:30:00+08:00"),
        ("2026-11-20T11:20:00", "2026-11-20T11:30:00+08:00"),
        ("2026-11-20T11:25:00", "2026-11-20T11:35:00+08:00"),  # slot too soon: t + 10 min
        ("2026-11-20T11:49:59", "2026-11-20T11:59:59+08:00"),
        ("2026-11-20T11:50:00", "2026-11-20T16:30:00+08:00"),  # t + 10 min hits 12:00: next slot
        ("2026-11-20T11:59:00", "2026-11-20T16:30:00+08:00"),
        # afternoon 12:00-16:59: 16:30, deadline 17:00
        ("2026-11-20T12:00:00", "2026-11-20T16:30:00+08:00"),
        ("2026-11-20T16:25:00", "2026-11-20T16:35:00+08:00"),
        ("2026-11-20T16:50:00", "2026-11-21T09:30:00+08:00"),
        ("2026-11-20T16:59:00", "2026-11-21T09:30:00+08:00"),
        # evening 17:00-23:59: next day 09:30
        ("2026-11-20T17:00:00", "2026-11-21T09:30:00+08:00"),
        ("2026-11-20T23:59:00", "2026-11-21T09:30:00+08:00"),
        # month end rolls the date over
        ("2026-11-30T20:00:00", "2026-12-01T09:30:00+08:00"),
    ],
)
def test_silent_order_first_reminder_by_slot(created: str, expected: str) -> None:
    assert plan(make_order(created)) == [("sms", expected)]


def test_creation_time_is_read_in_the_shop_timezone() -> None:
    # 01:00 UTC is 09:00 in Shanghai: a morning order, answered with the shop offset.
    assert plan(make_order("2026-11-20T01:00:00Z")) == [("sms", "2026-11-20T11:30:00+08:00")]
    # 20:00 UTC on the 19th is 04:00 on the 20th in Shanghai: a late-night order.
    assert plan(make_order("2026-11-19T20:00:00+00:00")) == [("sms", "2026-11-20T10:30:00+08:00")]


def test_online_buyer_gets_im_after_the_delay_whatever_the_hour() -> None:
    order = make_order("2026-11-20T23:55:00", buyer_online=True)
    assert plan(order) == [("im", "2026-11-21T00:05:00+08:00")]


def test_first_reminder_inside_quiet_hours_goes_by_im() -> None:
    early = build_shop_config({"reminders": {"slot_times": {"evening_next_day": "07:59"}}})
    on_edge = build_shop_config({"reminders": {"slot_times": {"evening_next_day": "08:00"}}})
    order = make_order("2026-11-20T20:00:00")
    assert plan(order, early) == [("im", "2026-11-21T07:59:00+08:00")]
    assert plan(order, on_edge) == [("sms", "2026-11-21T08:00:00+08:00")]  # 08:00 is not quiet


def test_quiet_hours_start_is_quiet() -> None:
    shop = build_shop_config({"reminders": {"sms_quiet_hours": ["11:30", "12:00"]}})
    assert plan(make_order("2026-11-20T09:00:00"), shop) == [("im", "2026-11-20T11:30:00+08:00")]
    shop = build_shop_config({"reminders": {"sms_quiet_hours": ["11:31", "12:00"]}})
    assert plan(make_order("2026-11-20T09:00:00"), shop) == [("sms", "2026-11-20T11:30:00+08:00")]


def test_custom_im_delay_pushes_into_the_next_slot() -> None:
    shop = build_shop_config({"reminders": {"im_delay_minutes": 60}})
    assert plan(make_order("2026-11-20T11:00:00"), shop) == [("sms", "2026-11-20T16:30:00+08:00")]
    assert plan(make_order("2026-11-20T10:55:00"), shop) == [("sms", "2026-11-20T11:55:00+08:00")]


@pytest.mark.parametrize("amount", [500, 500.0, 1999.9])
def test_big_order_gets_a_second_reminder_by_another_method(amount: float) -> None:
    order = make_order("2026-11-20T09:00:00", amount=amount)
    assert plan(order) == [
        ("sms", "2026-11-20T11:30:00+08:00"),
        ("phone", "2026-11-20T14:30:00+08:00"),
    ]


def test_small_order_gets_one_reminder() -> None:
    assert len(plan(make_order("2026-11-20T09:00:00", amount=499.99))) == 1


def test_online_big_order_second_reminder_is_sms() -> None:
    order = make_order("2026-11-20T14:00:00", amount=800, buyer_online=True)
    assert plan(order) == [
        ("im", "2026-11-20T14:10:00+08:00"),
        ("sms", "2026-11-20T17:10:00+08:00"),
    ]


@pytest.mark.parametrize(
    ("created", "first", "second"),
    [
        # due 22:00 (quiet): 09:30 the next day
        ("2026-11-20T18:50:00", "2026-11-20T19:00:00+08:00", "2026-11-21T09:30:00+08:00"),
        # due 23:00: 09:30 the next day
        ("2026-11-20T19:50:00", "2026-11-20T20:00:00+08:00", "2026-11-21T09:30:00+08:00"),
        # due 21:59: not quiet
        ("2026-11-20T18:49:00", "2026-11-20T18:59:00+08:00", "2026-11-20T21:59:00+08:00"),
        # due 01:00 the next day: 09:30 that same day
        ("2026-11-20T21:50:00", "2026-11-20T22:00:00+08:00", "2026-11-21T09:30:00+08:00"),
        # due 07:59: 09:30 the same day; due 08:00 is not quiet
        ("2026-11-20T04:49:00", "2026-11-20T04:59:00+08:00", "2026-11-20T09:30:00+08:00"),
        ("2026-11-20T04:50:00", "2026-11-20T05:00:00+08:00", "2026-11-20T08:00:00+08:00"),
    ],
)
def test_second_reminder_in_quiet_hours_moves_to_the_morning(
    created: str, first: str, second: str
) -> None:
    order = make_order(created, amount=500, buyer_online=True)
    assert plan(order) == [("im", first), ("sms", second)]


def test_second_after_an_im_first_reminder_is_sms() -> None:
    shop = build_shop_config({"reminders": {"slot_times": {"evening_next_day": "07:00"}}})
    order = make_order("2026-11-20T20:00:00", amount=600)
    assert plan(order, shop) == [
        ("im", "2026-11-21T07:00:00+08:00"),
        ("sms", "2026-11-21T10:00:00+08:00"),
    ]


def test_custom_second_reminder_settings() -> None:
    shop = build_shop_config({"reminders": {"big_order_amount": 100, "second_after_hours": 1.5}})
    assert plan(make_order("2026-11-20T13:00:00"), shop) == [
        ("sms", "2026-11-20T16:30:00+08:00"),
        ("phone", "2026-11-20T18:00:00+08:00"),
    ]


@pytest.mark.parametrize(
    "status", ["paid", "shipped", "signed", "completed", "closed", "refunding"]
)
def test_only_unpaid_orders_are_chased(status: str) -> None:
    assert plan(make_order("2026-11-20T09:00:00", status=status, amount=900)) == []


def test_cash_on_delivery_is_never_chased() -> None:
    order = make_order("2026-11-20T09:00:00", payment_method="cod", amount=900, buyer_online=True)
    assert plan(order) == []


@pytest.mark.parametrize("quiet", [["22:00", "22:00"], []])
def test_no_quiet_hours_when_empty(quiet: list[str]) -> None:
    shop = build_shop_config({"reminders": {"sms_quiet_hours": quiet}})
    order = make_order("2026-11-20T19:50:00", amount=500, buyer_online=True)
    assert plan(order, shop) == [
        ("im", "2026-11-20T20:00:00+08:00"),
        ("sms", "2026-11-20T23:00:00+08:00"),
    ]
