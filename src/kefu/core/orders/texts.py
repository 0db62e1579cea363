"""Wording of the payment reminders (policies.md §1), as pure functions.

- The SMS starts with the shop's name (the seed: 前七个字出现卖家的名字) and names the item.
- The im address check shows the address with the receiver's name and phone masked
  (张*, 138****5678), so the shop's own messages never break `QA_PRIVACY_LEAK`.
"""

from __future__ import annotations

from kefu.core.privacy import mask_name, mask_phone, mask_phones_in_text
from kefu.core.records import Order
from kefu.core.regions import MUNICIPALITIES, normalize_province
from kefu.core.timeutil import round_money

# One masking rule for the whole product lives in core.privacy (re-exported here).
mask_mobiles = mask_phones_in_text


def item_label(order: Order) -> str:
    """The item an SMS names: the first line's title (or SKU), "等N件商品" for several."""
    if not order.items:
        return "商品"
    first = order.items[0]
    title = (first.title or "").strip() or first.sku.strip() or "商品"
    if len(order.items) > 1:
        return f"「{title}」等{len(order.items)}件商品"
    return f"「{title}」"


def reminder_sms_text(shop_name: str, order: Order) -> str:
    """The SMS reminder: shop name first, then the item, short enough for one message."""
    return (
        f"{shop_name.strip()}：亲，您拍下的{item_label(order)}还没有付款哦，"
        "付款后我们马上为您安排发货～"
    )


def full_address(order: Order) -> str:
    """Province (full name when known) + city + district + detail, mobiles masked."""
    address = order.address
    province = normalize_province(address.province) or (address.province or "").strip()
    city = (address.city or "").strip()
    if province in MUNICIPALITIES and city in (province, province.removesuffix("市")):
        city = ""  # 上海市上海市 reads as a typo
    parts = [province, city, (address.district or "").strip(), (address.detail or "").strip()]
    return mask_mobiles("".join(parts))


def address_check_text(order: Order) -> str:
    """The im reminder that reads as an address check, receiver's name and phone masked."""
    address = order.address
    who = " ".join(part for part in (mask_name(address.name), mask_phone(address.phone)) if part)
    where = " ".join(part for part in (who, full_address(order)) if part)
    return f"亲，跟您核对一下收货地址：{where}，地址无误的话，付款后我们马上为您安排发货哦～"


def reminder_text(channel: str, order: Order, shop_name: str) -> str:
    """What a planned reminder says: the address check by im, the SMS by sms, and for
    phone the call task's note to the agent (the buyer's number stays masked in it)."""
    if channel == "im":
        return address_check_text(order)
    if channel == "sms":
        return reminder_sms_text(shop_name, order)
    return (
        f"电话催付：订单{order.order_id}，{item_label(order)}，金额{round_money(order.amount):.2f}元，"
        f"收件人{mask_name(order.address.name)} {mask_phone(order.address.phone)}"
    )
