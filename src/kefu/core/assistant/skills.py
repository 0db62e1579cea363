"""Grounded skills: one pure function per kind of buyer question.

Each skill takes a `Question` (the message, its understanding, the buyer's context, the
knowledge base, the shop config and "now") and returns
- an `Answer` built only from the shop's data, citing every `Source` it used;
- an `Escalation` when the data shows the case needs a person (a late or stalled order, a
  request only an agent can carry out);
- or None when it has nothing grounded to say (then the caller tries the FAQ, then hands off).

The rule that keeps answers honest is `Question.covered`: every content term of the question
(see `retrieval`) must be accounted for by the answer's sources or the skill's own topic
words. "这个能用在船上吗" on the air-fryer page has the content term 船上, which nothing in
the product's data mentions, so the product skill declines instead of reciting its power.

Tone follows the seeds: 亲 and 😊, a reason or an alternative with every "no", no promised
arrival dates or refunds, size advice "仅供参考".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any, Protocol

from kefu.core.aftersales.returns import decide_return
from kefu.core.assistant.knowledge import (
    COURIER_NAMES,
    Faq,
    KnowledgeBase,
    Product,
    Sku,
    Source,
    money,
    title_nouns,
    yuan,
)
from kefu.core.assistant.retrieval import FOCUS_WORDS, content_terms, normalize, uncovered_terms
from kefu.core.orders.late_shipment import assess_late_shipment, ship_deadline
from kefu.core.orders.shipping import NoRate, UnknownCourier, quote
from kefu.core.privacy import mask_address, mask_phones_in_text
from kefu.core.records import (
    Order,
    ReturnCase,
    ReturnCondition,
    ShippingQuoteRequest,
    TrackingEvent,
)
from kefu.core.regions import PROVINCES, is_hmt, normalize_province, province_in
from kefu.core.shopconfig import ShopConfig


def _w(words: str) -> tuple[str, ...]:
    """A word list written as one space-separated string (compact and easy to scan)."""
    return tuple(words.split())


# --- what a skill receives -------------------------------------------------------------------


class EntityLike(Protocol):
    @property
    def type(self) -> str: ...
    @property
    def value(self) -> Any: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...


class UnderstandingLike(Protocol):
    """What the NLU gives for one message (`kefu.core.assistant.nlu.Understanding`)."""

    @property
    def intent(self) -> str: ...
    @property
    def confidence(self) -> float: ...
    @property
    def entities(self) -> Sequence[EntityLike]: ...


@dataclass(frozen=True)
class BuyerContext:
    """What the shop knows around the message; every field optional.

    `orders` and `tracking` may hold more than the buyer's own: only orders whose
    `buyer_id` is this buyer's are ever read (when `buyer_id` is set)."""

    buyer_id: str | None = None
    product_id: str | None = None  # the product page the buyer is on / last talked about
    orders: Sequence[Order] = ()
    tracking: Sequence[TrackingEvent] = ()
    agent_no: str = "智能客服"
    buyer_name: str | None = None
    transcript: Sequence[tuple[str, str]] = ()  # earlier (sender, text), oldest first

    def own_orders(self) -> list[Order]:
        if self.buyer_id is None:
            return list(self.orders)
        return [o for o in self.orders if o.buyer_id == self.buyer_id]


@dataclass(frozen=True)
class Answer:
    text: str
    skill: str
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class Escalation:
    """The data says a person must take this (`reason` is a code, `note` for the agent)."""

    reason: str
    note: str = ""
    order_id: str | None = None


SkillResult = Answer | Escalation | None


@dataclass
class Question:
    text: str
    understanding: UnderstandingLike
    context: BuyerContext
    kb: KnowledgeBase
    shop: ShopConfig
    now: datetime
    _extra: dict[str, Any] = field(default_factory=dict)

    @property
    def intent(self) -> str:
        return self.understanding.intent

    def values(self, kind: str) -> list[Any]:
        return [e.value for e in self.understanding.entities if e.type == kind]

    def first(self, kind: str) -> Any:
        found = self.values(kind)
        return found[0] if found else None

    @cached_property
    def norm(self) -> str:
        return normalize(self.text)

    @cached_property
    def terms(self) -> list[str]:
        """Content terms of the message, entity spans (places, sizes, numbers) left out."""
        chars = list(self.text)
        for e in self.understanding.entities:
            for i in range(max(e.start, 0), min(e.end, len(chars))):
                chars[i] = " "
        return content_terms("".join(chars))

    @cached_property
    def product(self) -> Product | None:
        """The product named in the message, else the one the buyer is looking at."""
        named = self.kb.product_named_in(self.text)
        if named is not None:
            return named
        if self.context.product_id:
            return self.kb.products.get(self.context.product_id)
        return None

    def covered(self, text: str, lexicon: Iterable[str] = ()) -> bool:
        return not uncovered_terms(self.terms, text, [*lexicon, *CHAT_WORDS])

    def covered_by_product(self, product: Product, lexicon: Iterable[str] = ()) -> bool:
        """Covered by the product's data; its name words cover longer names (普洱 -> 普洱茶)."""
        return self.covered(product.text(), [*lexicon, *title_nouns(product.title)])

    def has(self, *cues: str) -> bool:
        return any(c in self.norm for c in cues)


# Words of any shopping chat that never need a source (they name no fact).
CHAT_WORDS = _w(
    "亲 您好 谢谢 麻烦 请问 急 着急 尽快 马上 赶紧 快点 宝贝 衣服 裤子 鞋子 东西 价格 多少钱 钱"
)


def _ok(text: str) -> str:
    """Opening and closing of every bot sentence: 亲 ... 哦😊 (unless already closed)."""
    text = text.strip().rstrip("。")
    if not text.startswith(("亲", "您好", "可以的亲", "好的亲", "不客气")):
        text = "亲，" + text
    if not text.endswith(("😊", "🙏", "哦", "~")):
        text += "哦😊"
    elif text.endswith("哦"):
        text += "😊"
    return text


def _strip_open(text: str) -> str:
    """An FAQ answer without its leading 亲，, to be embedded in a longer sentence."""
    return re.sub(r"^(?:可以的)?亲[，,]?\s*", "", text.strip())


def _local(dt: datetime, shop: ShopConfig) -> str:
    local = dt.astimezone(shop.tz)
    return f"{local.month}月{local.day}日{local:%H:%M}"


def _hours_phrase(hours: float) -> str:
    if hours % 24 == 0:
        return f"{int(hours // 24)}天"
    return f"{hours:g}小时"


# --- product facts ---------------------------------------------------------------------------

