"""Returns, exchanges and repairs 退换货 (policies.md §2): the 14-row table, first match wins.

`days` is `requested_at − signed_at`, fractional: the limits are compared on the exact
elapsed time (7 days and 1 second is more than 7 days). The appliance ladder (rows 2-5)
is for reason `quality` only; other seller-side reasons for appliances take rows 6-7.
Missing `condition` fields are false, except `packaging_intact`, which is true.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from kefu.core.records import BUYER_SIDE_REASONS, ReturnCase
from kefu.core.shopconfig import ShopConfig

SELLER = "seller"
BUYER = "buyer"


@dataclass(frozen=True)
class ReturnDecision:
    decision: str  # need_evidence | return | exchange | repair | reject
    code: str
    return_shipping_payer: str | None = None
    buyer_pays_original_shipping: bool | None = None


def _seller_pays(decision: str, code: str) -> ReturnDecision:
    return ReturnDecision(decision, code, SELLER, False)


def _reject(code: str) -> ReturnDecision:
    return ReturnDecision("reject", code)


def decide_return(case: ReturnCase, shop: ShopConfig) -> ReturnDecision:
    limits = shop.returns
    elapsed = case.requested_at - case.signed_at

    def within(days: float) -> bool:
        return elapsed <= timedelta(days=days)

    if case.reason not in BUYER_SIDE_REASONS:
        # Seller-side: the shop's fault, but photos come first [002].
        if (case.evidence_photos or 0) <= 0:
            return ReturnDecision("need_evidence", "NEED_EVIDENCE")
        if case.category == "small_appliance" and case.reason == "quality":
            if within(limits.appliance_return_days):
                return _seller_pays("return", "APPLIANCE_RETURN")
            if within(limits.appliance_exchange_days):
                return _seller_pays("exchange", "APPLIANCE_EXCHANGE")
            if within(limits.appliance_repair_days):
                return _seller_pays("repair", "APPLIANCE_REPAIR")
            return _reject("OUT_OF_WARRANTY")
        if within(limits.quality_claim_days):
            return _seller_pays("return", "SELLER_FAULT")
        return _reject("OUT_OF_WARRANTY")

    condition = case.condition
    used = bool(condition and condition.used)
    washed = bool(condition and condition.washed)
    seal_broken = bool(condition and condition.seal_broken)
    packaging_intact = condition is None or condition.packaging_intact is not False
    if case.customized:
        return _reject("CUSTOMIZED")
    if case.category == "food" and case.perishable:
        return _reject("PERISHABLE")
    if not within(limits.no_reason_days):
        return _reject("OVER_NO_REASON_DAYS")
    if case.category in ("food", "daily_chemical") and (seal_broken or used):
        return _reject("OPENED")
    if used or washed:
        return _reject("USED")
    if not packaging_intact:  # tags removed count as packaging not intact
        return _reject("PACKAGING")
    return ReturnDecision("return", "NO_REASON_OK", BUYER, True)
