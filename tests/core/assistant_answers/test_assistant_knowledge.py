"""The knowledge base built from plain data (kefu.core.assistant.knowledge)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from kefu.core.assistant.knowledge import KnowledgeBase, Product, Source, money, yuan
from kefu.core.shopconfig import build_shop_config

NOW = datetime.fromisoformat("2026-11-25T12:00:00+08:00")

MUG = {
    "product_id": "MG-1",
    "title": "陶瓷马克杯大容量",
    "category": "other",
    "price": 25,
    "attributes": {"材质": "高温陶瓷", "容量": "400ml"},
    "description": "釉下彩，可进微波炉。",
    "weight_kg": 0.4,
    "dims_cm": [12, 10, 10],
    "skus": [
        {"sku": "MG-1-W", "color": "白色", "size": "", "stock": 5, "price": 25},
        {"sku": "MG-1-B", "color": "黑色", "size": "", "stock": 0, "price": 29.9},
    ],
}
PROMOS = [
    {
        "promotion_id": "p-live",
        "title": "冬季满减",
        "kind": "满减",
        "rule": "满100减10",
        "starts_at": "2026-11-20T00:00:00+08:00",
        "ends_at": "2026-11-30T23:59:00+08:00",
    },
    {
        "promotion_id": "p-old",
        "title": "双11",
        "kind": "coupon",
        "rule": "满200减30",
        "starts_at": "2026-11-01T00:00:00+08:00",
        "ends_at": "2026-11-11T23:59:00",  # no offset: read in the shop's zone
    },
]


def small_kb() -> KnowledgeBase:
    return KnowledgeBase.build(
        shop=build_shop_config({"name": "杯子小店"}),
        products=[MUG],
        faqs=[
            {
                "faq_id": "f1",
                "question": "能开发票吗？",
                "answer": "亲，支持开发票哦",
                "category": "invoice",
                "keywords": ["发票"],
            }
        ],
        quick_replies=[
            {
                "quick_reply_id": "q1",
                "title": "欢迎",
                "text": "您好，我是{agent_no}😊",
                "category": "welcome",
                "shortcut": "/hy",
            }
        ],
        promotions=PROMOS,
    )


def test_product_parsing_keeps_money_exact() -> None:
    product = Product.from_dict(MUG)
    assert product.price == Decimal("25.00")
    assert [s.price for s in product.skus] == [Decimal("25.00"), Decimal("29.90")]
    assert product.colors == ["白色", "黑色"]
    assert product.sizes == []  # empty sizes are not sizes
    assert "高温陶瓷" in product.text()


def test_money_and_yuan_render_like_chat() -> None:
    assert yuan(money(59)) == "59"
    assert yuan(money("29.90")) == "29.9"
    assert yuan(money(0.125)) == "0.13"  # half up


def test_every_article_cites_its_source() -> None:
    kb = small_kb()
    kinds = {a.kind for a in kb.articles}
    assert {"faq", "quick_reply", "product", "promotion", "rule"} <= kinds
    faq = next(a for a in kb.articles if a.kind == "faq")
    assert faq.source == Source("faq", "f1")
    rules = {a.source.ref for a in kb.articles if a.kind == "rule"}
    assert "free_shipping_excluded_provinces" in rules and "policies §4" in rules


def test_search_filters_by_kind_and_category() -> None:
    kb = small_kb()
    hits = kb.search("能开发票吗", kinds=("faq",))
    assert hits and hits[0][0].id == "f1"
    assert kb.search("能开发票吗", kinds=("faq",), categories=("shipping",)) == []


def test_product_named_in_the_message() -> None:
    kb = small_kb()
    assert kb.product_named_in("马克杯能进微波炉吗") is not None
    assert kb.product_named_in("这个能进微波炉吗") is None


def test_promotions_are_read_in_the_shop_timezone() -> None:
    kb = small_kb()
    live = [p.promotion_id for p in kb.promotions if p.active(NOW)]
    assert live == ["p-live"]
    old = next(p for p in kb.promotions if p.promotion_id == "p-old")
    assert old.ends_at is not None and old.ends_at.utcoffset() is not None


def test_build_from_nothing_is_an_empty_but_usable_base() -> None:
    kb = KnowledgeBase.build(shop=build_shop_config())
    assert kb.products == {} and kb.search("发票", kinds=("faq",)) == []
    assert kb.product_named_in("T恤") is None