# Cue words of a question -> attribute names they ask about (first found in the product wins).
FIELD_CUES: dict[tuple[str, ...], tuple[str, ...]] = {
    (
        "材质",
        "面料",
        "材料",
        "料子",
        "布料",
        "成分",
        "什么料",
        "纯棉",
        "含棉",
        "棉的",
        "全棉",
        "涤纶",
        "羊毛",
        "真皮",
        "化纤",
        "混纺",
        "不锈钢",
        "塑料",
    ): ("材质", "面料", "鞋面材质", "鞋底材质", "填充物"),
    (
        "产地",
        "哪里产",
        "哪产",
        "哪里生产",
        "哪生产",
        "产自",
        "哪里的",
        "哪儿产",
        "国产",
        "进口",
        "哪里",
        "哪儿",
    ): ("产地",),
    ("保质期", "保质", "过期", "放多久", "能放", "有效期"): ("保质期",),
    ("功率", "多少瓦", "几瓦", "瓦数", "费电", "耗电"): ("功率",),
    ("容量", "几升", "多少升", "多大容量", "能装"): ("容量",),
    ("电压", "220", "110", "伏"): ("电压",),
    ("保修", "质保", "保固"): ("保修",),
    ("厚", "薄", "克重", "厚度"): ("厚薄", "克重", "厚度"),
    ("版型", "宽松", "修身", "oversize"): ("版型",),
    ("弹力", "弹性", "有弹"): ("弹力",),
    ("充绒", "含绒", "绒子", "鸭绒", "鹅绒", "填充"): ("充绒量", "填充物"),
    ("续航", "电池", "充一次", "用多久"): ("续航", "电池"),
    ("防水", "进水"): ("防水",),
    ("档", "档位", "挡"): ("档位",),
    ("净含量", "多重", "几斤", "多少克", "分量", "重量"): ("净含量", "规格"),
    ("规格", "几包", "几双", "几支", "几瓶", "装"): ("规格", "净含量"),
    ("口味", "味道", "好吃", "辣"): ("口味", "辣度"),
    ("香味", "香型", "什么香", "味道"): ("香型",),
    ("功效", "作用", "效果", "去屑", "美白", "保湿"): ("功效",),
    ("肤质", "皮肤", "油皮", "干皮", "敏感"): ("适合肤质",),
    ("防晒", "spf", "倍数"): ("防晒指数",),
    ("遮光",): ("遮光率",),
    ("支数",): ("支数",),
    ("储存", "保存", "冷藏", "常温"): ("储存",),
    ("等级", "几级"): ("等级",),
    ("年份", "哪年"): ("年份",),
    ("安装", "怎么挂"): ("安装",),
    ("刷毛", "软毛", "硬毛"): ("刷毛",),
    ("枕套", "拆洗"): ("枕套",),
    ("水箱",): ("水箱",),
    ("适用", "用在哪"): ("适用",),
    ("安全", "a类"): ("安全类别",),
    ("防滑",): ("防滑",),
    ("裤长", "长裤", "九分"): ("裤长",),
    ("工艺",): ("工艺",),
}
COLOR_CUES = ("颜色", "几个色", "什么色", "哪些色", "几种色", "哪几个色", "配色", "色系", "几色")
PRICE_CUES = ("多少钱", "价格", "价钱", "几块", "怎么卖", "单价", "售价", "多少米", "啥价")
SIZE_LIST_CUES = ("尺码", "码数", "几个码", "哪些码", "什么码", "尺寸", "型号", "多大", "大小")
PRODUCT_WORDS = _w("这款 款 质量 做工 介绍 参数 属性 详情 信息 效果")


def _attribute_values(product: Product, names: Sequence[str]) -> list[tuple[str, str]]:
    return [(n, product.attributes[n]) for n in names if n in product.attributes]


def product_facts(q: Question) -> SkillResult:
    product = q.product
    if product is None:
        return None
    parts: list[str] = []
    sources: list[Source] = []
    lexicon: list[str] = [*PRODUCT_WORDS]
    for cues, names in FIELD_CUES.items():
        if q.has(*cues):
            found = _attribute_values(product, names)
            if found:
                lexicon += cues
            for name, value in found:
                piece = f"{name}是{value}"
                if piece not in parts:
                    parts.append(piece)
                    sources.append(Source("product", product.product_id, f"attributes.{name}"))
    # An attribute named by its own key (充绒量, 遮光率, 克重).
    for name, value in product.attributes.items():
        if normalize(name) in q.norm and f"{name}是{value}" not in parts:
            parts.append(f"{name}是{value}")
            sources.append(Source("product", product.product_id, f"attributes.{name}"))
    if q.has(*COLOR_CUES) and product.colors:
        parts.append(f"有{'、'.join(product.colors)}{len(product.colors)}个颜色")
        sources.append(Source("product", product.product_id, "skus.color"))
        lexicon += COLOR_CUES
    if q.has(*PRICE_CUES) or q.intent == "price_bargain" and not parts:
        prices = sorted({s.price for s in product.skus} or {product.price})
        span = yuan(prices[0]) if len(prices) == 1 else f"{yuan(prices[0])}-{yuan(prices[-1])}"
        parts.append(f"价格是{span}元")
        sources.append(Source("product", product.product_id, "skus.price"))
        lexicon += PRICE_CUES
    if q.has(*SIZE_LIST_CUES) and product.sizes and q.intent != "size_advice":
        parts.append(f"规格有{'、'.join(product.sizes)}")
        sources.append(Source("product", product.product_id, "skus.size"))
        lexicon += SIZE_LIST_CUES
    if not parts:
        # A property the description states (透气, 保暖, 不起球): quote the clause.
        clauses = [c for c in re.split(r"[，。,；;！]", product.description) if c]
        hits = [c for c in clauses if any(t in normalize(c) for t in q.terms)]
        if hits:
            parts.append("，".join(hits))
            sources.append(Source("product", product.product_id, "description"))
    if not parts or not q.covered_by_product(product, lexicon):
        return None
    text = (
        f"这款{product.title}的" + "，".join(parts)
        if "是" in parts[0]
        else (f"这款{product.title}" + "，".join(parts))
    )
    return Answer(_ok(text), "product_facts", tuple(sources))


# --- size advice -----------------------------------------------------------------------------

SIZE_WORDS = _w(
    "求 码数 号 大号 小号 小码 大码 尺寸 够 紧 大 小 能穿 穿进去 拿 整 拍 多大 尺码 码 穿 合适 推荐 选 身高 体重 斤 公斤 kg cm 米 胖 瘦 偏大 偏小 "
    "正码 标准码 号 大一码 小一码 宽松"
)


def _pick_row(chart: list[dict[str, Any]], value: float, lo: str, hi: str) -> int | None:
    """Index of the largest chart row whose [lo, hi] holds `value` (between two sizes, the
    larger one is the safer advice); None when `value` is outside the chart."""
    rows = [i for i, row in enumerate(chart) if lo in row and row[lo] <= value <= row[hi]]
    return max(rows) if rows else None


