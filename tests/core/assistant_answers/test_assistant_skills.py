"""Each grounded skill on its own, with a hand-made understanding (no model involved).

The demo shop's catalogue and FAQ are the data; shop configs are varied to show the skills
read the rules from the config rather than from the demo's numbers.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

import pytest
from assistant_env import context_for, demo

from kefu.core.assistant.knowledge import KnowledgeBase
from kefu.core.assistant.nlu import Understanding
from kefu.core.assistant.nlu.entities import Entity
from kefu.core.assistant.skills import (
    Answer,
    BuyerContext,
    Escalation,
    Question,
    delivery_time,
    fill_variables,
    greeting,
    order_status,
    product_facts,
    promotion,
    return_exchange,
    run_skills,
    shipping_fee,
    size_advice,
    stock_check,
)
from kefu.core.records import Order, TrackingEvent
from kefu.core.shopconfig import ShopConfig, build_shop_config

NOW = datetime.fromisoformat("2026-11-25T12:00:00+08:00")


def ask(
    text: str,
    intent: str,
    *entities: tuple[str, Any, str],
    context: BuyerContext | None = None,
    shop: ShopConfig | None = None,
    kb: KnowledgeBase | None = None,
    now: datetime = NOW,
) -> Question:
    """A question with entities given as (type, value, the text they span)."""
    found = []
    for kind, value, surface in entities:
        start = text.index(surface)
        found.append(Entity(kind, value, start, start + len(surface)))
    _, demo_shop, demo_kb = demo()
    return Question(
        text,
        Understanding(intent, 0.95, found),
        context or BuyerContext(),
        kb or demo_kb,
        shop or demo_shop,
        now,
    )


def answer(result: object) -> Answer:
    assert isinstance(result, Answer), result
    assert result.sources, "every answer cites its sources"
    return result


def kb_with(shop: ShopConfig) -> KnowledgeBase:
    data = demo()[0]
    return KnowledgeBase.build(
        shop=shop,
        products=data["products"],
        faqs=data["faqs"],
        quick_replies=data["quick_replies"],
        promotions=data["promotions"],
    )


# --- product facts ---------------------------------------------------------------------------


def test_product_fact_from_the_page_the_buyer_is_on() -> None:
    got = answer(
        product_facts(
            ask("这件是纯棉的吗", "product_info", context=BuyerContext(product_id="TS-001"))
        )
    )
    assert "100%棉" in got.text and got.sources[0].field == "attributes.材质"


def test_a_product_named_in_the_message_wins_over_the_page() -> None:
    q = ask("空气炸锅功率多大", "product_info", context=BuyerContext(product_id="TS-001"))
    assert "1400W" in answer(product_facts(q)).text


def test_price_range_over_skus() -> None:
    got = answer(
        product_facts(ask("多少钱", "product_info", context=BuyerContext(product_id="TS-001")))
    )
    assert "59-69元" in got.text


def test_a_property_the_data_does_not_hold_is_never_stated() -> None:
    ctx = BuyerContext(product_id="SA-037")
    assert product_facts(ask("这个能用在船上吗", "product_info", context=ctx)) is None
    assert product_facts(ask("功率多大，能用在船上吗", "product_info", context=ctx)) is None


def test_no_product_in_focus_no_product_fact() -> None:
    assert product_facts(ask("是什么材质", "product_info")) is None


# --- size advice ------------------------------------------------------------------------------


def test_size_from_height_and_weight() -> None:
    q = ask(
        "170 65kg穿什么码",
        "size_advice",
        ("height_cm", 170, "170"),
        ("weight_kg", 65, "65kg"),
        context=BuyerContext(product_id="TS-001"),
    )
    got = answer(size_advice(q))
    assert "L码" in got.text and "仅供参考" in got.text
    assert "保证" not in got.text and "百分百" not in got.text


def test_between_two_sizes_the_larger_one() -> None:
    # 168 cm is the top of M and the bottom of L; 66 kg is the top of L.
    q = ask(
        "168 66公斤",
        "size_advice",
        ("height_cm", 168, "168"),
        ("weight_kg", 66, "66公斤"),
        context=BuyerContext(product_id="TS-001"),
    )
    assert "建议选XL码" in answer(size_advice(q)).text


def test_one_measure_gives_advice_and_asks_for_the_other() -> None:
    q = ask(
        "身高172穿什么码",
        "size_advice",
        ("height_cm", 172, "172"),
        context=BuyerContext(product_id="TS-001"),
    )
    text = answer(size_advice(q)).text
    assert "L码" in text and "体重" in text


def test_outside_the_chart_goes_to_a_person() -> None:
    q = ask(
        "175 120kg穿什么码",
        "size_advice",
        ("height_cm", 175, "175"),
        ("weight_kg", 120, "120kg"),
        context=BuyerContext(product_id="TS-001"),
    )
    assert isinstance(size_advice(q), Escalation)


def test_no_chart_no_size_advice() -> None:
    q = ask(
        "170穿什么码",
        "size_advice",
        ("height_cm", 170, "170"),
        context=BuyerContext(product_id="SA-037"),
    )
    assert size_advice(q) is None


# --- stock -------------------------------------------------------------------------------------


def test_stock_of_one_sku() -> None:
    q = ask("黑色M还有吗", "stock_check", ("color", "黑色", "黑色"), ("size", "M", "M"),
            context=BuyerContext(product_id="TS-001"))  # fmt: skip
    got = answer(stock_check(q))
    assert "有货" in got.text and "230" in got.text
    assert got.sources[0].field == "skus.TS-001-M-BLK.stock"


def test_sold_out_sku_offers_what_is_in_stock() -> None:
    q = ask("灰色L码有货吗", "stock_check", ("color", "灰色", "灰色"), ("size", "L", "L"),
            context=BuyerContext(product_id="HD-003"))  # fmt: skip
    text = answer(stock_check(q)).text
    assert "暂时缺货" in text and "有货" in text
    assert "没有" not in text  # no bare negative


def test_a_size_the_product_does_not_come_in_is_not_answered() -> None:
    q = ask(
        "有XXXL吗",
        "stock_check",
        ("size", "XXXL", "XXXL"),
        context=BuyerContext(product_id="TS-001"),
    )
    assert stock_check(q) is None


def test_restock_dates_are_not_in_the_data() -> None:
    q = ask("灰色L什么时候补货", "stock_check", ("color", "灰色", "灰色"), ("size", "L", "L"),
            context=BuyerContext(product_id="HD-003"))  # fmt: skip
    assert stock_check(q) is None


# --- shipping fee -------------------------------------------------------------------------------


def test_remote_province_gets_quotes_per_courier() -> None:
    q = ask("新疆运费多少", "shipping_fee", ("province", "新疆维吾尔自治区", "新疆"))
    text = answer(shipping_fee(q)).text
    assert "圆通8元" in text and "顺丰22元" in text and "偏远" in text


def test_the_quote_follows_the_product_weight_and_the_config_rates() -> None:
    shop = build_shop_config(
        {"couriers": {"YTO": {"volumetric_divisor": 8000, "rates": [
            {"provinces": "*", "first_kg": 10, "extra_kg": 5}]}}}
    )  # fmt: skip
    kb = kb_with(shop)
    # The mattress weighs well over 1 kg: first kg + extra kgs at this shop's rates.
    q = ask("西藏运费多少", "shipping_fee", ("province", "西藏自治区", "西藏"),
            context=BuyerContext(product_id="HT-035"), shop=shop, kb=kb)  # fmt: skip
    text = answer(shipping_fee(q)).text
    product = kb.products["HT-035"]
    dims = product.dims_cm or [0, 0, 0]
    kg = max(1, math.ceil(max(product.weight_kg, dims[0] * dims[1] * dims[2] / 8000)))
    assert f"圆通{10 + (kg - 1) * 5}元" in text


def test_free_shipping_province() -> None:
    text = answer(
        shipping_fee(ask("寄到浙江包邮吗", "shipping_fee", ("province", "浙江省", "浙江")))
    ).text
    assert "包邮" in text and "元" not in text


def test_free_shipping_minimum_from_the_config() -> None:
    shop = build_shop_config({"free_shipping_min_amount": 99})
    q = ask("包邮吗", "shipping_fee", shop=shop, kb=kb_with(shop))
    assert "满99元包邮" in answer(shipping_fee(q)).text


def test_hong_kong_ships_by_sf_only() -> None:
    text = answer(
        shipping_fee(ask("香港运费多少", "shipping_fee", ("province", "香港特别行政区", "香港")))
    ).text
    assert "顺丰" in text and "圆通" not in text


def test_delivery_excluded_province_is_explained_with_an_alternative() -> None:
    shop = build_shop_config({"delivery_excluded_provinces": ["西藏自治区"]})
    q = ask(
        "西藏能发吗运费多少",
        "shipping_fee",
        ("province", "西藏自治区", "西藏"),
        shop=shop,
        kb=kb_with(shop),
    )
    text = answer(shipping_fee(q)).text
    assert "配送范围" in text and "建议" in text


def test_bare_price_question_is_not_a_postage_question() -> None:
    assert shipping_fee(ask("多少钱", "shipping_fee")) is None


# --- delivery time ---------------------------------------------------------------------------


def test_arrival_questions_never_get_a_promised_date() -> None:
    text = answer(
        delivery_time(ask("几天能到北京", "delivery_time", ("province", "北京市", "北京")))
    ).text
    assert "以快递派送为准" in text
    for promise in ("保证", "一定能到", "肯定能到"):
        assert promise not in text


def test_shipping_window_comes_from_the_config() -> None:
    shop = build_shop_config({"ship_within_hours": 48})
    text = answer(delivery_time(ask("多久发货", "delivery_time", shop=shop, kb=kb_with(shop)))).text
    assert "2天内发货" in text


def test_unknown_destination_is_not_answered() -> None:
    assert delivery_time(ask("能寄到火星吗", "delivery_time")) is None


# --- orders and logistics ------------------------------------------------------------------------


def _order(**over: Any) -> Order:
    base: dict[str, Any] = {
        "order_id": "3712345678901234567",
        "buyer_id": "tb_me",
        "status": "paid",
        "created_at": "2026-11-24T10:00:00+08:00",
        "paid_at": "2026-11-24T10:05:00+08:00",
        "amount": 199.0,
        "items": [{"sku": "TS-001-M-BLK", "title": "T恤", "category": "apparel", "qty": 1, "price": 199.0}],
        "address": {"name": "张三", "phone": "13812345678", "province": "浙江省", "city": "杭州市",
                    "district": "西湖区", "detail": "文三路123号"},
        "courier": "YTO",
    }  # fmt: skip
    base.update(over)
    return Order.model_validate(base)


def test_paid_order_gets_its_shipping_deadline() -> None:
    ctx = BuyerContext(buyer_id="tb_me", orders=[_order()])
    text = answer(order_status(ask("发货了吗", "urge_shipping", context=ctx))).text
    assert "11月27日10:05前" in text


def test_late_order_goes_to_a_person() -> None:
    ctx = BuyerContext(buyer_id="tb_me", orders=[_order(paid_at="2026-11-20T10:00:00+08:00")])
    result = order_status(ask("怎么还不发货", "urge_shipping", context=ctx))
    assert isinstance(result, Escalation) and result.reason == "ship_late"


def test_shipped_order_shows_latest_scan_and_masks_the_address() -> None:
    order = _order(status="shipped", shipped_at="2026-11-24T18:00:00+08:00", tracking_no="YT123")
    event = TrackingEvent.model_validate(
        {"tracking_no": "YT123", "order_id": order.order_id, "ts": "2026-11-25T08:00:00+08:00",
         "status": "in_transit", "location": "杭州转运中心", "desc": "快件已到达杭州转运中心"}
    )  # fmt: skip
    ctx = BuyerContext(buyer_id="tb_me", orders=[order], tracking=[event])
    text = answer(order_status(ask("快递到哪了", "logistics_query", context=ctx))).text
    assert "快件已到达杭州转运中心" in text and "YT123" in text
    assert "西湖区****" in text
    assert "13812345678" not in text and "文三路" not in text and "张三" not in text


def test_stalled_parcel_goes_to_a_person() -> None:
    order = _order(status="shipped", shipped_at="2026-11-18T18:00:00+08:00", tracking_no="YT123")
    event = TrackingEvent.model_validate(
        {"tracking_no": "YT123", "ts": "2026-11-19T08:00:00+08:00", "status": "in_transit"}
    )
    ctx = BuyerContext(buyer_id="tb_me", orders=[order], tracking=[event])
    result = order_status(ask("快递到哪了", "logistics_query", context=ctx))
    assert isinstance(result, Escalation) and result.reason == "logistics_stalled"


def test_other_buyers_orders_are_never_read() -> None:
    theirs = _order(buyer_id="tb_someone_else")
    ctx = BuyerContext(buyer_id="tb_me", orders=[theirs])
    q = ask(f"订单{theirs.order_id}到哪了", "logistics_query", ("order_id", theirs.order_id, theirs.order_id),
            context=ctx)  # fmt: skip
    result = order_status(q)
    assert isinstance(result, Escalation) and result.reason == "order_not_found"
    assert order_status(ask("快递到哪了", "logistics_query", context=ctx)) is None


# --- returns -------------------------------------------------------------------------------------


def _signed(days: float, **over: Any) -> BuyerContext:
    signed = (NOW - timedelta(days=days)).isoformat()
    order = _order(status="signed", shipped_at="2026-11-01T10:00:00+08:00", signed_at=signed,
                   free_shipping=True, **over)  # fmt: skip
    return BuyerContext(buyer_id="tb_me", orders=[order])


@pytest.mark.parametrize(
    ("text", "days", "must", "must_not"),
    [
        ("不合适想退", 3, "7天无理由", "不能退"),
        ("不合适想退", 9, "超过了7天", "不能退"),
        ("洗过了还能退吗", 2, "二次销售", "不退"),
        ("吊牌剪了能退吗", 2, "吊牌", "不退"),
        ("收到是坏的", 2, "照片", "马上给你退款"),
    ],
)
def test_return_rule_is_explained_never_promised(
    text: str, days: float, must: str, must_not: str
) -> None:
    got = answer(return_exchange(ask(text, "return_exchange", context=_signed(days))))
    assert must in got.text and must_not not in got.text
    assert "退款" not in got.text  # the bot never promises a refund
    assert any(s.ref == "policies §2" for s in got.sources)


def test_free_shipping_order_returned_without_reason_costs_the_original_postage() -> None:
    text = answer(return_exchange(ask("不喜欢想退", "return_exchange", context=_signed(2)))).text
    assert "原发货运费" in text


def test_return_days_come_from_the_config() -> None:
    shop = build_shop_config({"returns": {"no_reason_days": 15}})
    q = ask("不合适想退", "return_exchange", context=_signed(9), shop=shop, kb=kb_with(shop))
    assert "15天无理由" in answer(return_exchange(q)).text


def test_unshipped_order_return_is_a_cancellation_for_a_person() -> None:
    ctx = BuyerContext(buyer_id="tb_me", orders=[_order()])
    assert isinstance(
        return_exchange(ask("不想要了能退吗", "return_exchange", context=ctx)), Escalation
    )


# --- promotions, greeting, variables -----------------------------------------------------------


def test_only_running_and_coming_promotions_are_offered() -> None:
    got = answer(promotion(ask("有什么活动", "promotion")))
    refs = {s.ref for s in got.sources}
    assert "promo-01" in refs and "promo-04" not in refs  # promo-04 ended on 11-11


def test_promotion_end_date_in_the_shop_timezone() -> None:
    assert "12月1日23:59" in answer(promotion(ask("满减活动到几号", "promotion"))).text


def test_greeting_names_the_agent() -> None:
    got = answer(greeting(ask("在吗", "greeting", context=BuyerContext(agent_no="客服8号"))))
    assert "客服8号" in got.text and "{" not in got.text


def test_fill_variables_refuses_unknown_values() -> None:
    q = ask("在吗", "greeting", context=BuyerContext(agent_no="客服8号"))
    assert fill_variables("您好，我是{agent_no}", q) == "您好，我是客服8号"
    assert fill_variables("{buyer_name}您好", q) is None
    assert fill_variables("订单{order_id}已发货", q, "123") == "订单123已发货"
    assert fill_variables("{unknown}", q) is None


def test_action_intents_always_need_a_person() -> None:
    ctx = context_for("tb_nobody")
    for intent in ("order_modify", "order_cancel", "not_received", "price_protection"):
        assert isinstance(run_skills(ask("帮我处理一下", intent, context=ctx)), Escalation), intent


def test_a_phone_number_in_the_courier_note_is_masked() -> None:
    order = _order(status="shipped", shipped_at="2026-11-24T18:00:00+08:00", tracking_no="YT123")
    event = TrackingEvent.model_validate(
        {"tracking_no": "YT123", "ts": "2026-11-25T09:00:00+08:00", "status": "out_for_delivery",
         "desc": "派件员正在派件，电话13912345678"}
    )  # fmt: skip
    ctx = BuyerContext(buyer_id="tb_me", orders=[order], tracking=[event])
    text = answer(order_status(ask("快递到哪了", "logistics_query", context=ctx))).text
    assert "139****5678" in text and "13912345678" not in text
