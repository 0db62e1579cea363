"""Hand-off: when the bot steps back, to which queue, with what context (respond + handoff)."""

from __future__ import annotations

from datetime import datetime

import pytest
from assistant_env import context_for, demo

from kefu.core.assistant.answer import BotTurn, respond, suggest_replies
from kefu.core.assistant.handoff import (
    HANDOFF_MESSAGE,
    anger_score,
    in_business_hours,
    is_angry,
    summarize_transcript,
)
from kefu.core.assistant.knowledge import KnowledgeBase
from kefu.core.assistant.nlu import Understanding
from kefu.core.assistant.nlu.entities import Entity
from kefu.core.assistant.skills import BuyerContext
from kefu.core.records import Order
from kefu.core.shopconfig import ShopConfig, build_shop_config

NOW = datetime.fromisoformat("2026-11-25T12:00:00+08:00")
NIGHT = datetime.fromisoformat("2026-11-25T23:30:00+08:00")


def turn(
    text: str,
    intent: str,
    confidence: float = 0.95,
    entities: list[Entity] | None = None,
    context: BuyerContext | None = None,
    shop: ShopConfig | None = None,
    kb: KnowledgeBase | None = None,
    now: datetime = NOW,
) -> BotTurn:
    _, demo_shop, demo_kb = demo()
    return respond(
        text,
        context or BuyerContext(agent_no="客服8号"),
        kb or demo_kb,
        shop or demo_shop,
        now,
        understanding=Understanding(intent, confidence, entities or []),
    )


# --- anger ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "垃圾店，骗子！",
        "再不发货我就打12315",
        "到底发不发货？？？",
        "什么破东西",
        "三天了还不发，太离谱了！！",
    ],
)
def test_angry_messages(text: str) -> None:
    assert is_angry(text), text


@pytest.mark.parametrize(
    "text",
    ["在吗在吗", "这件有L码吗？？", "好的谢谢！", "快递到哪了", "订单3712315678901234567到哪了"],
)
def test_calm_messages(text: str) -> None:
    assert not is_angry(text), (text, anger_score(text))


# --- the reasons ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("intent", "queue"), [("human_agent", "presale"), ("complaint", "aftersale")]
)
def test_buyer_asks_for_a_person_or_complains(intent: str, queue: str) -> None:
    result = turn("我要找人工处理", intent)
    assert result.handoff is not None and result.handoff.reason == intent
    assert result.handoff.queue == queue
    assert result.reply == HANDOFF_MESSAGE == "亲，已经为您转接人工客服，请稍等哦😊"
    assert result.answer is None and not result.sources


def test_complaint_about_a_review_goes_to_the_review_queue() -> None:
    result = turn("你们再这样我就给差评", "complaint")
    assert result.handoff is not None and result.handoff.queue == "review"


def test_anger_hands_off_even_on_an_answerable_topic() -> None:
    result = turn("包邮吗？？？垃圾", "shipping_fee")
    assert result.handoff is not None and result.handoff.reason == "angry"
    assert result.handoff.queue == "aftersale"


def test_confidence_threshold_comes_from_the_shop_config() -> None:
    assert turn("包邮吗", "shipping_fee", confidence=0.55).handoff is not None
    shop = build_shop_config({"bot": {"handoff_confidence": 0.5, "handoff_amount": 1000}})
    assert turn("包邮吗", "shipping_fee", confidence=0.55, shop=shop).answer is not None


def _order(amount: float) -> Order:
    return Order.model_validate(
        {
            "order_id": "3712345678901234567",
            "buyer_id": "tb_me",
            "status": "paid",
            "created_at": "2026-11-25T10:00:00+08:00",
            "paid_at": "2026-11-25T10:05:00+08:00",
            "amount": amount,
            "items": [{"sku": "JK-004-L-BLK", "category": "apparel", "price": amount}],
            "address": {"province": "浙江省", "city": "杭州市", "district": "西湖区"},
        }
    )


