"""Deterministic training-data generator: cores x fillers x colloquial noise.

Pure: `generate(seed, per_intent)` returns the same list for the same arguments. The noise
mirrors real shop chat — 亲/在吗 openers, 呀/哈/😊 tails, 咋/啥/木有 spellings, typos,
English letters — and multi-sentence messages teach the taxonomy's priority rules: an
opener or a thank-you around a request keeps the request's intent, and a threat turns any
topic into `complaint`.
"""

from __future__ import annotations

import random

from kefu.core.assistant.nlu.data.cores import CORES, THREATS
from kefu.core.assistant.nlu.data.extra_cores import EXTRA_CORES
from kefu.core.assistant.nlu.data.more_cores import MORE_CORES


def split_lines(block: str) -> list[str]:
    return [part.strip() for line in block.splitlines() for part in line.split("|") if part.strip()]


CORE_LINES: dict[str, list[str]] = {
    intent: split_lines(block)
    + split_lines(MORE_CORES.get(intent, ""))
    + split_lines(EXTRA_CORES.get(intent, ""))
    for intent, block in CORES.items()
}
THREAT_LINES = [t.strip() for t in THREATS if t.strip()]

FILLERS: dict[str, list[str]] = {
    "p": split_lines(
        "这件|这款|衣服|裤子|T恤|卫衣|外套|羽绒服|连衣裙|裙子|毛衣|衬衫|鞋子|运动鞋|帽子|包包|被子|四件套|"
        "枕头|电风扇|吹风机|电饭煲|充电宝|耳机|手机壳|面膜|洗面奶|零食|坚果|茶叶|牛仔裤|打底衫|睡衣|袜子|"
        "这个|那件|链接里的|3号链接|这双|这条|"
        # food, daily chemicals, bedding and appliances too, so no category word leans to one intent
        "牛肉干|饼干|辣条|薯片|蜂蜜|月饼|洗衣液|洗发水|沐浴露|牙膏|面霜|精华|防晒霜|蚕丝被|床单|凉席|"
        "毛巾|乳胶枕|床垫|空气炸锅|电热水壶|咖啡机|加湿器|电动牙刷|挂烫机|豆浆机|榨汁机"
    ),
    "c": split_lines(
        "黑色|白色|红色|蓝色|灰色|粉色|米白色|卡其色|黑|白|藏青|酒红色|绿色|杏色|浅蓝|深灰|咖啡色|紫色|黄色|奶白"
    ),
    "s": split_lines("S|M|L|XL|XXL|2XL|3XL|l|m|xl|均码|38|39|40|42|37|36|s码|M码|L码|大码|小码"),
    "k": split_lines("顺丰|圆通|中通|申通|韵达|邮政|京东|极兔|EMS|SF|德邦|百世"),
    "city": split_lines(
        "北京|上海|广州|深圳|杭州|成都|重庆|新疆|西藏|拉萨|乌鲁木齐|哈尔滨|黑龙江|海南|三亚|青海|内蒙古|"
        "南京|武汉|长沙|西安|郑州|济南|青岛|大连|沈阳|昆明|贵阳|南宁|福州|厦门|合肥|石家庄|太原|兰州|银川|"
        "宁夏|甘肃|香港|澳门|台湾|天津|苏州|温州|宁波|江苏|浙江|广东|四川|云南|山东|河南|湖北|湖南|吉林|辽宁"
    ),
    "n": split_lines("1|2|3|两|三|一|5|十|几"),
    "d": split_lines("三天|两天|5天|一周|一个星期|四天|好几天|半个月|7天|48小时|3天|十天"),
    "amt": split_lines(
        "10块|5块|二十块|20元|99|九十九|100块|五十|¥59|30块钱|两百|199元|十块钱|八十|50"
    ),
    "h": split_lines(
        "170|165|160|175|180|158|155|185|一米七|一米六五|1米6|1米75|172cm|168|一米八|163|178|150|1.7m"
    ),
    "w": split_lines(
        "65kg|50kg|120斤|一百三十斤|100斤|60公斤|90斤|140斤|55kg|一百斤|75kg|110斤|80kg|160斤|45kg|九十斤"
    ),
    "t": split_lines(
        "今天|明天|后天|周五|这周|下周一|双十一|月底|5号|春节前|晚上|上午|昨天|前天|周末"
    ),
    "tn": split_lines(
        "SF1234567890123|YT7654321098765|75312345678901|sf2233445566778|JT1234567890123|4312345678901"
    ),
    "phone": split_lines("13812345678|139 1234 5678|15012345678|186-1234-5678"),
}

