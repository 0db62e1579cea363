"""Masking of buyers' personal data (policies.md §5), pure functions.

Phone and address are shown masked — `138****5678`, district + `****` — to everyone except
the agent holding that buyer's open conversation and supervisors or above; exports are
masked unless made by a manager. The shop's own messages use the same forms, so they never
trip `QA_PRIVACY_LEAK`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

MASK = "****"
# A mainland mobile number not glued to other digits (so order numbers are left alone).
_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)[ -]?(\d{4})[ -]?(\d{4})(?!\d)")


def mask_phone(phone: str | None) -> str:
    """`13812345678` -> `138****5678`; other numbers keep at most their last 4 digits.

    Separators (`+86 138-1234-5678`) are dropped first, so formatting cannot defeat it.
    """
    if not phone:
        return ""
    digits = re.sub(r"\D", "", phone)
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if len(digits) == 11 and digits.startswith("1"):
        return f"{digits[:3]}{MASK}{digits[7:]}"
    if len(digits) >= 8:  # landlines and foreign numbers: prefix hidden too
        return f"{MASK}{digits[-4:]}"
    return MASK


def mask_name(name: str | None) -> str:
    """`张三` -> `张*`, `王小明` -> `王**`: the first character, one star per other one."""
    name = "".join((name or "").split())
    if not name:
        return ""
    return name[:1] + "*" * max(len(name) - 1, 1)


def _field(address: Mapping[str, Any] | Any, key: str) -> str:
    value = address.get(key) if isinstance(address, Mapping) else getattr(address, key, None)
    return str(value or "").strip()


def mask_address(address: Mapping[str, Any] | Any) -> str:
    """A formats.md address (dict or record) -> its district + `****` (`西湖区****`).

    Without a district, the most precise area given (city, then province) stands in.
    """
    for key in ("district", "city", "province"):
        area = _field(address, key)
        if area:
            return area + MASK
    return MASK


def mask_phones_in_text(text: str) -> str:
    """Every mainland mobile number inside free text masked (`…13812345678…` -> `138****5678`)."""
    return _MOBILE.sub(lambda m: f"{m.group(1)}{MASK}{m.group(3)}", text)