def size_advice(q: Question) -> SkillResult:
    product = q.product
    if product is None or not product.size_chart:
        return None
    chart = product.size_chart
    src = (Source("product", product.product_id, "size_chart"),)
    if "foot_length_mm" in chart[0]:
        return _shoe_size(q, product, chart)
    height, weight = q.first("height_cm"), q.first("weight_kg")
    if height is None and weight is None:
        return None  # "尺码偏大吗" / "怎么选码": the FAQ answers, asking for height and weight
    picks = []
    if height is not None:
        picks.append(_pick_row(chart, float(height), "height_min", "height_max"))
    if weight is not None:
        picks.append(_pick_row(chart, float(weight), "weight_min_kg", "weight_max_kg"))
    if not q.covered_by_product(product, SIZE_WORDS):
        return None
    if any(p is None for p in picks):
        return Escalation("no_grounded_answer", "身高体重超出该商品尺码表范围")
    row = chart[max(p for p in picks if p is not None)]
    given = "、".join(
        x
        for x in (
            f"身高{height:g}cm" if height is not None else "",
            f"体重{weight:g}kg" if weight is not None else "",
        )
        if x
    )
    detail = (
        f"{row['size']}码参考身高{row['height_min']}-{row['height_max']}cm、体重"
        f"{row['weight_min_kg']}-{row['weight_max_kg']}kg"
    )
    for key, label in (("chest_cm", "胸围"), ("waist_cm", "腰围"), ("length_cm", "长度")):
        if key in row:
            detail += f"，{label}{row[key]}cm"
    text = f"按这款{product.title}的尺码表，{given}建议选{row['size']}码（{detail}），"
    if height is None or weight is None:
        text += "方便的话告诉我另一项身高或体重，推荐会更准确，"
    text += "尺码仅供参考，喜欢宽松可以拍大一码哦😊"
    return Answer(_ok(text), "size_advice", src)


def _shoe_size(q: Question, product: Product, chart: list[dict[str, Any]]) -> SkillResult:
    sizes = [str(s).removesuffix("码") for s in q.values("size")]
    row = next((r for r in chart if str(r["size"]) in sizes), None)
    faq = _best_faq(q, ("size",), SIZE_WORDS)
    if row is None:
        return faq
    text = f"这款{product.title}{row['size']}码对应脚长{row['foot_length_mm']}mm"
    sources = [Source("product", product.product_id, "size_chart")]
    if isinstance(faq, Answer):
        text += "，" + _strip_open(faq.text)
        sources += faq.sources
    else:
        text += "，尺码仅供参考"
    return Answer(_ok(text), "size_advice", tuple(sources))


# --- stock -----------------------------------------------------------------------------------

RESTOCK_CUES = _w(
    "补货 到货 上新 什么时候有 啥时候有 几时有 再上 还会上 还会有 会补 还补 补不补 几号有"
)
STOCK_CUES = _w("有货 现货 库存 还有 有没有 缺货 断货 卖完 没货 有吗 剩")
STOCK_WORDS = _w("有货 现货 库存 还有 有没有 缺货 断货 卖完 没货 货 码 色 号 拍 剩 件 多少件")
_SIZE_ALIASES = {"XXL": "2XL", "XXXL": "3XL", "XXXXL": "4XL"}


def _norm_size(value: str) -> str:
    value = str(value).upper().removesuffix("码").strip()
    return _SIZE_ALIASES.get(value, value)


def _colors_in(q: Question, product: Product) -> list[str]:
    wanted = {normalize(str(c)).removesuffix("色") for c in q.values("color")}
    found = []
    for color in product.colors:
        base = normalize(color).removesuffix("色")
        if wanted:
            # The extracted colour decides: 奶白色 is not 白色 although it contains it.
            if base in wanted:
                found.append(color)
        elif len(base) >= 2 and base in q.norm:
            found.append(color)  # colours the extractor does not know (雾霾蓝, 香芋紫)
    return found


def _sizes_in(q: Question, product: Product) -> list[str]:
    wanted = {_norm_size(s) for s in q.values("size")}
    return [
        s
        for s in product.sizes
        # Letter and shoe sizes come from the extracted entities (XL is inside XXXL);
        # the shop's own wording of a spec (1.5m床, 5斤, 白色5L) is matched in the text.
        if _norm_size(s) in wanted or (not s.isascii() and normalize(s) in q.norm)
    ]


def stock_check(q: Question) -> SkillResult:
    product = q.product
    if product is None or not product.skus or q.has(*RESTOCK_CUES):
        return None  # restock dates are in nobody's data
    colors, sizes = _colors_in(q, product), _sizes_in(q, product)
    if not (colors or sizes or q.values("size") or q.values("color") or q.has(*STOCK_CUES)):
        return None  # nothing asks about stock
    if (q.values("size") and not sizes) or (q.values("color") and not colors):
        return None  # a size or colour the product does not come in: a person answers
    skus = [
        s
        for s in product.skus
        if (not colors or s.color in colors) and (not sizes or s.size in sizes)
    ]
    if not skus or not q.covered_by_product(product, STOCK_WORDS):
        return None
    src = tuple(Source("product", product.product_id, f"skus.{s.sku}.stock") for s in skus[:4])

    def name(s: Sku) -> str:
        unit = "码" if s.size and s.size.isascii() else ""
        return f"{s.color}{s.size}{unit}".strip()

    if len(skus) == 1:
        sku = skus[0]
        if sku.stock > 0:
            text = f"这款{name(sku)}有货的，目前库存{sku.stock}件，喜欢可以直接拍哦😊"
        else:
            others = [
                s
                for s in product.skus
                if s.stock > 0 and (s.color == sku.color or s.size == sku.size)
            ]
            alt = "、".join(name(s) for s in others[:4])
            text = f"这款{name(sku)}暂时缺货了" + (
                f"，目前{alt}有货，您可以看看哦" if alt else "，您可以先收藏关注一下哦"
            )
            src += tuple(
                Source("product", product.product_id, f"skus.{s.sku}.stock") for s in others[:4]
            )
        return Answer(_ok(text), "stock_check", src)
    in_stock = [s for s in skus if s.stock > 0]
    sold_out = [s for s in skus if s.stock <= 0]
    if not in_stock:
        text = f"这款{'、'.join(colors + sizes)}暂时缺货了，您可以看看其他颜色或尺码哦"
    elif not sold_out:
        what = "、".join(colors + sizes) or "所有颜色和尺码"
        text = f"这款{what}目前都有货，喜欢可以直接拍哦😊"
    elif len(in_stock) <= 6:
        text = f"这款目前有货的是{'、'.join(name(s) for s in in_stock)}"
        text += f"，{'、'.join(name(s) for s in sold_out[:6])}暂时缺货"
    else:
        text = f"这款大部分规格有货，{'、'.join(name(s) for s in sold_out[:6])}暂时缺货"
    src = tuple(Source("product", product.product_id, f"skus.{s.sku}.stock") for s in skus)
    return Answer(_ok(text), "stock_check", src)


