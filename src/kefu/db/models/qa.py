"""Quality inspection 质检: a scan result per conversation, its findings, and appeals 申诉."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kefu.db.base import Base, BigId, ShopScoped, Timestamps, utcnow

FINDING_STATUSES = ("active", "appealed", "upheld", "overturned")
APPEAL_STATUSES = ("pending", "accepted", "rejected")


class QaResult(ShopScoped, Base):
    __tablename__ = "qa_results"
    __table_args__ = (
        Index("ix_qa_results_conversation_pk_scanned_at", "conversation_pk", "scanned_at"),
        Index("ix_qa_results_shop_id_agent_id_scanned_at", "shop_id", "agent_id", "scanned_at"),
    )

    conversation_pk: Mapped[int] = mapped_column(
        BigId, ForeignKey("conversations.id", ondelete="CASCADE")
    )
    agent_id: Mapped[str | None] = mapped_column(String(64))
    score: Mapped[int] = mapped_column()  # 100 - deductions, floored at 0
    scanned_at: Mapped[datetime] = mapped_column(default=utcnow)
    source: Mapped[str] = mapped_column(String(16), default="auto")  # auto|manual

    findings: Mapped[list[QaFinding]] = relationship(
        back_populates="result", cascade="all, delete-orphan"
    )


class QaFinding(ShopScoped, Base):
    __tablename__ = "qa_findings"
    __table_args__ = (
        Index("ix_qa_findings_result_id", "result_id"),
        Index("ix_qa_findings_shop_id_rule", "shop_id", "rule"),
    )

    result_id: Mapped[int] = mapped_column(BigId, ForeignKey("qa_results.id", ondelete="CASCADE"))
    rule: Mapped[str] = mapped_column(String(48))  # QA_* code of taxonomy.md
    message_index: Mapped[int | None] = mapped_column()  # None: conversation-wide
    evidence: Mapped[str] = mapped_column(Text, default="")
    deduction: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(16), default="active")  # FINDING_STATUSES

    result: Mapped[QaResult] = relationship(back_populates="findings")


class QaAppeal(ShopScoped, Timestamps, Base):
    """An agent's appeal against a finding, decided by a supervisor."""

    __tablename__ = "qa_appeals"
    __table_args__ = (
        Index("ix_qa_appeals_finding_id", "finding_id"),
        Index("ix_qa_appeals_shop_id_status", "shop_id", "status"),
    )

    finding_id: Mapped[int] = mapped_column(BigId, ForeignKey("qa_findings.id", ondelete="CASCADE"))
    appellant_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # APPEAL_STATUSES
    decided_by_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime | None] = mapped_column()
    decision_note: Mapped[str] = mapped_column(Text, default="")
