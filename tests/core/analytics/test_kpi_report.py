"""The KPI report: team vs agents, means, ratings, rounding, gold team (policies.md §7)."""

from datetime import timedelta
from typing import Any

import pytest
from kpi_factories import at, chat, conv, msg, order, period

from kefu.core.analytics import Period, kpi_report, read_conversation
from kefu.core.analytics.kpi import gold_team_eligible, mean_seconds, satisfaction_rate
from kefu.core.records import Conversation, Order
from kefu.core.shopconfig import DEFAULT_SHOP, build_shop_config


def report(
    conversations: list[Conversation], orders: list[Order], within: Period | None = None
) -> dict[str, Any]:
    return kpi_report(conversations, orders, within or period(), DEFAULT_SHOP)


def day_scenario() -> tuple[list[Conversation], list[Order]]:
    """One Shanghai day, 2026-11-20, three agents, a bot and a team-only conversation."""
    conversations = [
        # c1, kf01: first response 4 s, runs 4 s and 30 s, rated 5
        conv(
            msg("buyer", "2026-11-20T10:00:00"),
            msg("agent", "2026-11-20T10:00:04"),
            msg("buyer", "2026-11-20T10:01:00"),
            msg("agent", "2026-11-20T10:01:30"),
            buyer="b1",
            agent="kf01",
            rating=5,
        ),
        # c2, kf01: the bot answers first (team 2 s), the agent after 20 s, rated 3
        conv(
            msg("buyer", "2026-11-20T11:00:00"),
            msg("bot", "2026-11-20T11:00:02"),
            msg("agent", "2026-11-20T11:00:20"),
            buyer="b2",
            agent="kf01",
            rating=3,
        ),
        # c3, kf02: bot only, rated 4: counts in ratings and team first response only
        conv(
            msg("buyer", "2026-11-20T12:00:00"),
            msg("bot", "2026-11-20T12:00:01"),
            buyer="b3",
            agent="kf02",
            rating=4,
        ),
        # c4, no agent_id: team only
        conv(
            msg("buyer", "2026-11-20T13:00:00"),
            msg("agent", "2026-11-20T13:00:10"),
            buyer="b4",
            agent=None,
            rating=5,
        ),
        # c5, kf03: started the day before, answered in the period: a reception only
        conv(
            msg("buyer", "2026-11-19T23:50:00"),
            msg("agent", "2026-11-20T00:10:00"),
            buyer="b5",
            agent="kf03",
            rating=5,
        ),
        # c6, kf02: b1 again, after b1's 14:00 order: no inquiry of its own
        conv(
            msg("buyer", "2026-11-20T16:00:00"),
            msg("agent", "2026-11-20T16:00:06"),
            buyer="b1",
            agent="kf02",
        ),
        # c7, kf04: the next day, out of scope: kf04 is not listed
        conv(
            msg("buyer", "2026-11-21T10:00:00"),
            msg("agent", "2026-11-21T10:00:05"),
            buyer="b9",
            agent="kf04",
            rating=1,
        ),
    ]
    orders = [
        order("2026-11-20T14:00", "2026-11-20T14:05", buyer="b1", oid="o1", amount=199),
        order("2026-11-21T09:00", "2026-11-21T09:30", buyer="b1", oid="o2", amount=50.5),
        order("2026-11-20T11:30", None, buyer="b2", oid="o3", amount=88),
        order("2026-11-22T00:00", "2026-11-22T00:01", buyer="b4", oid="o4", amount=10),
    ]
    return conversations, orders


def test_team_kpis_of_the_day() -> None:
    team = report(*day_scenario())["team"]
    assert team == {
        "receptions": 4,  # b1, b2, b4, b5 (c3 has no agent message)
        "inquiries": 3,  # (b1, 20th) by c1, (b2, 20th), (b4, 20th)
        "inquiry_orders": 2,  # b1: o1, o2; b2: o3 (unpaid); b4's o4 is at 00:00 of D+2
        "inquiry_paid": 1,
        "conversion_rate": 0.3333,
        "sales_amount": 249.5,  # o1 + o2, both of b1's inquiry
        "first_response_seconds_avg": 4.6,  # (4 + 2 + 1 + 10 + 6) / 5, bot replies included
        "response_seconds_avg": 14.0,  # (4 + 30 + 20 + 10 + 6) / 5
        "ratings": 4,  # c1, c2, c3 (bot only), c4; not c5 (started before)
        "satisfaction_rate": 0.75,
        "gold_team_eligible": False,
    }


