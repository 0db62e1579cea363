"""Reading one conversation for the KPIs (policies.md §7).

Messages are read in time order (a stable sort by `ts`, so messages with the same time keep
their input order). A conversation *starts* at its first buyer message; one without a buyer
message never starts. "After the first buyer message" means later in that order, so a reply
stamped the same second as the question counts, with a wait of 0 s.

`read_conversation` boils a conversation down to the few facts the KPIs need, so a large
file can be streamed without keeping every message in memory.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from kefu.core.records import Conversation, Message

# Who answers a buyer. The team's first response counts the bot's welcome too; everywhere
# else only a human agent's message is a reply (bot and system messages are not).
TEAM_REPLIERS = frozenset({"agent", "bot"})
AGENT_REPLIERS = frozenset({"agent"})


@dataclass(frozen=True)
class Period:
    """The half-open reporting period `[start, end)`."""

    start: datetime
    end: datetime

    def __contains__(self, moment: object) -> bool:
        return isinstance(moment, datetime) and self.start <= moment < self.end


@dataclass(frozen=True, slots=True)
class ConversationFacts:
    """What the KPIs need from one conversation, for one period."""

    buyer_id: str
    agent_id: str | None
    start: datetime | None
    starts_in_period: bool
    agent_message_in_period: bool
    agent_replied: bool
    """An agent message comes after the first buyer message (at any time)."""
    first_response_team: timedelta | None
    """First buyer message -> first later agent or bot message."""
    first_response_agent: timedelta | None
    """First buyer message -> first later agent message."""
    response_waits: tuple[timedelta, ...]
    rating: int | None

    @property
    def in_scope(self) -> bool:
        """formats.md: it starts in the period or has an agent message in it."""
        return self.starts_in_period or self.agent_message_in_period


def in_time_order(conversation: Conversation) -> list[Message]:
    return sorted(conversation.messages, key=lambda message: message.ts)


def first_buyer_index(messages: Sequence[Message]) -> int | None:
    return next((i for i, m in enumerate(messages) if m.sender == "buyer"), None)


def first_reply_delay(
    messages: Sequence[Message], buyer_index: int, repliers: frozenset[str]
) -> timedelta | None:
    """From the message at `buyer_index` to the first later message by one of `repliers`."""
    asked = messages[buyer_index].ts
    for message in messages[buyer_index + 1 :]:
        if message.sender in repliers:
            return message.ts - asked
    return None


def response_waits(messages: Sequence[Message]) -> list[timedelta]:
    """One wait per run of buyer messages that an agent message answers.

    A run opens at a buyer message when none is open and is answered by the next agent
    message; bot and system messages neither end nor answer it. The first run (the one that
    also gives the first response) is included: §7 excludes it nowhere, unlike QA's rule.
    An unanswered run gives no wait.
    """
    waits: list[timedelta] = []
    run_opened: datetime | None = None
    for message in messages:
        if message.sender == "buyer":
            if run_opened is None:
                run_opened = message.ts
        elif message.sender == "agent" and run_opened is not None:
            waits.append(message.ts - run_opened)
            run_opened = None
    return waits


def read_conversation(conversation: Conversation, period: Period) -> ConversationFacts:
    messages = in_time_order(conversation)
    buyer_index = first_buyer_index(messages)
    # Kept in UTC like the orders' times (see inquiries.OrderFacts).
    start = None if buyer_index is None else messages[buyer_index].ts.astimezone(UTC)
    agent_replied = buyer_index is not None and any(
        m.sender == "agent" for m in messages[buyer_index + 1 :]
    )
    return ConversationFacts(
        buyer_id=conversation.buyer_id,
        # An empty agent_id is no agent: the conversation counts for the team only.
        agent_id=conversation.agent_id or None,
        start=start,
        starts_in_period=start in period,
        agent_message_in_period=any(m.sender == "agent" and m.ts in period for m in messages),
        agent_replied=agent_replied,
        first_response_team=(
            None if buyer_index is None else first_reply_delay(messages, buyer_index, TEAM_REPLIERS)
        ),
        first_response_agent=(
            None
            if buyer_index is None
            else first_reply_delay(messages, buyer_index, AGENT_REPLIERS)
        ),
        response_waits=tuple(response_waits(messages)),
        rating=conversation.rating,
    )
