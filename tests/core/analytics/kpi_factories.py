"""Small builders of conversation and order records for the KPI tests."""

from __future__ import annotations

from typing import Any

from kefu.core.analytics import Period
from kefu.core.records import Conversation, Order
from kefu.core.shopconfig import DEFAULT_SHOP
from kefu.core.timeutil import parse_time

TZ = DEFAULT_SHOP.tz


def at(text: str) -> Any:
    """A time; without an offset it is Shanghai time."""
    return parse_time(text, TZ)


def period(start: str = "2026-11-20T00:00", end: str = "2026-11-21T00:00") -> Period:
    return Period(at(start), at(end))


def msg(sender: str, ts: str, text: str = "…") -> dict[str, Any]:
    return {"sender": sender, "text": text, "ts": ts}


def conv(
    *messages: dict[str, Any],
    buyer: str = "b1",
    agent: str | None = "kf01",
    rating: int | None = None,
    cid: str = "c",
) -> Conversation:
    return Conversation.model_validate(
        {
            "conversation_id": cid,
            "buyer_id": buyer,
            "agent_id": agent,
            "messages": list(messages),
            "rating": rating,
        },
        context={"tz": TZ},
    )


def chat(
    asked: str,
    answered: str | None,
    *,
    buyer: str = "b1",
    agent: str | None = "kf01",
    rating: int | None = None,
) -> Conversation:
    """A buyer question, optionally answered by the agent."""
    messages = [msg("buyer", asked)]
    if answered is not None:
        messages.append(msg("agent", answered))
    return conv(*messages, buyer=buyer, agent=agent, rating=rating)


def order(
    created: str,
    paid: str | None = None,
    *,
    buyer: str = "b1",
    oid: str = "o1",
    amount: float = 100.0,
    status: str | None = None,
) -> Order:
    return Order.model_validate(
        {
            "order_id": oid,
            "buyer_id": buyer,
            "status": status or ("paid" if paid else "unpaid"),
            "created_at": created,
            "paid_at": paid,
            "amount": amount,
            "items": [],
            "address": {},
        },
        context={"tz": TZ},
    )
