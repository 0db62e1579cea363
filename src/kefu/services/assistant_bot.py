"""The assistant in the live inbox (issue 4): the bot answers a buyer, or hands off.

`do_bot_reply` runs after the buyer's message is committed, in its own transaction. It
speaks only while the bot owns the conversation: once an agent has written in it, or the
bot has handed it off, the bot stays silent (one owner at a time). Its reply goes through
the inbox's own `do_post_message` (seq, idempotency, events after the commit); a hand-off
posts the notice, routes the conversation to the hand-off queue with the inbox's transfer
action and records the intent, entities and transcript summary for the agent.

The knowledge base is built from the shop's tables and cached per shop for `KB_TTL`
seconds: building it indexes every article, far too slow to repeat per message, and a
manager's edit applies within that time.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from kefu.core.assistant.answer import BotTurn, default_understand, respond, suggest_replies
from kefu.core.assistant.handoff import Handoff
from kefu.core.assistant.knowledge import KnowledgeBase
from kefu.core.assistant.skills import BuyerContext, UnderstandingLike
from kefu.core.shopconfig import ShopConfig
from kefu.db.models.accounts import User
from kefu.db.models.catalog import Product, Sku
from kefu.db.models.inbox import Conversation, Message
from kefu.db.models.knowledge import FaqArticle, Promotion, QuickReply
from kefu.db.models.orders import Order, OrderItem
from kefu.db.uow import Event, emit, listen
from kefu.services import accounts, inbox, orders_ops, shops

KB_TTL = 60.0
TRANSCRIPT_MESSAGES = 10  # earlier messages the hand-off summary may quote
ORDERS = 20  # the buyer's latest orders the bot may talk about
BOT_NAME = "智能客服"
HANDOFF_ID = "handoff:{conversation_id}"  # one hand-off per conversation (idempotent too)

_kbs: dict[str, tuple[float, KnowledgeBase]] = {}
_kb_lock = threading.Lock()


# --- the shop's knowledge, from the database ----------------------------------------------


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def build_knowledge(session: Session, shop_id: str, shop: ShopConfig) -> KnowledgeBase:
    """The shop's knowledge base from its tables (the dict shapes of `kefu.demo`)."""
    skus: dict[int, list[dict[str, Any]]] = {}
    for sku in session.scalars(select(Sku).where(Sku.shop_id == shop_id).order_by(Sku.id)):
        skus.setdefault(sku.product_id, []).append(
            {
                "sku": sku.sku,
                "color": sku.color,
                "size": sku.size,
                "stock": sku.stock,
                "price": sku.price,
            }
        )
    products = [
        {
            "product_id": p.product_id,
            "title": p.title,
            "category": p.category,
            "price": p.price,
            "attributes": p.attributes or {},
            "size_chart": p.size_chart,
            "description": p.description,
            "weight_kg": float(p.weight_kg) if p.weight_kg is not None else None,
            "dims_cm": p.dims_cm,
            "skus": skus.get(p.id, []),
        }
        for p in session.scalars(
            select(Product)
            .where(Product.shop_id == shop_id, Product.is_active.is_(True))
            .order_by(Product.id)
        )
    ]
    faqs = [
        {
            "faq_id": f.faq_id,
            "question": f.question,
            "answer": f.answer,
            "category": f.category,
            "keywords": list(f.keywords or []),
        }
        for f in session.scalars(
            select(FaqArticle)
            .where(FaqArticle.shop_id == shop_id, FaqArticle.is_active.is_(True))
            .order_by(FaqArticle.id)
        )
    ]
    replies = [
        {
            "quick_reply_id": q.quick_reply_id,
            "title": q.title,
            "text": q.text,
            "category": q.category,
            "shortcut": q.shortcut,
        }
        for q in session.scalars(
            select(QuickReply)  # the shop's shared replies, not an agent's own
            .where(QuickReply.shop_id == shop_id, QuickReply.owner_id.is_(None))
            .order_by(QuickReply.id)
        )
    ]
    promotions = [
        {
            "promotion_id": p.promotion_id,
            "title": p.title,
            "kind": p.kind,
            "rule": p.rule,
            "starts_at": _iso(p.starts_at),
            "ends_at": _iso(p.ends_at),
        }
        for p in session.scalars(
            select(Promotion).where(Promotion.shop_id == shop_id).order_by(Promotion.id)
        )
    ]
    return KnowledgeBase.build(
        shop=shop, products=products, faqs=faqs, quick_replies=replies, promotions=promotions
    )


