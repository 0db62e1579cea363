"""The demo shop: deterministic, valid against the records, and covering what the pages and
rules need (every status, every problem-order flag, every stage, QA slips)."""

from __future__ import annotations

import json
import re
import time
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from kefu.core.records import ORDER_STATUSES, Conversation, Order, TrackingEvent
from kefu.core.regions import HMT, normalize_province, province_key
from kefu.core.shopconfig import build_shop_config
from kefu.demo import DEMO_PASSWORD, DemoShop, generate_demo_shop

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=SHANGHAI)
CATEGORIES = {"apparel", "food", "daily_chemical", "home_textile", "small_appliance"}
MOBILE = re.compile(r"^1[3-9]\d{9}$")


@pytest.fixture(scope="module", params=[2026, 7, 31])
def shop(request: pytest.FixtureRequest) -> DemoShop:
    """The default shop and two other seeds: coverage must not hang on one lucky draw."""
    return generate_demo_shop(request.param)


def _dump(shop: DemoShop) -> str:
    return json.dumps(shop.as_dict(), ensure_ascii=False, sort_keys=False)


def _t(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


# ---------------------------------------------------------------- determinism, speed


def test_same_seed_gives_byte_identical_json() -> None:
    first = _dump(generate_demo_shop())
    assert _dump(generate_demo_shop(2026)) == first
    assert _dump(generate_demo_shop(seed=2026, now=NOW)) == first


def test_other_seed_gives_another_shop() -> None:
    shop, other = generate_demo_shop(2026), generate_demo_shop(7)
    assert _dump(other) != _dump(shop)
    assert [o["order_id"] for o in other.orders] != [o["order_id"] for o in shop.orders]
    assert other.faqs == shop.faqs  # the shop's knowledge does not depend on the seed


def test_generation_is_fast() -> None:
    generate_demo_shop(1)  # warm imports
    start = time.perf_counter()
    generate_demo_shop(3)
    assert time.perf_counter() - start < 2.0


def test_times_follow_now() -> None:
    later = NOW + timedelta(days=40)
    shifted = generate_demo_shop(now=later)
    naive = generate_demo_shop(now=later.replace(tzinfo=None))
    assert _dump(shifted) == _dump(naive)  # a naive now is shop time
    created = [_t(o["created_at"]) for o in shifted.orders]
    assert max(c for c in created if c) > NOW
    assert all(c is not None and c <= later for c in created)


def test_everything_is_json_ready(shop: DemoShop) -> None:
    assert json.loads(_dump(shop)) == shop.as_dict()
    assert DEMO_PASSWORD == "kefu-demo"


# ---------------------------------------------------------------- config, agents


def test_config_is_the_contract_shop(shop: DemoShop) -> None:
    assert shop.config["shop_id"] == "demo"
    assert shop.config["name"] == "小鹿生活旗舰店"
    assert shop.config["platform"] == "taobao"
    parsed = build_shop_config(shop.config)
    assert parsed.ship_within_hours == 72


def test_agents_cover_every_role(shop: DemoShop) -> None:
    roles = Counter(a["role"] for a in shop.agents)
    for role in ("presale", "insale", "aftersale", "review"):
        assert roles[role] >= 2
    for role in ("supervisor", "manager", "admin"):
        assert roles[role] >= 1
    ids = [a["agent_id"] for a in shop.agents]
    assert len(set(ids)) == len(ids)
    queues = {"presale", "insale", "aftersale", "review"}
    for agent in shop.agents:
        assert re.fullmatch(r"kf\d\d", agent["agent_id"])
        assert agent["username"] == agent["agent_id"]
        assert agent["agent_no"] == f"客服{int(agent['agent_id'][2:])}号"
        assert set(agent["queues"]) <= queues
        assert agent["status"] in {"online", "busy", "away", "offline"}
        if agent["role"] in queues:
            assert agent["role"] in agent["queues"]
    assert any(a["agent_no"] == "客服8号" for a in shop.agents)


# ---------------------------------------------------------------- catalogue


def test_catalogue(shop: DemoShop) -> None:
    assert len(shop.products) >= 40
    by_category = Counter(p["category"] for p in shop.products)
    assert set(by_category) == CATEGORIES
    assert min(by_category.values()) >= 6
    skus = [s["sku"] for p in shop.products for s in p["skus"]]
    assert len(set(skus)) == len(skus)
    for product in shop.products:
        assert product["skus"]
        assert product["price"] == min(s["price"] for s in product["skus"])
        assert len(product["dims_cm"]) == 3 and product["weight_kg"] > 0
        assert all(isinstance(v, str) and v for v in product["attributes"].values())
        for sku in product["skus"]:
            assert sku["sku"].startswith(product["product_id"] + "-")
            assert re.fullmatch(r"[A-Z]{2}-\d{3}(-[0-9A-Z]+)+", sku["sku"]), sku["sku"]
            assert isinstance(sku["stock"], int) and sku["stock"] >= 0
            assert sku["price"] > 0 and Decimal(str(sku["price"])).as_tuple().exponent >= -2
        if product["category"] == "apparel" and product["size_chart"]:
            sizes = {s["size"] for s in product["skus"]}
            assert {row["size"] for row in product["size_chart"]} == sizes
    assert "TS-001-M-BLK" in skus
    charts = [p for p in shop.products if p["size_chart"]]
    assert len(charts) >= 6
    assert all(p["size_chart"] is None for p in shop.products if p["category"] == "food")
    top = next(p for p in shop.products if p["product_id"] == "TS-001")
    rows = top["size_chart"]
    assert all(a["height_max"] <= b["height_min"] for a, b in zip(rows, rows[1:], strict=False))
    assert any(s["stock"] == 0 for p in shop.products for s in p["skus"])


# ---------------------------------------------------------------- buyers


def test_buyers(shop: DemoShop) -> None:
    assert len(shop.buyers) >= 150
    ids = [b["buyer_id"] for b in shop.buyers]
    assert len(set(ids)) == len(ids)
    provinces = set()
    for buyer in shop.buyers:
        assert buyer["buyer_id"].startswith("tb_")
        assert MOBILE.match(buyer["phone"])
        assert 2 <= len(buyer["name"]) <= 4
        assert 0 <= buyer["vip_level"] <= 5
        assert buyer["addresses"]
        for address in buyer["addresses"]:
            assert set(address) == {"name", "phone", "province", "city", "district", "detail"}
            assert normalize_province(address["province"]) == address["province"]
            assert address["city"] and address["district"] and len(address["detail"]) >= 6
            assert MOBILE.match(address["phone"])
            provinces.add(address["province"])
    for needed in (
        "新疆维吾尔自治区",
        "西藏自治区",
        "青海省",
        "内蒙古自治区",
        "海南省",
        "香港特别行政区",
        "澳门特别行政区",
        "台湾省",
    ):
        assert needed in provinces
    assert len(provinces) >= 28
    assert sum(len(b["addresses"]) > 1 for b in shop.buyers) >= 10


# ---------------------------------------------------------------- orders


def test_orders_validate_and_are_consistent(shop: DemoShop) -> None:
    assert len(shop.orders) >= 400
    skus = {s["sku"]: (p, s) for p in shop.products for s in p["skus"]}
    buyers = {b["buyer_id"] for b in shop.buyers}
    ids = [o["order_id"] for o in shop.orders]
    assert len(set(ids)) == len(ids)
    tracking = [o["tracking_no"] for o in shop.orders if o["tracking_no"]]
    assert len(set(tracking)) == len(tracking)
    for raw in shop.orders:
        order = Order.model_validate(raw)
        assert re.fullmatch(r"\d{15,20}", order.order_id)
        assert order.buyer_id in buyers
        total = sum(Decimal(str(i.price)) * i.qty for i in order.items)
        assert Decimal(str(order.amount)) == total
        for item in order.items:
            product, sku = skus[item.sku]
            assert item.price == sku["price"] and item.category == product["category"]
        # Cash on delivery is paid when signed for, after shipping.
        paid = order.paid_at if order.payment_method == "online" else None
        times = [order.created_at, paid, order.shipped_at, order.signed_at]
        present = [t for t in times if t is not None]
        assert present == sorted(present) and present[-1] <= NOW
        status = order.status
        assert (order.shipped_at is not None) == (
            status in {"shipped", "signed", "completed", "refunding"}
        )
        assert (order.tracking_no is not None) == (order.shipped_at is not None)
        if status in {"signed", "completed"}:
            assert order.signed_at is not None
        if status == "unpaid":
            assert order.paid_at is None
        if status == "paid":
            assert order.paid_at is not None
        if order.payment_method == "online" and status in {"shipped", "signed", "completed"}:
            assert order.paid_at is not None
        assert raw["created_at"].endswith("+08:00")


def test_every_status_and_courier(shop: DemoShop) -> None:
    statuses = Counter(o["status"] for o in shop.orders)
    assert set(statuses) == set(ORDER_STATUSES)
    assert min(statuses.values()) >= 10
    couriers = {o["courier"] for o in shop.orders}
    assert {"SF", "YTO", "ZTO", "EMS"} <= couriers
    for order in shop.orders:
        if order["tracking_no"] and order["courier"] == "SF":
            assert re.fullmatch(r"SF\d{12,15}", order["tracking_no"])
    assert any(o["presale"] for o in shop.orders)
    assert any(o["customized"] for o in shop.orders)
    assert any(len(o["items"]) > 1 for o in shop.orders)
    assert any(i["qty"] > 1 for o in shop.orders for i in o["items"])


def _stock(shop: DemoShop) -> dict[str, int]:
    return {s["sku"]: s["stock"] for p in shop.products for s in p["skus"]}


def _independent_flags(shop: DemoShop) -> dict[str, set[str]]:
    """The taxonomy's problem-order flags, by simple predicates written from the spec."""
    config = shop.config
    excluded = {province_key(p) for p in config["free_shipping_excluded_provinces"]}
    flags: dict[str, set[str]] = defaultdict(set)
    open_orders = [o for o in shop.orders if o["status"] in ("unpaid", "paid")]

    def key(o: dict[str, Any]) -> str:
        a = o["address"]
        return province_key(a["province"]) + "".join(
            "".join((a["city"] or "", a["district"] or "", a["detail"] or "")).split()
        )

    by_buyer: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for order in open_orders:
        by_buyer[order["buyer_id"]].append(order)
    for orders in by_buyer.values():
        if len({key(o) for o in orders}) > 1:
            flags["MULTI_ADDRESS"] |= {o["order_id"] for o in orders}
    remaining = dict(_stock(shop))
    queue = sorted(
        open_orders,
        key=lambda o: (o["status"] != "paid", o["paid_at"] or o["created_at"], o["order_id"]),
    )
    for order in queue:
        need = Counter()
        for item in order["items"]:
            need[item["sku"]] += item["qty"]
        if all(remaining.get(sku, 10**9) >= qty for sku, qty in need.items()):
            for sku, qty in need.items():
                if sku in remaining:
                    remaining[sku] -= qty
        else:
            flags["OUT_OF_STOCK"].add(order["order_id"])
    for order in shop.orders:
        oid, address = order["order_id"], order["address"]
        unshipped = order["status"] in ("unpaid", "paid") and not order["shipped_at"]
        if (
            normalize_province(address["province"]) is None
            or not address["city"]
            or len(address["detail"]) < 4
        ):
            flags["ADDRESS_INCOMPLETE"].add(oid)
        if normalize_province(address["province"]) in HMT and order["courier"] != "SF":
            flags["HMT_NON_SF"].add(oid)
        if order["free_shipping"] and province_key(address["province"]) in excluded:
            flags["FREE_SHIPPING_INELIGIBLE"].add(oid)
        if order["status"] in ("unpaid", "paid") and re.search(r"\w", order["buyer_note"]):
            flags["BUYER_NOTE"].add(oid)
        if order["payment_method"] == "cod" and unshipped:
            flags["COD_CONFIRM"].add(oid)
        if order["address_changed_after_payment"] and unshipped:
            flags["ADDRESS_CHANGED"].add(oid)
        if (
            order["status"] == "paid"
            and unshipped
            and not (order["presale"] or order["customized"])
        ):
            waited = NOW - datetime.fromisoformat(order["paid_at"])
            if timedelta(hours=48) <= waited <= timedelta(hours=72):
                flags["SHIP_LATE_RISK"].add(oid)
            elif waited > timedelta(hours=72):
                flags["SHIP_LATE"].add(oid)
    return flags


ALL_FLAGS = (
    "MULTI_ADDRESS",
    "ADDRESS_INCOMPLETE",
    "HMT_NON_SF",
    "OUT_OF_STOCK",
    "FREE_SHIPPING_INELIGIBLE",
    "BUYER_NOTE",
    "COD_CONFIRM",
    "SHIP_LATE_RISK",
    "SHIP_LATE",
    "ADDRESS_CHANGED",
)


def test_every_problem_flag_is_present(shop: DemoShop) -> None:
    flags = _independent_flags(shop)
    for flag in ALL_FLAGS:
        assert len(flags[flag]) >= 2, flag
    flagged = set().union(*flags.values())
    # Problem orders are the exception, not the rule.
    assert len(flagged) < len(shop.orders) * 0.25
    # Presale and customized orders waited long but are exempt from ship-late flags.
    exempt = [o for o in shop.orders if o["presale"] or o["customized"]]
    assert any(NOW - datetime.fromisoformat(o["paid_at"]) > timedelta(hours=72) for o in exempt)


def test_triage_rules_agree_on_coverage(shop: DemoShop) -> None:
    triage_module = pytest.importorskip("kefu.core.orders.triage")
    config = build_shop_config(shop.config)
    orders = [Order.model_validate(o, context={"tz": config.tz}) for o in shop.orders]
    found = triage_module.triage(orders, config, NOW, _stock(shop))
    by_flag: dict[str, set[str]] = defaultdict(set)
    for order, flags in zip(orders, found, strict=True):
        for flag in flags:
            by_flag[flag].add(order.order_id)
    for flag in ALL_FLAGS:
        assert by_flag[flag], flag
    mine = _independent_flags(shop)
    for flag in (
        "HMT_NON_SF",
        "COD_CONFIRM",
        "SHIP_LATE_RISK",
        "SHIP_LATE",
        "ADDRESS_CHANGED",
        "FREE_SHIPPING_INELIGIBLE",
        "MULTI_ADDRESS",
        "OUT_OF_STOCK",
    ):
        assert by_flag[flag] == mine[flag], flag


# ---------------------------------------------------------------- tracking


def test_tracking_events(shop: DemoShop) -> None:
    orders = {o["order_id"]: o for o in shop.orders}
    by_parcel: dict[str, list[TrackingEvent]] = defaultdict(list)
    for raw in shop.tracking_events:
        event = TrackingEvent.model_validate(raw)
        order = orders[event.order_id or ""]
        assert order["tracking_no"] == event.tracking_no
        assert order["courier"] == event.courier
        assert event.ts <= NOW
        assert event.ts >= datetime.fromisoformat(order["shipped_at"])
        by_parcel[event.tracking_no].append(event)
    statuses = Counter(e["status"] for e in shop.tracking_events)
    assert set(statuses) == {
        "collected",
        "in_transit",
        "out_for_delivery",
        "delivered",
        "failed",
        "returned",
    }
    for events in by_parcel.values():
        assert [e.ts for e in events] == sorted(e.ts for e in events)
        assert events[0].status == "collected"
    shipped = [o for o in shop.orders if o["status"] == "shipped"]
    no_scan = [o for o in shipped if o["tracking_no"] not in by_parcel]
    assert no_scan, "some shipped parcels have no scan yet"
    stalled = [
        o
        for o in shipped
        if o["tracking_no"] in by_parcel
        and NOW - by_parcel[o["tracking_no"]][-1].ts > timedelta(days=3)
        and by_parcel[o["tracking_no"]][-1].status == "in_transit"
    ]
    assert stalled, "some parcels are stalled"
    refused = 0
    for order in shop.orders:
        if order["status"] in ("signed", "completed") and order["tracking_no"] in by_parcel:
            assert by_parcel[order["tracking_no"]][-1].status == "delivered"
        if order["status"] == "refunding" and not order["signed_at"]:
            assert by_parcel[order["tracking_no"]][-1].status == "returned"
            refused += 1
    assert refused


# ---------------------------------------------------------------- conversations


def test_conversations_validate(shop: DemoShop) -> None:
    assert len(shop.conversations) >= 200
    agents = {a["agent_id"] for a in shop.agents}
    buyers = {b["buyer_id"] for b in shop.buyers}
    orders = {o["order_id"]: o for o in shop.orders}
    ids = [c["conversation_id"] for c in shop.conversations]
    assert len(set(ids)) == len(ids)
    for raw in shop.conversations:
        conversation = Conversation.model_validate(raw)
        assert conversation.buyer_id in buyers
        assert conversation.agent_id is None or conversation.agent_id in agents
        for order_id in conversation.order_ids or []:
            assert orders[order_id]["buyer_id"] == conversation.buyer_id
        times = [m.ts for m in conversation.messages]
        assert times == sorted(times) and times[-1] <= NOW
        assert conversation.messages[0].sender == "buyer"
        assert all(m.text.strip() for m in conversation.messages)
        if conversation.agent_id is not None:
            assert any(m.sender == "agent" for m in conversation.messages)


def test_conversations_cover_stages_intents_and_ratings(shop: DemoShop) -> None:
    stages = Counter(c["stage"] for c in shop.conversations)
    assert set(stages) == {"pre", "in", "post"}
    intents = Counter(i for c in shop.conversations for i in c["intents"])
    assert len(intents) >= 22
    for intent in (
        "size_advice",
        "price_bargain",
        "logistics_query",
        "return_exchange",
        "complaint",
        "human_agent",
        "invoice",
        "urge_shipping",
    ):
        assert intents[intent] >= 2, intent
    ratings = [c["rating"] for c in shop.conversations if c["rating"] is not None]
    assert sum(r >= 4 for r in ratings) / len(ratings) > 0.7
    assert any(r <= 2 for r in ratings)
    # None: the few chats still in progress (test_some_chats_are_live)
    assert {c["closed_by"] for c in shop.conversations} == {"agent", "buyer", "timeout", None}
    texts = [m["text"] for c in shop.conversations for m in c["messages"]]
    assert "您好，我是客服8号，很高兴为您服务😊" in texts
    assert any(m["sender"] == "bot" for c in shop.conversations for m in c["messages"])
    assert any(c["agent_id"] is None for c in shop.conversations)  # night, bot only
    # Varied, not one script: many distinct buyer lines and agent lines.
    assert len(set(texts)) > len(texts) * 0.3
    plain = Counter(
        m["text"]
        for c in shop.conversations
        for m in c["messages"]
        if m["sender"] == "agent" and not m["quick_reply"]
    )
    assert plain.most_common(1)[0][1] < sum(plain.values()) * 0.05
    by_agent = Counter(c["agent_id"] for c in shop.conversations)
    assert len([a for a in by_agent if a]) >= 8


# Simple readings of the QA rules (taxonomy.md), to check that clean chats are clean and
# that the planted slips are there for the QA pages.
NEGATIVE = ("不能", "不行", "不可以", "没有", "没办法", "不知道", "不清楚", "不支持")
EXPLAINED = ("因为", "由于", "建议", "您可以", "可以", "不过", "但是", "这边", "或者", "如果")
FORBIDDEN = (
    "保证明天",
    "一定能到",
    "肯定能到",
    "绝对不",
    "百分百",
    "肯定给你退",
    "马上给你退",
    "微信",
    "QQ",
    "好评返现",
    "爱买不买",
    "不会看",
    "你懂不懂",
    "假货",
    "质量很差",
    "你有病",
)
GREETING = ("您好", "你好", "亲", "欢迎", "在的")
CLOSING = ("感谢", "谢谢", "再见", "祝您", "欢迎再来", "期待", "有问题随时")


NAMES: set[str] = set()  # every buyer's full name, filled by the tests that need it


def _shop_says(conversation: dict[str, Any]) -> list[dict[str, Any]]:
    return [m for m in conversation["messages"] if m["sender"] in ("agent", "bot")]


def _findings(conversation: dict[str, Any]) -> set[str]:
    found: set[str] = set()
    messages = conversation["messages"]
    for message in _shop_says(conversation):
        text = message["text"]
        if any(w in text for w in NEGATIVE) and not any(w in text for w in EXPLAINED):
            found.add("negative")
        if any(w in text for w in FORBIDDEN):
            found.add("forbidden")
        if re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", text):
            found.add("privacy")
        if re.search(r"(路|道|街|段)\d+号", text) and any(n in text for n in NAMES):
            found.add("privacy")  # a full street address with the buyer's full name
        if len(re.sub(r"[\W_]", "", text)) == 1:
            found.add("one_word")
    first_buyer = _t(messages[0]["ts"])
    first_reply = next(m for m in messages if m["sender"] in ("agent", "bot"))
    assert first_buyer is not None
    if (_t(first_reply["ts"]) or first_buyer) - first_buyer > timedelta(seconds=10):
        found.add("slow_first")
    if not any(g in first_reply["text"] for g in GREETING):
        found.add("no_greeting")
    run_start: datetime | None = None
    first_run = True
    for message in messages:
        ts = _t(message["ts"])
        if message["sender"] == "buyer":
            run_start = run_start or ts
        elif message["sender"] == "agent" and run_start is not None:
            if not first_run and ts is not None and ts - run_start > timedelta(seconds=60):
                found.add("slow")
            run_start, first_run = None, False
        elif message["sender"] == "agent":
            first_run = False
    agent_texts = [m["text"] for m in messages if m["sender"] == "agent"]
    if conversation["closed_by"] == "agent" and not any(c in agent_texts[-1] for c in CLOSING):
        found.add("no_closing")
    if agent_texts and max(Counter(agent_texts).values()) >= 3:
        found.add("quick_overuse")
    return found


def test_clean_conversations_follow_the_house_rules(shop: DemoShop) -> None:
    NAMES.update(b["name"] for b in shop.buyers)
    clean = [c for c in shop.conversations if c["qa_flaw"] is None]
    assert len(clean) > len(shop.conversations) * 0.8
    for conversation in clean:
        assert _findings(conversation) == set(), conversation["conversation_id"]


def test_planted_qa_slips_are_detectable(shop: DemoShop) -> None:
    NAMES.update(b["name"] for b in shop.buyers)
    flawed = [c for c in shop.conversations if c["qa_flaw"]]
    kinds = {c["qa_flaw"] for c in flawed}
    assert kinds == {
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
    }
    expected = {
        "bare_negative": "negative",
        "one_word": "one_word",
        "slow_first": "slow_first",
        "slow": "slow",
        "no_greeting": "no_greeting",
        "promise": "forbidden",
        "no_closing": "no_closing",
        "quick_overuse": "quick_overuse",
        "rude": "forbidden",
        "privacy": "privacy",
        "off_platform": "forbidden",
        "competitor": "forbidden",
    }
    for conversation in flawed:
        assert expected[conversation["qa_flaw"]] in _findings(conversation), conversation
    # A low rating is likelier after a slip.
    rated = [c for c in flawed if c["rating"] is not None]
    assert rated and sum(c["rating"] <= 3 for c in rated) >= 1


# ---------------------------------------------------------------- knowledge


def test_faqs(shop: DemoShop) -> None:
    assert len(shop.faqs) >= 60
    ids = [f["faq_id"] for f in shop.faqs]
    assert len(set(ids)) == len(ids)
    categories = Counter(f["category"] for f in shop.faqs)
    for category in ("shipping", "returns", "payment", "invoice", "product", "size", "promotion"):
        assert categories[category] >= 3, category
    for faq in shop.faqs:
        assert faq["question"] and faq["answer"] and faq["keywords"]
    answers = " ".join(f["answer"] for f in shop.faqs)
    for fact in (
        "新疆",
        "西藏",
        "青海",
        "甘肃",
        "宁夏",
        "内蒙古",
        "海南",
        "顺丰",
        "7天",
        "货到付款",
        "发票",
        "09:00-21:00",
    ):
        assert fact in answers, fact


def test_quick_replies(shop: DemoShop) -> None:
    assert len(shop.quick_replies) >= 40
    shortcuts = [q["shortcut"] for q in shop.quick_replies]
    assert len(set(shortcuts)) == len(shortcuts)
    assert all(re.fullmatch(r"/[a-z0-9]+", s) for s in shortcuts)
    assert {"welcome", "bargaining", "logistics", "returns", "farewell", "payment"} <= {
        q["category"] for q in shop.quick_replies
    }
    variables = set()
    for reply in shop.quick_replies:
        variables |= set(re.findall(r"\{(\w+)\}", reply["text"]))
    assert variables == {"agent_no", "buyer_name", "order_id"}
    welcome = next(q for q in shop.quick_replies if q["shortcut"] == "/hy")
    assert welcome["text"].format(agent_no="客服8号") == "您好，我是客服8号，很高兴为您服务😊"


def test_promotions(shop: DemoShop) -> None:
    assert len(shop.promotions) >= 3
    assert {p["kind"] for p in shop.promotions} == {"coupon", "满减", "member"}
    for promotion in shop.promotions:
        assert _t(promotion["starts_at"]) < _t(promotion["ends_at"])  # type: ignore[operator]
    running = [p for p in shop.promotions if _t(p["starts_at"]) <= NOW <= _t(p["ends_at"])]  # type: ignore[operator]
    assert running


def test_canned_texts_follow_the_house_rules(shop: DemoShop) -> None:
    """FAQ answers and quick replies are what the bot and agents send: no bare negatives, no
    forbidden promises, a greeting in every welcome and a closing in every farewell."""
    texts = [f["answer"] for f in shop.faqs] + [q["text"] for q in shop.quick_replies]
    for text in texts:
        assert not any(w in text for w in FORBIDDEN), text
        if any(w in text for w in NEGATIVE):
            assert any(w in text for w in EXPLAINED), text
    for reply in shop.quick_replies:
        if reply["category"] == "welcome" and reply["shortcut"] in ("/hy", "/hygl", "/hyname"):
            assert any(g in reply["text"] for g in GREETING)
        if reply["category"] == "farewell":
            assert any(c in reply["text"] for c in CLOSING)
