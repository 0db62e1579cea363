"""Chinese tokenising, BM25 retrieval and the "is this question covered?" test.

The tokenizer is a private `jieba.Tokenizer` (never jieba's global one: the intent model
tokenises with that, and the shop's product words added here must not change its features).

Grounding works on *content terms*: the words of a buyer message that name a thing or a
property (船上, 实体店, 火星, 充绒量), as opposed to the function words of chat (能, 可以,
吗, 寄到, 这款). A skill may answer only when every content term of the question is covered
by its sources' text or by its own topic words; a term nothing covers means the buyer asks
about something the shop's data does not hold, and the bot hands off instead of guessing.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import bm25s
import jieba
import numpy as np

_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None
_added: set[str] = set()

# Characters that carry no topic on their own in buyer chat: modal verbs, question words,
# particles, pronouns, measure words and the generic verbs of shopping (寄/发/买/穿/用).
FUNCTION_CHARS = frozenset(
    "能可以会要想请问吗呢吧啊呀哦哈么嘛了的地得着过是在有没无不这那哪个些款件种样怎什"
    "多少几久到寄发用给让把被和与及或还再也都就才又很太真好点下上里中去来说看帮我你您"
    "他她它们亲咋啥木滴哒嘞呗喔噢哇诶哎唉嗯选买拍穿要该应需得行吧对呐么否已经先后能"
    "儿啦哟嘿喂额呃嗷咯哩罢而且但如果若为因所以之其此每各一二两三些谁"
)


def _split(words: str) -> list[str]:
    return words.split()


# Whole words of chat that carry no topic (greetings, fillers, vague nouns).
GENERIC_WORDS = frozenset(
    _split(
        "你好 您好 在吗 在不在 请问 谢谢 感谢 麻烦 老板 客服 掌柜 店家 卖家 "
        "宝贝 商品 东西 产品 现在 目前 今天 一下 一般 大概 知道 问问 想问 "
        "咨询 了解 帮忙 看看 是不是 能不能 可不可以 有没有 怎么样 怎么办 为什么 "
        "什么样 时候 什么 时间 情况 问题 东东 小姐姐 小哥哥 朋友 自己 家里 "
        "平时 一点 一些 比较 特别 非常 真的 确定 具体 这边 那边 你家 你们家 "
        "店里 店铺 本店 链接 页面 详情 详情页 图片 拍下 下单 购买 买家 收到 "
        "哈哈 哈哈哈 呵呵 ok okay hello hi 嗯嗯 好的 可以 好吧 "
        "行吧 然后 还是 就是 还是说 或者 如果 的话 那个 这个 这款 这件 这种 "
        "那种 款式 亲亲 亲爱 美女 帅哥 姐妹 兄弟 老铁 里面 外面 一直 总是 "
        "老是 一样 这样 那样 怎样 所以 啥时候 什么时候 几时 多会 咋样 啥样 "
        "之类 什么的 支持 提供 这个月 本月 最近 近期 有人 请教 打扰 一般来说"
    )
)

# Words that carry the point of a question although made of function characters: where
# (哪里), and that something fails (用不了). An answer must speak to them, so they are
# content terms: "发货地在哪里" is not answered by the shipping-time rule.
FOCUS_WORDS = frozenset(
    _split(
        "哪里 哪儿 在哪 在哪里 哪个城市 什么地方 用不了 不能用 付不了 打不开 "
        "领不了 失败 无效 不好用 没反应"
    )
)

_WORD = re.compile(r"[\u4e00-\u9fff]+|[a-z]+(?:\d+[a-z]*)?|\d+(?:\.\d+)?")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def normalize(text: str) -> str:
    """NFKC (full-width letters and digits to ASCII) and lower-case."""
    return unicodedata.normalize("NFKC", text).lower()


def _get_tokenizer() -> jieba.Tokenizer:
    global _tokenizer
    with _lock:
        if _tokenizer is None:
            tokenizer = jieba.Tokenizer()
            tokenizer.initialize()
            _tokenizer = tokenizer
        return _tokenizer


def add_words(words: Iterable[str]) -> None:
    """Teach the private tokenizer the shop's own words (充绒量, 雾霾蓝, 空气炸锅...)."""
    tokenizer = _get_tokenizer()
    with _lock:
        for word in words:
            word = normalize(word).strip()
            if len(word) >= 2 and word not in _added and _CJK.search(word):
                tokenizer.add_word(word, freq=50000)
                _added.add(word)


def words(text: str) -> list[str]:
    """Precise-mode jieba words of `text` (normalised), keeping only CJK/latin/number runs."""
    out: list[str] = []
    for token in _get_tokenizer().lcut(normalize(text)):
        out.extend(_WORD.findall(token))
    return out


def index_terms(text: str) -> list[str]:
    """Terms for BM25: search-mode words (so 实体店 also yields 实体) plus CJK bigrams and
    topic characters, which keep recall on typos and words jieba splits differently in the
    question and the article (BM25's idf keeps common characters cheap)."""
    norm = normalize(text)
    terms = [t for w in _get_tokenizer().lcut_for_search(norm) for t in _WORD.findall(w)]
    for run in re.findall(r"[\u4e00-\u9fff]+", norm):
        terms.extend(f"#{run[i : i + 2]}" for i in range(len(run) - 1))
        # Single characters with a topic (洗, 退, 换) let 怎么洗 reach 冷水手洗.
        terms.extend(f"~{ch}" for ch in run if ch not in FUNCTION_CHARS)
    return [t for t in terms if not is_function_word(t)] or ["<empty>"]


def is_function_word(token: str) -> bool:
    if token in FOCUS_WORDS:
        return False
    if token in GENERIC_WORDS or strip_function_chars(token) in GENERIC_WORDS:
        return True
    if token.isdigit():
        return True
    return all(ch in FUNCTION_CHARS for ch in token)


# "A不A" / "A没A" questions (厚不厚, 有没有货): the term is A.
_A_NOT_A = re.compile(r"([\u4e00-\u9fff])[不没]\1")


def content_terms(text: str) -> list[str]:
    """The topic-bearing words of a message (see the module docstring), in order, unique."""
    seen: dict[str, None] = {}
    for token in words(_A_NOT_A.sub(r"\1", text)):
        if is_function_word(token) or re.fullmatch(r"\d+(?:\.\d+)?", token):
            continue
        if not _CJK.search(token) and len(token) < 2:
            continue
        seen.setdefault(token, None)
    # Focus words jieba may split (用/不了): found in the text itself, longest first.
    norm = normalize(text)
    for word in sorted(FOCUS_WORDS, key=len, reverse=True):
        if word in norm and not any(word in found for found in seen):
            seen.setdefault(word, None)
    return list(seen)


def strip_function_chars(token: str) -> str:
    return "".join(ch for ch in token if ch not in FUNCTION_CHARS)


def uncovered_terms(terms: Sequence[str], covered_text: str, lexicon: Iterable[str]) -> list[str]:
    """The content terms neither the sources' text nor the skill's topic words account for.

    A term counts as covered when it, or its core without function characters (码选 -> 码),
    is in the lexicon, or appears in the text; a one-character core only through the lexicon
    (船 must not be "covered" by some unrelated 船 inside a long article)."""
    text = normalize(covered_text)
    lex = {normalize(w) for w in lexicon}
    missing = []
    for term in terms:
        core = strip_function_chars(term)
        if term in lex or core in lex:
            continue
        if (len(term) >= 2 and term in text) or (len(core) >= 2 and core in text):
            continue
        if any(len(w) >= 2 and (w in term or term in w) for w in lex):
            continue  # 运费多少钱 holds the topic word 运费; 合适 is part of 不合适, 小 of 小了
        missing.append(term)
    return missing


@dataclass(frozen=True)
class Scored:
    index: int
    score: float


class Bm25Index:
    """BM25 over a fixed list of documents (bm25s, numpy backend)."""

    def __init__(self, documents: Sequence[str]) -> None:
        self._size = len(documents)
        self._model = bm25s.BM25()
        corpus = [index_terms(d) for d in documents] or [["<empty>"]]
        self._model.index(corpus, show_progress=False)
        self._vocab = set(self._model.vocab_dict)

    def scores(self, query: str) -> np.ndarray:
        terms = [t for t in index_terms(query) if t in self._vocab]
        if not terms or self._size == 0:
            return np.zeros(self._size, dtype=np.float32)
        return np.asarray(self._model.get_scores(terms))[: self._size]

    def top(self, query: str, k: int, allowed: Sequence[int] | None = None) -> list[Scored]:
        """The best `k` documents (score > 0), optionally only among `allowed` indices."""
        scores = self.scores(query)
        candidates = range(self._size) if allowed is None else allowed
        ranked = sorted(
            (Scored(i, float(scores[i])) for i in candidates if scores[i] > 0),
            key=lambda s: (-s.score, s.index),
        )
        return ranked[:k]