def knowledge(session: Session, shop_id: str, shop: ShopConfig) -> KnowledgeBase:
    """The shop's knowledge base, rebuilt at most every KB_TTL seconds."""
    now = time.monotonic()
    with _kb_lock:
        cached = _kbs.get(shop_id)
    if cached is None or now - cached[0] > KB_TTL:
        cached = (now, build_knowledge(session, shop_id, shop))
        with _kb_lock:
            _kbs[shop_id] = cached
    return cached[1]


def has_knowledge(kb: KnowledgeBase) -> bool:
    """A shop with neither a catalogue nor an FAQ has no bot: it could only hand every
    message off, which tells the buyer nothing a person's welcome would not."""
    return bool(kb.products or kb.faqs)


def forget_knowledge(shop_id: str | None = None) -> None:
    """Drop the cached knowledge (after an import, and between tests)."""
    with _kb_lock:
        for key in [k for k in _kbs if shop_id is None or k == shop_id]:
            del _kbs[key]


# --- the conversation around the message ----------------------------------------------------


def bot_may_answer(session: Session, conversation: Conversation) -> bool:
    """Whether the bot owns the conversation: open, no agent has written in it, and the
    bot has not handed it off already."""
    if conversation.status == "closed":
        return False
    taken = session.scalar(
        select(func.count())
        .select_from(Message)
        .where(
            Message.conversation_pk == conversation.id,
            or_(
                Message.sender == "agent",
                Message.client_msg_id
                == HANDOFF_ID.format(conversation_id=conversation.conversation_id),
            ),
        )
    )
    return not taken


def buyer_context(
    session: Session, conversation: Conversation, buyer_message: Message, shop: ShopConfig
) -> BuyerContext:
    """The buyer's latest orders and the conversation so far, as the assistant wants them."""
    orders = list(
        session.scalars(
            select(Order)
            .where(Order.shop_id == conversation.shop_id, Order.buyer_id == conversation.buyer_id)
            .order_by(Order.created_at.desc())
            .limit(ORDERS)
        )
    )
    items: dict[int, list[OrderItem]] = {}
    if orders:
        for item in session.scalars(
            select(OrderItem)
            .where(OrderItem.order_pk.in_([o.id for o in orders]))
            .order_by(OrderItem.line_no)
        ):
            items.setdefault(item.order_pk, []).append(item)
    records = []
    for order in orders:
        try:
            records.append(orders_ops.order_record(order, items.get(order.id, [])))
        except ValueError:  # a stored order the formats.md record refuses is left out
            continue
    earlier = list(
        session.scalars(
            select(Message)
            .where(
                Message.conversation_pk == conversation.id,
                Message.seq < buyer_message.seq,
                Message.sender != "system",
            )
            .order_by(Message.seq.desc())
            .limit(TRANSCRIPT_MESSAGES)
        )
    )
    agent = session.get(User, conversation.assignee_id) if conversation.assignee_id else None
    return BuyerContext(
        buyer_id=conversation.buyer_id,
        orders=records,
        agent_no=inbox.agent_label(agent) or BOT_NAME,
        transcript=[(m.sender, m.text) for m in reversed(earlier)],
    )


# --- the bot's turn ---------------------------------------------------------------------------


def do_bot_reply(
    session: Session,
    conversation: Conversation,
    buyer_message: Message,
    now: datetime,
    *,
    shop: ShopConfig | None = None,
    understand: Callable[[str], UnderstandingLike] = default_understand,
) -> list[Message]:
    """Answer the buyer's message, or hand the conversation off; the messages posted.

    Nothing is posted (an empty list) when the bot does not own the conversation, the shop
    has no knowledge to answer from, or the message is not a buyer's text. The events wait in the unit of work for the commit.
    """
    if buyer_message.sender != "buyer" or buyer_message.kind != "text":
        return []
    shop = shop or shops.config(session, conversation.shop_id)
    kb = knowledge(session, conversation.shop_id, shop)
    if not has_knowledge(kb) or not bot_may_answer(session, conversation):
        return []
    turn = respond(
        buyer_message.text,
        buyer_context(session, conversation, buyer_message, shop),
        kb,
        shop,
        now,
        understand=understand,
    )
    # The intent on the buyer's message: the agent's view and the reports read it there.
    buyer_message.intent = turn.understanding.intent[:32]
    if turn.handoff is None:
        msg, created = inbox.do_post_message(
            session, conversation, "bot", turn.reply, f"bot:{buyer_message.seq}", now=now
        )
        _audit_answer(session, conversation, turn, buyer_message, now)
        return [msg] if created else []
    return _hand_off(session, conversation, turn.handoff, buyer_message, now)


