"""The live chat over WebSocket (Starlette's TestClient), on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from kefu.db import uow
from kefu.db.models import Conversation, Message
from kefu.services import inbox

Frame = dict[str, Any]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100


def recv_until(ws: WebSocketTestSession, wanted: Callable[[Frame], bool], limit: int = 60) -> Frame:
    for _ in range(limit):
        frame = ws.receive_json()
        if wanted(frame):
            return frame
    raise AssertionError("the awaited frame never came")


def recv_type(ws: WebSocketTestSession, kind: str) -> Frame:
    return recv_until(ws, lambda f: f["type"] == kind)


def send(ws: WebSocketTestSession, client_msg_id: str, text: str, **extra: Any) -> Frame:
    """Send and wait for the answer to it (its ack, or its error)."""
    ws.send_json({"type": "send", "client_msg_id": client_msg_id, "text": text, **extra})
    return recv_until(
        ws, lambda f: f["type"] in ("ack", "error") and f.get("client_msg_id") == client_msg_id
    )


def stored(chat, conversation_id: str) -> list[Message]:  # type: ignore[no-untyped-def]
    with Session(chat.engine) as fresh:  # a new connection sees committed rows only
        conv = fresh.scalars(
            select(Conversation).where(Conversation.conversation_id == conversation_id)
        ).one()
        return list(
            fresh.scalars(
                select(Message).where(Message.conversation_pk == conv.id).order_by(Message.seq)
            )
        )


def count_messages(chat) -> int:  # type: ignore[no-untyped-def]
    with Session(chat.engine) as fresh:
        return fresh.scalar(select(func.count()).select_from(Message)) or 0


def test_ack_comes_after_commit_with_seq_and_resend_is_idempotent(chat) -> None:  # type: ignore[no-untyped-def]
    with chat.client.websocket_connect(chat.buyer_url("tb_lucy")) as ws:
        hello = recv_type(ws, "hello")
        assert hello["conversation_id"] is None and hello["last_seq"] == 0
        ack = send(ws, "m-1", "在吗？这件T恤有L码吗")
        assert ack["type"] == "ack" and ack["seq"] == 1 and not ack["duplicate"]
        cid = ack["conversation_id"]
        # Acknowledged means committed: another connection already reads it.
        assert [(m.seq, m.client_msg_id, m.text) for m in stored(chat, cid)] == [
            (1, "m-1", "在吗？这件T恤有L码吗")
        ]
        second = send(ws, "m-2", "一米七穿什么码")
        assert second["seq"] == 2
        # The client lost the ack and sends m-1 again: the same seq, nothing new.
        again = send(ws, "m-1", "在吗？这件T恤有L码吗")
        assert (again["seq"], again["duplicate"]) == (1, True)
        assert [m.seq for m in stored(chat, cid)] == [1, 2]
    with chat.client.websocket_connect(chat.buyer_url("tb_lucy")) as ws:
        hello = recv_type(ws, "hello")
        assert (hello["conversation_id"], hello["last_seq"]) == (cid, 2)
        assert send(ws, "m-2", "一米七穿什么码")["duplicate"] is True
    assert count_messages(chat) == 2


def test_agent_and_buyer_chat_live_in_order_and_resume_fills_the_gap(chat) -> None:  # type: ignore[no-untyped-def]
    agent = chat.client.websocket_connect("/ws/agent", headers=chat.agent_headers("kf01"))
    with agent as kf01, chat.client.websocket_connect(chat.buyer_url("tb_lucy")) as buyer:
        assert recv_type(kf01, "hello")["agent_no"] == "客服1号"
        recv_type(buyer, "hello")
        cid = send(buyer, "b1", "在吗")["conversation_id"]
        assigned = recv_type(kf01, "assigned")
        assert (assigned["conversation_id"], assigned["queue"]) == (cid, "presale")
        first = recv_type(kf01, "message")
        assert (first["seq"], first["sender"], first["text"]) == (1, "buyer", "在吗")
        reply = send(kf01, "a1", "在的亲，有L码", conversation_id=cid)
        assert reply["seq"] == 2
        got = recv_until(buyer, lambda f: f["type"] == "message" and f["seq"] == 2)
        assert (got["sender"], got["sender_name"], got["text"]) == (
            "agent",
            "客服1号",
            "在的亲，有L码",
        )
        for i in range(3, 6):
            send(buyer, f"b{i}", f"第{i}条")
        # The agent sees every message once, its own included, in order.
        seqs = [recv_type(kf01, "message")["seq"] for _ in range(4)]
        assert seqs == [2, 3, 4, 5]
    # The buyer comes back having seen up to seq 2; the agent wrote meanwhile.
    with chat.client.websocket_connect("/ws/agent", headers=chat.agent_headers("kf01")) as kf01:
        recv_type(kf01, "hello")
        send(kf01, "a6", "亲，还有其他问题吗", conversation_id=cid)
    with chat.client.websocket_connect(chat.buyer_url("tb_lucy")) as buyer:
        assert recv_type(buyer, "hello")["last_seq"] == 6
        buyer.send_json({"type": "resume", "conversation_id": cid, "after_seq": 2})
        resumed = [recv_type(buyer, "message") for _ in range(4)]
        assert [m["seq"] for m in resumed] == [3, 4, 5, 6]
        assert resumed[-1]["text"] == "亲，还有其他问题吗"
        assert recv_type(buyer, "resumed")["last_seq"] == 6
        # Then the live stream continues where the history ended.
        assert send(buyer, "b7", "没有了，谢谢")["seq"] == 7
        assert recv_type(buyer, "message")["seq"] == 7


def test_a_batched_resume_sends_the_history_in_one_frame_and_in_parts(  # type: ignore[no-untyped-def]
    chat, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("kefu.realtime.connection.RESUME_LIMIT", 3)
    with chat.client.websocket_connect(chat.buyer_url("tb_lucy")) as buyer:
        recv_type(buyer, "hello")
        cid = send(buyer, "b1", "在吗")["conversation_id"]
        for i in range(2, 6):
            send(buyer, f"b{i}", f"第{i}条")
    with chat.client.websocket_connect(chat.buyer_url("tb_lucy")) as buyer:
        recv_type(buyer, "hello")
        buyer.send_json({"type": "resume", "conversation_id": cid, "after_seq": 0, "batch": True})
        history = recv_type(buyer, "history")
        assert [m["seq"] for m in history["messages"]] == [1, 2, 3]
        assert history["messages"][0]["text"] == "在吗"
        part = recv_type(buyer, "resumed")
        assert (part["last_seq"], part["more"]) == (3, True)  # no gap: the oldest first
        buyer.send_json({"type": "resume", "conversation_id": cid, "after_seq": 3, "batch": True})
        assert [m["seq"] for m in recv_type(buyer, "history")["messages"]] == [4, 5]
        end = recv_type(buyer, "resumed")
        assert (end["last_seq"], end["more"]) == (5, False)
        # Live messages go on from there, each once.
        assert send(buyer, "b6", "好的")["seq"] == 6
        assert recv_type(buyer, "message")["seq"] == 6


def test_too_long_is_refused_with_a_clear_error_and_nothing_stored(chat) -> None:  # type: ignore[no-untyped-def]
    with chat.client.websocket_connect(chat.buyer_url("tb_lucy")) as ws:
        recv_type(ws, "hello")
        error = send(ws, "long", "好" * 5001)
        assert error["type"] == "error" and error["code"] == "TOO_LONG"
        assert "5000" in error["message"]
        assert count_messages(chat) == 0
        assert send(ws, "ok", "好" * 5000)["seq"] == 1
        bad = send(ws, "bad", "")
        assert bad["code"] == "EMPTY"
        ws.send_text("not json")
        assert recv_type(ws, "error")["code"] == "BAD_REQUEST"
        ws.send_json({"type": "send", "text": "no id"})
        assert recv_type(ws, "error")["code"] == "BAD_REQUEST"
    assert count_messages(chat) == 1


def test_images_are_checked_by_content(chat) -> None:  # type: ignore[no-untyped-def]
    with chat.client.websocket_connect(chat.buyer_url("tb_lucy")) as ws:
        recv_type(ws, "hello")
        fake = base64.b64encode(b"<svg onload=alert(1)>").decode()
        error = send(ws, "fake.png", "", image=fake)
        assert error["code"] == "IMAGE_TYPE"
        big = base64.b64encode(PNG + b"\x00" * (5 * 1024 * 1024)).decode()
        assert send(ws, "big", "", image=big)["code"] == "IMAGE_TOO_LARGE"
        assert count_messages(chat) == 0
        # A real PNG, whatever it claims to be, is taken and kept by its content hash.
        ack = send(
            ws, "photo.jpg", "", image="data:image/jpeg;base64," + base64.b64encode(PNG).decode()
        )
        message = recv_until(ws, lambda f: f["type"] == "message" and f["seq"] == ack["seq"])
        assert message["kind"] == "image"
        attachment = message["attachments"][0]
        assert attachment["type"] == "image/png" and attachment["url"].endswith(".png")
        assert (chat.settings.data_dir / "images" / attachment["url"]).read_bytes() == PNG


def test_welcome_names_the_agent_when_nobody_answers(chat) -> None:  # type: ignore[no-untyped-def]
    chat.app.state.welcome_delay = 0.2
    with chat.client.websocket_connect(chat.buyer_url("tb_lucy")) as ws:
        recv_type(ws, "hello")
        send(ws, "b1", "在吗")
        welcome = recv_until(ws, lambda f: f["type"] == "message" and f["sender"] == "bot")
        assert welcome["text"] == "您好，我是客服1号，很高兴为您服务😊"
        assert welcome["seq"] == 2


def test_no_welcome_once_the_agent_answered(chat) -> None:  # type: ignore[no-untyped-def]
    chat.app.state.welcome_delay = 0.5
    agent = chat.client.websocket_connect("/ws/agent", headers=chat.agent_headers("kf01"))
    with agent as kf01, chat.client.websocket_connect(chat.buyer_url("tb_lucy")) as buyer:
        recv_type(kf01, "hello")
        recv_type(buyer, "hello")
        cid = send(buyer, "b1", "在吗")["conversation_id"]
        send(kf01, "a1", "在的", conversation_id=cid)
        time.sleep(0.8)
        assert [m.sender for m in stored(chat, cid)] == ["buyer", "agent"]


def test_transfer_close_and_rating(chat) -> None:  # type: ignore[no-untyped-def]
    kf01_ws = chat.client.websocket_connect("/ws/agent", headers=chat.agent_headers("kf01"))
    kf03_ws = chat.client.websocket_connect("/ws/agent", headers=chat.agent_headers("kf03"))
    with (
        kf01_ws as kf01,
        kf03_ws as kf03,
        chat.client.websocket_connect(chat.buyer_url("tb_lucy")) as buyer,
    ):
        for ws in (kf01, kf03, buyer):
            recv_type(ws, "hello")
        cid = send(buyer, "b1", "这个还有现货吗")["conversation_id"]
        recv_type(kf01, "assigned")
        kf01.send_json(
            {"type": "transfer", "conversation_id": cid, "to_agent": "kf03", "note": "使用问题"}
        )
        assert recv_type(kf03, "assigned")["agent_no"] == "客服3号"
        assert recv_type(kf03, "note")["note"] == "使用问题"
        # kf01 no longer holds it.
        assert send(kf01, "late", "还在吗", conversation_id=cid)["code"] == "FORBIDDEN"
        kf03.send_json({"type": "close", "conversation_id": cid})
        closed = recv_until(
            buyer, lambda f: f["type"] == "conversation" and f["status"] == "closed"
        )
        assert closed["conversation_id"] == cid
        buyer.send_json({"type": "rate", "conversation_id": cid, "rating": 9})
        assert recv_type(buyer, "error")["code"] == "BAD_RATING"
        buyer.send_json({"type": "rate", "conversation_id": cid, "rating": 5})
        assert recv_type(buyer, "rated")["rating"] == 5
        texts = [m.text for m in stored(chat, cid)]
        assert "会话已转接给客服3号" in texts and texts[-1] == "请为本次服务打分（1-5星）"
        # A new question on the same socket, after the end, opens a new conversation
        # (the closed one is left as it was), routed to the agent of the last 24 h.
        again = send(buyer, "b2", "还有个问题")
        assert again["conversation_id"] != cid and again["seq"] == 1
        assert stored(chat, cid)[-1].text == "请为本次服务打分（1-5星）"
        assert recv_type(kf03, "assigned")["conversation_id"] == again["conversation_id"]


def test_identity_is_checked(chat) -> None:  # type: ignore[no-untyped-def]
    for url, headers in (
        ("/ws/buyer?token=forged", {}),
        ("/ws/buyer", {}),
        ("/ws/agent", {}),
        ("/ws/agent", {"cookie": "kefu_session=forged"}),
    ):
        with (
            pytest.raises(WebSocketDisconnect) as refused,
            chat.client.websocket_connect(url, headers=headers) as ws,
        ):
            ws.receive_json()
        assert refused.value.code == 4401
    # A page on another site may not use the agent's cookie.
    evil = {**chat.agent_headers("kf01"), "origin": "http://evil.example"}
    with (
        pytest.raises(WebSocketDisconnect),
        chat.client.websocket_connect("/ws/agent", headers=evil) as ws,
    ):
        ws.receive_json()
    with chat.client.websocket_connect(chat.buyer_url("tb_lucy")) as lucy:
        recv_type(lucy, "hello")
        cid = send(lucy, "b1", "我的地址是杭州")["conversation_id"]
    with chat.client.websocket_connect(chat.buyer_url("tb_eve")) as eve:
        recv_type(eve, "hello")
        eve.send_json({"type": "resume", "conversation_id": cid, "after_seq": 0})
        assert recv_type(eve, "error")["code"] == "NOT_FOUND"
        assert send(eve, "x", "hi", conversation_id=cid)["code"] == "NOT_FOUND"
    # An agent of another shop sees nothing of this one.
    with chat.client.websocket_connect("/ws/agent", headers=chat.agent_headers("other")) as other:
        recv_type(other, "hello")
        other.send_json({"type": "resume", "conversation_id": cid, "after_seq": 0})
        assert recv_type(other, "error")["code"] == "NOT_FOUND"


def test_a_lost_live_event_is_filled_from_the_database(chat) -> None:  # type: ignore[no-untyped-def]
    """A message whose publish never arrived (broker hiccup) still reaches the agent, in
    its place, as soon as the next one comes: the gap is read from the database."""
    agent = chat.client.websocket_connect("/ws/agent", headers=chat.agent_headers("kf01"))
    with agent as kf01, chat.client.websocket_connect(chat.buyer_url("tb_lucy")) as buyer:
        recv_type(kf01, "hello")
        recv_type(buyer, "hello")
        cid = send(buyer, "b1", "在吗")["conversation_id"]
        assert recv_type(kf01, "message")["seq"] == 1
        with Session(chat.engine, expire_on_commit=False) as other:
            conv = inbox.access_conversation(other, "s1", cid)
            inbox.do_post_message(
                other, conv, "buyer", "这条的通知丢了", "lost", now=datetime.now(UTC)
            )
            uow.commit(other)  # committed, never published
        send(buyer, "b3", "还在吗")
        got = [recv_type(kf01, "message") for _ in range(2)]
        assert [(m["seq"], m["text"]) for m in got] == [(2, "这条的通知丢了"), (3, "还在吗")]


def test_agent_status_over_the_socket_routes_waiting_buyers(chat) -> None:  # type: ignore[no-untyped-def]
    agent = chat.client.websocket_connect("/ws/agent", headers=chat.agent_headers("kf01"))
    with agent as kf01:
        recv_type(kf01, "hello")
        kf01.send_json({"type": "status", "status": "away"})
        assert recv_type(kf01, "status")["status"] == "away"
        kf01.send_json({"type": "status", "status": "offline"})  # only sign-out sets that
        assert recv_type(kf01, "error")["code"] == "BAD_STATUS"
        # Nobody of pre-sale is online: the buyer waits in line.
        with chat.client.websocket_connect(chat.buyer_url("tb_lucy")) as buyer:
            recv_type(buyer, "hello")
            cid = send(buyer, "b1", "在吗")["conversation_id"]
        # Back online, kf01 is given the waiting buyer, with the history.
        kf01.send_json({"type": "status", "status": "online"})
        assert recv_type(kf01, "assigned")["conversation_id"] == cid
        assert recv_type(kf01, "message")["text"] == "在吗"
