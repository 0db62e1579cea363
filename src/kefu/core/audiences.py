"""Who receives a live event: the names of the realtime channels (explicit recipients).

- a conversation's channel: its buyer's sockets and every agent following it;
- an agent's channel: assignments, notes and notices for that agent only;
- a shop's channel: the floor view and list counters of its supervisors and agents.
"""

from __future__ import annotations


def conversation(shop_id: str, conversation_id: str) -> str:
    return f"conv:{shop_id}:{conversation_id}"


def agent(shop_id: str, user_id: int) -> str:
    return f"agent:{shop_id}:{user_id}"


def shop(shop_id: str) -> str:
    return f"shop:{shop_id}"
