"""Demo conversations (formats.md records) composed from the dialogue fragments.

Each chat picks a stage (pre-sale, order in progress, after-sales), one or two intents of
that stage, a buyer and (for in/post) one of that buyer's orders in a fitting status, and the
agent from the matching queue. Timing follows the seeds: the first reply within 10 s, later
replies within a minute, except in the few chats that show the QA pages a problem. Outside
business hours the bot answers and leaves the chat for the morning.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_FLOOR, Decimal
from string import Formatter
from typing import Any

from kefu.core.regions import HMT, PROVINCES
from kefu.core.timeutil import format_time
from kefu.demo import dialogue as d
from kefu.demo.catalog import SHORT_NAMES
from kefu.demo.geo import PLACES
from kefu.demo.orders import COURIER_NAMES, TZ
from kefu.demo.people import make_address

_CN_DIGITS = "零一二三四五六七八九"

# intent -> order statuses it is about (None: no order needed)
_ORDER_STATUS: dict[str, tuple[str, ...] | None] = {
    "payment_issue": ("unpaid",),
    "order_modify": ("paid", "unpaid"),
    "order_cancel": ("unpaid", "paid"),
    "urge_shipping": ("paid",),
    "logistics_query": ("shipped",),
    "not_received": ("signed",),
    "return_exchange": ("signed",),
    "refund_status": ("refunding",),
    "quality_complaint": ("signed", "completed"),
    "wrong_or_missing_item": ("signed",),
    "price_protection": ("signed", "shipped"),
    "usage_help": ("signed", "completed"),
    "complaint": ("shipped", "refunding"),
}
_QUEUE_OF_STAGE = {"pre": "presale", "in": "insale", "post": "aftersale"}
_QA_PROBLEMS = (
    "bare_negative",
    "one_word",
    "slow_first",
    "slow",
    "no_greeting",
    "promise",
    "no_closing",
    "quick_overuse",
    "rude",
    "privacy",
    "off_platform",
    "competitor",
)


class _Vars(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


@dataclass
class _Chat:
    rng: random.Random
    t: datetime
    messages: list[dict[str, Any]] = field(default_factory=list)
    runs_answered: int = 0  # runs of buyer messages an agent has answered
    slow_pending: bool = False  # the planted "slow" slip: one late answer after the first run

    def add(self, sender: str, text: str, quick: bool = False) -> None:
        self.messages.append(
            {"sender": sender, "text": text, "ts": format_time(self.t, TZ), "quick_reply": quick}
        )

    def buyer(self, text: str, think: tuple[int, int] = (8, 75)) -> None:
        if self.messages:
            if self.messages[-1]["sender"] == "buyer":
                think = (2, 12)  # a burst of messages, typed one after another
            self.t += timedelta(seconds=self.rng.randint(*think))
        self.add("buyer", text)

    def agent(
        self, text: str, delay: tuple[int, int] = (6, 45), quick: bool = False, late: bool = False
    ) -> None:
        seconds = self.rng.randint(*delay)
        if self.messages and self.messages[-1]["sender"] == "buyer":
            # The wait counts from the first message of the buyer's run (taxonomy.md): keep
            # the first reply within 10 s and later ones within a minute, unless planted late.
            run_start = self._run_start()
            if self.slow_pending and self.runs_answered >= 1:
                seconds, self.slow_pending = self.rng.randint(75, 400), False
            elif not late:
                limit = 8 if self.runs_answered == 0 else 55
                waited = int((self.t - run_start).total_seconds())
                seconds = max(1, min(seconds, limit - waited))
            self.runs_answered += 1
        self.t += timedelta(seconds=seconds)
        self.add("agent", text, quick)

    def _run_start(self) -> datetime:
        start = self.t
        for message in reversed(self.messages):
            if message["sender"] == "agent":
                break
            if message["sender"] == "buyer":
                start = datetime.fromisoformat(message["ts"])
        return start

    def bot(self, text: str) -> None:
        self.t += timedelta(seconds=self.rng.randint(1, 3))
        self.add("bot", text)


def _height_cn(height: int) -> str:
    """170 -> 一米七, 165 -> 一米六五 (how buyers type heights)."""
    metres, rest = divmod(height, 100)
    tens, ones = divmod(rest, 10)
    text = _CN_DIGITS[metres] + "米" + _CN_DIGITS[tens]
    return text + (_CN_DIGITS[ones] if ones else "")


def _bargain(rng: random.Random, price: float) -> str:
    """The earned discount: round off the cents, or 1 % (the pre-sale limit), or a gift."""
    amount = Decimal(str(price))
    cents = amount - amount.to_integral_value(rounding=ROUND_FLOOR)
    if 0 < cents <= amount / 100:  # rounding off within the pre-sale 1 % limit
        final = amount - cents
        return (
            f"亲，让您久等啦，跟主管磨了好久才同意给您抹掉零头，{final:.0f}元拍走，"
            f"这可是专门为您申请的哦，别的顾客都没有的😊"
        )
    if amount >= 100:
        cut = (amount / 100).to_integral_value(rounding=ROUND_FLOOR)
        return (
            f"亲，主管看您是诚心要，破例给您便宜{cut:.0f}元，{amount - cut:.0f}元给您，"
            f"这已经是最大的权限啦，您拍下后我帮您改价😊"
        )
    gift = rng.choice(("一双纯棉袜子", "两包试用装", "一张满99减10的店铺券"))
    return (
        f"亲，价格这边实在申请不下来，因为已经是活动底价了，不过主管同意送您{gift}，"
        f"算是我们的一点心意，您看可以吗😊"
    )


def _stock_answer(sku: dict[str, Any], alt: str) -> str:
    name = f"{sku['color']}{sku['size']}"
    if sku["stock"] >= 10:
        return f"有的亲，{name}目前有现货，喜欢的话可以尽快下单哦😊"
    if sku["stock"] > 0:
        return f"亲，{name}只剩最后{sku['stock']}件了，喜欢的话建议尽快下单哦😊"
    return f"亲，{name}暂时缺货了，仓库正在补货，您可以先收藏关注一下，或者看看{alt}也很好看哦😊"


def _fee_answer(province: str, free_excluded: frozenset[str], rng: random.Random) -> str:
    short = PROVINCES.get(province, province)
    if province in HMT:
        return (
            f"亲，寄{short}只能发顺丰的哦，因为其他快递到港澳台的时效和安全没法保障，"
            f"运费需要另外补，首重22元，续重每公斤6元😊"
        )
    if province in free_excluded:
        fee = rng.choice((10, 12, 15))
        return (
            f"亲，{short}属于偏远地区，由于快递成本比较高，需要补{fee}元运费哦，"
            f"您拍下后先不要付款，我帮您改好运费再支付😊"
        )
    return (
        "亲，全场包邮的哦（新疆、西藏、青海、甘肃、宁夏、内蒙古、海南等偏远地区除外），"
        f"寄{short}是包邮的，放心拍😊"
    )


def _track_state(order: dict[str, Any], events: list[dict[str, Any]]) -> str:
    if not events:
        return "已经打包好了，在等快递揽收，揽收后就会有物流信息"
    last = events[-1]
    if last["status"] == "delivered":
        return "已经显示签收了"
    if last["status"] in ("failed", "returned"):
        return f"显示{last['desc']}，这边马上联系快递核实"
    return f"最新到了{last['location']}，正在运输中"


@dataclass
class ChatContext:
    rng: random.Random
    now: datetime
    agents: list[dict[str, Any]]
    buyers: list[dict[str, Any]]
    orders: list[dict[str, Any]]
    products: list[dict[str, Any]]
    tracking: dict[str, list[dict[str, Any]]]
    promotions: list[dict[str, Any]]
    free_excluded: frozenset[str]

    def __post_init__(self) -> None:
        self.buyer_by_id = {b["buyer_id"]: b for b in self.buyers}
        self.product_by_sku = {s["sku"]: p for p in self.products for s in p["skus"]}
        self.sku_by_code = {s["sku"]: s for p in self.products for s in p["skus"]}
        self.by_status: dict[str, list[dict[str, Any]]] = {}
        for order in self.orders:
            self.by_status.setdefault(order["status"], []).append(order)
        # Orders a pre-sale chat may have led to (placed within the chat window).
        earliest = self.now - timedelta(days=29)
        self.bought = [
            o
            for o in self.orders
            if o["status"] != "closed" and datetime.fromisoformat(o["created_at"]) > earliest
        ]

    def agents_for(self, queue: str) -> list[dict[str, Any]]:
        return [
            a
            for a in self.agents
            if queue in a["queues"] and a["role"] not in ("supervisor", "manager", "admin")
        ]


def _vars(
    ctx: ChatContext,
    agent: dict[str, Any] | None,
    buyer: dict[str, Any],
    order: dict[str, Any] | None,
    product: dict[str, Any],
) -> _Vars:
    rng = ctx.rng
    sku = rng.choice(product["skus"])
    if order is not None:
        sku = ctx.sku_by_code.get(order["items"][0]["sku"], sku)
    attrs = list(product["attributes"].items())
    attr_k, attr_v = rng.choice(attrs)
    material = (
        product["attributes"].get("材质")
        or product["attributes"].get("面料")
        or product["attributes"].get("鞋面材质")
        or ""
    )
    colors = sorted({s["color"] for s in product["skus"] if s["color"]})
    sizes = [s["size"] for s in product["skus"]]
    sizes = list(dict.fromkeys(sizes))
    size = sku["size"] or (sizes[0] if sizes else "")
    size_up = sizes[min(sizes.index(size) + 1, len(sizes) - 1)] if size in sizes else size
    chart = product["size_chart"] or []
    rec = rec_up = size
    h, w = 168, 60
    body_rows = [row for row in chart if "height_min" in row]
    if body_rows:
        index = rng.randrange(len(body_rows))
        row = body_rows[index]
        rec = row["size"]
        rec_up = body_rows[min(index + 1, len(body_rows) - 1)]["size"]
        h = rng.randint(row["height_min"], row["height_max"] - 1)
        w = rng.randint(row["weight_min_kg"], row["weight_max_kg"] - 1)
    address = order["address"] if order else buyer["addresses"][0]
    province = address.get("province") or ""
    other_colors = [c for c in colors if c != sku["color"]] or [""]
    garment = product["category"] == "apparel" and size not in ("", "均码")
    alt = rng.choice(
        [
            p["title"]
            for p in ctx.products
            if p["category"] == product["category"] and p is not product
        ]
        or [product["title"]]
    )
    promo = rng.choice(ctx.promotions)
    courier = (order or {}).get("courier") or "YTO"
    new_address = make_address(
        rng, buyer["name"], buyer["phone"], province if province in PLACES else None
    )
    usage_q, usage_a = rng.choice(d.USAGE[product["category"]])
    amount = order["amount"] if order else sku["price"]
    values = {
        "agent_no": agent["agent_no"] if agent else "客服8号",
        "p": product["title"],
        "short": SHORT_NAMES.get(product["product_id"], "这个"),
        "desc": product["description"],
        "material": material,
        "attr_k": attr_k,
        "attr_v": attr_v,
        "colors": "、".join(colors) or "单色",
        "color": sku["color"],
        "other_color": rng.choice(other_colors),
        "size": size,
        "size_up": size_up,
        "gsize": size if garment else "",
        "gsize_up": size_up if garment and size_up != size else "",
        "sku_desc": " ".join(x for x in (sku["color"], sku["size"]) if x) or product["title"],
        "h": str(h),
        "h_cn": _height_cn(h),
        "w": str(w),
        "jin": str(w * 2),
        "rec": rec,
        "rec_up": rec_up,
        "stock_answer": _stock_answer(sku, alt),
        "bargain_result": _bargain(rng, sku["price"]),
        "promo": promo["rule"],
        "promo_end": promo["ends_at"][5:10].replace("-", "月") + "日",
        "prov": PROVINCES.get(province, province) or "新疆",
        "city": address.get("city") or "北京",
        "fee_answer": _fee_answer(province, ctx.free_excluded, rng),
        "oid": order["order_id"] if order else "",
        "amount": f"{amount:.2f}",
        "tn": (order or {}).get("tracking_no") or "",
        "courier": COURIER_NAMES.get(courier, courier),
        "track_state": _track_state(order, ctx.tracking.get(order["order_id"], []))
        if order
        else "",
        "new_address": (
            f"{new_address['province']}{new_address['city']}{new_address['district']}"
            f"{new_address['detail']} {buyer['name']}"
        ),
        "new_masked": f"{new_address['province']}{new_address['city']}{new_address['district']}****",
        "diff": str(rng.choice((5, 8, 10, 15, 20))),
        "usage_q": usage_q,
        "usage_a": usage_a,
    }
    return _Vars(values)


def _fill(text: str, values: _Vars) -> str:
    return text.format_map(values)


def _fits(text: str, values: _Vars) -> bool:
    """Every placeholder of the text has a value for this chat."""
    return all(values.get(name) for _, name, _, _ in Formatter().parse(text) if name)


def _choose_fragment(rng: random.Random, intent: str, values: _Vars) -> list[tuple[str, str]]:
    """One fragment of the intent whose every turn can be filled, with one line per turn."""
    fragments = d.FRAGMENTS[intent]
    usable = [
        f for f in fragments if all(any(_fits(alt, values) for alt in options) for _, options in f)
    ]
    fragment = rng.choice(usable or list(fragments))
    lines = []
    for sender, options in fragment:
        fitting = [alt for alt in options if _fits(alt, values)] or list(options)
        lines.append((sender, _fill(rng.choice(fitting), values)))
    return lines


def make_conversations(ctx: ChatContext, count: int) -> list[dict[str, Any]]:
    rng = ctx.rng
    conversations = []
    stages = ("pre", "in", "post")
    # Every intent of every stage twice, so each page and filter has examples; the rest
    # drawn by how often buyers ask.
    covered = [(stage, name) for stage in stages for name, _ in d.STAGE_INTENTS[stage]] * 2
    for index in range(count):
        if index < len(covered):
            stage, first = covered[index]
        else:
            stage = rng.choices(stages, weights=(45, 25, 30))[0]
            first = rng.choices(*zip(*d.STAGE_INTENTS[stage], strict=True))[0]
        names = [n for n, _ in d.STAGE_INTENTS[stage]]
        weights = [w for _, w in d.STAGE_INTENTS[stage]]
        intents = [first]
        if rng.random() < 0.25:
            second = rng.choices(names, weights=weights)[0]
            if second != first and _ORDER_STATUS.get(second) is None:
                intents.append(second)
        wanted = _ORDER_STATUS.get(first)
        order = None
        if wanted:
            pool = [o for s in wanted for o in ctx.by_status.get(s, [])]
            order = rng.choice(pool)
            buyer = ctx.buyer_by_id[order["buyer_id"]]
        else:
            buyer = rng.choice(ctx.buyers)
        before: datetime | None = None
        bought: dict[str, Any] | None = None
        if stage == "pre" and rng.random() < 0.4:
            # The buyer asked, then ordered: pre-sale chats convert (the KPI pages use it).
            bought = rng.choice(ctx.bought)
            buyer = ctx.buyer_by_id[bought["buyer_id"]]
            before = datetime.fromisoformat(bought["created_at"])
        if order is not None:
            product = ctx.product_by_sku[order["items"][0]["sku"]]
        elif first == "size_advice":
            product = rng.choice(
                [p for p in ctx.products if p["size_chart"] and "height_min" in p["size_chart"][0]]
            )
        elif first == "stock_check":
            product = rng.choice([p for p in ctx.products if any(s["color"] for s in p["skus"])])
        else:
            product = rng.choice(ctx.products)
        if bought is not None and first not in ("size_advice", "stock_check"):
            product = ctx.product_by_sku[bought["items"][0]["sku"]]
        queue = "review" if first == "complaint" and rng.random() < 0.6 else _QUEUE_OF_STAGE[stage]
        conversations.append(
            _one_chat(ctx, index, stage, intents, buyer, order, product, queue, before)
        )
    conversations.sort(key=lambda c: (c["messages"][0]["ts"], c["buyer_id"]))
    for number, conversation in enumerate(conversations, start=1):
        conversation["conversation_id"] = f"c-{number:06d}"
    return conversations


def _start_time(
    ctx: ChatContext, order: dict[str, Any] | None, stage: str, before: datetime | None
) -> datetime:
    rng = ctx.rng
    if before is not None:  # a pre-sale chat that the buyer's order followed
        return before - timedelta(seconds=rng.randint(4 * 60, 90 * 60))
    latest = ctx.now - timedelta(minutes=30)
    earliest = ctx.now - timedelta(days=30)
    if order is not None and stage != "pre":
        # After the order event the chat is about (signed, shipped, paid, created).
        anchor = datetime.fromisoformat(
            order["signed_at"] or order["shipped_at"] or order["paid_at"] or order["created_at"]
        )
        earliest = anchor + timedelta(minutes=20)
        latest = min(latest, anchor + timedelta(days=6))
        if latest <= earliest:
            return ctx.now - timedelta(minutes=rng.randint(10, 29))
    span = int((latest - earliest).total_seconds())
    # Buyers mostly write in the day and evening: pick a day, then an hour by that weight.
    hours = range(24)
    weights = [1, 1, 0, 0, 0, 0, 0, 1, 2, 6, 8, 8, 6, 6, 7, 7, 7, 6, 5, 6, 8, 6, 3, 1]
    for _ in range(8):
        day = (earliest + timedelta(seconds=rng.randint(0, span))).astimezone(TZ)
        start = day.replace(
            hour=rng.choices(hours, weights=weights)[0],
            minute=rng.randint(0, 59),
            second=rng.randint(0, 59),
            microsecond=0,
        )
        if earliest <= start <= latest:
            return start
    return earliest + timedelta(seconds=rng.randint(0, span))


def _one_chat(
    ctx: ChatContext,
    index: int,
    stage: str,
    intents: list[str],
    buyer: dict[str, Any],
    order: dict[str, Any] | None,
    product: dict[str, Any],
    queue: str,
    before: datetime | None,
) -> dict[str, Any]:
    rng = ctx.rng
    agent = rng.choice(ctx.agents_for(queue))
    if rng.random() < 0.04:
        agent = next(a for a in ctx.agents if a["role"] == "supervisor")
    values = _vars(ctx, agent, buyer, order, product)
    start = _start_time(ctx, order, stage, before)
    # About one chat in seven carries a planted slip, every kind in turn.
    problem = _QA_PROBLEMS[(index // 7) % len(_QA_PROBLEMS)] if index % 7 == 3 else None
    if problem and (start.hour < 9 or start.hour >= 21):
        # Slips are the agents': move the chat into business hours of the same day.
        start = start.replace(hour=rng.randint(9, 11) if start.hour < 9 else rng.randint(18, 20))
        if start > ctx.now - timedelta(minutes=30):
            start -= timedelta(days=1)
    chat = _Chat(rng, start)
    off_hours = start.hour < 9 or start.hour >= 21

    # Opening: a greeting first, or straight to the question.
    if rng.random() < 0.5:
        chat.buyer(rng.choice(d.OPENERS))
    if off_hours:
        return _night_chat(ctx, chat, index, stage, intents, buyer, order, values)
    chat.slow_pending = problem == "slow"
    # The bot's welcome would greet in time: keep the first-reply slips on the agent.
    via_bot = rng.random() < 0.12 and problem not in ("slow_first", "no_greeting")
    if via_bot:
        if not chat.messages:
            chat.buyer(rng.choice(d.OPENERS))
        chat.bot(_fill(rng.choice(d.BOT_WELCOME), values))
        chat.buyer(rng.choice(("转人工", "人工客服", "叫个真人来", "我要人工")))
        chat.bot(rng.choice(d.BOT_HANDOFF))
        intents = ["human_agent", *intents]
    welcome_delay = (14, 45) if problem == "slow_first" else (2, 8)
    greeted = False
    if chat.messages:
        welcome = d.CURT_OPENINGS if problem == "no_greeting" else d.WELCOMES
        chat.agent(_fill(rng.choice(welcome), values), welcome_delay, True, problem == "slow_first")
        greeted = True

    quick_overuse_text = "亲，稍等一下，这边马上帮您查询哦😊"
    for intent in [i for i in intents if i in d.FRAGMENTS]:
        previous = "agent" if chat.messages and chat.messages[-1]["sender"] != "buyer" else ""
        for sender, text in _choose_fragment(rng, intent, values):
            if sender == "b":
                chat.buyer(text)
                previous = "buyer"
                continue
            if not greeted:  # the buyer opened with the question: greet first, then answer
                welcome = d.CURT_OPENINGS if problem == "no_greeting" else d.WELCOMES
                chat.agent(
                    _fill(rng.choice(welcome), values), welcome_delay, True, problem == "slow_first"
                )
                chat.agent(text, (6, 20))
                greeted = True
            else:
                chat.agent(text, (3, 12) if previous == "agent" else (6, 45))
            previous = "agent"
        if problem == "quick_overuse":
            for _ in range(2):
                chat.buyer(rng.choice(("查到了吗", "？？", "还在吗", "怎么样了")))
                chat.agent(quick_overuse_text, (5, 20), quick=True)
            chat.agent(quick_overuse_text, (5, 20), quick=True)

    # A QA problem line in the middle of the chat.
    if problem in d.BAD_LINES:
        question, answer = rng.choice(d.BAD_LINES[problem])
        chat.buyer(_fill(question, values))
        chat.agent(answer)
    if problem == "privacy":
        home = buyer["addresses"][0]
        place = f"{home['city']}{home['district']}{home['detail']}"
        chat.buyer(rng.choice(("收货电话是哪个来着", "我留的地址对吗", "帮我看下收件信息")))
        chat.agent(
            rng.choice(
                (
                    f"亲，您订单上留的电话是{buyer['phone']}，地址是{place}",
                    f"亲，收件人{buyer['name']}，电话{buyer['phone']}，地址{place}，没问题的话就按这个发啦",
                    f"亲，您的收货信息：{buyer['name']} {home['province']}{place}",
                )
            )
        )

    # Closing.
    roll = rng.random()
    rating: int | None
    if (roll < 0.72 or problem == "slow") and problem != "no_closing":
        closers = d.BUYER_CLOSERS + (d.PRESALE_CLOSERS if stage == "pre" else ())
        if chat.messages[-1]["sender"] != "buyer":  # else the buyer's last line closes
            chat.buyer(rng.choice(closers))
        chat.agent(_fill(rng.choice(d.FAREWELLS), values), (3, 15), quick=rng.random() < 0.7)
        closed_by = "agent"
    elif problem == "no_closing":
        chat.buyer(rng.choice(d.BUYER_CLOSERS))
        chat.agent(rng.choice(("好的", "嗯嗯，就这样", "ok亲")), (3, 15))
        closed_by = "agent"
    elif roll < 0.88:
        closed_by = "buyer"
    else:
        closed_by = "timeout"
    unhappy = problem is not None or intents[-1] in (
        "complaint",
        "quality_complaint",
        "not_received",
    )
    if rng.random() < 0.15:
        rating = None
    elif unhappy:
        rating = rng.choices((1, 2, 3, 4, 5), weights=(20, 20, 25, 20, 15))[0]
    else:
        rating = rng.choices((1, 2, 3, 4, 5), weights=(1, 1, 3, 20, 75))[0]
    return {
        "conversation_id": f"tmp-{index}",
        "platform": "taobao",
        "buyer_id": buyer["buyer_id"],
        "agent_id": agent["agent_id"],
        "order_ids": [order["order_id"]] if order else [],
        "messages": chat.messages,
        "closed_by": closed_by,
        "rating": rating,
        "intents": intents,
        "stage": stage,
        "qa_flaw": problem,
    }


def _night_chat(
    ctx: ChatContext,
    chat: _Chat,
    index: int,
    stage: str,
    intents: list[str],
    buyer: dict[str, Any],
    order: dict[str, Any] | None,
    values: _Vars,
) -> dict[str, Any]:
    """Outside business hours: the bot takes the message; an agent follows up in the
    morning for some of them."""
    rng = ctx.rng
    lines = _choose_fragment(rng, intents[0], values)
    question = next(text for sender, text in lines if sender == "b")
    if chat.messages:  # the greeting and the question in one message: the bot answers at once
        chat.messages[-1]["text"] += "，" + question
    else:
        chat.buyer(question)
    chat.bot(rng.choice(d.BOT_NIGHT))
    agent_id = None
    closed_by = "timeout"
    morning = (chat.t + timedelta(hours=2)).replace(
        hour=9, minute=rng.randint(1, 40), second=rng.randint(0, 59)
    )
    if morning <= chat.t:
        morning += timedelta(days=1)
    if morning < ctx.now - timedelta(minutes=10) and rng.random() < 0.6:
        agent = rng.choice(ctx.agents_for(_QUEUE_OF_STAGE[stage]))
        agent_id = agent["agent_id"]
        # The morning answer: the fragment's first real answer (not a "please wait").
        answers = [text for sender, text in lines if sender == "a"]
        answer = next((a for a in answers if "稍等" not in a), answers[0] if answers else "")
        chat.t = morning
        chat.add(
            "agent",
            f"亲，早上好，我是{agent['agent_no']}，昨晚的留言看到啦，{answer} 有问题随时联系我哦",
        )
        closed_by = "agent"
    return {
        "conversation_id": f"tmp-{index}",
        "platform": "taobao",
        "buyer_id": buyer["buyer_id"],
        "agent_id": agent_id,
        "order_ids": [order["order_id"]] if order else [],
        "messages": chat.messages,
        "closed_by": closed_by,
        "rating": None,
        "intents": intents,
        "stage": stage,
        "qa_flaw": None,
    }
