"""The message hot path (Core INSERT ... ON CONFLICT, no savepoint) keeps the ORM in step."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool, QueuePool

from kefu.db import uow
from kefu.db.models import Conversation, Message, Shop
from kefu.realtime.hub import DB_CONCURRENCY, _pool_size
from kefu.services import inbox

NOW = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def fresh_last_seq(session: Session, conv: Conversation) -> int:
    bind = session.get_bind()
    with Session(bind) as other:
        return int(other.scalar(select(Conversation.last_seq).where(Conversation.id == conv.id)))


def test_post_leaves_the_loaded_conversation_in_step_and_clean(session: Session) -> None:
    session.add(Shop(id="s1", name="小鹿生活旗舰店"))
    session.commit()
    conv = inbox.do_open_conversation(session, "s1", "tb_a", "在吗", now=NOW)
    uow.commit(session)
    later = NOW + timedelta(seconds=5)
    msg, created = inbox.do_post_message(session, conv, "buyer", "在吗", "m1", now=later)
    assert created and msg.id is not None and msg.seq == 1
    # In step without a second UPDATE queued for the flush.
    assert (conv.last_seq, conv.last_message_at) == (1, later)
    assert conv not in session.dirty
    # The message is a persistent row: a later change (an image's url) is flushed.
    assert msg in session and msg not in session.new
    msg.text = "在吗？"
    uow.commit(session)
    assert fresh_last_seq(session, conv) == 1
    assert session.scalar(select(Message.text).where(Message.id == msg.id)) == "在吗？"

    # A resend: the first row, nothing new, the seq handed back in the DB and in memory.
    again, created = inbox.do_post_message(session, conv, "buyer", "在吗", "m1", now=later)
    assert (created, again.id, again.seq) == (False, msg.id, 1)
    assert conv.last_seq == 1
    uow.commit(session)
    assert fresh_last_seq(session, conv) == 1
    assert session.scalar(select(func.count()).select_from(Message)) == 1

    # No client id (system notices): never a conflict; images keep their attachment.
    image, _ = inbox.do_post_message(session, conv, "buyer", "", None, now=later, image=PNG)
    note, _ = inbox.do_post_message(session, conv, "system", "会话已转接给售后", None, now=later)
    uow.commit(session)
    assert (image.seq, image.kind, image.text, note.seq) == (2, "image", "[图片]", 3)
    stored = session.scalars(select(Message).where(Message.id == image.id)).one()
    assert stored.attachments is not None and stored.attachments[0]["type"] == "image/png"
    assert fresh_last_seq(session, conv) == 3


def test_db_concurrency_follows_the_pool_size() -> None:
    assert _pool_size(create_engine("sqlite://", poolclass=QueuePool, pool_size=7)) == 7
    no_size = create_engine("sqlite://", poolclass=NullPool)
    assert _pool_size(no_size) == DB_CONCURRENCY
