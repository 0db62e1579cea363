"""The agent workspace's read side: the conversation list and one conversation's history
with the buyer side panel.

Scoping (policies.md §5 and §6): everything is limited to the viewer's shop. Agents below
supervisor see the queues they work (`User.queues`, else the queue named like their role)
plus every conversation assigned to them; supervisors and managers see all queues. `admin`
manages accounts and settings and does not read buyers' chats.

Privacy: phone and address are masked for everyone except the agent holding that buyer's
open conversation and supervisors or above; each unmasked view is written to the audit log.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, false, func, or_, select
from sqlalchemy.orm import Session, aliased

from kefu.core.errors import InvalidInput, NotFound, PermissionDenied
from kefu.core.permissions import Permission, has_permission
from kefu.core.privacy import mask_address, mask_name, mask_phone, mask_phones_in_text
from kefu.db.models.accounts import User
from kefu.db.models.buyers import Buyer
from kefu.db.models.inbox import Conversation, Message
from kefu.db.models.orders import Order
from kefu.services import accounts

OPEN_STATUSES = ("open", "pending")
# active: open or pending; recent: active plus those closed in the last RECENT (the
# workspace's "today" view); closed; all.
STATUS_FILTERS = ("active", "recent", "closed", "all")
RECENT = timedelta(hours=24)


@dataclass(frozen=True)
class ConversationSummary:
    id: str
    buyer_id: str
    buyer_nickname: str
    platform: str
    queue: str
    status: str
    agent_id: str | None
    agent_no: str | None
    unread_count: int  # buyer messages after the last agent reply
    waiting_seconds: int | None  # since the first unanswered buyer message; None if answered
    last_message: str
    last_message_at: datetime | None
    answered_before: bool = False  # an agent wrote in it: the wait limit is response_seconds


@dataclass(frozen=True)
class QueueGroup:
    queue: str
    items: list[ConversationSummary]

    @property
    def unread(self) -> int:
        return sum(item.unread_count for item in self.items)


@dataclass(frozen=True)
class MessageView:
    seq: int
    sender: str
    text: str
    ts: datetime
    quick_reply: bool


@dataclass(frozen=True)
class OrderBrief:
    order_id: str
    status: str
    amount: Decimal
    created_at: datetime
    title: str


@dataclass(frozen=True)
class BuyerPanel:
    buyer_id: str
    nickname: str
    name: str
    phone: str
    address: str
    masked: bool
    orders: list[OrderBrief] = field(default_factory=list)


@dataclass(frozen=True)
class ConversationDetail:
    summary: ConversationSummary
    messages: list[MessageView]
    buyer: BuyerPanel
    order_ids: list[str]
    rating: int | None = None


# The conversation's holder, joined to tell the queue of conversations that have none.
_Holder = aliased(User)


def _effective_queue() -> ColumnElement[str]:
    """The queue a conversation waits in: its routed queue; else (imported records carry
    none) the queue named by the role of the agent holding it; else pre-sale, where new
    chats arrive (policies.md §6)."""
    holder_queue = case((_Holder.role.in_(accounts.QUEUES), _Holder.role), else_=None)
    return func.coalesce(Conversation.queue, holder_queue, "presale")


def _select_conversations() -> Select[Conversation, str]:
    return select(Conversation, _effective_queue()).outerjoin(
        _Holder, _Holder.id == Conversation.assignee_id
    )


def viewer_queues(user: User) -> tuple[str, ...]:
    """The queues a user works: all of them from supervisor up, else their own."""
    if has_permission(user.role, Permission.CHAT_READ_ALL):
        return accounts.QUEUES
    own = tuple(q for q in (user.queues or []) if q in accounts.QUEUES)
    if own:
        return own
    return (user.role,) if user.role in accounts.QUEUES else ()


def _scope(user: User) -> ColumnElement[bool]:
    """The SQL condition for the conversations `user` may read (shop first, then role)."""
    in_shop = Conversation.shop_id == user.shop_id
    if not has_permission(user.role, Permission.CHAT_RECEIVE):
        return false()
    if has_permission(user.role, Permission.CHAT_READ_ALL):
        return in_shop
    queues = viewer_queues(user)
    mine = or_(Conversation.assignee_id == user.id, Conversation.agent_id == user.username)
    in_queue = _effective_queue().in_(queues) if queues else false()
    return and_(in_shop, or_(mine, in_queue))


def _check_reader(user: User) -> None:
    if not has_permission(user.role, Permission.CHAT_RECEIVE):
        raise PermissionDenied()


def list_conversations(
    session: Session,
    user: User,
    *,
    now: datetime,
    queue: str | None = None,
    status: str = "active",
    limit: int = 200,
) -> list[ConversationSummary]:
    """The conversations `user` may see, newest activity first."""
    _check_reader(user)
    if queue is not None and queue not in accounts.QUEUES:
        raise InvalidInput("bad_queue", f"队列须为 {'、'.join(accounts.QUEUES)} 之一")
    if status not in STATUS_FILTERS:
        raise InvalidInput("bad_status", f"状态须为 {'、'.join(STATUS_FILTERS)} 之一")
    stmt = _select_conversations().where(_scope(user))
    if queue is not None:
        stmt = stmt.where(_effective_queue() == queue)
    is_active = Conversation.status.in_(OPEN_STATUSES)
    if status == "active":
        stmt = stmt.where(is_active)
    elif status == "recent":
        stmt = stmt.where(or_(is_active, Conversation.last_message_at >= now - RECENT))
    elif status == "closed":
        stmt = stmt.where(Conversation.status == "closed")
    # Conversations still waiting come first, then the latest activity.
    stmt = stmt.order_by(
        case((is_active, 0), else_=1),
        Conversation.last_message_at.desc().nulls_last(),
        Conversation.id.desc(),
    ).limit(limit)
    rows = [(conv, conv_queue) for conv, conv_queue in session.execute(stmt)]
    return _summaries(session, user.shop_id, rows, now)


def group_by_queue(
    items: Sequence[ConversationSummary], queues: Sequence[str]
) -> tuple[list[QueueGroup], list[ConversationSummary]]:
    """The list as the workspace shows it: the active conversations grouped by queue (one
    group per queue the viewer works, in the ladder's order, plus the queue of any
    conversation assigned from elsewhere), and the finished ones apart."""
    active = [item for item in items if item.status != "closed"]
    finished = [item for item in items if item.status == "closed"]
    present = {item.queue for item in active}
    wanted = [q for q in accounts.QUEUES if q in queues or q in present]
    groups = [QueueGroup(q, [item for item in active if item.queue == q]) for q in wanted]
    return groups, finished


def _pairs(session: Session, stmt: Select[Any, Any]) -> dict[Any, Any]:
    """A two-column query as a dict (first column -> second)."""
    return {row[0]: row[1] for row in session.execute(stmt)}


def _summaries(
    session: Session, shop_id: str, rows: list[tuple[Conversation, str]], now: datetime
) -> list[ConversationSummary]:
    if not rows:
        return []
    convs = [conv for conv, _ in rows]
    pks = [c.id for c in convs]
    # Unread and waiting come from the messages: buyer messages after the last agent reply
    # (bot and system messages do not answer a buyer, policies.md §7).
    last_agent: dict[int, int] = _pairs(
        session,
        select(Message.conversation_pk, func.max(Message.seq))
        .where(Message.conversation_pk.in_(pks), Message.sender == "agent")
        .group_by(Message.conversation_pk),
    )
    buyer_rows = session.execute(
        select(Message.conversation_pk, Message.seq, Message.ts).where(
            Message.conversation_pk.in_(pks), Message.sender == "buyer"
        )
    )
    unread: dict[int, int] = {}
    first_unanswered: dict[int, datetime] = {}
    for pk, seq, ts in buyer_rows:
        if seq > (last_agent.get(pk) or 0):
            unread[pk] = unread.get(pk, 0) + 1
            if pk not in first_unanswered or ts < first_unanswered[pk]:
                first_unanswered[pk] = ts
    last_text: dict[int, str] = _pairs(
        session,
        select(Message.conversation_pk, Message.text)
        .join(Conversation, Conversation.id == Message.conversation_pk)
        .where(Message.conversation_pk.in_(pks), Message.seq == Conversation.last_seq),
    )
    nicknames: dict[str, str] = _pairs(
        session,
        select(Buyer.buyer_id, Buyer.nickname).where(
            Buyer.shop_id == shop_id, Buyer.buyer_id.in_({c.buyer_id for c in convs})
        ),
    )
    agent_ids = {c.assignee_id for c in convs if c.assignee_id is not None}
    agent_names = {c.agent_id for c in convs if c.agent_id}
    agents = list(
        session.scalars(
            select(User).where(
                User.shop_id == shop_id,
                or_(User.id.in_(agent_ids), User.username.in_(agent_names)),
            )
        )
    )
    by_id = {a.id: a for a in agents}
    by_name = {a.username: a for a in agents}
    out = []
    for conv, conv_queue in rows:
        agent = by_id.get(conv.assignee_id or -1) or by_name.get(conv.agent_id or "")
        waiting: int | None = None
        if conv.status != "closed" and conv.id in first_unanswered:
            waiting = max(0, int((now - first_unanswered[conv.id]).total_seconds()))
        out.append(
            ConversationSummary(
                id=conv.conversation_id,
                buyer_id=conv.buyer_id,
                buyer_nickname=nicknames.get(conv.buyer_id) or "",
                platform=conv.platform,
                queue=conv_queue,
                status=conv.status,
                agent_id=agent.username if agent else conv.agent_id,
                agent_no=agent.agent_no if agent else None,
                # A finished chat has nothing left to read or answer.
                unread_count=0 if conv.status == "closed" else unread.get(conv.id, 0),
                waiting_seconds=waiting,
                last_message=(last_text.get(conv.id) or "")[:80],
                last_message_at=conv.last_message_at,
                answered_before=conv.id in last_agent,
            )
        )
    return out


def may_see_contact(session: Session, user: User, buyer_id: str) -> bool:
    """policies.md §5: supervisors and above, or the agent holding the buyer's open chat."""
    if has_permission(user.role, Permission.CONTACT_UNMASKED):
        return True
    held = session.scalar(
        select(func.count())
        .select_from(Conversation)
        .where(
            Conversation.shop_id == user.shop_id,
            Conversation.buyer_id == buyer_id,
            Conversation.status.in_(OPEN_STATUSES),
            or_(Conversation.assignee_id == user.id, Conversation.agent_id == user.username),
        )
    )
    return bool(held)


