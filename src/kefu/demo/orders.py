"""Demo orders (formats.md records) in every status, with the problem cases of triage, and
the courier tracking events of the shipped ones.

Normal orders are drawn at random; on top of them a fixed set of scenarios makes sure every
problem-order flag of taxonomy.md shows up (multi-address, incomplete address, 港澳台 not by
SF, out of stock, free shipping to an excluded province, buyer notes, cash on delivery,
ship-late risk and late, address changed after payment), plus presale and customized ones.
`amount` is the goods amount: the sum of item price x qty (postage is `shipping_fee`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from kefu.core import vocabulary
from kefu.core.regions import HMT, PROVINCES
from kefu.core.timeutil import format_time, round_money
from kefu.demo.catalog import sku_title
from kefu.demo.people import make_address, mobile, person_name

TZ = ZoneInfo("Asia/Shanghai")

COURIER_NAMES = vocabulary.labels(vocabulary.Courier)  # as buyers read them
# The shop ships mostly by YTO (cheapest in its config), SF on request and to 港澳台.
_COURIER_WEIGHTS = {"YTO": 55, "SF": 15, "ZTO": 12, "YUNDA": 8, "STO": 5, "EMS": 3, "JD": 2}

NOTES = (
    "请发顺丰，运费差价我补",
    "送人的，不要放发票和价格单",
    "周末不在家，请工作日送达",
    "帮忙检查一下再发，谢谢",
    "能不能多送两包试用装",
    "生日礼物，麻烦包装好一点",
    "尺码拿不准，如果偏小请换大一码发",
    "不要放快递柜，放门卫室",
    "急用！！请尽快发货",
    "和上一单一起发，合并邮寄",
    "要开发票：杭州某某科技有限公司",
    "颜色要和图片一样的",
    "麻烦送货前打电话",
    "😊谢谢亲",
    "写错了，地址是3栋不是8栋",
)
# Notes that carry nothing to act on: whitespace, punctuation, emoji only.
EMPTY_NOTES = ("", "", "", "", "", "", "  ", "。。", "👍")


@dataclass
class OrderContext:
    rng: random.Random
    now: datetime
    products: list[dict[str, Any]]
    free_excluded: frozenset[str]
    used_ids: set[str] = field(default_factory=set)
    used_tracking: set[str] = field(default_factory=set)
    orders: list[dict[str, Any]] = field(default_factory=list)

    def in_stock_skus(self) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        return [(p, s) for p in self.products for s in p["skus"] if s["stock"] >= 20]

    def scarce_skus(self) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        return [(p, s) for p in self.products for s in p["skus"] if s["stock"] <= 3]


def _order_id(ctx: OrderContext) -> str:
    while True:
        length = ctx.rng.choice((18, 19, 19, 19))
        value = ctx.rng.choice("1234") + "".join(
            str(ctx.rng.randint(0, 9)) for _ in range(length - 1)
        )
        if value not in ctx.used_ids:
            ctx.used_ids.add(value)
            return value


def tracking_number(rng: random.Random, courier: str, used: set[str]) -> str:
    """Waybill numbers shaped like each courier's: SF + 12 digits, YT + 13 digits, ..."""
    shapes = {
        "SF": ("SF", 12),
        "YTO": ("YT", 13),
        "ZTO": ("7", 13),
        "STO": ("77", 12),
        "YUNDA": ("43", 11),
        "EMS": ("98", 11),
        "JD": ("JDVA0", 10),
    }
    prefix, digits = shapes[courier]
    while True:
        value = prefix + "".join(str(rng.randint(0, 9)) for _ in range(digits))
        if value not in used:
            used.add(value)
            return value


def _ts(value: datetime | None) -> str | None:
    return format_time(value, TZ)


def _pick_courier(rng: random.Random, province: str) -> str:
    if province in HMT:
        return "SF"
    names = list(_COURIER_WEIGHTS)
    return rng.choices(names, weights=[_COURIER_WEIGHTS[n] for n in names])[0]


