"""Logistics: shipments (one per tracking number) and their tracking events 物流轨迹."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kefu.db.base import Base, BigId, ShopScoped, Timestamps

TRACKING_STATUSES = (
    "collected",
    "in_transit",
    "out_for_delivery",
    "delivered",
    "failed",
    "returned",
)


class Shipment(ShopScoped, Timestamps, Base):
    __tablename__ = "shipments"
    __table_args__ = (
        UniqueConstraint("shop_id", "tracking_no"),
        Index("ix_shipments_shop_id_order_id", "shop_id", "order_id"),
        Index("ix_shipments_shop_id_status_last_event_at", "shop_id", "status", "last_event_at"),
    )

    tracking_no: Mapped[str] = mapped_column(String(64))
    courier: Mapped[str | None] = mapped_column(String(16))
    order_id: Mapped[str | None] = mapped_column(String(64))  # orders.order_id
    order_pk: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("orders.id", ondelete="SET NULL")
    )
    status: Mapped[str | None] = mapped_column(String(20))  # of the latest event
    last_event_at: Mapped[datetime | None] = mapped_column()
    last_location: Mapped[str] = mapped_column(String(200), default="")
    collected_at: Mapped[datetime | None] = mapped_column()
    delivered_at: Mapped[datetime | None] = mapped_column()


class TrackingEvent(ShopScoped, Base):
    """A formats.md tracking event; (tracking_no, ts, status) is its natural key."""

    __tablename__ = "tracking_events"
    __table_args__ = (
        UniqueConstraint("shop_id", "tracking_no", "ts", "status"),
        Index("ix_tracking_events_shipment_id_ts", "shipment_id", "ts"),
    )

    shipment_id: Mapped[int] = mapped_column(BigId, ForeignKey("shipments.id", ondelete="CASCADE"))
    tracking_no: Mapped[str] = mapped_column(String(64))
    courier: Mapped[str | None] = mapped_column(String(16))
    order_id: Mapped[str | None] = mapped_column(String(64))
    ts: Mapped[datetime] = mapped_column()
    status: Mapped[str] = mapped_column(String(20))  # TRACKING_STATUSES
    location: Mapped[str] = mapped_column(String(200), default="")
    desc: Mapped[str] = mapped_column(String(500), default="")
