"""Shops 店铺: the tenant every other table is scoped by."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from kefu.db.base import Base, Timestamps


class Shop(Timestamps, Base):
    __tablename__ = "shops"

    # The shop config's `shop_id` ("demo"): readable in URLs, logs and `--shop-id`.
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    platform: Mapped[str] = mapped_column(String(16), default="taobao")
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    # The formats.md shop config as given (merged over the defaults when read).
    config: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    is_active: Mapped[bool] = mapped_column(default=True)
