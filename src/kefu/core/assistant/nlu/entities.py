"""Entity extraction from one buyer message (taxonomy.md "Entity types").

Rule-based on purpose: the value formats are exact (11-digit phone, `杭州市`, `L`, `38码`,
kg as a number), and the exclusions are lexical (红包 / 蓝牙 / 黑龙江 are not colours).

Extraction runs in passes from the most specific pattern to the least; each pass only looks
at characters no earlier pass has claimed, so a waybill is never also an order id or a phone,
and `1米7` is never also an amount. Places and colours come last, from one longest-match
dictionary scan in which "stop words" (红包, 小红书, 三明治) claim their characters and emit
nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from kefu.core.assistant.nlu.numerals import CN_DIGIT_CHARS, CN_NUM_CHARS, parse_number, tidy
from kefu.core.assistant.nlu.places import CITIES
from kefu.core.assistant.nlu.textfold import fold
from kefu.core.regions import MUNICIPALITIES, PROVINCES

ENTITY_TYPES = (
    "order_id",
    "tracking_no",
    "phone",
    "province",
    "city",
    "amount",
    "height_cm",
    "weight_kg",
    "size",
    "color",
)


@dataclass(frozen=True)
class Entity:
    type: str
    value: Any
    start: int
    end: int

    def as_json(self) -> dict[str, Any]:
        return {"type": self.type, "value": self.value, "start": self.start, "end": self.end}


# --- patterns -------------------------------------------------------------------------------

_CN = f"[{CN_NUM_CHARS}]"
_NUM = rf"(?:\d+(?:\.\d+)?|{_CN}+)"

COURIER_NAMES = (
    "顺丰",
    "圆通",
    "中通",
    "申通",
    "韵达",
    "邮政",
    "EMS",
    "京东",
    "极兔",
    "德邦",
    "百世",
    "汇通",
    "天天",
    "宅急送",
    "优速",
    "丰网",
    "众邮",
    "SF",
    "YTO",
    "YT",
    "ZTO",
    "STO",
    "YUNDA",
    "YD",
    "JD",
    "JT",
)
_COURIER = "|".join(sorted((re.escape(c) for c in COURIER_NAMES), key=len, reverse=True))
# Words that announce a waybill even without a courier name.
_WAYBILL_WORDS = "运单号|快递单号|物流单号|快递号|运单"

_SF = re.compile(r"(?<![A-Za-z0-9])[Ss][Ff]\s?\d{12,15}(?!\d)")
_LETTERED_WAYBILL = re.compile(r"(?<![A-Za-z0-9])(?:YT|yt|JT|jt|JD[A-Za-z]{0,3}|jd)\d{10,15}(?!\d)")
_COURIER_THEN_DIGITS = re.compile(
    rf"(?:{_COURIER}|{_WAYBILL_WORDS})(?i:[^\d。？?！!\n]{{0,8}}?)(\d{{10,22}})(?!\d)",
    re.IGNORECASE,
)
_NOT_A_WAYBILL = re.compile(r"电话|手机|联系|号码是?1|订单|客服")
_DIGITS_THEN_COURIER = re.compile(rf"(?<!\d)(\d{{10,15}})(?!\d)\s?[（(]?\s?(?:{_COURIER})")
_ORDER_ID = re.compile(r"(?<!\d)\d{15,20}(?!\d)")
_PHONE = re.compile(r"(?:(?<=\+86)|(?<=\+86 )|(?<![\d]))1[3-9]\d(?:[ \-]?\d){8}(?![\d])")

# 10块一件 is ten yuan a piece, not 10.1: a measure word after the digit ends the amount.
_MEASURE_WORDS = "件个条双套盒斤次天只瓶袋张台本支份位号码米箱"
_AMOUNT_PATTERNS = (
    # ¥99 / ￥ 99.5 / RMB99
    re.compile(r"(?:[¥￥]|RMB|rmb)\s?(\d+(?:\.\d+)?[万wW千kK]?)"),
    # 九块九 / 19块9 (yuan and jiao)
    re.compile(
        rf"({_NUM})块([0-9{CN_DIGIT_CHARS}])(?![\d{CN_NUM_CHARS}钱毛米块元{_MEASURE_WORDS}]|包(?!邮))"
    ),
    # 99元 / 99块 / 99块钱 / 两百块 / 1.5万元 / 99 rmb
    re.compile(
        rf"(\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?[万wWkK千]?|{_CN}+)\s?(?:元|块钱|块|圆|RMB|rmb)"
    ),
)
# 一块 as "together" (一块去/一块买) and 块 as a measure word (一块布) are not money.
_NOT_MONEY_AFTER_KUAI = set("儿去来买发寄拍走玩吃布肉地石玻表糖蛋板")

_M_THEN_DIGITS = re.compile(
    rf"([1一壹])\s?(?:米|m|M)\s?([0-9{CN_DIGIT_CHARS}]{{1,2}})(?![0-9A-Za-z{CN_NUM_CHARS}米])"
)
_DECIMAL_METRES = re.compile(r"(?<![\d.])([12]\.\d{1,2})\s?(?:米|m|M)(?![A-Za-z])")
_CM = re.compile(rf"(\d{{3}}(?:\.\d)?|{_CN}+)\s?(?:cm|CM|Cm|公分|厘米)")
_HEIGHT_WORD = re.compile(
    r"(?:身高|个子|(?<![最提很太更较增加])高)\s?(?:是|有|大概|差不多|约)?\s?(\d{3})(?![\d.])"
)
_HEIGHT_SLASH_WEIGHT = re.compile(r"(?<![\d.])(1[4-9]\d|2[01]\d)(?=\s?/\s?\d{2,3}(?![\d.%A-Za-z]))")
_BARE_HEIGHT = re.compile(r"(?<![\d.¥￥])(1[4-9]\d|2[01]\d)(?![\d.%])")
# 一百六十八 / 一百七: a height written in Chinese numerals (parsed, then range-checked).
_BARE_CN_HEIGHT = re.compile(rf"(?<!{_CN})(一百[{CN_NUM_CHARS}]{{1,3}})(?!{_CN})")
_KG = re.compile(rf"({_NUM})\s?(?:kg|KG|Kg|kG|公斤|千克)")
_JIN = re.compile(rf"({_NUM})\s?斤")
_WEIGHT_WORD = re.compile(
    rf"(?:体重|重)\s?(?:是|有|大概|差不多|约)?\s?(\d{{2,3}}(?:\.\d)?|{_CN}{{2,5}})(?![\d斤{CN_NUM_CHARS}])"
)
_PAIRED_WEIGHT = re.compile(
    rf"^\s?[/，,、 ]\s?(\d{{2,3}}(?:\.\d)?|{_CN}{{2,5}})(?![\d.%A-Za-z元块码号米{CN_NUM_CHARS}])"
)

_LETTER_SIZE = re.compile(
    r"(?<![A-Za-z0-9])([2-6]XL|[2-6]xl|XXXL|xxxl|XXL|xxl|XL|xl|XS|xs|[SMLsml])(?:\s?[码号])?(?![A-Za-z])"
)
_SHOE_SIZE = re.compile(r"(?<![\d.])((?:3[4-9]|4[0-8])(?:\.5)?)\s?[码号]")

# Words that make a bare 3-digit number a body height ("in a size question").
_SIZE_CONTEXT = re.compile(
    r"码|尺码|尺寸|身高|体重|穿|斤|kg|KG|公斤|偏大|偏小|合适|合身|size|号|胖|瘦|腰围|胸围|个子"
)

# --- places and colours: one longest-match dictionary -----------------------------------------

_BASE_COLOURS = "黑 白 红 蓝 灰 粉 绿 黄 紫 棕"  # fine on their own: 黑的 / 要白 / 粉M
_COLOURS_NEED_SE = "金 银 青 橙 咖 杏 驼 米 褐 卡其 咖啡 香槟"  # only as 金色 / 咖色 ...
_COMPOUND_COLOURS = (
    "米白 卡其 藏青 藏蓝 酒红 军绿 墨绿 奶白 象牙白 玫红 粉红 桃红 大红 天蓝 宝蓝 湖蓝 雾霾蓝 "
    "焦糖 姜黄 土黄 奶茶 燕麦 牛油果绿 薄荷绿 橄榄绿 豆沙 裸粉 樱花粉 奶咖 米黄 草绿 "
    "浅蓝 深蓝 浅灰 深灰 烟灰 花灰 浅粉 深粉 浅绿 深绿 浅紫 深紫 浅咖 深咖 深棕 浅棕 "
    "纯白 纯黑 亮黑 黑灰 灰白 银灰 玫瑰金 香芋紫 克莱因蓝 孔雀蓝 "
    "咖啡 驼 杏 雾蓝 淡蓝 淡粉 淡黄 淡紫 淡绿 浅黄 明黄 橘 橘红 橘黄 屎黄"
)
# Words that contain a colour or place character but are neither (taxonomy.md exclusions).
_STOP_WORDS = (
    "红包 小红书 红书 网红 爆红 走红 红利 红人 红火 红酒 红薯 红枣 红糖 红茶 红豆 红字 红绿灯 "
    "蓝牙 蓝莓 蓝天 "
    "黑五 黑名单 拉黑 黑店 黑心 黑科技 黑客 黑幕 摸黑 抹黑 黑夜 天黑 黑色星期五 "
    "白天 明白 白送 白费 白拿 白给 空白 白条 白菜 白话 坦白 蛋白 白领 白酒 白糖 白开水 美白 漂白 "
    "洗白 白嫖 清白 白痴 白等 白跑 白买 白花 白搭 白付 白忙 白干 白做 白弄 一穷二白 "
    "灰心 灰尘 灰常 粉丝 粉末 粉底 奶粉 面粉 粉刺 粉碎 米粉 绿茶 绿码 黄金 黄牛 黄了 紫外线 紫菜 "
    "青春 年青 金额 现金 押金 定金 订金 金币 奖金 金卡 返金 租金 资金 保证金 金牌 "
    "银行 银联 米饭 大米 小米 玉米 米线 厘米 平米 "
    "口红 腮红 显黑 显白 显瘦 黄斑 北海道 三明治 普洱茶 中山路 中山装 朝阳区 吉林大学 北京时间 天天向上 白银色 黑猫 "
    # food and appliance words (咖啡机, 红烧, 黑芝麻) and 开封 "opened" (not the city in 河南)
    "咖啡机 咖啡豆 咖啡粉 咖啡杯 咖啡壶 咖啡因 黑咖啡 红烧 红油 黑芝麻 黑米 红米 白醋 白砂糖 绿豆 黄油 黄瓜 紫薯 "
    "开封后 开封了 已开封 未开封 没开封 不开封 开封前 开封即 开封过"
)

_DICTIONARY: dict[str, tuple[str, str] | None] = {}


def _add(word: str, entry: tuple[str, str] | None) -> None:
    _DICTIONARY.setdefault(word, entry)


_ALL_BASES = _BASE_COLOURS.split() + ["青", "橙", "咖", "杏", "驼", "褐"]
# 灰蓝色 / 粉紫色: two colour characters with 色 are one colour; 浅蓝 / 深灰: shade + colour.
for _a in _ALL_BASES:
    for _b in _ALL_BASES:
        if _a != _b:
            _add(_a + _b + "色", ("color", _a + _b + "色"))
    for _shade in ["浅", "深", "淡", "亮", "暗", "纯", "哑光"]:
        _add(_shade + _a + "色", ("color", _shade + _a + "色"))
        _add(_shade + _a, ("color", _shade + _a))
for _colour in _COMPOUND_COLOURS.split() + _BASE_COLOURS.split():
    _add(_colour + "色", ("color", _colour + "色"))
    _add(_colour, ("color", _colour))
for _colour in _COLOURS_NEED_SE.split():
    _add(_colour + "色", ("color", _colour + "色"))
for _word in _STOP_WORDS.split():
    _DICTIONARY[_word] = None
for _full, _short in PROVINCES.items():
    _DICTIONARY[_full] = ("province", _full)
    _DICTIONARY[_short] = ("province", _full)
for _alias, _full in (("内蒙", "内蒙古自治区"), ("广西省", "广西壮族自治区")):
    _DICTIONARY[_alias] = ("province", _full)
for _short, _full in CITIES.items():
    # A name that is also a province (吉林) stays a province unless written 吉林市.
    _DICTIONARY.setdefault(_short, ("city", _full))
    _DICTIONARY[_full] = ("city", _full)
for _muni in MUNICIPALITIES:
    _DICTIONARY[_muni] = ("province", _muni)
_MAX_WORD = max(len(w) for w in _DICTIONARY)
_NOT_A_CITY_AFTER = set("区县路街镇乡村巷")


def _scan_dictionary(text: str, free: list[bool]) -> Iterator[Entity]:
    i = 0
    n = len(text)
    while i < n:
        if not free[i]:
            i += 1
            continue
        for length in range(min(_MAX_WORD, n - i), 0, -1):
            word = text[i : i + length]
            if word in _DICTIONARY and all(free[i : i + length]):
                entry = _DICTIONARY[word]
                # 朝阳区 / 中山路: a city's short name inside a district or street name.
                after = text[i + length : i + length + 1]
                if entry and entry[0] == "city" and word[-1] != "市" and after in _NOT_A_CITY_AFTER:
                    entry = None
                if entry is not None:
                    yield Entity(entry[0], entry[1], i, i + length)
                i += length
                break
        else:
            i += 1


# --- the passes -----------------------------------------------------------------------------


class _Claims:
    """Which characters earlier passes have already turned into entities."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.free = [True] * len(text)
        self.found: list[Entity] = []

    def is_free(self, start: int, end: int) -> bool:
        return all(self.free[start:end])

    def add(self, kind: str, value: Any, start: int, end: int) -> bool:
        if value is None or not self.is_free(start, end):
            return False
        for k in range(start, end):
            self.free[k] = False
        self.found.append(Entity(kind, value, start, end))
        return True


