"""Order operations as data: scheduled jobs, agent tasks, problem-order flags and digests.

Schedules are rows (ADR 0002): visible, cancellable and surviving restarts. A job's `key`
is unique, so planning the same thing twice (an order imported again, two workers sweeping
at once) adds nothing; the same holds for tasks, so a check that runs twice raises one task.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kefu.db.base import Base, BigId, ShopScoped, Timestamps

JOB_STATUSES = ("pending", "running", "done", "cancelled", "failed")
TASK_STATUSES = ("open", "done", "cancelled")
FLAG_STATUSES = ("open", "cleared", "resolved")


class ScheduledJob(ShopScoped, Timestamps, Base):
    """One thing to do at `due_at`: a follow-up message, a deadline check, a digest.

    Claimed like a reminder: `status` pending -> running with `claim_token`/`claimed_at`; a
    `running` job whose claim is older than the timeout is taken over (the worker died).
    """

    __tablename__ = "scheduled_jobs"
    __table_args__ = (
        UniqueConstraint("key"),
        Index("ix_scheduled_jobs_status_due_at", "status", "due_at"),
        Index("ix_scheduled_jobs_shop_id_order_pk", "shop_id", "order_pk"),
    )

    key: Mapped[str] = mapped_column(String(160))  # e.g. "after_payment:42", "digest:demo:..."
    kind: Mapped[str] = mapped_column(String(32))  # see kefu.workers.jobs.HANDLERS
    order_pk: Mapped[int | None] = mapped_column(BigId, ForeignKey("orders.id", ondelete="CASCADE"))
    due_at: Mapped[datetime] = mapped_column()
    status: Mapped[str] = mapped_column(String(16), default="pending")  # JOB_STATUSES
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    claimed_at: Mapped[datetime | None] = mapped_column()
    claim_token: Mapped[str | None] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(default=0)
    done_at: Mapped[datetime | None] = mapped_column()
    result: Mapped[str] = mapped_column(String(200), default="")  # what the run did
    last_error: Mapped[str] = mapped_column(Text, default="")


class OpsTask(ShopScoped, Timestamps, Base):
    """Work for a person: a phone reminder, a compensation to pay, a parcel to chase, a COD
    order to confirm, an order at risk of shipping late. `key` keeps each one single."""

    __tablename__ = "ops_tasks"
    __table_args__ = (
        UniqueConstraint("key"),
        Index("ix_ops_tasks_shop_id_status_kind", "shop_id", "status", "kind"),
        Index("ix_ops_tasks_assignee_id_status", "assignee_id", "status"),
    )

    key: Mapped[str] = mapped_column(String(160))
    kind: Mapped[str] = mapped_column(String(32))  # kefu.services.orders_ops.TASK_KINDS
    status: Mapped[str] = mapped_column(String(16), default="open")  # TASK_STATUSES
    order_pk: Mapped[int | None] = mapped_column(BigId, ForeignKey("orders.id", ondelete="CASCADE"))
    order_id: Mapped[str | None] = mapped_column(String(64))
    reminder_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("reminders.id", ondelete="SET NULL")
    )
    assignee_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )
    title: Mapped[str] = mapped_column(String(300), default="")
    detail: Mapped[str] = mapped_column(Text, default="")
    amount: Mapped[Decimal | None] = mapped_column()  # compensation owed, when there is one
    due_at: Mapped[datetime | None] = mapped_column()
    done_at: Mapped[datetime | None] = mapped_column()
    done_by_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )
    resolution: Mapped[str] = mapped_column(Text, default="")


class OrderFlag(ShopScoped, Timestamps, Base):
    """A problem-order flag (taxonomy.md) as the live triage last found it.

    `open` while the rule fires; `cleared` when it stops firing by itself (the order was
    shipped, the address fixed); `resolved` when a person closed it with a note. A flag that
    fires again after being cleared opens again (`raised_at` is kept, `times_raised` grows).
    """

    __tablename__ = "order_flags"
    __table_args__ = (
        UniqueConstraint("order_pk", "code"),
        Index("ix_order_flags_shop_id_status_code", "shop_id", "status", "code"),
    )

    order_pk: Mapped[int] = mapped_column(BigId, ForeignKey("orders.id", ondelete="CASCADE"))
    order_id: Mapped[str] = mapped_column(String(64))
    code: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="open")  # FLAG_STATUSES
    raised_at: Mapped[datetime] = mapped_column()
    last_seen_at: Mapped[datetime] = mapped_column()
    cleared_at: Mapped[datetime | None] = mapped_column()
    times_raised: Mapped[int] = mapped_column(default=1)
    assignee_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )
    resolved_by_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )
    resolved_at: Mapped[datetime | None] = mapped_column()
    note: Mapped[str] = mapped_column(Text, default="")


class ProblemDigest(ShopScoped, Base):
    """The after-sales team's problem-order digest 问题订单汇总, one per period."""

    __tablename__ = "problem_digests"
    __table_args__ = (UniqueConstraint("shop_id", "period_start"),)

    period_start: Mapped[datetime] = mapped_column()
    period_end: Mapped[datetime] = mapped_column()
    generated_at: Mapped[datetime] = mapped_column()
    counts: Mapped[dict[str, Any]] = mapped_column(default=dict)  # code -> open orders
    new_counts: Mapped[dict[str, Any]] = mapped_column(default=dict)  # raised in the period
    items: Mapped[list[Any]] = mapped_column(default=list)  # [{order_id, flags, since}]
