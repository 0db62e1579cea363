"""Buyers: the customer archive 客户档案 (platform id, contact, tags, notes)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kefu.db.base import Base, ShopScoped, Timestamps


class Buyer(ShopScoped, Timestamps, Base):
    __tablename__ = "buyers"
    __table_args__ = (UniqueConstraint("shop_id", "buyer_id"),)

    buyer_id: Mapped[str] = mapped_column(String(128))  # the platform's id ("tb_lucy88")
    platform: Mapped[str] = mapped_column(String(16), default="taobao")
    nickname: Mapped[str] = mapped_column(String(100), default="")
    name: Mapped[str] = mapped_column(String(100), default="")
    # Full contact is kept for the shop's own use (SMS, couriers); screens and exports show
    # the masked form (kefu.core.privacy) unless the viewer may see it (policies.md §5).
    phone: Mapped[str] = mapped_column(String(32), default="")
    phone_masked: Mapped[str] = mapped_column(String(32), default="")
    addresses: Mapped[list[Any]] = mapped_column(default=list)  # formats.md address dicts
    tags: Mapped[list[str]] = mapped_column(default=list)
    notes: Mapped[str] = mapped_column(Text, default="")
    vip_level: Mapped[int] = mapped_column(default=0)
    blacklisted: Mapped[bool] = mapped_column(default=False)
    first_seen_at: Mapped[datetime | None] = mapped_column()
    last_seen_at: Mapped[datetime | None] = mapped_column()
