"""Time and money helpers shared by the rules (pure: "now" is always passed in)."""

from __future__ import annotations

from datetime import datetime, tzinfo
from decimal import ROUND_HALF_UP, Decimal


def parse_time(value: str, tz: tzinfo) -> datetime:
    """An ISO 8601 time; one without an offset is read in the shop's timezone."""
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed


def format_time(value: datetime | None, tz: tzinfo) -> str | None:
    """ISO 8601 with the shop's offset, e.g. 2026-11-20T10:15:00+08:00."""
    if value is None:
        return None
    return value.astimezone(tz).isoformat(timespec="seconds")


def to_decimal(value: float | int | str | Decimal) -> Decimal:
    """Exact decimal of a JSON number (via its shortest repr, so 12.5 stays 12.5)."""
    if isinstance(value, Decimal):
        return value
    return Decimal(str(value))


def round_money(value: Decimal | float | int) -> float:
    """Money rounded half up to 2 decimals (5 % of 12.50 is 0.63)."""
    return float(to_decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