PREFIXES = split_lines(
    "亲|亲，|亲亲|在吗，|在吗 |你好，|您好，|你好 |老板，|客服，|hello |hi，|请问|请问一下|问下|问一下|那个|嗯|哎|喂，|"
    "亲 在吗 |美女，|老板 |掌柜的|小姐姐|哈喽，|麻烦问下|想问下|我想问一下|打扰一下，|急！|"
)
SUFFIXES = split_lines(
    "？|?|??|？？|呀|啊|哈|呢|😊|🙏|～|。|!!|！|谢谢|，谢谢|急|吖|呗|嘛|哦|[疑问]|😭|😡|…|~~|亲|？谢谢|"
)
# Colloquial spellings and common typos (applied to a fraction of the messages).
VARIANTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("怎么", ("咋", "怎莫", "肿么", "咋么", "怎么")),
    ("什么时候", ("啥时候", "啥子时候", "嘛时候", "几时", "什么时候")),
    ("什么", ("啥", "神马", "什麼", "甚么", "啥子", "什么")),
    ("没有", ("木有", "没得", "莫有", "莫得", "没")),
    ("我", ("俺", "偶", "人家", "我")),
    ("了", ("咯", "啦", "了")),
    ("可以", ("阔以", "可不可以", "能")),
    ("吗", ("嘛", "么", "不", "吗")),
    ("谢谢", ("3q", "thx", "谢啦", "xx", "thanks")),
    ("这个", ("这", "酱个", "这款")),
    ("快递", ("快的", "快件", "包裹")),
    ("发货", ("发", "fa货", "发货")),
    ("客服", ("kf", "客服")),
    ("知道", ("造", "晓得")),
    ("在", ("再",)),
    ("不", ("布",)),
    ("的", ("得", "滴", "地")),
)
# English and pinyin-initial stand-ins buyers mix in (fh = 发货, kd = 快递, tk = 退款).
ENGLISH: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("发货", ("ship", "fh", "发货")),
    ("快递", ("kd", "express", "快递")),
    ("退款", ("refund", "tk")),
    ("退货", ("return", "退货")),
    ("换货", ("exchange",)),
    ("包邮", ("free shipping", "包邮")),
    ("运费", ("shipping fee", "运费")),
    ("微信", ("wechat", "wx", "vx")),
    ("优惠券", ("coupon",)),
    ("优惠", ("discount", "优惠")),
    ("发票", ("invoice", "发票")),
    ("颜色", ("color", "颜色")),
    ("尺码", ("size",)),
    ("码数", ("size",)),
    ("付款", ("pay", "付款")),
    ("付不了", ("pay不了", "付不了")),
    ("失败", ("error", "failed")),
    ("坏的", ("broken的",)),
    ("坏了", ("broken了", "坏了")),
    ("正品", ("authentic", "original", "正品")),
    ("取消", ("cancel",)),
    ("地址", ("address", "地址")),
    ("人工", ("human", "人工")),
    ("真人", ("real person",)),
    ("投诉", ("complain", "投诉")),
    ("降价", ("price drop", "降价")),
    ("订单", ("dd", "order", "订单")),
    ("物流", ("wl", "物流")),
    ("库存", ("stock",)),
    ("有货", ("in stock", "有货")),
    ("签收", ("delivered", "签收")),
    ("纯棉", ("cotton", "纯棉")),
    ("洗", ("wash",)),
    ("今天", ("today", "今天")),
    ("明天", ("tomorrow", "明天")),
    ("谢谢", ("thx", "thanks", "3q")),
)
OPENERS = split_lines(
    "在吗|亲在吗|你好|您好|hello|老板在吗|亲|客服在吗|你好呀|在不在|hi|亲亲|打扰了|不好意思打扰一下"
)
CLOSERS = split_lines(
    "谢谢|谢谢亲|麻烦了|辛苦了|急|麻烦快点|谢啦|拜托了|麻烦看下|😊|🙏|在线等|多谢"
)
CONTEXT = split_lines(
    "我昨天买的那件|我前天拍的{p}|订单号3712345678901234567|我买的{p}|就是那个{c}的|我在你家买了{p}|"
    "我是{city}的|上次买的{p}|刚拍的|链接里那款|我看中一件{c}{p}|买了两件|我给我妈买的|帮朋友问的"
)
SEPARATORS = ("，", "。", " ", "！", "？", "~", ",", "  ", "\n", "")
# Topics a threat can attach to (the threat wins: taxonomy.md priority rule).
THREAT_TOPICS = (
    "urge_shipping",
    "logistics_query",
    "quality_complaint",
    "refund_status",
    "wrong_or_missing_item",
    "not_received",
    "return_exchange",
)
# "什么时候发货" asks about the future; with "拍了三天了" it is a chase (urge_shipping).
SHIP_QUESTIONS = split_lines(
    "什么时候发货|几时发|啥时候发|什么时候能发|几号发货|能今天发吗|什么时候寄出"
)
ELAPSED = split_lines("拍了{d}了|都{d}了|等了{d}了|付款{d}了|下单{d}了|已经{d}了|拍了好几天咯")
# A problem stays the intent when the buyer adds the remedy they want ("坏了 我要退货").
REMEDIES = split_lines(
    "我要退货|想退|退款吧|给我换一个|能换吗|怎么处理|怎么办|要求退款|补发一个|重新发"
)
PROBLEMS = ("quality_complaint", "wrong_or_missing_item", "not_received")
# Intents that a polite opener or closer never changes (everything but these two).
STANDALONE = ("greeting", "thanks_bye")