# --- shipping fee, delivery time, courier ----------------------------------------------------

FEE_WORDS = _w(
    "额外 另算 另外 单独 另收 出 承担 算 运费 邮费 快递费 包邮 免邮 邮资 补 差价 偏远 地区 首重 续重 公斤 多少钱 "
    "费用 收费 寄 邮 加 贵 免费 省"
)
FEE_CUES = ("运费", "邮费", "快递费", "包邮", "免邮", "邮资", "首重", "续重", "寄", "邮", "偏远")
DELIVERY_WORDS = _w(
    "走 到手 拿到 收到货 快 慢 最快 收 收货 发货 发出 几天 多久 多长时间 到货 送到 到达 收到 时效 今天 明天 后天 当天 "
    "次日 快递 物流 出货 天 能到 到 下午 上午 晚上 点前 现在拍 付款"
)
COURIER_WORDS = _w(
    "快递 物流 发什么 换快递 指定 默认 哪家 哪个 换 换成 改 改成 加钱 差价 补 钱 一般"
)


def _province(q: Question) -> str | None:
    for value in q.values("province"):
        full = normalize_province(str(value))
        if full:
            return full
    return None


def _fee_quotes(q: Question, province: str, couriers: Sequence[str]) -> list[tuple[str, str]]:
    """(courier, fee text) for the product in focus (its weight and size), or the first kg."""
    product = q.product
    weight = product.weight_kg if product and product.weight_kg > 0 else 1.0
    dims = product.dims_cm if product else None
    out = []
    for code in couriers:
        request = ShippingQuoteRequest(
            id="bot", courier=code, province=province, weight_kg=weight, dims_cm=dims
        )
        try:
            result = quote(request, q.shop)
        except (UnknownCourier, NoRate):
            continue
        out.append((COURIER_NAMES.get(code, code), f"{yuan(money(result.fee))}元"))
    return out


def shipping_fee(q: Question) -> SkillResult:
    shop = q.shop
    province = _province(q)
    excluded = shop.free_shipping_excluded_provinces
    config_src = Source("config", "free_shipping_excluded_provinces")
    if province is None and not q.has(*FEE_CUES):
        return None  # "多少钱" alone asks for the price, not the postage
    if not q.covered(" ".join(excluded + list(COURIER_NAMES.values())), FEE_WORDS):
        return None
    if province is None and q.has("顺丰", "sf"):
        return _best_faq(q, ("shipping",), FEE_WORDS)  # the SF rates as the shop words them
    if province is None:
        short = "、".join(re.sub(r"(维吾尔|壮族|回族)?(自治区|省|市)$", "", p) for p in excluded)
        text = (
            "全场包邮"
            if shop.free_shipping_min_amount <= 0
            else (f"满{shop.free_shipping_min_amount:g}元包邮")
        )
        if short:
            text += (
                f"，{short}等偏远地区除外，这些地区需要补一点运费，告诉我收货省份可以帮您算好运费"
            )
        return Answer(_ok(text), "shipping_fee", (config_src,))
    if province_in(province, shop.delivery_excluded_provinces):
        text = f"由于快递配送范围的限制，{province}暂时不在配送范围内，建议您填写其他地区的收货地址"
        return Answer(_ok(text), "shipping_fee", (Source("config", "delivery_excluded_provinces"),))
    product = q.product
    basis = f"按这款{product.title}的重量" if product else "首重1kg"
    sources = [config_src, Source("rule", "policies §4"), Source("config", "couriers")]
    if product:
        sources.append(Source("product", product.product_id, "weight_kg"))
    if is_hmt(province):
        fees = _fee_quotes(q, province, [shop.hmt_courier])
        if not fees:
            return None
        courier, fee = fees[0]
        text = (
            f"港澳台地区只发{courier}，寄到{province}{basis}{courier}运费是{fee}，"
            "运费需要另外补，拍下后联系客服改价就可以"
        )
        sources.append(Source("config", "hmt_courier"))
        return Answer(_ok(text), "shipping_fee", tuple(sources))
    if province_in(province, excluded):
        fees = _fee_quotes(q, province, list(shop.couriers))
        if not fees:
            return None
        listing = "、".join(f"{c}{f}" for c, f in fees)
        text = (
            f"{province}属于偏远地区，暂时不在包邮范围内，需要补运费：{basis}，{listing}，"
            "拍下后先别付款，联系客服改好运费再支付就可以"
        )
        return Answer(_ok(text), "shipping_fee", tuple(sources))
    if shop.free_shipping_min_amount > 0:
        text = f"寄到{province}满{shop.free_shipping_min_amount:g}元包邮，不满的话" + "、".join(
            f"{c}{f}" for c, f in _fee_quotes(q, province, list(shop.couriers))
        )
        return Answer(_ok(text), "shipping_fee", tuple(sources))
    return Answer(_ok(f"寄到{province}是包邮的"), "shipping_fee", (config_src,))


ARRIVAL_CUES = _w(
    "什么时候到 啥时候到 最快 到手 几号能到 到货 几天到 几天能到 多久到 多久能到 送到 到达 能到 收到 几号到 几天可以到 多久可以到"
)
NO_ARRIVAL_PROMISE = "由于快递不受我们控制，具体到货时间以快递派送为准"


_WINDOW = re.compile(r"(?:最晚)?付款后\s*\d+(?:\.\d+)?\s*(?:天|小时|个小时)内发货")


def delivery_time(q: Question) -> SkillResult:
    shop = q.shop
    rule = f"付款后{_hours_phrase(shop.ship_within_hours)}内发货"
    faq = _best_faq(q, ("shipping",), DELIVERY_WORDS, extra_text=rule)
    arrival = _faq_by_keyword(q.kb, "几天到")
    if q.has(*ARRIVAL_CUES) and arrival is not None and (faq is None or "以快递" not in faq.text):
        # An arrival question gets the shop's typical transit times and their caveat.
        faq = Answer(_ok(arrival.answer), "faq:shipping", (Source("faq", arrival.faq_id),))
    sources: list[Source] = [Source("config", "ship_within_hours")]
    if isinstance(faq, Answer):
        body = _strip_open(faq.text).rstrip("😊")
        sources += faq.sources
    elif q.covered(rule, DELIVERY_WORDS):
        body = rule
    else:
        return None
    # The config is the rule: a shipping window in the FAQ's wording that differs from it
    # (an FAQ not updated after the config changed) is replaced by the config's.
    body = _WINDOW.sub(rule, body)
    if rule not in body:
        body = f"{rule}，{body}"
    province = _province(q)
    if province and is_hmt(province) and "顺丰" not in body:
        body += f"，港澳台地区只发{COURIER_NAMES.get(shop.hmt_courier, shop.hmt_courier)}"
        sources.append(Source("config", "hmt_courier"))
    if q.has(*ARRIVAL_CUES) and "以快递" not in body:
        body += f"，{NO_ARRIVAL_PROMISE}"
    return Answer(_ok(body), "delivery_time", tuple(sources))


