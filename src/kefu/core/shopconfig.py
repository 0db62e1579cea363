"""The shop config of formats.md: every rule a shop can tune, with the contract's defaults.

A config file is merged key by key (nested objects too) over `DEFAULTS`, then validated.
"""

from __future__ import annotations

import copy
from datetime import time, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator

DEFAULTS: dict[str, Any] = {
    "shop_id": "demo",
    "name": "小鹿生活旗舰店",
    "platform": "taobao",
    "timezone": "Asia/Shanghai",
    "service_score": 4.8,
    "business_hours": ["09:00", "21:00"],
    "ship_within_hours": 72,
    "ship_risk_hours": 48,
    "late_shipment": {"rate": 0.05, "cap": 30, "points": 3},
    "free_shipping_min_amount": 0,
    "free_shipping_excluded_provinces": [
        "新疆维吾尔自治区",
        "西藏自治区",
        "青海省",
        "甘肃省",
        "宁夏回族自治区",
        "内蒙古自治区",
        "海南省",
    ],
    "delivery_excluded_provinces": [],
    "hmt_courier": "SF",
    "couriers": {
        "SF": {
            "volumetric_divisor": 6000,
            "rates": [
                {"provinces": ["江苏省", "浙江省", "上海市"], "first_kg": 14, "extra_kg": 2},
                {"provinces": "*", "first_kg": 22, "extra_kg": 6},
            ],
        },
        "YTO": {
            "volumetric_divisor": 8000,
            "rates": [
                {"provinces": ["江苏省", "浙江省", "上海市"], "first_kg": 5, "extra_kg": 1},
                {"provinces": "*", "first_kg": 8, "extra_kg": 4},
            ],
        },
    },
    "reminders": {
        "im_delay_minutes": 10,
        "big_order_amount": 500,
        "slot_times": {
            "morning": "11:30",
            "afternoon": "16:30",
            "evening_next_day": "09:30",
            "late_night": "10:30",
        },
        "second_after_hours": 3,
        "sms_quiet_hours": ["22:00", "08:00"],
    },
    "returns": {
        "no_reason_days": 7,
        "quality_claim_days": 30,
        "appliance_return_days": 7,
        "appliance_exchange_days": 15,
        "appliance_repair_days": 365,
    },
    "routing": {"max_open_per_agent": 15, "sticky_hours": 24},
    "digest_every_hours": 2,
    "bot": {"handoff_confidence": 0.6, "handoff_amount": 1000},
    "logistics": {"no_scan_warn_hours": 24, "no_scan_risk_hours": 72, "stalled_days": 3},
    "images": {"types": ["image/jpeg", "image/png", "image/webp", "image/gif"], "max_mb": 5},
    "qa": {
        "first_response_seconds": 10,
        "response_seconds": 60,
        "extra_words": {},
        "deductions": {
            "QA_PRIVACY_LEAK": 6,
            "QA_RUDE": 10,
            "QA_OFF_PLATFORM": 6,
            "QA_BUY_REVIEW": 10,
            "QA_DISPARAGE_COMPETITOR": 5,
            "QA_FORBIDDEN_PROMISE": 5,
            "QA_DIRECT_REFUSAL": 3,
            "QA_NEGATIVE_NO_EXPLAIN": 2,
            "QA_ONE_WORD": 2,
            "QA_SLOW_FIRST_RESPONSE": 3,
            "QA_SLOW_RESPONSE": 1,
            "QA_NO_GREETING": 2,
            "QA_NO_CLOSING": 2,
            "QA_QUICK_REPLY_OVERUSE": 2,
        },
    },
    "authority": {
        "presale": {"discount_pct": 1, "discounts_per_day": 3, "refund_max": 0},
        "insale": {"discount_pct": 1, "discounts_per_day": 3, "refund_max": 0},
        "aftersale": {"discount_pct": 1, "discounts_per_day": 3, "refund_max": 200},
        "review": {"discount_pct": 1, "discounts_per_day": 3, "refund_max": 200},
        "supervisor": {"discount_pct": 5, "discounts_per_day": 20, "refund_max": 1000},
        "manager": {"discount_pct": 100, "discounts_per_day": 1000000, "refund_max": 1000000},
    },
}


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """`override` merged key by key over a copy of `base` (nested dicts merged too)."""
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def parse_hhmm(value: str) -> time:
    hours, minutes = value.strip().split(":")
    return time(int(hours), int(minutes))


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow")


class LateShipment(_Model):
    rate: float
    cap: float
    points: int


class CourierRate(_Model):
    provinces: list[str] | str
    first_kg: float
    extra_kg: float


class Courier(_Model):
    volumetric_divisor: float
    rates: list[CourierRate]


class SlotTimes(_Model):
    morning: str
    afternoon: str
    evening_next_day: str
    late_night: str


class Reminders(_Model):
    im_delay_minutes: float
    big_order_amount: float
    slot_times: SlotTimes
    second_after_hours: float
    sms_quiet_hours: list[str]


class Returns(_Model):
    no_reason_days: float
    quality_claim_days: float
    appliance_return_days: float
    appliance_exchange_days: float
    appliance_repair_days: float


class Routing(_Model):
    max_open_per_agent: int
    sticky_hours: float


class Bot(_Model):
    handoff_confidence: float
    handoff_amount: float


class Logistics(_Model):
    no_scan_warn_hours: float
    no_scan_risk_hours: float
    stalled_days: float


class Images(_Model):
    types: list[str]
    max_mb: float


class QAConfig(_Model):
    first_response_seconds: float
    response_seconds: float
    extra_words: dict[str, list[str]] = Field(default_factory=dict)
    deductions: dict[str, float]


class Authority(_Model):
    discount_pct: float
    discounts_per_day: int
    refund_max: float


class ShopConfig(_Model):
    shop_id: str
    name: str
    platform: str
    timezone: str
    service_score: float
    business_hours: list[str]
    ship_within_hours: float
    ship_risk_hours: float
    late_shipment: LateShipment
    free_shipping_min_amount: float
    free_shipping_excluded_provinces: list[str]
    delivery_excluded_provinces: list[str]
    hmt_courier: str
    couriers: dict[str, Courier]
    reminders: Reminders
    returns: Returns
    routing: Routing
    digest_every_hours: float
    bot: Bot
    logistics: Logistics
    images: Images
    qa: QAConfig
    authority: dict[str, Authority]

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except Exception as exc:  # ZoneInfoNotFoundError, ValueError
            raise ValueError(f"unknown timezone {value!r}") from exc
        return value

    @property
    def tz(self) -> tzinfo:
        return ZoneInfo(self.timezone)


def build_shop_config(overrides: dict[str, Any] | None = None) -> ShopConfig:
    """The defaults with `overrides` merged over them, validated."""
    return ShopConfig.model_validate(deep_merge(DEFAULTS, overrides or {}))


DEFAULT_SHOP = build_shop_config()
