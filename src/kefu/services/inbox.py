"""The live inbox's write side: actions named by verb (`do_*`), reads named `access_*`.

Every action works inside the caller's unit of work (`kefu.db.uow`) and `emit`s the domain
events it caused; they are handed to listeners and the realtime broker only after the
commit, so nothing is ever announced that a rollback could take back.

Ordering: a message's `seq` comes from `UPDATE conversations SET last_seq = last_seq + 1 ...
RETURNING last_seq`. On PostgreSQL that row stays locked until the commit, so seqs are
given out in commit order and a committed seq N means 1..N-1 are committed too (what
gap-free delivery relies on); SQLite serialises writers anyway.

Idempotency: (conversation, client_msg_id) is unique. A resend finds the first message;
two racing sends of the same id both try, and the loser's insert (ON CONFLICT DO NOTHING)
returns no row: it hands its seq back and re-reads the winner's row.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, cast

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from kefu.core import audiences
from kefu.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from kefu.core.inbox.content import check_image, check_text
from kefu.core.inbox.routing import (
    QUEUES,
    STAGE_MIN_CONFIDENCE,
    AgentState,
    LastService,
    Queue,
    RoutingDecision,
    route,
    waiting_position,
)
from kefu.core.inbox.routing import (
    stage_queue as route_stage,
)
from kefu.core.permissions import Permission, has_permission
from kefu.core.shopconfig import ShopConfig
from kefu.core.vocabulary import Queue as Queue_
from kefu.core.vocabulary import label
from kefu.db.models.accounts import User
from kefu.db.models.buyers import Buyer
from kefu.db.models.inbox import Conversation, Message, Rating
from kefu.db.models.jobs import ScheduledJob
from kefu.db.models.knowledge import QuickReply
from kefu.db.uow import Event, emit, listen
from kefu.services import accounts, jobs, shops
from kefu.services.media import ImageStore
from kefu.services.workspace import viewer_queues

Payload = dict[str, Any]
SenderKind = Literal["buyer", "bot", "system"]
Sender = User | SenderKind  # a User is an agent

OPEN = ("open", "pending")
_CONVERSATIONS = cast(Table, Conversation.__table__)  # Core, for the hot path
_MESSAGES = cast(Table, Message.__table__)

# The hot path's statements, built once: a statement object memoises its cache key, so
# SQLAlchemy skips re-deriving it on each of the hundreds of messages a second.
_CONVERSATION_BY_ID = select(Conversation).where(
    Conversation.shop_id == bindparam("p_shop"),
    Conversation.conversation_id == bindparam("p_conversation"),
)
_OPEN_CONVERSATION_OF_BUYER = (
    select(Conversation)
    .where(
        Conversation.shop_id == bindparam("p_shop"),
        Conversation.buyer_id == bindparam("p_buyer"),
        Conversation.status.in_(OPEN),
    )
    .order_by(Conversation.id.desc())
    .limit(1)
)
_NEXT_SEQ = (
    update(_CONVERSATIONS)
    .where(_CONVERSATIONS.c.id == bindparam("p_pk"))
    .values(last_seq=_CONVERSATIONS.c.last_seq + 1, last_message_at=bindparam("p_now"))
    .returning(_CONVERSATIONS.c.last_seq)
)
# A buyer's next message in their open conversation: the conversation loaded and its seq
# claimed in one round trip (no row: not open or not theirs, and the caller looks closer).
_CLAIM_BUYER_SEQ = select(Conversation).from_statement(
    update(_CONVERSATIONS)
    .where(
        _CONVERSATIONS.c.shop_id == bindparam("p_shop"),
        _CONVERSATIONS.c.conversation_id == bindparam("p_conversation"),
        _CONVERSATIONS.c.buyer_id == bindparam("p_buyer"),
        _CONVERSATIONS.c.status.in_(OPEN),
    )
    .values(last_seq=_CONVERSATIONS.c.last_seq + 1, last_message_at=bindparam("p_now"))
    .returning(*_CONVERSATIONS.c)
)
_INSERT_MESSAGE = {
    # ON CONFLICT DO NOTHING on both dialects; the statement takes the row as parameters.
    dialect.__name__.rsplit(".", 1)[-1]: dialect.insert(_MESSAGES)
    .on_conflict_do_nothing(index_elements=["conversation_pk", "client_msg_id"])
    .returning(_MESSAGES.c.id)
    for dialect in (postgresql, sqlite)
}

# policies.md §6: the welcome names the agent; the farewell invites a review.
WELCOME = "您好，我是{agent_no}，很高兴为您服务😊"
WELCOME_WAITING = "您好，欢迎光临😊 当前咨询人数较多，您排在第{position}位，客服马上就来，请稍候~"
FAREWELL = "感谢您的咨询，祝您生活愉快！如果对我的服务满意，麻烦给个五星好评哦😊"
REVIEW_INVITATION = "请为本次服务打分（1-5星）"


# --- events: names for listeners, channels for clients ------------------------------------

MESSAGE_POSTED = "inbox.message_posted"
BUYER_MESSAGE_POSTED = "inbox.buyer_message_posted"  # the bot and the floor listen
CONVERSATION_CHANGED = "inbox.conversation_changed"
CONVERSATION_ASSIGNED = "inbox.conversation_assigned"
CONVERSATION_CLOSED = "inbox.conversation_closed"  # QA scans it
CONVERSATION_RATED = "inbox.conversation_rated"
AGENT_NOTE = "inbox.agent_note"
WELCOME_JOB = "inbox_welcome"  # the durable welcome (policies.md §6)
WELCOME_MARGIN = timedelta(seconds=2)  # sent this much before the first-response limit


conversation_channel = audiences.conversation
agent_channel = audiences.agent
shop_channel = audiences.shop


# --- helpers -----------------------------------------------------------------------------


def agent_label(user: User | None) -> str:
    if user is None:
        return ""
    return user.agent_no or user.display_name or user.username


def _audit(
    session: Session,
    conv: Conversation,
    actor: User | None,
    action: str,
    detail: dict[str, Any],
    now: datetime,
) -> None:
    accounts.audit(
        session,
        shop_id=conv.shop_id,
        actor_id=actor.id if actor else None,
        action=action,
        target=conv.conversation_id,
        target_type="conversation",
        detail=detail,
        now=now,
    )


def message_event(msg: Message, conv: Conversation, sender_name: str = "") -> Payload:
    return {
        "type": "message",
        "conversation_id": conv.conversation_id,
        "seq": msg.seq,
        "sender": msg.sender,
        "sender_name": sender_name,
        "text": msg.text,
        "kind": msg.kind,
        "attachments": msg.attachments or [],
        "client_msg_id": msg.client_msg_id,
        "quick_reply": msg.quick_reply,
        "ts": msg.ts.isoformat(),
    }


def conversation_event(session: Session, conv: Conversation, **extra: Any) -> Payload:
    assignee = session.get(User, conv.assignee_id) if conv.assignee_id else None
    return {
        "type": "conversation",
        "conversation_id": conv.conversation_id,
        "buyer_id": conv.buyer_id,
        "status": conv.status,
        "queue": conv.queue,
        "agent_id": conv.agent_id,
        "agent_no": agent_label(assignee) or None,
        "last_seq": conv.last_seq,
        **extra,
    }


# --- the stage rule: the assistant's intent (policies.md §6) ------------------------------


def stage_queue(text: str) -> Queue:
    """The queue a conversation opened by `text` goes to: the assistant's intent model
    reads it (policies.md §6). `kefu run` / `kefu serve` load the model at start, so no
    buyer waits for it."""
    from kefu.core.assistant.answer import default_model, default_understand  # loaded once

    understood = default_understand(text)
    distribution: dict[str, float] = {}
    if understood.confidence < STAGE_MIN_CONFIDENCE:  # only then does the spread matter
        model = default_model()
        shares = model.probabilities([text])[0].tolist()
        distribution = dict(zip(model.labels, shares, strict=True))
    return route_stage(understood.intent, understood.confidence, distribution, text)


# --- reads -------------------------------------------------------------------------------


def access_conversation(session: Session, shop_id: str, conversation_id: str) -> Conversation:
    conv = session.scalar(
        _CONVERSATION_BY_ID, {"p_shop": shop_id, "p_conversation": conversation_id}
    )
    if conv is None:
        raise NotFound("NOT_FOUND", "会话不存在")
    return conv


def access_claiming_seq(
    session: Session, shop_id: str, conversation_id: str, buyer_id: str, now: datetime
) -> Conversation | None:
    """The buyer's open conversation with the seq of their next message claimed: pass it
    to `do_post_message(..., seq_claimed=True)` in the same transaction (the UPDATE holds
    the row lock to the commit). None when it is closed, unknown or someone else's."""
    params = {"p_shop": shop_id, "p_conversation": conversation_id, "p_buyer": buyer_id}
    return session.scalars(
        _CLAIM_BUYER_SEQ,
        {**params, "p_now": now},
        execution_options={"populate_existing": True},  # the row as the UPDATE left it
    ).one_or_none()


def access_open_conversation(session: Session, shop_id: str, buyer_id: str) -> Conversation | None:
    """The buyer's conversation still in progress, if any (a buyer has one at a time)."""
    return session.scalar(_OPEN_CONVERSATION_OF_BUYER, {"p_shop": shop_id, "p_buyer": buyer_id})


def access_agent(session: Session, shop_id: str, username: str) -> User:
    """A colleague of the shop by username (a transfer's target)."""
    agent = session.scalar(select(User).where(User.shop_id == shop_id, User.username == username))
    if agent is None:
        raise NotFound("NOT_FOUND", "客服不存在")
    return agent


def open_conversation_ids(session: Session, agent: User) -> list[str]:
    """The conversations the agent holds and that are still in progress."""
    return list(
        session.scalars(
            select(Conversation.conversation_id).where(
                Conversation.shop_id == agent.shop_id,
                Conversation.assignee_id == agent.id,
                Conversation.status.in_(OPEN),
            )
        )
    )


def messages_after(
    session: Session, conversation: Conversation, seq: int, limit: int = 1000
) -> list[Message]:
    """The messages after `seq`, in order: what a reconnecting client missed."""
    return list(
        session.scalars(
            select(Message)
            .where(Message.conversation_pk == conversation.id, Message.seq > seq)
            .order_by(Message.seq)
            .limit(limit)
        )
    )


def sender_names(session: Session, messages: Sequence[Message]) -> dict[int, str]:
    ids = {m.sender_id for m in messages if m.sender_id is not None}
    if not ids:
        return {}
    return {u.id: agent_label(u) for u in session.scalars(select(User).where(User.id.in_(ids)))}


def open_load(session: Session, shop_id: str) -> dict[int, int]:
    """Open conversations per agent (user id)."""
    rows = session.execute(
        select(Conversation.assignee_id, func.count())
        .where(
            Conversation.shop_id == shop_id,
            Conversation.status.in_(OPEN),
            Conversation.assignee_id.is_not(None),
        )
        .group_by(Conversation.assignee_id)
    )
    return {int(pk): int(n) for pk, n in rows if pk is not None}


def agent_states(session: Session, shop_id: str, shop: ShopConfig) -> list[AgentState]:
    """The shop's agents with their live load, as routing wants them.

    A per-agent `max_open` below the shop's limit is expressed as extra load, so the pure
    router's single capacity rule covers it.
    """
    load = open_load(session, shop_id)
    capacity = shop.routing.max_open_per_agent
    states = []
    for user in session.scalars(
        select(User).where(User.shop_id == shop_id, User.is_active.is_(True))
    ):
        queues = tuple(q for q in (user.queues or []) if q in QUEUES)
        if not queues and user.role in QUEUES:
            queues = (user.role,)
        if not queues and user.role not in accounts.ROLE_LADDER:
            continue
        handicap = max(0, capacity - user.max_open) if user.max_open is not None else 0
        states.append(
            AgentState(user.username, queues, user.status, load.get(user.id, 0) + handicap)
        )
    return states


def last_service(
    session: Session, shop_id: str, buyer_id: str, now: datetime, hours: float
) -> LastService | None:
    row = session.execute(
        select(Conversation.agent_id, Conversation.last_message_at)
        .where(
            Conversation.shop_id == shop_id,
            Conversation.buyer_id == buyer_id,
            Conversation.agent_id.is_not(None),
            Conversation.last_message_at >= now - timedelta(hours=hours),
        )
        .order_by(Conversation.last_message_at.desc())
        .limit(1)
    ).first()
    if row is None or row[0] is None or row[1] is None:
        return None
    return LastService(row[0], row[1])


def waiting_line_position(session: Session, conv: Conversation) -> int:
    since = [
        at
        for at in session.scalars(
            select(Conversation.started_at).where(
                Conversation.shop_id == conv.shop_id,
                Conversation.queue == conv.queue,
                Conversation.status == "pending",
                Conversation.assignee_id.is_(None),
                Conversation.id != conv.id,
                Conversation.started_at.is_not(None),
            )
        )
        if at is not None
    ]
    return waiting_position(since, conv.started_at or conv.created_at)


def check_agent_access(agent: User, conv: Conversation, *, write: bool) -> None:
    """Whether `agent` may read (or, `write`, act on) the conversation: their own, one in a
    queue they work, or any from supervisor up, always within their shop (policies.md §5).
    Another agent's conversation is read-only until it is transferred."""
    if (
        conv.shop_id != agent.shop_id
        or not has_permission(agent.role, Permission.CHAT_RECEIVE)
        or not agent.is_active
    ):
        raise NotFound("NOT_FOUND", "会话不存在")
    senior = has_permission(agent.role, Permission.CHAT_ACT_ON_ANY)
    mine = conv.assignee_id == agent.id
    if not (mine or senior or (conv.queue or "presale") in viewer_queues(agent)):
        raise NotFound("NOT_FOUND", "会话不存在")
    if write and not (mine or senior) and conv.assignee_id is not None:
        raise PermissionDenied("FORBIDDEN", "该会话由其他客服接待，请先转接")


# --- actions -----------------------------------------------------------------------------


def _apply_route(
    session: Session, conv: Conversation, decision: RoutingDecision, now: datetime
) -> User | None:
    conv.queue = decision.queue
    agent = None
    if decision.agent_id is not None:
        agent = session.scalar(
            select(User).where(User.shop_id == conv.shop_id, User.username == decision.agent_id)
        )
    if agent is None:
        conv.status, conv.assignee_id = "pending", None
        return None
    conv.status, conv.assignee_id, conv.agent_id = "open", agent.id, agent.username
    return agent


