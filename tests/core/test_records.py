from datetime import timedelta

import pytest
from pydantic import ValidationError

from kefu.core.records import Conversation, Order, describe_error
from kefu.core.shopconfig import DEFAULT_SHOP
from kefu.core.timeutil import format_time, round_money, to_decimal

ORDER = {
    "order_id": "3712345678901234567",
    "buyer_id": "tb_lucy88",
    "status": "unpaid",
    "created_at": "2026-11-20T10:15:00",
    "amount": 199,
    "items": [{"sku": "TS-001-M-BLK", "qty": 1, "price": 199.0}],
    "address": {"name": "张三", "province": "浙江"},
    "unknown_field": "ignored",
}


def parse(data: dict) -> Order:
    return Order.model_validate(data, context={"tz": DEFAULT_SHOP.tz})


def test_time_without_offset_is_read_in_the_shop_timezone() -> None:
    order = parse(ORDER)
    assert order.created_at.utcoffset() == timedelta(hours=8)
    assert format_time(order.created_at, DEFAULT_SHOP.tz) == "2026-11-20T10:15:00+08:00"


def test_utc_input_is_written_with_the_shop_offset() -> None:
    order = parse({**ORDER, "created_at": "2026-11-20T02:15:00Z"})
    assert format_time(order.created_at, DEFAULT_SHOP.tz) == "2026-11-20T10:15:00+08:00"


def test_defaults_fill_optional_fields() -> None:
    order = parse(ORDER)
    assert order.payment_method == "online"
    assert order.paid_at is None
    assert order.address.city == ""


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"amount": "199"}, "amount"),
        ({"status": "lost"}, "status"),
        ({"created_at": "yesterday"}, "created_at"),
        ({"items": "TS-001"}, "items"),
        ({"order_id": None}, "order_id"),
    ],
)
def test_wrong_types_name_the_field(change: dict, expected: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse({**ORDER, **change})
    assert describe_error(caught.value).startswith(expected)


def test_missing_required_field_is_named() -> None:
    data = {k: v for k, v in ORDER.items() if k != "buyer_id"}
    with pytest.raises(ValidationError) as caught:
        parse(data)
    assert describe_error(caught.value) == "missing required field: buyer_id"


def test_conversation_rating_range() -> None:
    base = {"conversation_id": "c1", "buyer_id": "b", "messages": []}
    assert Conversation.model_validate({**base, "rating": 5}).rating == 5
    with pytest.raises(ValidationError):
        Conversation.model_validate({**base, "rating": 6})


def test_money_rounds_half_up_in_decimal() -> None:
    assert round_money(to_decimal(12.50) * to_decimal(0.05)) == 0.63
    assert round_money("0.625") == 0.63
    assert round_money(2.675) == 2.68
