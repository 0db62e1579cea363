"""The shop's knowledge the bot may answer from, built from plain data.

`KnowledgeBase.build(products=..., faqs=..., quick_replies=..., promotions=..., shop=...)`
takes the same dicts the demo shop and the database hold (keys: see `kefu.demo`) and the
`ShopConfig`, and indexes every article (FAQ, quick reply, product, promotion, shop rule)
for BM25 retrieval. Every fact the bot states carries a `Source`: the article id, the
product field or the rule/config key it came from.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from kefu.core.assistant.retrieval import Bm25Index, add_words, normalize, words
from kefu.core.shopconfig import ShopConfig
from kefu.core.timeutil import parse_time, to_decimal

COURIER_NAMES: dict[str, str] = {
    "SF": "顺丰",
    "YTO": "圆通",
    "ZTO": "中通",
    "STO": "申通",
    "YUNDA": "韵达",
    "EMS": "EMS",
    "JD": "京东",
}


def money(value: float | int | str | Decimal) -> Decimal:
    """Yuan, half up to 2 decimals."""
    return to_decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def yuan(value: Decimal) -> str:
    """`59.00` -> `59`, `29.90` -> `29.9`: how a price reads in chat."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text or "0"


@dataclass(frozen=True)
class Source:
    """Where a stated fact comes from.

    kind: product | faq | quick_reply | promotion | rule | config | order | tracking;
    ref: the id (`TS-001`, `faq-024`, `promo-01`, `policies §4`, an order id...);
    field: the part used (`attributes.材质`, `size_chart`, `skus.TS-001-M-BLK.stock`).
    """

    kind: str
    ref: str
    field: str | None = None

    def label(self) -> str:
        return f"{self.kind}:{self.ref}" + (f"#{self.field}" if self.field else "")


@dataclass(frozen=True)
class Sku:
    sku: str
    color: str
    size: str
    stock: int
    price: Decimal


@dataclass(frozen=True)
class Product:
    product_id: str
    title: str
    category: str
    price: Decimal
    attributes: dict[str, str]
    size_chart: list[dict[str, Any]] | None
    description: str
    weight_kg: float
    dims_cm: list[float] | None
    skus: tuple[Sku, ...]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Product:
        skus = tuple(
            Sku(
                sku=str(s.get("sku", "")),
                color=str(s.get("color") or ""),
                size=str(s.get("size") or ""),
                stock=int(s.get("stock") or 0),
                price=money(s.get("price") or data.get("price") or 0),
            )
            for s in data.get("skus") or []
        )
        dims = data.get("dims_cm")
        return cls(
            product_id=str(data["product_id"]),
            title=str(data.get("title") or ""),
            category=str(data.get("category") or "other"),
            price=money(data.get("price") or 0),
            attributes={str(k): str(v) for k, v in (data.get("attributes") or {}).items()},
            size_chart=list(data["size_chart"]) if data.get("size_chart") else None,
            description=str(data.get("description") or ""),
            weight_kg=float(data.get("weight_kg") or 0.0),
            dims_cm=[float(d) for d in dims] if dims and len(dims) == 3 else None,
            skus=skus,
        )

    @property
    def colors(self) -> list[str]:
        return list(dict.fromkeys(s.color for s in self.skus if s.color))

    @property
    def sizes(self) -> list[str]:
        return list(dict.fromkeys(s.size for s in self.skus if s.size))

    def text(self) -> str:
        """Everything the shop says about the product, as one searchable text."""
        attrs = " ".join(f"{k} {v}" for k, v in self.attributes.items())
        chart = " ".join(str(row.get("size", "")) for row in self.size_chart or [])
        return " ".join(
            [self.title, attrs, self.description, " ".join(self.colors), " ".join(self.sizes)]
            + [chart]
        )


@dataclass(frozen=True)
class Faq:
    faq_id: str
    question: str
    answer: str
    category: str
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class QuickReply:
    quick_reply_id: str
    title: str
    text: str
    category: str
    shortcut: str


@dataclass(frozen=True)
class Promotion:
    promotion_id: str
    title: str
    kind: str
    rule: str
    starts_at: datetime | None
    ends_at: datetime | None

    def active(self, now: datetime) -> bool:
        started = self.starts_at is None or self.starts_at <= now
        return started and (self.ends_at is None or now <= self.ends_at)

    def upcoming(self, now: datetime) -> bool:
        return self.starts_at is not None and now < self.starts_at


