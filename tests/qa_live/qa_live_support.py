"""Helpers of the QA live tests: closed conversations with known findings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from kefu.db.models import Conversation, Message, User

NOW = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)  # the API world's clock (tests/api/conftest.py)
PASSWORD = "correct-horse-42"  # every account of the API world


def add_closed(
    session: Session,
    conversation_id: str,
    agent: User | None,
    messages: list[tuple[str, str, int]],
    *,
    closed_by: str = "agent",
    hours_ago: float = 2,
    shop_id: str = "s1",
    buyer_id: str = "tb_lucy88",
) -> Conversation:
    """A closed conversation; `messages` are (sender, text, seconds after its start)."""
    start = NOW - timedelta(hours=hours_ago)
    conv = Conversation(
        shop_id=shop_id,
        conversation_id=conversation_id,
        buyer_id=buyer_id,
        queue="presale",
        status="closed",
        closed_by=closed_by,
        assignee_id=agent.id if agent else None,
        agent_id=agent.username if agent else None,
        started_at=start,
        last_message_at=start + timedelta(seconds=messages[-1][2]),
        closed_at=start + timedelta(seconds=messages[-1][2] + 1),
        last_seq=len(messages),
    )
    session.add(conv)
    session.flush()
    for seq, (sender, text, seconds) in enumerate(messages, start=1):
        session.add(
            Message(
                shop_id=shop_id,
                conversation_pk=conv.id,
                seq=seq,
                sender=sender,
                text=text,
                ts=start + timedelta(seconds=seconds),
            )
        )
    session.flush()
    return conv


# A conversation breaking three rules: off-platform + privacy (the same message), and
# no farewell at the agent's close. 100 - 6 - 6 - 2 = 86.
BAD_CHAT = [
    ("buyer", "在吗？这件T恤有L码吗", 0),
    ("agent", "您好，有的亲，L码有货哦", 5),
    ("buyer", "能加个联系方式吗", 20),
    ("agent", "加我微信吧，电话13812345678", 30),
    ("buyer", "好的", 40),
    ("agent", "好的，已经为您备注了", 45),
]
BAD_SCORE = 86

GOOD_CHAT = [
    ("buyer", "包邮吗", 0),
    ("agent", "亲，您好，全场包邮哦", 4),
    ("buyer", "好的谢谢", 10),
    ("agent", "不客气，感谢您的光临，祝您生活愉快～", 15),
]
