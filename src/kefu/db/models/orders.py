"""Orders: the order (with its delivery address), items, status history and remarks 备注."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kefu.db.base import Base, BigId, ShopScoped, Timestamps, utcnow

ORDER_STATUSES = ("unpaid", "paid", "shipped", "signed", "completed", "closed", "refunding")
REMARK_FLAGS = ("red", "yellow", "green", "blue", "purple", "grey")  # the platforms' 旗帜


class Order(ShopScoped, Base):
    """A formats.md order record; `order_id` is the platform's number, unique per shop."""

    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("shop_id", "order_id"),
        Index("ix_orders_shop_id_buyer_id", "shop_id", "buyer_id"),
        Index("ix_orders_shop_id_status_created_at", "shop_id", "status", "created_at"),
        Index("ix_orders_shop_id_tracking_no", "shop_id", "tracking_no"),
    )

    order_id: Mapped[str] = mapped_column(String(64))
    platform: Mapped[str] = mapped_column(String(16), default="taobao")
    buyer_id: Mapped[str] = mapped_column(String(128))  # buyers.buyer_id (may be unknown yet)
    status: Mapped[str] = mapped_column(String(16))  # ORDER_STATUSES
    created_at: Mapped[datetime] = mapped_column()  # placed on the platform (not row time)
    paid_at: Mapped[datetime | None] = mapped_column()
    shipped_at: Mapped[datetime | None] = mapped_column()
    signed_at: Mapped[datetime | None] = mapped_column()
    amount: Mapped[Decimal] = mapped_column()
    shipping_fee: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    free_shipping: Mapped[bool] = mapped_column(default=False)
    payment_method: Mapped[str] = mapped_column(String(16), default="online")
    courier: Mapped[str | None] = mapped_column(String(16))
    tracking_no: Mapped[str | None] = mapped_column(String(64))
    buyer_note: Mapped[str] = mapped_column(Text, default="")
    presale: Mapped[bool] = mapped_column(default=False)
    customized: Mapped[bool] = mapped_column(default=False)
    address_changed_after_payment: Mapped[bool] = mapped_column(default=False)
    # The delivery address (formats.md `address`), one per order.
    receiver_name: Mapped[str] = mapped_column(String(100), default="")
    receiver_phone: Mapped[str] = mapped_column(String(32), default="")
    province: Mapped[str] = mapped_column(String(32), default="")
    city: Mapped[str] = mapped_column(String(64), default="")
    district: Mapped[str] = mapped_column(String(64), default="")
    address_detail: Mapped[str] = mapped_column(String(300), default="")
    # SHA-256 of the imported record: a re-import of the same record changes nothing.
    record_hash: Mapped[str] = mapped_column(String(64), default="")
    # Row bookkeeping: `created_at` is the order's own time, so the row has these instead.
    imported_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        default=utcnow, onupdate=utcnow, server_default=func.now()
    )

    items: Mapped[list[OrderItem]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderItem.line_no"
    )


class OrderItem(ShopScoped, Base):
    __tablename__ = "order_items"
    __table_args__ = (
        UniqueConstraint("order_pk", "line_no"),
        Index("ix_order_items_shop_id_sku", "shop_id", "sku"),
    )

    order_pk: Mapped[int] = mapped_column(BigId, ForeignKey("orders.id", ondelete="CASCADE"))
    line_no: Mapped[int] = mapped_column()  # position in the record's `items`, from 0
    sku: Mapped[str] = mapped_column(String(64), default="")
    title: Mapped[str] = mapped_column(String(300), default="")
    category: Mapped[str] = mapped_column(String(32), default="other")
    qty: Mapped[int] = mapped_column(default=1)
    price: Mapped[Decimal] = mapped_column(default=Decimal("0"))

    order: Mapped[Order] = relationship(back_populates="items")


class OrderStatusChange(ShopScoped, Base):
    """One status transition, from an import or an action (who, when, why)."""

    __tablename__ = "order_status_history"
    __table_args__ = (Index("ix_order_status_history_order_pk_at", "order_pk", "at"),)

    order_pk: Mapped[int] = mapped_column(BigId, ForeignKey("orders.id", ondelete="CASCADE"))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    source: Mapped[str] = mapped_column(String(16), default="import")  # import|agent|system
    actor_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(300), default="")


class OrderRemark(ShopScoped, Timestamps, Base):
    """A seller remark 备注 with the platform's colour flag, the reason, who and when."""

    __tablename__ = "order_remarks"
    __table_args__ = (Index("ix_order_remarks_order_pk", "order_pk"),)

    order_pk: Mapped[int] = mapped_column(BigId, ForeignKey("orders.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    flag: Mapped[str | None] = mapped_column(String(16))  # REMARK_FLAGS
    reason: Mapped[str] = mapped_column(String(64), default="")  # e.g. address_change, vip
    author_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )
