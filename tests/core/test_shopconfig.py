import pytest
from pydantic import ValidationError

from kefu.core.shopconfig import DEFAULT_SHOP, DEFAULTS, build_shop_config, deep_merge


def test_defaults_are_the_contract_values() -> None:
    assert DEFAULT_SHOP.ship_within_hours == 72
    assert DEFAULT_SHOP.reminders.slot_times.evening_next_day == "09:30"
    assert DEFAULT_SHOP.qa.deductions["QA_PRIVACY_LEAK"] == 6
    assert DEFAULT_SHOP.couriers["SF"].rates[1].provinces == "*"
    assert DEFAULT_SHOP.authority["presale"].discounts_per_day == 3


def test_nested_override_keeps_sibling_defaults() -> None:
    shop = build_shop_config({"reminders": {"slot_times": {"morning": "11:00"}}})
    assert shop.reminders.slot_times.morning == "11:00"
    assert shop.reminders.slot_times.afternoon == "16:30"
    assert shop.reminders.big_order_amount == 500


def test_merge_does_not_mutate_the_defaults() -> None:
    merged = deep_merge(DEFAULTS, {"qa": {"deductions": {"QA_RUDE": 1}}})
    assert merged["qa"]["deductions"]["QA_RUDE"] == 1
    assert DEFAULTS["qa"]["deductions"]["QA_RUDE"] == 10


def test_bad_values_are_rejected() -> None:
    with pytest.raises(ValidationError):
        build_shop_config({"timezone": "Mars/Olympus"})
    with pytest.raises(ValidationError):
        build_shop_config({"ship_within_hours": "soon"})