def _items(
    ctx: OrderContext, pool: list[tuple[dict[str, Any], dict[str, Any]]], count: int | None = None
) -> list[dict[str, Any]]:
    rng = ctx.rng
    count = count if count is not None else rng.choices((1, 2, 3), weights=(70, 22, 8))[0]
    chosen = rng.sample(pool, count)
    items = []
    for product, sku in chosen:
        qty = rng.choices((1, 2, 3), weights=(80, 15, 5))[0]
        items.append(
            {
                "sku": sku["sku"],
                "title": sku_title(product, sku),
                "category": product["category"],
                "qty": qty,
                "price": sku["price"],
            }
        )
    return items


def _amount(items: list[dict[str, Any]]) -> float:
    return round_money(sum(Decimal(str(i["price"])) * i["qty"] for i in items))


def _hours(ctx: OrderContext, low: float, high: float) -> timedelta:
    return timedelta(seconds=round(ctx.rng.uniform(low, high) * 3600))


def _daytime(ctx: OrderContext, moment: datetime, first: int, last: int) -> datetime:
    """The moment moved into the working hours [first, last) of its day (warehouses ship and
    couriers deliver by day), unless that would pass `now`."""
    local = moment.astimezone(TZ)
    if local.hour < first:
        moved = local.replace(hour=first + ctx.rng.randint(0, 2))
    elif local.hour >= last:
        moved = local.replace(hour=last - 1 - ctx.rng.randint(0, 2))
    else:
        return local
    return moved if moved <= ctx.now else local


