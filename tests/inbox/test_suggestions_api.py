"""Agent assist over HTTP: `GET /api/v1/chat/conversations/{id}/suggestions`.

The top drafts for the selected buyer message (default: the latest), from the shop's own
data, only for whoever may answer the conversation."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any

import pytest
from chat_helpers import agent_cookie
from sqlalchemy import select

from kefu.db import uow
from kefu.db.models import User
from kefu.demo import DemoShop, generate_demo_shop
from kefu.http.identity import SESSION_COOKIE
from kefu.services import assistant_bot, inbox
from kefu.services.demo import load_demo_shop

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # a Wednesday, 10:00 in Shanghai


@cache
def demo_data() -> DemoShop:
    return generate_demo_shop()


def url(cid: str, query: str = "") -> str:
    return f"/api/v1/chat/conversations/{cid}/suggestions{query}"


@pytest.fixture
def demo(chat) -> Any:  # type: ignore[no-untyped-def]
    """The demo shop loaded next to s1, and a buyer's conversation with kf01 of the demo."""
    load_demo_shop(chat.session, demo_data())
    chat.session.commit()
    assistant_bot.forget_knowledge()
    session = chat.session
    conv = inbox.do_open_conversation(session, "demo", "tb_assist", "你们包邮吗？", now=NOW)
    inbox.do_post_message(session, conv, "buyer", "你们包邮吗？", "b1", now=NOW)
    kf01 = session.scalars(select(User).where(User.shop_id == "demo", User.username == "kf01"))
    agent = kf01.one()
    inbox.do_assign(session, conv, agent, by=agent, now=NOW)
    uow.commit(session)
    yield chat, conv
    assistant_bot.forget_knowledge()


def headers(chat, shop_id: str, username: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    user = chat.session.scalars(
        select(User).where(User.shop_id == shop_id, User.username == username)
    ).one()
    return {"cookie": f"{SESSION_COOKIE}={agent_cookie(chat.session, chat.settings, user)}"}


def test_the_agent_gets_up_to_three_grounded_drafts(demo) -> None:  # type: ignore[no-untyped-def]
    chat, conv = demo
    resp = chat.client.get(url(conv.conversation_id), headers=headers(chat, "demo", "kf01"))
    assert resp.status_code == 200
    drafts = resp.json()["suggestions"]
    assert 1 <= len(drafts) <= 3
    texts = [d["text"] for d in drafts]
    assert len(set(texts)) == len(texts)  # no draft twice
    assert all(t.strip() and d["sources"] for t, d in zip(texts, drafts, strict=True))
    # The grounded answer comes first, with the shop's own free-shipping threshold.
    assert drafts[0]["kind"] == "skill" and "包邮" in drafts[0]["text"]
    threshold = demo_data().config.get("shipping", {}).get("free_shipping_threshold")
    if threshold is not None:
        assert f"{threshold:g}" in drafts[0]["text"]


def test_drafts_follow_the_selected_message(demo) -> None:  # type: ignore[no-untyped-def]
    chat, conv = demo
    inbox.do_post_message(chat.session, conv, "buyer", "空气炸锅功率多大", "b2", now=NOW)
    uow.commit(chat.session)
    h = headers(chat, "demo", "kf01")
    latest = chat.client.get(url(conv.conversation_id), headers=h).json()["suggestions"]
    assert "1400W" in latest[0]["text"]  # the latest buyer message by default
    first = chat.client.get(url(conv.conversation_id, "?seq=1"), headers=h).json()["suggestions"]
    assert "包邮" in first[0]["text"] and "1400W" not in first[0]["text"]
    # A seq that is not a buyer's text message has no drafts.
    none = chat.client.get(url(conv.conversation_id, "?seq=999"), headers=h).json()
    assert none == {"suggestions": []}
    assert chat.client.get(url(conv.conversation_id, "?seq=abc"), headers=h).status_code == 422


def test_only_whoever_may_answer_gets_drafts(demo) -> None:  # type: ignore[no-untyped-def]
    chat, conv = demo
    cid = conv.conversation_id
    assert chat.client.get(url(cid)).status_code == 401
    # Another agent's conversation: read-only for a colleague, so no drafts.
    other = chat.client.get(url(cid), headers=headers(chat, "demo", "kf02"))
    assert other.status_code in (403, 404)
    assert "suggestions" not in other.json()
    # Another shop's agent does not even learn that it exists.
    foreign = chat.client.get(url(cid), headers=headers(chat, "s1", "kf01"))
    assert foreign.status_code == 404 and foreign.json()["code"] == "NOT_FOUND"
    assert (
        chat.client.get(url("no-such-id"), headers=headers(chat, "demo", "kf01")).status_code == 404
    )
    # A supervisor may step in.
    boss = chat.client.get(url(cid), headers=headers(chat, "demo", "kf10"))
    assert boss.status_code == 200 and boss.json()["suggestions"]


def test_a_shop_without_knowledge_gets_no_drafts(chat) -> None:  # type: ignore[no-untyped-def]
    assistant_bot.forget_knowledge()
    conv = inbox.do_open_conversation(chat.session, "s1", "tb_plain", "你们包邮吗？", now=NOW)
    inbox.do_post_message(chat.session, conv, "buyer", "你们包邮吗？", "b1", now=NOW)
    inbox.do_assign(chat.session, conv, chat.users["kf01"], by=chat.users["kf01"], now=NOW)
    uow.commit(chat.session)
    resp = chat.client.get(url(conv.conversation_id), headers=chat.agent_headers("kf01"))
    assert resp.status_code == 200 and resp.json() == {"suggestions": []}
