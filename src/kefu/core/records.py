"""The interchange records of formats.md, validated with pydantic.

A record that is not well-formed (missing required field, wrong type) raises
`pydantic.ValidationError`; `describe_error` turns it into the one-line `error` text of a
line error. Values that are well-formed but wrong for the shop (an unknown province, a SKU
not in the catalogue) pass: the rules deal with them.

Times: pass `context={"tz": shop.tz}` to `model_validate` so that a time without an offset
is read in the shop's timezone.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    ValidationError,
    ValidationInfo,
)

from kefu.core.timeutil import parse_time

_SHANGHAI = ZoneInfo("Asia/Shanghai")


def _timestamp(value: Any, info: ValidationInfo) -> datetime:
    tz: tzinfo = (info.context or {}).get("tz", _SHANGHAI)
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=tz)
    if not isinstance(value, str):
        raise ValueError("expected an ISO 8601 time string")
    try:
        return parse_time(value, tz)
    except ValueError as exc:
        raise ValueError(f"not an ISO 8601 time: {value!r}") from exc


Timestamp = Annotated[datetime, BeforeValidator(_timestamp)]
Text = Annotated[str, Strict()]
Number = Annotated[float, Strict()]
Integer = Annotated[int, Strict()]
Flag = Annotated[bool, Strict()]

OrderStatus = Literal["unpaid", "paid", "shipped", "signed", "completed", "closed", "refunding"]
ORDER_STATUSES: tuple[str, ...] = OrderStatus.__args__  # type: ignore[attr-defined]
CATEGORIES = (
    "apparel",
    "food",
    "daily_chemical",
    "home_textile",
    "small_appliance",
    "digital",
    "other",
)
PLATFORMS = ("taobao", "tmall", "jd", "pdd", "amazon", "web")
COURIERS = ("SF", "YTO", "ZTO", "STO", "YUNDA", "EMS", "JD")


class Record(BaseModel):
    """Unknown fields are ignored (formats.md)."""

    model_config = ConfigDict(extra="ignore")


class Address(Record):
    name: Text | None = ""
    phone: Text | None = ""
    province: Text | None = ""
    city: Text | None = ""
    district: Text | None = ""
    detail: Text | None = ""


class OrderItem(Record):
    sku: Text = ""
    title: Text | None = ""
    category: Text | None = "other"
    qty: Integer = 1
    price: Number | None = 0.0


class Order(Record):
    order_id: Text
    platform: Text | None = "taobao"
    buyer_id: Text
    status: OrderStatus
    created_at: Timestamp
    paid_at: Timestamp | None = None
    shipped_at: Timestamp | None = None
    signed_at: Timestamp | None = None
    amount: Number
    shipping_fee: Number | None = 0.0
    free_shipping: Flag | None = False
    payment_method: Literal["online", "cod"] | None = "online"
    items: list[OrderItem]
    address: Address
    courier: Text | None = None
    tracking_no: Text | None = None
    buyer_note: Text | None = ""
    presale: Flag | None = False
    customized: Flag | None = False
    address_changed_after_payment: Flag | None = False
    buyer_online: Flag | None = False


Sender = Literal["buyer", "agent", "bot", "system"]


class Message(Record):
    sender: Sender
    text: Text
    ts: Timestamp
    quick_reply: Flag | None = False


class Conversation(Record):
    conversation_id: Text
    platform: Text | None = "taobao"
    buyer_id: Text
    agent_id: Text | None = None
    order_ids: list[Text] | None = Field(default_factory=list)
    messages: list[Message]
    closed_by: Literal["agent", "buyer", "timeout"] | None = None
    rating: Annotated[int, Strict(), Field(ge=1, le=5)] | None = None


class TrackingEvent(Record):
    tracking_no: Text
    courier: Text | None = None
    order_id: Text | None = None
    ts: Timestamp
    status: Literal[
        "collected", "in_transit", "out_for_delivery", "delivered", "failed", "returned"
    ]
    location: Text | None = ""
    desc: Text | None = ""


class ReturnCondition(Record):
    used: Flag | None = False
    washed: Flag | None = False
    packaging_intact: Flag | None = True
    seal_broken: Flag | None = False


ReturnReason = Literal[
    "no_reason", "size", "dislike", "quality", "damaged", "wrong_item", "not_as_described"
]
BUYER_SIDE_REASONS = frozenset({"no_reason", "size", "dislike"})


class ReturnCase(Record):
    id: Text
    category: Text
    reason: ReturnReason
    signed_at: Timestamp
    requested_at: Timestamp
    condition: ReturnCondition | None = Field(default_factory=ReturnCondition)
    evidence_photos: Integer | None = 0
    customized: Flag | None = False
    perishable: Flag | None = False


class ShippingQuoteRequest(Record):
    id: Text
    courier: Text
    province: Text
    weight_kg: Number
    dims_cm: Annotated[list[Number], Field(min_length=3, max_length=3)] | None = None


class EntityLabel(Record):
    type: Text
    value: Any
    start: Integer | None = None
    end: Integer | None = None


class TextLine(Record):
    """`{"id", "text"}`: a buyer message for `nlu predict`, an agent message for `qa check`."""

    id: Text | Integer
    text: Text


class LabelledMessage(TextLine):
    intent: Text
    entities: list[EntityLabel] | None = Field(default_factory=list)


def describe_error(error: ValidationError) -> str:
    """One line naming the first offending field and the reason."""
    first = error.errors()[0]
    location = ".".join(str(part) for part in first["loc"])
    message = first["msg"]
    if first["type"] == "missing":
        return f"missing required field: {location}"
    return f"{location}: {message}" if location else message