def new_order(
    ctx: OrderContext,
    buyer: dict[str, Any],
    status: str,
    *,
    address: dict[str, Any] | None = None,
    items: list[dict[str, Any]] | None = None,
    paid_hours_ago: tuple[float, float] | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """One order record, its times consistent with its status and relative to `now`."""
    rng, now = ctx.rng, ctx.now
    address = dict(address or buyer["addresses"][0])
    items = items or _items(ctx, ctx.in_stock_skus())
    province = address["province"] or ""
    courier = _pick_courier(rng, province)
    created = paid = shipped = signed = None
    if status == "unpaid":
        created = now - _hours(ctx, 0.2, 22)
    elif status == "paid":
        low, high = paid_hours_ago or (0.5, 40)
        paid = now - _hours(ctx, low, high)
        created = paid - timedelta(seconds=rng.randint(40, 90 * 60))
    elif status in ("shipped", "signed", "refunding", "completed"):
        if status == "shipped":
            shipped = _daytime(ctx, now - _hours(ctx, 6, 24 * 6), 9, 19)
        else:
            ago = (24 * 8, 24 * 60) if status == "completed" else (6, 24 * 6.5)
            signed = _daytime(ctx, now - _hours(ctx, *ago), 8, 21)
            shipped = _daytime(ctx, signed - _hours(ctx, 30, 110), 9, 19)
        # A few went out after the 72 h promise (the late-shipment policy has cases).
        gap = (73, 100) if rng.random() < 0.05 else (2, 50)
        paid = shipped - _hours(ctx, *gap)
        created = paid - timedelta(seconds=rng.randint(40, 3600))
    elif status == "closed":
        created = now - _hours(ctx, 24, 24 * 30)
        if rng.random() < 0.35:  # paid, then refunded before shipping
            paid = created + timedelta(seconds=rng.randint(40, 1800))
    else:
        raise ValueError(status)
    tracking = None if shipped is None else tracking_number(rng, courier, ctx.used_tracking)
    excluded = province in ctx.free_excluded
    shipping_fee = 0.0
    free = True
    if excluded or province in HMT:
        free = False
        shipping_fee = float(rng.choice((10, 12, 15, 20, 25)))
    order: dict[str, Any] = {
        "order_id": _order_id(ctx),
        "platform": "taobao",
        "buyer_id": buyer["buyer_id"],
        "status": status,
        "created_at": _ts(created),
        "paid_at": _ts(paid),
        "shipped_at": _ts(shipped),
        "signed_at": _ts(signed),
        "amount": _amount(items),
        "shipping_fee": shipping_fee,
        "free_shipping": free,
        "payment_method": "online",
        "items": items,
        "address": address,
        "courier": courier,
        "tracking_no": tracking,
        "buyer_note": rng.choice(EMPTY_NOTES),
        "presale": False,
        "customized": False,
        "address_changed_after_payment": False,
    }
    order.update(overrides)
    ctx.orders.append(order)
    return order


_STATUS_MIX = (
    ("completed", 150),
    ("signed", 55),
    ("shipped", 60),
    ("paid", 55),
    ("unpaid", 35),
    ("closed", 30),
    ("refunding", 18),
)


def make_orders(ctx: OrderContext, buyers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rng = ctx.rng
    statuses = [s for s, n in _STATUS_MIX for _ in range(n)]
    for status in statuses:
        buyer = rng.choice(buyers)
        if status in ("unpaid", "paid") and len(buyer["addresses"]) > 1:
            # Keep accidental multi-address batches out: the scenarios below add them.
            buyer = rng.choice([b for b in buyers if len(b["addresses"]) == 1])
        if status in ("unpaid", "paid") and buyer["addresses"][0]["province"] in HMT:
            buyer = rng.choice([b for b in buyers if b["addresses"][0]["province"] not in HMT])
        order = new_order(ctx, buyer, status)
        if status in ("unpaid", "paid"):
            order["buyer_note"] = rng.choice(EMPTY_NOTES)
        if status == "refunding" and rng.random() < 0.35:
            order["signed_at"] = None  # refused at the door: the parcel goes back
        if status in ("completed", "signed") and len(buyer["addresses"]) > 1 and rng.random() < 0.4:
            order["address"] = dict(buyer["addresses"][1])
    _scenarios(ctx, buyers)
    ctx.orders.sort(key=lambda o: (o["created_at"], o["order_id"]))
    return ctx.orders


def _scenarios(ctx: OrderContext, buyers: list[dict[str, Any]]) -> None:
    rng = ctx.rng
    mainland = [
        b
        for b in buyers
        if b["addresses"][0]["province"] not in HMT
        and b["addresses"][0]["province"] not in ctx.free_excluded
    ]

    # MULTI_ADDRESS: one buyer, two open orders to different addresses.
    multi = [b for b in buyers if len(b["addresses"]) > 1][:4]
    for buyer in multi:
        new_order(ctx, buyer, "paid", address=buyer["addresses"][0])
        new_order(ctx, buyer, rng.choice(("paid", "unpaid")), address=buyer["addresses"][1])

    # ADDRESS_INCOMPLETE: detail too short, empty city, a province that is not one.
    for detail_fix in (
        {"detail": "东门"},
        {"detail": "3号"},
        {"city": ""},
        {"province": "浙江杭州", "city": ""},
        {"detail": "驿站"},
    ):
        buyer = rng.choice(mainland)
        address = dict(buyer["addresses"][0]) | detail_fix
        new_order(ctx, buyer, rng.choice(("paid", "unpaid")), address=address)

    # HMT_NON_SF: 港澳台 orders booked with a courier other than SF.
    hmt_buyers = [b for b in buyers if b["addresses"][0]["province"] in HMT]
    for buyer, courier in zip(hmt_buyers[:4], ("YTO", "ZTO", "YUNDA", "YTO"), strict=False):
        new_order(ctx, buyer, "paid", courier=courier)
    for buyer in hmt_buyers[4:7]:  # and correct ones by SF, in open and closed states
        new_order(ctx, buyer, rng.choice(("paid", "signed", "completed")))

    # OUT_OF_STOCK: open orders for SKUs whose stock cannot cover them.
    for product, sku in ctx.scarce_skus()[:8]:
        item = {
            "sku": sku["sku"],
            "title": sku_title(product, sku),
            "category": product["category"],
            "qty": sku["stock"] + 1,
            "price": sku["price"],
        }
        new_order(ctx, rng.choice(mainland), rng.choice(("paid", "unpaid")), items=[item])

    # FREE_SHIPPING_INELIGIBLE: marked free shipping to an excluded province.
    remote = [b for b in buyers if b["addresses"][0]["province"] in ctx.free_excluded]
    for buyer in remote[:5]:
        new_order(
            ctx,
            buyer,
            rng.choice(("paid", "unpaid", "shipped")),
            free_shipping=True,
            shipping_fee=0.0,
        )
    for buyer in remote[5:9]:  # remote orders charged postage correctly
        new_order(ctx, buyer, rng.choice(("paid", "completed")))

    # BUYER_NOTE: open orders with a note to act on.
    for note in rng.sample(NOTES, 8):
        new_order(ctx, rng.choice(mainland), rng.choice(("paid", "unpaid")), buyer_note=note)

    # COD: awaiting confirmation (unpaid, unshipped), and delivered ones paid on delivery.
    for _ in range(4):
        new_order(ctx, rng.choice(mainland), "unpaid", payment_method="cod", courier="EMS")
    for _ in range(3):
        order = new_order(
            ctx, rng.choice(mainland), "completed", payment_method="cod", courier="EMS"
        )
        order["paid_at"] = order["signed_at"]

    # SHIP_LATE_RISK and SHIP_LATE: paid and waiting 48-72 h, or beyond 72 h.
    for _ in range(5):
        new_order(ctx, rng.choice(mainland), "paid", paid_hours_ago=(49, 71))
    for _ in range(4):
        new_order(ctx, rng.choice(mainland), "paid", paid_hours_ago=(74, 130))

    # ADDRESS_CHANGED: the buyer changed the address after paying.
    for _ in range(4):
        buyer = rng.choice(mainland)
        new_order(
            ctx,
            buyer,
            "paid",
            address_changed_after_payment=True,
            buyer_note="改地址了，请按新地址发货",
        )
    buyer = rng.choice(mainland)  # changed but already shipped: no flag any more
    new_order(ctx, buyer, "shipped", address_changed_after_payment=True)

    # Presale and customized orders: paid long ago, exempt from the ship-late rules.
    presale_pool = [
        (p, s)
        for p in ctx.products
        for s in p["skus"]
        if p["product_id"] in ("JK-004", "FD-015", "FD-010") and s["stock"] >= 1
    ]
    for _ in range(4):
        items = _items(ctx, presale_pool, 1)
        items[0]["title"] = "【预售】" + items[0]["title"]
        new_order(
            ctx,
            rng.choice(mainland),
            "paid",
            items=items,
            presale=True,
            paid_hours_ago=(24 * 4, 24 * 10),
        )
    custom_pool = [
        (p, s)
        for p in ctx.products
        for s in p["skus"]
        if p["product_id"] in ("HT-033", "HT-028") and s["stock"] >= 1
    ]
    for _ in range(3):
        items = _items(ctx, custom_pool, 1)
        items[0]["title"] = items[0]["title"] + "（定制尺寸）"
        new_order(
            ctx,
            rng.choice(mainland),
            "paid",
            items=items,
            customized=True,
            paid_hours_ago=(24 * 2, 24 * 6),
            buyer_note="窗户宽2.4米高2.6米，按这个尺寸定做",
        )
    # A gift sent to someone else's address (not a problem: the buyer's only open order).
    buyer = rng.choice(mainland)
    gift = make_address(rng, person_name(rng), mobile(rng))
    new_order(ctx, buyer, "shipped", address=gift, buyer_note="送朋友的生日礼物")


# ---------------------------------------------------------------- tracking events


def _hub(province: str, city: str) -> str:
    short = PROVINCES.get(province, province)
    if province in HMT:
        return f"{short}{city}集散中心"
    return f"{city}转运中心"


def make_tracking(
    rng: random.Random, now: datetime, orders: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Events for every order that has a waybill: most complete, some stalled, some with
    no scan yet, some failed or returned."""
    events: list[dict[str, Any]] = []
    shipped_seen = 0
    for order in orders:
        if not order["tracking_no"] or not order["shipped_at"]:
            continue
        shipped = datetime.fromisoformat(order["shipped_at"])
        signed = datetime.fromisoformat(order["signed_at"]) if order["signed_at"] else None
        address = order["address"]
        courier = order["courier"]
        name = COURIER_NAMES.get(courier, courier)
        dest_city = address["city"] or address["province"] or "目的地"
        dest_hub = _hub(address["province"] or "", dest_city)
        district = address["district"] or dest_city

        def add(
            ts: datetime, status: str, location: str, desc: str, _order: dict[str, Any] = order
        ) -> None:
            if ts > now:  # scans after "now" have not happened yet
                return
            events.append(
                {
                    "tracking_no": _order["tracking_no"],
                    "courier": _order["courier"],
                    "order_id": _order["order_id"],
                    "ts": _ts(ts),
                    "status": status,
                    "location": location,
                    "desc": desc,
                }
            )

        # What happened to the parcel: most arrive; a few shipped ones have no scan yet,
        # stalled after leaving Hangzhou or failed a delivery; refused ones went back.
        mode = "normal"
        if order["status"] == "shipped":
            k = shipped_seen = shipped_seen + 1
            if k % 9 == 0:
                mode = "no_scan"
            elif k % 3 == 1 and now - shipped > timedelta(days=4):
                mode = "stalled"
            elif k % 9 == 5:
                mode = "failed"
        elif order["status"] == "refunding" and signed is None:
            mode = "returned"
        if mode == "no_scan":
            continue
        if signed is not None or mode == "returned":
            # Delivered (or refused at the door): the scans fall between shipping and the
            # end of the trip, in proportion.
            end = signed or min(now - timedelta(hours=1), shipped + timedelta(days=4))
            cuts = sorted(rng.uniform(0.03, 0.97) for _ in range(6))
            steps = [shipped + (end - shipped) * cut for cut in cuts]
            if signed is not None:  # out for delivery the same morning or afternoon
                out = signed - timedelta(minutes=rng.randint(30, 300))
                steps[4] = max(out, steps[3] + timedelta(minutes=10))
        else:
            steps = [shipped + timedelta(minutes=rng.randint(30, 300))]
            for low, high in ((120, 420), (60, 180), (600, 1800), (360, 840)):
                steps.append(steps[-1] + timedelta(minutes=rng.randint(low, high)))
        steps = [s.replace(microsecond=0) for s in steps]
        add(steps[0], "collected", "杭州市余杭区", f"【杭州市】{name}浙江省杭州市余杭区公司已揽收")
        add(steps[1], "in_transit", "杭州转运中心", "快件已到达杭州转运中心")
        add(steps[2], "in_transit", "杭州转运中心", f"快件已从杭州转运中心发出，下一站{dest_hub}")
        if mode == "stalled":
            continue  # nothing since leaving Hangzhou
        add(steps[3], "in_transit", dest_hub, f"快件已到达{dest_hub}")
        if mode == "failed":
            t = steps[3] + timedelta(hours=rng.randint(4, 12))
            add(t, "failed", district, "派送不成功，收件人电话无人接听，快件将再次派送")
            continue
        if mode == "returned":
            add(steps[4], "failed", district, "收件人拒收，快件将退回")
            add(steps[5], "returned", dest_hub, "快件已退回寄件人，退回单号同原单号")
            continue
        courier_man = person_name(rng)
        add(
            steps[4],
            "out_for_delivery",
            district,
            f"【{dest_city}】{district}营业部派件员{courier_man}正在为您派件",
        )
        if signed is not None:
            how = rng.choice(("本人签收", "家门口签收", "快递柜签收", "菜鸟驿站代收", "门卫代收"))
            add(signed, "delivered", district, f"已签收，签收人：{how}，感谢使用{name}")
    return events
