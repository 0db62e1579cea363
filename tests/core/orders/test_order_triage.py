"""Problem-order flags (taxonomy.md, formats.md notes on `kefu orders triage`)."""

from datetime import datetime
from typing import Any

import pytest

from kefu.core.orders import triage
from kefu.core.orders.triage import note_has_content
from kefu.core.records import Order
from kefu.core.shopconfig import DEFAULT_SHOP, ShopConfig, build_shop_config
from kefu.core.timeutil import parse_time

NOW = parse_time("2026-11-20T12:00:00", DEFAULT_SHOP.tz)
ADDRESS = {
    "name": "张三",
    "phone": "13812345678",
    "province": "浙江省",
    "city": "杭州市",
    "district": "西湖区",
    "detail": "文三路123号",
}


def make_order(order_id: str = "o1", **fields: Any) -> Order:
    data: dict[str, Any] = {
        "order_id": order_id,
        "buyer_id": f"buyer-{order_id}",
        "status": "unpaid",
        "created_at": "2026-11-20T10:00:00",
        "amount": 100,
        "items": [{"sku": "A", "qty": 1}],
        "address": dict(ADDRESS),
        "courier": "YTO",
    }
    address = fields.pop("address", {})
    data.update(fields)
    data["address"].update(address)
    return Order.model_validate(data, context={"tz": DEFAULT_SHOP.tz})


def flags_of(
    *orders: Order,
    shop: ShopConfig = DEFAULT_SHOP,
    now: datetime = NOW,
    stock: dict[str, int] | None = None,
) -> list[list[str]]:
    return triage(list(orders), shop, now, stock)


def test_clean_order_has_no_flags() -> None:
    assert flags_of(make_order()) == [[]]


@pytest.mark.parametrize(
    "address",
    [
        {"province": "火星"},
        {"province": ""},
        {"province": None},
        {"city": ""},
        {"city": "  "},
        {"city": None},
        {"detail": "123"},
        {"detail": "1 2 3"},
        {"detail": None},
    ],
)
def test_address_incomplete(address: dict[str, Any]) -> None:
    assert "ADDRESS_INCOMPLETE" in flags_of(make_order(address=address))[0]


@pytest.mark.parametrize("address", [{"province": "浙江"}, {"detail": "文三路1"}, {"district": ""}])
def test_address_complete(address: dict[str, Any]) -> None:
    assert flags_of(make_order(address=address)) == [[]]


def test_address_flags_apply_in_any_status() -> None:
    order = make_order(status="completed", address={"detail": "x"})
    assert flags_of(order) == [["ADDRESS_INCOMPLETE"]]


@pytest.mark.parametrize("province", ["新疆", "新疆维吾尔自治区"])
@pytest.mark.parametrize("listed", ["新疆", "新疆维吾尔自治区"])
def test_out_of_area_matches_full_and_short_names(province: str, listed: str) -> None:
    shop = build_shop_config({"delivery_excluded_provinces": [listed]})
    assert flags_of(make_order(address={"province": province}), shop=shop) == [["OUT_OF_AREA"]]


@pytest.mark.parametrize("province", ["香港", "香港特别行政区", "澳门", "台湾", "台湾省"])
@pytest.mark.parametrize(("courier", "flagged"), [("YTO", True), (None, True), ("SF", False)])
def test_hmt_ships_by_sf_only(province: str, courier: str | None, flagged: bool) -> None:
    order = make_order(courier=courier, address={"province": province})
    assert ("HMT_NON_SF" in flags_of(order)[0]) is flagged


def test_hmt_courier_comes_from_the_shop() -> None:
    shop = build_shop_config({"hmt_courier": "EMS"})
    order = make_order(courier="SF", address={"province": "澳门"})
    assert flags_of(order, shop=shop) == [["HMT_NON_SF"]]


@pytest.mark.parametrize("province", ["西藏", "西藏自治区", "海南", "内蒙古"])
def test_free_shipping_to_excluded_province(province: str) -> None:
    order = make_order(free_shipping=True, address={"province": province})
    assert flags_of(order) == [["FREE_SHIPPING_INELIGIBLE"]]
    assert flags_of(make_order(free_shipping=False, address={"province": province})) == [[]]


def test_free_shipping_below_minimum_amount() -> None:
    shop = build_shop_config({"free_shipping_min_amount": 99})
    assert flags_of(make_order(free_shipping=True, amount=98.99), shop=shop) == [
        ["FREE_SHIPPING_INELIGIBLE"]
    ]
    assert flags_of(make_order(free_shipping=True, amount=99), shop=shop) == [[]]


