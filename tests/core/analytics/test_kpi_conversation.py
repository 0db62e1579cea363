"""Reading one conversation for the KPIs: start, replies, response runs (policies.md §7)."""

from datetime import timedelta

from kpi_factories import at, conv, msg, period

from kefu.core.analytics.conversation import read_conversation, response_waits


def seconds(*values: float) -> tuple[timedelta, ...]:
    return tuple(timedelta(seconds=v) for v in values)


def test_messages_are_read_in_time_order_and_start_is_the_first_buyer_message() -> None:
    # given messages listed out of order, the earliest buyer message being listed last
    c = conv(
        msg("agent", "2026-11-20T10:00:20+08:00"),
        msg("buyer", "2026-11-20T10:00:30+08:00"),
        msg("buyer", "2026-11-20T10:00:00+08:00"),
    )
    facts = read_conversation(c, period())
    assert facts.start == at("2026-11-20T10:00:00+08:00")
    assert facts.first_response_agent == timedelta(seconds=20)
    assert facts.agent_replied


def test_start_in_utc_is_compared_with_the_period_as_an_instant() -> None:
    # 2026-11-19T16:30Z is 00:30 on the 20th in Shanghai: inside the period of the 20th
    inside = read_conversation(conv(msg("buyer", "2026-11-19T16:30:00Z")), period())
    before = read_conversation(conv(msg("buyer", "2026-11-19T15:59:59Z")), period())
    assert inside.starts_in_period
    assert not before.starts_in_period


def test_period_is_half_open() -> None:
    at_start = read_conversation(conv(msg("buyer", "2026-11-20T00:00:00+08:00")), period())
    at_end = read_conversation(conv(msg("buyer", "2026-11-21T00:00:00+08:00")), period())
    assert at_start.starts_in_period
    assert not at_end.starts_in_period


def test_no_buyer_message_means_no_start_but_an_agent_message_puts_it_in_scope() -> None:
    facts = read_conversation(conv(msg("agent", "2026-11-20T10:00:00+08:00")), period())
    assert facts.start is None
    assert not facts.starts_in_period
    assert facts.agent_message_in_period
    assert facts.in_scope
    assert facts.first_response_team is None
    assert not facts.agent_replied


def test_conversation_started_before_the_period_is_in_scope_by_its_agent_message() -> None:
    c = conv(
        msg("buyer", "2026-11-19T23:59:00+08:00"),
        msg("agent", "2026-11-20T00:00:30+08:00"),
    )
    facts = read_conversation(c, period())
    assert not facts.starts_in_period
    assert facts.agent_message_in_period
    assert facts.in_scope


def test_only_bot_and_system_messages_in_the_period_leave_it_out_of_scope() -> None:
    c = conv(
        msg("buyer", "2026-11-19T23:00:00+08:00"),
        msg("bot", "2026-11-20T09:00:00+08:00"),
        msg("system", "2026-11-20T09:00:01+08:00"),
    )
    assert not read_conversation(c, period()).in_scope


def test_team_first_response_counts_the_bot_the_agent_one_only_agent_messages() -> None:
    c = conv(
        msg("buyer", "2026-11-20T10:00:00+08:00"),
        msg("system", "2026-11-20T10:00:01+08:00"),
        msg("bot", "2026-11-20T10:00:03+08:00"),
        msg("agent", "2026-11-20T10:00:45+08:00"),
    )
    facts = read_conversation(c, period())
    assert facts.first_response_team == timedelta(seconds=3)
    assert facts.first_response_agent == timedelta(seconds=45)


def test_bot_only_conversation_has_no_agent_reply() -> None:
    c = conv(msg("buyer", "2026-11-20T10:00:00+08:00"), msg("bot", "2026-11-20T10:00:02+08:00"))
    facts = read_conversation(c, period())
    assert facts.first_response_team == timedelta(seconds=2)
    assert facts.first_response_agent is None
    assert facts.response_waits == ()
    assert not facts.agent_replied


def test_agent_message_before_the_first_buyer_message_is_no_reply() -> None:
    c = conv(msg("agent", "2026-11-20T09:00:00+08:00"), msg("buyer", "2026-11-20T10:00:00+08:00"))
    facts = read_conversation(c, period())
    assert not facts.agent_replied
    assert facts.first_response_agent is None
    assert facts.response_waits == ()


def test_same_second_keeps_input_order() -> None:
    # a reply stamped the same second, listed after the question, is a 0 s reply
    replied = conv(
        msg("buyer", "2026-11-20T10:00:00+08:00"), msg("agent", "2026-11-20T10:00:00+08:00")
    )
    assert read_conversation(replied, period()).first_response_agent == timedelta(0)
    # listed before the question, it is not after the first buyer message
    not_replied = conv(
        msg("agent", "2026-11-20T10:00:00+08:00"), msg("buyer", "2026-11-20T10:00:00+08:00")
    )
    assert not read_conversation(not_replied, period()).agent_replied


def test_response_runs_bot_and_system_neither_end_nor_answer_and_first_run_counts() -> None:
    c = conv(
        msg("buyer", "2026-11-20T10:00:00+08:00"),  # run 1 opens
        msg("bot", "2026-11-20T10:00:02+08:00"),  # does not answer
        msg("buyer", "2026-11-20T10:00:30+08:00"),  # same run
        msg("agent", "2026-11-20T10:00:40+08:00"),  # run 1: 40 s
        msg("agent", "2026-11-20T10:00:50+08:00"),  # nothing open
        msg("buyer", "2026-11-20T10:01:00+08:00"),  # run 2 opens
        msg("system", "2026-11-20T10:01:05+08:00"),
        msg("buyer", "2026-11-20T10:01:10+08:00"),
        msg("agent", "2026-11-20T10:02:00+08:00"),  # run 2: 60 s
        msg("buyer", "2026-11-20T10:05:00+08:00"),  # run 3 never answered
        msg("bot", "2026-11-20T10:05:01+08:00"),
    )
    assert read_conversation(c, period()).response_waits == seconds(40, 60)


def test_response_waits_of_no_messages() -> None:
    assert response_waits([]) == []


def test_empty_agent_id_is_no_agent() -> None:
    c = conv(msg("buyer", "2026-11-20T10:00:00+08:00"), agent="")
    assert read_conversation(c, period()).agent_id is None