def courier_choice(q: Question) -> SkillResult:
    shop = q.shop
    province = _province(q)
    hmt_name = COURIER_NAMES.get(shop.hmt_courier, shop.hmt_courier)
    if province and is_hmt(province):
        fees = _fee_quotes(q, province, [shop.hmt_courier])
        text = f"港澳台地区只能发{hmt_name}" + (f"，寄到{province}运费{fees[0][1]}" if fees else "")
        text += "，运费需要另外补，拍下后联系客服改价就可以"
        return Answer(_ok(text), "courier_choice", (Source("config", "hmt_courier"),))
    return _best_faq(q, ("shipping",), COURIER_WORDS)  # generic words only, no courier names


# --- orders and logistics --------------------------------------------------------------------

STATUS_TEXT = {
    "unpaid": "目前是待付款状态",
    "paid": "已付款，正在等待仓库发货",
    "shipped": "已发货",
    "signed": "已签收",
    "completed": "交易已完成",
    "closed": "已关闭",
    "refunding": "正在退款处理中",
}
ORDER_WORDS = _w(
    "订单 单号 快递 物流 到哪 到哪了 发货 发了 发没发 进度 状态 查 催 怎么还 "
    "还不 几天 多久 包裹 显示 更新 动 付款 退款 到账 退 钱 单子 签收 收到 东西 "
    "宝贝 拍的 买的 哪里 哪儿"
)


def target_order(q: Question) -> Order | None:
    """The buyer's own order the message is about: the one it names, else the latest one
    that fits the intent. An order number that is not this buyer's is never looked up."""
    own = q.context.own_orders()
    named = [str(v) for v in q.values("order_id")]
    if named:
        return next((o for o in own if o.order_id in named), None)
    wanted = {
        "urge_shipping": ("paid",),
        "logistics_query": ("shipped", "signed", "completed"),
        "not_received": ("signed", "shipped", "completed"),
        "refund_status": ("refunding",),
        "return_exchange": ("signed", "completed", "shipped"),
        "quality_complaint": ("signed", "completed"),
        "wrong_or_missing_item": ("signed", "completed"),
        "price_protection": ("paid", "shipped", "signed", "completed"),
        "payment_issue": ("unpaid",),
        "order_modify": ("unpaid", "paid"),
        "order_cancel": ("unpaid", "paid"),
    }.get(q.intent)
    fitting = [o for o in own if wanted is None or o.status in wanted]
    if not fitting:
        return None
    return max(fitting, key=lambda o: o.created_at)


def _events(q: Question, order: Order) -> list[TrackingEvent]:
    events = [
        e
        for e in q.context.tracking
        if e.order_id == order.order_id
        or (order.tracking_no and e.tracking_no == order.tracking_no)
    ]
    return sorted((e for e in events if e.ts <= q.now), key=lambda e: e.ts)


def order_status(q: Question) -> SkillResult:
    order = target_order(q)
    if order is None:
        if q.values("order_id"):
            return Escalation("order_not_found", "买家给的订单号不在其名下订单中")
        return None
    shop = q.shop
    oid = order.order_id
    sources: list[Source] = [Source("order", oid, "status")]
    head = f"您的订单{oid}{STATUS_TEXT.get(order.status, order.status)}"
    if order.status == "paid":
        late = assess_late_shipment(order, shop, q.now)
        if late.late:
            return Escalation("ship_late", "已超过发货时限，需人工跟进并按规则处理", oid)
        deadline = ship_deadline(order, shop)
        if deadline is None:
            text = f"{head}，预售或定制商品以页面发货时间为准，发货后可以在订单详情查看物流"
        else:
            text = f"{head}，按店铺规则会在{_local(deadline, shop)}前安排发出，发货后可以在订单详情查看物流"
            sources.append(Source("config", "ship_within_hours"))
        return Answer(_ok(text), "order_status", tuple(sources))
    if order.status in ("shipped", "signed", "completed"):
        events = _events(q, order)
        courier = COURIER_NAMES.get(order.courier or "", order.courier or "快递")
        bits = [head]
        if order.shipped_at:
            bits.append(f"{_local(order.shipped_at, shop)}由{courier}发出")
        if order.tracking_no:
            bits.append(f"运单号{order.tracking_no}")
        if events:
            last = events[-1]
            if last.status in ("failed", "returned") and order.status == "shipped":
                return Escalation("delivery_problem", f"最新物流：{last.desc}", oid)
            stalled = timedelta(days=shop.logistics.stalled_days)
            if order.status == "shipped" and q.now - last.ts > stalled:
                return Escalation(
                    "logistics_stalled", f"物流已{shop.logistics.stalled_days:g}天未更新", oid
                )
            # A courier note may carry the courier's phone: masked like every number we send.
            bits.append(f"最新物流：{_local(last.ts, shop)} {mask_phones_in_text(last.desc or '')}")
            sources.append(Source("tracking", last.tracking_no, last.ts.isoformat()))
        elif order.status == "shipped" and order.shipped_at is not None:
            if q.now - order.shipped_at > timedelta(hours=shop.logistics.no_scan_warn_hours):
                return Escalation("no_scan", "已发货但快递迟迟没有揽收记录", oid)
            bits.append("快递揽收后就能看到物流信息")
        if order.status == "signed" and order.signed_at:
            bits.append(f"{_local(order.signed_at, shop)}签收")
        bits.append(f"收货地址：{mask_address(order.address)}")
        sources.append(Source("order", oid, "address"))
        return Answer(_ok("，".join(bits)), "order_status", tuple(sources))
    if order.status == "refunding":
        faq = _faq_by_keyword(q.kb, "到账")
        text = head + ("，" + _strip_open(faq.answer) if faq else "")
        if faq:
            sources.append(Source("faq", faq.faq_id))
        return Answer(_ok(text), "order_status", tuple(sources))
    if order.status == "unpaid":
        text = f"{head}，付款后{_hours_phrase(shop.ship_within_hours)}内安排发货"
        return Answer(_ok(text), "order_status", (*sources, Source("config", "ship_within_hours")))
    return Answer(_ok(head + "，有其他问题可以随时联系我们"), "order_status", tuple(sources))


