"""Catalogue: products and their SKUs (category, attributes, size chart, stock)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kefu.core.records import CATEGORIES as ITEM_CATEGORIES
from kefu.db.base import Base, BigId, ShopScoped, Timestamps

CATEGORIES = ITEM_CATEGORIES  # the codes of formats.md, defined once in core.records


class Product(ShopScoped, Timestamps, Base):
    __tablename__ = "products"
    __table_args__ = (UniqueConstraint("shop_id", "product_id"),)

    product_id: Mapped[str] = mapped_column(String(64))  # "TS-001"
    title: Mapped[str] = mapped_column(String(300))
    category: Mapped[str] = mapped_column(String(32), default="other")
    price: Mapped[Decimal] = mapped_column(default=Decimal("0"))  # the lowest SKU price
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)  # 材质/产地/保质期...
    size_chart: Mapped[list[Any] | None] = mapped_column()  # rows, for apparel and shoes
    description: Mapped[str] = mapped_column(Text, default="")
    weight_kg: Mapped[Decimal | None] = mapped_column(Numeric(10, 3))
    dims_cm: Mapped[list[Any] | None] = mapped_column()  # [l, w, h]
    is_active: Mapped[bool] = mapped_column(default=True)


class Sku(ShopScoped, Timestamps, Base):
    __tablename__ = "skus"
    __table_args__ = (
        UniqueConstraint("shop_id", "sku"),
        Index("ix_skus_product_id", "product_id"),
    )

    product_id: Mapped[int] = mapped_column(BigId, ForeignKey("products.id", ondelete="CASCADE"))
    sku: Mapped[str] = mapped_column(String(64))  # "TS-001-M-BLK"
    category: Mapped[str] = mapped_column(String(32), default="other")  # copied from product
    color: Mapped[str] = mapped_column(String(50), default="")
    size: Mapped[str] = mapped_column(String(50), default="")
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    price: Mapped[Decimal] = mapped_column(default=Decimal("0"))
    stock: Mapped[int] = mapped_column(default=0)  # available quantity
