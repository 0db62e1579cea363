"""The chat pages: the buyer's web chat, the agent inbox, quick replies, images, XSS."""

from __future__ import annotations

import base64
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.db.models import Message
from kefu.http.identity import BUYER_COOKIE, read_buyer_token

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 40


def frame(ws: Any, kind: str) -> dict[str, Any]:
    for _ in range(40):
        data = ws.receive_json()
        if data["type"] == kind:
            return data
    raise AssertionError(kind)


def test_buyer_page_gives_a_signed_identity_of_its_own(chat) -> None:  # type: ignore[no-untyped-def]
    page = chat.client.get("/chat/s1")
    assert page.status_code == 200
    assert "小鹿生活旗舰店" in page.text and "js/chat.js" in page.text
    token = page.cookies.get(BUYER_COOKIE)
    shop_id, buyer_id = read_buyer_token(chat.settings, token)
    assert shop_id == "s1" and buyer_id.startswith("web_")
    assert f'data-buyer-id="{buyer_id}"' in page.text
    # The same visitor keeps the identity; another shop gives a new one.
    assert chat.client.get("/chat/s1").cookies.get(BUYER_COOKIE) in (None, token)
    other = chat.client.get("/chat/s2").cookies.get(BUYER_COOKIE)
    assert read_buyer_token(chat.settings, other)[0] == "s2"
    assert chat.client.get("/chat/nope").status_code == 404


def test_buyer_socket_takes_the_page_cookie(chat) -> None:  # type: ignore[no-untyped-def]
    token = chat.client.get("/chat/s1").cookies.get(BUYER_COOKIE)
    headers = {"cookie": f"{BUYER_COOKIE}={token}"}
    with chat.client.websocket_connect("/ws/buyer", headers=headers) as ws:
        hello = frame(ws, "hello")
        assert hello["buyer_id"].startswith("web_")


def test_xss_is_stored_as_text_and_escaped_in_the_inbox(chat) -> None:  # type: ignore[no-untyped-def]
    with chat.client.websocket_connect(chat.buyer_url("tb_x")) as ws:
        frame(ws, "hello")
        ws.send_json({"type": "send", "client_msg_id": "x1", "text": XSS})
        frame(ws, "ack")
    with Session(chat.engine) as fresh:
        assert fresh.scalar(select(Message.text)) == XSS  # kept as typed, not "cleaned"
    assert chat.client.get("/inbox", follow_redirects=False).status_code == 303
    page = chat.client.get("/inbox", headers=chat.agent_headers("kf01"))
    assert page.status_code == 200
    # The list's waiting time turns red past the shop's own limits (policies §6).
    assert 'data-sla-first="10"' in page.text and 'data-sla-reply="60"' in page.text
    assert "&lt;script&gt;alert(" in page.text
    assert "<script>alert" not in page.text and "<img src=x" not in page.text


def test_quick_replies_filled_for_the_conversation(chat) -> None:  # type: ignore[no-untyped-def]
    with chat.client.websocket_connect(chat.buyer_url("tb_lucy")) as ws:
        frame(ws, "hello")
        ws.send_json({"type": "send", "client_msg_id": "q1", "text": "在吗"})
        cid = frame(ws, "ack")["conversation_id"]
    url = f"/api/v1/chat/conversations/{cid}/quick-replies"
    assert chat.client.get(url).status_code == 401
    replies = chat.client.get(url, headers=chat.agent_headers("kf01")).json()
    assert replies[0]["text"] in (
        "tb_lucy您好，我是客服1号，很高兴为您服务😊",
        "亲，订单今天发货哦",
    )
    assert "tb_lucy您好，我是客服1号，很高兴为您服务😊" in [r["text"] for r in replies]
    # A web visitor's minted id is no name to greet anyone by.
    with chat.client.websocket_connect(chat.buyer_url("web_3f2a9c01b7de")) as ws:
        frame(ws, "hello")
        ws.send_json({"type": "send", "client_msg_id": "w1", "text": "在吗"})
        web = frame(ws, "ack")["conversation_id"]
    texts = [
        r["text"]
        for r in chat.client.get(
            f"/api/v1/chat/conversations/{web}/quick-replies", headers=chat.agent_headers("kf01")
        ).json()
    ]
    assert "亲您好，我是客服1号，很高兴为您服务😊" in texts
    assert not any("web_3f2a9c01b7de" in t for t in texts)
    other_shop = chat.client.get(url, headers=chat.agent_headers("other"))
    assert other_shop.status_code == 404


def test_sent_image_is_served_by_hash_only(chat) -> None:  # type: ignore[no-untyped-def]
    with chat.client.websocket_connect(chat.buyer_url("tb_lucy")) as ws:
        frame(ws, "hello")
        ws.send_json(
            {
                "type": "send",
                "client_msg_id": "i1",
                "text": "",
                "image": base64.b64encode(PNG).decode(),
            }
        )
        frame(ws, "ack")
        name = frame(ws, "message")["attachments"][0]["url"]
    image = chat.client.get(f"/chat/images/{name}")
    assert image.status_code == 200 and image.content == PNG
    assert image.headers["content-type"] == "image/png"
    assert chat.client.get("/chat/images/..%2F..%2Fetc%2Fpasswd").status_code == 404
    assert chat.client.get(f"/chat/images/{'0' * 64}.png").status_code == 404