def logistics(q: Question) -> SkillResult:
    """Where the buyer's parcel is; without a shipped order, how to look it up (FAQ)."""
    if not q.covered("", ORDER_WORDS + DELIVERY_WORDS):
        return None
    result = order_status(q)
    if result is None:
        return _best_faq(q, ("logistics",))
    return result


def urge_shipping(q: Question) -> SkillResult:
    """A paid order's shipping deadline; without one, the shop's shipping-time rule."""
    if not q.covered("", ORDER_WORDS + DELIVERY_WORDS):
        return None
    result = order_status(q)
    return delivery_time(q) if result is None else result


REFUND_WORDS = _w("退款 到账 退钱 钱 退 多久 几天 时间 进度 审核 原路")


def refund_status(q: Question) -> SkillResult:
    """A refunding order's status; otherwise the shop's refund-timing FAQ, if it covers."""
    order = target_order(q)
    if order is not None and order.status == "refunding":
        return order_status(q)
    faq = _faq_by_keyword(q.kb, "到账")
    if faq is None or not q.covered(f"{faq.question} {faq.answer}", [*REFUND_WORDS, *faq.keywords]):
        return None
    return Answer(_ok(faq.answer), "refund_status", (Source("faq", faq.faq_id),))


# --- returns ---------------------------------------------------------------------------------

_REASON_CUES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("wrong_item", ("发错", "错发", "不是我买的", "颜色不对", "尺码不对", "发成")),
    ("damaged", ("破损", "破了", "摔坏", "压坏", "碎了", "坏的", "漏了")),
    (
        "quality",
        (
            "质量",
            "坏了",
            "掉色",
            "起球",
            "开线",
            "脱线",
            "异味",
            "臭",
            "故障",
            "不工作",
            "没反应",
            "用不了",
            "不制热",
            "漏电",
            "瑕疵",
            "断了",
        ),
    ),
    ("not_as_described", ("不符", "货不对板", "和图片不一样", "跟图片不一样", "描述不")),
    (
        "size",
        ("尺码", "大了", "小了", "偏大", "偏小", "不合身", "码数", "太大", "太小", "紧", "松"),
    ),
    ("dislike", ("不喜欢", "不想要", "不要了", "不太喜欢", "不好看", "难看")),
)
RETURN_WORDS = _w(
    "退 退货 换 换货 退换 无理由 七天 7天 申请 售后 寄回 不合适 运费险 吊牌 洗 穿 拆 用过"
)


def return_reason(text: str) -> str:
    norm = normalize(text)
    for reason, cues in _REASON_CUES:
        if any(c in norm for c in cues):
            return reason
    return "no_reason"


USED_CUES = ("穿过", "用过", "穿了", "用了", "戴过", "使用过", "吃了", "吃过")
WASHED_CUES = ("洗过", "洗了", "水洗", "洗完")
TAG_CUES = _w(
    "吊牌剪 剪了吊牌 剪掉吊牌 吊牌拆 拆了吊牌 标签剪 吊牌没了 包装扔 包装丢 盒子扔 "
    "盒子丢 剪 吊牌 标签 包装 盒子"
)
SEAL_CUES = ("拆封", "拆了", "打开了", "开封", "撕开")


def return_condition(text: str) -> ReturnCondition:
    norm = normalize(text)
    return ReturnCondition(
        used=any(c in norm for c in USED_CUES),
        washed=any(c in norm for c in WASHED_CUES),
        packaging_intact=not any(c in norm for c in TAG_CUES[:11]),
        seal_broken=any(c in norm for c in SEAL_CUES),
    )


_REJECT_WHY = {
    "CUSTOMIZED": "定制商品是按您的要求单独制作的",
    "PERISHABLE": "生鲜易腐食品签收后没法二次销售",
    "OPENED": "食品和洗护用品拆封或使用后会影响二次销售",
    "USED": "使用或洗涤过的商品会影响二次销售",
    "PACKAGING": "吊牌或包装不完整会影响二次销售",
}


def return_exchange(q: Question) -> SkillResult:
    cues = USED_CUES + WASHED_CUES + TAG_CUES + SEAL_CUES + SIZE_WORDS
    if not q.covered("", RETURN_WORDS + cues + tuple(c for _, cs in _REASON_CUES for c in cs)):
        return None
    shop = q.shop
    rule_src = Source("rule", "policies §2")
    order = target_order(q)
    days = f"{shop.returns.no_reason_days:g}"
    unshipped = [o for o in q.context.own_orders() if o.status in ("unpaid", "paid")]
    if order is None and unshipped and q.has("不想要", "不要了", "拍错", "取消", "不买了"):
        # Not shipped yet: that is a cancellation, which an agent carries out.
        latest = max(unshipped, key=lambda o: o.created_at)
        return Escalation("needs_action", "订单未发货，买家不想要了，需要人工处理", latest.order_id)
    if order is None or order.signed_at is None:
        if order is not None and order.status in ("unpaid", "paid"):
            return Escalation(
                "needs_action", "订单未发货，买家想退/换，需要人工处理", order.order_id
            )
        faq = _faq_by_keyword(q.kb, "七天无理由")
        text = f"支持{days}天无理由退换，签收后{days}天内商品不影响二次销售（吊牌包装完好、未洗涤未使用）就可以在订单详情申请"
        sources = [rule_src, Source("config", "returns.no_reason_days")]
        if faq:
            sources.append(Source("faq", faq.faq_id))
        return Answer(_ok(text), "return_exchange", tuple(sources))
    item = order.items[0] if order.items else None
    category = (item.category if item else None) or "other"
    product = q.kb.products.get("-".join((item.sku if item else "").split("-")[:2]))
    perishable = bool(product and "冷藏" in product.attributes.get("储存", ""))
    case = ReturnCase(
        id=order.order_id,
        category=category,
        reason=return_reason(q.text),  # type: ignore[arg-type]
        signed_at=order.signed_at,
        requested_at=q.now,
        condition=return_condition(q.text),
        evidence_photos=0,  # a chat text carries no photo: seller-side claims ask for them
        customized=bool(order.customized),
        perishable=perishable,
    )
    decision = decide_return(case, shop)
    elapsed = (q.now - order.signed_at).total_seconds() / 86400
    signed = f"您的订单{order.order_id}签收{max(elapsed, 0):.0f}天"
    sources = [rule_src, Source("order", order.order_id, "signed_at")]
    code = decision.code
    exchange = q.has("换")
    if code == "NEED_EVIDENCE":
        text = "非常抱歉给您带来不好的体验，麻烦拍几张问题部位的照片发给我们，核实后质量问题来回运费由我们承担，会尽快给您处理"
    elif code == "NO_REASON_OK":
        how = (
            "换货需要先把商品寄回，仓库收到后给您换新发出"
            if exchange
            else "可以在订单详情点“申请售后”填写退货快递单号，仓库收到验收后按流程处理"
        )
        text = (
            f"{signed}，在{days}天无理由退换期内，商品不影响二次销售就可以办理，{how}，"
            "非质量问题寄回运费由您承担（有运费险可以抵扣）"
        )
        if decision.buyer_pays_original_shipping and order.free_shipping:
            text += "，包邮订单的原发货运费也需要您承担"
    elif code == "OVER_NO_REASON_DAYS":
        text = (
            f"{signed}，由于已经超过了{days}天无理由退换期，非质量问题暂时办理不了无理由退换，"
            "如果商品有质量问题，可以拍照发给我们帮您处理"
        )
    elif code in _REJECT_WHY:
        text = f"因为{_REJECT_WHY[code]}，非质量问题暂时办理不了退换，如果商品有质量问题，可以拍照发给我们帮您处理"
    else:
        # Appliance ladder and seller-fault outcomes need photos checked by a person first.
        return Escalation("needs_action", f"退换规则结果 {code}", order.order_id)
    return Answer(_ok(text), "return_exchange", tuple(sources))