def test_agent_kpis_of_the_day() -> None:
    agents = report(*day_scenario())["agents"]
    assert list(agents) == ["kf01", "kf02", "kf03"]
    assert agents["kf01"] == {
        "receptions": 2,
        "inquiries": 2,
        "inquiry_orders": 2,
        "inquiry_paid": 1,
        "conversion_rate": 0.5,
        "sales_amount": 249.5,
        "first_response_seconds_avg": 12.0,  # (4 + 20) / 2: the bot's 2 s is not kf01's
        "response_seconds_avg": 18.0,  # (4 + 30 + 20) / 3
        "ratings": 2,
        "satisfaction_rate": 0.5,
    }
    assert agents["kf02"] == {
        "receptions": 1,  # b1 through c6
        "inquiries": 0,  # c3 has no agent reply; c6 comes after b1's same-day order
        "inquiry_orders": 0,
        "inquiry_paid": 0,
        "conversion_rate": 0.0,
        "sales_amount": 0.0,
        "first_response_seconds_avg": 6.0,  # c6 only: the bot-only c3 is left out
        "response_seconds_avg": 6.0,
        "ratings": 1,  # the bot-only c3 counts for its agent_id
        "satisfaction_rate": 1.0,
    }


def test_agent_in_scope_only_by_a_reply_is_listed_with_null_means() -> None:
    kf03 = report(*day_scenario())["agents"]["kf03"]
    assert kf03 == {
        "receptions": 1,
        "inquiries": 0,
        "inquiry_orders": 0,
        "inquiry_paid": 0,
        "conversion_rate": 0.0,
        "sales_amount": 0.0,
        "first_response_seconds_avg": None,
        "response_seconds_avg": None,
        "ratings": 0,
        "satisfaction_rate": None,
    }


def test_bot_only_agent_is_listed_and_its_rating_counts() -> None:
    c = conv(msg("buyer", "2026-11-20T10:00"), msg("bot", "2026-11-20T10:00:03"), rating=2)
    result = report([c], [])
    assert result["team"]["ratings"] == 1
    assert result["team"]["first_response_seconds_avg"] == 3.0
    assert result["team"]["response_seconds_avg"] is None
    assert result["team"]["receptions"] == 0
    kf01 = result["agents"]["kf01"]
    assert (kf01["ratings"], kf01["satisfaction_rate"]) == (1, 0.0)
    assert kf01["first_response_seconds_avg"] is None


def test_distinct_pairs_team_versus_agents() -> None:
    # one buyer, one day, two agents: one team pair, one pair for each agent
    conversations = [
        chat("2026-11-20T09:00", "2026-11-20T09:01", agent="kf01"),
        chat("2026-11-20T15:00", "2026-11-20T15:02", agent="kf02"),
    ]
    orders = [order("2026-11-20T20:00", "2026-11-20T20:01", amount=100)]
    result = report(conversations, orders)
    assert (result["team"]["inquiries"], result["team"]["inquiry_paid"]) == (1, 1)
    assert result["team"]["sales_amount"] == 100.0
    assert result["team"]["receptions"] == 1
    for agent in ("kf01", "kf02"):
        mine = result["agents"][agent]
        assert (mine["inquiries"], mine["inquiry_paid"], mine["sales_amount"]) == (1, 1, 100.0)
        assert mine["receptions"] == 1


def test_an_order_between_two_agents_conversations_counts_for_the_first_only() -> None:
    conversations = [
        chat("2026-11-20T09:00", "2026-11-20T09:01", agent="kf01"),
        chat("2026-11-20T15:00", "2026-11-20T15:02", agent="kf02"),
    ]
    result = report(conversations, [order("2026-11-20T12:00", "2026-11-20T12:01")])
    assert result["team"]["inquiries"] == 1
    assert result["agents"]["kf01"]["inquiry_paid"] == 1
    assert result["agents"]["kf02"]["inquiries"] == 0
    assert result["agents"]["kf02"]["conversion_rate"] == 0.0


def test_team_only_conversation_lists_no_agent() -> None:
    result = report([chat("2026-11-20T10:00", "2026-11-20T10:00:08", agent=None)], [])
    assert result["agents"] == {}
    assert result["team"]["receptions"] == 1
    assert result["team"]["first_response_seconds_avg"] == 8.0


def test_empty_input() -> None:
    result = report([], [])
    assert result["agents"] == {}
    assert result["team"]["conversion_rate"] == 0.0
    assert result["team"]["first_response_seconds_avg"] is None
    assert result["team"]["satisfaction_rate"] is None
    assert result["team"]["gold_team_eligible"] is False