def do_open_conversation(
    session: Session,
    shop_id: str,
    buyer_id: str,
    first_text: str,
    *,
    now: datetime,
    platform: str = "web",
    shop: ShopConfig | None = None,
) -> Conversation:
    """A buyer starts a conversation: stage queue from the message, then routing (sticky
    agent within 24 h, else the least-loaded online agent of the queue, else the waiting
    line). Returns the conversation (its first message is posted by `do_post_message`)."""
    shop = shop or shops.config(session, shop_id)
    buyer = session.scalar(
        select(Buyer).where(Buyer.shop_id == shop_id, Buyer.buyer_id == buyer_id)
    )
    if buyer is None:  # the archive 客户档案 starts with the first conversation
        session.add(Buyer(shop_id=shop_id, buyer_id=buyer_id, platform=platform, first_seen_at=now))
    else:
        buyer.last_seen_at = now
    conv = Conversation(
        shop_id=shop_id,
        conversation_id=f"w{now:%Y%m%d}-{uuid.uuid4().hex[:12]}",
        platform=platform,
        buyer_id=buyer_id,
        status="pending",
        started_at=now,
        last_message_at=now,
        last_seq=0,
    )
    session.add(conv)
    session.flush()
    decision = route(
        stage_queue(first_text),
        agent_states(session, shop_id, shop),
        now,
        shop,
        last_service(session, shop_id, buyer_id, now, shop.routing.sticky_hours),
    )
    agent = _apply_route(session, conv, decision, now)
    session.flush()
    detail: dict[str, Any] = {
        "queue": conv.queue,
        "agent": conv.agent_id,
        "sticky": decision.sticky,
    }
    if agent is None:
        detail["waiting_position"] = waiting_line_position(session, conv)
    _audit(session, conv, None, "conversation.open", detail, now)
    _schedule_welcome(session, conv, shop, now)
    _announce(session, conv, agent, now, reason="new")
    return conv


def _announce(
    session: Session, conv: Conversation, agent: User | None, now: datetime, *, reason: str
) -> None:
    event = conversation_event(session, conv, reason=reason)
    name = CONVERSATION_CLOSED if reason == "closed" else CONVERSATION_CHANGED
    conversation = conversation_channel(conv.shop_id, conv.conversation_id)
    emit(session, name, event, conversation, shop_channel(conv.shop_id), subject=conv)
    if agent is not None:
        assigned = {**event, "type": "assigned"}
        emit(session, CONVERSATION_ASSIGNED, assigned, agent_channel(conv.shop_id, agent.id))


