"""Returns, exchanges and repairs 退换货 (policies.md §2): the 14-row table."""

from datetime import datetime, timedelta
from typing import Any

import pytest

from kefu.core.aftersales import decide_return
from kefu.core.records import ReturnCase
from kefu.core.shopconfig import DEFAULT_SHOP, ShopConfig, build_shop_config

SIGNED = datetime.fromisoformat("2026-11-01T10:00:00+08:00")
SECOND = timedelta(seconds=1)


def days(n: float) -> timedelta:
    return timedelta(days=n)


def case(after: timedelta = days(1), **fields: Any) -> ReturnCase:
    """A return case requested `after` the signing."""
    data: dict[str, Any] = {
        "id": "r1",
        "category": "apparel",
        "reason": "size",
        "signed_at": SIGNED.isoformat(),
        "requested_at": (SIGNED + after).isoformat(),
    }
    data.update(fields)
    return ReturnCase.model_validate(data)


def decide(
    after: timedelta = days(1), shop: ShopConfig = DEFAULT_SHOP, **fields: Any
) -> tuple[str, str, str | None, bool | None]:
    result = decide_return(case(after, **fields), shop)
    return (
        result.decision,
        result.code,
        result.return_shipping_payer,
        result.buyer_pays_original_shipping,
    )


NEED_EVIDENCE = ("need_evidence", "NEED_EVIDENCE", None, None)
NO_REASON_OK = ("return", "NO_REASON_OK", "buyer", True)


def reject(code: str) -> tuple[str, str, None, None]:
    return ("reject", code, None, None)


def seller_pays(decision: str, code: str) -> tuple[str, str, str, bool]:
    return (decision, code, "seller", False)


@pytest.mark.parametrize("reason", ["quality", "damaged", "wrong_item", "not_as_described"])
@pytest.mark.parametrize("category", ["apparel", "small_appliance"])
def test_seller_side_without_photos_needs_evidence(reason: str, category: str) -> None:
    assert decide(days(3), reason=reason, category=category) == NEED_EVIDENCE
    assert decide(days(400), reason=reason, category=category) == NEED_EVIDENCE


APPLIANCE = {"category": "small_appliance", "reason": "quality", "evidence_photos": 2}


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        (days(0.5), seller_pays("return", "APPLIANCE_RETURN")),
        (days(7), seller_pays("return", "APPLIANCE_RETURN")),  # exactly 7 days
        (days(7) + SECOND, seller_pays("exchange", "APPLIANCE_EXCHANGE")),
        (days(15), seller_pays("exchange", "APPLIANCE_EXCHANGE")),
        (days(15) + SECOND, seller_pays("repair", "APPLIANCE_REPAIR")),
        (days(365), seller_pays("repair", "APPLIANCE_REPAIR")),
        (days(365) + SECOND, reject("OUT_OF_WARRANTY")),
    ],
)
def test_appliance_quality_ladder(after: timedelta, expected: tuple[Any, ...]) -> None:
    assert decide(after, **APPLIANCE) == expected


@pytest.mark.parametrize("reason", ["damaged", "wrong_item", "not_as_described"])
def test_other_appliance_faults_use_the_seller_fault_rows(reason: str) -> None:
    fields: dict[str, Any] = {"category": "small_appliance", "reason": reason, "evidence_photos": 1}
    assert decide(days(3), **fields) == seller_pays("return", "SELLER_FAULT")
    assert decide(days(20), **fields) == seller_pays("return", "SELLER_FAULT")
    assert decide(days(30) + SECOND, **fields) == reject("OUT_OF_WARRANTY")


@pytest.mark.parametrize("reason", ["quality", "damaged", "wrong_item", "not_as_described"])
def test_seller_fault_within_and_after_30_days(reason: str) -> None:
    assert decide(days(30), reason=reason, evidence_photos=1) == seller_pays(
        "return", "SELLER_FAULT"
    )
    assert decide(days(30) + SECOND, reason=reason, evidence_photos=1) == reject("OUT_OF_WARRANTY")


def test_seller_side_ignores_the_buyer_side_rows() -> None:
    fields: dict[str, Any] = {
        "reason": "damaged",
        "evidence_photos": 1,
        "customized": True,
        "category": "food",
        "perishable": True,
        "condition": {"used": True, "seal_broken": True, "packaging_intact": False},
    }
    assert decide(days(20), **fields) == seller_pays("return", "SELLER_FAULT")


@pytest.mark.parametrize(
    ("after", "fields", "expected"),
    [
        (days(1), {"customized": True, "category": "food", "perishable": True}, "CUSTOMIZED"),
        (days(20), {"customized": True}, "CUSTOMIZED"),
        (days(20), {"category": "food", "perishable": True}, "PERISHABLE"),
        (days(1), {"category": "apparel", "perishable": True}, "NO_REASON_OK"),
        (days(7) + SECOND, {}, "OVER_NO_REASON_DAYS"),
        (days(20), {"condition": {"used": True}}, "OVER_NO_REASON_DAYS"),
        (days(1), {"category": "food", "condition": {"seal_broken": True}}, "OPENED"),
        (days(1), {"category": "daily_chemical", "condition": {"used": True}}, "OPENED"),
        (
            days(1),
            {"category": "daily_chemical", "condition": {"used": True, "washed": True}},
            "OPENED",
        ),
        (days(1), {"category": "apparel", "condition": {"seal_broken": True}}, "NO_REASON_OK"),
        (days(1), {"category": "apparel", "condition": {"used": True}}, "USED"),
        (days(1), {"category": "food", "condition": {"washed": True}}, "USED"),
        (days(1), {"condition": {"washed": True, "packaging_intact": False}}, "USED"),
        (days(1), {"condition": {"packaging_intact": False}}, "PACKAGING"),
        (days(1), {"condition": {}}, "NO_REASON_OK"),
        (days(1), {"condition": None}, "NO_REASON_OK"),
        (days(1), {"condition": {"packaging_intact": None}}, "NO_REASON_OK"),
        (days(7), {}, "NO_REASON_OK"),  # exactly 7 days
        (-days(1), {}, "NO_REASON_OK"),
    ],
)
def test_buyer_side_rows(after: timedelta, fields: dict[str, Any], expected: str) -> None:
    result = decide(after, **fields)
    if expected == "NO_REASON_OK":
        assert result == NO_REASON_OK
    else:
        assert result == reject(expected)


@pytest.mark.parametrize("reason", ["no_reason", "size", "dislike"])
def test_buyer_side_needs_no_evidence(reason: str) -> None:
    assert decide(reason=reason, evidence_photos=0) == NO_REASON_OK


def test_shop_day_limits() -> None:
    shop = build_shop_config({"returns": {"no_reason_days": 15, "appliance_return_days": 3}})
    assert decide(days(15), shop) == NO_REASON_OK
    assert decide(days(15) + SECOND, shop) == reject("OVER_NO_REASON_DAYS")
    assert decide(days(4), shop, **APPLIANCE) == seller_pays("exchange", "APPLIANCE_EXCHANGE")
