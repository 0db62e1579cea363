"""Reminder wording: SMS with the shop name first, masked address check (policies.md §1)."""

import re
from typing import Any

import pytest

from kefu.core.orders import (
    address_check_text,
    mask_name,
    mask_phone,
    reminder_sms_text,
    reminder_text,
)
from kefu.core.records import Order
from kefu.core.shopconfig import DEFAULT_SHOP

FULL_MOBILE = re.compile(r"1[3-9]\d{9}")


def make_order(**fields: Any) -> Order:
    data: dict[str, Any] = {
        "order_id": "o1",
        "buyer_id": "b1",
        "status": "unpaid",
        "created_at": "2026-11-20T10:00:00",
        "amount": 199,
        "items": [{"sku": "TS-001", "title": "纯棉圆领T恤 黑色 M", "qty": 1}],
        "address": {
            "name": "张三",
            "phone": "13812345678",
            "province": "浙江",
            "city": "杭州市",
            "district": "西湖区",
            "detail": "文三路123号",
        },
    }
    data.update(fields)
    return Order.model_validate(data)


@pytest.mark.parametrize(
    ("name", "masked"),
    [("张三", "张*"), ("欧阳娜娜", "欧***"), (" 李 四 ", "李*"), ("王", "王*"), ("", "")],
)
def test_mask_name(name: str, masked: str) -> None:
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812345678", "138****5678"),
        ("138-1234-5678", "138****5678"),
        ("138 1234 5678", "138****5678"),
        ("057188886666", "****6666"),
        ("12345", "****"),
        (None, ""),
    ],
)
def test_mask_phone(phone: str | None, masked: str) -> None:
    assert mask_phone(phone) == masked


def test_sms_starts_with_the_shop_name_and_names_the_item() -> None:
    text = reminder_sms_text(DEFAULT_SHOP.name, make_order())
    assert DEFAULT_SHOP.name in text[:7]
    assert "纯棉圆领T恤 黑色 M" in text


def test_sms_for_several_items_names_the_first_and_counts() -> None:
    items = [{"sku": "A", "title": "毛巾", "qty": 2}, {"sku": "B", "title": "浴巾", "qty": 1}]
    text = reminder_sms_text("小店", make_order(items=items))
    assert text.startswith("小店")
    assert "毛巾" in text and "等2件商品" in text


def test_sms_falls_back_to_the_sku_without_a_title() -> None:
    text = reminder_sms_text("小店", make_order(items=[{"sku": "SKU-9", "title": None}]))
    assert "SKU-9" in text


def test_address_check_masks_name_and_phone() -> None:
    text = address_check_text(make_order())
    assert "张* 138****5678 浙江省杭州市西湖区文三路123号" in text
    assert "张三" not in text
    assert not FULL_MOBILE.search(text)


def test_address_check_masks_a_mobile_written_in_the_detail() -> None:
    address = {
        "name": "李雷",
        "phone": "13900001111",
        "province": "上海",
        "city": "上海市",
        "district": "浦东新区",
        "detail": "世纪大道1号 电话 139-0000-2222",
    }
    text = address_check_text(make_order(address=address))
    assert not FULL_MOBILE.search(text.replace("-", ""))
    assert "上海市浦东新区世纪大道1号" in text  # municipality not written twice
    assert "139****2222" in text


def test_sms_without_items_still_reads() -> None:
    text = reminder_sms_text("小店", make_order(items=[]))
    assert text.startswith("小店") and "商品" in text


def test_reminder_text_per_channel() -> None:
    order = make_order(amount=1299.5)
    assert reminder_text("im", order, "小店").startswith("亲，跟您核对一下收货地址")
    assert reminder_text("sms", order, "小店").startswith("小店")
    call = reminder_text("phone", order, "小店")
    assert "o1" in call and "1299.50元" in call and "138****5678" in call
    assert not FULL_MOBILE.search(call)
