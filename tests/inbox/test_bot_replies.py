"""The assistant in the live inbox: it answers from the shop's data, hands off, then is silent."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from test_chat_ws import recv_type, recv_until, send

from kefu.db import uow
from kefu.db.models import AuditEntry, Conversation, Message, User
from kefu.demo import generate_demo_shop
from kefu.services import assistant_bot, inbox
from kefu.services.demo import load_demo_shop

# A Wednesday, 10:00 in Shanghai: business hours, so a hand-off says a person is coming.
NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


@cache
def demo_data() -> Any:
    return generate_demo_shop()


@pytest.fixture
def shop(session: Session) -> tuple[Session, str]:
    demo = demo_data()
    load_demo_shop(session, demo)
    session.commit()
    assistant_bot.forget_knowledge()
    return session, str(demo.config["shop_id"])


def ask(session: Session, conv: Conversation | None, shop_id: str, text: str, n: int) -> Any:
    """The buyer's send path: the message in one transaction; the bot's turn follows it as
    a listener of the committed message, in a transaction of its own."""
    if conv is None:
        conv = inbox.do_open_conversation(session, shop_id, "tb_bot_test", text, now=NOW)
    msg, created = inbox.do_post_message(session, conv, "buyer", text, f"b{n}", now=NOW)
    assert created
    events = [e for e in uow.commit(session, now=NOW) if e.name == inbox.MESSAGE_POSTED]
    posted = session.scalars(
        select(Message)
        .where(Message.conversation_pk == conv.id, Message.seq > msg.seq, Message.sender == "bot")
        .order_by(Message.seq)
    ).all()
    return conv, msg, list(posted), [(c, e.payload) for e in events for c in e.channels]


def bot_texts(session: Session, conv: Conversation) -> list[str]:
    return [m.text for m in inbox.messages_after(session, conv, 0) if m.sender == "bot"]


def test_a_grounded_question_gets_the_fact_from_the_shop_data(shop: tuple[Session, str]) -> None:
    session, shop_id = shop
    conv, msg, posted, events = ask(session, None, shop_id, "你们包邮吗？", 1)
    assert len(posted) == 1 and posted[0].sender == "bot"
    threshold = demo_data().config.get("shipping", {}).get("free_shipping_threshold")
    reply = posted[0].text
    assert "包邮" in reply
    if threshold is not None:
        assert f"{threshold:g}" in reply  # the shop's own threshold, not a made-up one
    # Published after the commit, as a message event with the next seq.
    sent = [e for _, e in events if e["type"] == "message" and e["sender"] == "bot"]
    assert [(e["sender"], e["seq"]) for e in sent] == [("bot", msg.seq + 1)]
    assert msg.intent == "shipping_fee"
    assert conv.status != "closed"
    # The same buyer message again (a retry of the bot's turn) posts nothing new.
    assert assistant_bot.do_bot_reply(session, conv, msg, NOW) == []
    uow.commit(session)
    assert len(bot_texts(session, conv)) == 1


def test_a_product_fact_comes_from_the_catalogue(shop: tuple[Session, str]) -> None:
    session, shop_id = shop
    fryer = next(p for p in demo_data().products if "空气炸锅" in p["title"])
    _, _, posted, _ = ask(session, None, shop_id, "空气炸锅功率多大", 1)
    assert len(posted) == 1
    assert fryer["attributes"]["功率"] in posted[0].text  # 1400W, read from the products table


def test_asking_for_a_person_hands_off_to_a_queue(shop: tuple[Session, str]) -> None:
    session, shop_id = shop
    conv, msg, posted, events = ask(session, None, shop_id, "转人工", 1)
    assert [m.text for m in posted] == ["亲，已经为您转接人工客服，请稍等哦😊"]
    assert msg.intent == "human_agent"
    session.refresh(conv)
    assert conv.queue in inbox.QUEUES
    audit = session.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "assistant.handoff", AuditEntry.target_id == conv.conversation_id
        )
    ).one()
    assert audit.after["intent"] == "human_agent"
    assert audit.after["reason"] == "human_agent"
    assert audit.after["queue"] == conv.queue
    # Handed off: the bot is silent on the next message, even one it could answer.
    _, _, again, _ = ask(session, conv, shop_id, "你们包邮吗？", 2)
    assert again == []
    assert bot_texts(session, conv) == ["亲，已经为您转接人工客服，请稍等哦😊"]


def test_after_an_agent_replies_the_bot_is_silent(shop: tuple[Session, str]) -> None:
    session, shop_id = shop
    conv, _, first, _ = ask(session, None, shop_id, "你们包邮吗？", 1)
    assert len(first) == 1
    agent = session.scalars(select(User).where(User.shop_id == shop_id).limit(1)).one()
    inbox.do_assign(session, conv, agent, by=agent, now=NOW)
    inbox.do_post_message(session, conv, agent, "亲，我来为您解答", "a1", now=NOW)
    uow.commit(session)
    _, _, posted, events = ask(session, conv, shop_id, "你们包邮吗？", 2)
    assert posted == []
    assert not [e for _, e in events if e.get("sender") == "bot"]
    assert len(bot_texts(session, conv)) == 1


def test_images_and_closed_conversations_get_no_bot_turn(shop: tuple[Session, str]) -> None:
    session, shop_id = shop
    conv, msg, _, _ = ask(session, None, shop_id, "在吗", 1)
    inbox.do_close(session, conv, by=None, now=NOW, closed_by="buyer")
    uow.commit(session)
    assert assistant_bot.do_bot_reply(session, conv, msg, NOW) == []
    bot_msg = session.scalars(
        select(Message).where(Message.conversation_pk == conv.id, Message.sender == "bot")
    ).first()
    assert bot_msg is not None
    assert assistant_bot.do_bot_reply(session, conv, bot_msg, NOW) == []


def test_the_buyer_socket_gets_the_bot_answer_after_its_ack(chat) -> None:  # type: ignore[no-untyped-def]
    load_demo_shop(chat.session, demo_data())
    chat.session.commit()
    assistant_bot.forget_knowledge()
    shop_id = str(demo_data().config["shop_id"])
    with chat.client.websocket_connect(chat.buyer_url("tb_ws_bot", shop_id)) as ws:
        recv_type(ws, "hello")
        ack = send(ws, "m-1", "空气炸锅功率多大")
        assert ack["type"] == "ack" and ack["seq"] == 1
        answer = recv_until(ws, lambda f: f["type"] == "message" and f["sender"] == "bot")
        assert answer["seq"] == 2 and "1400W" in answer["text"]
        # A resend of the buyer's message is a duplicate: no second bot turn.
        assert send(ws, "m-1", "空气炸锅功率多大")["duplicate"] is True
    with Session(chat.engine) as fresh:
        senders = fresh.scalars(
            select(Message.sender)
            .join(Conversation, Message.conversation_pk == Conversation.id)
            .where(Conversation.conversation_id == ack["conversation_id"])
            .order_by(Message.seq)
        ).all()
    assert senders == ["buyer", "bot"]


def test_a_shop_without_knowledge_has_no_bot(chat) -> None:  # type: ignore[no-untyped-def]
    assistant_bot.forget_knowledge()
    with chat.client.websocket_connect(chat.buyer_url("tb_quiet")) as ws:
        recv_type(ws, "hello")
        cid = send(ws, "m-1", "转人工")["conversation_id"]
        assert send(ws, "m-2", "在吗")["seq"] == 2  # no bot message took seq 2
    with Session(chat.engine) as fresh:
        conv = fresh.scalars(select(Conversation).where(Conversation.conversation_id == cid)).one()
        assert conv.last_seq == 2
