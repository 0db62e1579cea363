"""Numbers as buyers write them: `99`, `1.5`, `九十九`, `一百三`, `两百`, `一米七`.

Pure functions; no regexes over the whole message here, only the conversion of one matched
number string (the extractors in `entities.py` find the spans).
"""

from __future__ import annotations

DIGITS: dict[str, int] = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "壹": 1,
    "二": 2,
    "贰": 2,
    "两": 2,
    "俩": 2,
    "三": 3,
    "叁": 3,
    "四": 4,
    "肆": 4,
    "五": 5,
    "伍": 5,
    "六": 6,
    "陆": 6,
    "七": 7,
    "柒": 7,
    "八": 8,
    "捌": 8,
    "九": 9,
    "玖": 9,
}
UNITS: dict[str, int] = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
BIG_UNITS: dict[str, int] = {"万": 10_000, "w": 10_000, "W": 10_000}

# Characters that can make up a Chinese numeral (used by the extractors' regexes).
CN_DIGIT_CHARS = "".join(DIGITS)
CN_NUM_CHARS = CN_DIGIT_CHARS + "".join(UNITS) + "万"


def _small(text: str) -> int | None:
    """A Chinese numeral below 10 000: 九十九, 一百三 (=130), 一千二 (=1200), 十五, 一五 (=15)."""
    if not text:
        return None
    if all(ch in DIGITS for ch in text):
        # Digit by digit (一七五 -> 175), the way phone-like or short forms are read out.
        return int("".join(str(DIGITS[ch]) for ch in text))
    total = 0
    current: int | None = None
    last_unit = 0
    for ch in text:
        if ch in DIGITS:
            if current is not None and current != 0:
                return None  # two digits in a row inside a unit numeral
            current = DIGITS[ch]
        elif ch in UNITS:
            unit = UNITS[ch]
            if last_unit and unit >= last_unit:
                return None
            total += (1 if current is None else current) * unit
            current = None
            last_unit = unit
        else:
            return None
    if current is not None:
        # 一百三 means 130 and 一千二 means 1200: a trailing digit after a unit takes the next
        # lower unit, unless a 零 came in between (一百零三 = 103).
        if last_unit >= 100 and "零" not in text and "〇" not in text:
            total += current * (last_unit // 10)
        else:
            total += current
    return total


def parse_chinese(text: str) -> int | None:
    """A Chinese numeral (with 万), or None when `text` is not one."""
    text = text.strip()
    if not text:
        return None
    if "万" in text:
        head, _, tail = text.partition("万")
        high = _small(head) if head else 1
        if high is None:
            return None
        low = _small(tail) if tail else 0
        if low is None:
            return None
        if tail and len(tail) == 1 and tail in DIGITS:
            low = DIGITS[tail] * 1000  # 一万二 = 12000
        return high * 10_000 + low
    return _small(text)


def parse_number(text: str) -> float | None:
    """Arabic (`99`, `1.5`, `1,299`, `2万`, `1.5w`) or Chinese (`九十九`) number, else None."""
    text = text.strip().replace(",", "").replace("，", "")
    if not text:
        return None
    multiplier = 1
    if text[-1] in BIG_UNITS and len(text) > 1 and (text[-2].isdigit() or text[-2] == "."):
        multiplier = BIG_UNITS[text[-1]]
        text = text[:-1]
    elif text[-1] in UNITS and len(text) > 1 and text[-2].isdigit():
        multiplier = UNITS[text[-1]]
        text = text[:-1]
    try:
        return float(text) * multiplier
    except ValueError:
        pass
    value = parse_chinese(text)
    return None if value is None else float(value * multiplier)


def tidy(value: float) -> int | float:
    """An int when whole (65.0 -> 65), else the float rounded to 2 places (52.5)."""
    rounded = round(value, 2)
    return int(rounded) if rounded == int(rounded) else rounded


def digit_value(ch: str) -> int | None:
    """One digit, Arabic or Chinese."""
    if ch.isdigit() and ch.isascii():
        return int(ch)
    return DIGITS.get(ch)
