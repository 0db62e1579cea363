"""The role ladder of policies.md §5 as the server enforces it."""

from __future__ import annotations

import pytest

from kefu.services.accounts import ROLE_LADDER, role_allows


def test_ladder_order() -> None:
    assert ROLE_LADDER == ("presale", "insale", "aftersale", "review", "supervisor", "manager")


@pytest.mark.parametrize(
    ("role", "allowed", "expected"),
    [
        ("presale", ("presale",), True),
        ("manager", ("presale",), True),  # a ladder role is a minimum
        ("insale", ("aftersale",), False),
        ("review", ("aftersale",), True),
        ("supervisor", ("manager",), False),
        ("manager", ("supervisor",), True),
        ("admin", ("presale",), False),  # admin stands beside the ladder...
        ("admin", ("manager", "admin"), True),  # ...and passes only where named
        ("manager", ("admin",), False),
        ("intern", ("presale",), False),  # unknown roles get nothing
    ],
)
def test_role_allows(role, allowed, expected) -> None:
    assert role_allows(role, allowed) is expected


def test_unknown_role_in_a_check_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        role_allows("presale", ("boss",))