def _waybills(claims: _Claims) -> None:
    text = claims.text
    for m in _SF.finditer(text):
        claims.add("tracking_no", re.sub(r"\s", "", m.group()).upper(), m.start(), m.end())
    for m in _LETTERED_WAYBILL.finditer(text):
        claims.add("tracking_no", m.group().upper(), m.start(), m.end())
    for m in _COURIER_THEN_DIGITS.finditer(text):
        # "顺丰快递员电话138…" / "京东订单号…": the words between name the number otherwise.
        if _NOT_A_WAYBILL.search(text[m.start() : m.start(1)]):
            continue
        claims.add("tracking_no", m.group(1), m.start(1), m.end(1))
    for m in _DIGITS_THEN_COURIER.finditer(text):
        claims.add("tracking_no", m.group(1), m.start(1), m.end(1))


def _order_ids_and_phones(claims: _Claims) -> None:
    for m in _ORDER_ID.finditer(claims.text):
        claims.add("order_id", m.group(), m.start(), m.end())
    for m in _PHONE.finditer(claims.text):
        claims.add("phone", re.sub(r"\D", "", m.group()), m.start(), m.end())


def _number(raw: str) -> float | None:
    return parse_number(raw)


def _amounts(claims: _Claims) -> None:
    text = claims.text
    yuan_jiao, plain = _AMOUNT_PATTERNS[1], _AMOUNT_PATTERNS[2]
    for m in _AMOUNT_PATTERNS[0].finditer(text):
        value = _number(m.group(1))
        claims.add("amount", None if value is None else tidy(value), m.start(), m.end())
    for m in yuan_jiao.finditer(text):
        whole, jiao = _number(m.group(1)), _number(m.group(2))
        if whole is not None and jiao is not None and jiao < 10:
            claims.add("amount", tidy(whole + jiao / 10), m.start(), m.end())
    for m in plain.finditer(text):
        raw = m.group(1)
        unit_end = m.end()
        after = text[unit_end : unit_end + 1]
        if text[m.end(1) : unit_end].strip().startswith("块") and after in _NOT_MONEY_AFTER_KUAI:
            continue
        value = _number(raw)
        claims.add("amount", None if value is None else tidy(value), m.start(), m.end())


def _weight_from_bare(value: float) -> float:
    # A bare body weight: Chinese buyers usually give 斤 above ~85 (110 = 55 kg), kg below.
    return value / 2 if value >= 85 else value


# 1.5米 / 1米8 next to bedding is a bed width (home textiles), not a body height.
_BEDDING = re.compile(r"床|四件套|三件套|被套|被子|被芯|凉席|席子|窗帘|地毯|桌布")
_BODY_WORDS = re.compile(r"身高|个子|穿|体重|斤|kg|KG|公斤|孩子|宝宝")


def _body(claims: _Claims) -> None:
    text = claims.text
    size_question = _SIZE_CONTEXT.search(text) is not None
    bed_widths = _BEDDING.search(text) is not None and _BODY_WORDS.search(text) is None
    heights: list[tuple[int, int]] = []

    def height(value: float | None, start: int, end: int) -> None:
        if (
            value is not None
            and 80 <= value <= 230
            and claims.add("height_cm", tidy(value), start, end)
        ):
            heights.append((start, end))

    for m in _M_THEN_DIGITS.finditer(text):
        rest = m.group(2)
        cm = _number(rest)
        if cm is not None and not bed_widths:
            # 1米7 / 一米七 -> 170; 1米75 / 一米七五 -> 175
            height(100 + (cm * 10 if cm < 10 else cm), m.start(), m.end())
    for m in _DECIMAL_METRES.finditer(text):
        if not bed_widths:
            height(float(m.group(1)) * 100, m.start(), m.end())
    for m in _CM.finditer(text):
        height(_number(m.group(1)), m.start(), m.end())
    for m in _HEIGHT_WORD.finditer(text):
        height(float(m.group(1)), m.start(1), m.end(1))

    def weight(value: float | None, start: int, end: int) -> None:
        if value is not None and 20 <= value <= 200:
            claims.add("weight_kg", tidy(value), start, end)

    for m in _KG.finditer(text):
        value = _number(m.group(1))
        if value is not None and (value >= 25 or size_question):
            weight(value, m.start(), m.end())
    for m in _JIN.finditer(text):
        value = _number(m.group(1))
        # 两斤苹果 is produce, not a body weight: small 斤 counts only in a size question.
        if value is not None and (value >= 60 or size_question):
            weight(value / 2, m.start(), m.end())
    for m in _WEIGHT_WORD.finditer(text):
        bare = _number(m.group(1))
        if bare is not None:
            weight(_weight_from_bare(bare), m.start(1), m.end(1))
    # "170/65" is height over weight wherever it appears.
    for m in _HEIGHT_SLASH_WEIGHT.finditer(text):
        height(float(m.group(1)), m.start(1), m.end(1))
    if size_question:
        for m in _BARE_HEIGHT.finditer(text):
            after = text[m.end() : m.end() + 2]
            if re.match(r"\s?(?:元|块|斤|kg|KG|公斤|码|号|天|件|个|g|ml|cm|米|%|万|w)", after):
                continue
            height(float(m.group(1)), m.start(), m.end())
        for m in _BARE_CN_HEIGHT.finditer(text):
            after = text[m.end() : m.end() + 2]
            if re.match(r"\s?(?:元|块|斤|kg|KG|公斤|码|号|天|件|个|g|ml|cm|米|%|万|w)", after):
                continue
            value = parse_number(m.group(1))
            if value is not None and value >= 140:
                height(value, m.start(), m.end())
    # "170/65" or "160 100": a number right after a height is the weight.
    for _, end in heights:
        paired = _PAIRED_WEIGHT.match(text[end:])
        bare = _number(paired.group(1)) if paired else None
        if paired and bare is not None:
            weight(_weight_from_bare(bare), end + paired.start(1), end + paired.end(1))


