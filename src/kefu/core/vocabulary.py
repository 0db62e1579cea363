"""The product's fixed vocabulary, defined once: roles, queues, statuses, couriers.

The values are the codes of formats.md / policies.md (they are stored, exported and sent
to clients as they are); the labels people read live in the i18n catalogue (zh-CN and
English), under `queue.<code>`, `role.<code>`, `courier.<code>` and so on (`label()`). `StrEnum` members compare equal to their codes,
so a stored string and a member are interchangeable.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from kefu.core.i18n import DEFAULT_LANG, translate


class Role(StrEnum):
    """policies.md §5: rising authority along the service ladder; admin beside it."""

    PRESALE = "presale"
    INSALE = "insale"
    AFTERSALE = "aftersale"
    REVIEW = "review"
    SUPERVISOR = "supervisor"
    MANAGER = "manager"
    ADMIN = "admin"


ROLE_LADDER: Final = (
    Role.PRESALE,
    Role.INSALE,
    Role.AFTERSALE,
    Role.REVIEW,
    Role.SUPERVISOR,
    Role.MANAGER,
)


class Queue(StrEnum):
    """The four reception queues of policies.md §6."""

    PRESALE = "presale"
    INSALE = "insale"
    AFTERSALE = "aftersale"
    REVIEW = "review"


class AgentStatus(StrEnum):
    ONLINE = "online"
    BUSY = "busy"
    AWAY = "away"
    OFFLINE = "offline"  # set by signing out, never chosen


SETTABLE_AGENT_STATUSES: Final = (AgentStatus.ONLINE, AgentStatus.BUSY, AgentStatus.AWAY)


class ConversationStatus(StrEnum):
    PENDING = "pending"  # waiting for an agent
    OPEN = "open"  # an agent holds it
    CLOSED = "closed"


OPEN_CONVERSATION_STATUSES: Final = (ConversationStatus.OPEN, ConversationStatus.PENDING)


class ClosedBy(StrEnum):
    """formats.md Conversation.closed_by."""

    AGENT = "agent"
    BUYER = "buyer"
    TIMEOUT = "timeout"


class Sender(StrEnum):
    BUYER = "buyer"
    AGENT = "agent"
    BOT = "bot"
    SYSTEM = "system"


class OrderStatus(StrEnum):
    UNPAID = "unpaid"
    PAID = "paid"
    SHIPPED = "shipped"
    SIGNED = "signed"
    COMPLETED = "completed"
    CLOSED = "closed"
    REFUNDING = "refunding"


class Courier(StrEnum):
    SF = "SF"
    YTO = "YTO"
    ZTO = "ZTO"
    STO = "STO"
    YUNDA = "YUNDA"
    EMS = "EMS"
    JD = "JD"


# The catalogue key of each kind's labels (`kefu.core.i18n`): "queue.presale", "courier.SF"…
_LABEL_PREFIX: Final[dict[type[StrEnum], str]] = {
    Role: "role",
    Queue: "queue",
    AgentStatus: "status",
    ConversationStatus: "conversation_status",
    OrderStatus: "order_status",
    Courier: "courier",
}


def label(kind: type[StrEnum], code: str, lang: str = DEFAULT_LANG) -> str:
    """What people read for a code, in `lang` (the code itself when it is not `kind`'s)."""
    key = f"{_LABEL_PREFIX[kind]}.{code}"
    text = translate(lang, key)
    return str(code) if text == key else text


def labels(kind: type[StrEnum], lang: str = DEFAULT_LANG) -> dict[str, str]:
    """Every code of `kind` with its label, in order (what a page is sent)."""
    return {member.value: label(kind, member.value, lang) for member in kind}


def codes(kind: type[StrEnum]) -> tuple[str, ...]:
    return tuple(member.value for member in kind)
