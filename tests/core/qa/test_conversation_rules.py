"""Conversation-level QA rules and the score (taxonomy.md "Precise readings")."""

from __future__ import annotations

from typing import Any

from kefu.core.qa import QaEngine, engine_for
from kefu.core.records import Conversation
from kefu.core.shopconfig import DEFAULT_SHOP, build_shop_config

ENGINE = engine_for(DEFAULT_SHOP)
GOOD_FIRST = "您好，很高兴为您服务"
GOOD_LAST = "感谢您的支持，祝您生活愉快"


def conv(
    *messages: tuple[str, str, int] | tuple[str, str, int, bool], **extra: Any
) -> Conversation:
    """Messages as (sender, text, seconds after 10:00:00[, quick_reply])."""
    rows = []
    for message in messages:
        sender, text, seconds = message[:3]
        row: dict[str, Any] = {
            "sender": sender,
            "text": text,
            "ts": f"2026-11-20T10:{seconds // 60:02d}:{seconds % 60:02d}+08:00",
        }
        if len(message) == 4:
            row["quick_reply"] = message[3]
        rows.append(row)
    return Conversation.model_validate(
        {"conversation_id": "c1", "buyer_id": "b1", "messages": rows, **extra}
    )


def rules_of(conversation: Conversation) -> list[tuple[str, int | None]]:
    return [(v.rule, v.message_index) for v in ENGINE.scan(conversation).violations]


def test_a_clean_conversation_scores_100() -> None:
    report = ENGINE.scan(
        conv(
            ("buyer", "在吗", 0),
            ("agent", GOOD_FIRST, 5),
            ("agent", GOOD_LAST, 20),
            closed_by="agent",
        )
    )
    assert report.violations == ()
    assert report.score == 100
    assert isinstance(report.score, int)


def test_slow_first_response_is_more_than_ten_seconds() -> None:
    at_limit = conv(("buyer", "在吗", 0), ("agent", GOOD_FIRST, 10))
    late = conv(("buyer", "在吗", 0), ("buyer", "人呢", 5), ("agent", GOOD_FIRST, 14))
    assert rules_of(at_limit) == []
    report = ENGINE.scan(late)
    assert [(v.rule, v.message_index, v.evidence) for v in report.violations] == [
        ("QA_SLOW_FIRST_RESPONSE", None, "首次响应 14 秒")
    ]
    assert report.score == 97


def test_a_bot_reply_ends_the_first_wait_and_can_greet() -> None:
    conversation = conv(
        ("buyer", "在吗", 0), ("bot", "亲，欢迎光临～", 2), ("agent", "这款有现货", 200)
    )
    assert rules_of(conversation) == []


def test_first_reply_without_greeting() -> None:
    conversation = conv(("buyer", "在吗", 0), ("agent", "这款有现货", 3))
    assert rules_of(conversation) == [("QA_NO_GREETING", None)]


def test_greeting_words_inside_other_words_do_not_greet() -> None:
    conversation = conv(("buyer", "面料怎么样", 0), ("agent", "这款面料很亲肤", 3))
    assert rules_of(conversation) == [("QA_NO_GREETING", None)]


def test_a_welcome_sent_before_the_buyer_greets_for_the_reply() -> None:
    conversation = conv(
        ("bot", "欢迎光临小鹿生活", 0), ("buyer", "有L码吗", 5), ("agent", "有的", 8)
    )
    assert rules_of(conversation) == []


def test_slow_response_one_finding_per_run_at_its_first_message() -> None:
    conversation = conv(
        ("buyer", "在吗", 0),
        ("agent", GOOD_FIRST, 5),
        ("buyer", "有L码吗", 10),
        ("bot", "自动回复：客服正在赶来", 12),
        ("buyer", "人呢", 40),
        ("agent", "有的亲，L码有现货", 100),
        ("buyer", "好的", 110),
        ("agent", "已经为您备注好了", 150),
        ("buyer", "发什么快递", 200),
    )
    report = ENGINE.scan(conversation)
    assert [(v.rule, v.message_index, v.evidence) for v in report.violations] == [
        ("QA_SLOW_RESPONSE", 2, "等待 90 秒")
    ]
    assert report.score == 99


def test_the_slow_response_deduction_is_capped_at_five() -> None:
    messages: list[tuple[str, str, int]] = [("buyer", "在吗", 0), ("agent", GOOD_FIRST, 5)]
    for i in range(7):
        start = 100 + i * 200
        messages += [("buyer", f"问题{i}", start), ("agent", f"回答{i}，有的亲", start + 61)]
    report = ENGINE.scan(conv(*messages))
    slow = [v for v in report.violations if v.rule == "QA_SLOW_RESPONSE"]
    assert len(slow) == 7
    assert [v.message_index for v in slow] == [2, 4, 6, 8, 10, 12, 14]
    assert report.score == 95


def test_no_closing_only_when_the_agent_closed() -> None:
    base = (("buyer", "在吗", 0), ("agent", GOOD_FIRST, 5), ("agent", "好的已备注", 20))
    assert rules_of(conv(*base, closed_by="agent")) == [("QA_NO_CLOSING", None)]
    assert rules_of(conv(*base, closed_by="buyer")) == []
    assert rules_of(conv(*base, closed_by=None)) == []
    closed_well = conv(*base, ("agent", "有问题随时找我哦", 30), closed_by="agent")
    assert rules_of(closed_well) == []


