"""Hand-off to a person (issue 4, policies §6): when, to which queue, with what context.

The bot hands off when the buyer asks for a person (`human_agent`), complains
(`complaint`) or sounds angry, when the intent is uncertain (confidence under
`bot.handoff_confidence`), when the order in question is above `bot.handoff_amount`, and
whenever it has no answer grounded in the shop's data. The agent receives the intent, the
entities and a short masked transcript; the buyer is told a person is coming (or, outside
business hours, that the message is logged for the morning).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kefu.core.inbox.routing import QUEUE_LABELS, queue_for
from kefu.core.privacy import mask_phones_in_text
from kefu.core.shopconfig import ShopConfig, parse_hhmm

HANDOFF_MESSAGE = "亲，已经为您转接人工客服，请稍等哦😊"

# Why the bot stepped back (codes for the agent's view and for reports).
REASONS: dict[str, str] = {
    "human_agent": "买家要求人工",
    "complaint": "投诉/情绪",
    "angry": "买家情绪激动",
    "low_confidence": "意图不确定",
    "big_order": "大额订单",
    "no_grounded_answer": "店铺资料中没有答案",
    "needs_action": "需要人工操作",
    "ship_late": "发货超时",
    "logistics_stalled": "物流停滞",
    "delivery_problem": "派送异常",
    "no_scan": "发货后无揽收",
    "order_not_found": "订单号不在买家名下",
    "qa_guard": "回复未通过质检",
}

INTENT_LABELS: dict[str, str] = {
    "greeting": "问候", "product_info": "商品咨询", "size_advice": "尺码推荐",
    "stock_check": "库存咨询", "price_bargain": "议价", "promotion": "优惠活动",
    "shipping_fee": "运费咨询", "delivery_time": "发货时效", "courier_choice": "快递选择",
    "invoice": "发票", "payment_issue": "支付问题", "cod": "货到付款",
    "other_platform": "其他平台/站外", "order_modify": "修改订单", "order_cancel": "取消订单",
    "urge_shipping": "催发货", "logistics_query": "物流查询", "not_received": "未收到货",
    "return_exchange": "退换货", "refund_status": "退款进度", "quality_complaint": "质量问题",
    "wrong_or_missing_item": "错发漏发", "price_protection": "价保/补差价",
    "usage_help": "使用咨询", "complaint": "投诉/情绪", "human_agent": "转人工",
    "thanks_bye": "致谢/结束", "other": "其他",
}  # fmt: skip

# --- angry tone --------------------------------------------------------------------------------

# One of these alone is anger or a threat.
ANGRY_STRONG = (
    "垃圾", "骗子", "骗人", "坑人", "黑店", "什么破", "破玩意", "破东西", "气死", "恶心", "差评",
    "投诉", "举报", "工商局", "消协", "妈的", "tmd", "他妈", "滚蛋", "给我滚", "有病", "神经病",
    "忍无可忍", "受够了", "欺诈", "欺骗", "骗钱", "坑爹", "什么态度", "太差劲", "差劲", "卧槽",
    "我靠", "去死", "废物", "垃圾店", "服务太差", "态度太差", "曝光",
)  # fmt: skip
# Each of these adds to the score; two cues together are anger.
ANGRY_WEAK = (
    "到底", "怎么回事", "再不", "人呢", "离谱", "无语", "敷衍", "几遍", "服了", "搞什么", "搞啥",
    "凭什么", "什么意思", "太慢", "太差", "急死", "等了半天", "没人理", "不理人", "不回", "耍我",
    "过分", "失望", "还不", "烦死", "退钱", "赔钱",
)  # fmt: skip
_HOTLINE = re.compile(r"(?<!\d)(?:12315|315)(?!\d)")  # the consumer-rights hotline
_PUNCT_RUN = re.compile(r"[!！]{2,}|[?？]{3,}|[?？][!！]|[!！][?？]")
_CHAR_RUN = re.compile(r"([\u4e00-\u9fff])\1\1")
_WORD_RUN = re.compile(r"([\u4e00-\u9fff]{2,4})[，,。！!？?\s]*\1[，,。！!？?\s]*\1")


def anger_score(text: str) -> int:
    """0 calm ... a strong word scores 2 at once; weak words, a run of !!/???, a repeated
    character (快快快) or a thrice-repeated word (发货发货发货) score 1 each."""
    low = text.lower()
    if any(word in low for word in ANGRY_STRONG) or _HOTLINE.search(low):
        return 2
    score = sum(1 for word in ANGRY_WEAK if word in low)
    if _PUNCT_RUN.search(text):
        score += 1
    if _CHAR_RUN.search(text) or _WORD_RUN.search(text):
        score += 1
    return score


def is_angry(text: str) -> bool:
    return anger_score(text) >= 2


# --- the hand-off record -----------------------------------------------------------------------


@dataclass(frozen=True)
class Handoff:
    queue: str  # presale | insale | aftersale | review
    reason: str  # a key of REASONS
    intent: str
    confidence: float
    entities: list[dict[str, Any]]
    transcript_summary: str
    message: str  # what the buyer is told
    order_id: str | None = None
    note: str = ""

    @property
    def queue_label(self) -> str:
        return QUEUE_LABELS.get(self.queue, self.queue)

    @property
    def reason_label(self) -> str:
        return REASONS.get(self.reason, self.reason)


def in_business_hours(now: datetime, shop: ShopConfig) -> bool:
    start, end = (parse_hhmm(t) for t in shop.business_hours[:2])
    local = now.astimezone(shop.tz).time().replace(tzinfo=None)
    if start <= end:
        return start <= local < end
    return local >= start or local < end  # hours past midnight


def buyer_message(now: datetime, shop: ShopConfig) -> str:
    """ "A person is coming" in hours; outside them, a ticket for when agents are back."""
    if in_business_hours(now, shop):
        return HANDOFF_MESSAGE
    start, end = shop.business_hours[:2]
    return f"亲，人工客服在线时间是{start}-{end}，已经为您留言登记，客服上班后会第一时间回复您哦😊"


SENDER_LABELS = {"buyer": "买家", "agent": "客服", "bot": "机器人", "system": "系统"}
TRANSCRIPT_TURNS = 6
TURN_CHARS = 80


def summarize_transcript(
    transcript: Sequence[tuple[str, str]],
    text: str,
    intent: str,
    confidence: float,
    entities: Sequence[dict[str, Any]],
    reason: str,
) -> str:
    """A few lines for the agent: why, what the buyer wants, the last turns (phones masked)."""
    found = "，".join(f"{e['type']}={e['value']}" for e in entities) or "无"
    lines = [
        f"转人工原因：{REASONS.get(reason, reason)}",
        f"意图：{INTENT_LABELS.get(intent, intent)}（{intent}，置信度{confidence:.2f}）；实体：{found}",
    ]
    turns = [*transcript[-(TRANSCRIPT_TURNS - 1) :], ("buyer", text)]
    for sender, said in turns:
        said = mask_phones_in_text(" ".join(said.split()))
        if len(said) > TURN_CHARS:
            said = said[: TURN_CHARS - 1] + "…"
        lines.append(f"{SENDER_LABELS.get(sender, sender)}：{said}")
    return mask_phones_in_text("\n".join(lines))


def make_handoff(
    *,
    text: str,
    intent: str,
    confidence: float,
    entities: Sequence[dict[str, Any]],
    reason: str,
    transcript: Sequence[tuple[str, str]],
    shop: ShopConfig,
    now: datetime,
    order_id: str | None = None,
    note: str = "",
) -> Handoff:
    # Anger without a recognised topic is still a complaint: it goes where complaints go.
    routed_intent = "complaint" if reason in ("angry", "complaint") else intent
    return Handoff(
        queue=queue_for(routed_intent, text),
        reason=reason,
        intent=intent,
        confidence=confidence,
        entities=list(entities),
        transcript_summary=summarize_transcript(
            transcript, text, intent, confidence, entities, reason
        ),
        message=buyer_message(now, shop),
        order_id=order_id,
        note=note,
    )
