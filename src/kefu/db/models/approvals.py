"""Approval requests: a discount or refund above an agent's authority (policies.md §5)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kefu.db.base import Base, BigId, ShopScoped, Timestamps

APPROVAL_KINDS = ("discount", "refund", "compensation")
APPROVAL_STATUSES = ("pending", "approved", "rejected", "cancelled")


class ApprovalRequest(ShopScoped, Timestamps, Base):
    __tablename__ = "approval_requests"
    __table_args__ = (
        Index(
            "ix_approval_requests_shop_id_status_required_role",
            "shop_id",
            "status",
            "required_role",
        ),
        Index("ix_approval_requests_shop_id_order_id", "shop_id", "order_id"),
    )

    kind: Mapped[str] = mapped_column(String(16))  # APPROVAL_KINDS
    status: Mapped[str] = mapped_column(String(16), default="pending")  # APPROVAL_STATUSES
    order_id: Mapped[str | None] = mapped_column(String(64))
    conversation_pk: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("conversations.id", ondelete="SET NULL")
    )
    amount: Mapped[Decimal | None] = mapped_column()  # refund/compensation, or discount yuan
    discount_pct: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    reason: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    required_role: Mapped[str] = mapped_column(String(16))  # lowest role whose limit covers it
    requested_by_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )
    decided_by_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime | None] = mapped_column()
    decision_note: Mapped[str] = mapped_column(Text, default="")
