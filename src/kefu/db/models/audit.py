"""Audit log: who did what to which record, with the before/after values, and when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from kefu.db.base import Base, BigId, ShopScoped, utcnow


class AuditEntry(ShopScoped, Base):
    """Append-only. `actor` keeps the username so the row survives the user's deletion."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_shop_id_at", "shop_id", "at"),
        Index("ix_audit_log_shop_id_target_type_target_id", "shop_id", "target_type", "target_id"),
        Index("ix_audit_log_actor_id_at", "actor_id", "at"),
    )

    actor_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(String(64), default="system")
    action: Mapped[str] = mapped_column(String(64))  # verb, e.g. "order.remark", "pii.view"
    target_type: Mapped[str] = mapped_column(String(32), default="")
    target_id: Mapped[str] = mapped_column(String(128), default="")
    before: Mapped[dict[str, Any] | None] = mapped_column()
    after: Mapped[dict[str, Any] | None] = mapped_column()
    at: Mapped[datetime] = mapped_column(default=utcnow)
    ip: Mapped[str] = mapped_column(String(64), default="")