def test_big_orders_go_to_a_person_at_the_configured_amount() -> None:
    ctx = BuyerContext(buyer_id="tb_me", orders=[_order(1000.01)])
    big = turn("发货了吗", "urge_shipping", context=ctx)
    assert big.handoff is not None and big.handoff.reason == "big_order"
    assert big.handoff.order_id == "3712345678901234567"
    at_limit = turn(
        "发货了吗", "urge_shipping", context=BuyerContext(buyer_id="tb_me", orders=[_order(1000)])
    )
    assert at_limit.answer is not None  # "above" the amount, not at it
    shop = build_shop_config({"bot": {"handoff_confidence": 0.6, "handoff_amount": 5000}})
    assert turn("发货了吗", "urge_shipping", context=ctx, shop=shop).answer is not None


def test_no_grounded_answer_hands_off_to_the_intent_queue() -> None:
    result = turn("这个能用在船上吗", "product_info", context=BuyerContext(product_id="SA-037"))
    assert result.handoff is not None and result.handoff.reason == "no_grounded_answer"
    assert result.handoff.queue == "presale"


def test_outside_business_hours_the_buyer_is_told_when_agents_are_back() -> None:
    result = turn("转人工", "human_agent", now=NIGHT)
    assert result.handoff is not None
    assert "09:00-21:00" in result.reply and "上班后" in result.reply
    assert not in_business_hours(NIGHT, demo()[1]) and in_business_hours(NOW, demo()[1])


# --- what the agent receives -------------------------------------------------------------------


def test_handoff_carries_intent_entities_and_a_masked_transcript() -> None:
    ctx = BuyerContext(
        transcript=[("buyer", "在吗"), ("bot", "您好，我是客服8号"), ("buyer", "我电话13812345678")]
    )
    entity = Entity("order_id", "3712345678901234567", 0, 19)
    result = turn("3712345678901234567 我要投诉", "complaint", entities=[entity], context=ctx)
    handoff = result.handoff
    assert handoff is not None
    assert handoff.intent == "complaint"
    assert handoff.entities == [{"type": "order_id", "value": "3712345678901234567"}]
    summary = handoff.transcript_summary
    assert (
        "投诉" in summary and "在吗" in summary and "买家：3712345678901234567 我要投诉" in summary
    )
    assert "13812345678" not in summary and "138****5678" in summary


def test_summary_keeps_only_the_last_turns_and_shortens_long_ones() -> None:
    transcript = [("buyer", f"第{i}句" + "很长" * 60) for i in range(20)]
    summary = summarize_transcript(transcript, "最后一句", "other", 0.3, [], "low_confidence")
    assert "第0句" not in summary and "第19句" in summary and "最后一句" in summary
    assert all(len(line) <= 90 for line in summary.splitlines())


# --- answers and agent assist ------------------------------------------------------------------


def test_an_answer_cites_sources_and_passes_the_qa_rules() -> None:
    from kefu.core.assistant.answer import qa_findings

    result = turn(
        "新疆运费多少", "shipping_fee", entities=[Entity("province", "新疆维吾尔自治区", 0, 2)]
    )
    assert result.answer is not None and result.sources == result.answer.sources
    assert not qa_findings(result.reply, demo()[1])


def test_suggestions_are_three_filled_drafts_with_the_grounded_answer_first() -> None:
    data, shop, kb = demo()
    ctx = context_for(None, "TS-001", buyer_name="小鹿001")
    u = Understanding("product_info", 0.99, [])
    drafts = suggest_replies("这件是纯棉的吗", ctx, kb, shop, NOW, understanding=u)
    assert len(drafts) == 3
    assert drafts[0].kind == "skill" and "100%棉" in drafts[0].text
    assert len({d.text for d in drafts}) == 3
    assert all("{" not in d.text and d.sources for d in drafts)


def test_suggestions_for_a_complaint_start_with_an_apology() -> None:
    data, shop, kb = demo()
    u = Understanding("complaint", 0.99, [])
    drafts = suggest_replies("我要投诉你们", context_for(None), kb, shop, NOW, understanding=u)
    assert drafts and drafts[0].kind == "quick_reply" and "抱歉" in drafts[0].text
