"""Tokenising, content terms, coverage and BM25 (kefu.core.assistant.retrieval)."""

from __future__ import annotations

from kefu.core.assistant.retrieval import (
    Bm25Index,
    content_terms,
    is_function_word,
    normalize,
    uncovered_terms,
)


def test_normalize_folds_full_width_and_case() -> None:
    assert normalize("ＸＬ码Ｔ恤") == "xl码t恤"


def test_function_words_carry_no_topic() -> None:
    for word in ("能", "可以", "这个", "吗", "寄到", "请问", "啥时候"):
        assert is_function_word(word), word
    for word in ("船上", "运费", "发票", "哪里"):
        assert not is_function_word(word), word


def test_content_terms_keep_what_the_question_is_about() -> None:
    assert content_terms("这个能用在船上吗") == ["船上"]
    assert "火星" in content_terms("能寄到火星吗")
    assert content_terms("在吗") == []


def test_a_not_a_questions_reduce_to_the_word() -> None:
    assert "厚" in " ".join(content_terms("卫衣厚不厚啊"))
    assert all("不" not in t for t in content_terms("卫衣厚不厚啊"))


def test_focus_words_survive_even_when_split() -> None:
    assert "用不了" in content_terms("优惠券怎么用不了")
    assert "哪里" in content_terms("你们发货地在哪里")


def test_coverage_by_text_and_lexicon() -> None:
    # A term in the source text is covered; one that is nowhere is not.
    assert uncovered_terms(["充绒量", "火星"], "充绒量 120g", ()) == ["火星"]
    # A topic word covers a longer term holding it, and a shorter one inside it.
    assert uncovered_terms(["运费多少钱", "合适"], "", ["运费", "不合适"]) == []


def test_a_single_character_is_covered_only_by_the_lexicon() -> None:
    # 年 happens to be in "保修 2年", but a lone character proves nothing about the question.
    assert uncovered_terms(["年"], "保修 2年", ()) == ["年"]
    assert uncovered_terms(["年"], "", ["哪年"]) == []


def test_bm25_ranks_the_matching_document_first_and_respects_allowed() -> None:
    index = Bm25Index(["能开发票吗 发票 开票", "包邮吗 运费", "怎么查物流 快递"])
    top = index.top("可以开发票不", k=3)
    assert top[0].index == 0
    assert all(hit.index != 0 for hit in index.top("可以开发票不", k=3, allowed=[1, 2]))
    assert index.top("火星", k=3) == []


def test_bm25_of_an_empty_corpus_finds_nothing() -> None:
    assert Bm25Index([]).top("发票", k=3) == []
