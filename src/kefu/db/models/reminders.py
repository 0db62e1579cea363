"""Payment reminders 催付 as planned and run, and the SMS outbox.

A reminder is sent at most once even when a worker dies mid-send (policies.md §1): a worker
first claims it (`status` pending -> sending with `claimed_at`/`claim_token` in one
conditional UPDATE), then writes the SMS into the outbox keyed by `idempotency_key`, so a
retry finds the existing outbox row instead of sending again.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kefu.db.base import Base, BigId, ShopScoped, Timestamps

REMINDER_STATUSES = ("pending", "sending", "sent", "cancelled", "failed")
REMINDER_CHANNELS = ("im", "sms", "phone")
OUTCOME_REASONS = ("service", "payment_problem", "found_better", "other")


class Reminder(ShopScoped, Timestamps, Base):
    __tablename__ = "reminders"
    __table_args__ = (
        UniqueConstraint("order_pk", "seq"),
        Index("ix_reminders_status_due_at", "status", "due_at"),
        Index("ix_reminders_shop_id_order_id", "shop_id", "order_id"),
    )

    order_pk: Mapped[int] = mapped_column(BigId, ForeignKey("orders.id", ondelete="CASCADE"))
    order_id: Mapped[str] = mapped_column(String(64))
    seq: Mapped[int] = mapped_column(default=1)  # 1 = first reminder, 2 = second
    channel: Mapped[str] = mapped_column(String(8))  # REMINDER_CHANNELS
    due_at: Mapped[datetime] = mapped_column()
    status: Mapped[str] = mapped_column(String(16), default="pending")  # REMINDER_STATUSES
    claimed_at: Mapped[datetime | None] = mapped_column()
    claim_token: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[datetime | None] = mapped_column()
    cancelled_at: Mapped[datetime | None] = mapped_column()
    cancel_reason: Mapped[str] = mapped_column(String(64), default="")  # paid|closed|manual
    text: Mapped[str] = mapped_column(Text, default="")
    agent_id: Mapped[int | None] = mapped_column(  # who calls, for a `phone` reminder
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )
    # Outcome recorded by the agent: paid / not paid, why, and when the buyer will pay.
    outcome: Mapped[str | None] = mapped_column(String(16))  # paid|not_paid
    outcome_reason: Mapped[str | None] = mapped_column(String(32))  # OUTCOME_REASONS
    outcome_note: Mapped[str] = mapped_column(Text, default="")
    expected_pay_at: Mapped[datetime | None] = mapped_column()
    outcome_by_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )
    outcome_at: Mapped[datetime | None] = mapped_column()


class SmsOutbox(ShopScoped, Timestamps, Base):
    """An SMS to send; the sender worker delivers each row at most once."""

    __tablename__ = "sms_outbox"
    __table_args__ = (
        UniqueConstraint("idempotency_key"),
        Index("ix_sms_outbox_status_send_after", "status", "send_after"),
    )

    idempotency_key: Mapped[str] = mapped_column(String(128))  # e.g. "reminder:42"
    reminder_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("reminders.id", ondelete="SET NULL")
    )
    phone: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="queued")  # queued|sending|sent|failed
    send_after: Mapped[datetime | None] = mapped_column()
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    provider_msg_id: Mapped[str | None] = mapped_column(String(128))
    sent_at: Mapped[datetime | None] = mapped_column()
