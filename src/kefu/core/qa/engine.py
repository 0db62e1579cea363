"""Quality inspection 质检: message checks, conversation scans and the score.

`QaEngine` is built once per shop (its automaton includes the shop's `qa.extra_words`) and
then checks any number of messages; `engine_for(shop)` caches one per set of extra words.
Pure: no I/O, no clock — times come from the records.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from kefu.core.qa import matcher as t
from kefu.core.qa import rules
from kefu.core.qa import words as w
from kefu.core.qa.matcher import Matcher
from kefu.core.qa.rules import MessageView
from kefu.core.records import Conversation
from kefu.core.shopconfig import ShopConfig

SLOW_RESPONSE_CAP = Decimal(5)
SHOP_SENDERS = frozenset({"agent", "bot"})
QUICK_REPLY_SHARE = 0.7
QUICK_REPLY_MIN_MESSAGES = 5
SAME_TEXT_TIMES = 3

# Full-width digits and letters ("１３８…", "ｖｘ") read as ASCII; one-to-one, so the
# positions of evidence stay those of the text.
_FULL_WIDTH = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")
_FULL_WIDTH_TABLE = {code: code - 0xFEE0 for code in range(0xFF10, 0xFF5B)}
_HAS_DIGIT = re.compile(r"\d")


@dataclass(frozen=True, slots=True)
class Violation:
    rule: str
    evidence: str
    message_index: int | None = None


@dataclass(frozen=True, slots=True)
class ConversationReport:
    conversation_id: str
    score: int | float
    violations: tuple[Violation, ...]


# Rules up to QA_NEGATIVE_NO_EXPLAIN in code order, with the tags that wake them up; the
# remaining ones (off-platform, one word, privacy, rude) need other gates, in `inspect`.
_GATED_RULES = (
    (w.BUY_REVIEW, frozenset({t.REVIEW_POS, t.REVIEW_NEG, t.REVIEW_EXTRA}), rules.buy_review),
    (w.DIRECT_REFUSAL, frozenset({t.REFUSAL_HARD, t.REFUSAL_SOFT}), rules.direct_refusal),
    (
        w.DISPARAGE_COMPETITOR,
        frozenset({t.COMP_JUDGE_STRONG, t.COMP_JUDGE_WEAK}),
        rules.disparage_competitor,
    ),
    (w.FORBIDDEN_PROMISE, frozenset({t.GUARANTEE, t.PROMISE_EXTRA}), rules.forbidden_promise),
    (w.NEGATIVE_NO_EXPLAIN, frozenset({t.NEG}), rules.negative_no_explain),
)


def _seconds(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:.1f}"


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


class QaEngine:
    """All quality rules for one shop."""

    def __init__(
        self,
        matcher: Matcher | None = None,
        deductions: Mapping[str, float] | None = None,
        first_response_seconds: float = 10,
        response_seconds: float = 60,
    ) -> None:
        self.matcher = matcher if matcher is not None else Matcher()
        self.deductions = {rule: Decimal(str(value)) for rule, value in (deductions or {}).items()}
        self.first_response_seconds = first_response_seconds
        self.response_seconds = response_seconds

    @classmethod
    def for_shop(cls, shop: ShopConfig) -> QaEngine:
        """The engine of `shop`; the automaton is shared by shops with the same extra words."""
        qa = shop.qa
        return cls(
            _cached_matcher(_extra_key(shop)),
            qa.deductions,
            qa.first_response_seconds,
            qa.response_seconds,
        )

    # --- messages ------------------------------------------------------------------------
    def inspect(self, text: str) -> tuple[list[tuple[str, str]], MessageView]:
        """(rule, evidence) of one agent/bot message, sorted by rule, and its view."""
        if _FULL_WIDTH.search(text) is not None:
            text = text.translate(_FULL_WIDTH_TABLE)
        hits = self.matcher.scan(text)
        view = MessageView(text, hits)
        found: list[tuple[str, str]] = []
        # Each rule runs only when the automaton saw one of its words (or, for numbers, a
        # digit): most messages break no rule and cost one automaton pass. The order is
        # alphabetical by code, the output order.
        has_digit = _HAS_DIGIT.search(text) is not None
        mobiles = rules.phones(text) if has_digit else []
        for rule, gates, check in _GATED_RULES:
            if not gates.isdisjoint(hits):
                evidence = check(view)
                if evidence is not None:
                    found.append((rule, evidence))
        if t.OFF in hits or t.IM_WORD in hits or (has_digit and t.PHONE_CUE in hits):
            evidence = rules.off_platform(view, mobiles)
            if evidence is not None:
                found.append((w.OFF_PLATFORM, evidence))
        if len(text) <= 24:
            evidence = rules.one_word(text)
            if evidence is not None:
                found.append((w.ONE_WORD, evidence))
        if has_digit or t.PRIVACY_EXTRA in hits:
            evidence = rules.privacy_leak(view, mobiles)
            if evidence is not None:
                found.append((w.PRIVACY_LEAK, evidence))
        if t.RUDE in hits:
            evidence = rules.rude(view)
            if evidence is not None:
                found.append((w.RUDE, evidence))
        return found, view

    def check_text(self, text: str) -> list[Violation]:
        return [Violation(rule, evidence) for rule, evidence in self.inspect(text)[0]]

    # --- conversations ---------------------------------------------------------------------
    def scan(self, conversation: Conversation) -> ConversationReport:
        messages = conversation.messages
        found: list[Violation] = []
        views: dict[int, MessageView] = {}
        for index, message in enumerate(messages):
            if message.sender in SHOP_SENDERS:
                violations, views[index] = self.inspect(message.text)
                for rule, evidence in violations:
                    found.append(Violation(rule, evidence, index))
        first_buyer, reply = self._first_reply(conversation)
        found.extend(self._response_times(conversation, reply))
        wide = self._conversation_wide(conversation, views, first_buyer, reply)
        found.sort(key=lambda v: (v.message_index or 0, v.rule))
        found.extend(sorted(wide, key=lambda v: v.rule))
        return ConversationReport(conversation.conversation_id, self.score(found), tuple(found))

    @staticmethod
    def _first_reply(conversation: Conversation) -> tuple[int | None, int | None]:
        """(first buyer message, first shop reply after it) indexes."""
        messages = conversation.messages
        first_buyer = next((i for i, m in enumerate(messages) if m.sender == "buyer"), None)
        if first_buyer is None:
            return None, None
        reply = next(
            (
                i
                for i in range(first_buyer + 1, len(messages))
                if messages[i].sender in SHOP_SENDERS
            ),
            None,
        )
        return first_buyer, reply

    def _response_times(self, conversation: Conversation, reply: int | None) -> list[Violation]:
        """QA_SLOW_RESPONSE: runs of buyer messages after the first reply, answered by an agent.

        Bot and system messages neither end nor answer a run; an unanswered run is no
        finding. The first run (before the first reply) belongs to QA_SLOW_FIRST_RESPONSE.
        """
        messages = conversation.messages
        if reply is None:
            return []
        found: list[Violation] = []
        run_start: int | None = None
        for index in range(reply + 1, len(messages)):
            sender = messages[index].sender
            if sender == "buyer":
                if run_start is None:
                    run_start = index
            elif sender == "agent" and run_start is not None:
                wait = (messages[index].ts - messages[run_start].ts).total_seconds()
                if wait > self.response_seconds:
                    found.append(Violation(w.SLOW_RESPONSE, f"等待 {_seconds(wait)} 秒", run_start))
                run_start = None
        return found

    def _conversation_wide(
        self,
        conversation: Conversation,
        views: dict[int, MessageView],
        first_buyer: int | None,
        reply: int | None,
    ) -> list[Violation]:
        messages = conversation.messages
        found: list[Violation] = []
        if first_buyer is not None and reply is not None:
            wait = (messages[reply].ts - messages[first_buyer].ts).total_seconds()
            if wait > self.first_response_seconds:
                found.append(Violation(w.SLOW_FIRST_RESPONSE, f"首次响应 {_seconds(wait)} 秒"))
        # The first shop reply must greet; a shop message sent before the buyer's first
        # message (a welcome) greets for it.
        shop_indexes = sorted(views)
        if shop_indexes:
            last = reply if reply is not None else shop_indexes[0]
            greeted = any(views[i].live(t.GREET, t.GREET_SAFE) for i in shop_indexes if i <= last)
            if not greeted:
                found.append(
                    Violation(w.NO_GREETING, f"首次回复无问候语：{messages[last].text[:30]}")
                )
        agent_indexes = [i for i in shop_indexes if messages[i].sender == "agent"]
        if conversation.closed_by == "agent" and agent_indexes:
            last_agent = agent_indexes[-1]
            if not views[last_agent].spans(t.CLOSE):
                found.append(
                    Violation(w.NO_CLOSING, f"结束时无欢送语：{messages[last_agent].text[:30]}")
                )
        overuse = self._quick_reply_overuse(conversation, agent_indexes)
        if overuse is not None:
            found.append(Violation(w.QUICK_REPLY_OVERUSE, overuse))
        return found

    @staticmethod
    def _quick_reply_overuse(conversation: Conversation, agent_indexes: list[int]) -> str | None:
        messages = conversation.messages
        if not agent_indexes:
            return None
        counts = Counter(messages[i].text.strip() for i in agent_indexes)
        text, times = counts.most_common(1)[0]
        if times >= SAME_TEXT_TIMES and text:
            return f"相同回复 {times} 次：{text[:30]}"
        total = len(agent_indexes)
        quick = sum(1 for i in agent_indexes if messages[i].quick_reply)
        if total >= QUICK_REPLY_MIN_MESSAGES and quick / total > QUICK_REPLY_SHARE:
            return f"快捷回复占比 {quick}/{total}"
        return None

    # --- score -------------------------------------------------------------------------------
    def score(self, violations: Sequence[Violation]) -> int | float:
        """100 − deductions, floored at 0; QA_SLOW_RESPONSE counts at most 5 points."""
        total = Decimal(0)
        slow = Decimal(0)
        for violation in violations:
            points = self.deductions.get(violation.rule, Decimal(0))
            if violation.rule == w.SLOW_RESPONSE:
                slow += points
            else:
                total += points
        total += min(slow, SLOW_RESPONSE_CAP)
        return _number(max(Decimal(100) - total, Decimal(0)))


def _extra_key(shop: ShopConfig) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple(sorted((rule, tuple(words)) for rule, words in shop.qa.extra_words.items()))


@lru_cache(maxsize=32)
def _cached_matcher(key: tuple[tuple[str, tuple[str, ...]], ...]) -> Matcher:
    return Matcher(dict(key))


def engine_for(shop: ShopConfig) -> QaEngine:
    """An engine for `shop` (see `QaEngine.for_shop`)."""
    return QaEngine.for_shop(shop)