@dataclass(frozen=True)
class Article:
    """One retrievable unit: `text` is what is indexed, `source` what it is cited as."""

    id: str
    kind: str  # faq | quick_reply | product | promotion | rule
    category: str
    title: str
    text: str
    source: Source


def _policy_articles(shop: ShopConfig) -> list[Article]:
    """The shop rules the bot may quote, written out from the config (policies §2-§4)."""
    excluded = "、".join(shop.free_shipping_excluded_provinces) or "无"
    rules = [
        (
            "free_shipping",
            "shipping",
            "包邮规则",
            f"包邮 运费 免运费 不包邮地区：{excluded}"
            + (
                f" 满{shop.free_shipping_min_amount:g}元包邮"
                if shop.free_shipping_min_amount
                else ""
            ),
            Source("config", "free_shipping_excluded_provinces"),
        ),
        (
            "ship_within",
            "shipping",
            "发货时效",
            f"发货 付款后{shop.ship_within_hours:g}小时内发货 多久发货 什么时候发",
            Source("config", "ship_within_hours"),
        ),
        (
            "hmt_courier",
            "shipping",
            "港澳台快递",
            f"香港 澳门 台湾 港澳台 只发{COURIER_NAMES.get(shop.hmt_courier, shop.hmt_courier)}",
            Source("config", "hmt_courier"),
        ),
        (
            "shipping_quote",
            "shipping",
            "运费计算",
            "运费 首重 续重 计费重量 体积重 "
            + " ".join(COURIER_NAMES.get(c, c) for c in shop.couriers),
            Source("rule", "policies §4"),
        ),
        (
            "returns",
            "returns",
            "退换货规则",
            f"退货 退换 {shop.returns.no_reason_days}天无理由 质量问题"
            f"{shop.returns.quality_claim_days}天内 小家电保修{shop.returns.appliance_repair_days}天",
            Source("rule", "policies §2"),
        ),
    ]
    return [
        Article(f"rule-{key}", "rule", cat, title, text, src)
        for key, cat, title, text, src in rules
    ]


