"""The permission table (policies.md §5) and its published copy."""

from __future__ import annotations

from pathlib import Path

from kefu.core.permissions import ROLE_PERMISSIONS, Permission, has_permission, table_markdown
from kefu.core.vocabulary import ROLE_LADDER, Role

DOC = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"


def test_the_docs_list_the_table_as_the_code_has_it() -> None:
    assert table_markdown() in DOC.read_text(encoding="utf-8")


def test_authority_rises_along_the_ladder() -> None:
    for lower, higher in zip(ROLE_LADDER, ROLE_LADDER[1:], strict=False):
        assert ROLE_PERMISSIONS[lower] <= ROLE_PERMISSIONS[higher], (lower, higher)


def test_admin_manages_accounts_and_reads_no_conversation() -> None:
    assert has_permission("admin", Permission.USERS_MANAGE)
    assert has_permission("admin", Permission.SHOP_CONFIG_EDIT)
    for reading in (Permission.CHAT_RECEIVE, Permission.QA_READ_OWN, Permission.FLOOR_VIEW):
        assert not has_permission("admin", reading)


def test_the_seed_ladder_limits() -> None:
    # pre-sale has the least authority; only supervisors and up see other agents' chats
    # and unmasked contacts; only the manager exports unmasked (policies.md §5)
    assert ROLE_PERMISSIONS[Role.PRESALE] == {
        Permission.CHAT_RECEIVE,
        Permission.QA_READ_OWN,
        Permission.QA_APPEAL,
    }
    assert not has_permission("review", Permission.CONTACT_UNMASKED)
    assert has_permission("supervisor", Permission.CONTACT_UNMASKED)
    assert [r for r in Role if has_permission(r, Permission.EXPORT_UNMASKED)] == [Role.MANAGER]


def test_unknown_roles_hold_nothing() -> None:
    assert not has_permission("intern", Permission.CHAT_RECEIVE)
