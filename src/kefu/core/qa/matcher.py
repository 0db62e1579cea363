"""One Aho-Corasick pass per message over every word list of `words.py`.

`Matcher.scan(text)` returns the spans of every listed word, grouped by the role the word
plays (a tag such as `"neg"` or `"rude_safe"`). The rule functions in `rules.py` read only
these spans and a few compiled regexes, so a message is walked once by the automaton.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from itertools import product

import ahocorasick

from kefu.core.qa import words as w

Span = tuple[int, int]
Hits = dict[str, list[Span]]

# Tags: the role a word plays for the rules.
NEG = "neg"
NEG_SAFE = "neg_safe"
EXPLAIN_STRONG = "explain_strong"
EXPLAIN_WEAK = "explain_weak"
EXPLAIN_SAFE = "explain_safe"
CONDITION = "condition"
QUESTION_WORD = "qword"
REFUSAL_HARD = "refusal_hard"
REFUSAL_SOFT = "refusal_soft"
REFUSAL_SAFE = "refusal_safe"
RUDE = "rude"
RUDE_SAFE = "rude_safe"
COMP_REF = "comp_ref"
COMP_JUDGE_STRONG = "comp_strong"
COMP_JUDGE_WEAK = "comp_weak"
COMP_NEUTRAL = "comp_neutral"
COMP_SAFE = "comp_safe"
OFF = "off"
OFF_SAFE = "off_safe"
IM_WORD = "im_word"
PHONE_CUE = "phone_cue"
PHONE_THIRD = "phone_third"
ID_CUE = "id_cue"
ORDER_CUE = "order_cue"
PRIVACY_EXTRA = "privacy_extra"
GUARANTEE = "guarantee"
PROMISE_EXTRA = "promise_extra"
REVIEW_POS = "review_pos"
REVIEW_NEG = "review_neg"
REVIEW_SAFE = "review_safe"
REVIEW_EXTRA = "review_extra"
GREET = "greet"
GREET_SAFE = "greet_safe"
CLOSE = "close"

# Guaranteeing adverbs and "马上/立刻" (refund promises) both open the promise check.
_PROMISE_OPENERS = (
    *w.GUARANTEE_WORDS,
    "马上",
    "立刻",
    "立即",
    "立马",
    "现在就",
    "这就",
    "今天就",
    "直接",
)
_IM_WORDS = (
    "微信",
    "薇信",
    "威信",
    "徽信",
    "V信",
    "v信",
    "vx",
    "wx",
    "weixin",
    "wechat",
    "QQ",
    "qq",
    "扣扣",
    "企鹅",
)

BASE_LISTS: dict[str, Sequence[str]] = {
    NEG: w.NEGATIVE_WORDS,
    NEG_SAFE: w.NEGATIVE_SAFE,
    EXPLAIN_STRONG: w.EXPLAIN_STRONG,
    EXPLAIN_WEAK: w.EXPLAIN_WEAK,
    EXPLAIN_SAFE: w.EXPLAIN_SAFE,
    CONDITION: w.CONDITION_WORDS,
    QUESTION_WORD: w.QUESTION_WORDS,
    REFUSAL_HARD: w.REFUSAL_HARD,
    REFUSAL_SOFT: w.REFUSAL_SOFT,
    REFUSAL_SAFE: w.REFUSAL_SAFE,
    RUDE: w.RUDE_WORDS,
    RUDE_SAFE: w.RUDE_SAFE,
    COMP_REF: w.COMPETITOR_REFS,
    COMP_JUDGE_STRONG: w.COMPETITOR_STRONG,
    COMP_JUDGE_WEAK: w.COMPETITOR_WEAK,
    COMP_NEUTRAL: w.COMPETITOR_NEUTRAL,
    COMP_SAFE: (
        "垃圾袋",
        "垃圾桶",
        "垃圾分类",
        "垃圾篓",
        "不坑",
        "没骗",
        "不骗",
        "骗子短信",
        "防骗",
        "谨防",
        "假的话",
        "是不是假的",
        "是假的吗",
    ),
    OFF: w.OFF_PLATFORM_WORDS,
    OFF_SAFE: w.OFF_PLATFORM_SAFE,
    IM_WORD: _IM_WORDS,
    PHONE_CUE: w.PHONE_CONTACT_CUES,
    PHONE_THIRD: w.PHONE_THIRD_PARTY,
    ID_CUE: w.ID_CARD_CUES,
    ORDER_CUE: w.ORDER_NUMBER_CUES,
    GUARANTEE: _PROMISE_OPENERS,
    REVIEW_POS: w.REVIEW_POSITIVE,
    REVIEW_NEG: ("差评", "中评", "中差评", "负面评价", "不好的评价", "低分"),
    REVIEW_SAFE: w.REVIEW_SAFE,
    GREET: w.GREETINGS,
    GREET_SAFE: w.GREETING_SAFE,
    CLOSE: w.CLOSINGS,
}

# Which tag a shop's `qa.extra_words[rule]` extends.
EXTRA_WORD_TAGS: dict[str, str] = {
    w.NEGATIVE_NO_EXPLAIN: NEG,
    w.RUDE: RUDE,
    w.DIRECT_REFUSAL: REFUSAL_SOFT,
    w.DISPARAGE_COMPETITOR: COMP_JUDGE_STRONG,
    w.OFF_PLATFORM: OFF,
    w.PRIVACY_LEAK: PRIVACY_EXTRA,
    w.FORBIDDEN_PROMISE: PROMISE_EXTRA,
    w.BUY_REVIEW: REVIEW_EXTRA,
    w.NO_GREETING: GREET,
    w.NO_CLOSING: CLOSE,
}


def _case_variants(word: str) -> Iterable[str]:
    """A word with ASCII letters in every case people type ("vx", "VX", "Vx")."""
    letters = [i for i, ch in enumerate(word) if ch.isascii() and ch.isalpha()]
    if not letters:
        return (word,)
    if len(letters) > 3:
        return {word, word.lower(), word.upper(), word[:1].upper() + word[1:].lower()}
    variants = set()
    for cases in product((str.lower, str.upper), repeat=len(letters)):
        chars = list(word)
        for index, case in zip(letters, cases, strict=True):
            chars[index] = case(chars[index])
        variants.add("".join(chars))
    return variants


class Matcher:
    """The automaton of all word lists, built once per set of shop extra words."""

    def __init__(self, extra_words: Mapping[str, Sequence[str]] | None = None) -> None:
        table: dict[str, set[str]] = {}
        lists = dict(BASE_LISTS)
        for rule, extra in (extra_words or {}).items():
            tag = EXTRA_WORD_TAGS.get(rule)
            if tag is not None:
                lists[tag] = (*lists.get(tag, ()), *extra)
        for tag, entries in lists.items():
            for entry in entries:
                for variant in _case_variants(entry.strip()):
                    if variant:
                        table.setdefault(variant, set()).add(tag)
        self._automaton = ahocorasick.Automaton()
        for word, tags in table.items():
            self._automaton.add_word(word, (len(word), tuple(sorted(tags))))
        self._automaton.make_automaton()

    def scan(self, text: str) -> Hits:
        """Spans (start, end) of every listed word in `text`, by tag, in text order of ends."""
        hits: Hits = {}
        for end, (length, tags) in self._automaton.iter(text):
            span = (end - length + 1, end + 1)
            for tag in tags:
                spans = hits.get(tag)
                if spans is None:
                    hits[tag] = [span]
                else:
                    spans.append(span)
        return hits