# --- promotions ------------------------------------------------------------------------------

PROMO_WORDS = _w(
    "哪天 几号 日 月 号 福利 立减 专享 新人 新客 优惠 优惠券 券 满减 活动 折扣 打折 会员 便宜 划算 减 到几号 几号 什么时候 "
    "结束 截止 开始 领 叠加 折 抹零 少点 最低 价"
)
_KIND_CUES = {"满减": ("满减", "满"), "coupon": ("券", "优惠券", "定金"), "member": ("会员",)}


PROMO_PROBLEM_CUES = _w("没减 不减 没优惠 用不了 不能用 怎么没 为什么没 为啥没 咋没 没有减 不满足")


def promotion(q: Question, require_coverage: bool = True) -> SkillResult:
    if q.has(*PROMO_PROBLEM_CUES):
        return None  # a coupon that did not work is a case for a person, not a list
    now = q.now
    live = [p for p in q.kb.promotions if p.active(now)]
    soon = [p for p in q.kb.promotions if p.upcoming(now)]
    asked = [k for k, cues in _KIND_CUES.items() if q.has(*cues)]
    if asked:
        live = [p for p in live if p.kind in asked] or live
        soon = [p for p in soon if p.kind in asked]
    text_all = " ".join(f"{p.title} {p.rule}" for p in live + soon)
    if not (live or soon) or (require_coverage and not q.covered(text_all, PROMO_WORDS)):
        return None
    parts = [
        f"{p.title}：{p.rule}" + (f"（活动到{_local(p.ends_at, q.shop)}）" if p.ends_at else "")
        for p in live
    ]
    parts += [
        f"{p.title}将于{_local(p.starts_at, q.shop)}开始：{p.rule}" for p in soon if p.starts_at
    ]
    head = "现在店铺的优惠有" if live else "近期的活动有"
    text = head + "；".join(parts)
    if q.intent == "price_bargain":
        faq = _faq_by_keyword(q.kb, "议价")
        if faq:
            text = _strip_open(faq.answer).rstrip("😊") + "，" + text
    sources = tuple(Source("promotion", p.promotion_id) for p in live + soon)
    return Answer(_ok(text), "promotion", sources)


def bargain(q: Question) -> SkillResult:
    """Any haggling gets the shop's price stance (its FAQ) and the running promotions: the
    seed's rule is that the price is the company's, with coupons and activities instead.
    A focus word (用不了) means a different question, which this does not answer."""
    faq = _faq_by_keyword(q.kb, "议价")
    if faq is None or any(t in FOCUS_WORDS for t in q.terms):
        return None
    stance = Answer(_ok(faq.answer), "bargain", (Source("faq", faq.faq_id),))
    promo = promotion(q, require_coverage=False)
    if isinstance(promo, Answer) and q.intent == "price_bargain":
        return Answer(promo.text, "bargain", (*stance.sources, *promo.sources))
    return stance


# --- greeting, farewell and FAQ-backed skills -----------------------------------------------


def fill_variables(text: str, q: Question, order_id: str | None = None) -> str | None:
    """A quick reply with {agent_no}/{buyer_name}/{order_id} filled, or None if one cannot be."""
    values = {
        "agent_no": q.context.agent_no,
        "buyer_name": q.context.buyer_name or "",
        "order_id": order_id or "",
    }
    for key, value in values.items():
        token = "{" + key + "}"
        if token in text:
            if not value:
                return None
            text = text.replace(token, value)
    return None if re.search(r"\{\w+\}", text) else text


def _quick_reply(q: Question, category: str) -> Answer | None:
    for reply in q.kb.quick_replies:
        if reply.category == category:
            text = fill_variables(reply.text, q)
            if text:
                return Answer(
                    text, f"quick_reply:{category}", (Source("quick_reply", reply.quick_reply_id),)
                )
    return None


GREETING_WORDS = _w(
    "在 人 客服 有人 哈喽 哈咯 嗨 hello hi 早上好 上午好 下午好 晚上好 早 在线 值班 回个话 "
    "宝宝 小哥 小姐姐 亲 親 老板娘 掌柜 店主"
)


def greeting(q: Question) -> SkillResult:
    if q.terms and not q.covered("", GREETING_WORDS):
        return None
    return _quick_reply(q, "welcome")


FAREWELL_WORDS = _w(
    "好的 知道了 明白 没事 再见 拜拜 谢 辛苦 考虑 等等 再等 看看 别的 没问题 thx thanks bye "
    "ok okok 行 收到 等消息 了解"
)


def thanks_bye(q: Question) -> SkillResult:
    if q.terms and not q.covered("", FAREWELL_WORDS):
        return None
    return _quick_reply(q, "farewell")


def _faq_by_keyword(kb: KnowledgeBase, keyword: str) -> Faq | None:
    """The FAQ tagged with `keyword`, else the first whose question mentions it."""
    tagged = next((f for f in kb.faqs if keyword in f.keywords), None)
    return tagged or next((f for f in kb.faqs if keyword in f.question), None)


# Minimum BM25 score for an FAQ to be considered at all (coverage still decides).
MIN_FAQ_SCORE = 1.0


_REGION_WORDS = ("港澳台", "偏远", *(re.sub(r"(维吾尔|壮族|回族)?(自治区|特别行政区|省|市)$", "", p)
                                    for p in PROVINCES))  # fmt: skip


def _fits_region(q: Question, text: str) -> bool:
    """An FAQ about some regions (港澳台, 新疆...) answers a buyer in another region wrongly."""
    province = _province(q)
    if province is None or not any(r in text for r in _REGION_WORDS):
        return True
    short = re.sub(r"(维吾尔|壮族|回族)?(自治区|特别行政区|省|市)$", "", province)
    return short in text or (is_hmt(province) and "港澳台" in text)


def _best_faq(
    q: Question,
    categories: Sequence[str] | None,
    lexicon: Iterable[str] = (),
    extra_text: str = "",
) -> Answer | None:
    """The first FAQ (best BM25 first) that covers every content term of the question."""
    lex = list(lexicon)
    for article, score in q.kb.search(q.text, kinds=("faq",), categories=categories, k=4):
        if score < MIN_FAQ_SCORE:
            break
        faq = q.kb.faq(article.id)
        if faq is None:
            continue
        covering = f"{faq.question} {' '.join(faq.keywords)} {faq.answer} {extra_text}"
        # The FAQ itself must speak to some content term of the question (the skill's topic
        # words only fill in around it): "你们老板是谁" has none and matches nothing.
        own = [t for t in q.terms if not uncovered_terms([t], covering, faq.keywords)]
        # A size or colour the buyer names is what they ask about: the FAQ must name it too.
        named = [
            normalize(q.text[e.start : e.end])
            for e in q.understanding.entities
            if e.type in ("size", "color")
        ]
        if any(n not in normalize(covering) for n in named):
            continue
        if not _fits_region(q, covering):
            continue
        if own and q.covered(covering, [*lex, *faq.keywords]):
            return Answer(_ok(faq.answer), f"faq:{faq.category}", (Source("faq", faq.faq_id),))
    return None


def _faq_skill(categories: Sequence[str] | None, lexicon: Sequence[str] = ()) -> Skill:
    def skill(q: Question) -> SkillResult:
        return _best_faq(q, categories, lexicon)

    return skill


def needs_person(reason: str, note: str) -> Skill:
    def skill(q: Question) -> SkillResult:
        order = target_order(q)
        return Escalation(reason, note, order.order_id if order else None)

    return skill


MISSING_CUES = _w("少发 漏发 少了 缺了 少一件 少一个 没发全 只收到")
_PROBLEM_FAQ = {
    "quality": "质量",
    "damaged": "破损",
    "wrong_item": "发错",
    "missing": "少发",
}


def after_sales_problem(q: Question) -> SkillResult:
    """Broken, faulty, wrong or missing: the returns rule asks for photos first (§2 row 1)."""
    # The seller-side reason picks the shop's FAQ for it (质量/破损 -> photos, 发错, 少发);
    # without a recognisable reason, only an FAQ that covers the whole question will do.
    reason = return_reason(q.text)
    if q.has(*MISSING_CUES):
        reason = "missing"
    keyword = _PROBLEM_FAQ.get(reason)
    faq = _faq_by_keyword(q.kb, keyword) if keyword else None
    if faq is not None:
        sources = (Source("faq", faq.faq_id), Source("rule", "policies §2"))
        return Answer(_ok(faq.answer), f"faq:{faq.category}", sources)
    found = _best_faq(q, ("aftersale",))
    if found is not None:
        return Answer(found.text, found.skill, (*found.sources, Source("rule", "policies §2")))
    return None


Skill = Callable[[Question], SkillResult]

# Topic words only: a specific option (普票, 微信支付) must come from the shop's own text.
INVOICE_WORDS = _w("发票 开票 抬头 税号 开 普通 个人 单位 报销 需要")
PAYMENT_WORDS = _w("付款 支付 付 钱")
COD_WORDS = ("货到付款", "到付", "cod", "先货后款", "收货再付", "手续费")
USAGE_WORDS = ("怎么", "使用", "用法", "洗", "清洗", "安装", "保养", "操作", "说明")
PLATFORM_WORDS = _w("平台 其他平台 别的平台")

# The skills to try for an intent, in order; the first grounded result wins.
SKILLS: dict[str, tuple[Skill, ...]] = {
    "greeting": (greeting,),
    "product_info": (product_facts, stock_check, _faq_skill(("product", "size"), PRODUCT_WORDS)),
    "size_advice": (size_advice, _faq_skill(("size",), SIZE_WORDS)),
    "stock_check": (stock_check, product_facts),
    "price_bargain": (bargain,),
    "promotion": (promotion, _faq_skill(("promotion",), PROMO_WORDS)),
    "shipping_fee": (shipping_fee, _faq_skill(("shipping",), FEE_WORDS)),
    "delivery_time": (delivery_time,),
    "courier_choice": (courier_choice,),
    "invoice": (_faq_skill(("invoice",), INVOICE_WORDS),),
    "payment_issue": (_faq_skill(("payment",), PAYMENT_WORDS),),
    "cod": (_faq_skill(("payment",), COD_WORDS),),
    "other_platform": (_faq_skill(("service",), PLATFORM_WORDS),),
    "order_modify": (needs_person("needs_action", "买家要修改订单"),),
    "order_cancel": (needs_person("needs_action", "买家要取消订单"),),
    "urge_shipping": (urge_shipping,),
    "logistics_query": (logistics,),
    "not_received": (needs_person("needs_action", "显示签收但买家未收到，需要查件"),),
    "return_exchange": (return_exchange, _faq_skill(("returns", "aftersale"), RETURN_WORDS)),
    "refund_status": (refund_status,),
    "quality_complaint": (after_sales_problem,),
    "wrong_or_missing_item": (after_sales_problem,),
    "price_protection": (needs_person("needs_action", "价保/补差价需要审核"),),
    "usage_help": (_faq_skill(("product",), USAGE_WORDS), product_facts),
    "thanks_bye": (thanks_bye,),
    "other": (_faq_skill(None),),
}


# Tried after the intent's own skills: a product fact the message plainly asks for
# ("多少钱" read as a postage question) is still grounded and worth giving.
FALLBACK_SKILLS: tuple[Skill, ...] = (product_facts,)
# Intents whose messages are about the buyer's own case: no generic fallback for them.
NO_FALLBACK = frozenset(
    {
        "order_modify", "order_cancel", "not_received", "price_protection", "urge_shipping",
        "logistics_query", "return_exchange", "refund_status", "quality_complaint",
        "wrong_or_missing_item", "payment_issue", "cod", "invoice", "complaint", "human_agent",
    }
)  # fmt: skip


def run_skills(q: Question) -> SkillResult:
    """The first grounded result of the intent's skills (None: nothing grounded)."""
    chain = SKILLS.get(q.intent, (_faq_skill(None),))
    if q.intent not in NO_FALLBACK:
        chain = (*chain, *(s for s in FALLBACK_SKILLS if s not in chain))
    for skill in chain:
        result = skill(q)
        if result is not None:
            return result
    return None