@pytest.mark.parametrize(
    ("note", "has_content"),
    [
        ("", False),
        (None, False),
        ("   ", False),
        ("。。。!!", False),
        ("😊👍🏻❤️", False),
        ("1️⃣", False),
        ("~(￣▽￣)~", False),
        ("发顺丰", True),
        ("ok", True),
        ("  3  ", True),
        ("１", True),
        ("😊 谢谢", True),
    ],
)
def test_buyer_note_content(note: str | None, has_content: bool) -> None:
    assert note_has_content(note) is has_content


@pytest.mark.parametrize(
    ("status", "flagged"), [("unpaid", True), ("paid", True), ("shipped", False)]
)
def test_buyer_note_only_on_open_orders(status: str, flagged: bool) -> None:
    order = make_order(status=status, buyer_note="请发顺丰", paid_at="2026-11-20T11:00:00")
    assert ("BUYER_NOTE" in flags_of(order)[0]) is flagged


def test_cod_confirm_until_shipped() -> None:
    assert flags_of(make_order(payment_method="cod")) == [["COD_CONFIRM"]]
    shipped = make_order(payment_method="cod", status="shipped", shipped_at="2026-11-20T11:00:00")
    assert flags_of(shipped) == [[]]


def test_address_changed_until_shipped() -> None:
    paid = make_order(
        status="paid", paid_at="2026-11-20T11:00:00", address_changed_after_payment=True
    )
    assert flags_of(paid) == [["ADDRESS_CHANGED"]]
    shipped = make_order(
        status="shipped",
        paid_at="2026-11-20T11:00:00",
        shipped_at="2026-11-20T11:30:00",
        address_changed_after_payment=True,
    )
    assert flags_of(shipped) == [[]]


@pytest.mark.parametrize(
    ("paid_at", "expected"),
    [
        ("2026-11-18T12:00:01", []),  # 47:59:59 ago
        ("2026-11-18T12:00:00", ["SHIP_LATE_RISK"]),  # exactly 48 h
        ("2026-11-17T12:00:00", ["SHIP_LATE_RISK"]),  # exactly 72 h: not yet late
        ("2026-11-17T11:59:59", ["SHIP_LATE"]),  # 72 h and a second
        ("2026-11-10T12:00:00", ["SHIP_LATE"]),
    ],
)
def test_ship_late_boundaries(paid_at: str, expected: list[str]) -> None:
    assert flags_of(make_order(status="paid", paid_at=paid_at)) == [expected]


@pytest.mark.parametrize("field", ["presale", "customized"])
def test_ship_late_never_for_presale_or_customized(field: str) -> None:
    for paid_at in ("2026-11-10T12:00:00", "2026-11-18T10:00:00"):
        assert flags_of(make_order(status="paid", paid_at=paid_at, **{field: True})) == [[]]


def test_ship_late_needs_status_paid_and_no_shipment() -> None:
    old = "2026-11-10T12:00:00"
    assert flags_of(make_order(status="paid", paid_at=old, shipped_at=old)) == [[]]
    assert flags_of(make_order(status="shipped", paid_at=old)) == [[]]
    assert flags_of(make_order(status="paid", paid_at=None)) == [[]]


def test_ship_late_uses_the_shop_hours() -> None:
    shop = build_shop_config({"ship_within_hours": 24, "ship_risk_hours": 12})
    assert flags_of(make_order(status="paid", paid_at="2026-11-19T12:00:00"), shop=shop) == [
        ["SHIP_LATE_RISK"]
    ]
    assert flags_of(make_order(status="paid", paid_at="2026-11-19T11:00:00"), shop=shop) == [
        ["SHIP_LATE"]
    ]


def test_multi_address_flags_every_open_order_of_the_buyer() -> None:
    first = make_order("1", buyer_id="lucy")
    second = make_order("2", buyer_id="lucy", address={"detail": "文三路125号"})
    third = make_order("3", buyer_id="lucy", status="paid", paid_at="2026-11-20T11:00:00")
    shipped = make_order("4", buyer_id="lucy", status="shipped", address={"detail": "别处8号"})
    other = make_order("5", buyer_id="tom", address={"detail": "别处9号"})
    result = flags_of(first, second, third, shipped, other)
    assert result == [["MULTI_ADDRESS"]] * 3 + [[], []]


