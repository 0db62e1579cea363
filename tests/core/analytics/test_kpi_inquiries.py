"""Inquiries 询单: pairs, windows and their orders (policies.md §7)."""

from datetime import date

from kpi_factories import TZ, at, chat, conv, msg, order, period

from kefu.core.analytics import Inquiry, OrderBook, Period, find_inquiries, read_conversation
from kefu.core.analytics.kpi import (
    conversion_rate,
    inquiries,
    inquiry_orders,
    inquiry_paid,
    sales_amount,
)
from kefu.core.records import Conversation, Order


def pairs_of(
    conversations: list[Conversation], orders: list[Order], within: Period | None = None
) -> list[Inquiry]:
    span = within or period()
    facts = [read_conversation(c, span) for c in conversations]
    return find_inquiries(facts, OrderBook.of(orders), TZ)


def test_replied_conversation_makes_one_pair_with_window_to_midnight_of_d_plus_2() -> None:
    pairs = pairs_of([chat("2026-11-20T10:00", "2026-11-20T10:00:05")], [])
    assert len(pairs) == 1
    pair = pairs[0]
    assert (pair.buyer_id, pair.day) == ("b1", date(2026, 11, 20))
    assert pair.opens == at("2026-11-20T10:00")
    assert pair.closes == at("2026-11-22T00:00+08:00")
    assert pair.orders == ()


def test_order_created_before_the_first_buyer_message_on_the_same_day_excludes() -> None:
    pairs = pairs_of([chat("2026-11-20T10:00", "2026-11-20T10:01")], [order("2026-11-20T09:59")])
    assert pairs == []


def test_order_of_the_previous_day_does_not_exclude() -> None:
    pairs = pairs_of([chat("2026-11-20T10:00", "2026-11-20T10:01")], [order("2026-11-19T23:59")])
    assert len(pairs) == 1
    assert pairs[0].orders == ()


def test_order_of_another_buyer_neither_excludes_nor_counts() -> None:
    orders = [order("2026-11-20T09:00", buyer="b2"), order("2026-11-20T11:00", buyer="b2")]
    pairs = pairs_of([chat("2026-11-20T10:00", "2026-11-20T10:01")], orders)
    assert len(pairs) == 1
    assert pairs[0].orders == ()


def test_order_created_the_second_of_the_first_message_is_in_the_window() -> None:
    pairs = pairs_of(
        [chat("2026-11-20T10:00", "2026-11-20T10:01")],
        [order("2026-11-20T10:00", "2026-11-20T10:05")],
    )
    assert inquiry_paid(pairs) == 1


def test_order_on_d_plus_1_counts_and_window_is_not_cut_at_to() -> None:
    # the period ends at 18:00 on D; the window still runs to 00:00 of D+2
    within = period("2026-11-20T00:00", "2026-11-20T18:00")
    orders = [
        order("2026-11-21T23:59:59", "2026-11-21T23:59:59", oid="in"),
        order("2026-11-22T00:00", "2026-11-22T00:00:30", oid="too-late"),
    ]
    pairs = pairs_of([chat("2026-11-20T10:00", "2026-11-20T10:01")], orders, within)
    assert [o.order_id for o in pairs[0].orders] == ["in"]
    assert inquiry_paid(pairs) == 1


def test_order_of_the_day_before_paid_in_the_window_is_no_inquiry_order() -> None:
    # created on the previous day: does not exclude the pair, but is before the window
    pairs = pairs_of(
        [chat("2026-11-20T10:00", "2026-11-20T10:01")],
        [order("2026-11-19T22:00", "2026-11-20T10:30")],
    )
    assert inquiries(pairs) == 1
    assert inquiry_orders(pairs) == 0


def test_shanghai_day_boundaries_with_utc_times() -> None:
    # first buyer message 2026-11-19T16:30Z = 00:30 on the 20th in Shanghai: D is the 20th
    c = conv(msg("buyer", "2026-11-19T16:30:00Z"), msg("agent", "2026-11-19T16:30:10Z"))
    orders = [
        # 23:59 on the 19th in Shanghai: another local day, so it does not exclude
        order("2026-11-19T15:59:00Z", oid="day-before"),
        # 23:59:59 on the 21st in Shanghai: last second of the window
        order("2026-11-21T15:59:59Z", "2026-11-21T15:59:59Z", oid="last"),
        # 00:00 on the 22nd in Shanghai: out of the window
        order("2026-11-21T16:00:00Z", "2026-11-21T16:00:00Z", oid="out"),
    ]
    pairs = pairs_of([c], orders)
    assert len(pairs) == 1
    assert pairs[0].day == date(2026, 11, 20)
    assert [o.order_id for o in pairs[0].paid_orders] == ["last"]


def test_utc_order_that_is_the_same_shanghai_day_excludes() -> None:
    # 2026-11-20T01:00Z is 09:00 on the 20th in Shanghai, before the 10:00 first message
    pairs = pairs_of(
        [chat("2026-11-20T10:00+08:00", "2026-11-20T10:01+08:00")],
        [order("2026-11-20T01:00:00Z")],
    )
    assert pairs == []


def test_conversation_starting_outside_the_period_makes_no_pair() -> None:
    pairs = pairs_of([chat("2026-11-19T23:59", "2026-11-20T00:05")], [])
    assert pairs == []


