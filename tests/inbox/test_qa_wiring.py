"""The live chat wired to 质检: the send guard, the scan on close, the bot's own texts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from test_chat_ws import count_messages, recv_type, recv_until, send, stored

from kefu.core.errors import DomainError
from kefu.core.inbox.routing import QUEUE_LABELS
from kefu.core.qa import engine_for
from kefu.core.shopconfig import DEFAULT_SHOP
from kefu.db import uow
from kefu.db.models import Conversation, QaResult, Shop, User
from kefu.services import inbox, passwords, qa_ops

NOW = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)
LEAK = "好的亲，收件电话13812345678已经登记"
MASKED = "好的亲，收件电话138****5678已经登记"
WECHAT = "亲，加我微信 abc12345 给您发链接"


def supervisor_token(chat, text: str) -> str:  # type: ignore[no-untyped-def]
    """kf01's allow token for `text`, confirmed at kf01's desk by supervisor zg01."""
    session = chat.session
    session.add(
        User(
            shop_id="s1",
            username="zg01",
            agent_no="主管1号",
            role="supervisor",
            password_hash=passwords.hash_password("zg-secret-pass"),
        )
    )
    session.flush()
    kf01 = session.get(User, chat.users["kf01"].id)
    token = qa_ops.do_allow_blocked(
        session,
        kf01,
        text,
        ["QA_PRIVACY_LEAK"],
        secret=chat.settings.effective_secret_key,
        now=NOW,
        supervisor_username="zg01",
        supervisor_password="zg-secret-pass",
    )
    session.commit()
    return token


def test_blocked_agent_message_is_refused_and_stored_nowhere(chat) -> None:  # type: ignore[no-untyped-def]
    agent = chat.client.websocket_connect("/ws/agent", headers=chat.agent_headers("kf01"))
    with agent as kf01, chat.client.websocket_connect(chat.buyer_url("tb_lucy")) as buyer:
        recv_type(kf01, "hello")
        recv_type(buyer, "hello")
        # The buyer may send their own number: the guard is for what agents send.
        cid = send(buyer, "b1", "这款有货吗，我的电话是13812345678")["conversation_id"]
        recv_type(kf01, "assigned")
        before = count_messages(chat)
        refused = send(kf01, "a1", LEAK, conversation_id=cid)
        assert (refused["type"], refused["code"]) == ("error", "QA_BLOCKED")
        assert refused["client_msg_id"] == "a1"
        assert "泄露客户信息" in refused["message"] and "主管" in refused["message"]
        assert count_messages(chat) == before
        off = send(kf01, "a2", WECHAT, conversation_id=cid)
        assert off["code"] == "QA_BLOCKED" and "站外联系" in off["message"]
        # A forged or foreign token does not help.
        forged = send(kf01, "a3", LEAK, conversation_id=cid, qa_allow_token="not-a-token")
        assert forged["code"] == "QA_BLOCKED"
        # Masked, the same sentence goes through.
        ok = send(kf01, "a4", MASKED, conversation_id=cid)
        assert ok["type"] == "ack" and ok["seq"] == 2
        assert [m.text for m in stored(chat, cid)] == ["这款有货吗，我的电话是13812345678", MASKED]
        got = recv_until(buyer, lambda f: f["type"] == "message" and f["seq"] == 2)
        assert got["text"] == MASKED


def test_a_supervisor_allow_token_lets_exactly_that_text_through(chat) -> None:  # type: ignore[no-untyped-def]
    token = supervisor_token(chat, LEAK)
    agent = chat.client.websocket_connect("/ws/agent", headers=chat.agent_headers("kf01"))
    with agent as kf01, chat.client.websocket_connect(chat.buyer_url("tb_lucy")) as buyer:
        recv_type(kf01, "hello")
        recv_type(buyer, "hello")
        cid = send(buyer, "b1", "有L码吗，电话登记了吗")["conversation_id"]
        recv_type(kf01, "assigned")
        # The token is bound to the text: another leak is still refused.
        other = send(kf01, "a0", LEAK + "，地址也登记了", conversation_id=cid, qa_allow_token=token)
        assert other["code"] == "QA_BLOCKED"
        ok = send(kf01, "a1", LEAK, conversation_id=cid, qa_allow_token=token)
        assert ok["type"] == "ack" and ok["seq"] == 2
        assert stored(chat, cid)[-1].text == LEAK
    # ...and to the agent: kf08 cannot use kf01's token.
    with chat.client.websocket_connect("/ws/agent", headers=chat.agent_headers("kf08")) as kf08:
        recv_type(kf08, "hello")
        with chat.client.websocket_connect(chat.buyer_url("tb_mia")) as buyer:
            recv_type(buyer, "hello")
            cid2 = send(buyer, "b1", "在吗")["conversation_id"]
        refused = send(kf08, "x1", LEAK, conversation_id=cid2, qa_allow_token=token)
        assert refused["code"] in ("QA_BLOCKED", "FORBIDDEN")
        assert [m.text for m in stored(chat, cid2)] == ["在吗"]


def test_closing_over_the_socket_scans_the_conversation(chat) -> None:  # type: ignore[no-untyped-def]
    agent = chat.client.websocket_connect("/ws/agent", headers=chat.agent_headers("kf01"))
    with agent as kf01, chat.client.websocket_connect(chat.buyer_url("tb_lucy")) as buyer:
        recv_type(kf01, "hello")
        recv_type(buyer, "hello")
        cid = send(buyer, "b1", "这件有L码吗")["conversation_id"]
        recv_type(kf01, "assigned")
        send(kf01, "a1", "不行", conversation_id=cid)
        kf01.send_json({"type": "close", "conversation_id": cid})
        recv_until(buyer, lambda f: f["type"] == "conversation" and f["status"] == "closed")
    with Session(chat.engine) as fresh:  # committed together with the close
        conv = fresh.scalars(select(Conversation).where(Conversation.conversation_id == cid)).one()
        result = fresh.scalars(select(QaResult).where(QaResult.conversation_pk == conv.id)).one()
        assert result.agent_id == "kf01" and result.source == "auto"
        assert result.scanned_at is not None and result.score < 100
        assert "QA_DIRECT_REFUSAL" in {f.rule for f in result.findings}


def test_qa_follows_the_committed_close_and_the_sweep_catches_a_missed_one(
    session: Session,
) -> None:
    # given a conversation with one buyer message
    session.add(Shop(id="s1", name="小鹿生活旗舰店"))
    session.flush()
    session.add(User(shop_id="s1", username="kf01", agent_no="客服1号", role="presale"))
    session.commit()
    kf01 = session.scalars(select(User)).one()
    conv = inbox.do_open_conversation(session, "s1", "tb_a", "在吗", now=NOW)
    inbox.do_post_message(session, conv, "buyer", "在吗", "m1", now=NOW)
    uow.commit(session, now=NOW)
    with pytest.raises(DomainError):  # not a formats.md closed_by: the scan could not
        inbox.do_close(session, conv, by=kf01, now=NOW, closed_by="system")
    # when a close is rolled back, nothing is scanned (QA runs only after a commit)
    inbox.do_close(session, conv, by=kf01, now=NOW)
    uow.rollback(session)
    assert session.scalar(select(func.count()).select_from(QaResult)) == 0
    # when a close commits, its listener scans it
    conv = session.get(Conversation, conv.id)
    assert conv is not None and conv.status != "closed"
    inbox.do_close(session, conv, by=None, now=NOW, closed_by="timeout")
    uow.commit(session, now=NOW)
    result = session.scalars(select(QaResult)).one()
    assert result.scanned_at is not None
    # when a close commits without its listener (the process died in between), the sweep
    # job scans it
    other = inbox.do_open_conversation(session, "s1", "tb_b", "在吗", now=NOW)
    inbox.do_post_message(session, other, "buyer", "在吗", "m2", now=NOW)
    inbox.do_close(session, other, by=kf01, now=NOW)
    session.commit()  # a plain commit: no listener runs
    assert session.scalar(select(func.count()).select_from(QaResult)) == 1
    assert qa_ops.scan_closed_conversations(session, now=NOW, shop_id="s1") == 1
    session.commit()
    assert session.scalar(select(func.count()).select_from(QaResult)) == 2


def bot_texts(session: Session) -> set[str]:
    """Every text the inbox itself sends, produced by running its actions."""
    session.add(Shop(id="s1", name="小鹿生活旗舰店"))
    session.flush()
    for username, queue, status in (("kf01", "presale", "online"), ("kf03", "aftersale", "away")):
        number = int(username[-2:])
        session.add(
            User(
                shop_id="s1",
                username=username,
                agent_no=f"客服{number}号",
                role=queue,
                queues=[queue],
                status=status,
            )
        )
    session.commit()
    kf01 = session.scalars(select(User).where(User.username == "kf01")).one()
    kf03 = session.scalars(select(User).where(User.username == "kf03")).one()

    def chat(buyer: str, text: str) -> Conversation:
        conv = inbox.do_open_conversation(session, "s1", buyer, text, now=NOW)
        inbox.do_post_message(session, conv, "buyer", text, f"{buyer}-1", now=NOW)
        return conv

    served = chat("tb_a", "在吗")
    inbox.do_bot_welcome(session, served, now=NOW)  # names the agent
    waiting = chat("tb_b", "我要退货")  # kf03 is away: the waiting line
    inbox.do_bot_welcome(session, waiting, now=NOW)
    inbox.do_transfer(session, served, by=kf01, to_agent=kf03, now=NOW)  # handoff notices
    inbox.do_transfer(session, served, by=kf03, to_queue="aftersale", now=NOW)
    inbox.do_close(session, served, by=None, now=NOW, closed_by="timeout")  # bot farewell
    inbox.do_close(session, waiting, by=kf01, now=NOW)
    uow.commit(session)
    texts = {
        m.text
        for conv in (served, waiting)
        for m in inbox.messages_after(session, conv, 0)
        if m.sender != "buyer"
    }
    return texts


def test_every_text_the_inbox_sends_passes_the_qa_message_rules(session: Session) -> None:
    texts = bot_texts(session)
    # The run produced each kind of notice (a failing action would hide a text).
    assert "您好，我是客服1号，很高兴为您服务😊" in texts
    assert any("第1位" in t for t in texts)
    assert {"会话已转接给客服3号", inbox.FAREWELL, inbox.REVIEW_INVITATION} <= texts
    assert any(t.startswith("会话已转接给") and t != "会话已转接给客服3号" for t in texts)
    engine = engine_for(DEFAULT_SHOP)
    for text in texts:
        assert engine.check_text(text) == [], text


@pytest.mark.parametrize(
    "text",
    [
        inbox.WELCOME.format(agent_no="客服12号"),
        *(inbox.WELCOME_WAITING.format(position=n) for n in (1, 9, 88)),
        inbox.FAREWELL,
        inbox.REVIEW_INVITATION,
        *(f"会话已转接给{name}" for name in (*QUEUE_LABELS.values(), "客服3号")),
    ],
)
def test_the_inbox_templates_pass_the_qa_message_rules(text: str) -> None:
    assert engine_for(DEFAULT_SHOP).check_text(text) == []


def test_a_farewell_of_the_agents_own_words_passes_the_guard_too(chat) -> None:  # type: ignore[no-untyped-def]
    agent = chat.client.websocket_connect("/ws/agent", headers=chat.agent_headers("kf01"))
    with agent as kf01, chat.client.websocket_connect(chat.buyer_url("tb_lucy")) as buyer:
        recv_type(kf01, "hello")
        recv_type(buyer, "hello")
        cid = send(buyer, "b1", "好的谢谢")["conversation_id"]
        recv_type(kf01, "assigned")
        kf01.send_json({"type": "close", "conversation_id": cid, "farewell": WECHAT})
        refused = recv_type(kf01, "error")
        assert refused["code"] == "QA_BLOCKED" and "站外联系" in refused["message"]
        with Session(chat.engine) as fresh:  # still open, nothing sent
            conv = fresh.scalars(select(Conversation).where(Conversation.conversation_id == cid))
            assert conv.one().status != "closed"
        assert [m.text for m in stored(chat, cid)] == ["好的谢谢"]
