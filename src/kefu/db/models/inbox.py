"""Inbox: conversations, their messages and buyer ratings.

A message has a per-conversation `seq` (1, 2, ...) that orders it and lets clients resume
("everything after seq N"); `client_msg_id`, unique per conversation, makes a resent message
idempotent (the second send finds the first and adds nothing).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kefu.db.base import Base, BigId, ShopScoped, Timestamps

SENDERS = ("buyer", "agent", "bot", "system")
CONVERSATION_STATUSES = ("open", "pending", "closed")


class Conversation(ShopScoped, Timestamps, Base):
    __tablename__ = "conversations"
    __table_args__ = (
        UniqueConstraint("shop_id", "conversation_id"),
        Index("ix_conversations_shop_id_buyer_id", "shop_id", "buyer_id"),
        Index("ix_conversations_shop_id_status_assignee_id", "shop_id", "status", "assignee_id"),
        Index("ix_conversations_shop_id_last_message_at", "shop_id", "last_message_at"),
    )

    conversation_id: Mapped[str] = mapped_column(String(64))
    platform: Mapped[str] = mapped_column(String(16), default="taobao")
    buyer_id: Mapped[str] = mapped_column(String(128))  # buyers.buyer_id
    agent_id: Mapped[str | None] = mapped_column(String(64))  # users.username ("kf08")
    assignee_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )
    queue: Mapped[str | None] = mapped_column(String(16))  # presale|insale|aftersale|review
    status: Mapped[str] = mapped_column(String(16), default="open")  # CONVERSATION_STATUSES
    order_ids: Mapped[list[str]] = mapped_column(default=list)
    closed_by: Mapped[str | None] = mapped_column(String(16))  # agent|buyer|timeout
    started_at: Mapped[datetime | None] = mapped_column()  # first buyer message
    last_message_at: Mapped[datetime | None] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column()
    last_seq: Mapped[int] = mapped_column(default=0)  # highest messages.seq given out
    record_hash: Mapped[str] = mapped_column(String(64), default="")

    messages: Mapped[list[Message]] = relationship(
        back_populates="conversation", cascade="all, delete-orphan", order_by="Message.seq"
    )


class Message(ShopScoped, Base):
    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("conversation_pk", "seq"),
        UniqueConstraint("conversation_pk", "client_msg_id"),
        Index("ix_messages_shop_id_ts", "shop_id", "ts"),
    )

    conversation_pk: Mapped[int] = mapped_column(
        BigId, ForeignKey("conversations.id", ondelete="CASCADE")
    )
    seq: Mapped[int] = mapped_column()
    client_msg_id: Mapped[str | None] = mapped_column(String(64))
    sender: Mapped[str] = mapped_column(String(8))  # SENDERS
    sender_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )
    text: Mapped[str] = mapped_column(Text)
    ts: Mapped[datetime] = mapped_column()
    quick_reply: Mapped[bool] = mapped_column(default=False)
    kind: Mapped[str] = mapped_column(String(16), default="text")  # text|image|order_card
    attachments: Mapped[list[Any] | None] = mapped_column()
    intent: Mapped[str | None] = mapped_column(String(32))  # taxonomy intent code, if known

    conversation: Mapped[Conversation] = relationship(back_populates="messages")


class Rating(ShopScoped, Base):
    """The buyer's satisfaction rating 评价 of a conversation (1-5; 4 and 5 are satisfied)."""

    __tablename__ = "ratings"
    __table_args__ = (
        UniqueConstraint("conversation_pk"),
        Index("ix_ratings_shop_id_agent_id", "shop_id", "agent_id"),
    )

    conversation_pk: Mapped[int] = mapped_column(
        BigId, ForeignKey("conversations.id", ondelete="CASCADE")
    )
    agent_id: Mapped[str | None] = mapped_column(String(64))
    rating: Mapped[int] = mapped_column(SmallInteger)
    comment: Mapped[str] = mapped_column(Text, default="")
    rated_at: Mapped[datetime | None] = mapped_column()