def test_bot_only_and_unanswered_conversations_make_no_pair() -> None:
    bot_only = conv(msg("buyer", "2026-11-20T10:00"), msg("bot", "2026-11-20T10:00:02"))
    unanswered = chat("2026-11-20T11:00", None, buyer="b2")
    assert pairs_of([bot_only, unanswered], []) == []


def test_agent_reply_after_the_period_still_makes_the_pair() -> None:
    pairs = pairs_of([chat("2026-11-20T23:59", "2026-11-21T08:00")], [])
    assert len(pairs) == 1


def test_two_conversations_of_one_buyer_the_same_day_are_one_pair_from_the_earliest() -> None:
    conversations = [
        chat("2026-11-20T15:00", "2026-11-20T15:01"),
        chat("2026-11-20T09:00", "2026-11-20T09:01"),
    ]
    # created between the two first messages: in the window opened by the earlier one
    pairs = pairs_of(conversations, [order("2026-11-20T12:00", "2026-11-20T12:05")])
    assert len(pairs) == 1
    assert pairs[0].opens == at("2026-11-20T09:00")
    assert inquiry_paid(pairs) == 1


def test_conversation_after_a_same_day_order_makes_no_pair() -> None:
    # the 15:00 one comes after a same-day order; the 09:00 one got no agent reply
    conversations = [chat("2026-11-20T09:00", None), chat("2026-11-20T15:00", "2026-11-20T15:01")]
    pairs = pairs_of(conversations, [order("2026-11-20T12:00")])
    assert pairs == []


def test_same_buyer_on_two_days_makes_two_pairs_and_a_shared_order_is_counted_once() -> None:
    within = period("2026-11-20T00:00", "2026-11-22T00:00")
    conversations = [
        chat("2026-11-20T10:00", "2026-11-20T10:01"),
        chat("2026-11-21T10:00", "2026-11-21T10:01"),
    ]
    # one order before the second day's conversation: it excludes the second pair ...
    pairs = pairs_of(conversations, [order("2026-11-21T09:00", "2026-11-21T09:05")], within)
    assert [p.day for p in pairs] == [date(2026, 11, 20)]
    # ... and one made after both first messages lies in both windows: one sale
    pairs = pairs_of(
        conversations, [order("2026-11-21T12:00", "2026-11-21T12:05", amount=80)], within
    )
    assert [p.day for p in pairs] == [date(2026, 11, 20), date(2026, 11, 21)]
    assert inquiry_paid(pairs) == 2
    assert sales_amount(pairs) == 80.0


def test_unpaid_order_is_an_inquiry_order_but_not_paid() -> None:
    pairs = pairs_of(
        [chat("2026-11-20T10:00", "2026-11-20T10:01")], [order("2026-11-20T10:30", None)]
    )
    assert (inquiry_orders(pairs), inquiry_paid(pairs)) == (1, 0)
    assert conversion_rate(pairs) == 0.0
    assert sales_amount(pairs) == 0.0


def test_paid_whatever_the_status() -> None:
    orders = [order("2026-11-20T10:30", "2026-11-20T10:31", status="closed", amount=59.9)]
    pairs = pairs_of([chat("2026-11-20T10:00", "2026-11-20T10:01")], orders)
    assert inquiry_paid(pairs) == 1
    assert sales_amount(pairs) == 59.9


def test_paid_after_the_window_is_not_paid_in_the_window() -> None:
    # reading taken: "created and paid in the window" needs both times in the window
    orders = [order("2026-11-21T23:00", "2026-11-22T00:10")]
    pairs = pairs_of([chat("2026-11-20T10:00", "2026-11-20T10:01")], orders)
    assert (inquiry_orders(pairs), inquiry_paid(pairs)) == (1, 0)


def test_two_orders_of_one_inquiry_are_both_in_sales_amount() -> None:
    orders = [
        order("2026-11-20T10:30", "2026-11-20T10:31", oid="a", amount=0.1),
        order("2026-11-21T08:00", "2026-11-21T08:01", oid="b", amount=0.2),
        order("2026-11-21T09:00", None, oid="unpaid", amount=1000),
    ]
    pairs = pairs_of([chat("2026-11-20T10:00", "2026-11-20T10:01")], orders)
    assert (inquiries(pairs), inquiry_orders(pairs), inquiry_paid(pairs)) == (1, 1, 1)
    assert sales_amount(pairs) == 0.3  # decimal sum: not 0.30000000000000004


def test_duplicate_order_records_are_one_order_in_sales_amount() -> None:
    orders = [
        order("2026-11-20T10:30", "2026-11-20T10:31", oid="same", amount=50),
        order("2026-11-20T10:30", "2026-11-20T10:31", oid="same", amount=50),
    ]
    pairs = pairs_of([chat("2026-11-20T10:00", "2026-11-20T10:01")], orders)
    assert sales_amount(pairs) == 50.0


def test_conversion_rate_with_four_decimals_and_zero_without_inquiries() -> None:
    conversations = [
        chat("2026-11-20T10:00", "2026-11-20T10:01", buyer="b1"),
        chat("2026-11-20T10:00", "2026-11-20T10:01", buyer="b2"),
        chat("2026-11-20T10:00", "2026-11-20T10:01", buyer="b3"),
    ]
    orders = [
        order("2026-11-20T11:00", "2026-11-20T11:01", buyer="b1", oid="1"),
        order("2026-11-20T11:00", "2026-11-20T11:01", buyer="b2", oid="2"),
    ]
    assert conversion_rate(pairs_of(conversations, orders)) == 0.6667
    assert conversion_rate([]) == 0.0