def test_closing_looks_at_the_last_agent_message_not_the_bot() -> None:
    conversation = conv(
        ("buyer", "在吗", 0),
        ("agent", GOOD_FIRST, 5),
        ("agent", "谢谢亲，再见", 20),
        ("bot", "会话已结束", 30),
        closed_by="agent",
    )
    assert rules_of(conversation) == []


def test_quick_reply_same_text_three_times() -> None:
    conversation = conv(
        ("buyer", "在吗", 0),
        ("agent", GOOD_FIRST, 5),
        ("agent", "亲，请稍等，马上为您查询", 10),
        ("agent", "亲，请稍等，马上为您查询", 20),
        ("agent", "亲，请稍等，马上为您查询 ", 30),
    )
    assert rules_of(conversation) == [("QA_QUICK_REPLY_OVERUSE", None)]


def test_quick_reply_share_over_seventy_percent_of_five_or_more() -> None:
    def make(quick_flags: list[bool]) -> Conversation:
        messages: list[Any] = [("buyer", "在吗", 0)]
        for i, flag in enumerate(quick_flags):
            messages.append(("agent", f"您好，回复{i}", 5 + i, flag))
        return conv(*messages)

    assert rules_of(make([True, True, True, True, False])) == [("QA_QUICK_REPLY_OVERUSE", None)]
    # exactly 70 % is not more than 70 %
    assert rules_of(make([True] * 7 + [False] * 3)) == []
    # four agent messages are too few, even all quick
    assert rules_of(make([True] * 4)) == []


def test_message_rules_apply_to_agent_and_bot_not_buyer() -> None:
    conversation = conv(
        ("buyer", "你有病吧 加我微信abc12345", 0),
        ("agent", "您好，不退", 5),
        ("bot", "嗯", 6),
    )
    assert rules_of(conversation) == [("QA_DIRECT_REFUSAL", 1), ("QA_ONE_WORD", 2)]


def test_violations_sorted_by_index_then_rule_then_conversation_wide() -> None:
    conversation = conv(
        ("buyer", "在吗", 0),
        ("agent", "爱买不买，打我电话13812345678", 30),
        ("agent", "嗯", 31),
        closed_by="agent",
    )
    report = ENGINE.scan(conversation)
    assert [(v.rule, v.message_index) for v in report.violations] == [
        ("QA_OFF_PLATFORM", 1),
        ("QA_PRIVACY_LEAK", 1),
        ("QA_RUDE", 1),
        ("QA_ONE_WORD", 2),
        ("QA_NO_CLOSING", None),
        ("QA_NO_GREETING", None),
        ("QA_SLOW_FIRST_RESPONSE", None),
    ]
    assert report.score == 100 - (6 + 6 + 10 + 2 + 2 + 2 + 3)


def test_score_floors_at_zero_and_takes_fractional_deductions() -> None:
    rude = conv(*[("agent", "爱买不买", i) for i in range(12)])
    assert ENGINE.scan(rude).score == 0
    shop = build_shop_config({"qa": {"deductions": {"QA_ONE_WORD": 0.5}}})
    report = QaEngine.for_shop(shop).scan(
        conv(("buyer", "在吗", 0), ("agent", "您好", 1), ("agent", "嗯", 2))
    )
    assert report.score == 99.5


def test_shop_thresholds_are_used() -> None:
    shop = build_shop_config({"qa": {"first_response_seconds": 30, "response_seconds": 120}})
    engine = engine_for(shop)
    conversation = conv(
        ("buyer", "在吗", 0),
        ("agent", GOOD_FIRST, 25),
        ("buyer", "L码", 30),
        ("agent", "有的", 140),
    )
    assert engine.scan(conversation).violations == ()


def test_conversation_without_buyer_or_shop_messages() -> None:
    assert rules_of(conv(("system", "订单已创建", 0))) == []
    assert rules_of(conv(("buyer", "在吗", 0), ("buyer", "人呢", 100))) == []


def test_the_first_reply_is_judged_even_when_it_is_a_bot() -> None:
    # Precise readings: "The first shop reply (agent or bot) ... must greet"; a greeting
    # from the agent later does not repair a bot reply that did not greet.
    conversation = conv(
        ("buyer", "在吗", 0), ("bot", "请描述您的问题", 1), ("agent", "您好，在的", 30)
    )
    assert rules_of(conversation) == [("QA_NO_GREETING", None)]


def test_no_reply_at_all_is_no_finding_for_the_waits() -> None:
    conversation = conv(("buyer", "在吗", 0), ("system", "会话超时关闭", 900))
    assert rules_of(conversation) == []


def test_fractional_waits_are_shown_with_one_decimal() -> None:
    conversation = Conversation.model_validate(
        {
            "conversation_id": "c2",
            "buyer_id": "b",
            "messages": [
                {"sender": "buyer", "text": "在吗", "ts": "2026-11-20T10:00:00.000+08:00"},
                {"sender": "agent", "text": "您好", "ts": "2026-11-20T10:00:12.500+08:00"},
            ],
        }
    )
    report = ENGINE.scan(conversation)
    assert [v.evidence for v in report.violations] == ["首次响应 12.5 秒"]
