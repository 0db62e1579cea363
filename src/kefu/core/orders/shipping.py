"""Shipping quotes 运费 (policies.md §4, formats.md `policy shipping-quote`).

A quote is a price: it does not judge whether the courier may carry the parcel there (the
SF-only rule for Hong Kong, Macao and Taiwan is a triage flag, `HMT_NON_SF`), so 港澳台 with
another courier still gets that courier's `"*"` rate.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from kefu.core.records import ShippingQuoteRequest
from kefu.core.regions import province_in
from kefu.core.shopconfig import CourierRate, ShopConfig
from kefu.core.timeutil import to_decimal

WILDCARD = "*"


class UnknownCourier(ValueError):
    """The courier is not in the shop config (a line error, not a usage error)."""


class NoRate(ValueError):
    """No rate of the courier matches the province and the courier has no `"*"` rate."""


@dataclass(frozen=True)
class Quote:
    id: str
    chargeable_kg: int
    fee: Decimal


def chargeable_kg(weight_kg: float, dims_cm: list[float] | None, divisor: float) -> int:
    """ceil(max(weight, L×W×H / divisor)), at least 1 (decimal arithmetic: 2.0 kg is 2)."""
    heaviest = to_decimal(weight_kg)
    if dims_cm is not None and divisor > 0:
        length, width, height = (to_decimal(d) for d in dims_cm)
        heaviest = max(heaviest, length * width * height / to_decimal(divisor))
    return max(1, int(heaviest.to_integral_value(rounding=ROUND_CEILING)))


def find_rate(rates: list[CourierRate], province: str) -> CourierRate:
    """The first entry whose provinces hold `province` (full and short names alike);
    `"*"` matches every province not matched by an earlier entry."""
    for rate in rates:
        names = [rate.provinces] if isinstance(rate.provinces, str) else rate.provinces
        if WILDCARD in names or province_in(province, names):
            return rate
    raise NoRate(f"no rate for province: {province}")


def quote(request: ShippingQuoteRequest, shop: ShopConfig) -> Quote:
    """fee = first_kg + (chargeable_kg − 1) × extra_kg; raises UnknownCourier / NoRate."""
    courier = shop.couriers.get(request.courier) or shop.couriers.get(
        request.courier.strip().upper()
    )
    if courier is None:
        raise UnknownCourier(f"unknown courier: {request.courier}")
    kg = chargeable_kg(request.weight_kg, request.dims_cm, courier.volumetric_divisor)
    rate = find_rate(courier.rates, request.province)
    fee = to_decimal(rate.first_kg) + (kg - 1) * to_decimal(rate.extra_kg)
    return Quote(id=request.id, chargeable_kg=kg, fee=fee)