def test_receptions_need_an_agent_message_inside_the_period() -> None:
    conversations = [
        # agent message only after the period: no reception (but the inquiry counts)
        chat("2026-11-20T23:59", "2026-11-21T00:00:30", buyer="late"),
        # two conversations of one buyer: one reception
        chat("2026-11-20T09:00", "2026-11-20T09:01", buyer="twice"),
        chat("2026-11-20T18:00", "2026-11-20T18:01", buyer="twice", agent="kf02"),
    ]
    result = report(conversations, [])
    assert result["team"]["receptions"] == 1
    assert result["team"]["inquiries"] == 2
    assert result["agents"]["kf01"]["receptions"] == 1  # "twice"; "late" is not in period


def test_seconds_are_exact_and_rounded_half_up() -> None:
    assert mean_seconds([timedelta(seconds=1), timedelta(seconds=2, milliseconds=10)]) == 1.51
    assert mean_seconds([timedelta(seconds=1)] * 2 + [timedelta(seconds=2)]) == 1.33
    assert mean_seconds([]) is None


def test_rates_have_four_decimals_rounded_half_up() -> None:
    # 1 satisfied of 32 is 0.03125 exactly: half up gives 0.0313
    conversations = [
        chat("2026-11-20T10:00", None, buyer=f"b{i}", rating=5 if i == 0 else 1) for i in range(32)
    ]
    facts = [read_conversation(c, period()) for c in conversations]
    assert satisfaction_rate(facts) == 0.0313


def test_money_is_decimal_half_up() -> None:
    orders = [order("2026-11-20T10:30", "2026-11-20T10:31", amount=10.005)]
    result = report([chat("2026-11-20T10:00", "2026-11-20T10:01")], orders)
    assert result["team"]["sales_amount"] == 10.01


def rated_facts(satisfied: int, unsatisfied: int) -> list[Any]:
    ratings = [5] * satisfied + [2] * unsatisfied
    conversations = [
        chat("2026-11-20T10:00", None, buyer=f"b{i}", rating=r) for i, r in enumerate(ratings)
    ]
    return [read_conversation(c, period()) for c in conversations]


@pytest.mark.parametrize(
    ("platform", "score", "satisfied", "unsatisfied", "eligible"),
    [
        ("taobao", 4.8, 95, 5, True),  # exactly 100 ratings and 95 %
        ("taobao", 4.6, 95, 5, True),
        ("taobao", 4.59, 95, 5, False),  # below 4.6 off tmall
        ("taobao", 4.8, 94, 5, False),  # 99 ratings
        ("taobao", 4.8, 94, 6, False),  # 94 %
        ("taobao", 4.8, 1900, 100, True),
        ("tmall", 3.6, 100, 0, True),  # tmall's bar is 3.6
        ("tmall", 3.59, 100, 0, False),
        ("jd", 4.0, 100, 0, False),
    ],
)
def test_gold_team_eligibility(
    platform: str, score: float, satisfied: int, unsatisfied: int, eligible: bool
) -> None:
    shop = build_shop_config({"platform": platform, "service_score": score})
    assert gold_team_eligible(shop, rated_facts(satisfied, unsatisfied)) is eligible


def test_gold_team_in_the_report_uses_the_shop_config() -> None:
    conversations = [
        chat("2026-11-20T10:00", "2026-11-20T10:01", buyer=f"b{i}", rating=5) for i in range(100)
    ]
    good = kpi_report(conversations, [], period(), build_shop_config({"service_score": 4.7}))
    poor = kpi_report(conversations, [], period(), build_shop_config({"service_score": 4.5}))
    assert good["team"]["gold_team_eligible"] is True
    assert poor["team"]["gold_team_eligible"] is False
    assert "gold_team_eligible" not in good["agents"]["kf01"]


def test_shop_timezone_decides_the_local_day() -> None:
    # in UTC, 2026-11-20T20:00Z and an order at 2026-11-20T10:00Z are the same day:
    # the order comes first and excludes the inquiry; in Shanghai they are not the same day
    # (04:00 on the 21st vs 18:00 on the 20th) and the inquiry counts
    utc_shop = build_shop_config({"timezone": "UTC"})
    conversations = [chat("2026-11-20T20:00:00Z", "2026-11-20T20:01:00Z")]
    orders = [order("2026-11-20T10:00:00Z")]
    within = Period(at("2026-11-20T00:00:00Z"), at("2026-11-22T00:00:00Z"))
    assert kpi_report(conversations, orders, within, utc_shop)["team"]["inquiries"] == 0
    assert kpi_report(conversations, orders, within, DEFAULT_SHOP)["team"]["inquiries"] == 1


def test_streams_are_consumed_once() -> None:
    conversations, orders = day_scenario()
    streamed = kpi_report(iter(conversations), iter(orders), period(), DEFAULT_SHOP)
    assert streamed == report(conversations, orders)