def test_multi_address_normalises_province_and_whitespace() -> None:
    first = make_order("1", buyer_id="lucy")
    same = make_order(
        "2",
        buyer_id="lucy",
        address={"province": "浙江", "city": "杭州市 ", "detail": "文三路 123号", "name": "李四"},
    )
    assert flags_of(first, same) == [[], []]


def test_multi_address_ignores_closed_and_shipped_orders() -> None:
    first = make_order("1", buyer_id="lucy")
    closed = make_order("2", buyer_id="lucy", status="closed", address={"detail": "别处8号"})
    assert flags_of(first, closed) == [[], []]


def test_flags_are_sorted() -> None:
    order = make_order(
        payment_method="cod",
        buyer_note="下午送",
        free_shipping=True,
        courier="YTO",
        address={"province": "台湾", "detail": "x"},
    )
    result = flags_of(order)[0]
    assert result == sorted(result)
    assert result == [
        "ADDRESS_INCOMPLETE",
        "BUYER_NOTE",
        "COD_CONFIRM",
        "HMT_NON_SF",
    ]


# --- stock: first come, first served ---------------------------------------------------


def test_paid_orders_come_before_unpaid_ones_by_paid_at() -> None:
    early_unpaid = make_order("1", created_at="2026-11-19T08:00:00")
    late_paid = make_order(
        "2", status="paid", created_at="2026-11-20T09:00:00", paid_at="2026-11-20T11:00:00"
    )
    early_paid = make_order(
        "3", status="paid", created_at="2026-11-20T10:00:00", paid_at="2026-11-20T10:30:00"
    )
    assert flags_of(early_unpaid, late_paid, early_paid, stock={"A": 1}) == [
        ["OUT_OF_STOCK"],
        ["OUT_OF_STOCK"],
        [],
    ]
    assert flags_of(early_unpaid, late_paid, early_paid, stock={"A": 2}) == [
        ["OUT_OF_STOCK"],
        [],
        [],
    ]


def test_unpaid_orders_by_created_at_then_order_id() -> None:
    b = make_order("b", created_at="2026-11-20T09:00:00")
    a = make_order("a", created_at="2026-11-20T09:00:00")
    earlier = make_order("z", created_at="2026-11-20T08:00:00+08:00")
    assert flags_of(b, a, earlier, stock={"A": 2}) == [["OUT_OF_STOCK"], [], []]


def test_times_compare_across_offsets() -> None:
    # 01:30 UTC is 09:30 in Shanghai: later than 09:00 +08:00.
    utc = make_order("1", created_at="2026-11-20T01:30:00Z")
    local = make_order("2", created_at="2026-11-20T09:00:00+08:00")
    assert flags_of(utc, local, stock={"A": 1}) == [["OUT_OF_STOCK"], []]


def test_an_uncovered_order_reserves_nothing() -> None:
    big = make_order(
        "1",
        created_at="2026-11-20T08:00:00",
        items=[{"sku": "A", "qty": 1}, {"sku": "B", "qty": 5}],
    )
    small = make_order("2", created_at="2026-11-20T09:00:00", items=[{"sku": "A", "qty": 1}])
    assert flags_of(big, small, stock={"A": 1, "B": 2}) == [["OUT_OF_STOCK"], []]


def test_the_same_sku_on_several_lines_adds_up() -> None:
    order = make_order(items=[{"sku": "A", "qty": 2}, {"sku": "A", "qty": 2}])
    assert flags_of(order, stock={"A": 3}) == [["OUT_OF_STOCK"]]
    assert flags_of(order, stock={"A": 4}) == [[]]


def test_sku_missing_from_stock_is_in_stock() -> None:
    order = make_order(items=[{"sku": "NEW", "qty": 999}])
    assert flags_of(order, stock={"A": 0}) == [[]]
    assert flags_of(order, stock=None) == [[]]


def test_only_open_orders_take_stock() -> None:
    shipped = make_order("1", status="shipped", created_at="2026-11-19T08:00:00")
    unpaid = make_order("2")
    assert flags_of(shipped, unpaid, stock={"A": 1}) == [[], []]
    assert flags_of(make_order(status="closed"), stock={"A": 0}) == [[]]


def test_zero_stock_flags_every_order_needing_it() -> None:
    orders = [make_order(str(i)) for i in range(3)]
    assert flags_of(*orders, stock={"A": 0}) == [["OUT_OF_STOCK"]] * 3