def _fill(template: str, rng: random.Random) -> str:
    out = template
    for slot, values in FILLERS.items():
        token = "{" + slot + "}"
        while token in out:
            out = out.replace(token, rng.choice(values), 1)
    return out


def _vary(text: str, rng: random.Random) -> str:
    for word, options in VARIANTS:
        if word in text and rng.random() < 0.25:
            text = text.replace(word, rng.choice(options), 1)
    if rng.random() < 0.15:
        for word, options in ENGLISH:
            if word in text and rng.random() < 0.5:
                text = text.replace(word, rng.choice(options), 1)
    if len(text) > 4 and rng.random() < 0.05:
        k = rng.randrange(len(text))
        text = text[:k] + text[k + 1 :]  # a dropped character
    if rng.random() < 0.3:
        text = text.replace("，", rng.choice([" ", ",", "，", ""]))
    return text


def _core(intent: str, rng: random.Random, lines: dict[str, list[str]] = CORE_LINES) -> str:
    return _fill(rng.choice(lines[intent]), rng)


def _message(intent: str, rng: random.Random, lines: dict[str, list[str]] = CORE_LINES) -> str:
    text = _core(intent, rng, lines)
    roll = rng.random()
    if intent == "complaint" and roll < 0.45:
        topic = _core(rng.choice(THREAT_TOPICS), rng, lines)
        threat = rng.choice(THREAT_LINES)
        text = (
            topic + rng.choice(SEPARATORS) + threat
            if rng.random() < 0.8
            else threat + rng.choice(SEPARATORS) + topic
        )
    elif intent == "greeting" and roll < 0.25:
        text = text + rng.choice(SEPARATORS) + rng.choice(OPENERS)
    elif intent == "thanks_bye" and roll < 0.2:
        text = text + rng.choice(SEPARATORS) + _core("thanks_bye", rng, lines)
    elif intent == "urge_shipping" and roll < 0.2:
        parts = [rng.choice(SHIP_QUESTIONS), _fill(rng.choice(ELAPSED), rng)]
        rng.shuffle(parts)
        text = rng.choice(SEPARATORS).join(parts)
    elif intent in PROBLEMS and roll < 0.2:
        text = text + rng.choice(SEPARATORS) + rng.choice(REMEDIES)
    elif intent not in STANDALONE:
        if roll < 0.25:
            text = rng.choice(OPENERS) + rng.choice(SEPARATORS) + text
        elif roll < 0.35:
            text = text + rng.choice(SEPARATORS) + rng.choice(CLOSERS)
        elif roll < 0.45:
            text = _fill(rng.choice(CONTEXT), rng) + rng.choice(SEPARATORS) + text
        elif roll < 0.5:
            text = text + rng.choice(SEPARATORS) + _core(intent, rng, lines)
    if rng.random() < 0.35:
        text = rng.choice(PREFIXES) + text
    if rng.random() < 0.45:
        text = text + rng.choice(SUFFIXES)
    return _vary(text, rng).strip() or text


def generate(
    seed: int = 7, per_intent: int = 600, lines: dict[str, list[str]] = CORE_LINES
) -> list[tuple[str, str]]:
    """(text, intent) pairs, `per_intent` of each of the 28 intents, deterministic in `seed`.

    `lines` replaces the cores (a subset of them builds a held-out calibration set).
    """
    rng = random.Random(seed)
    rows: list[tuple[str, str]] = []
    for intent in sorted(lines):
        seen: set[str] = set()
        attempts = 0
        while len(seen) < per_intent and attempts < per_intent * 4:
            attempts += 1
            text = _message(intent, rng, lines)
            if text not in seen:
                seen.add(text)
                rows.append((text, intent))
    return rows


def split_cores(folds: int, held_out: int) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """The cores split in two by a fixed rule (every `folds`-th line of each intent is held out):
    a model fitted on the first part and scored on messages from the second meets phrasings it
    never saw, as it will in real chat — an honest set for calibrating its confidence."""
    kept: dict[str, list[str]] = {}
    held: dict[str, list[str]] = {}
    for intent, lines in CORE_LINES.items():
        kept[intent] = [line for i, line in enumerate(lines) if i % folds != held_out]
        held[intent] = [line for i, line in enumerate(lines) if i % folds == held_out]
    return kept, held
