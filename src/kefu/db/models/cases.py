"""After-sales cases: returns/exchanges/repairs 退换修, disputes 维权, review follow-ups 中差评."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kefu.db.base import Base, BigId, ShopScoped, Timestamps

CASE_KINDS = ("return", "exchange", "repair", "refund_only")
CASE_STATUSES = ("open", "waiting_buyer", "waiting_goods", "approved", "rejected", "closed")


class AfterSalesCase(ShopScoped, Timestamps, Base):
    """A return, exchange or repair request and the policy decision taken on it."""

    __tablename__ = "after_sales_cases"
    __table_args__ = (
        UniqueConstraint("shop_id", "case_no"),
        Index("ix_after_sales_cases_shop_id_status", "shop_id", "status"),
        Index("ix_after_sales_cases_shop_id_order_id", "shop_id", "order_id"),
    )

    case_no: Mapped[str] = mapped_column(String(64))  # the return case `id` of policies.md
    kind: Mapped[str] = mapped_column(String(16), default="return")  # CASE_KINDS
    status: Mapped[str] = mapped_column(String(16), default="open")  # CASE_STATUSES
    order_id: Mapped[str | None] = mapped_column(String(64))
    buyer_id: Mapped[str | None] = mapped_column(String(128))
    conversation_pk: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("conversations.id", ondelete="SET NULL")
    )
    sku: Mapped[str | None] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(32), default="other")
    reason: Mapped[str] = mapped_column(String(32))
    signed_at: Mapped[datetime | None] = mapped_column()
    requested_at: Mapped[datetime] = mapped_column()
    condition: Mapped[dict[str, Any]] = mapped_column(default=dict)
    evidence_photos: Mapped[int] = mapped_column(default=0)
    customized: Mapped[bool] = mapped_column(default=False)
    perishable: Mapped[bool] = mapped_column(default=False)
    # The decision of `kefu policy return` (codes of policies.md), and who stands behind it.
    decision: Mapped[str | None] = mapped_column(String(16))
    decision_code: Mapped[str | None] = mapped_column(String(48))
    return_shipping_payer: Mapped[str | None] = mapped_column(String(16))
    buyer_pays_original_shipping: Mapped[bool | None] = mapped_column()
    refund_amount: Mapped[Decimal | None] = mapped_column()
    assignee_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )
    notes: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[datetime | None] = mapped_column()


class Dispute(ShopScoped, Timestamps, Base):
    """A buyer's complaint to the platform 维权/投诉, with its platform deadline."""

    __tablename__ = "disputes"
    __table_args__ = (
        UniqueConstraint("shop_id", "dispute_no"),
        Index("ix_disputes_shop_id_status_deadline_at", "shop_id", "status", "deadline_at"),
    )

    dispute_no: Mapped[str] = mapped_column(String(64))
    order_id: Mapped[str | None] = mapped_column(String(64))
    buyer_id: Mapped[str | None] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(32), default="complaint")  # complaint|refund|...
    reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="open")  # open|responded|won|lost
    amount: Mapped[Decimal | None] = mapped_column()
    opened_at: Mapped[datetime] = mapped_column()
    deadline_at: Mapped[datetime | None] = mapped_column()
    resolved_at: Mapped[datetime | None] = mapped_column()
    outcome: Mapped[str] = mapped_column(Text, default="")
    assignee_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )


class ReviewFollowUp(ShopScoped, Timestamps, Base):
    """A neutral/negative review 中差评 to follow up with the buyer, and what came of it."""

    __tablename__ = "review_followups"
    __table_args__ = (
        Index("ix_review_followups_shop_id_status_due_at", "shop_id", "status", "due_at"),
        Index("ix_review_followups_shop_id_order_id", "shop_id", "order_id"),
    )

    order_id: Mapped[str | None] = mapped_column(String(64))
    buyer_id: Mapped[str | None] = mapped_column(String(128))
    sku: Mapped[str | None] = mapped_column(String(64))
    review_level: Mapped[str] = mapped_column(String(16), default="negative")  # neutral|negative
    review_text: Mapped[str] = mapped_column(Text, default="")
    reviewed_at: Mapped[datetime | None] = mapped_column()
    status: Mapped[str] = mapped_column(
        String(16), default="open"
    )  # open|contacted|resolved|failed
    due_at: Mapped[datetime | None] = mapped_column()
    outcome: Mapped[str] = mapped_column(Text, default="")
    compensation: Mapped[Decimal | None] = mapped_column()
    assignee_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )
