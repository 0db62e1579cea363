"""Who may do what: one table of role → permissions (policies.md §5), used by every HTTP
route, WebSocket event, page and action. Limits with amounts (discounts, refunds) live
in the shop config's `authority`; this table says which kinds of action a role may take.

The table is written as the lowest ladder role that holds each permission (a supervisor
may do everything an after-sale agent may), plus what admin holds beside the ladder:
admin manages accounts and settings and reads no conversations.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from kefu.core.vocabulary import ROLE_LADDER, Role


class Permission(StrEnum):
    # conversations 接待
    CHAT_RECEIVE = "chat.receive"  # take, answer and close conversations of one's queues
    CHAT_READ_ALL = "chat.read_all"  # read every queue's conversations
    CHAT_ACT_ON_ANY = "chat.act_on_any"  # answer or close a colleague's conversation
    CONTACT_UNMASKED = "buyer.contact_unmasked"  # full phone/address beyond one's own chats
    FLOOR_VIEW = "floor.view"  # 现场监控
    # orders 订单
    ORDERS_PROBLEM_BOARD = "orders.problem_board"  # 问题订单
    ORDERS_TEMPLATES = "orders.templates"  # the shop's outgoing message templates
    # quality inspection 质检
    QA_READ_OWN = "qa.read_own"
    QA_APPEAL = "qa.appeal"
    QA_READ_ALL = "qa.read_all"
    QA_DECIDE_APPEAL = "qa.decide_appeal"
    QA_ALLOW_BLOCKED = "qa.allow_blocked"  # let a message the guard blocked be sent
    # administration 管理
    SHOP_CONFIG_EDIT = "shop.config_edit"
    USERS_MANAGE = "users.manage"
    API_TOKENS_MANAGE = "api_tokens.manage"
    AUDIT_READ = "audit.read"
    EXPORT_UNMASKED = "export.unmasked"


# The lowest ladder role holding each permission (None: no ladder role holds it).
_LADDER_MINIMUM: Final[dict[Permission, Role | None]] = {
    Permission.CHAT_RECEIVE: Role.PRESALE,
    Permission.CHAT_READ_ALL: Role.SUPERVISOR,
    Permission.CHAT_ACT_ON_ANY: Role.SUPERVISOR,
    Permission.CONTACT_UNMASKED: Role.SUPERVISOR,
    Permission.FLOOR_VIEW: Role.SUPERVISOR,
    Permission.ORDERS_PROBLEM_BOARD: Role.INSALE,
    Permission.ORDERS_TEMPLATES: Role.MANAGER,
    Permission.QA_READ_OWN: Role.PRESALE,
    Permission.QA_APPEAL: Role.PRESALE,
    Permission.QA_READ_ALL: Role.SUPERVISOR,
    Permission.QA_DECIDE_APPEAL: Role.SUPERVISOR,
    Permission.QA_ALLOW_BLOCKED: Role.SUPERVISOR,
    Permission.SHOP_CONFIG_EDIT: Role.MANAGER,
    Permission.USERS_MANAGE: None,
    Permission.API_TOKENS_MANAGE: None,
    Permission.AUDIT_READ: Role.SUPERVISOR,
    Permission.EXPORT_UNMASKED: Role.MANAGER,
}

# What admin holds: accounts and system settings, never the buyers' conversations.
_ADMIN: Final = frozenset(
    {
        Permission.SHOP_CONFIG_EDIT,
        Permission.USERS_MANAGE,
        Permission.API_TOKENS_MANAGE,
        Permission.AUDIT_READ,
        Permission.ORDERS_TEMPLATES,
    }
)


def _build() -> dict[Role, frozenset[Permission]]:
    table: dict[Role, frozenset[Permission]] = {}
    for rank, role in enumerate(ROLE_LADDER):
        table[role] = frozenset(
            permission
            for permission, minimum in _LADDER_MINIMUM.items()
            if minimum is not None and ROLE_LADDER.index(minimum) <= rank
        )
    table[Role.ADMIN] = _ADMIN
    return table


ROLE_PERMISSIONS: Final[dict[Role, frozenset[Permission]]] = _build()


def has_permission(role: str, permission: Permission) -> bool:
    """Whether `role` holds `permission` (an unknown role holds nothing)."""
    try:
        return permission in ROLE_PERMISSIONS[Role(role)]
    except ValueError:
        return False


def roles_with(permission: Permission) -> tuple[Role, ...]:
    return tuple(role for role, held in ROLE_PERMISSIONS.items() if permission in held)


def table_markdown() -> str:
    """The table as Markdown (docs/permissions.md is generated from it and tested equal)."""
    roles = list(ROLE_PERMISSIONS)
    lines = [
        "| permission | " + " | ".join(r.value for r in roles) + " |",
        "| --- | " + " | ".join("---" for _ in roles) + " |",
    ]
    for permission in Permission:
        marks = ["✓" if permission in ROLE_PERMISSIONS[r] else "" for r in roles]
        lines.append(f"| `{permission.value}` | " + " | ".join(marks) + " |")
    return "\n".join(lines) + "\n"
