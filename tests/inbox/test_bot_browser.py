"""In a real browser (Debian's Chromium): the bot answers in the live chat, then hands off.

The demo shop (products, FAQ, quick replies, policies) is loaded, so the bot has knowledge.
A buyer on `/chat/demo` asks about free shipping and gets the bot's answer with the shop's
own threshold; "转人工" brings the hand-off notice; the agent's inbox shows the conversation
and the 智能推荐 strip offers drafts, one of which a click puts in the compose box, unsent.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from chat_helpers import SECRET, agent_cookie
from sqlalchemy import select
from sqlalchemy.orm import Session
from test_chat_browser import CHROMIUM_ARGS, serving

from kefu.app import create_app
from kefu.db.models import Conversation, Message, User
from kefu.demo import DemoShop, generate_demo_shop
from kefu.http.identity import SESSION_COOKIE
from kefu.services import assistant_bot
from kefu.services.demo import load_demo_shop
from kefu.settings import load_settings

pytestmark = pytest.mark.slow

OPEN_HOURS = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
HANDOFF_NOTICE = "亲，已经为您转接人工客服，请稍等哦😊"


@cache
def demo_data() -> DemoShop:
    return generate_demo_shop()


@pytest.fixture
def bot_server(migrated_url: str, tmp_path: Path) -> Iterator[dict[str, Any]]:
    """The demo shop behind a live server; kf01 is the one agent online, in every queue, so
    the hand-off lands on the desk whose browser the test watches."""
    from kefu.db.session import make_engine

    engine = make_engine(migrated_url)
    settings = load_settings(database_url=migrated_url, secret_key=SECRET, data_dir=tmp_path)
    with Session(engine, expire_on_commit=False) as session:
        load_demo_shop(session, demo_data())
        session.flush()
        for user in session.scalars(select(User).where(User.shop_id == "demo")):
            user.status = "offline"
        kf01 = session.scalars(
            select(User).where(User.shop_id == "demo", User.username == "kf01")
        ).one()
        kf01.status = "online"
        kf01.queues = ["presale", "insale", "aftersale", "review"]
        session.commit()
        cookie = agent_cookie(session, settings, kf01)
    assistant_bot.forget_knowledge()
    app = create_app(settings, engine=engine)
    # Business hours (10:00 in Shanghai, a Wednesday), so a hand-off says a person is coming;
    # the clock still moves, for the timers.
    started = time.monotonic()
    app.state.clock = lambda: OPEN_HOURS + timedelta(seconds=time.monotonic() - started)
    try:
        with serving(app) as url:
            yield {"url": url, "cookie": cookie, "engine": engine}
    finally:
        engine.dispose()
        assistant_bot.forget_knowledge()


@pytest.mark.parametrize("migrated_url", ["sqlite"], indirect=True)
def test_bot_answers_hands_off_and_the_agent_gets_suggestions(
    bot_server: dict[str, Any], chromium_path: str
) -> None:
    from playwright.sync_api import expect, sync_playwright

    base = bot_server["url"]
    threshold = demo_data().config.get("shipping", {}).get("free_shipping_threshold")
    # The first bot turn of a process loads the intent model (or fits it on a cold cache):
    # give the page assertions room on a busy 2-core machine.
    expect.set_options(timeout=30_000)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            errors: list[str] = []
            agent_ctx = browser.new_context(viewport={"width": 1280, "height": 760}, locale="zh-CN")
            agent_ctx.add_cookies(
                [{"name": SESSION_COOKIE, "value": bot_server["cookie"], "url": base}]
            )
            buyer_ctx = browser.new_context(viewport={"width": 420, "height": 720}, locale="zh-CN")
            agent = agent_ctx.new_page()
            buyer = buyer_ctx.new_page()
            for page in (agent, buyer):
                page.on("pageerror", lambda exc: errors.append(str(exc)))

            agent.goto(f"{base}/inbox")
            expect(agent.locator("#conn-state")).to_have_text("已连接")
            buyer.goto(f"{base}/chat/demo")
            expect(buyer.locator("#conn-state")).to_have_text("已连接")

            # A question the shop's data answers: the bot replies with the shop's own fact.
            buyer.fill("#input", "你们包邮吗")
            buyer.press("#input", "Enter")
            answer = buyer.locator(".msg-bot .bubble").first
            expect(answer).to_contain_text("包邮")
            if threshold is not None:
                expect(answer).to_contain_text(f"{threshold:g}")

            # Asking for a person: the hand-off notice, and the bot says nothing more.
            buyer.fill("#input", "转人工")
            buyer.press("#input", "Enter")
            expect(buyer.locator(".msg-bot .bubble").last).to_have_text(HANDOFF_NOTICE)

            # The agent's inbox has the conversation, with the whole exchange.
            item = agent.locator(".conv-item", has_text="web_")
            expect(item).to_be_visible()
            item.click()
            thread = agent.locator(".live-panel .chat-messages:not([hidden])")
            expect(thread.locator(".msg-buyer .bubble").last).to_have_text("转人工")
            expect(thread.locator(".msg-bot .bubble").last).to_have_text(HANDOFF_NOTICE)

            # 智能推荐: drafts for the latest buyer message; a click fills the box, unsent.
            strip = agent.locator("#suggestions")
            expect(strip).to_be_visible()
            first = strip.locator(".suggestion-item").first
            expect(first).to_be_visible()
            count = strip.locator(".suggestion-item").count()
            assert 1 <= count <= 3
            draft = first.get_attribute("data-text")
            assert draft
            first.click()
            expect(agent.locator("#input")).to_have_value(draft)
            # Editable before sending: the agent changes it, and it is still not sent.
            agent.locator("#input").press("End")
            agent.locator("#input").type("～")
            expect(agent.locator("#input")).to_have_value(draft + "～")
            assert errors == []
        finally:
            browser.close()
    with Session(bot_server["engine"]) as session:
        senders = list(  # the web visitor's conversation (the demo shop has older ones)
            session.scalars(
                select(Message.sender)
                .join(Conversation, Message.conversation_pk == Conversation.id)
                .where(Conversation.buyer_id.like("web_%"))
                .order_by(Message.seq)
            )
        )
    assert "agent" not in senders  # a suggestion is a draft: nothing went out by the click
    assert senders[:4] == ["buyer", "bot", "buyer", "bot"]
