"""Declarative base, portable column types and the mixins every table shares.

Portable means the same models run on SQLite (the embedded default) and PostgreSQL:
JSON via `sqlalchemy.JSON`, money as `Numeric(12, 2)`, times timezone-aware and stored in
UTC (SQLite has no timezone type, so `UTCDateTime` normalises on the way in and out).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    Numeric,
    String,
    TypeDecorator,
    func,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Stable constraint names: Alembic can then drop/alter them, and batch mode on SQLite works.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# 64-bit ids on PostgreSQL; SQLite only auto-increments a column declared INTEGER.
BigId = BigInteger().with_variant(Integer(), "sqlite")
Money = Numeric(12, 2)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored in UTC; naive values are refused (they are bugs)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: pass an aware time")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:  # SQLite gives back what it stored: UTC without offset
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        datetime: UTCDateTime(),
        Decimal: Money,
        dict[str, Any]: JSON(),
        list[Any]: JSON(),
        list[str]: JSON(),
    }


def utcnow() -> datetime:
    return datetime.now(UTC)


class IdMixin:
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True, sort_order=-10)


class ShopScoped(IdMixin):
    """Every table but `shops` belongs to one shop: queries always filter on `shop_id`."""

    shop_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("shops.id", ondelete="CASCADE"), sort_order=-9
    )


class Timestamps:
    created_at: Mapped[datetime] = mapped_column(
        default=utcnow, server_default=func.now(), sort_order=10
    )
    updated_at: Mapped[datetime] = mapped_column(
        default=utcnow, onupdate=utcnow, server_default=func.now(), sort_order=10
    )


def fk_id(target: str, *, ondelete: str = "CASCADE") -> Any:
    """A foreign key to another table's surrogate id (same 64-bit type)."""
    return ForeignKey(target, ondelete=ondelete)


__all__ = [
    "Base",
    "BigId",
    "IdMixin",
    "Money",
    "ShopScoped",
    "Timestamps",
    "UTCDateTime",
    "fk_id",
    "utcnow",
]

# Naming: `order_id`, `conversation_id`, `buyer_id`, `tracking_no` are the platforms' natural
# keys of formats.md (strings, unique per shop); a foreign key to another table's surrogate
# id is named `<table>_pk` where the natural name is taken (`order_pk`), else `<thing>_id`.
