"""The pre-send guard, shop extra words and the word-list data."""

from __future__ import annotations

import time

from kefu.core.qa import check_message, engine_for, words
from kefu.core.qa.matcher import BASE_LISTS, Matcher
from kefu.core.shopconfig import DEFAULT_SHOP, build_shop_config


def test_guard_blocks_privacy_and_off_platform_with_suggestions() -> None:
    findings = check_message("亲，加我微信吧，我的手机13812345678", DEFAULT_SHOP)
    assert [(f.rule, f.blocking) for f in findings] == [
        ("QA_OFF_PLATFORM", True),
        ("QA_PRIVACY_LEAK", True),
    ]
    assert all(f.suggestion for f in findings)
    assert "打码" in findings[1].suggestion


def test_guard_warns_without_blocking() -> None:
    findings = check_message("不能退。", DEFAULT_SHOP)
    assert {f.rule for f in findings} == {"QA_DIRECT_REFUSAL", "QA_NEGATIVE_NO_EXPLAIN"}
    assert not any(f.blocking for f in findings)


def test_guard_passes_a_good_reply() -> None:
    assert check_message("您好，这款有现货，今天下单今天发哦", DEFAULT_SHOP) == []


def test_every_message_rule_has_a_suggestion() -> None:
    assert set(words.SUGGESTIONS) == set(words.MESSAGE_RULES)


def test_guard_is_fast() -> None:
    texts = [
        "您好，这款没有XL码了，可以看看L码哦",
        "加我微信 kefu_888",
        "好的亲，马上为您处理～",
    ] * 300
    check_message(texts[0], DEFAULT_SHOP)
    start = time.perf_counter()
    for text in texts:
        check_message(text, DEFAULT_SHOP)
    per_check = (time.perf_counter() - start) / len(texts)
    assert per_check < 0.005


def test_extra_words_extend_each_rule() -> None:
    shop = build_shop_config(
        {
            "qa": {
                "extra_words": {
                    "QA_RUDE": ["憨批"],
                    "QA_OFF_PLATFORM": ["加我钉钉"],
                    "QA_DISPARAGE_COMPETITOR": ["智商税产品"],
                    "QA_BUY_REVIEW": ["评价有惊喜"],
                    "QA_NO_GREETING": ["早哇"],
                    "QA_UNKNOWN_RULE": ["忽略"],
                }
            }
        }
    )
    engine = engine_for(shop)
    assert [v.rule for v in engine.check_text("你个憨批")] == ["QA_RUDE"]
    assert [v.rule for v in engine.check_text("有事加我钉钉")] == ["QA_OFF_PLATFORM"]
    assert [v.rule for v in engine.check_text("别家卖的是智商税产品")] == [
        "QA_DISPARAGE_COMPETITOR"
    ]
    assert [v.rule for v in engine.check_text("评价有惊喜哦")] == ["QA_BUY_REVIEW"]
    # an extra off-platform word still respects the negation guard
    assert engine.check_text("请不要加我钉钉哦") == []
    # the default shop does not know the extra words
    assert engine_for(DEFAULT_SHOP).check_text("你个憨批") == []


def test_extra_negative_words_keep_the_explanation_check() -> None:
    shop = build_shop_config({"qa": {"extra_words": {"QA_NEGATIVE_NO_EXPLAIN": ["木有"]}}})
    engine = engine_for(shop)
    assert [v.rule for v in engine.check_text("木有了")] == ["QA_NEGATIVE_NO_EXPLAIN"]
    assert engine.check_text("木有了，可以看看别的颜色") == []


def test_engines_share_the_automaton_of_equal_extra_words() -> None:
    one = build_shop_config({"shop_id": "a", "qa": {"extra_words": {"QA_RUDE": ["x1"]}}})
    two = build_shop_config({"shop_id": "b", "qa": {"extra_words": {"QA_RUDE": ["x1"]}}})
    assert engine_for(one).matcher is engine_for(two).matcher
    assert engine_for(one).matcher is not engine_for(DEFAULT_SHOP).matcher


def test_latin_words_match_in_any_case() -> None:
    matcher = Matcher()
    for text in ("加vx", "加VX", "加Vx", "加vX"):
        assert matcher.scan(text).get("off"), text


def test_word_lists_hold_no_blank_or_padded_entries() -> None:
    for tag, entries in BASE_LISTS.items():
        for entry in entries:
            assert entry and entry == entry.strip(), (tag, entry)


def test_negative_word_list_is_exactly_the_spec_list() -> None:
    assert set(words.NEGATIVE_WORDS) == {
        "不能",
        "不行",
        "不可以",
        "没有",
        "没办法",
        "不知道",
        "不清楚",
        "不支持",
    }
    engine = engine_for(DEFAULT_SHOP)
    for not_listed in ("不可能。", "无法。", "做不到哦", "不会的"):
        assert "QA_NEGATIVE_NO_EXPLAIN" not in {v.rule for v in engine.check_text(not_listed)}


def test_full_width_digits_and_letters_are_read() -> None:
    engine = engine_for(DEFAULT_SHOP)
    assert {v.rule for v in engine.check_text("电话１３８１２３４５６７８")} == {"QA_PRIVACY_LEAK"}
    assert {v.rule for v in engine.check_text("加ＶＸ")} == {"QA_OFF_PLATFORM"}


def test_phone_cue_after_order_word_is_still_a_phone() -> None:
    """ "订单上留的电话是…" names a phone number, not an order number."""
    from kefu.core.qa.rules import phones

    assert [m.group() for m in phones("亲，您订单上留的电话是19785042103")] == ["19785042103"]
    assert phones("您的顺丰单号 13912345678 已发出") == []
