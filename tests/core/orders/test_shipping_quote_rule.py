"""Shipping quotes 运费 (policies.md §4, formats.md)."""

from typing import Any

import pytest

from kefu.core.orders import UnknownCourier, quote
from kefu.core.orders.shipping import NoRate, chargeable_kg
from kefu.core.records import ShippingQuoteRequest
from kefu.core.shopconfig import DEFAULT_SHOP, build_shop_config
from kefu.core.timeutil import round_money


def request(**fields: Any) -> ShippingQuoteRequest:
    data: dict[str, Any] = {"id": "q1", "courier": "SF", "province": "浙江省", "weight_kg": 1.0}
    data.update(fields)
    return ShippingQuoteRequest.model_validate(data)


def fee_of(**fields: Any) -> tuple[int, float]:
    result = quote(request(**fields), DEFAULT_SHOP)
    return result.chargeable_kg, round_money(result.fee)


@pytest.mark.parametrize(
    ("weight", "dims", "kg"),
    [
        (0.2, None, 1),
        (0.0, None, 1),
        (1.0, None, 1),
        (1.01, None, 2),
        (2.0, None, 2),
        (2.5, None, 3),
        (1.0, [30, 20, 10], 1),  # 6000 / 6000 = 1
        (1.0, [30, 20, 10.5], 2),  # 6300 / 6000 = 1.05
        (3.2, [30, 20, 10], 4),  # actual weight wins
        (0.5, [60, 50, 40], 20),  # 120000 / 6000
    ],
)
def test_chargeable_kg(weight: float, dims: list[float] | None, kg: int) -> None:
    assert chargeable_kg(weight, dims, 6000) == kg


def test_sf_seed_figures() -> None:
    assert fee_of(province="浙江省") == (1, 14.0)
    assert fee_of(province="北京") == (1, 22.0)
    assert fee_of(province="江苏", weight_kg=3.5) == (4, 20.0)
    assert fee_of(province="四川省", weight_kg=2.1) == (3, 34.0)


@pytest.mark.parametrize("province", ["浙江", "浙江省", "上海", "上海市", " 江苏 "])
def test_short_and_full_names_match(province: str) -> None:
    assert fee_of(province=province) == (1, 14.0)


def test_couriers_use_their_own_divisor() -> None:
    # 40×30×20 = 24000: SF 4 kg, YTO 3 kg
    assert fee_of(courier="SF", weight_kg=1, dims_cm=[40, 30, 20]) == (4, 20.0)
    assert fee_of(courier="YTO", weight_kg=1, dims_cm=[40, 30, 20]) == (3, 7.0)


@pytest.mark.parametrize("province", ["香港", "台湾省", "火星", ""])
def test_unmatched_province_takes_the_star_rate(province: str) -> None:
    assert fee_of(courier="YTO", province=province) == (1, 8.0)


def test_unknown_courier_raises() -> None:
    with pytest.raises(UnknownCourier):
        quote(request(courier="ZTO"), DEFAULT_SHOP)


def test_first_matching_rate_wins_and_star_only_for_the_rest() -> None:
    shop = build_shop_config(
        {
            "couriers": {
                "ZTO": {
                    "volumetric_divisor": 8000,
                    "rates": [
                        {"provinces": ["浙江"], "first_kg": 4, "extra_kg": 1},
                        {"provinces": ["浙江省", "新疆"], "first_kg": 9, "extra_kg": 9},
                        {"provinces": "*", "first_kg": 7, "extra_kg": 2.5},
                    ],
                }
            }
        }
    )
    assert round_money(quote(request(courier="ZTO", province="浙江省"), shop).fee) == 4.0
    assert round_money(quote(request(courier="ZTO", province="新疆维吾尔自治区"), shop).fee) == 9.0
    assert round_money(quote(request(courier="ZTO", weight_kg=2, province="广东"), shop).fee) == 9.5
    # the shop's couriers are merged over the defaults: SF is still known
    assert round_money(quote(request(courier="SF"), shop).fee) == 14.0


def test_no_star_rate_and_no_match_raises() -> None:
    shop = build_shop_config(
        {
            "couriers": {
                "EMS": {
                    "volumetric_divisor": 6000,
                    "rates": [{"provinces": ["北京"], "first_kg": 10, "extra_kg": 5}],
                }
            }
        }
    )
    with pytest.raises(NoRate):
        quote(request(courier="EMS", province="广东"), shop)