def _audit_answer(
    session: Session,
    conversation: Conversation,
    turn: BotTurn,
    buyer_message: Message,
    now: datetime,
) -> None:
    accounts.audit(
        session,
        shop_id=conversation.shop_id,
        actor_id=None,
        action="assistant.answer",
        target=conversation.conversation_id,
        target_type="conversation",
        detail={
            "seq": buyer_message.seq,
            "intent": turn.understanding.intent,
            "confidence": round(turn.understanding.confidence, 3),
            "sources": [s.label() for s in turn.sources],
        },
        now=now,
    )


def _hand_off(
    session: Session,
    conversation: Conversation,
    handoff: Handoff,
    buyer_message: Message,
    now: datetime,
) -> list[Message]:
    notice, created = inbox.do_post_message(
        session,
        conversation,
        "bot",
        handoff.message,
        HANDOFF_ID.format(conversation_id=conversation.conversation_id),
        now=now,
    )
    if not created:  # handed off already (a racing process)
        return []
    note = f"{handoff.reason_label}｜{handoff.transcript_summary}"
    accounts.audit(
        session,
        shop_id=conversation.shop_id,
        actor_id=None,
        action="assistant.handoff",
        target=conversation.conversation_id,
        target_type="conversation",
        detail={
            "seq": buyer_message.seq,
            "queue": handoff.queue,
            "reason": handoff.reason,
            "intent": handoff.intent,
            "confidence": round(handoff.confidence, 3),
            "entities": handoff.entities,
            "order_id": handoff.order_id,
            "note": handoff.note,
            "summary": handoff.transcript_summary,
        },
        now=now,
    )
    posted = [notice]
    if conversation.assignee_id is not None and conversation.queue == handoff.queue:
        # Already with an agent of the right queue: they take it from here, told why.
        agent = session.get(User, conversation.assignee_id)
        if agent is not None:
            emit(
                session,
                inbox.AGENT_NOTE,
                {
                    "type": "note",
                    "conversation_id": conversation.conversation_id,
                    "note": note[:500],
                },
                inbox.agent_channel(conversation.shop_id, agent.id),
            )
        return posted
    inbox.do_transfer(session, conversation, by=None, now=now, to_queue=handoff.queue, note=note)
    return posted


# --- agent assist -----------------------------------------------------------------------------


@listen(inbox.BUYER_MESSAGE_POSTED)
def _answer_buyer(session: Session, event: Event, now: datetime) -> None:
    """The bot's turn after a buyer's message commits (in a transaction of its own: the
    buyer's message stands whatever the bot does)."""
    conversation, message = event.subject
    do_bot_reply(session, conversation, message, now)


def latest_buyer_message(
    session: Session, conversation: Conversation, seq: int | None = None
) -> Message | None:
    """The buyer's text message the agent has selected (`seq`), or their latest one."""
    query = select(Message).where(
        Message.conversation_pk == conversation.id,
        Message.sender == "buyer",
        Message.kind == "text",
    )
    if seq is not None:
        query = query.where(Message.seq == seq)
    return session.scalars(query.order_by(Message.seq.desc()).limit(1)).first()


def suggest_for_conversation(
    session: Session,
    conversation: Conversation,
    agent: User,
    now: datetime,
    *,
    seq: int | None = None,
    understand: Callable[[str], UnderstandingLike] = default_understand,
) -> list[dict[str, Any]]:
    """The top drafts for the selected buyer message (default: the latest), for the agent
    to edit before sending: `{"text", "kind", "sources"}`. Empty when there is no buyer
    message or the shop has no knowledge to draft from. The drafts sign as this agent."""
    message = latest_buyer_message(session, conversation, seq)
    if message is None or not message.text.strip():
        return []
    shop = shops.config(session, conversation.shop_id)
    kb = knowledge(session, conversation.shop_id, shop)
    if not has_knowledge(kb):
        return []
    context = buyer_context(session, conversation, message, shop)
    context = dataclasses.replace(context, agent_no=inbox.agent_label(agent) or BOT_NAME)
    drafts = suggest_replies(message.text, context, kb, shop, now, understand=understand)
    return [
        {"text": d.text, "kind": d.kind, "sources": [s.label() for s in d.sources]} for d in drafts
    ]
