"""The answer test set: buyer questions against the demo shop 小鹿生活旗舰店.

Each case: the buyer's text, the product page they are on (or None), a "buyer" selector
that picks a buyer of the demo data in the situation the question needs (or None for an
anonymous shopper), and what the reply must hold: a fact string (price, material, size,
stock, fee, order status...) that must appear in the answer, or HANDOFF (with the reason
expected, when it matters).

Facts of orders are not written here: the selectors return the buyer and the fact read
from that buyer's order, so the set follows the demo data rather than hard-coding ids.
At least a third of the cases ask what the shop's data does not hold (boats, Mars, shops
in town, restock dates...) and must hand off rather than answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

HANDOFF = "HANDOFF"
NOW = datetime.fromisoformat("2026-11-25T12:00:00+08:00")

# A selector gets the demo shop (as a dict of lists) and returns (buyer_id, fact or None).
Selector = Callable[[dict[str, Any]], tuple[str, str | None]]


@dataclass(frozen=True)
class Case:
    text: str
    expect: str  # a fact the answer contains, or HANDOFF
    product: str | None = None
    buyer: Selector | None = None
    reasons: tuple[str, ...] = ()  # the hand-off reasons accepted, when it matters
    missing: bool = False  # asks about something the shop's data does not hold


def missing(text: str, product: str | None = None) -> Case:
    """A question the data cannot answer: the bot must hand off, for want of a grounded answer."""
    reasons = ("no_grounded_answer", "low_confidence")
    return Case(text, HANDOFF, product=product, reasons=reasons, missing=True)


def _orders_of(shop: dict[str, Any], buyer_id: str) -> list[dict[str, Any]]:
    return [o for o in shop["orders"] if o["buyer_id"] == buyer_id]


def _single_status_buyers(shop: dict[str, Any], status: str) -> list[tuple[str, dict[str, Any]]]:
    """Buyers with exactly one order in `status` and none in other open states."""
    out = []
    for buyer in shop["buyers"]:
        orders = _orders_of(shop, buyer["buyer_id"])
        mine = [o for o in orders if o["status"] == status]
        if len(mine) == 1 and mine[0]["amount"] <= 1000:
            out.append((buyer["buyer_id"], mine[0]))
    return out


def _t(value: str) -> datetime:
    return datetime.fromisoformat(value)


def shipped_with_fresh_tracking(shop: dict[str, Any]) -> tuple[str, str | None]:
    for buyer_id, order in _single_status_buyers(shop, "shipped"):
        events = [e for e in shop["tracking_events"] if e["order_id"] == order["order_id"]]
        if (
            events
            and NOW - _t(events[-1]["ts"]) < timedelta(days=2)
            and events[-1]["status"]
            in (
                "in_transit",
                "out_for_delivery",
                "collected",
            )
        ):
            return buyer_id, order["tracking_no"]
    raise LookupError("no shipped order with fresh tracking")


def shipped_stalled(shop: dict[str, Any]) -> tuple[str, str | None]:
    for buyer_id, order in _single_status_buyers(shop, "shipped"):
        events = [e for e in shop["tracking_events"] if e["order_id"] == order["order_id"]]
        if events and NOW - _t(events[-1]["ts"]) > timedelta(days=4):
            return buyer_id, None
    raise LookupError("no stalled parcel")


def paid_in_time(shop: dict[str, Any]) -> tuple[str, str | None]:
    for buyer_id, order in _single_status_buyers(shop, "paid"):
        paid = _t(order["paid_at"])
        if NOW - paid < timedelta(hours=48) and not order["presale"] and not order["customized"]:
            return buyer_id, order["order_id"]
    raise LookupError("no paid order within its shipping time")


def refunding(shop: dict[str, Any]) -> tuple[str, str | None]:
    buyer_id, order = _single_status_buyers(shop, "refunding")[0]
    return buyer_id, order["order_id"]


def signed_recently(shop: dict[str, Any]) -> tuple[str, str | None]:
    """A buyer whose only signed order arrived 1-5 days ago (inside 7 days no-reason)."""
    for buyer_id, order in _single_status_buyers(shop, "signed"):
        days = (NOW - _t(order["signed_at"])).days
        others = [o for o in _orders_of(shop, buyer_id) if o["status"] in ("shipped", "refunding")]
        apparel = order["items"][0]["category"] == "apparel"
        if 1 <= days <= 5 and not others and not order["customized"] and apparel:
            return buyer_id, order["order_id"]
    raise LookupError("no recently signed apparel order")


def signed_long_ago(shop: dict[str, Any]) -> tuple[str, str | None]:
    """A buyer whose latest signed/completed order is 10-25 days old, apparel, no other open."""
    for buyer in shop["buyers"]:
        orders = _orders_of(shop, buyer["buyer_id"])
        done = [o for o in orders if o["status"] in ("signed", "completed") and o["signed_at"]]
        if len(done) != 1 or len(orders) != 1:
            continue
        order = done[0]
        days = (NOW - _t(order["signed_at"])).days
        if 10 <= days <= 25 and order["items"][0]["category"] == "apparel":
            return buyer["buyer_id"], "超过了7天"
    raise LookupError("no old signed order")


def big_shipped(shop: dict[str, Any]) -> tuple[str, str | None]:
    for order in shop["orders"]:
        if order["status"] == "shipped" and order["amount"] > 1000:
            return order["buyer_id"], None
    raise LookupError("no big shipped order")


def someone(shop: dict[str, Any]) -> tuple[str, str | None]:
    """A buyer with orders, who will ask about an order number that is not theirs."""
    return signed_recently(shop)[0], None


def other_buyers_order(shop: dict[str, Any]) -> str:
    me = someone(shop)[0]
    return next(o["order_id"] for o in shop["orders"] if o["buyer_id"] != me)


CASES: list[Case] = [
    # --- product facts -----------------------------------------------------------------
    Case("这件是纯棉的吗", "100%棉", product="TS-001"),
    Case("有几个颜色呀", "藏青色", product="TS-001"),
    Case("这件T恤多少钱", "59-69元", product="TS-001"),
    Case("产地是哪里的", "浙江杭州", product="TS-001"),
    Case("会缩水吗", "预缩", product="TS-001"),
    Case("羽绒服充绒量多少", "120g"),
    Case("这件里面填充的是鸭绒还是鹅绒", "90%白鸭绒", product="JK-004"),
    Case("空气炸锅功率多大", "1400W"),
    Case("容量多大的", "5L", product="SA-037"),
    Case("保修多久", "1年", product="SA-037"),
    Case("这个苹果保质期多久", "15天"),
    Case("四件套什么面料", "长绒棉"),
    Case("是正品吗", "正品", product="HD-003"),
    # --- size ------------------------------------------------------------------------------
    Case("170 65kg穿什么码", "L码", product="TS-001"),
    Case("一米六五，一百斤穿什么码", "M码", product="TS-001"),
    Case("身高160体重52公斤选哪个码", "M码", product="PT-005"),
    Case("178cm 140斤穿多大的", "XL码", product="JK-004"),
    Case("平时穿38码，这双选哪个码", "240mm", product="SH-008"),
    # --- stock -------------------------------------------------------------------------
    Case("黑色M还有吗", "230", product="TS-001"),
    Case("灰色L码有货吗", "暂时缺货", product="HD-003"),
    Case("白色XL码还有货吗", "143", product="TS-001"),
    # --- shipping fee, time, courier -----------------------------------------------------
    Case("新疆运费多少", "圆通8元", product="TS-001"),
    Case("寄到浙江包邮吗", "包邮"),
    Case("包邮吗", "偏远地区"),
    Case("西藏要加多少运费", "圆通8元"),
    Case("香港能发货吗", "顺丰"),
    Case("今天能发货吗", "16点"),
    Case("几天能到北京", "以快递派送为准"),
    Case("默认发什么快递", "圆通"),
    Case("可以发顺丰吗", "顺丰"),
    # --- invoice, payment, cod, promotions -------------------------------------------------
    Case("能开发票吗", "发票"),
    Case("公司抬头可以开专票吗", "税号"),
    Case("能用花呗吗", "花呗"),
    Case("可以货到付款吗", "货到付款"),
    Case("付款一直失败怎么办", "银行卡"),
    Case("有优惠券吗", "满99减10"),
    Case("满减活动到几号", "12月1日"),
    Case("能便宜点吗", "统一定"),
    # --- greeting / farewell ----------------------------------------------------------------
    Case("在吗", "客服8号"),
    Case("好的谢谢", "感谢"),
    # --- the buyer's own orders --------------------------------------------------------------
    Case("快递到哪了", "{fact}", buyer=shipped_with_fresh_tracking),
    Case("我的订单发货了吗", "前安排发出", buyer=paid_in_time),
    Case("退款怎么还没到账", "正在退款处理中", buyer=refunding),
    Case("不合适想退", "7天无理由", buyer=signed_recently),
    Case("衣服洗过了还能退吗", "二次销售", buyer=signed_recently),
    Case("尺码小了想换个大一码", "换货", buyer=signed_recently),
    Case("收到的衣服是坏的", "照片", buyer=signed_recently),
    Case("不想要了能退吗", "{fact}", buyer=signed_long_ago),
    # --- what the shop's data does not hold: hand off ----------------------------------------
    missing("这个能用在船上吗", "SA-037"),
    missing("你们有实体店吗"),
    missing("能寄到火星吗"),
    missing("这件衣服防弹吗", "TS-001"),
    missing("空气炸锅能烤蛋糕吗"),
    missing("你们老板是谁"),
    missing("这款什么时候补货", "HD-003"),
    missing("能寄到美国吗"),
    missing("有没有儿童款", "TS-001"),
    missing("这个苹果是有机的吗", "FD-010"),
    missing("羽绒服能机洗吗", "JK-004"),
    missing("吹风机能带上飞机吗"),
    missing("你们仓库在哪个城市"),
    missing("可以用比特币付款吗"),
    missing("洗面奶孕妇能用吗", "DC-019"),
    missing("你们支持以旧换新吗"),
    missing("175 120kg穿什么码", "TS-001"),
    missing("这件T恤适合几岁的小孩穿", "TS-001"),
    missing("能帮我代买别家的东西吗"),
    missing("这件T恤有XXXL吗", "TS-001"),
    missing("能开视频看看实物吗"),
    missing("你们是厂家直销吗"),
    missing("这个空气炸锅噪音大吗", "SA-037"),
    missing("羽绒服会跑绒吗", "JK-004"),
    missing("你们周末发货吗"),
    missing("电热水壶烧开一壶水要几分钟"),
    missing("这个床垫适合腰不好的人吗", "HT-035"),
    missing("能寄到南极科考站吗"),
    missing("可以刻字吗", "SA-041"),
    missing("你们家有猫粮卖吗"),
    missing("纸尿裤有吗"),
    # --- hand-offs the rules demand -------------------------------------------------------
    Case("我要投诉你们", HANDOFF, reasons=("complaint",)),
    Case("转人工", HANDOFF, reasons=("human_agent",)),
    Case("垃圾店，骗子！", HANDOFF, reasons=("angry", "complaint")),
    Case("到底发不发货？？？", HANDOFF, reasons=("angry", "complaint")),
    Case("地址写错了帮我改下", HANDOFF, buyer=paid_in_time, reasons=("needs_action",)),
    Case("拍错了帮我取消", HANDOFF, buyer=paid_in_time, reasons=("needs_action",)),
    Case("显示签收了我没收到", HANDOFF, buyer=signed_recently, reasons=("needs_action",)),
    Case("刚买就降价了能退差价吗", HANDOFF, buyer=signed_recently, reasons=("needs_action",)),
    Case("快递到哪了", HANDOFF, buyer=big_shipped, reasons=("big_order",)),
    Case("快递到哪了", HANDOFF, buyer=shipped_stalled, reasons=("logistics_stalled",)),
    Case("订单{other}到哪了", HANDOFF, buyer=someone, reasons=("order_not_found",)),
    # --- more colloquial wording, written after the first round and run once before fixes --
    Case("亲 这个T恤是啥料子的", "100%棉", product="TS-001"),
    Case("卫衣厚不厚啊", "加绒", product="HD-003"),
    Case("毛衣含羊毛吗", "羊毛30%", product="KN-007"),
    Case("这个吹风机多少瓦", "1800W"),
    Case("电热水壶是不锈钢的吗", "304不锈钢"),
    Case("牛肉干有几种口味", "原味/香辣"),
    Case("普洱茶是哪年的", "2019"),
    Case("防晒霜防晒指数多少", "SPF50+"),
    Case("窗帘遮光效果怎么样", "85%-90%"),
    Case("我一米七五 140斤 穿啥码", "XL码", product="HD-003"),
    Case("身高165 体重110斤 裤子穿多大", "M码", product="PT-005"),
    Case("藏青色XL还有货不", "396", product="TS-001"),
    Case("米白色S码有吗", "暂时缺货", product="TS-002"),
    Case("发到青海运费多少钱", "圆通"),
    Case("广东包邮不", "包邮"),
    Case("台湾发什么快递", "顺丰"),
    Case("下午拍今天能发出吗", "16点"),
    Case("多久能收到货", "以快递派送为准"),
    Case("可以开电子发票吗", "发票"),
    Case("支持信用卡吗", "信用卡"),
    Case("能分期吗", "分期"),
    Case("有没有满减", "满199减20"),
    Case("会员有啥优惠", "会员"),
    Case("我的快递到哪里了呀", "{fact}", buyer=shipped_with_fresh_tracking),
    Case("啥时候发货啊我都付款了", "前安排发出", buyer=paid_in_time),
    Case("退款到哪一步了", "正在退款处理中", buyer=refunding),
    Case("颜色不喜欢可以退吗", "7天无理由", buyer=signed_recently),
    missing("这个衣服防水吗", "TS-001"),
    missing("你们有线下门店吗"),
    missing("可以寄到日本吗"),
    missing("空气炸锅能做披萨吗", "SA-037"),
    missing("这个枕头适合孕妇用吗", "HT-031"),
    missing("你们公司在哪个城市"),
    missing("能用美元付款吗"),
    missing("这个牙刷能用多少年", "SA-041"),
    missing("苹果甜不甜", "FD-010"),
    missing("你们家的T恤有没有荧光色", "TS-001"),
    missing("能寄到月球吗"),
    missing("帆布鞋适合跑马拉松吗", "SH-008"),
    missing("毛毯会不会扎人", "HT-030"),
    missing("羽绒服零下三十度够不够", "JK-004"),
    Case("退货地址是哪里", "退货地址"),
    Case("付不了款怎么办", "银行卡"),
    Case("你们客服电话多少", "旺旺"),
    missing("你们发货地在哪里"),
    missing("能用微信支付吗"),
    missing("优惠券怎么用不了"),
    missing("有没有买一送一"),
    missing("能开增值税普票吗"),
    missing("这个吹风机能在国外用吗", "SA-039"),
    missing("衣服能熨烫吗", "TS-001"),
    missing("T恤领口会变形吗", "TS-001"),
    missing("可以开收据吗"),
    missing("可以到店自提吗"),
    missing("你们会员怎么升级"),
    missing("这个面料起球吗", "KN-007"),
    missing("苹果是今年的新果吗", "FD-010"),
    missing("发票能开办公用品吗"),
    missing("这个洗衣液能洗羽绒服吗", "DC-021"),
    missing("四件套有1.2米的吗", "HT-028"),
    missing("能不能给我留个货"),
]
