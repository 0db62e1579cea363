"""The 28 intent codes of taxonomy.md and its priority rules.

The classifier ranks intents; these rules settle the two cases the taxonomy decides on its
own: an angry threat wins over the topic it is about, and an action wins over a greeting or
a thank-you that merely wraps it ("在吗，快递到哪了" is `logistics_query`).
"""

from __future__ import annotations

import re

INTENTS: tuple[str, ...] = (
    "greeting",
    "product_info",
    "size_advice",
    "stock_check",
    "price_bargain",
    "promotion",
    "shipping_fee",
    "delivery_time",
    "courier_choice",
    "invoice",
    "payment_issue",
    "cod",
    "other_platform",
    "order_modify",
    "order_cancel",
    "urge_shipping",
    "logistics_query",
    "not_received",
    "return_exchange",
    "refund_status",
    "quality_complaint",
    "wrong_or_missing_item",
    "price_protection",
    "usage_help",
    "complaint",
    "human_agent",
    "thanks_bye",
    "other",
)
POLITE = frozenset({"greeting", "thanks_bye"})

# A threat or an explicit escalation: 差评 / 投诉 / 12315 / 消协 / 工商 / 曝光 / 平台介入 ...
_THREAT = re.compile(
    r"投诉|12315|消协|消费者协会|工商局|工商(?!银行)|市场监管|举报|曝光|起诉|打官司|律师|维权|平台介入|小二介入"
    r"|(?:给|打|写|留|上|刷|就是|等着|必须|只能)(?:个|你|你们|了)?(?:一个)?差评|差评[!！。.]*$|^差评"
    r"|骗子|黑店|无良|垃圾(?:店|客服|商家)|欺诈|坑人|叫.{0,4}(?:经理|领导|主管|老板)(?:出来|来)"
    r"|找.{0,3}(?:经理|领导|主管)|什么态度|服务(?:态度)?太差"
)
# "I will not leave a bad review" is not a threat.
_NOT_A_THREAT = re.compile(r"(?:不会|不想|不打算|没有|没)(?:给|打|写)?(?:你们?)?差评|好评")

# Words that only open or close a chat; what is left after removing them is the request.
_POLITE_WORDS = re.compile(
    r"在吗|在的吗|在不在|在么|在嘛|在不|有人吗|有人在吗|有人没|你好|您好|哈喽|亲亲|亲|老板|掌柜的?|"
    r"客服|美女|小姐姐|小哥哥|请问|问一?下|打扰了?|不好意思|谢谢|谢啦|多谢|感谢|好的|好滴|"
    r"好哒|嗯嗯|嗯|哦|行|可以|知道了|明白了?|收到|辛苦了?|麻烦了?|拜拜|再见|那个|呀|啊|哈|呢|吧|"
    r"(?<![a-z])(?:hello|hi|ok|okay|thanks|thx|3q)(?![a-z])|"
    r"[\s,，.。!！?？~～、…😊🙏😭😡👍]+",
    re.IGNORECASE,
)


def is_threat(text: str) -> bool:
    """An angry threat or escalation demand (taxonomy.md: it wins over its topic)."""
    return _THREAT.search(text) is not None and _NOT_A_THREAT.search(text) is None


def request_part(text: str) -> str:
    """The text without its greeting and politeness words."""
    return _POLITE_WORDS.sub("", text)
