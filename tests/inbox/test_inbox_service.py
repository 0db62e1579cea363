"""The inbox actions on SQLite and PostgreSQL: seq, idempotency, routing, close, rating."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from kefu.core.errors import DomainError as InboxError
from kefu.db import uow
from kefu.db.models import AuditEntry, Conversation, Message, Rating, Shop, User
from kefu.services import accounts, inbox

NOW = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def frames(events: list[uow.Event]) -> list[tuple[str, dict]]:
    """(channel, payload) for every push the events make, in order."""
    return [(channel, e.payload) for e in events for channel in e.channels]


def add_agent(session: Session, username: str, queue: str, status: str = "online") -> User:
    number = int(username[-2:])
    user = User(
        shop_id="s1",
        username=username,
        agent_no=f"客服{number}号",
        role=queue,
        queues=[queue],
        status=status,
    )
    session.add(user)
    session.flush()
    return user


@pytest.fixture
def shop(session: Session) -> Session:
    session.add(Shop(id="s1", name="小鹿生活旗舰店"))
    session.flush()
    add_agent(session, "kf01", "presale")
    add_agent(session, "kf02", "presale")
    add_agent(session, "kf03", "aftersale")
    session.commit()
    return session


def agent(session: Session, username: str) -> User:
    return session.scalars(select(User).where(User.username == username)).one()


def open_chat(session: Session, buyer: str, text: str, now: datetime = NOW) -> Conversation:
    conv = inbox.do_open_conversation(session, "s1", buyer, text, now=now)
    inbox.do_post_message(session, conv, "buyer", text, f"{buyer}-1", now=now)
    uow.commit(session)
    return conv


def test_seq_is_per_conversation_and_events_wait_for_commit(shop: Session) -> None:
    conv = inbox.do_open_conversation(shop, "s1", "tb_a", "在吗", now=NOW)
    first, created = inbox.do_post_message(shop, conv, "buyer", "在吗", "m1", now=NOW)
    assert created and first.seq == 1
    # The events wait in the unit of work until the commit hands them out.
    pending = [e.payload["type"] for e in uow.pending_events(shop)]
    assert "message" in pending and "conversation" in pending
    events = uow.commit(shop)
    assert [e["seq"] for c, e in frames(events) if e["type"] == "message"] == [1]
    assert uow.commit(shop) == []  # handed out once
    second, _ = inbox.do_post_message(shop, conv, agent(shop, "kf01"), "您好", "m2", now=NOW)
    other = open_chat(shop, "tb_b", "有货吗")
    uow.commit(shop)
    assert second.seq == 2
    assert [m.seq for m in inbox.messages_after(shop, other, 0)] == [1]
    assert [m.text for m in inbox.messages_after(shop, conv, 1)] == ["您好"]


def test_rollback_drops_the_events(shop: Session) -> None:
    conv = open_chat(shop, "tb_a", "在吗")
    inbox.do_post_message(shop, conv, "buyer", "还在吗", "m2", now=NOW)
    uow.rollback(shop)
    assert uow.commit(shop) == []
    assert shop.scalar(select(func.count()).select_from(Message)) == 1


def test_resend_creates_no_duplicate(shop: Session) -> None:
    conv = open_chat(shop, "tb_a", "在吗")
    again, created = inbox.do_post_message(shop, conv, "buyer", "在吗", "tb_a-1", now=NOW)
    assert not created and again.seq == 1
    # Nothing new is stored; the message is announced again (its first publish may have
    # died with the process that committed it), under the same seq.
    events = uow.commit(shop)
    assert [(e["type"], e["seq"]) for _, e in frames(events)] == [("message", 1)]
    assert shop.scalar(select(func.count()).select_from(Message)) == 1
    assert shop.get(Conversation, conv.id).last_seq == 1  # type: ignore[union-attr]


def test_too_long_and_bad_images_store_nothing(shop: Session) -> None:
    conv = open_chat(shop, "tb_a", "在吗")
    with pytest.raises(InboxError) as too_long:
        inbox.do_post_message(shop, conv, "buyer", "好" * 5001, "long", now=NOW)
    assert too_long.value.code == "TOO_LONG"
    msg, _ = inbox.do_post_message(shop, conv, "buyer", "好" * 5000, "limit", now=NOW)
    assert len(msg.text) == 5000
    with pytest.raises(InboxError) as not_image:
        inbox.do_post_message(shop, conv, "buyer", "", "fake", now=NOW, image=b"MZ\x90\x00 exe")
    assert not_image.value.code == "IMAGE_TYPE"
    with pytest.raises(InboxError) as empty:
        inbox.do_post_message(shop, conv, "buyer", "   ", "blank", now=NOW)
    assert empty.value.code == "EMPTY"
    image, _ = inbox.do_post_message(shop, conv, "buyer", "", "img", now=NOW, image=PNG)
    assert image.kind == "image" and image.attachments[0]["type"] == "image/png"
    uow.commit(shop)
    assert [m.client_msg_id for m in inbox.messages_after(shop, conv, 0)] == [
        "tb_a-1",
        "limit",
        "img",
    ]


def test_routing_least_loaded_queue_waiting_line_and_sticky(shop: Session) -> None:
    first = open_chat(shop, "tb_a", "这件有L码吗")
    second = open_chat(shop, "tb_b", "能便宜点吗")
    assert (first.queue, first.agent_id) == ("presale", "kf01")
    assert second.agent_id == "kf02"  # the less loaded of the two pre-sale agents
    after = open_chat(shop, "tb_c", "衣服破了要退货")
    assert (after.queue, after.agent_id) == ("aftersale", "kf03")
    # kf03 is away: the next after-sales buyer waits, in line.
    accounts.do_set_status(shop, agent(shop, "kf03"), "away", NOW)
    uow.commit(shop)
    waiting = open_chat(shop, "tb_d", "我要退款", NOW + timedelta(seconds=5))
    later = open_chat(shop, "tb_e", "退货地址", NOW + timedelta(seconds=9))
    assert (waiting.status, waiting.assignee_id) == ("pending", None)
    assert inbox.waiting_line_position(shop, waiting) == 1
    assert inbox.waiting_line_position(shop, later) == 2
    welcome = inbox.do_bot_welcome(shop, waiting, now=NOW)
    assert welcome is not None and "第1位" in welcome.text
    # Coming back online, kf03 takes the waiting buyers, oldest first.
    accounts.do_set_status(shop, agent(shop, "kf03"), "online", NOW)
    events = uow.commit(shop)
    assigned = [e["conversation_id"] for _, e in frames(events) if e["type"] == "assigned"]
    assert assigned == [waiting.conversation_id, later.conversation_id]
    # Within 24 h the buyer goes back to the agent who served them, whatever the stage.
    inbox.do_close(shop, first, by=agent(shop, "kf01"), now=NOW)
    uow.commit(shop)
    back = open_chat(shop, "tb_a", "我要退货", NOW + timedelta(hours=2))
    assert (back.agent_id, back.queue) == ("kf01", "aftersale")
    gone = open_chat(shop, "tb_b2", "我要退货", NOW + timedelta(hours=30))
    assert gone.agent_id == "kf03"


def test_capacity_limit_per_agent(shop: Session) -> None:
    kf02 = agent(shop, "kf02")
    kf02.status = "away"
    kf01 = agent(shop, "kf01")
    kf01.max_open = 2
    shop.commit()
    convs = [open_chat(shop, f"tb_{i}", "在吗") for i in range(3)]
    assert [c.agent_id for c in convs[:2]] == ["kf01", "kf01"]
    assert convs[2].status == "pending"


def test_welcome_names_the_agent_once_and_not_after_an_answer(shop: Session) -> None:
    conv = open_chat(shop, "tb_a", "在吗")
    welcome = inbox.do_bot_welcome(shop, conv, now=NOW)
    assert welcome is not None and welcome.text == "您好，我是客服1号，很高兴为您服务😊"
    assert inbox.do_bot_welcome(shop, conv, now=NOW) is None
    answered = open_chat(shop, "tb_b", "在吗")
    inbox.do_post_message(shop, answered, agent(shop, "kf02"), "在的亲", "a1", now=NOW)
    assert inbox.do_bot_welcome(shop, answered, now=NOW) is None


def test_transfer_close_rate_and_audit(shop: Session) -> None:
    conv = open_chat(shop, "tb_a", "在吗")
    kf01, kf03 = agent(shop, "kf01"), agent(shop, "kf03")
    inbox.do_transfer(shop, conv, by=kf01, to_agent=kf03, note="要退货", now=NOW)
    events = uow.commit(shop)
    assert conv.agent_id == "kf03"
    notes = [e for c, e in frames(events) if e["type"] == "note"]
    assert notes == [{"type": "note", "conversation_id": conv.conversation_id, "note": "要退货"}]
    assert any(
        c == inbox.agent_channel("s1", kf03.id)
        for c, e in frames(events)
        if e["type"] == "assigned"
    )
    with pytest.raises(InboxError, match="会话结束后"):
        inbox.do_rate(shop, conv, 5, now=NOW)
    inbox.do_transfer(shop, conv, by=kf03, to_queue="presale", now=NOW)
    assert conv.agent_id in ("kf01", "kf02")
    inbox.do_close(shop, conv, by=kf03, now=NOW)
    uow.commit(shop)
    texts = [m.text for m in inbox.messages_after(shop, conv, 0)]
    assert texts[-2] == inbox.FAREWELL and texts[-1] == inbox.REVIEW_INVITATION
    with pytest.raises(InboxError, match="会话已结束"):
        inbox.do_post_message(shop, conv, kf03, "还在吗", "late", now=NOW)
    for bad in (0, 6, True):
        with pytest.raises(InboxError) as error:
            inbox.do_rate(shop, conv, bad, now=NOW)  # type: ignore[arg-type]
        assert error.value.code == "BAD_RATING"
    inbox.do_rate(shop, conv, 4, now=NOW, comment="挺好")
    uow.commit(shop)
    with pytest.raises(InboxError) as twice:
        inbox.do_rate(shop, conv, 5, now=NOW)
    assert twice.value.code == "ALREADY_RATED"
    assert shop.scalar(select(Rating.rating)) == 4
    actions = set(shop.scalars(select(AuditEntry.action)))
    assert {"conversation.open", "conversation.transfer", "conversation.close"} <= actions
    assert "conversation.rate" in actions


def test_racing_sends_get_distinct_seqs_and_one_row_per_client_id(
    shop: Session, engine: Engine
) -> None:
    """Threads on their own connections: no seq given twice, a raced resend stored once."""
    conv = open_chat(shop, "tb_a", "在吗")
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def send(index: int) -> None:
        try:
            with Session(engine, expire_on_commit=False) as own:
                mine = own.get(Conversation, conv.id)
                assert mine is not None
                barrier.wait()
                # Pairs of threads send the same client id: each pair must store one row.
                inbox.do_post_message(own, mine, "buyer", f"第{index}条", f"c{index // 2}", now=NOW)
                uow.commit(own)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    shop.expire_all()
    seqs = [m.seq for m in inbox.messages_after(shop, conv, 0)]
    assert seqs == [1, 2, 3, 4, 5]
    assert shop.get(Conversation, conv.id).last_seq == 5  # type: ignore[union-attr]


def test_quick_replies_are_filled(shop: Session) -> None:
    from kefu.db.models import QuickReply

    conv = open_chat(shop, "tb_a", "在吗")
    conv.order_ids = ["3712345678901234567"]
    shop.add(
        QuickReply(
            shop_id="s1",
            quick_reply_id="qr-1",
            title="问候",
            text="{buyer_name}您好，我是{agent_no}，订单{order_id}已发货",
        )
    )
    shop.commit()
    replies = inbox.access_quick_replies(shop, agent(shop, "kf01"), conv)
    assert replies[0]["text"] == "tb_a您好，我是客服1号，订单3712345678901234567已发货"
