"""Malformed frames get an error frame and the socket stays open; nothing is stored."""

from __future__ import annotations

import json

import pytest
from test_chat_ws import count_messages, recv_type, send

DEEP = '{"type": "send", "x": ' + "[" * 1000 + "]" * 1000 + "}"
BAD_FRAMES = [
    ("not JSON", "{not json"),
    ("a list", "[1, 2, 3]"),
    ("a string", '"send"'),
    ("nested 1,000 deep", DEEP),
    ("a huge number", '{"type": "resume", "conversation_id": "x", "after_seq": 1' + "0" * 30 + "}"),
    (
        "a number past 64 bits",
        '{"type": "resume", "conversation_id": "x", "after_seq": 9223372036854775808}',
    ),
    ("a lone surrogate", '{"type": "send", "client_msg_id": "s1", "text": "\\ud800 坏字"}'),
    ("a NUL byte", '{"type": "send", "client_msg_id": "n1", "text": "a\\u0000b"}'),
    ("NUL in a key", '{"type": "send", "client_msg_id": "k1", "te\\u0000xt": "hi"}'),
    ("an unknown type", '{"type": "explode"}'),
    ("a wrong field type", '{"type": "send", "client_msg_id": 5, "text": ["a"]}'),
    ("a bad image", '{"type": "send", "client_msg_id": "i1", "text": "", "image": "!!!"}'),
    ("a bad rating", '{"type": "rate", "rating": "five"}'),
]


@pytest.mark.parametrize(("what", "raw"), BAD_FRAMES, ids=[w for w, _ in BAD_FRAMES])
def test_a_bad_buyer_frame_is_answered_and_the_socket_lives_on(chat, what: str, raw: str) -> None:  # type: ignore[no-untyped-def]
    before = count_messages(chat)
    with chat.client.websocket_connect(chat.buyer_url("tb_fuzz")) as ws:
        recv_type(ws, "hello")
        ws.send_text(raw)
        error = recv_type(ws, "error")
        assert error["code"] and error["message"], what
        # the same socket still works
        ack = send(ws, "after", "还在吗")
        assert ack["type"] == "ack", what
    assert count_messages(chat) == before + 1  # only the good message


def test_a_binary_frame_is_answered_too(chat) -> None:  # type: ignore[no-untyped-def]
    with chat.client.websocket_connect(chat.buyer_url("tb_fuzz")) as ws:
        recv_type(ws, "hello")
        ws.send_bytes(b"\x00\xff\x00")
        assert recv_type(ws, "error")["code"] == "BAD_REQUEST"
        assert send(ws, "ok", "在吗")["type"] == "ack"


@pytest.mark.parametrize(("what", "raw"), BAD_FRAMES, ids=[w for w, _ in BAD_FRAMES])
def test_a_bad_agent_frame_is_answered_and_the_socket_lives_on(chat, what: str, raw: str) -> None:  # type: ignore[no-untyped-def]
    with chat.client.websocket_connect("/ws/agent", headers=chat.agent_headers("kf01")) as ws:
        recv_type(ws, "hello")
        ws.send_text(raw)
        assert recv_type(ws, "error")["code"], what
        ws.send_text(json.dumps({"type": "status", "status": "busy"}))
        assert recv_type(ws, "status")["status"] == "busy", what