@dataclass
class KnowledgeBase:
    shop: ShopConfig
    products: dict[str, Product]
    faqs: list[Faq]
    quick_replies: list[QuickReply]
    promotions: list[Promotion]
    articles: list[Article]
    _index: Bm25Index = field(repr=False)
    _product_index: Bm25Index = field(repr=False)
    _product_order: list[str] = field(repr=False)

    @classmethod
    def build(
        cls,
        *,
        shop: ShopConfig,
        products: Iterable[Mapping[str, Any]] = (),
        faqs: Iterable[Mapping[str, Any]] = (),
        quick_replies: Iterable[Mapping[str, Any]] = (),
        promotions: Iterable[Mapping[str, Any]] = (),
    ) -> KnowledgeBase:
        prods = {p.product_id: p for p in (Product.from_dict(d) for d in products)}
        faq_list = [
            Faq(
                str(d["faq_id"]),
                str(d.get("question") or ""),
                str(d.get("answer") or ""),
                str(d.get("category") or ""),
                tuple(str(k) for k in d.get("keywords") or []),
            )
            for d in faqs
        ]
        qr_list = [
            QuickReply(
                str(d["quick_reply_id"]),
                str(d.get("title") or ""),
                str(d.get("text") or ""),
                str(d.get("category") or ""),
                str(d.get("shortcut") or ""),
            )
            for d in quick_replies
        ]
        promo_list = [
            Promotion(
                str(d["promotion_id"]),
                str(d.get("title") or ""),
                str(d.get("kind") or ""),
                str(d.get("rule") or ""),
                parse_time(d["starts_at"], shop.tz) if d.get("starts_at") else None,
                parse_time(d["ends_at"], shop.tz) if d.get("ends_at") else None,
            )
            for d in promotions
        ]
        # The shop's own words (attribute names, colours, product nouns) become jieba words,
        # so 充绒量 or 雾霾蓝 stay whole in questions and articles alike.
        vocabulary: list[str] = []
        for p in prods.values():
            vocabulary += list(p.attributes) + p.colors
            vocabulary += [v for v in p.attributes.values() if len(v) <= 6]
        for f in faq_list:
            vocabulary += list(f.keywords)
        add_words(vocabulary)

        articles: list[Article] = []
        for f in faq_list:
            text = f"{f.question} {' '.join(f.keywords)} {f.answer}"
            articles.append(
                Article(f.faq_id, "faq", f.category, f.question, text, Source("faq", f.faq_id))
            )
        for q in qr_list:
            articles.append(
                Article(
                    q.quick_reply_id,
                    "quick_reply",
                    q.category,
                    q.title,
                    f"{q.title} {q.text}",
                    Source("quick_reply", q.quick_reply_id),
                )
            )
        for p in prods.values():
            articles.append(
                Article(
                    p.product_id,
                    "product",
                    p.category,
                    p.title,
                    p.text(),
                    Source("product", p.product_id),
                )
            )
        for pr in promo_list:
            articles.append(
                Article(
                    pr.promotion_id,
                    "promotion",
                    pr.kind,
                    pr.title,
                    f"{pr.title} {pr.kind} {pr.rule} 优惠 活动",
                    Source("promotion", pr.promotion_id),
                )
            )
        articles += _policy_articles(shop)
        order = list(prods)
        return cls(
            shop=shop,
            products=prods,
            faqs=faq_list,
            quick_replies=qr_list,
            promotions=promo_list,
            articles=articles,
            _index=Bm25Index([a.text for a in articles]),
            _product_index=Bm25Index([prods[pid].title for pid in order]),
            _product_order=order,
        )

    # --- look-ups -------------------------------------------------------------------------

    def search(
        self,
        query: str,
        kinds: Sequence[str] | None = None,
        categories: Sequence[str] | None = None,
        k: int = 5,
    ) -> list[tuple[Article, float]]:
        """BM25 hits, best first, optionally only of some kinds / categories."""
        allowed = [
            i
            for i, a in enumerate(self.articles)
            if (kinds is None or a.kind in kinds)
            and (categories is None or a.category in categories)
        ]
        return [(self.articles[s.index], s.score) for s in self._index.top(query, k, allowed)]

    def faq(self, faq_id: str) -> Faq | None:
        return next((f for f in self.faqs if f.faq_id == faq_id), None)

    def quick_reply(self, quick_reply_id: str) -> QuickReply | None:
        return next((q for q in self.quick_replies if q.quick_reply_id == quick_reply_id), None)

    def product_named_in(self, text: str) -> Product | None:
        """The product the message names by a word of its title (空气炸锅, 羽绒服, 四件套).

        Only title words of 2+ characters that are not generic descriptors count, and a tie
        between products (两款T恤) names none of them."""
        norm = normalize(text)
        best: list[tuple[int, str]] = []
        for pid in self._product_order:
            product = self.products[pid]
            hits = [w for w in title_nouns(product.title) if w in norm]
            if hits:
                best.append((max(len(w) for w in hits) + len(hits), pid))
        if not best:
            return None
        best.sort(key=lambda b: -b[0])
        if len(best) > 1 and best[0][0] == best[1][0]:
            return None
        return self.products[best[0][1]]

    def products_named_in(self, text: str) -> list[Product]:
        norm = normalize(text)
        return [
            self.products[pid]
            for pid in self._product_order
            if any(w in norm for w in title_nouns(self.products[pid].title))
        ]


# Title words that describe rather than name a product: they never identify one.
_TITLE_DESCRIPTORS = frozenset(
    {
        "男女",
        "同款",
        "男女同款",
        "宽松",
        "秋冬",
        "秋季",
        "夏季",
        "冬季",
        "薄款",
        "加厚",
        "家用",
        "大容量",
        "纯棉",
        "经典",
        "情侣",
        "情侣款",
        "成人",
        "成人款",
        "充电",
        "充电款",
        "静音",
        "大功率",
        "多功能",
        "温和",
        "清爽",
        "持久",
        "留香",
        "保湿",
        "滋润",
        "卧室",
        "成品",
        "显瘦",
        "高腰",
        "休闲",
        "短款",
        "立领",
        "低帮",
        "慵懒",
        "慵懒风",
        "圆领",
        "长袖",
        "短袖",
        "重磅",
        "轻薄",
        "无线",
        "智能",
        "恒温",
        "便携式",
        "便携",
        "混合",
        "每日",
        "特级",
        "明前",
        "低温",
        "烘焙",
        "上用",
        "用品",
        "床上",
        "套装",
        "男款",
        "女款",
    }
)


def title_nouns(title: str) -> list[str]:
    out = []
    for w in words(title):
        if len(w) >= 2 and w not in _TITLE_DESCRIPTORS and not w.isdigit() and not w.isascii():
            out.append(w)
    # Latin product words (T恤) keep their CJK tail.
    out += [m for m in ("t恤",) if m in normalize(title)]
    return out
