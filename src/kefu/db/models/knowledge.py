"""Knowledge base: FAQ articles, quick replies 快捷短语 and promotions 活动."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kefu.db.base import Base, BigId, ShopScoped, Timestamps


class FaqArticle(ShopScoped, Timestamps, Base):
    __tablename__ = "faq_articles"
    __table_args__ = (UniqueConstraint("shop_id", "faq_id"),)

    faq_id: Mapped[str] = mapped_column(String(64))  # "faq-001"
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(32), default="service")
    keywords: Mapped[list[str]] = mapped_column(default=list)
    is_active: Mapped[bool] = mapped_column(default=True)


class QuickReply(ShopScoped, Timestamps, Base):
    """A canned reply; `text` may hold `{agent_no}`, `{buyer_name}`, `{order_id}`."""

    __tablename__ = "quick_replies"
    __table_args__ = (UniqueConstraint("shop_id", "quick_reply_id"),)

    quick_reply_id: Mapped[str] = mapped_column(String(64))  # "qr-001"
    title: Mapped[str] = mapped_column(String(200), default="")
    text: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(32), default="welcome")
    shortcut: Mapped[str | None] = mapped_column(String(32))  # "/hy"
    owner_id: Mapped[int | None] = mapped_column(  # None: shared by the whole shop
        BigId, ForeignKey("users.id", ondelete="CASCADE")
    )
    use_count: Mapped[int] = mapped_column(default=0)


class Promotion(ShopScoped, Timestamps, Base):
    __tablename__ = "promotions"
    __table_args__ = (UniqueConstraint("shop_id", "promotion_id"),)

    promotion_id: Mapped[str] = mapped_column(String(64))  # "promo-01"
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))  # coupon | 满减 | member
    rule: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime | None] = mapped_column()
    ends_at: Mapped[datetime | None] = mapped_column()