def _sizes(claims: _Claims) -> None:
    text = claims.text
    # "把m改成s": swapping one letter for another is about sizes too.
    size_question = _SIZE_CONTEXT.search(text) is not None or re.search(r"还是|改成|换成", text)
    for m in _SHOE_SIZE.finditer(text):
        claims.add("size", m.group(1) + "码", m.start(), m.end())
    for m in _LETTER_SIZE.finditer(text):
        letters = m.group(1)
        has_ma = m.end() > m.end(1)
        # A lone lower-case s/m/l is too often something else; it needs 码/号 or a size talk.
        if len(letters) == 1 and letters.islower() and not (has_ma or size_question):
            continue
        claims.add("size", letters.upper(), m.start(), m.end())
    for m in re.finditer("均码", text):
        claims.add("size", "均码", m.start(), m.end())


def extract_entities(text: str) -> list[Entity]:
    """Every entity of taxonomy.md in `text`, in reading order."""
    # Folding keeps offsets (one character for one), so spans index the original text.
    original, text = text, fold(text)
    claims = _Claims(text)
    _waybills(claims)
    _order_ids_and_phones(claims)
    _amounts(claims)
    _body(claims)
    _sizes(claims)
    for entity in _scan_dictionary(text, claims.free):
        # A colour is given as written (紅色 stays 紅色); places take their full names.
        value = original[entity.start : entity.end] if entity.type == "color" else entity.value
        claims.add(entity.type, value, entity.start, entity.end)
    return sorted(claims.found, key=lambda e: (e.start, e.end))