def _address_text(address: dict[str, Any]) -> str:
    parts = [address.get(k) or "" for k in ("province", "city", "district", "detail")]
    return "".join(str(p) for p in parts)


def buyer_panel(session: Session, user: User, buyer_id: str, *, now: datetime) -> BuyerPanel:
    """The side panel: contact (masked unless allowed, audited when not) and recent orders."""
    buyer = session.scalar(
        select(Buyer).where(Buyer.shop_id == user.shop_id, Buyer.buyer_id == buyer_id)
    )
    orders = list(
        session.scalars(
            select(Order)
            .where(Order.shop_id == user.shop_id, Order.buyer_id == buyer_id)
            .order_by(Order.created_at.desc())
            .limit(5)
        )
    )
    name = buyer.name if buyer else ""
    phone = buyer.phone if buyer else ""
    address: dict[str, Any] = {}
    if buyer and buyer.addresses:
        first = buyer.addresses[0]
        address = first if isinstance(first, dict) else {}
    if orders:  # the latest order's delivery address is the one that matters in a chat
        latest = orders[0]
        name = latest.receiver_name or name
        phone = latest.receiver_phone or phone
        address = {
            "province": latest.province,
            "city": latest.city,
            "district": latest.district,
            "detail": latest.address_detail,
        }
    unmasked = may_see_contact(session, user, buyer_id)
    if unmasked and (phone or address):
        accounts.audit(
            session,
            shop_id=user.shop_id,
            actor_id=user.id,
            action="buyer.contact_viewed",
            target=buyer_id,
            target_type="buyer",
            detail={"fields": ["name", "phone", "address"]},
            now=now,
        )
    return BuyerPanel(
        buyer_id=buyer_id,
        nickname=buyer.nickname if buyer else "",
        name=name if unmasked else mask_name(name),
        phone=phone if unmasked else mask_phone(phone),
        address=_address_text(address) if unmasked or not address else mask_address(address),
        masked=not unmasked,
        orders=[
            OrderBrief(
                order_id=o.order_id,
                status=o.status,
                amount=o.amount,
                created_at=o.created_at,
                title=o.items[0].title if o.items else "",
            )
            for o in orders
        ],
    )


def access_conversation(
    session: Session, user: User, conversation_id: str, *, now: datetime
) -> ConversationDetail:
    """One conversation the user may read, with its messages and the buyer panel."""
    _check_reader(user)
    row = session.execute(
        _select_conversations().where(Conversation.conversation_id == conversation_id, _scope(user))
    ).first()
    if row is None:  # another shop's or another queue's: indistinguishable from missing
        raise NotFound()
    conv, conv_queue = row
    summary = _summaries(session, user.shop_id, [(conv, conv_queue)], now)[0]
    buyer = buyer_panel(session, user, conv.buyer_id, now=now)
    # A phone number the buyer typed into the chat is contact data too.
    shown: Callable[[str], str] = mask_phones_in_text if buyer.masked else str
    messages = [
        MessageView(
            seq=m.seq, sender=m.sender, text=shown(m.text), ts=m.ts, quick_reply=m.quick_reply
        )
        for m in conv.messages
    ]
    return ConversationDetail(
        summary=summary,
        messages=messages,
        buyer=buyer,
        order_ids=list(conv.order_ids or []),
    )