def _stored_image(data: bytes, shop: ShopConfig, images: ImageStore | None) -> dict[str, Any]:
    mime, error = check_image(data, shop)
    if error is not None or mime is None:
        raise InvalidInput(error.code if error else "IMAGE_TYPE", error.message if error else "")
    stored = {"type": mime, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    if images is not None:
        stored["url"] = images.put(data, mime)
    return stored


def do_post_message(
    session: Session,
    conversation: Conversation,
    sender: Sender,
    text: str,
    client_msg_id: str | None,
    *,
    now: datetime,
    image: bytes | None = None,
    quick_reply: bool = False,
    shop: ShopConfig | None = None,
    seq_claimed: bool = False,
    images: ImageStore | None = None,
) -> tuple[Message, bool]:
    """Store a message with the conversation's next seq; (message, created).
    `seq_claimed`: the conversation came from `access_claiming_seq` (its seq is taken).

    A resend of `client_msg_id` returns the first message and creates nothing. Text is
    checked (empty, 5,000 characters); an image by its content against the shop's
    `images` config. Nothing is written when the content is refused.
    """
    if client_msg_id is not None:
        # No look-up first: a resend is rare, and the unique constraint finds it below at
        # no cost to the common case (one round trip less per message).
        client_msg_id = client_msg_id.strip()[:64] or None
    attachments = None
    if image is not None:
        shop = shop or shops.config(session, conversation.shop_id)
        attachments = [_stored_image(image, shop, images)]
        text = text or "[图片]"
    else:
        error = check_text(text)
        if error is not None:
            raise InvalidInput(error.code, error.message)
    if conversation.status == "closed" and not isinstance(sender, str):
        raise Conflict("CLOSED", "会话已结束")
    agent = sender if isinstance(sender, User) else None
    kind = "agent" if agent is not None else str(sender)
    # The UPDATE comes first: it takes the row lock (held to the commit, so seqs commit in
    # order). Core statements on the tables: the ORM's bulk machinery costs more CPU than
    # the round trip, and the loaded conversation is kept in step by hand below.
    if seq_claimed:
        seq = conversation.last_seq
    else:
        seq = session.execute(_NEXT_SEQ, {"p_pk": conversation.id, "p_now": now}).scalar_one()
    values: dict[str, Any] = {
        "shop_id": conversation.shop_id,
        "conversation_pk": conversation.id,
        "seq": seq,
        "client_msg_id": client_msg_id,
        "sender": kind,
        "sender_id": agent.id if agent else None,
        "text": text,
        "ts": now,
        "quick_reply": quick_reply,
        "kind": "image" if attachments else "text",
        "attachments": attachments,
        "intent": None,
    }
    # One INSERT ... ON CONFLICT DO NOTHING RETURNING id: no savepoint (two round trips
    # fewer) and no unit-of-work flush on the hot path. A resend's conflict on
    # (conversation, client_msg_id) returns no row; any other violation still raises.
    # (Without a client_msg_id nothing can conflict: NULLs are distinct in the index.)
    dialect = session.get_bind().dialect.name
    new_id = session.execute(_INSERT_MESSAGE[dialect], values).scalar()
    if new_id is None:
        # A racing resend of the same client_msg_id won; its row is the answer. We still
        # hold the conversation's lock, so handing our seq back leaves no gap.
        session.execute(
            update(_CONVERSATIONS)
            .where(_CONVERSATIONS.c.id == conversation.id)
            .values(last_seq=_CONVERSATIONS.c.last_seq - 1)
        )
        set_committed_value(conversation, "last_seq", seq - 1)
        set_committed_value(conversation, "last_message_at", now)
        existing = _by_client_id(session, conversation, client_msg_id)
        if existing is None:  # pragma: no cover - the conflict names that very row
            raise Conflict("CONFLICT", "消息保存失败，请重试")
        # Announced again: the first sender's process may have died between its commit
        # and its publish; clients drop a seq they already have.
        emit(
            session,
            MESSAGE_POSTED,
            message_event(existing, conversation, agent_label(agent)),
            conversation_channel(conversation.shop_id, conversation.conversation_id),
        )
        return existing, False
    # The row as if loaded: later changes (an image's stored url) are flushed as usual.
    msg = Message(id=new_id, **values)
    make_transient_to_detached(msg)
    session.add(msg)
    # What the UPDATE wrote, as loaded state: no second UPDATE at the flush.
    set_committed_value(conversation, "last_seq", seq)
    set_committed_value(conversation, "last_message_at", now)
    if kind == "buyer" and conversation.status == "closed":
        conversation.status = "pending"  # a buyer writing again reopens it
    emit(
        session,
        MESSAGE_POSTED,
        message_event(msg, conversation, agent_label(agent)),
        conversation_channel(conversation.shop_id, conversation.conversation_id),
    )
    if kind == "buyer":  # the bot answers; the floor view and list counters move
        emit(
            session,
            BUYER_MESSAGE_POSTED,
            {
                "type": "buyer_message",
                "conversation_id": conversation.conversation_id,
                "seq": seq,
                "queue": conversation.queue,
                "assignee_id": conversation.assignee_id,
            },
            shop_channel(conversation.shop_id),
            subject=(conversation, msg),
        )
    return msg, True


def _by_client_id(
    session: Session, conversation: Conversation, client_msg_id: str | None
) -> Message | None:
    if client_msg_id is None:
        return None
    return session.scalar(
        select(Message).where(
            Message.conversation_pk == conversation.id, Message.client_msg_id == client_msg_id
        )
    )


def do_bot_welcome(
    session: Session, conversation: Conversation, *, now: datetime
) -> Message | None:
    """The bot's welcome when no human answered the buyer in time (policies.md §6).

    None when an agent or the bot already answered. Idempotent across processes: its
    client_msg_id is fixed per conversation.
    """
    answered = session.scalar(
        select(func.count())
        .select_from(Message)
        .where(Message.conversation_pk == conversation.id, Message.sender.in_(("agent", "bot")))
    )
    if answered or conversation.status == "closed":
        return None
    agent = session.get(User, conversation.assignee_id) if conversation.assignee_id else None
    if agent is not None:
        text = WELCOME.format(agent_no=agent_label(agent))
    else:
        text = WELCOME_WAITING.format(position=waiting_line_position(session, conversation))
    msg, created = do_post_message(
        session, conversation, "bot", text, f"welcome:{conversation.conversation_id}", now=now
    )
    return msg if created else None


def do_assign(
    session: Session, conversation: Conversation, agent: User, *, by: User | None, now: datetime
) -> Conversation:
    if agent.shop_id != conversation.shop_id:
        raise NotFound("NOT_FOUND", "客服不存在")
    before = {"agent": conversation.agent_id, "status": conversation.status}
    conversation.assignee_id, conversation.agent_id = agent.id, agent.username
    if conversation.status == "pending":
        conversation.status = "open"
    session.flush()
    _audit(
        session,
        conversation,
        by,
        "conversation.assign",
        {"before": before, "agent": agent.username},
        now,
    )
    _announce(session, conversation, agent, now, reason="assigned")
    return conversation


def do_transfer(
    session: Session,
    conversation: Conversation,
    *,
    by: User | None,
    now: datetime,
    to_agent: User | None = None,
    to_queue: str | None = None,
    note: str = "",
) -> Conversation:
    """Hand the conversation to another agent, or to a queue (routed there, or waiting).
    `by` None: the bot handing off (any agent of the queue may take it)."""
    if conversation.status == "closed":
        raise Conflict("CLOSED", "会话已结束")
    if (to_agent is None) == (to_queue is None):
        raise InvalidInput("BAD_TARGET", "请选择转接的客服或队列")
    note = note.strip()[:500]
    before = {"agent": conversation.agent_id, "queue": conversation.queue}
    if to_agent is not None:
        if to_agent.shop_id != conversation.shop_id or not to_agent.is_active:
            raise NotFound("NOT_FOUND", "客服不存在")
        conversation.assignee_id, conversation.agent_id = to_agent.id, to_agent.username
        conversation.status = "open"
        agent: User | None = to_agent
    else:
        if to_queue not in QUEUES:
            raise InvalidInput("BAD_TARGET", "队列不存在")
        shop = shops.config(session, conversation.shop_id)
        others = [
            s
            for s in agent_states(session, conversation.shop_id, shop)
            if by is None or s.agent_id != by.username
        ]
        agent = _apply_route(session, conversation, route(to_queue, others, now, shop), now)  # type: ignore[arg-type]
    session.flush()
    _audit(
        session,
        conversation,
        by,
        "conversation.transfer",
        {
            "before": before,
            "agent": conversation.agent_id,
            "queue": conversation.queue,
            "note": note,
        },
        now,
    )
    target = agent_label(agent) if agent else label(Queue_, conversation.queue or "")
    do_post_message(session, conversation, "system", f"会话已转接给{target}", None, now=now)
    _announce(session, conversation, agent, now, reason="transfer")
    if agent is not None and note:
        emit(
            session,
            AGENT_NOTE,
            {"type": "note", "conversation_id": conversation.conversation_id, "note": note},
            agent_channel(conversation.shop_id, agent.id),
        )
    return conversation


CLOSED_BY = ("agent", "buyer", "timeout")  # formats.md Conversation.closed_by


def do_close(
    session: Session,
    conversation: Conversation,
    *,
    by: User | None,
    now: datetime,
    farewell: str | None = None,
    closed_by: str = "agent",
) -> Conversation:
    """Close with the farewell and the review invitation (policies.md §6), then 质检."""
    if closed_by not in CLOSED_BY:  # the scan reads it as a formats.md record
        raise InvalidInput("BAD_REQUEST", "closed_by 须为 agent / buyer / timeout")
    if conversation.status == "closed":
        return conversation
    text = (farewell or "").strip() or FAREWELL
    sender: Sender = by if by is not None else "bot"
    do_post_message(
        session, conversation, sender, text, f"farewell:{conversation.last_seq}", now=now
    )
    do_post_message(session, conversation, "system", REVIEW_INVITATION, None, now=now)
    conversation.status, conversation.closed_by, conversation.closed_at = "closed", closed_by, now
    session.flush()
    _audit(session, conversation, by, "conversation.close", {"closed_by": closed_by}, now)
    # 质检 follows as a listener of CONVERSATION_CLOSED (kefu.services.qa_ops); the QA
    # sweep job catches any close whose listener did not run (a process killed between).
    _announce(session, conversation, None, now, reason="closed")
    return conversation


def do_rate(
    session: Session, conversation: Conversation, rating: int, *, now: datetime, comment: str = ""
) -> Rating:
    """The buyer's 1-5 rating of a finished conversation (one per conversation)."""
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise InvalidInput("BAD_RATING", "评分须为 1-5 星")
    if conversation.status != "closed":
        raise Conflict("NOT_CLOSED", "会话结束后才能评价")
    existing = session.scalar(select(Rating).where(Rating.conversation_pk == conversation.id))
    if existing is not None:
        raise Conflict("ALREADY_RATED", "您已经评价过了，感谢您的反馈")
    row = Rating(
        shop_id=conversation.shop_id,
        conversation_pk=conversation.id,
        agent_id=conversation.agent_id,
        rating=rating,
        comment=comment.strip()[:1000],
        rated_at=now,
    )
    session.add(row)
    session.flush()
    _audit(session, conversation, None, "conversation.rate", {"rating": rating}, now)
    emit(
        session,
        CONVERSATION_RATED,
        {"type": "rated", "conversation_id": conversation.conversation_id, "rating": rating},
        conversation_channel(conversation.shop_id, conversation.conversation_id),
    )
    return row


@listen(accounts.AGENT_STATUS_CHANGED)
def _route_to_agent_online(session: Session, event: Event, now: datetime) -> None:
    """An agent coming online, from any page or socket, takes waiting buyers."""
    agent: User = event.subject
    if event.payload.get("status") == "online":
        do_route_waiting(session, agent.shop_id, now=now)


def do_route_waiting(session: Session, shop_id: str, *, now: datetime) -> int:
    """Give waiting buyers (oldest first) to agents who have room; how many were placed."""
    shop = shops.config(session, shop_id)
    placed = 0
    waiting = session.scalars(
        select(Conversation)
        .where(
            Conversation.shop_id == shop_id,
            Conversation.status == "pending",
            Conversation.assignee_id.is_(None),
        )
        .order_by(Conversation.started_at, Conversation.id)
        .limit(200)
    ).all()
    for conv in waiting:
        queue: Queue = conv.queue if conv.queue in QUEUES else "presale"  # type: ignore[assignment]
        decision = route(queue, agent_states(session, shop_id, shop), now, shop)
        if decision.agent_id is None:
            continue
        agent = _apply_route(session, conv, decision, now)
        session.flush()
        _audit(session, conv, None, "conversation.assign", {"agent": conv.agent_id}, now)
        _announce(session, conv, agent, now, reason="assigned")
        placed += 1
    return placed


WEB_VISITOR_PREFIX = "web_"  # buyer ids the web chat page mints for visitors
DEFAULT_ADDRESS = "亲"  # how a shop addresses a buyer whose name it does not know


def buyer_address(buyer: Buyer | None, buyer_id: str) -> str:
    """What `{buyer_name}` says: the buyer's nickname or name; else the marketplace id (the
    name the buyer shows on Taobao / JD); a web visitor's minted id is no name: 亲."""
    if buyer is not None and (buyer.nickname or buyer.name):
        return buyer.nickname or buyer.name or ""
    return DEFAULT_ADDRESS if buyer_id.startswith(WEB_VISITOR_PREFIX) else buyer_id


def fill_quick_reply(template: str, *, agent_no: str, buyer_name: str, order_id: str) -> str:
    """A quick reply with its variables filled; unknown braces are left as typed."""
    values = {"{agent_no}": agent_no, "{buyer_name}": buyer_name, "{order_id}": order_id}
    for key, value in values.items():
        template = template.replace(key, value)
    return template


def access_quick_replies(
    session: Session, agent: User, conversation: Conversation
) -> list[dict[str, str]]:
    """The agent's and the shop's quick replies, filled for this conversation."""
    buyer = session.scalar(
        select(Buyer).where(
            Buyer.shop_id == conversation.shop_id, Buyer.buyer_id == conversation.buyer_id
        )
    )
    buyer_name = buyer_address(buyer, conversation.buyer_id)
    order_id = (conversation.order_ids or [""])[-1]
    rows = session.scalars(
        select(QuickReply)
        .where(
            QuickReply.shop_id == agent.shop_id,
            (QuickReply.owner_id.is_(None)) | (QuickReply.owner_id == agent.id),
        )
        .order_by(QuickReply.use_count.desc(), QuickReply.quick_reply_id)
        .limit(200)
    )
    return [
        {
            "id": row.quick_reply_id,
            "title": row.title,
            "shortcut": row.shortcut or "",
            "text": fill_quick_reply(
                row.text,
                agent_no=agent_label(agent),
                buyer_name=buyer_name,
                order_id=order_id,
            ),
        }
        for row in rows
    ]


# --- the live chat's turns: what a buyer's or an agent's message does ----------------------


@dataclass
class Posted:
    """A message stored by `do_buyer_post` / `do_agent_reply`."""

    message: Message
    conversation: Conversation
    created: bool  # False: a resend of a message already stored
    new_conversation: bool = False

    def ack(self) -> Payload:
        """What the sender is told once the message is committed."""
        return {
            "type": "ack",
            "client_msg_id": self.message.client_msg_id,
            "seq": self.message.seq,
            "conversation_id": self.conversation.conversation_id,
            "duplicate": not self.created,
        }


def do_buyer_post(
    session: Session,
    *,
    shop_id: str,
    buyer_id: str,
    text: str,
    client_msg_id: str,
    now: datetime,
    conversation_id: str | None = None,
    image: bytes | None = None,
    images: ImageStore | None = None,
) -> Posted:
    """A buyer's message: into the conversation named (theirs, still open), else their open
    one, else a new one (routed, with its durable welcome scheduled). A conversation closed
    by then is not reopened: the new question starts a new conversation at once."""
    if conversation_id and image is None and check_text(text) is None:
        # The usual case, in one round trip: their open conversation, its seq claimed.
        conv = access_claiming_seq(session, shop_id, conversation_id, buyer_id, now)
        if conv is not None:
            msg, created = do_post_message(
                session, conv, "buyer", text, client_msg_id, now=now, seq_claimed=True
            )
            return Posted(msg, conv, created)
    conv = None
    if conversation_id:
        conv = access_conversation(session, shop_id, conversation_id)
        if conv.buyer_id != buyer_id:
            raise NotFound("NOT_FOUND", "会话不存在")
        if conv.status == "closed":
            conv = None
    conv = conv or access_open_conversation(session, shop_id, buyer_id)
    new = conv is None
    if conv is None:
        if not text.strip() and image is None:
            raise InvalidInput("EMPTY", "消息不能为空，请输入内容后再发送")
        conv = do_open_conversation(session, shop_id, buyer_id, text, now=now)
    msg, created = do_post_message(
        session, conv, "buyer", text, client_msg_id, now=now, image=image, images=images
    )
    return Posted(msg, conv, created, new_conversation=new)


def do_agent_reply(
    session: Session,
    agent: User,
    conversation_id: str,
    text: str,
    client_msg_id: str,
    *,
    now: datetime,
    image: bytes | None = None,
    quick_reply: bool = False,
    images: ImageStore | None = None,
    guard: Callable[[ShopConfig, User, str], None] | None = None,
) -> Posted:
    """An agent's message. Answering a waiting buyer takes the conversation; `guard` (the
    QA pre-send guard) may refuse the text before anything is written."""
    conv = access_conversation(session, agent.shop_id, conversation_id)
    check_agent_access(agent, conv, write=True)
    if guard is not None:
        guard(shops.config(session, agent.shop_id), agent, text)
    if conv.assignee_id is None:
        do_assign(session, conv, agent, by=agent, now=now)
    msg, created = do_post_message(
        session,
        conv,
        agent,
        text,
        client_msg_id,
        now=now,
        image=image,
        quick_reply=quick_reply,
        images=images,
    )
    return Posted(msg, conv, created)


def welcome_delay(shop: ShopConfig) -> timedelta:
    """How long after a buyer's first message the bot welcomes them if nobody answered:
    just inside the shop's first-response limit (policies.md §6)."""
    limit = timedelta(seconds=shop.qa.first_response_seconds)
    return max(timedelta(0), limit - WELCOME_MARGIN)


def _schedule_welcome(session: Session, conv: Conversation, shop: ShopConfig, now: datetime):
    """The welcome as a durable job: due just inside the limit. The live server also keeps
    a timer for it (the faster path); whichever comes first posts it, once."""
    jobs.schedule(
        session,
        shop_id=conv.shop_id,
        key=f"welcome:{conv.conversation_id}",
        kind=WELCOME_JOB,
        due_at=now + welcome_delay(shop),
        payload={"conversation_id": conv.conversation_id},
    )


def do_welcome(session: Session, shop_id: str, conversation_id: str, *, now: datetime) -> bool:
    """The bot's welcome if nobody answered yet; its job marked done. Whether one was
    posted now (idempotent: the welcome's client_msg_id is fixed per conversation)."""
    conv = access_conversation(session, shop_id, conversation_id)
    posted = do_bot_welcome(session, conv, now=now) is not None
    session.execute(
        update(ScheduledJob)
        .where(
            ScheduledJob.key == f"welcome:{conversation_id}",
            ScheduledJob.status == "pending",
        )
        .values(status="done", done_at=now, result="welcomed" if posted else "answered")
        .execution_options(synchronize_session=False)
    )
    return posted


@jobs.job(WELCOME_JOB)
def handle_welcome(session: Session, job: ScheduledJob, shop: ShopConfig, now: datetime) -> str:
    """The scheduler's path to a welcome the live server did not post (it restarted)."""
    conv = session.scalar(
        _CONVERSATION_BY_ID,
        {"p_shop": job.shop_id, "p_conversation": job.payload.get("conversation_id", "")},
    )
    if conv is None:
        return "gone"
    return "welcomed" if do_bot_welcome(session, conv, now=now) is not None else "answered"


SHOP_SENDER: SenderKind = "bot"  # the shop's automatic messages read as the bot's


def do_shop_message(
    session: Session,
    *,
    shop_id: str,
    buyer_id: str,
    order_id: str | None,
    text: str,
    key: str,
    now: datetime,
) -> Message:
    """A message the shop starts (a reminder, a shipping notice): into the buyer's latest
    conversation, or one opened for the order (in-sale) when they never chatted. Once per
    `key`: it is the message's client_msg_id."""
    conv = session.scalars(
        select(Conversation)
        .where(Conversation.shop_id == shop_id, Conversation.buyer_id == buyer_id)
        .order_by(Conversation.last_message_at.desc().nulls_last(), Conversation.id.desc())
        .limit(1)
    ).first()
    if conv is None:
        conv = Conversation(
            shop_id=shop_id,
            conversation_id=f"order-{order_id or buyer_id}"[:64],
            buyer_id=buyer_id,
            queue="insale",
            status="open",
            order_ids=[order_id] if order_id else [],
            last_seq=0,
        )
        session.add(conv)
        session.flush()
        _announce(session, conv, None, now, reason="new")
    message, _created = do_post_message(session, conv, SHOP_SENDER, text, key[:64], now=now)
    return message
