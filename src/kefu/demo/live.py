"""The demo's conversations still in progress at its "now", so the live pages have work.

Nine chats, written by hand over the four queues 售前/售中/售后/中差评: four buyers waiting
for an agent (unassigned, the bot's queue notice their only answer) and five held by an
online agent of the queue, the buyer's last message not answered yet. `closed_by` is None;
the first buyer message of each says what the inbox routes on (`inbox.stage_queue`), so an
import puts it in the queue named by its `queue` key. The orders, buyers and products come
from the shop; the seeded generator only picks among them and jitters the seconds, so the
chats are as deterministic as the rest of the demo.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from kefu.core.timeutil import format_time
from kefu.demo.catalog import SHORT_NAMES
from kefu.demo.chats import ChatContext
from kefu.demo.orders import TZ

QUEUE_NOTICE = "亲，您好～现在咨询的亲比较多，已经为您排上队啦，客服马上就来，请稍等一下哦😊"


@dataclass(frozen=True)
class Script:
    queue: str  # where the first buyer message routes (the test checks it)
    stage: str  # pre | in | post
    intents: tuple[str, ...]
    order_statuses: tuple[str, ...]  # () for a chat about no order
    agent_id: str | None  # None: waiting in the queue
    minutes_ago: int  # when the buyer's first message came
    # (sender, text, seconds after the previous message); {short} the product, {oid} the
    # order, {agent_no} the agent
    lines: tuple[tuple[str, str, int], ...]
    category: str | None = None  # the order's category the text fits best, if any


SCRIPTS: tuple[Script, ...] = (
    Script(
        "presale",
        "pre",
        ("stock_check",),
        (),
        None,
        4,
        (
            ("buyer", "在吗，这个{short}还有现货吗", 0),
            ("bot", QUEUE_NOTICE, 2),
            ("buyer", "想拍两件，今天下单的话今天能发出去不", 35),
        ),
    ),
    Script(
        "insale",
        "in",
        ("urge_shipping",),
        ("paid",),
        None,
        7,
        (
            ("buyer", "我拍的{short}怎么还没发货啊，订单号{oid}", 0),
            ("bot", QUEUE_NOTICE, 2),
            ("buyer", "周末要用的，麻烦帮我催一下仓库", 50),
            ("buyer", "有人吗", 140),
        ),
    ),
    Script(
        "aftersale",
        "post",
        ("quality_complaint",),
        ("signed",),
        None,
        3,
        (
            ("buyer", "收到的{short}外箱破损了，机身也磕掉了一块漆，这个怎么处理", 0),
            ("bot", QUEUE_NOTICE, 3),
            ("buyer", "照片我都拍好了，发给谁", 25),
        ),
        category="small_appliance",
    ),
    Script(
        "review",
        "post",
        ("complaint",),
        ("signed", "completed"),
        None,
        9,
        (
            ("buyer", "你们家的{short}也太坑了吧，跟详情页说的完全两回事，我要给差评", 0),
            ("bot", QUEUE_NOTICE, 2),
            ("buyer", "别让我等太久啊", 70),
        ),
    ),
    Script(
        "presale",
        "pre",
        ("price_bargain",),
        (),
        "kf01",
        11,
        (
            ("buyer", "亲，这款{short}最近有活动吗", 0),
            (
                "agent",
                "您好，我是{agent_no}，很高兴为您服务😊 现在店铺有满199减20的券，领券下单更划算哦",
                5,
            ),
            ("buyer", "我就买一件凑不到199呀", 380),
            ("buyer", "单买能便宜点不，便宜的话我现在就拍", 12),
        ),
    ),
    Script(
        "insale",
        "in",
        ("order_modify",),
        ("paid",),
        "kf03",
        16,
        (
            ("buyer", "订单{oid}能改地址吗，小区门牌号填错了", 0),
            (
                "agent",
                "亲，您好，我是{agent_no}，很高兴为您服务😊 这个订单还在仓库等待发货，"
                "可以帮您修改的，麻烦把正确的地址发给我哦",
                6,
            ),
            ("buyer", "同一个小区，改成3栋2单元1202，收件人和电话都不变", 540),
        ),
    ),
    Script(
        "insale",
        "in",
        ("logistics_query",),
        ("shipped",),
        "kf08",
        13,
        (
            ("buyer", "帮我看看{short}的物流，好几天都没更新了", 0),
            ("agent", "您好，我是{agent_no}，很高兴为您服务😊 这边马上帮您查询，请稍等哦", 4),
            ("agent", "亲，已经帮您联系快递核实了，有消息第一时间告诉您", 40),
            ("buyer", "那大概什么时候能到啊，我下周要出差", 300),
        ),
    ),
    Script(
        "aftersale",
        "post",
        ("return_exchange",),
        ("signed",),
        "kf05",
        10,
        (
            ("buyer", "你好，收到的{short}尺码小了，能退换吗", 0),
            (
                "agent",
                "亲，您好，我是{agent_no}，很高兴为您服务😊 支持7天无理由退换的，"
                "吊牌和包装保持完好就可以，您是想换大一码吗",
                7,
            ),
            ("buyer", "对，换大一码，吊牌还在的", 95),
            ("buyer", "来回运费谁出啊", 8),
        ),
        category="apparel",
    ),
    Script(
        "review",
        "post",
        ("complaint",),
        ("signed", "completed"),
        "kf07",
        12,
        (
            ("buyer", "收到的{short}颜色跟图片差太多了，我准备给个中评", 0),
            (
                "agent",
                "亲，您好，我是{agent_no}，很高兴为您服务😊 非常抱歉让您失望了，"
                "方便说一下是哪里跟图片不一样吗？这边会认真帮您处理的",
                6,
            ),
            ("buyer", "颜色暗了很多，做工也一般般", 120),
            ("buyer", "你们打算怎么处理", 15),
        ),
    ),
)


def make_live_conversations(ctx: ChatContext, first_number: int) -> list[dict[str, Any]]:
    """The chats of `SCRIPTS`, each with its own buyer, oldest first, numbered from
    `first_number` (after the closed ones, whose ids stay as they were)."""
    rng = ctx.rng
    agents = {a["agent_id"]: a for a in ctx.agents}
    used: set[str] = set()
    chats = []
    for script in SCRIPTS:
        order = None
        if script.order_statuses:
            pool = [
                o
                for status in script.order_statuses
                for o in ctx.by_status.get(status, [])
                if o["buyer_id"] not in used
            ]
            fitting = [
                o
                for o in pool
                if ctx.product_by_sku[o["items"][0]["sku"]]["category"] == script.category
            ]
            order = rng.choice(fitting or pool)  # another seed may lack the category
            buyer = ctx.buyer_by_id[order["buyer_id"]]
            product = ctx.product_by_sku[order["items"][0]["sku"]]
        else:
            buyer = rng.choice([b for b in ctx.buyers if b["buyer_id"] not in used])
            product = rng.choice([p for p in ctx.products if p["product_id"] in SHORT_NAMES])
        used.add(buyer["buyer_id"])
        agent = agents[script.agent_id] if script.agent_id else None
        values = {
            "short": SHORT_NAMES.get(product["product_id"], "宝贝"),
            "oid": order["order_id"] if order else "",
            "agent_no": agent["agent_no"] if agent else "",
        }
        t = ctx.now - timedelta(minutes=script.minutes_ago, seconds=rng.randint(0, 40))
        messages = []
        for sender, text, after in script.lines:
            if after:
                t += timedelta(seconds=after + rng.randint(0, min(after // 4, 30)))
            messages.append(
                {
                    "sender": sender,
                    "text": text.format(**values),
                    "ts": format_time(t, TZ),
                    "quick_reply": False,
                }
            )
        chats.append(
            {
                "conversation_id": "",
                "platform": "taobao",
                "buyer_id": buyer["buyer_id"],
                "agent_id": script.agent_id,
                "order_ids": [order["order_id"]] if order else [],
                "messages": messages,
                "closed_by": None,
                "rating": None,
                "intents": list(script.intents),
                "stage": script.stage,
                "qa_flaw": None,
                "queue": script.queue,
            }
        )
    chats.sort(key=lambda c: (c["messages"][0]["ts"], c["buyer_id"]))
    for number, chat in enumerate(chats, start=first_number):
        chat["conversation_id"] = f"c-{number:06d}"
    return chats
