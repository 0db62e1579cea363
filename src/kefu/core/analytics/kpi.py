"""The KPIs 绩效指标 of policies.md §7, for a period `[from, to)`.

Each KPI is a small function over the facts of the conversations it is computed on: the
team's are all conversations in scope, an agent's are the in-scope conversations whose
`agent_id` is that agent (conversations without one count for the team only). Every KPI
carries its own condition (starts in the period, or has an agent message in it), so
conversations out of scope count nowhere.

Output: rates with 4 decimals, seconds and money with 2 (Decimal half up); a mean or rate
over nothing is null, except `conversion_rate`, which is 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import timedelta, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from kefu.core.analytics.conversation import ConversationFacts, Period, read_conversation
from kefu.core.analytics.inquiries import Inquiry, OrderBook, find_inquiries
from kefu.core.records import Conversation, Order
from kefu.core.shopconfig import ShopConfig
from kefu.core.timeutil import round_money, to_decimal

SATISFIED_RATINGS = frozenset({4, 5})
GOLD_MIN_RATINGS = 100
GOLD_MIN_SATISFACTION = Decimal("0.95")
_MICROSECOND = timedelta(microseconds=1)


def _rate(part: int, whole: int) -> float | None:
    if whole == 0:
        return None
    exact = Decimal(part) / Decimal(whole)
    return float(exact.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))


def mean_seconds(waits: Sequence[timedelta]) -> float | None:
    """Mean of `waits` in seconds, 2 decimals half up (exact: summed in microseconds)."""
    if not waits:
        return None
    micros = sum(wait // _MICROSECOND for wait in waits)
    exact = Decimal(micros) / Decimal(len(waits)) / Decimal(1_000_000)
    return float(exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


# --- receptions 接待人数 -------------------------------------------------------------------


def receptions(conversations: Iterable[ConversationFacts]) -> int:
    """Distinct buyers of the conversations having an agent message in the period."""
    return len({c.buyer_id for c in conversations if c.agent_message_in_period})


# --- response times 首响 / 平均响应 ----------------------------------------------------------


def first_response_seconds_avg(
    conversations: Iterable[ConversationFacts], *, team: bool
) -> float | None:
    """Mean first-response wait over conversations that start in the period and got a reply:
    an agent's or the bot's for the team, the agent's own messages for an agent."""
    waits = [
        c.first_response_team if team else c.first_response_agent
        for c in conversations
        if c.starts_in_period
    ]
    return mean_seconds([w for w in waits if w is not None])


def response_seconds_avg(conversations: Iterable[ConversationFacts]) -> float | None:
    """Mean wait over every answered run of buyer messages (the first run included) of the
    conversations that start in the period; team and agent alike."""
    return mean_seconds([w for c in conversations if c.starts_in_period for w in c.response_waits])


# --- ratings 评价 / satisfaction 满意度 -------------------------------------------------------


def rated(conversations: Iterable[ConversationFacts]) -> list[int]:
    """Ratings of the conversations that start in the period (bot-only ones included)."""
    return [c.rating for c in conversations if c.starts_in_period and c.rating is not None]


def ratings(conversations: Iterable[ConversationFacts]) -> int:
    return len(rated(conversations))


def satisfaction_rate(conversations: Iterable[ConversationFacts]) -> float | None:
    """Share of the ratings that are 4 or 5."""
    scores = rated(conversations)
    return _rate(sum(1 for s in scores if s in SATISFIED_RATINGS), len(scores))


# --- inquiries 询单 and conversion 询单转化 ----------------------------------------------------


def inquiries(pairs: Sequence[Inquiry]) -> int:
    return len(pairs)


def inquiry_orders(pairs: Iterable[Inquiry]) -> int:
    """Pairs with an order created in their window."""
    return sum(1 for pair in pairs if pair.orders)


def inquiry_paid(pairs: Iterable[Inquiry]) -> int:
    """Pairs with an order created and paid in their window."""
    return sum(1 for pair in pairs if pair.paid_orders)


def conversion_rate(pairs: Sequence[Inquiry]) -> float:
    """inquiry_paid / inquiries, 0 when there is no inquiry."""
    rate = _rate(inquiry_paid(pairs), inquiries(pairs))
    return 0.0 if rate is None else rate


def sales_amount(pairs: Iterable[Inquiry]) -> float:
    """Sum of `amount` over the distinct orders counted in inquiry_paid: every paid order of
    every pair's window, each order once even when two pairs' windows overlap."""
    counted = {order.order_id: order.amount for pair in pairs for order in pair.paid_orders}
    return round_money(sum(counted.values(), Decimal(0)))


# --- gold team 金牌客服团队 --------------------------------------------------------------------


def gold_team_eligible(shop: ShopConfig, conversations: Iterable[ConversationFacts]) -> bool:
    """Service score ≥ 3.6 on tmall (≥ 4.6 elsewhere), ≥ 100 ratings, ≥ 95 % satisfied.

    Compared exactly, not on the rounded rate written in the report.
    """
    minimum_score = Decimal("3.6") if shop.platform.strip().lower() == "tmall" else Decimal("4.6")
    scores = rated(conversations)
    satisfied = sum(1 for s in scores if s in SATISFIED_RATINGS)
    return (
        to_decimal(shop.service_score) >= minimum_score
        and len(scores) >= GOLD_MIN_RATINGS
        and Decimal(satisfied) >= GOLD_MIN_SATISFACTION * len(scores)
    )


# --- the report --------------------------------------------------------------------------


def kpis(
    conversations: Sequence[ConversationFacts], book: OrderBook, tz: tzinfo, *, team: bool
) -> dict[str, Any]:
    """The KPI keys shared by the team and an agent, over `conversations`."""
    pairs = find_inquiries(conversations, book, tz)
    return {
        "receptions": receptions(conversations),
        "inquiries": inquiries(pairs),
        "inquiry_orders": inquiry_orders(pairs),
        "inquiry_paid": inquiry_paid(pairs),
        "conversion_rate": conversion_rate(pairs),
        "sales_amount": sales_amount(pairs),
        "first_response_seconds_avg": first_response_seconds_avg(conversations, team=team),
        "response_seconds_avg": response_seconds_avg(conversations),
        "ratings": ratings(conversations),
        "satisfaction_rate": satisfaction_rate(conversations),
    }


def by_agent(conversations: Iterable[ConversationFacts]) -> dict[str, list[ConversationFacts]]:
    """Conversations grouped by agent, agents sorted; those without an agent are left out."""
    groups: dict[str, list[ConversationFacts]] = {}
    for conversation in conversations:
        if conversation.agent_id is not None:
            groups.setdefault(conversation.agent_id, []).append(conversation)
    return dict(sorted(groups.items()))


def kpi_report(
    conversations: Iterable[Conversation],
    orders: Iterable[Order],
    period: Period,
    shop: ShopConfig,
) -> dict[str, Any]:
    """`{"team": {...}, "agents": {agent_id: {...}}}` for the period.

    Both iterables are consumed once, conversations first, so they may be streams.
    """
    in_scope = [
        facts for facts in (read_conversation(c, period) for c in conversations) if facts.in_scope
    ]
    book = OrderBook.of(orders)
    tz = shop.tz
    team = kpis(in_scope, book, tz, team=True)
    team["gold_team_eligible"] = gold_team_eligible(shop, in_scope)
    agents = {
        agent_id: kpis(own, book, tz, team=False) for agent_id, own in by_agent(in_scope).items()
    }
    return {"team": team, "agents": agents}
